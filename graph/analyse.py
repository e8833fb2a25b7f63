"""Stage 4: analyse a built graph: story clusters, centrality, provider dominance, timelines (never mutates G)."""

from __future__ import annotations

import contextlib
import random
import re
from collections import Counter, defaultdict
from itertools import chain
from typing import NamedTuple

import igraph as ig
import leidenalg
import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import LinearOperator, bicgstab
import Stemmer
from threadpoolctl import threadpool_limits

from ._fork import Forked, can_fork, lines_array, lines_of, start_worker, worker_result
from ._gc import paused_gc
from ._stopwords import STOP_WORDS
from .link import _INNER, STRENGTH_SCALE, _loader_days, _runs
from .model import EdgeKind, NodeKind

__all__ = [
    "DEFAULT_RESOLUTION",
    "DEFAULT_RELATED_WEIGHT",
    "article_graph",
    "ArticleLinks",
    "article_links",
    "story_pairs",
    "story_weights",
    "TIGHT_RESOLUTION",
    "story_partition",
    "find_clusters",
    "rank_articles",
    "rank_providers",
    "tied_providers",
    "find_bridges",
    "bridge_sources",
    "count_in_links",
    "label_stories",
    "title_words",
    "LABEL_PATTERN",
    "concentration",
    "describe_stories",
    "measure_providers",
    "measure_topics",
    "count_timelines",
    "analyse_graph",
]

#: Story granularity: None chooses it (Surprise over tight CPM groups, see :func:`story_partition`);
#: a number is a CPM resolution: a story must hold links of at least this average weight per pair.
DEFAULT_RESOLUTION = None
#: CPM resolution of the passes before Surprise when the granularity is chosen automatically.
TIGHT_RESOLUTION = 0.1
#: Weight of a ``related`` link in the story graph (a ``similar`` link weighs its similarity).
DEFAULT_RELATED_WEIGHT = 0.1
#: Articles from which a group found by CPM (pass 2) is never joined to another such group by Surprise.
LARGE_STORY = 5
#: The least summed weight of the links of a lone article to the one large story it is linked to
#: that makes it part of the story (two links at the default threshold): :func:`story_partition`.
FOLLOW_UP = 0.4
#: The least summed weight per pair of articles of a story Surprise (pass 3) made of several
#: CPM groups: below it, the story is undone into those groups (:func:`story_partition`).
STORY_FLOOR = 0.14

_RELATED = EdgeKind.RELATED.value
_SIMILAR = EdgeKind.SIMILAR.value
_ARTICLE = NodeKind.ARTICLE.value
_PROVIDER = NodeKind.PROVIDER.value
_TOPIC = NodeKind.TOPIC.value
_TAGGED = EdgeKind.TAGGED.value


def _by_count(counts: Counter) -> list[tuple]:
    """Items by decreasing count, ties by key (None last, as :class:`_Counted` orders them)."""
    return sorted(counts.items(), key=lambda item: (-item[1], item[0] is None, "" if item[0] is None else item[0]))


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


_CHUNK = 1 << 19  # pairs summed at a time by _aggregate


class RowEvidence(NamedTuple):
    """Weighted pairs held by row, as ``link.SimilarPairs`` holds its evidence.

    Row ``r`` is article ``article[r]`` (-1: not one of the articles analysed); its pairs
    are with the rows ``other[indptr[r]:indptr[r + 1]]``, of those ``weight`` divided by
    ``scale`` (``link.SimilarPairs`` holds its similarities as uint16 steps).
    """

    article: np.ndarray
    indptr: np.ndarray
    other: np.ndarray
    weight: np.ndarray
    scale: float = 1.0


def _row_sums(evidence: RowEvidence, group: np.ndarray, groups: int) -> sp.csr_matrix:
    """The summed weights of ``evidence`` between (and within) ``groups``, upper triangle (``group`` of each article).

    ``M.T @ E @ M`` with ``M`` the group of each row, half a million pairs at a time: scipy
    sums each chunk row by row without sorting the 24M pairs (~3x faster than summing
    ``(u, v)`` arrays), and the chunks' sums are added as they come, so no chunk is held
    after its turn. The weights are summed as they are held (the similarities' uint16
    steps: integers, whose float64 sums are exact whatever their order) and divided by
    ``scale`` once at the end.
    """
    rows = len(evidence.article)
    if not rows or not evidence.indptr[-1]:
        return sp.csr_matrix((groups, groups), dtype=np.float64)
    row_group = np.where(evidence.article >= 0, group[np.maximum(evidence.article, 0)], groups)  # the absent: dropped
    M = sp.csr_matrix((np.ones(rows), row_group, np.arange(rows + 1)), shape=(rows, groups + 1))
    indptr = evidence.indptr
    bounds = np.unique(np.r_[0, np.searchsorted(indptr, np.arange(_CHUNK, indptr[-1], _CHUNK)), rows])
    total = sp.csr_matrix((groups + 1, groups + 1), dtype=np.float64)
    for r0, r1 in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
        a, b = int(indptr[r0]), int(indptr[r1])
        E = sp.csr_matrix((np.asarray(evidence.weight[a:b], dtype=np.float64), evidence.other[a:b],
                           indptr[r0:r1 + 1] - a), shape=(r1 - r0, rows))
        total = total + M[r0:r1].T @ (E @ M)
    A = total.tocoo()
    del total
    keep = (A.row < groups) & (A.col < groups)
    lo, hi = np.minimum(A.row, A.col)[keep], np.maximum(A.row, A.col)[keep]
    summed = sp.csr_matrix((A.data[keep], (lo, hi)), shape=(groups, groups))  # a pair's two halves added
    summed.data /= evidence.scale
    return summed


def _aggregate(weights: list, membership: np.ndarray) -> tuple[ig.Graph, np.ndarray, tuple]:
    """The graph of the groups of ``membership``, the number of articles in each group, and its edges as arrays.

    An edge between two groups weighs the summed weights of the pairs between them (each
    pair once: ``(u, v, weight)`` arrays, or a :class:`RowEvidence`); a loop, the summed
    weights inside the group.
    """
    groups = int(membership.max()) + 1
    group = membership.astype(np.int32)
    total = sp.csr_matrix((groups, groups), dtype=np.float64)
    for item in weights:
        if isinstance(item, RowEvidence):
            total = total + _row_sums(item, group, groups)
            continue
        u, v, w = item
        for start in range(0, len(u), _CHUNK):  # a few million pairs at a time: bounds the memory of a 20M-pair sum
            a, b = group[u[start:start + _CHUNK]], group[v[start:start + _CHUNK]]
            part = np.asarray(w[start:start + _CHUNK], dtype=np.float64)
            total = total + sp.csr_matrix((part, (np.minimum(a, b), np.maximum(a, b))), shape=(groups, groups))
    A = total.tocoo()
    del total
    H = _igraph_of(groups, A.row, A.col, directed=False)
    H.es["weight"] = A.data
    return H, np.bincount(membership, minlength=groups), (A.row, A.col, A.data)


def story_partition(
    n: int, pairs: tuple, evidence: tuple | None = None, *, seed: int = 0, resolution: float | None = DEFAULT_RESOLUTION,
    floor: float | None = STORY_FLOOR,
) -> np.ndarray:
    """Return the story of each of ``n`` articles (an array of group numbers) from weighted pairs.

    Three passes, each a Leiden optimisation over the groups of the one before:

    1. *tight groups*: CPM at ``3 * r`` (``r`` = ``resolution``, or :data:`TIGHT_RESOLUTION`
       when it is None) over ``pairs``, the story graph (each article's best similar links
       and its related links, :func:`story_weights`);
    2. *CPM over all the evidence*: the tight groups are joined while the summed weight
       between them exceeds ``r`` per pair of articles, where the weights are ``evidence``
       (every pair of articles at or above the similarity threshold, not only each
       article's best few: a story of 1,000 articles keeps its density) and ``pairs``;
    3. with ``resolution=None``, *Surprise* (parameter-free) joins those groups further:
       it keeps the many small real stories whose articles are only loosely alike apart
       from each other while joining them (the README's "Stories" section has the
       measurements that chose this). It decides for the small groups only: groups of
       :data:`LARGE_STORY` articles or more, which pass 2 kept apart on enough pairs to
       trust, stay in communities of their own (small groups may join them). With a
       number, pass 3 is skipped and the result is plain CPM: a higher resolution gives
       smaller, tighter stories. A story Surprise made of small groups alone (none of
       LARGE_STORY articles) whose pairs weigh less than ``floor`` on average (summed
       weight over ``k (k - 1) / 2`` for ``k`` articles) is undone into those groups:
       Surprise joins any two groups a link joins, and alone it made stories of a topical
       star (one market report 0.21-0.27 alike to three unrelated articles: 0.115 per
       pair) and of a bare related link (0.1) in the real corpora, where its true joins
       held 0.159-0.222. Last, a lone article whose links all go to one story with a
       large group, weighing :data:`FOLLOW_UP` there, joins it (a follow-up alike to
       several reports a little, which Surprise leaves out as it thins the story).

    Parameters
    ----------
    n : int
        Number of articles (indices 0 … n-1).
    pairs : tuple of arrays (u, v, weight)
        The story graph's pairs, each once.
    evidence : list of tuples of arrays (u, v, weight) or of RowEvidence, optional
        The weights of passes 2 and 3 instead of ``pairs``, each pair once per item; a
        pair's weights in several items add up (``find_clusters`` passes every pair's
        similarity, and ``related_weight`` for each related pair).
    seed : int
        Seed of every random choice (igraph's Leiden and leidenalg's optimiser).
    resolution : float or None
        None for the automatic choice, else the CPM resolution (> 0).
    floor : float or None
        The least weight per pair of a story pass 3 joined (None: no floor; ignored with a
        ``resolution``). ``find_clusters`` passes None when text similarity links no
        articles, as with related links alone every weight is ``related_weight``.

    Examples
    --------
    >>> u, v, w = np.array([0, 1, 3]), np.array([1, 2, 4]), np.array([0.5, 0.4, 0.6])
    >>> story_partition(5, (u, v, w)).tolist()
    [0, 0, 0, 1, 1]
    >>> story_partition(5, (u, v, w), resolution=0.3).tolist()
    [0, 0, 1, 2, 2]
    >>> bare = (np.array([0, 2]), np.array([1, 3]), np.array([0.1, 0.5]))  # 0-1: a bare related link
    >>> story_partition(4, bare).tolist(), story_partition(4, bare, floor=None).tolist()
    ([2, 3, 1, 1], [0, 0, 1, 1])
    """
    if resolution is not None and not resolution > 0:
        raise ValueError(f"resolution must be > 0 or None, got {resolution!r}")
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    return _partition([_weighted_story_graph(n, pairs)], evidence, seed=seed, resolution=resolution, floor=floor)


def _story_graph(n: int, pairs: tuple) -> ig.Graph:
    """The story graph of ``n`` articles as igraph: the ``(u, v, weight)`` pairs, loops left out, unweighted."""
    u, v, _ = (np.asarray(x) for x in pairs)
    keep = u != v
    return _igraph_of(n, u[keep], v[keep], directed=False)


def _weighted_story_graph(n: int, pairs: tuple) -> tuple[ig.Graph, np.ndarray]:
    """:func:`_story_graph` and the weights of its edges, in their order: an array, not an igraph
    attribute, which would hold a Python float per edge (~37 MB at 100,000 articles)."""
    u, v, w = (np.asarray(x) for x in pairs)
    return _story_graph(n, pairs), np.asarray(w, dtype=np.float64)[u != v]


def _partition(story: list, evidence, *, seed: int, resolution: float | None, floor: float | None) -> np.ndarray:
    """story_partition's body over its story graph and edge weights (:func:`_weighted_story_graph`),
    which ``story`` holds: they are taken out of the list (the caller keeps no reference) and
    freed once the tight groups are found (~1M edges at 100k articles)."""
    G, weights = story.pop()
    r = TIGHT_RESOLUTION if resolution is None else float(resolution)
    if evidence is None:
        edges = np.array(G.get_edgelist(), dtype=np.int64).reshape(-1, 2)
        evidence = [(edges[:, 0], edges[:, 1], weights)]
    ig.set_random_number_generator(random.Random(seed))  # igraph draws from this; restored below
    try:
        tight = np.asarray(G.community_leiden("CPM", weights=weights, resolution=3 * r, n_iterations=1).membership)
        del G, weights  # not held through the passes to come
        H, sizes, edges = _aggregate(evidence, tight)
        joined = H.community_leiden("CPM", weights="weight", node_weights=sizes.astype(np.float64), resolution=r,
                                    n_iterations=2).membership
    finally:
        ig.set_random_number_generator(random)
    groups = np.asarray(joined)[tight]
    if resolution is not None:
        return groups
    del H
    H, sizes, between = _aggregate([edges], np.asarray(joined))  # sums compose: group the groups
    sizes = np.bincount(groups, minlength=len(sizes))
    surprise = leidenalg.SurpriseVertexPartition(H, weights="weight", node_sizes=sizes.tolist())
    optimiser = leidenalg.Optimiser()
    optimiser.set_rng_seed(seed)
    # Surprise decides for the small groups only: CPM kept two groups of LARGE_STORY articles or
    # more apart on 25 pairs or more, enough to trust; they stay fixed in communities of their own.
    # Local moving, then the communities moved as wholes, until no move gains (leidenalg's
    # building blocks): Leiden's refinement took ~1.5 s more at 100k articles and changed the
    # story of 3 articles in 1,000,000 (README, "Stories")
    fixed = sizes >= LARGE_STORY
    optimiser.move_nodes(surprise, is_membership_fixed=fixed.tolist())
    while True:
        coarse = surprise.aggregate_partition()  # a node per community, in its own community
        held = np.zeros(len(coarse.membership), dtype=bool)
        held[np.asarray(surprise.membership)[fixed]] = True  # a community holding a fixed group stays put
        if not optimiser.move_nodes(coarse, is_membership_fixed=held.tolist()) > 0:
            break
        surprise.from_coarse_partition(coarse)
    story = np.asarray(surprise.membership)
    if floor is not None:
        story = _floored(story, sizes, between, floor, fixed)
    return _followed_up(story, sizes, between, fixed)[groups]


def _floored(story: np.ndarray, sizes: np.ndarray, between: tuple, floor: float, large: np.ndarray) -> np.ndarray:
    """``story`` (of each group) with every story Surprise made of small groups alone (none
    ``large``) that holds less than ``floor`` weight per pair of its articles undone: each of
    its groups a story of its own (numbered after the others). ``between``: the summed
    weights between (and within) groups. A story with a large group is CPM's, trusted
    (``LARGE_STORY``); what Surprise joined to it stays."""
    row, col, weight = between
    stories = int(story.max()) + 1
    inside = story[row] == story[col]
    held = np.bincount(story[row[inside]], weights=weight[inside], minlength=stories)
    articles = np.bincount(story, weights=sizes, minlength=stories)
    parts = np.bincount(story, minlength=stories)
    anchored = np.bincount(story, weights=large, minlength=stories) > 0
    undone = (parts > 1) & ~anchored & (held < floor * articles * (articles - 1) / 2)
    return np.where(undone[story], stories + np.arange(len(story)), story)



def _followed_up(story: np.ndarray, sizes: np.ndarray, between: tuple, large: np.ndarray) -> np.ndarray:
    """``story`` (of each group) with every lone article (a group of one, alone in its story)
    whose links all go to one story with a ``large`` group, and weigh :data:`FOLLOW_UP` or
    more there, moved into that story: a follow-up or a comment on an event that is alike
    to several of its reports a little (two links at the threshold) and to nothing else.
    Surprise leaves such an article out, as it lowers the story's density."""
    row, col, weight = between
    row, col = np.asarray(row, dtype=np.int64), np.asarray(col, dtype=np.int64)  # scipy's int32: keys below pass 2**31
    stories = int(story.max()) + 1
    apart = row != col
    a, b, w = np.r_[row[apart], col[apart]], np.r_[col[apart], row[apart]], np.r_[weight[apart], weight[apart]]
    lone = (sizes == 1) & (np.bincount(story, minlength=stories)[story] == 1)
    keep = lone[a]
    key, inverse = np.unique(a[keep] * stories + story[b[keep]], return_inverse=True)
    held = np.bincount(inverse.ravel(), weights=w[keep], minlength=len(key))
    article, target = key // stories, key % stories
    targets = np.bincount(article, minlength=len(story))
    anchored = np.bincount(story, weights=large, minlength=stories) > 0
    move = (targets[article] == 1) & anchored[target] & (held >= FOLLOW_UP)
    story = story.copy()
    story[article[move]] = target[move]
    return story

def _numbered(nodes: list[str], membership: np.ndarray) -> dict[str, int]:
    """Clusters numbered 0, 1, … by decreasing size, ties by first node id (nodes sorted)."""
    if not len(nodes):
        return {}
    _, first, inverse, counts = np.unique(membership, return_index=True, return_inverse=True, return_counts=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.lexsort((first, -counts))] = np.arange(len(first))
    return dict(zip(nodes, rank[inverse.ravel()].tolist()))


def find_clusters(
    G: nx.DiGraph,
    *,
    seed: int = 0,
    resolution: float | None = DEFAULT_RESOLUTION,
    related_weight: float = DEFAULT_RELATED_WEIGHT,
    similarity=None,
) -> dict[str, int]:
    """Return the story cluster of every article node: ``{node: cluster number}``.

    Stories are found by :func:`story_partition` over the story graph
    (:func:`story_weights`) and, when given, ``similarity``: every pair of articles
    alike enough to be linked, not only the few best links of each that G holds
    (``link.similarity_pairs``; ``pipeline.analyse_articles`` passes it). Clusters are
    numbered 0, 1, … by decreasing size, ties by first node id.

    Parameters
    ----------
    G : nx.DiGraph
        A graph made by ``build_graph`` (and usually ``link_similar``).
    seed : int
        Seed of the random choices: the same graph and seed give the same clusters.
    resolution : float or None
        None (default) for the automatic choice; a number for CPM at that resolution
        (higher gives smaller, tighter stories).
    related_weight : float
        Weight of a ``related`` link alone (see :func:`story_weights`).
    similarity : link.SimilarPairs, optional
        Every alike pair of articles of ``similarity.nodes``; articles not in G are
        ignored. Its links count as G's ``similar`` edges (:func:`article_links`), so G
        need not hold them.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> for n in "abcd": G.add_node(n, kind="article")
    >>> G.add_edge("a", "b", kind="similar", weight=0.5); G.add_edge("c", "d", kind="related")
    >>> find_clusters(G)  # c-d: a bare related link, less than STORY_FLOOR
    {'a': 0, 'b': 0, 'c': 1, 'd': 2}
    >>> find_clusters(G, related_weight=0.2)
    {'a': 0, 'b': 0, 'c': 1, 'd': 1}
    """
    links = article_links(G, similarity)
    return _clusters(links, story_pairs(links, related_weight=related_weight), similarity, seed=seed,
                     resolution=resolution, related_weight=related_weight)


def _clusters(links, pairs: tuple, similarity, *, seed: int, resolution: float | None,
              related_weight: float, story: list | None = None) -> dict[str, int]:
    """:func:`find_clusters` over arrays read once (``analyse_graph`` shares them); ``story``:
    a list holding the story graph of ``pairs`` and its weights when already made (:func:`_partition` empties it)."""
    if resolution is not None and not resolution > 0:
        raise ValueError(f"resolution must be > 0 or None, got {resolution!r}")
    if not links.nodes:
        return {}
    evidence = None
    if similarity is not None:
        n = len(links.nodes)
        # pairs of another graph (G filtered since) count between G's articles only
        article = _positions(links.nodes, similarity.nodes)[similarity.rows]
        text = RowEvidence(article, similarity.indptr, similarity.other, similarity.strength, STRENGTH_SCALE)
        a, b = links.related[:, 0], links.related[:, 1]
        key = np.unique(np.minimum(a, b)[a != b] * n + np.maximum(a, b)[a != b])
        evidence = [text, (key // n, key % n, np.full(len(key), related_weight))]
    if story is None:
        story = [_weighted_story_graph(len(links.nodes), pairs)]
    # with related links alone (no text link found) every weight is related_weight: the floor would undo every join
    floor = STORY_FLOOR if len(links.similar) or (similarity is not None and len(similarity.other)) else None
    return _numbered(links.nodes, _partition(story, evidence, seed=seed, resolution=resolution, floor=floor))


class ArticleLinks(NamedTuple):
    """The article nodes of a graph and their links as arrays, read once (:func:`article_links`).

    ``nodes``: article node ids, sorted (article ``i`` is ``nodes[i]``); ``data``: their
    attribute dicts (G's own, only read); ``related`` and ``similar``: ``(m, 2)`` integer
    arrays of directed links between articles, with ``related_similarity`` (the
    ``similarity`` ``link`` gave a related link, 0 when none) and ``similar_weight`` (NaN
    when missing); ``tagged``: ``(article index, topic node)`` for every ``tagged`` edge.
    """

    nodes: list[str]
    data: list[dict]
    related: np.ndarray
    related_similarity: np.ndarray
    similar: np.ndarray
    similar_weight: np.ndarray
    tagged: list[tuple[int, str]]


def article_links(G: nx.DiGraph, similarity=None) -> ArticleLinks:
    """Return the article nodes of G and their related, similar and tagged links as arrays.

    One pass over the edges of the articles: :func:`analyse_graph` computes every
    result from these arrays instead of walking G again for each. With ``similarity``
    (``link.SimilarPairs``), its links between G's articles count as ``similar`` edges
    too, as if ``link.link_similar`` had added them (a direction already holding a
    related link gives it its ``similarity`` instead): the analysis of a graph without
    its similar edges, from the compact arrays, equals that of the graph with them.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> for n in "ba": G.add_node(n, kind="article")
    >>> G.add_node("t", kind="topic")
    >>> G.add_edge("a", "b", kind="related"); G.add_edge("b", "a", kind="similar", weight=0.5)
    >>> G.add_edge("a", "t", kind="tagged")
    >>> links = article_links(G)
    >>> links.nodes, links.related.tolist(), links.similar.tolist(), links.similar_weight.tolist(), links.tagged
    (['a', 'b'], [[0, 1]], [[1, 0]], [0.5], [(0, 't')])
    """
    nodes = sorted(n for n, kind in G.nodes(data="kind") if kind == _ARTICLE)
    index = {n: i for i, n in enumerate(nodes)}
    data = list(map(G._node.__getitem__, nodes))  # networkx's node dicts, read only (G.nodes[n] costs ~5x more)
    related: list[int] = []  # (i, j) of every link, flat
    related_similarity: list[float] = []
    similar: list[int] = []
    similar_weight: list[float] = []
    tagged: list[int] = []
    topics: list[str] = []
    nan = float("nan")
    # networkx's successor dicts, read only (the views cost twice as much per edge), in the order
    # they were made, which is their order in memory: twice as fast as in node order (~0.4 s at
    # 100,000 articles); each kind's links are put in node order below
    find = index.get
    for u, successors in G._adj.items():
        i = find(u)
        if i is None:
            continue
        for v, attributes in successors.items():
            kind = attributes.get("kind")
            if kind == _SIMILAR or kind == _RELATED:
                j = find(v)
                if j is None:
                    continue
                if kind == _SIMILAR:
                    similar += (i, j)
                    similar_weight.append(attributes.get("weight", nan))
                else:
                    related += (i, j)
                    related_similarity.append(attributes.get("similarity", 0.0))
            elif kind == _TAGGED:
                tagged.append(i)
                topics.append(v)
    related_pairs, related_order = _in_node_order(related)
    similar_pairs, similar_order = _in_node_order(similar)
    tag_order = np.argsort(np.array(tagged, dtype=np.int64), kind="stable").tolist()
    links = ArticleLinks(
        nodes, data,
        related_pairs, np.array(related_similarity, dtype=np.float64)[related_order],
        similar_pairs, np.array(similar_weight, dtype=np.float64)[similar_order],
        [(tagged[k], topics[k]) for k in tag_order],
    )
    return links if similarity is None else _with_links(links, similarity)


def _in_node_order(flat: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Links given as flat ``(i, j)`` pairs as an ``(m, 2)`` array by ``i`` (each ``i``'s in the
    order given, as its successors are), and the order they were put in."""
    pairs = np.array(flat, dtype=np.int64).reshape(-1, 2)
    order = np.argsort(pairs[:, 0], kind="stable")
    return pairs[order], order


def _positions(nodes: list[str], other: list[str]) -> np.ndarray:
    """The index in ``nodes`` (sorted) of each node of ``other``, -1 when it is not there."""
    if other == nodes:
        return np.arange(len(nodes), dtype=np.int64)
    position = {node: i for i, node in enumerate(nodes)}
    return np.array([position.get(node, -1) for node in other], dtype=np.int64)


def _with_links(links: ArticleLinks, similarity) -> ArticleLinks:
    """``links`` with ``similarity``'s links added as ``link.link_similar`` adds them to a graph."""
    n = len(links.nodes)
    mapped = _positions(links.nodes, similarity.nodes)
    u = mapped[np.asarray(similarity.link_u, dtype=np.int64)]
    v = mapped[np.asarray(similarity.link_v, dtype=np.int64)]
    keep = (u >= 0) & (v >= 0)
    weight = np.asarray(similarity.link_similarity, dtype=np.float64)[keep]
    a, b, weight = np.concatenate([u[keep], v[keep]]), np.concatenate([v[keep], u[keep]]), np.concatenate([weight, weight])
    # which directions hold a related link (one per direction at most), and which: looked up in a
    # sparse matrix of their numbers + 1 (~3x faster than a search of their sorted keys)
    number = sp.csr_matrix((np.arange(1, len(links.related) + 1), (links.related[:, 0], links.related[:, 1])),
                           shape=(n, n))
    at = np.asarray(number[a, b]).ravel() - 1 if len(a) else np.zeros(0, dtype=np.int64)
    related = at >= 0
    related_similarity = links.related_similarity.copy()
    related_similarity[at[related]] = weight[related]  # as add_similar_edges: the link's, replacing any
    a, b, weight = a[~related], b[~related], weight[~related]  # the other directions become similar edges, once
    old = links.similar[:, 0] * n + links.similar[:, 1]
    new = ~np.isin(a * n + b, old)
    return links._replace(
        related_similarity=related_similarity,
        similar=np.concatenate([links.similar, np.column_stack([a[new], b[new]])]),
        similar_weight=np.concatenate([links.similar_weight, weight[new]]),
    )


def story_pairs(links: ArticleLinks, *, related_weight: float = DEFAULT_RELATED_WEIGHT) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return :func:`story_weights` as arrays ``(u, v, weight)`` of article indices, ``u <= v``, sorted.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> for n in "abc": G.add_node(n, kind="article")
    >>> G.add_edge("a", "b", kind="related"); G.add_edge("c", "b", kind="similar", weight=0.4)
    >>> G.add_edge("b", "c", kind="similar", weight=0.4); G.add_edge("b", "a", kind="related", similarity=0.3)
    >>> [x.tolist() for x in story_pairs(article_links(G), related_weight=0.1)]
    [[0, 1], [1, 2], [0.3, 0.4]]
    """
    n = len(links.nodes)
    u = np.concatenate([links.related[:, 0], links.similar[:, 0]])
    v = np.concatenate([links.related[:, 1], links.similar[:, 1]])
    w = np.concatenate([np.maximum(related_weight, links.related_similarity), np.nan_to_num(links.similar_weight, nan=0.0)])
    keep = w > 0  # as story_weights: a pair is kept once it weighs more than 0
    key = np.minimum(u, v)[keep] * n + np.maximum(u, v)[keep]
    order = np.argsort(key)  # by pair; each pair weighs its heaviest link
    key, w = key[order], w[keep][order]
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else np.zeros(0, dtype=np.int64)
    return key[first] // max(n, 1), key[first] % max(n, 1), np.maximum.reduceat(w, first) if len(key) else w


_EDGES_AT_ONCE = 1 << 16  # edges turned into Python pairs at a time by _igraph_of


def _igraph_of(n: int, u: np.ndarray, v: np.ndarray, *, directed: bool) -> ig.Graph:
    """An igraph graph of ``n`` vertices and the edges ``u[k] -> v[k]``, in that order.

    igraph reads Python pairs of ints ~3x faster than array rows; streamed from chunks of
    the arrays, never a list of them all (at 1.8M edges: 0.56 s and ~100 MB instead of
    0.86 s and ~330 MB for one list).
    """
    step = _EDGES_AT_ONCE
    pairs = chain.from_iterable(zip(u[s:s + step].tolist(), v[s:s + step].tolist()) for s in range(0, len(u), step))
    return ig.Graph(n=n, edges=pairs, directed=directed)


_PAGERANK_TOLERANCE = 1e-13  # of the linear system's residual, relative: ~1e-15 per rank from the fixed point
_PAGERANK_ITERATIONS = 10_000  # never reached (~70 products at 100,000 articles)


def _pagerank(links: ArticleLinks, alpha: float) -> np.ndarray:
    """PageRank of every article (rank_articles' body): related links weigh 1, similar ones their weight.

    networkx's model on the arrays: a dangling article's rank is spread over all articles
    and the walk jumps anywhere with probability ``1 - alpha``. Its fixed point is the
    solution of a linear system, ``x - alpha (W x + d.x / n) = (1 - alpha) / n``, which
    scipy's BiCGSTAB finds to a relative residual of 1e-13 in ~70 sparse products at
    100,000 articles (~1.7M links), where networkx's power iteration takes ~170 to move
    less than 1e-12 (~0.5 s): tests compare the two. Should it not converge, the power
    iteration runs instead. One BLAS thread: the same sums in the same order, so the same
    links give the same ranks bit for bit on every run.
    """
    n = len(links.nodes)
    if not n:
        return np.zeros(0)
    index = np.int32 if n < 2**31 else np.int64  # half the memory of the links' own int64
    u = np.concatenate([links.related[:, 0], links.similar[:, 0]], dtype=index)
    weight = np.concatenate([np.ones(len(links.related)), np.nan_to_num(links.similar_weight, nan=1.0)])
    if (weight < 0).any():
        raise ValueError("PageRank needs similar links of weight >= 0")
    out = np.bincount(u, weights=weight, minlength=n)
    weight /= np.where(out > 0, out, 1.0)[u]  # the share of u's rank each link passes on
    walk = sp.csr_matrix((weight, (np.concatenate([links.related[:, 1], links.similar[:, 1]], dtype=index), u)),
                         shape=(n, n))  # column u: where a step from u goes
    del u, weight
    dangling = np.flatnonzero(out <= 0)  # no link out, or only links of weight 0

    def stay(rank: np.ndarray) -> np.ndarray:  # what a step leaves where it was: rank - alpha * step(rank)
        step = walk @ rank
        step += rank[dangling].sum() / n
        step *= alpha
        return rank - step

    start = np.full(n, 1.0 / n)
    with threadpool_limits(1, user_api="blas"):
        rank, failed = bicgstab(LinearOperator((n, n), matvec=stay, dtype=np.float64), np.full(n, (1.0 - alpha) / n),
                                x0=start, rtol=_PAGERANK_TOLERANCE, atol=0.0, maxiter=_PAGERANK_ITERATIONS)
    if failed:  # a breakdown: never met so far
        rank = start
        for _ in range(_PAGERANK_ITERATIONS):
            step = walk @ rank
            step *= alpha
            step += (alpha * rank[dangling].sum() + 1.0 - alpha) / n
            moved = np.abs(step - rank).sum()
            rank = step
            if moved < 1e-12:
                break
    return rank / rank.sum()


def rank_articles(G: nx.DiGraph, *, alpha: float = 0.85) -> dict[str, float]:
    """Return the PageRank of every article over related links and inferred similar links.

    The walk follows ``related`` edges (weight 1) and ``similar`` edges (weight =
    similarity) in their direction and jumps anywhere with probability ``1 - alpha``;
    equal to ``nx.pagerank`` of the same weighted graph (tests compare them).

    Raises
    ------
    ValueError
        When ``alpha`` is not in [0, 1) or a similar link weighs less than 0.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> for n in "abc": G.add_node(n, kind="article")
    >>> G.add_edge("a", "c", kind="related"); G.add_edge("b", "c", kind="related")
    >>> {n: round(r, 3) for n, r in rank_articles(G).items()}
    {'a': 0.213, 'b': 0.213, 'c': 0.574}
    """
    if not 0 <= alpha < 1:
        raise ValueError(f"alpha must be in [0, 1), got {alpha!r}")
    links = article_links(G)
    return dict(zip(links.nodes, _pagerank(links, alpha).tolist()))


def _betweenness(H: ig.Graph, k: int, seed: int) -> np.ndarray:
    """find_bridges' body over the graph of the articles' linked pairs (undirected; weights unused)."""
    n = H.vcount()
    if n < 3:
        return np.zeros(n)
    if k >= n:
        raw = np.asarray(H.betweenness(directed=False), dtype=np.float64)
        scale = 1.0
    else:
        sources = np.sort(np.random.default_rng(seed).choice(n, size=k, replace=False))
        raw = np.asarray(H.betweenness(directed=False, sources=sources.tolist()), dtype=np.float64)
        scale = n / k  # as networkx rescales a sample of k sources
    return raw * scale * 2.0 / ((n - 1) * (n - 2))


def bridge_sources(pairs: int) -> int:
    """Return how many source articles the betweenness of :func:`analyse_graph` samples for ``pairs`` linked pairs.

    Each source costs a breadth-first search over every link, so the count falls as the
    graph grows: 100 up to 200,000 pairs, ``20M / pairs`` above, never fewer than 20.
    The estimate stays unbiased (networkx's ``n / k`` scaling), with more variance: at
    100,000 articles (~1M pairs) it takes 20 sources and ~1 s instead of ~5 s for 100.

    Examples
    --------
    >>> bridge_sources(1000), bridge_sources(400_000), bridge_sources(5_000_000)
    (100, 50, 20)
    """
    return min(100, max(20, 20_000_000 // max(pairs, 1)))


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
    links = article_links(G)
    scores = _betweenness(_story_graph(len(links.nodes), story_pairs(links, related_weight=1.0)), k, seed)
    return {node: float(round(score, 12)) for node, score in zip(links.nodes, scores.tolist())}


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
    links = article_links(G)
    counts = np.bincount(links.related[:, 1], minlength=len(links.nodes))
    return dict(zip(links.nodes, counts.tolist()))


def label_stories(titles: list[list[str]], *, terms: int = 4) -> list[list[str]]:
    """Return the most distinctive title words of each story, best first.

    A term is a word's stem (English Snowball: "exposed" and "exposes" are one term,
    shown as the story's commonest of them); it scores the share of the story's titles
    that hold it times its inverse story frequency (``log(1 + stories / stories holding
    it)``); English stop words and numbers-only words are left out; ties go alphabetically.

    Examples
    --------
    >>> label_stories([["Acme recalls robot vacuum", "Robot vacuum recall by Acme"],
    ...                ["Acme profits rise"]], terms=3)
    [['recall', 'robot', 'vacuum'], ['profits', 'rise', 'acme']]
    """
    if isinstance(terms, bool) or not isinstance(terms, int) or terms < 0:
        raise ValueError(f"terms must be an integer >= 0, got {terms!r}")
    if not titles:
        return []
    counts, vocabulary = title_words([t for group in titles for t in group])
    bounds = np.cumsum([0] + [len(group) for group in titles])
    return _label(counts, vocabulary, [np.arange(a, b) for a, b in zip(bounds[:-1], bounds[1:])], terms)


def _label(counts: sp.csr_matrix, vocabulary: np.ndarray, groups: list[np.ndarray], terms: int) -> list[list[str]]:
    """label_stories' body over titles' words (:func:`title_words`): story ``k`` holds the titles
    of the rows ``groups[k]`` of ``counts`` (rows in no group count for no story)."""
    if not len(vocabulary):  # no words at all
        return [[] for _ in groups]
    rows = np.concatenate(groups) if groups else np.zeros(0, dtype=np.int64)
    owner = np.repeat(np.arange(len(groups)), [len(group) for group in groups])
    membership = sp.csr_matrix((np.ones(len(rows)), (owner, rows)), shape=(len(groups), counts.shape[0]))
    per_word = (membership @ counts).tocsr()  # titles of each story holding each word
    # a term is a word's stem: "exposed" and "exposes" are one term, which a title holds once
    stem, stems = _stems(vocabulary)
    holds = (counts @ sp.csr_matrix((np.ones(len(stem)), (np.arange(len(stem)), stem)), shape=(len(stem), stems))).tocsr()
    holds.data[:] = 1.0
    per_story = (membership @ holds).tocsr()
    held = np.asarray((per_story > 0).sum(axis=0)).ravel()
    idf = np.log1p(len(groups) / np.maximum(held, 1))
    sizes = np.array([max(len(group), 1) for group in groups], dtype=np.float64)
    # every story's terms ranked at once: by story, score (to 9 decimals) descending, then stem
    # (the columns are in stem order)
    story = np.repeat(np.arange(len(groups)), np.diff(per_story.indptr))
    scores = per_story.data / sizes[story] * idf[per_story.indices]
    ranked = np.lexsort((per_story.indices, -np.round(scores, 9), story))
    kept = ranked[np.arange(len(ranked)) - per_story.indptr[story[ranked]] < terms]  # story[ranked] is sorted
    # each kept term as the story's commonest word of that stem (a tie: the first in word order);
    # a stem of one word in the vocabulary (most) is that word
    forms = np.bincount(stem, minlength=stems)
    word = np.empty(stems, dtype=np.int64)
    word[stem] = np.arange(len(stem))
    term = per_story.indices[kept]
    chosen = word[term]
    several = np.flatnonzero(forms[term] > 1)
    if len(several):
        wanted = np.unique(story[kept][several] * stems + term[several])  # (story, stem) cells to choose for
        entry = np.flatnonzero(forms[stem[per_word.indices]] > 1)  # the stories' words of such stems
        cell = np.repeat(np.arange(len(groups)), np.diff(per_word.indptr))[entry] * stems + stem[per_word.indices[entry]]
        at = np.minimum(np.searchsorted(wanted, cell), len(wanted) - 1)
        entry, cell = entry[wanted[at] == cell], cell[wanted[at] == cell]
        best = np.lexsort((per_word.indices[entry], -per_word.data[entry], cell))
        first = best[np.flatnonzero(np.r_[True, cell[best][1:] != cell[best][:-1]])]  # a cell's best word first
        chosen[several] = per_word.indices[entry[first]][np.searchsorted(cell[first], story[kept][several] * stems
                                                                          + term[several])]
    words = vocabulary[chosen].tolist()
    bounds = np.r_[0, np.cumsum(np.minimum(np.diff(per_story.indptr), terms))].tolist()
    return [words[a:b] for a, b in zip(bounds[:-1], bounds[1:])]


def _stems(vocabulary: np.ndarray) -> tuple[np.ndarray, int]:
    """The stem of each word (English Snowball, PyStemmer's C) as a number in stem order, and how many.

    >>> stem, stems = _stems(np.array(["announced", "announces", "apple", "applied"], dtype=object))
    >>> stem.tolist(), stems
    ([0, 0, 1, 2], 3)
    """
    unique, stem = np.unique(np.array(Stemmer.Stemmer("english").stemWords(vocabulary.tolist()), dtype=object),
                             return_inverse=True)
    return stem.ravel().astype(np.int64), len(unique)


#: The words of story labels: a letter, then word characters, apostrophes and hyphens, ending in a word character.
LABEL_PATTERN = r"(?u)\b[^\W\d_][\w'’-]*\w\b"
_LABEL_WORD = re.compile(LABEL_PATTERN)
_LETTER = re.compile(r"[^\W\d_]")


def title_words(titles: list[str]) -> tuple[sp.csr_matrix, np.ndarray]:
    """Return which label words each title holds (a 0/1 matrix, columns in word order) and the words.

    The same matrix and words as scikit-learn's ``CountVectorizer(stop_words="english",
    binary=True, strip_accents="unicode", token_pattern=LABEL_PATTERN)`` (tests compare
    them on both real corpora and tricky text), at a third of its time: a title is split
    into runs of word characters, apostrophes and hyphens with one ``str.translate``
    (``link._runs``, as for the similarity's words), and each distinct run is matched
    once. A run stripped of its apostrophes and hyphens that starts with a letter is one
    word (two characters or more); any other is left to the pattern (``2-in-1`` holds the
    word ``in-1``).

    Examples
    --------
    >>> counts, words = title_words(["Don't panic: the 2-in-1 robot's back", "Robot Café"])
    >>> words.tolist()
    ['cafe', "don't", 'in-1', 'panic', 'robot', "robot's"]
    >>> counts.toarray().tolist()
    [[0.0, 1.0, 1.0, 1.0, 0.0, 1.0], [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]]
    """
    return _title_words(titles)


def _title_words(titles: list[str], chunk: int | None = None) -> tuple[sp.csr_matrix, np.ndarray]:
    """:func:`title_words`, ``chunk`` titles at a time (``link._runs``)."""
    column: dict[str, int] = {}  # a word -> its number, in the order met
    sizes: list[int] = []  # run number -> how many label words it holds
    flat: list[int] = []  # their numbers, run after run
    rows, words = [], []  # per chunk: the (title, word) cells, a word as often as a title holds it
    for start, lengths, runs, new in _runs(titles, chunk):
        for run in new:
            found = [column.setdefault(word, len(column)) for word in _run_words(run)]
            sizes.append(len(found))
            flat += found
        size = np.asarray(sizes, dtype=np.int64)
        first = np.cumsum(size) - size  # where each run's words start in flat
        k = size[runs]  # words of each run of the chunk
        at = np.repeat(first[runs], k) + np.arange(k.sum()) - np.repeat(np.cumsum(k) - k, k)
        row = np.repeat(np.repeat(np.arange(start, start + len(lengths), dtype=np.int64), lengths), k)
        rows.append(row)
        words.append(np.asarray(flat, dtype=np.int64)[at])
    vocabulary = sorted(column)
    place = np.empty(len(column), dtype=np.int32)  # number in the order met -> column in word order
    place[[column[word] for word in vocabulary]] = np.arange(len(vocabulary), dtype=np.int32)
    row = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    word = place[np.concatenate(words)] if words else np.zeros(0, dtype=np.int32)
    # a word once per title: scipy sums a cell's repeats row by row (faster than sorting all cells), then 1
    counts = sp.csr_matrix((np.ones(len(row)), (row, word)), shape=(len(titles), len(vocabulary)))
    counts.data[:] = 1.0
    return counts, np.array(vocabulary, dtype=object)


def _run_words(run: str) -> tuple[str, ...]:
    """The label words of one run of word characters, apostrophes and hyphens (English stop words out)."""
    word = run.strip(_INNER)
    if not word:
        return ()
    found = ((word,) if len(word) >= 2 else ()) if _LETTER.match(word) else _LABEL_WORD.findall(word)
    return tuple(w for w in found if w not in STOP_WORDS)


def concentration(counts: dict | Counter) -> tuple[float, str | None, float]:
    """Return the Herfindahl-Hirschman index of ``counts`` (shares squared, 0..1), the key with the largest count and its share.

    Examples
    --------
    >>> concentration({"p": 3, "q": 1})
    (0.625, 'p', 0.75)
    >>> concentration({})
    (0.0, None, 0.0)
    >>> concentration({None: 2, "q": 2})  # articles without a provider (a hand-made graph): a tie goes to a name
    (0.5, 'q', 0.5)
    """
    total = sum(counts.values())
    if not total:
        return 0.0, None, 0.0
    hhi = sum(c * c for c in counts.values()) / (total * total)  # integers: one rounding, as _Counted.concentration's
    top, count = _by_count(Counter(counts))[0]
    return round(hhi, 12), top, count / total


def _dominance(counts: Counter, members: list[int], columns: "_Columns") -> tuple[float, str | None, float]:
    """:func:`concentration` of ``counts``, the providers of ``members`` (article indices), a tie for
    the most articles going to the provider that published first, as a story's does (undated last,
    then node order)."""
    hhi, dominant, share = concentration(counts)
    if dominant is not None:
        most = counts[dominant]
        tied = {provider for provider, count in counts.items() if count == most}
        if len(tied) > 1:
            published = columns.published
            first = min((i for i in members if columns.provider[i] in tied), key=lambda i: (published[i] or "~", i))
            dominant = columns.provider[first]
    return hhi, dominant, share


def _cluster_array(links: ArticleLinks, clusters: dict[str, int]) -> np.ndarray:
    """The story number of every article of ``links`` (-1 when it has none)."""
    return np.array([clusters.get(n, -1) for n in links.nodes], dtype=np.int64)


class _Columns(NamedTuple):
    """Attributes of every article (by index), read once: :func:`analyse_graph`'s parts share them."""

    published: list
    provider: list
    in_corpus: np.ndarray  # bool
    title: list  # the title, else the label, else ""
    topics: list  # a list (or tuple) of topic names each

    @classmethod
    def of(cls, links: ArticleLinks) -> "_Columns":
        """Every column in one pass over the attribute dicts (each visit to a dict is the cost)."""
        published, provider, in_corpus, title, topics = [], [], [], [], []
        for d in links.data:
            get = d.get
            published.append(get("published"))
            provider.append(get("provider"))
            in_corpus.append(bool(get("in_corpus")))
            title.append(get("title") or get("label") or "")
            topics.append(get("topics") or ())
        return cls(published, provider, np.array(in_corpus, dtype=bool), title, topics)


def _describe(links: ArticleLinks, cluster: np.ndarray, centrality: np.ndarray, pairs: tuple, terms: int,
              columns: _Columns | None = None, words: tuple | None = None) -> list[dict]:
    """describe_stories' body: ``cluster`` and ``centrality`` per article index, ``pairs`` as
    story_pairs; ``words``: :func:`title_words` of ``columns.title`` when already found."""
    if columns is None:
        columns = _Columns.of(links)
    if words is None:
        words = title_words(columns.title)
    data, names = links.data, links.nodes
    u, v, w = pairs
    same = (cluster[u] >= 0) & (cluster[u] == cluster[v])
    inside = np.bincount(u[same], w[same], minlength=len(names)) + np.bincount(v[same], w[same], minlength=len(names))
    published = columns.published
    story = cluster.tolist()
    members = _by_story_and_time(cluster, published)
    # central: most inside weight, then centrality, then id: one lexsort over all members
    by_weight = np.array([-round(x, 9) for x in inside[members].tolist()])
    by_rank = np.array([-round(x, 12) for x in centrality[members].tolist()])
    best = members[np.lexsort((members, by_rank, by_weight, cluster[members]))]
    bounds = np.flatnonzero(np.diff(cluster[members])) + 1
    groups = np.split(members, bounds) if len(members) else []
    centrals = np.split(best, bounds) if len(members) else []
    labels = _label(*words, groups, terms)
    # each story's providers and topics counted at once over all members (numpy), not a Counter per story
    position = np.repeat(np.arange(len(groups)), [len(group) for group in groups])  # of each member, in members' order
    order = members.tolist()
    providers = _Counted(position, list(map(columns.provider.__getitem__, order)), len(groups))
    topic_lists = list(map(columns.topics.__getitem__, order))
    topics = _Counted(np.repeat(position, list(map(len, topic_lists))), list(chain.from_iterable(topic_lists)),
                      len(groups))
    in_corpus = np.bincount(position, columns.in_corpus[members], minlength=len(groups))
    hhi, dominant_share = providers.concentration()  # as concentration() gives them, for every story at once
    stories = []
    for k, (group, heads, words) in enumerate(zip(groups, centrals, labels)):
        group = group.tolist()
        nodes = [names[i] for i in group]
        dated = [published[i] for i in group if published[i]]
        first = nodes[0] if dated else None
        central = int(heads[0])
        articles = int(in_corpus[k])
        stories.append({
            "id": story[group[0]],
            "label": ", ".join(words) if len(nodes) > 1 and words else data[central].get("label"),
            "terms": words,
            "title": data[central].get("label"),
            "size": len(nodes),
            "articles": articles,
            "stubs": len(nodes) - articles,
            "start": min(dated) if dated else None,
            "end": max(dated) if dated else None,
            "first": first,
            "first_provider": data[group[0]].get("provider") if first else None,
            "central": names[central],
            "providers": providers.by_count(k),
            "topics": topics.by_count(k),
            "hhi": round(hhi[k], 12),
            "dominant": providers.dominant(k),  # most articles; a tie goes to the earliest to publish
            "dominant_share": dominant_share[k],
            "members": nodes,
        })
    return stories


def _by_story_and_time(cluster: np.ndarray, published: list) -> np.ndarray:
    """The articles with a story (``cluster >= 0``) by story, then publication time as text (the
    undated last), then index. Times in the loader's own form sort as their days do: one
    lexsort, when every time is in that form or missing, instead of a Python sort.

    Examples
    --------
    >>> _by_story_and_time(np.array([1, 0, 0, -1, 0]), ["2021-01-02T00:00:00Z", None, "2021-01-01T00:00:00Z", None,
    ...                                                   "2021-01-01T00:00:00Z"]).tolist()
    [2, 4, 1, 0]
    """
    days, read = _loader_days(published)
    if all(not published[k] for k in np.flatnonzero(~read).tolist()):
        members = np.flatnonzero(cluster >= 0)
        return members[np.lexsort((members, np.nan_to_num(days[members], nan=np.inf), cluster[members]))]
    story = cluster.tolist()  # some other text: "~" after every ISO time, as before
    ordered = sorted(np.flatnonzero(cluster >= 0).tolist(), key=lambda i: (story[i], published[i] or "~"))  # ties by id
    return np.array(ordered, dtype=np.int64)


class _Counted:
    """Keys counted per group at once: ``keys[k]`` (hashable, sortable; None sorts last) belongs
    to group ``group[k]``, entries in each group's order (here: its members by publication time).

    Examples
    --------
    >>> counted = _Counted(np.array([0, 0, 0, 1]), ["q", "p", "p", "q"], 2)
    >>> counted.by_count(0), counted.dominant(0), counted.by_count(1), counted.concentration()
    ([('p', 2), ('q', 1)], 'p', [('q', 1)], ([0.5555555555555556, 1.0], [0.6666666666666666, 1.0]))
    """

    def __init__(self, group: np.ndarray, keys: list, groups: int):
        self.keys = sorted(set(keys), key=lambda key: (key is None, "" if key is None else key))
        code = {key: c for c, key in enumerate(self.keys)}
        codes = np.fromiter(map(code.__getitem__, keys), dtype=np.int64, count=len(keys))
        width = max(len(self.keys), 1)
        cell, first, count = np.unique(np.asarray(group, dtype=np.int64) * width + codes, return_index=True,
                                       return_counts=True)
        g, c = cell // width, cell % width
        by_count = np.lexsort((c, -count, g))  # _by_count's order: most first, ties by key
        self.items = list(zip(map(self.keys.__getitem__, c[by_count].tolist()), count[by_count].tolist()))
        # the dominant key: most entries, ties to the one met first
        self.top = c[np.lexsort((first, -count, g))].tolist()
        self.bounds = np.searchsorted(g[by_count], np.arange(groups + 1)).tolist()

    def concentration(self) -> tuple[list[float], list[float]]:
        """Every group's Herfindahl-Hirschman index (unrounded) and the share of its most frequent key, as
        :func:`concentration` computes them: the squares of the counts summed as integers, divided once."""
        count = np.asarray([n for _, n in self.items], dtype=np.int64)
        g = np.repeat(np.arange(len(self.bounds) - 1), np.diff(self.bounds))
        total = np.bincount(g, weights=count, minlength=len(self.bounds) - 1)
        squares = np.bincount(g, weights=count * count, minlength=len(self.bounds) - 1)  # exact below 2**53
        top = count[np.minimum(self.bounds[:-1], max(len(count) - 1, 0))] if len(count) else np.zeros(len(total))
        return (squares / (total * total)).tolist(), (top / total).tolist()

    def by_count(self, k: int) -> list[tuple]:
        return self.items[self.bounds[k]:self.bounds[k + 1]]

    def dominant(self, k: int):
        return self.keys[self.top[self.bounds[k]]]


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
    goes to the one that published first. Only article nodes of ``clusters`` are members.

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
    links = article_links(G)
    if weights is None:
        pairs = story_pairs(links)
    else:
        index = {n: i for i, n in enumerate(links.nodes)}
        known = [(index[a], index[b], w) for (a, b), w in weights.items() if a in index and b in index]
        pairs = tuple(np.array(column, dtype=dtype) for column, dtype in zip(zip(*known) if known else ((), (), ()),
                                                                             (np.int64, np.int64, np.float64)))
    centrality = centrality or {}
    rank = np.array([centrality.get(n, 0.0) for n in links.nodes], dtype=np.float64)
    return _describe(links, _cluster_array(links, clusters), rank, pairs, terms)


def _measure_providers(G: nx.DiGraph, links: ArticleLinks, cluster: np.ndarray, stories: list[dict],
                       in_links: np.ndarray, columns: _Columns | None = None) -> dict[str, dict]:
    """measure_providers' body over article index arrays."""
    if columns is None:
        columns = _Columns.of(links)
    own: dict[str, list[int]] = defaultdict(list)
    for i, provider in enumerate(columns.provider):
        if provider:
            own[provider].append(i)
    total = int(columns.in_corpus.sum()) or 1
    total_links = int(in_links.sum()) or 1
    firsts = Counter(s["first_provider"] for s in stories if s.get("first_provider"))
    # a story of one provider is "broken" by it whoever it is: first over others is the scoop
    contested = Counter(s["first_provider"] for s in stories if s.get("first_provider") and len(s.get("providers") or ()) > 1)
    result = {}
    for p in sorted(n for n, kind in G.nodes(data="kind") if kind == _PROVIDER):
        members = np.array(own.get(p, ()), dtype=np.int64)
        count = int(columns.in_corpus[members].sum())
        received = int(in_links[members].sum())
        numbers = cluster[members]
        result[p] = {
            "articles": count,
            "share": count / total,
            "in_links": received,
            "in_link_share": received / total_links,
            "stories": len(np.unique(numbers[numbers >= 0])),
            "first_reports": firsts.get(p, 0),
            "first_reports_shared": contested.get(p, 0),
        }
    return result


def measure_providers(
    G: nx.DiGraph, clusters: dict[str, int], stories: list[dict], in_links: dict[str, int]
) -> dict[str, dict]:
    """Return each provider's dominance figures (the ``providers`` of :func:`analyse_graph`).

    ``articles``: its in-corpus articles; ``share``: of all in-corpus articles;
    ``in_links``: related links received by its articles (stubs included) and
    ``in_link_share`` of all; ``stories``: stories with at least one of its articles;
    ``first_reports``: stories whose first article is its; ``first_reports_shared``: those of
    them that other providers covered too (a one-provider story is its own first report).

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("p", kind="provider"); G.add_node("q", kind="provider")
    >>> for n, p in [("a", "p"), ("b", "q"), ("c", "p")]:
    ...     G.add_node(n, kind="article", provider=p, in_corpus=True)
    >>> G.add_edge("b", "a", kind="related")
    >>> stories = [{"first_provider": "q", "providers": [("p", 1), ("q", 1)]}, {"first_provider": "p", "providers": [("p", 1)]}]
    >>> figures = measure_providers(G, {"a": 0, "b": 0, "c": 1}, stories, {"a": 1, "b": 0, "c": 0})
    >>> figures["p"]
    {'articles': 2, 'share': 0.6666666666666666, 'in_links': 1, 'in_link_share': 1.0, 'stories': 2, 'first_reports': 1, 'first_reports_shared': 0}
    >>> figures["q"]["first_reports"], figures["q"]["first_reports_shared"]
    (1, 1)
    """
    links = article_links(G)
    received = np.array([in_links.get(n, 0) for n in links.nodes], dtype=np.int64)
    return _measure_providers(G, links, _cluster_array(links, clusters), stories, received)


def _measure_topics(G: nx.DiGraph, links: ArticleLinks, cluster: np.ndarray,
                    columns: _Columns | None = None) -> dict[str, dict]:
    """measure_topics' body over article index arrays."""
    if columns is None:
        columns = _Columns.of(links)
    tagged: dict[str, list[int]] = defaultdict(list)
    for i, t in links.tagged:
        tagged[t].append(i)
    result = {}
    for t in sorted(n for n, kind in G.nodes(data="kind") if kind == _TOPIC):
        members = tagged.get(t, [])
        providers = Counter(map(columns.provider.__getitem__, members))
        hhi, dominant, share = _dominance(providers, members, columns)
        numbers = cluster[np.array(members, dtype=np.int64)]
        result[t] = {
            "name": G.nodes[t].get("name", G.nodes[t].get("label")),
            "articles": len(members),
            "stories": len(np.unique(numbers[numbers >= 0])),
            "providers": _by_count(providers),
            "hhi": hhi,
            "dominant": dominant,
            "dominant_share": share,
        }
    return result


def measure_topics(G: nx.DiGraph, clusters: dict[str, int]) -> dict[str, dict]:
    """Return, per topic node, its articles, stories, providers with counts, HHI and dominant provider.

    The dominant provider has the most of the topic's articles; a tie goes to the one that
    published first (undated last), as a story's does.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("t", kind="topic", name="AI")
    >>> for n, p in [("a", "p"), ("b", "q"), ("c", "p")]:
    ...     G.add_node(n, kind="article", provider=p, in_corpus=True); G.add_edge(n, "t", kind="tagged")
    >>> measure_topics(G, {"a": 0, "b": 0, "c": 1})["t"]
    {'name': 'AI', 'articles': 3, 'stories': 2, 'providers': [('p', 2), ('q', 1)], 'hhi': 0.555555555556, 'dominant': 'p', 'dominant_share': 0.6666666666666666}
    """
    links = article_links(G)
    return _measure_topics(G, links, _cluster_array(links, clusters))


def _count_timelines(links: ArticleLinks, cluster: np.ndarray, columns: _Columns | None = None) -> dict[str, dict]:
    """count_timelines' body over article index arrays."""
    if columns is None:
        columns = _Columns.of(links)
    days = [(published or "")[:10] for published in columns.published]
    story = cluster.tolist()
    providers = columns.provider
    stories = [i for i, day in enumerate(days) if day and story[i] >= 0]
    dated = [i for i, (p, day) in enumerate(zip(providers, days)) if day and p]
    tagged = [k for k, (i, _) in enumerate(links.tagged) if days[i]]
    return {
        "stories": _series([story[i] for i in stories], [days[i] for i in stories]),
        "providers": _series([providers[i] for i in dated], [days[i] for i in dated]),
        "topics": _series([links.tagged[k][1] for k in tagged], [days[links.tagged[k][0]] for k in tagged]),
    }


def _series(keys: list, days: list) -> dict:
    """``{key: [[day, count], …]}`` of entries ``(keys[k], days[k])``, keys and days ascending
    (one numpy count of all entries, not a Counter of tuples).

    Examples
    --------
    >>> _series(["b", "a", "b", "b"], ["2021-01-02", "2021-01-03", "2021-01-01", "2021-01-02"])
    {'a': [['2021-01-03', 1]], 'b': [['2021-01-01', 1], ['2021-01-02', 2]]}
    """
    if not keys:
        return {}
    key_names, day_names = sorted(set(keys)), sorted(set(days))
    key_code, day_code = {k: c for c, k in enumerate(key_names)}, {d: c for c, d in enumerate(day_names)}
    width = len(day_names)
    cell, count = np.unique(np.fromiter(map(key_code.__getitem__, keys), dtype=np.int64, count=len(keys)) * width
                            + np.fromiter(map(day_code.__getitem__, days), dtype=np.int64, count=len(days)),
                            return_counts=True)
    series: dict = {}
    for k, d, c in zip((cell // width).tolist(), (cell % width).tolist(), count.tolist()):
        series.setdefault(key_names[k], []).append([day_names[d], c])
    return series


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
    links = article_links(G)
    return _count_timelines(links, _cluster_array(links, clusters))


def analyse_graph(
    G: nx.DiGraph,
    *,
    seed: int = 0,
    resolution: float | None = DEFAULT_RESOLUTION,
    related_weight: float = DEFAULT_RELATED_WEIGHT,
    bridge_samples: int | None = None,
    similarity=None,
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
                    "stories", "first_reports", "first_reports_shared"}}
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
    bridge_samples : int or None
        Source articles of the approximate betweenness (:func:`find_bridges`); None
        (default) for :func:`bridge_sources` of the article links: 100, fewer on large
        graphs (20 at about 1M linked pairs, ~100,000 articles), so the bridges cost
        about 20M edge visits at most.
    similarity : link.SimilarPairs, optional
        Every alike pair of articles, the clusters' further evidence (:func:`find_clusters`);
        its links count as G's ``similar`` edges (:func:`article_links`): G need not hold
        them, which saves adding ~1.5M edges to a graph of 100,000 articles to analyse it.

    Raises
    ------
    ValueError
        When ``resolution`` is not None or > 0, or ``bridge_samples`` not None or a
        positive integer.

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
    if resolution is not None and not resolution > 0:
        raise ValueError(f"resolution must be > 0 or None, got {resolution!r}")
    if bridge_samples is not None and (isinstance(bridge_samples, bool) or not isinstance(bridge_samples, int)
                                       or bridge_samples < 1):
        raise ValueError(f"bridge_samples must be a positive integer or None, got {bridge_samples!r}")
    with paused_gc():  # millions of small objects, no cycles: each full collection would walk all of G (~25%)
        return _analyse(G, seed=seed, resolution=resolution, related_weight=related_weight,
                        bridge_samples=bridge_samples, similarity=similarity)


def _analyse(G: nx.DiGraph, *, seed: int, resolution, related_weight: float, bridge_samples, similarity) -> dict:
    """analyse_graph's body."""
    links = article_links(G, similarity)
    columns = _Columns.of(links)
    parallel = len(links.nodes) >= PARALLEL_MIN and can_fork()
    # the titles' words (~0.5 s at 100k articles) in a forked child while PageRank and the story
    # graph are made here. The child reads the titles as one text: reading 100,000 title strings
    # would write their reference counts, and their pages would be copied for it. Its new Python
    # objects still fill free slots of pages it shares (~0.1 GB copied), so it ends before the
    # clustering's peak
    worker = start_worker(_title_words_apart, *_joined(columns.title), task="the analysis") if parallel else None
    with worker if worker is not None else contextlib.nullcontext():  # the child stopped whatever happens here
        # PageRank here, first: its ~90 MB of transient arrays are gone before the child below starts
        # (in the child they came on top of the clustering's peak here)
        rank = _pagerank(links, 0.85)
        pairs = story_pairs(links, related_weight=related_weight)
        story = [_weighted_story_graph(len(links.nodes), pairs)]
        words = _title_words_of(worker, columns.title)
    # the bridges' graph is every linked pair: the story graph, unless related links weigh nothing there
    linked, graph = (pairs, story[0][0]) if related_weight > 0 else (story_pairs(links, related_weight=1.0), None)
    if bridge_samples is None:
        bridge_samples = bridge_sources(int(np.count_nonzero(linked[0] != linked[1])))
    # the bridges (~1.3 s at 100k articles) in a forked child while the clustering runs here:
    # the child reads the arrays and the story graph it shares, it copies none
    worker = None
    if parallel:
        worker = start_worker(_bridges, len(links.nodes), linked, graph, bridge_samples, seed, task="the analysis")
    if worker is None:
        bridges = _bridges(None, len(links.nodes), linked, graph, bridge_samples, seed)["bridges"]
        del graph  # the clustering frees the story graph once done with it
        clusters = _clusters(links, pairs, similarity, seed=seed, resolution=resolution,
                             related_weight=related_weight, story=story)
    else:
        # ``graph`` holds the story graph until the child is done: memory freed here while the child
        # still maps it would be copied for the child as soon as this process reused it (~100 MB at 100k)
        with worker:  # closed (the child stopped, its folder removed) whatever happens here
            clusters = _clusters(links, pairs, similarity, seed=seed, resolution=resolution,
                                 related_weight=related_weight, story=story)
            part = worker_result(worker, task="the analysis", stacklevel=3)
        bridges = part["bridges"] if part is not None else _bridges(None, len(links.nodes), linked, graph,
                                                                    bridge_samples, seed)["bridges"]
        del graph
    cluster = _cluster_array(links, clusters)
    received = np.bincount(links.related[:, 1], minlength=len(links.nodes))
    stories = _describe(links, cluster, rank, pairs, 4, columns, words)
    inside = np.flatnonzero(columns.in_corpus).tolist()
    hhi, dominant, share = _dominance(Counter(map(columns.provider.__getitem__, inside)), inside, columns)
    return {
        "clusters": clusters,
        "pagerank": dict(zip(links.nodes, rank.tolist())),
        "in_links": dict(zip(links.nodes, received.tolist())),
        "bridges": {n: float(round(score, 12)) for n, score in zip(links.nodes, bridges.tolist())},
        "stories": stories,
        "providers": _measure_providers(G, links, cluster, stories, received, columns),
        "topics": _measure_topics(G, links, cluster, columns),
        "corpus": {
            "articles": len(inside),
            "stories": len(stories),
            "hhi": hhi,
            "dominant": dominant,
            "dominant_share": share,
        },
        "timelines": _count_timelines(links, cluster, columns),
    }


#: From this many articles, analyse_graph computes the bridges in a forked child process.
PARALLEL_MIN = 20_000


def _bridges(folder, n: int, linked: tuple, graph: ig.Graph | None, samples: int, seed: int) -> dict[str, np.ndarray]:
    """The bridges of analyse_graph over ``n`` articles and their ``linked`` pairs (``story_pairs``
    arrays), or ``graph``, their story graph already made (a ``_fork.Forked`` function: ``folder`` unused)."""
    return {"bridges": _betweenness(graph if graph is not None else _story_graph(n, linked), samples, seed)}


def _title_words_apart(folder, text: str, ends: np.ndarray) -> dict[str, np.ndarray]:
    """:func:`title_words` of the titles joined in ``text`` (title ``k`` ends at ``ends[k]``) in a
    child process (``_fork.Forked``), as arrays: the words as one UTF-8 text, a line each."""
    counts, vocabulary = _title_words(_Slices(text, ends), _CHILD_CHUNK)
    return {"indptr": counts.indptr, "indices": counts.indices,
            "words": lines_array(vocabulary.tolist())}


#: Titles whose words the child finds at a time: its new objects fill free slots of pages it shares
#: with this process, each then copied; fewer at a time touch fewer pages (~75 MB copied at 100k
#: articles, ~90 MB 8,192 at a time).
_CHILD_CHUNK = 2048


class _Slices:
    """The titles of a joined text, made a slice at a time as :func:`link._runs` reads them."""

    def __init__(self, text: str, ends: np.ndarray):
        self.text, self.ends = text, ends

    def __len__(self) -> int:
        return len(self.ends)

    def __getitem__(self, part: slice) -> list[str]:
        ends = self.ends[part].tolist()
        starts = [int(self.ends[part.start - 1]) if part.start else 0] + ends[:-1]
        return [self.text[a:b] for a, b in zip(starts, ends)]


def _title_words_of(worker: Forked | None, titles: list[str]) -> tuple[sp.csr_matrix, np.ndarray]:
    """The child's :func:`_title_words_apart` as :func:`title_words` gives it, or that of
    ``titles`` here when there is no child or it failed (no word holds a line break)."""
    if worker is not None:
        with worker:
            part = worker_result(worker, task="the analysis", stacklevel=4)
        if part is not None:
            vocabulary = np.array(lines_of(part["words"]), dtype=object)
            counts = sp.csr_matrix((np.ones(len(part["indices"])), part["indices"], part["indptr"]),
                                   shape=(len(titles), len(vocabulary)))
            return counts, vocabulary
    return title_words(titles)


def _joined(titles: list[str]) -> tuple[str, np.ndarray]:
    """The titles as one text, and where each ends in it (:func:`_title_words_apart`)."""
    return "".join(titles), np.cumsum(np.fromiter(map(len, titles), dtype=np.int64, count=len(titles)))


def tied_providers(story: dict) -> int:
    """How many providers share a story's largest count of articles (its ``providers``, by count).

    More than one: the story has no dominant provider, whatever ``dominant`` names (the
    earliest of them to publish).

    >>> tied_providers({"providers": [("p", 2), ("q", 2), ("r", 1)]}), tied_providers({"providers": []})
    (2, 0)
    """
    providers = story.get("providers") or []
    return sum(1 for _, count in providers if count == providers[0][1])


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
