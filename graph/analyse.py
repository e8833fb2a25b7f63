"""Stage 4: analyse a built graph: story clusters, centrality, provider dominance, timelines (never mutates G)."""

from __future__ import annotations

from collections import Counter, defaultdict

import igraph as ig
import leidenalg
import networkx as nx
import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

from .model import EdgeKind, NodeKind

__all__ = [
    "DEFAULT_RESOLUTION",
    "DEFAULT_RELATED_WEIGHT",
    "article_graph",
    "story_weights",
    "find_clusters",
    "rank_articles",
    "rank_providers",
    "find_bridges",
    "count_in_links",
    "label_stories",
    "concentration",
    "describe_stories",
    "measure_providers",
    "measure_topics",
    "count_timelines",
    "analyse_graph",
]

#: Leiden CPM resolution: a story must hold links of at least this average weight per pair.
DEFAULT_RESOLUTION = 0.05
#: Weight of a ``related`` link in the story graph (a ``similar`` link weighs its similarity).
DEFAULT_RELATED_WEIGHT = 0.1

_RELATED = EdgeKind.RELATED.value
_SIMILAR = EdgeKind.SIMILAR.value
_ARTICLE = NodeKind.ARTICLE.value


def _by_count(counts: Counter) -> list[tuple]:
    """Items by decreasing count, ties by key."""
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def article_graph(G: nx.DiGraph, *, kinds=(_RELATED, _SIMILAR)) -> nx.Graph:
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
    H.add_nodes_from(n for n, kind in G.nodes(data="kind") if kind == _ARTICLE)
    H.add_edges_from((u, v) for u, v, kind in G.edges(data="kind") if kind in kinds)
    return H


def story_weights(G: nx.DiGraph, *, related_weight: float = DEFAULT_RELATED_WEIGHT) -> dict[tuple[str, str], float]:
    """Return the weight of every linked pair of articles in the story graph: ``{(u, v): w}``, ``u < v``.

    A pair weighs the largest of its text similarity (a ``similar`` edge's ``weight``, or
    the ``similarity`` a ``related`` edge was given by ``link``) and ``related_weight``
    when either article lists the other in ``related:``.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_edge("a", "b", kind="related"); G.add_edge("c", "b", kind="similar", weight=0.4)
    >>> G.add_edge("b", "c", kind="similar", weight=0.4); G.add_edge("b", "a", kind="related", similarity=0.3)
    >>> story_weights(G, related_weight=0.1)
    {('a', 'b'): 0.3, ('b', 'c'): 0.4}
    """
    weights: dict[tuple[str, str], float] = {}
    for u, v, data in G.edges(data=True):
        kind = data.get("kind")
        if kind == _SIMILAR:
            w = float(data.get("weight", 0.0))
        elif kind == _RELATED:
            w = max(related_weight, float(data.get("similarity", 0.0)))
        else:
            continue
        key = (u, v) if u < v else (v, u)
        if w > weights.get(key, 0.0):
            weights[key] = w
    return dict(sorted(weights.items()))


def _igraph(nodes: list[str], edges, weights=None, *, directed: bool = False) -> ig.Graph:
    """An igraph graph over ``nodes`` (vertex i is nodes[i]) with the given node-id edges."""
    index = {n: i for i, n in enumerate(nodes)}
    H = ig.Graph(n=len(nodes), edges=[(index[u], index[v]) for u, v in edges], directed=directed)
    if weights is not None:
        H.es["weight"] = list(weights)
    return H


def find_clusters(
    G: nx.DiGraph,
    *,
    seed: int = 0,
    resolution: float = DEFAULT_RESOLUTION,
    related_weight: float = DEFAULT_RELATED_WEIGHT,
) -> dict[str, int]:
    """Return the story cluster of every article node: ``{node: cluster number}``.

    Stories are found by Leiden (``leidenalg``) optimising the Constant Potts Model over
    the weighted story graph (:func:`story_weights`): a group of articles is a story when
    its internal link weight exceeds ``resolution`` times its number of pairs, so two
    articles join only when their link weighs more than ``resolution``, and a loose chain
    of links is cut rather than merged (the README's "Stories" section has the
    measurements that chose it). Clusters are numbered 0, 1, … by decreasing size, ties
    by first node id.

    Parameters
    ----------
    G : nx.DiGraph
        A graph made by ``build_graph`` (and usually ``link_similar``).
    seed : int
        Seed of Leiden's random choices: the same graph and seed give the same clusters.
    resolution : float
        Granularity (> 0): higher gives smaller, tighter stories.
    related_weight : float
        Weight of a ``related`` link alone (see :func:`story_weights`).

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> for n in "abcd": G.add_node(n, kind="article")
    >>> G.add_edge("a", "b", kind="similar", weight=0.5); G.add_edge("c", "d", kind="related")
    >>> find_clusters(G)
    {'a': 0, 'b': 0, 'c': 1, 'd': 1}
    >>> find_clusters(G, resolution=0.2)
    {'a': 0, 'b': 0, 'c': 1, 'd': 2}
    """
    if not resolution > 0:
        raise ValueError(f"resolution must be > 0, got {resolution!r}")
    nodes = sorted(n for n, kind in G.nodes(data="kind") if kind == _ARTICLE)
    if not nodes:
        return {}
    weights = story_weights(G, related_weight=related_weight)
    H = _igraph(nodes, weights.keys(), weights.values())
    partition = leidenalg.find_partition(
        H, leidenalg.CPMVertexPartition, weights="weight", resolution_parameter=resolution,
        n_iterations=2, seed=seed,
    )
    members: dict[int, list[str]] = defaultdict(list)
    for i, community in enumerate(partition.membership):
        members[community].append(nodes[i])
    groups = sorted(members.values(), key=lambda group: (-len(group), group[0]))
    return {n: number for number, group in enumerate(groups) for n in group}


def rank_articles(G: nx.DiGraph, *, alpha: float = 0.85) -> dict[str, float]:
    """Return the PageRank of every article over related links and inferred similar links.

    The walk follows ``related`` edges (weight 1) and ``similar`` edges (weight =
    similarity) in their direction; computed with igraph (PRPACK), equal to
    ``nx.pagerank`` of the same weighted graph.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> for n in "abc": G.add_node(n, kind="article")
    >>> G.add_edge("a", "c", kind="related"); G.add_edge("b", "c", kind="related")
    >>> {n: round(r, 3) for n, r in rank_articles(G).items()}
    {'a': 0.213, 'b': 0.213, 'c': 0.574}
    """
    nodes = sorted(n for n, kind in G.nodes(data="kind") if kind == _ARTICLE)
    if not nodes:
        return {}
    edges, weights = [], []
    for u, v, data in G.edges(data=True):
        if data.get("kind") == _RELATED:
            edges.append((u, v)); weights.append(1.0)
        elif data.get("kind") == _SIMILAR:
            edges.append((u, v)); weights.append(float(data.get("weight", 1.0)))
    H = _igraph(nodes, edges, weights, directed=True)
    scores = H.pagerank(directed=True, damping=alpha, weights="weight" if edges else None)
    return dict(zip(nodes, scores))


def find_bridges(G: nx.DiGraph, *, k: int = 100, seed: int = 0) -> dict[str, float]:
    """Return each article's (approximate) betweenness over related and similar links.

    Shortest paths (hops, links undirected) from ``k`` source articles drawn with
    ``seed`` are counted with igraph and scaled as networkx does, so with ``k`` at least
    the number of articles the result is ``nx.betweenness_centrality(article_graph(G))``
    exactly. High values mark the articles that bridge stories.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> for n in "abc": G.add_node(n, kind="article")
    >>> G.add_edge("a", "b", kind="related"); G.add_edge("c", "b", kind="similar", weight=0.5)
    >>> find_bridges(G)
    {'a': 0.0, 'b': 1.0, 'c': 0.0}
    """
    nodes = sorted(n for n, kind in G.nodes(data="kind") if kind == _ARTICLE)
    n = len(nodes)
    if n < 3:
        return dict.fromkeys(nodes, 0.0)
    pairs = story_weights(G, related_weight=1.0)
    H = _igraph(nodes, pairs.keys())
    if k >= n:
        raw = np.asarray(H.betweenness(directed=False), dtype=np.float64)
        scale = 1.0
    else:
        sources = np.sort(np.random.default_rng(seed).choice(n, size=k, replace=False))
        raw = np.asarray(H.betweenness(directed=False, sources=sources.tolist()), dtype=np.float64)
        scale = n / k  # as networkx rescales a sample of k sources
    scores = raw * scale * 2.0 / ((n - 1) * (n - 2))
    return {node: float(round(score, 12)) for node, score in zip(nodes, scores)}


def count_in_links(G: nx.DiGraph) -> dict[str, int]:
    """Return how many ``related`` links point at each article ("most cited").

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> for n in "ab": G.add_node(n, kind="article")
    >>> G.add_edge("a", "b", kind="related")
    >>> count_in_links(G)
    {'a': 0, 'b': 1}
    """
    counts = {n: 0 for n, kind in sorted(G.nodes(data="kind")) if kind == _ARTICLE}
    for _, v, kind in G.edges(data="kind"):
        if kind == _RELATED and v in counts:
            counts[v] += 1
    return counts


def label_stories(titles: list[list[str]], *, terms: int = 4) -> list[list[str]]:
    """Return the most distinctive title words of each story, best first.

    A word scores the share of the story's titles that hold it times its inverse story
    frequency (``log(1 + stories / stories holding it)``); English stop words and
    numbers-only words are left out; ties go alphabetically.

    Examples
    --------
    >>> label_stories([["Acme recalls robot vacuum", "Robot vacuum recall by Acme"],
    ...                ["Acme profits rise"]], terms=3)
    [['robot', 'vacuum', 'acme'], ['profits', 'rise', 'acme']]
    """
    if not titles:
        return []
    flat = [t for group in titles for t in group]
    owner = np.repeat(np.arange(len(titles)), [len(group) for group in titles])
    vectorizer = CountVectorizer(
        stop_words="english", binary=True, strip_accents="unicode",
        token_pattern=r"(?u)\b[^\W\d_][\w'’-]*\w\b",
    )
    try:
        counts = vectorizer.fit_transform(flat).tocsr()
    except ValueError:  # no words at all
        return [[] for _ in titles]
    vocabulary = vectorizer.get_feature_names_out()
    membership = sp.csr_matrix((np.ones(len(flat)), (owner, np.arange(len(flat)))), shape=(len(titles), len(flat)))
    per_story = (membership @ counts).tocsr()
    held = np.asarray((per_story > 0).sum(axis=0)).ravel()
    idf = np.log1p(len(titles) / np.maximum(held, 1))
    sizes = np.array([max(len(group), 1) for group in titles], dtype=np.float64)
    result = []
    for s in range(len(titles)):
        row = per_story.getrow(s)
        scores = row.data / sizes[s] * idf[row.indices]
        words = vocabulary[row.indices]
        ranked = sorted(zip(-np.round(scores, 9), words))[:terms]
        result.append([str(word) for _, word in ranked])
    return result


def concentration(counts: dict | Counter) -> tuple[float, str | None, float]:
    """Return the Herfindahl-Hirschman index of ``counts`` (shares squared, 0..1), the key with the largest count and its share.

    Examples
    --------
    >>> concentration({"p": 3, "q": 1})
    (0.625, 'p', 0.75)
    >>> concentration({})
    (0.0, None, 0.0)
    """
    total = sum(counts.values())
    if not total:
        return 0.0, None, 0.0
    hhi = sum((c / total) ** 2 for c in counts.values())
    top, count = _by_count(Counter(counts))[0]
    return round(hhi, 12), top, count / total


def describe_stories(
    G: nx.DiGraph, clusters: dict[str, int], *, centrality: dict[str, float] | None = None,
    weights: dict[tuple[str, str], float] | None = None, terms: int = 4,
) -> list[dict]:
    """Return one record per story, by story number (the ``stories`` of :func:`analyse_graph`).

    The first article is the earliest dated member (ties by node id; None when no member
    is dated); the central article has the largest link weight inside the story
    (:func:`story_weights`), ties by ``centrality`` (PageRank) then node id. The label is
    the story's distinctive title words (:func:`label_stories`), or the title itself for
    a single article. The dominant provider has the most articles in the story; a tie
    goes to the one that published first.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("p", kind="provider"); G.add_node("q", kind="provider")
    >>> for n, p, day in [("a", "p", "2021-01-02"), ("b", "q", "2021-01-01"), ("c", "p", None)]:
    ...     G.add_node(n, kind="article", title=f"Acme story {n}", label=f"Acme story {n}", provider=p,
    ...                published=day, topics=["AI"], in_corpus=n != "c")
    >>> G.add_edge("a", "b", kind="similar", weight=0.5); G.add_edge("b", "a", kind="similar", weight=0.5)
    >>> story = describe_stories(G, {"a": 0, "b": 0, "c": 1})[0]
    >>> story["label"], story["first"], story["first_provider"], story["hhi"], story["central"]
    ('acme, story', 'b', 'q', 0.5, 'a')
    """
    if weights is None:
        weights = story_weights(G)
    centrality = centrality or {}
    members: dict[int, list[str]] = defaultdict(list)
    for n, number in clusters.items():
        members[number].append(n)
    inside: dict[str, float] = defaultdict(float)
    for (u, v), w in weights.items():
        if clusters.get(u) is not None and clusters.get(u) == clusters.get(v):
            inside[u] += w
            inside[v] += w
    numbers = sorted(members)
    ordered = {
        number: sorted(members[number], key=lambda n: (G.nodes[n].get("published") or "~", n)) for number in numbers
    }
    labels = label_stories(
        [[G.nodes[n].get("title") or G.nodes[n].get("label") or "" for n in ordered[number]] for number in numbers],
        terms=terms,
    )
    stories = []
    for number, words in zip(numbers, labels):
        nodes = ordered[number]
        dated = [G.nodes[n]["published"] for n in nodes if G.nodes[n].get("published")]
        providers = Counter(G.nodes[n].get("provider") for n in nodes)
        topics = Counter(t for n in nodes for t in (G.nodes[n].get("topics") or ()))
        first = nodes[0] if dated else None
        central = min(nodes, key=lambda n: (-round(inside.get(n, 0.0), 9), -round(centrality.get(n, 0.0), 12), n))
        hhi, _, dominant_share = concentration(providers)
        top = max(providers.values())  # dominant: most articles; a tie goes to the earliest to publish
        dominant = next(G.nodes[n].get("provider") for n in nodes if providers[G.nodes[n].get("provider")] == top)
        stories.append({
            "id": number,
            "label": ", ".join(words) if len(nodes) > 1 and words else G.nodes[central].get("label"),
            "terms": words,
            "title": G.nodes[central].get("label"),
            "size": len(nodes),
            "articles": sum(1 for n in nodes if G.nodes[n].get("in_corpus")),
            "stubs": sum(1 for n in nodes if not G.nodes[n].get("in_corpus")),
            "start": min(dated) if dated else None,
            "end": max(dated) if dated else None,
            "first": first,
            "first_provider": G.nodes[first].get("provider") if first else None,
            "central": central,
            "providers": _by_count(providers),
            "topics": _by_count(topics),
            "hhi": hhi,
            "dominant": dominant,
            "dominant_share": dominant_share,
            "members": nodes,
        })
    return stories


def measure_providers(
    G: nx.DiGraph, clusters: dict[str, int], stories: list[dict], in_links: dict[str, int]
) -> dict[str, dict]:
    """Return each provider's dominance figures (the ``providers`` of :func:`analyse_graph`).

    ``articles``: its in-corpus articles; ``share``: of all in-corpus articles;
    ``in_links``: related links received by its articles (stubs included) and
    ``in_link_share`` of all; ``stories``: stories with at least one of its articles;
    ``first_reports``: stories whose first article is its.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("p", kind="provider"); G.add_node("q", kind="provider")
    >>> for n, p in [("a", "p"), ("b", "q"), ("c", "p")]:
    ...     G.add_node(n, kind="article", provider=p, in_corpus=True)
    >>> G.add_edge("b", "a", kind="related")
    >>> stories = [{"first_provider": "q"}, {"first_provider": None}]
    >>> measure_providers(G, {"a": 0, "b": 0, "c": 1}, stories, {"a": 1, "b": 0, "c": 0})["p"]
    {'articles': 2, 'share': 0.6666666666666666, 'in_links': 1, 'in_link_share': 1.0, 'stories': 2, 'first_reports': 0}
    """
    own: dict[str, list[str]] = defaultdict(list)
    for n, data in G.nodes(data=True):
        if data.get("kind") == _ARTICLE and data.get("provider"):
            own[data["provider"]].append(n)
    total = sum(1 for _, data in G.nodes(data=True) if data.get("kind") == _ARTICLE and data.get("in_corpus")) or 1
    total_links = sum(in_links.values()) or 1
    firsts = Counter(s["first_provider"] for s in stories if s.get("first_provider"))
    result = {}
    for p in sorted(n for n, kind in G.nodes(data="kind") if kind == NodeKind.PROVIDER.value):
        nodes = own.get(p, [])
        count = sum(1 for n in nodes if G.nodes[n].get("in_corpus"))
        links = sum(in_links.get(n, 0) for n in nodes)
        result[p] = {
            "articles": count,
            "share": count / total,
            "in_links": links,
            "in_link_share": links / total_links,
            "stories": len({clusters[n] for n in nodes if n in clusters}),
            "first_reports": firsts.get(p, 0),
        }
    return result


def measure_topics(G: nx.DiGraph, clusters: dict[str, int]) -> dict[str, dict]:
    """Return, per topic node, its articles, stories, providers with counts, HHI and dominant provider.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("t", kind="topic", name="AI")
    >>> for n, p in [("a", "p"), ("b", "q"), ("c", "p")]:
    ...     G.add_node(n, kind="article", provider=p, in_corpus=True); G.add_edge(n, "t", kind="tagged")
    >>> measure_topics(G, {"a": 0, "b": 0, "c": 1})["t"]
    {'name': 'AI', 'articles': 3, 'stories': 2, 'providers': [('p', 2), ('q', 1)], 'hhi': 0.555555555556, 'dominant': 'p', 'dominant_share': 0.6666666666666666}
    """
    tagged: dict[str, list[str]] = defaultdict(list)
    for u, v, kind in G.edges(data="kind"):
        if kind == EdgeKind.TAGGED.value:
            tagged[v].append(u)
    result = {}
    for t in sorted(n for n, kind in G.nodes(data="kind") if kind == NodeKind.TOPIC.value):
        nodes = tagged.get(t, [])
        providers = Counter(G.nodes[n].get("provider") for n in nodes)
        hhi, dominant, share = concentration(providers)
        result[t] = {
            "name": G.nodes[t].get("name", G.nodes[t].get("label")),
            "articles": len(nodes),
            "stories": len({clusters[n] for n in nodes if n in clusters}),
            "providers": _by_count(providers),
            "hhi": hhi,
            "dominant": dominant,
            "dominant_share": share,
        }
    return result


def count_timelines(G: nx.DiGraph, clusters: dict[str, int]) -> dict[str, dict]:
    """Return articles per day (UTC date of ``published``) per story, provider and topic.

    ``{"stories": {number: [[day, count], …]}, "providers": {node: …}, "topics": {node: …}}``,
    days ascending; every dated article counts, stubs included; undated ones do not.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("t", kind="topic")
    >>> G.add_node("a", kind="article", provider="p", published="2021-01-01T10:00:00Z")
    >>> G.add_node("b", kind="article", provider="p", published="2021-01-01T12:00:00Z")
    >>> G.add_edge("a", "t", kind="tagged")
    >>> count_timelines(G, {"a": 0, "b": 0})
    {'stories': {0: [['2021-01-01', 2]]}, 'providers': {'p': [['2021-01-01', 2]]}, 'topics': {'t': [['2021-01-01', 1]]}}
    """
    series: dict[str, dict] = {"stories": defaultdict(Counter), "providers": defaultdict(Counter), "topics": defaultdict(Counter)}
    for n, data in G.nodes(data=True):
        if data.get("kind") != _ARTICLE or not data.get("published"):
            continue
        day = data["published"][:10]
        if n in clusters:
            series["stories"][clusters[n]][day] += 1
        if data.get("provider"):
            series["providers"][data["provider"]][day] += 1
    for u, v, kind in G.edges(data="kind"):
        if kind == EdgeKind.TAGGED.value and G.nodes[u].get("published"):
            series["topics"][v][G.nodes[u]["published"][:10]] += 1
    return {
        name: {key: [[day, count] for day, count in sorted(days.items())] for key, days in sorted(groups.items())}
        for name, groups in series.items()
    }


def analyse_graph(
    G: nx.DiGraph,
    *,
    seed: int = 0,
    resolution: float = DEFAULT_RESOLUTION,
    related_weight: float = DEFAULT_RELATED_WEIGHT,
    bridge_samples: int = 100,
) -> dict:
    """Return every analysis result of G in one dict (the shape the shells and exports rely on).

    Keys
    ----
    ``clusters``  : {article node: story number} (:func:`find_clusters`)
    ``pagerank``  : {article node: PageRank over related (and similar) links}
    ``in_links``  : {article node: number of related in-links ("most cited")}
    ``bridges``   : {article node: (approximate) betweenness over article links}
    ``stories``   : list of dicts, one per story, by story number: ``id``, ``label``,
                    ``size``, ``articles``, ``stubs``, ``start``, ``end``, ``first``,
                    ``first_provider``, ``central``, ``providers`` [(node, count)],
                    ``topics`` [(name, count)], ``members`` [nodes]; and ``terms``
                    (distinctive title words), ``title`` (the central article's),
                    ``hhi``, ``dominant``, ``dominant_share`` (provider concentration)
    ``providers`` : {provider node: {"articles", "share", "in_links", "in_link_share",
                    "stories", "first_reports"}}
    ``topics``    : {topic node: {"name", "articles", "stories", "providers", "hhi",
                    "dominant", "dominant_share"}}
    ``corpus``    : {"articles", "stories", "hhi", "dominant", "dominant_share"} over the
                    in-corpus articles
    ``timelines`` : {"stories" | "providers" | "topics": {key: [[day, count], …]}}

    Parameters
    ----------
    G : nx.DiGraph
        A graph made by ``build_graph`` and, for inferred links, ``link_similar``.
    seed : int
        Seed of the clustering and of the betweenness sample.
    resolution, related_weight : float
        As in :func:`find_clusters`.
    bridge_samples : int
        Source articles of the approximate betweenness (:func:`find_bridges`).

    Notes
    -----
    G is not modified. The result depends on ``seed`` only through the clustering and
    the betweenness sample.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("p", kind="provider")
    >>> G.add_node("a", kind="article", title="A", label="A", provider="p", in_corpus=True)
    >>> result = analyse_graph(G)
    >>> result["clusters"], result["stories"][0]["label"], result["corpus"]["hhi"]
    ({'a': 0}, 'A', 1.0)
    """
    weights = story_weights(G, related_weight=related_weight)
    clusters = find_clusters(G, seed=seed, resolution=resolution, related_weight=related_weight)
    pagerank = rank_articles(G)
    in_links = count_in_links(G)
    bridges = find_bridges(G, k=bridge_samples, seed=seed)
    stories = describe_stories(G, clusters, centrality=pagerank, weights=weights)
    corpus_counts = Counter(
        data.get("provider") for _, data in G.nodes(data=True) if data.get("kind") == _ARTICLE and data.get("in_corpus")
    )
    hhi, dominant, share = concentration(corpus_counts)
    return {
        "clusters": clusters,
        "pagerank": pagerank,
        "in_links": in_links,
        "bridges": bridges,
        "stories": stories,
        "providers": measure_providers(G, clusters, stories, in_links),
        "topics": measure_topics(G, clusters),
        "corpus": {
            "articles": sum(corpus_counts.values()),
            "stories": len(stories),
            "hhi": hhi,
            "dominant": dominant,
            "dominant_share": share,
        },
        "timelines": count_timelines(G, clusters),
    }


def rank_providers(providers: dict[str, dict]) -> list[tuple[str, dict]]:
    """Return ``analyse_graph``'s provider figures as ``(provider, figures)``, most articles first.

    Ties go to more related in-links, then to the provider id, so the order is stable.

    Examples
    --------
    >>> rank_providers({"p:a": {"articles": 1, "in_links": 0}, "p:b": {"articles": 1, "in_links": 2},
    ...                 "p:c": {"articles": 3, "in_links": 0}})
    [('p:c', {'articles': 3, 'in_links': 0}), ('p:b', {'articles': 1, 'in_links': 2}), ('p:a', {'articles': 1, 'in_links': 0})]
    """
    return sorted(providers.items(), key=lambda item: (-item[1]["articles"], -item[1]["in_links"], item[0]))
