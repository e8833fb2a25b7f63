"""Stage 5b: how a graph looks: seeded positions, colours and sizes shared by the app and the exports."""

from __future__ import annotations

import math

import networkx as nx

__all__ = ["PALETTE", "NEUTRAL", "SHAPES", "compute_layout", "node_colors", "node_sizes", "group_nodes", "size_scores"]

#: Colour-blind-safe qualitative palette (Okabe-Ito, then Tableau 10 extras); group i gets PALETTE[i % n].
PALETTE = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
    "#4E79A7", "#F28E2B", "#59A14F", "#E15759", "#B07AA1", "#9C755F", "#76B7B2",
)
#: Colour of nodes outside any group (providers, topics, ungrouped articles).
NEUTRAL = "#9AA0A6"
#: vis-network shape of each node kind (stories, the overview's nodes, are dots like articles).
SHAPES = {"article": "dot", "story": "dot", "provider": "square", "topic": "triangle"}


def compute_layout(G: nx.Graph, *, seed: int = 0, scale: float = 1000.0) -> dict[str, tuple[float, float]]:
    """Return a position ``(x, y)`` for every node, the same for the same graph and seed.

    Notes
    -----
    Nodes are laid out in sorted order so that the result does not depend on insertion
    order. G is not modified.

    Examples
    --------
    >>> G = nx.path_graph(["a", "b", "c"])
    >>> compute_layout(G, seed=1) == compute_layout(G, seed=1)
    True
    >>> compute_layout(nx.Graph())
    {}
    """
    if G.number_of_nodes() == 0:
        return {}
    H = nx.Graph()
    H.add_nodes_from(sorted(G))
    H.add_edges_from(sorted((min(u, v), max(u, v)) for u, v in G.edges() if u != v))
    if H.number_of_nodes() == 1:
        return {next(iter(H)): (0.0, 0.0)}
    k = 1.0 / math.sqrt(H.number_of_nodes())
    positions = nx.spring_layout(H, seed=seed, k=k, iterations=50, scale=scale)
    return {n: (round(float(x), 2), round(float(y), 2)) for n, (x, y) in positions.items()}


def node_colors(G: nx.Graph, groups: dict[str, int]) -> dict[str, str]:
    """Return a ``#rrggbb`` colour per node: its group's palette colour, NEUTRAL without a group.

    Examples
    --------
    >>> node_colors(nx.Graph([("a", "b")]), {"a": 0})
    {'a': '#0072B2', 'b': '#9AA0A6'}
    """
    return {n: PALETTE[groups[n] % len(PALETTE)] if n in groups else NEUTRAL for n in G}


def node_sizes(G: nx.Graph, scores: dict[str, float], *, smallest: float = 8.0, largest: float = 40.0) -> dict[str, float]:
    """Return a size per node, growing with the square root of its score (area follows score).

    Examples
    --------
    >>> node_sizes(nx.Graph([("a", "b")]), {"a": 1.0, "b": 0.25})
    {'a': 40.0, 'b': 24.0}
    """
    top = max((scores.get(n, 0.0) for n in G), default=0.0)
    if top <= 0:
        return {n: smallest for n in G}
    return {n: round(smallest + (largest - smallest) * math.sqrt(max(scores.get(n, 0.0), 0.0) / top), 2) for n in G}


def _rank_groups(keys: dict, labels: dict) -> tuple[dict, list[tuple[str, str]]]:
    """Number the group keys by decreasing node count (then key); only the first len(PALETTE) get a colour."""
    counts: dict = {}
    for key in keys.values():
        counts[key] = counts.get(key, 0) + 1
    ranked = sorted(counts, key=lambda key: (-counts[key], str(key)))[: len(PALETTE)]
    number = {key: i for i, key in enumerate(ranked)}
    groups = {n: number[key] for n, key in keys.items() if key in number}
    legend = [(PALETTE[i], str(labels.get(key, key))) for i, key in enumerate(ranked)]
    if len(counts) > len(ranked):
        legend.append((NEUTRAL, f"{len(counts) - len(ranked)} more (grey)"))
    return groups, legend


def group_nodes(
    G: nx.Graph, *, by: str = "story", clusters: dict | None = None, labels: dict | None = None
) -> tuple[dict, list[tuple[str, str]]]:
    """Return colour groups for the nodes of a view, and its legend.

    Parameters
    ----------
    G : nx.Graph
        A view's graph: articles (with ``provider``), providers, topics, or story nodes
        (``kind="story"`` with ``story``).
    by : {"story", "provider"}
        Colour articles by their story (``clusters``) or by their provider; a provider node
        takes its own colour when ``by="provider"``, a story node its story's.
    clusters : dict, optional
        ``{article: story number}`` (from ``analyse_graph``).
    labels : dict, optional
        Legend text by story number or provider node (default: the key itself).

    Returns
    -------
    (dict, list of (colour, text))
        ``{node: group}`` for :func:`node_colors` (groups numbered by decreasing size, only as many
        as there are palette colours; other nodes are grey), and the legend in group order.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_nodes_from([("a", {"kind": "article", "provider": "p"}), ("b", {"kind": "article", "provider": "q"}),
    ...                   ("c", {"kind": "article", "provider": "q"}), ("q", {"kind": "provider"})])
    >>> group_nodes(G, by="provider", labels={"q": "Q"})
    ({'a': 1, 'b': 0, 'c': 0, 'q': 0}, [('#0072B2', 'Q'), ('#E69F00', 'p')])
    >>> group_nodes(G, clusters={"a": 7, "b": 7})
    ({'a': 0, 'b': 0}, [('#0072B2', '7')])
    """
    if by not in ("story", "provider"):
        raise ValueError(f"by must be 'story' or 'provider', not {by!r}")
    clusters = clusters or {}
    keys: dict = {}
    for n, data in G.nodes(data=True):
        kind = data.get("kind")
        if by == "story":
            if kind == "story":
                keys[n] = data["story"]
            elif kind == "article" and n in clusters:
                keys[n] = clusters[n]
        elif kind == "provider":
            keys[n] = n
        elif kind == "article" and data.get("provider") is not None:
            keys[n] = data["provider"]
    return _rank_groups(keys, labels or {})


def size_scores(G: nx.Graph, scores: dict[str, float] | None = None) -> dict:
    """Return a score in [0, 1] per node for :func:`node_sizes`, comparable across node kinds.

    Articles score their ``scores`` value (PageRank), story nodes their ``size``, providers and
    topics the number of edges they have in G; each kind is divided by its own maximum.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "p"), ("b", "p")])
    >>> G.nodes["a"]["kind"] = G.nodes["b"]["kind"] = "article"; G.nodes["p"]["kind"] = "provider"
    >>> size_scores(G, {"a": 0.2, "b": 0.1})
    {'a': 1.0, 'p': 1.0, 'b': 0.5}
    """
    scores = scores or {}
    raw = {}
    for n, data in G.nodes(data=True):
        kind = data.get("kind")
        if kind == "article":
            raw[n] = (kind, float(scores.get(n, 0.0)))
        elif kind == "story":
            raw[n] = (kind, float(data.get("size", 0)))
        else:
            raw[n] = (kind, float(G.degree(n)))
    top: dict = {}
    for kind, value in raw.values():
        top[kind] = max(top.get(kind, 0.0), value)
    return {n: (value / top[kind] if top[kind] > 0 else 0.0) for n, (kind, value) in raw.items()}
