"""Stage 5a: select the part of a graph a question is about (filters, views); never mutates G."""

from __future__ import annotations

from typing import Iterable

import networkx as nx

from .model import EdgeKind, NodeKind

__all__ = ["filter_graph"]


def filter_graph(
    G: nx.DiGraph,
    *,
    start: str | None = None,
    end: str | None = None,
    providers: Iterable[str] | None = None,
    topics: Iterable[str] | None = None,
    min_quality: float | None = None,
    stubs: bool = True,
    similar: bool = True,
) -> nx.DiGraph:
    """Return the subgraph of the articles that pass every filter, with their providers and topics.

    Parameters
    ----------
    G : nx.DiGraph
        A graph made by ``build_graph`` (and possibly ``link``).
    start, end : str, optional
        ISO dates or times; keep articles published in ``[start, end]`` (a date ``end``
        includes its whole day). Undated articles are left out when either is given.
    providers : iterable of str, optional
        Provider node ids; keep only their articles.
    topics : iterable of str, optional
        Topic node ids; keep only articles tagged with at least one of them.
    min_quality : float, optional
        Keep only articles whose ``quality`` is at least this (unknown quality is left out).
    stubs : bool
        Keep articles known only from related entries (``in_corpus`` False).
    similar : bool
        Keep inferred ``similar`` edges.

    Returns
    -------
    nx.DiGraph
        A new graph (attributes shared by reference with G: do not mutate them).
        Provider and topic nodes stay only when a kept article links to them.

    Examples
    --------
    >>> from graph.build import build_graph
    >>> from graph.model import Article, Related
    >>> G = build_graph([Article(url="https://a.com/1", published="2021-02-01T00:00:00Z",
    ...                          related=(Related(url="https://b.com/2"),))])
    >>> sorted(filter_graph(G, stubs=False))
    ['article:https://a.com/1', 'provider:a.com']
    >>> sorted(filter_graph(G, start="2021-03-01"))
    []
    """
    provider_set = set(providers) if providers is not None else None
    topic_set = set(topics) if topics is not None else None
    if end is not None and len(end) == 10:
        end = end + "T23:59:59Z"
    keep: set[str] = set()
    for n, data in G.nodes(data=True):
        if data["kind"] != NodeKind.ARTICLE.value:
            continue
        if not stubs and not data["in_corpus"]:
            continue
        published = data.get("published")
        if (start is not None or end is not None) and published is None:
            continue
        if start is not None and published < start:
            continue
        if end is not None and published > end:
            continue
        if provider_set is not None and data.get("provider") not in provider_set:
            continue
        if topic_set is not None and not any(
            v in topic_set for v in G.successors(n) if G.nodes[v]["kind"] == NodeKind.TOPIC.value
        ):
            continue
        if min_quality is not None and (data.get("quality") is None or data["quality"] < min_quality):
            continue
        keep.add(n)
    for n in list(keep):
        keep.update(v for v in G.successors(n) if G.nodes[v]["kind"] != NodeKind.ARTICLE.value)
    H = nx.DiGraph()
    H.graph.update(G.graph)
    H.add_nodes_from((n, G.nodes[n]) for n in G if n in keep)
    H.add_edges_from(
        (u, v, data)
        for u, v, data in G.edges(data=True)
        if u in keep and v in keep and (similar or data.get("kind") != EdgeKind.SIMILAR.value)
    )
    return H
