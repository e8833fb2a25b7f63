"""Stage 4: analyse a built graph: story clusters, centrality, provider dominance (never mutates G)."""

from __future__ import annotations

import networkx as nx

from .model import EdgeKind, NodeKind

__all__ = ["article_graph", "find_clusters", "analyse_graph"]


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


def analyse_graph(G: nx.DiGraph, *, seed: int = 0) -> dict:
    """Return every analysis result of G in one dict (the shape the shells and exports rely on).

    Keys
    ----
    ``clusters``  : {article node: story number}
    ``pagerank``  : {article node: PageRank over related (and similar) links}
    ``in_links``  : {article node: number of related in-links ("most cited")}
    ``bridges``   : {article node: (approximate) betweenness over article links}
    ``stories``   : list of dicts, one per story, by story number: ``id``, ``label``,
                    ``size``, ``articles``, ``stubs``, ``start``, ``end``, ``first``,
                    ``first_provider``, ``central``, ``providers`` [(node, count)],
                    ``topics`` [(name, count)], ``members`` [nodes]
    ``providers`` : {provider node: {"articles", "share", "in_links", "in_link_share",
                    "stories", "first_reports"}}

    Notes
    -----
    G is not modified. The result depends on ``seed`` only through the clustering.
    """
    clusters = find_clusters(G, seed=seed)
    H = article_graph(G)
    pagerank = nx.pagerank(H) if H.number_of_nodes() else {}
    in_links = {
        n: sum(1 for _, _, k in G.in_edges(n, data="kind") if k == EdgeKind.RELATED.value) for n in H
    }
    bridges = nx.betweenness_centrality(H, k=min(200, len(H)), seed=seed) if len(H) > 2 else dict.fromkeys(H, 0.0)
    members: dict[int, list[str]] = {}
    for n, number in clusters.items():
        members.setdefault(number, []).append(n)
    stories = []
    for number in sorted(members):
        nodes = sorted(members[number], key=lambda n: (G.nodes[n].get("published") or "~", n))
        dated = [G.nodes[n]["published"] for n in nodes if G.nodes[n].get("published")]
        providers: dict[str, int] = {}
        topics: dict[str, int] = {}
        for n in nodes:
            providers[G.nodes[n]["provider"]] = providers.get(G.nodes[n]["provider"], 0) + 1
            for t in G.nodes[n].get("topics") or ():
                topics[t] = topics.get(t, 0) + 1
        first = nodes[0] if dated else None
        central = max(nodes, key=lambda n: (pagerank.get(n, 0.0), n))
        stories.append({
            "id": number,
            "label": G.nodes[central]["label"],
            "size": len(nodes),
            "articles": sum(1 for n in nodes if G.nodes[n]["in_corpus"]),
            "stubs": sum(1 for n in nodes if not G.nodes[n]["in_corpus"]),
            "start": min(dated) if dated else None,
            "end": max(dated) if dated else None,
            "first": first,
            "first_provider": G.nodes[first]["provider"] if first else None,
            "central": central,
            "providers": sorted(providers.items(), key=lambda item: (-item[1], item[0])),
            "topics": sorted(topics.items(), key=lambda item: (-item[1], item[0])),
            "members": nodes,
        })
    total = sum(1 for n in H if G.nodes[n]["in_corpus"]) or 1
    total_links = sum(in_links.values()) or 1
    provider_stats = {}
    for p, kind in G.nodes(data="kind"):
        if kind != NodeKind.PROVIDER.value:
            continue
        own = [u for u, _, k in G.in_edges(p, data="kind") if k == EdgeKind.PUBLISHED_BY.value]
        count = sum(1 for u in own if G.nodes[u]["in_corpus"])
        links = sum(in_links.get(u, 0) for u in own)
        provider_stats[p] = {
            "articles": count,
            "share": count / total,
            "in_links": links,
            "in_link_share": links / total_links,
            "stories": len({clusters[u] for u in own if u in clusters}),
            "first_reports": sum(1 for s in stories if s["first_provider"] == p),
        }
    return {
        "clusters": clusters,
        "pagerank": pagerank,
        "in_links": in_links,
        "bridges": bridges,
        "stories": stories,
        "providers": provider_stats,
    }
