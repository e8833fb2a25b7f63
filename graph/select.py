"""Stage 5a: select the part of a graph a question is about (filters, views); never mutates G."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import networkx as nx

from .analyse import tied_providers
from .model import EdgeKind, NodeKind

__all__ = [
    "DEFAULT_LIMIT",
    "Selection",
    "filter_graph",
    "undated_left_out",
    "select_overview",
    "select_story",
    "select_neighbourhood",
    "select_provider",
    "select_topic",
]

#: Nodes sent to the browser by default: a few hundred draw at once with a precomputed layout.
DEFAULT_LIMIT = 300
#: Links per story on the map of stories above which each story keeps only its strongest link
#: (and those where it is another's strongest): 300 stories of a 10,000-article corpus had
#: 1,496 links, a hairball; their strongest 442 draw neighbourhoods of related stories.
MAP_LINKS = 2
#: Kind of the nodes of the stories overview (one node per story); never a node of the article graph.
STORY = "story"
#: Edge kind of the provider view between a provider and a provider covering the same stories.
CO_COVERS = "co_covers"
#: Co-covering providers a provider view shows at most (most shared stories first).
CO_PROVIDERS = 20
_LINKS = (EdgeKind.RELATED.value, EdgeKind.SIMILAR.value)
_ARTICLE = NodeKind.ARTICLE.value


@dataclass(frozen=True)
class Selection:
    """What a view draws, and what it left out to stay within its node budget.

    Attributes
    ----------
    graph : nx.DiGraph
        The nodes and edges to draw (a new graph; attribute values shared with G).
    unit : str
        What was counted and capped: ``"stories"`` or ``"articles"``.
    total : int
        How many of them the question has.
    shown : int
        How many of them are in ``graph``.
    """

    graph: nx.DiGraph
    unit: str
    total: int
    shown: int

    @property
    def left_out(self) -> int:
        """How many were left out."""
        return self.total - self.shown

    @property
    def note(self) -> str:
        """A plain sentence saying what was left out and how to see it ('' when nothing was).

        Examples
        --------
        >>> Selection(nx.DiGraph(), "articles", 500, 300).note
        'Showing the 300 most central of 500 articles; 200 left out. Raise "Nodes at most" in the sidebar or narrow the filters to see them.'
        >>> Selection(nx.DiGraph(), "stories", 3, 3).note
        ''
        """
        links = self.graph.graph.get("links_left_out", 0)
        links = (f"{links:,} weaker links between stories not drawn: each story keeps its strongest."
                 if links else "")
        if not self.left_out:
            return links
        which = "largest" if self.unit == "stories" else "most central"
        return (
            f"Showing the {self.shown} {which} of {self.total} {self.unit}; {self.left_out} left out. "
            'Raise "Nodes at most" in the sidebar or narrow the filters to see them.' + (" " + links if links else "")
        )


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
        Provider and topic nodes stay only when a kept article links to them. With no
        filter at all, G itself (a copy took ~5 s at 100,000 articles): read it, never change it.

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
    >>> filter_graph(G) is G
    True
    """
    if (start, end, providers, topics, min_quality, stubs, similar) == (None, None, None, None, None, True, True):
        return G
    provider_set = set(providers) if providers is not None else None
    topic_set = set(topics) if topics is not None else None
    if end is not None and len(end) == 10:
        end = end + "T23:59:59Z"
    hubs = {n for n, kind in G.nodes(data="kind") if kind != NodeKind.ARTICLE.value}  # providers, topics
    keep: set[str] = set()
    for n, data in G.nodes(data=True):
        if n in hubs:
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
        if topic_set is not None and topic_set.isdisjoint(G.succ[n]):
            continue
        if min_quality is not None and (data.get("quality") is None or data["quality"] < min_quality):
            continue
        keep.add(n)
    for n in list(keep):
        keep.update(hubs.intersection(G.succ[n]))
    H = nx.DiGraph()
    H.graph.update(G.graph)
    H.add_nodes_from((n, G.nodes[n]) for n in G if n in keep)
    similar_kind = EdgeKind.SIMILAR.value
    H.add_edges_from(  # by source in G's node order: the same edge order as G.edges()
        (u, v, data)
        for u in H
        for v, data in G.succ[u].items()
        if v in keep and (similar or data.get("kind") != similar_kind)
    )
    return H


def _check_limit(limit: int) -> None:
    if not isinstance(limit, int) or limit < 1:
        raise ValueError(f"limit must be a positive integer, not {limit!r}")


def _is_article(G: nx.DiGraph, n) -> bool:
    return G.nodes[n]["kind"] == _ARTICLE


def _by_rank(nodes: Iterable[str], pagerank: dict[str, float]) -> list[str]:
    """Nodes by decreasing PageRank, then id: the most central first, the same order every time."""
    return sorted(nodes, key=lambda n: (-pagerank.get(n, 0.0), n))


def _induced(G: nx.DiGraph, nodes: Iterable[str], *, kind: str) -> nx.DiGraph:
    """A new graph of ``nodes`` (in the given order) and the edges of G between them."""
    H = nx.DiGraph()
    H.graph.update(G.graph, view=kind)
    H.add_nodes_from((n, G.nodes[n]) for n in nodes)
    H.add_edges_from((u, v, data) for u, v, data in G.edges(H, data=True) if v in H)
    return H


def _with_providers(G: nx.DiGraph, articles: list[str]) -> list[str]:
    """``articles`` followed by the providers that published them (first seen first)."""
    providers = dict.fromkeys(G.nodes[n]["provider"] for n in articles if G.nodes[n].get("provider") in G)
    return articles + list(providers)


def undated_left_out(
    G: nx.DiGraph,
    *,
    providers: Iterable[str] | None = None,
    topics: Iterable[str] | None = None,
    min_quality: float | None = None,
    stubs: bool = True,
) -> int:
    """Return how many articles a date range leaves out only for having no publication date.

    :func:`filter_graph` keeps only dated articles once ``start`` or ``end`` is given; these
    are the undated ones its other filters (the same arguments) keep, for the shells to say
    so instead of dropping them silently.

    Examples
    --------
    >>> from graph.build import build_graph
    >>> from graph.model import Article
    >>> G = build_graph([Article(url="https://a.com/1", published="2021-02-01T00:00:00Z"), Article(url="https://b.com/2")])
    >>> undated_left_out(G), undated_left_out(G, providers=["provider:a.com"])
    (1, 0)
    """
    kept = filter_graph(G, providers=providers, topics=topics, min_quality=min_quality, stubs=stubs)
    return sum(1 for _, data in kept.nodes(data=True)
               if data["kind"] == NodeKind.ARTICLE.value and not data.get("published"))


def select_overview(G: nx.DiGraph, analysis: dict, *, limit: int = DEFAULT_LIMIT) -> Selection:
    """Return the map of stories: one node per story with articles in G, linked where its articles link.

    Parameters
    ----------
    G : nx.DiGraph
        The (filtered) article graph.
    analysis : dict
        ``analyse_graph`` of the graph G was filtered from (``clusters`` and ``stories`` are used).
    limit : int
        Keep at most this many stories, the largest in G first.

    Returns
    -------
    Selection
        Nodes are story numbers with ``kind="story"``, ``label``, ``story``, ``size`` (its
        articles and stubs in G), ``articles``, ``stubs``, ``providers``, ``start``, ``end``,
        ``first_provider`` (and its name, ``broken_by``) and ``central``; an edge ``(s, t)`` with ``kind="related"`` and
        ``weight`` = the number of article links from story s to story t. With more than
        :data:`MAP_LINKS` links per story, each story keeps its strongest link only (and
        those where it is another's strongest), and the note says how many were left out.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> for n in "abc": G.add_node(n, kind="article", in_corpus=True, provider="p")
    >>> G.add_edge("a", "c", kind="related")
    >>> analysis = {"clusters": {"a": 0, "b": 0, "c": 1},
    ...             "stories": [{"id": 0, "label": "A"}, {"id": 1, "label": "C"}]}
    >>> view = select_overview(G, analysis)
    >>> sorted(view.graph.nodes(data="size")), list(view.graph.edges(data="weight"))
    ([(0, 2), (1, 1)], [(0, 1, 1)])
    """
    _check_limit(limit)
    clusters = analysis["clusters"]
    stories = {story["id"]: story for story in analysis["stories"]}
    members: dict[int, list[str]] = {}
    for n, kind in G.nodes(data="kind"):
        if kind == _ARTICLE and n in clusters:
            members.setdefault(clusters[n], []).append(n)
    ranked = sorted(members, key=lambda s: (-len(members[s]), s))
    kept = ranked[:limit]
    H = nx.DiGraph()
    H.graph.update(view="stories")
    for s in kept:
        nodes = members[s]
        dated = sorted(G.nodes[n]["published"] for n in nodes if G.nodes[n].get("published"))
        story = stories.get(s, {})
        in_corpus = sum(1 for n in nodes if G.nodes[n]["in_corpus"])
        H.add_node(
            s,
            kind=STORY,
            label=story.get("title") or story.get("label") or G.nodes[nodes[0]]["label"],
            terms=story.get("label"),
            story=s,
            size=len(nodes),
            articles=in_corpus,
            stubs=len(nodes) - in_corpus,
            providers=len({G.nodes[n].get("provider") for n in nodes}),
            start=dated[0] if dated else None,
            end=dated[-1] if dated else None,
            first_provider=story.get("first_provider"),
            broken_by=str(G.nodes[story["first_provider"]].get("label")) if story.get("first_provider") in G else None,
            dominant=str(G.nodes[story["dominant"]].get("label")) if story.get("dominant") in G else None,
            dominant_share=story.get("dominant_share"),
            tied=tied_providers(story),  # more than one: no dominant provider
            hhi=story.get("hhi"),
            central=story.get("central"),
        )
    for u, v, kind in G.edges(data="kind"):
        if kind not in _LINKS or u not in clusters or v not in clusters:
            continue
        s, t = clusters[u], clusters[v]
        if s != t and s in H and t in H:
            if H.has_edge(s, t):
                H[s][t]["weight"] += 1
            else:
                H.add_edge(s, t, kind=EdgeKind.RELATED.value, weight=1)
    if H.number_of_edges() > MAP_LINKS * H.number_of_nodes():
        H.graph["links_left_out"] = _keep_strongest(H)
    return Selection(H, "stories", len(ranked), len(kept))


def _keep_strongest(H: nx.DiGraph) -> int:
    """Remove every link of H but each node's strongest (both directions' weights summed; ties to
    the lower neighbour); return how many links were removed."""
    weight: dict[tuple, int] = {}
    for s, t, w in H.edges(data="weight"):
        pair = (min(s, t), max(s, t))
        weight[pair] = weight.get(pair, 0) + w
    best: dict = {}
    for (a, b), w in sorted(weight.items()):
        for node, other in ((a, b), (b, a)):
            if node not in best or (-w, other) < best[node]:
                best[node] = (-w, other)
    kept = {(min(n, other), max(n, other)) for n, (_, other) in best.items()}
    drop = [(s, t) for s, t in H.edges() if (min(s, t), max(s, t)) not in kept]
    H.remove_edges_from(drop)
    return len(drop)


def select_story(G: nx.DiGraph, analysis: dict, story: int, *, limit: int = DEFAULT_LIMIT) -> Selection:
    """Return a story's articles in G (the most central first, at most ``limit``) and their providers.

    Raises
    ------
    ValueError
        When ``story`` is not a story number of ``analysis``.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> for n in "abc": G.add_node(n, kind="article", provider="p")
    >>> G.add_node("p", kind="provider")
    >>> for n in "abc": G.add_edge(n, "p", kind="published_by")
    >>> analysis = {"pagerank": {"a": 0.2, "b": 0.5, "c": 0.3}, "stories": [{"id": 0, "members": ["a", "b", "c"]}]}
    >>> view = select_story(G, analysis, 0, limit=2)
    >>> list(view.graph), view.left_out
    (['b', 'c', 'p'], 1)
    """
    _check_limit(limit)
    stories = {s["id"]: s for s in analysis["stories"]}
    if story not in stories:
        raise ValueError(f"no story {story!r}; stories are numbered 0 to {len(stories) - 1}")
    members = _by_rank((n for n in stories[story]["members"] if n in G), analysis["pagerank"])
    kept = members[:limit]
    return Selection(_induced(G, _with_providers(G, kept), kind="story"), "articles", len(members), len(kept))


def _linked(G: nx.DiGraph, n: str) -> set[str]:
    """Articles linked to article n by a related or similar edge, in either direction."""
    out = {v for v, data in G.succ[n].items() if data.get("kind") in _LINKS}
    return out | {u for u, data in G.pred[n].items() if data.get("kind") in _LINKS}


def select_neighbourhood(
    G: nx.DiGraph, analysis: dict, n: str, *, depth: int = 1, limit: int = DEFAULT_LIMIT
) -> Selection:
    """Return the articles within ``depth`` links of article ``n`` (either direction) and their providers.

    The nearest are kept first, then the most central, at most ``limit`` articles (n included).

    Raises
    ------
    ValueError
        When n is not an article of G, or depth is negative.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> for a in "abcd": G.add_node(a, kind="article", provider=None)
    >>> G.add_edge("a", "b", kind="related"); G.add_edge("c", "b", kind="similar"); G.add_edge("c", "d", kind="related")
    >>> list(select_neighbourhood(G, {"pagerank": {}}, "b").graph)
    ['b', 'a', 'c']
    >>> select_neighbourhood(G, {"pagerank": {}}, "a", depth=3).shown
    4
    """
    _check_limit(limit)
    if n not in G or not _is_article(G, n):
        raise ValueError(f"{n!r} is not an article of the graph")
    if not isinstance(depth, int) or depth < 0:
        raise ValueError(f"depth must be a non-negative integer, not {depth!r}")
    pagerank = analysis["pagerank"]
    distance = {n: 0}
    frontier = [n]
    for level in range(1, depth + 1):
        reached = {v for u in frontier for v in _linked(G, u) if v not in distance}
        distance.update(dict.fromkeys(reached, level))
        frontier = list(reached)
    ranked = sorted(distance, key=lambda v: (distance[v], -pagerank.get(v, 0.0), v))
    kept = ranked[:limit]
    H = _induced(G, _with_providers(G, kept), kind="article")
    H.graph["center"] = n
    return Selection(H, "articles", len(ranked), len(kept))


def _published(G: nx.DiGraph, p: str) -> list[str]:
    return [u for u, data in G.pred[p].items() if data.get("kind") == EdgeKind.PUBLISHED_BY.value]


def select_provider(
    G: nx.DiGraph, analysis: dict, p: str, *, limit: int = DEFAULT_LIMIT, co_providers: int = CO_PROVIDERS
) -> Selection:
    """Return a provider, its most central articles in G and the providers that cover the same stories.

    Co-covering providers are linked to ``p`` by a ``co_covers`` edge whose ``weight`` is the
    number of stories both cover (at most ``co_providers`` of them, most shared first).

    Raises
    ------
    ValueError
        When p is not a provider of G.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> for a, q in [("a", "p"), ("b", "p"), ("c", "q")]:
    ...     G.add_node(a, kind="article", provider=q); G.add_node(q, kind="provider"); G.add_edge(a, q, kind="published_by")
    >>> analysis = {"pagerank": {}, "clusters": {"a": 0, "b": 1, "c": 0}}
    >>> view = select_provider(G, analysis, "p")
    >>> list(view.graph), list(view.graph.edges(data="weight"))
    (['p', 'a', 'b', 'q'], [('p', 'q', 1), ('a', 'p', None), ('b', 'p', None)])
    """
    _check_limit(limit)
    if p not in G or G.nodes[p]["kind"] != NodeKind.PROVIDER.value:
        raise ValueError(f"{p!r} is not a provider of the graph")
    clusters = analysis["clusters"]
    articles = _by_rank(_published(G, p), analysis["pagerank"])
    kept = articles[:limit]
    stories = {clusters[n] for n in articles if n in clusters}
    shared: dict[str, set[int]] = {}
    for n, data in G.nodes(data=True):
        if data["kind"] == _ARTICLE and clusters.get(n) in stories and data.get("provider") not in (p, None):
            shared.setdefault(data["provider"], set()).add(clusters[n])
    others = sorted((q for q in shared if q in G), key=lambda q: (-len(shared[q]), q))[:co_providers]
    H = _induced(G, [p, *kept, *others], kind="provider")
    H.add_edges_from((p, q, {"kind": CO_COVERS, "weight": len(shared[q])}) for q in others)
    return Selection(H, "articles", len(articles), len(kept))


def select_topic(G: nx.DiGraph, analysis: dict, t: str, *, limit: int = DEFAULT_LIMIT) -> Selection:
    """Return a topic, its most central articles in G (at most ``limit``) and their providers.

    Raises
    ------
    ValueError
        When t is not a topic of G.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("t", kind="topic")
    >>> for a in "ab": G.add_node(a, kind="article", provider=None); G.add_edge(a, "t", kind="tagged")
    >>> view = select_topic(G, {"pagerank": {"b": 1.0}}, "t", limit=1)
    >>> list(view.graph), view.note.split(";")[0]
    (['t', 'b'], 'Showing the 1 most central of 2 articles')
    """
    _check_limit(limit)
    if t not in G or G.nodes[t]["kind"] != NodeKind.TOPIC.value:
        raise ValueError(f"{t!r} is not a topic of the graph")
    tagged = [u for u, data in G.pred[t].items() if data.get("kind") == EdgeKind.TAGGED.value]
    articles = _by_rank(tagged, analysis["pagerank"])
    kept = articles[:limit]
    return Selection(_induced(G, [t, *_with_providers(G, kept)], kind="topic"), "articles", len(articles), len(kept))
