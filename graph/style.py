"""Stage 5b: how a graph looks: seeded positions, colours and sizes shared by the app and the exports."""

from __future__ import annotations

import math

import networkx as nx

__all__ = ["PALETTE", "compute_layout", "node_colors", "node_sizes"]

#: Colour-blind-safe qualitative palette (Okabe-Ito, then Tableau 10 extras); group i gets PALETTE[i % n].
PALETTE = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
    "#4E79A7", "#F28E2B", "#59A14F", "#E15759", "#B07AA1", "#9C755F", "#76B7B2",
)
#: Colour of nodes outside any group (providers, topics, ungrouped articles).
NEUTRAL = "#9AA0A6"


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
