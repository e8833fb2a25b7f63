"""Stage 4: analyse a built graph: story clusters, centrality, provider dominance (never mutates G)."""

from __future__ import annotations

import networkx as nx

from .model import EdgeKind, NodeKind

__all__ = ["article_graph", "find_clusters"]


def article_graph(G: nx.DiGraph, *, kinds=(EdgeKind.RELATED.value, EdgeKind.SIMILAR.value)) -> nx.Graph:
    """Return the undirected graph of article nodes linked by edges of ``kinds``.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("a", kind="article"); G.add_node("b", kind="article"); G.add_node("p", kind="provider")
    >>> G.add_edge("a", "b", kind="related"); G.add_edge("a", "p", kind="published_by")
    >>> sorted(article_graph(G).edges())
    [('a', 'b')]
    """
    H = nx.Graph()
    H.add_nodes_from(n for n, kind in G.nodes(data="kind") if kind == NodeKind.ARTICLE.value)
    H.add_edges_from((u, v) for u, v, kind in G.edges(data="kind") if kind in kinds)
    return H


def find_clusters(G: nx.DiGraph, *, seed: int = 0) -> dict[str, int]:
    """Return the story cluster of every article node: ``{node: cluster number}``.

    Clusters are numbered 0, 1, … by decreasing size (ties by first node id).

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> for n in "abc": G.add_node(n, kind="article")
    >>> G.add_edge("a", "b", kind="related")
    >>> find_clusters(G)
    {'a': 0, 'b': 0, 'c': 1}
    """
    H = article_graph(G)
    components = sorted((sorted(c) for c in nx.connected_components(H)), key=lambda c: (-len(c), c[0]))
    return {n: number for number, members in enumerate(components) for n in members}
