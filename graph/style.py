"""Stage 5b: how a graph looks: seeded positions, colours and sizes shared by the app and the exports."""

from __future__ import annotations

import math

import networkx as nx

__all__ = ["PALETTE", "NEUTRAL", "SHAPES", "compute_layout", "screen_positions", "node_colors", "node_sizes", "group_nodes", "size_scores"]

#: Colour-blind-safe qualitative palette (Okabe-Ito, then Tableau 10 extras); group i gets PALETTE[i % n].
PALETTE = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
    "#4E79A7", "#F28E2B", "#59A14F", "#E15759", "#B07AA1", "#9C755F", "#76B7B2",
)
#: Colour of nodes outside any group (providers, topics, ungrouped articles).
NEUTRAL = "#9AA0A6"
#: vis-network shape of each node kind (stories, the overview's nodes, are dots like articles).
SHAPES = {"article": "dot", "story": "dot", "provider": "square", "topic": "triangle"}


#: Above this many nodes a force-directed layout is too slow (networkx's is quadratic: 6 s at
#: 1,000 nodes, 51 s at 4,000), so compute_layout packs groups instead (linear).
SPRING_LIMIT = 1000
#: Node kinds that link many groups together; the packed layout puts them on an outer ring.
HUB_KINDS = frozenset({"provider", "topic"})
_GOLDEN_ANGLE = math.pi * (3.0 - math.sqrt(5.0))


#: Width of a drawing, in screen pixels at zoom 1, per square root of its nodes (at least _SPAN_MIN).
_SPAN_PER_ROOT = 70.0
_SPAN_MIN = 1000.0


def screen_positions(positions: dict, G: nx.Graph) -> dict:
    """``positions`` of G's nodes scaled to a drawing about as wide as a browser frame shows at
    zoom 1 (:data:`_SPAN_PER_ROOT`): fitted into the frame, the labels (14 px) and nodes (6-30 px)
    are then drawn near their size. At the layout's own scale (2,000 units and more) the
    fitted zoom was 0.07-0.2, below vis-network's 5 px threshold for labels: none showed.

    >>> screen_positions({"a": (0.0, 0.0), "b": (2000.0, 1000.0)}, nx.path_graph(["a", "b"]))
    {'a': (0.0, 0.0), 'b': (1000.0, 500.0)}
    """
    points = [positions[n] for n in G if n in positions]
    if len(points) < 2:
        return positions
    xs, ys = [float(x) for x, _ in points], [float(y) for _, y in points]
    span = max(max(xs) - min(xs), max(ys) - min(ys))
    if not span > 0:
        return positions
    factor = max(_SPAN_MIN, _SPAN_PER_ROOT * math.sqrt(len(points))) / span
    return {n: (round(float(x) * factor, 2), round(float(y) * factor, 2)) for n, (x, y) in positions.items()}


def compute_layout(
    G: nx.Graph, *, seed: int = 0, scale: float | None = None, groups: dict | None = None
) -> dict[str, tuple[float, float]]:
    """Return a position ``(x, y)`` for every node, the same for the same graph and seed.

    With ``scale`` None (default) the drawing is about as wide as a browser frame shows at
    zoom 1 (:func:`screen_positions`); a number is the radius of the layout instead.

    Up to SPRING_LIMIT nodes: a seeded force-directed (Fruchterman-Reingold) layout of the
    linked nodes, and the nodes without a link on a ring around it.
    Above: a packed map in linear time: each group of non-hub nodes (its key in
    ``groups``, e.g. the story clusters; else its connected component) is a sunflower
    disk with its best-connected nodes at the centre, disks are packed along a
    golden-angle spiral by decreasing size, and hubs (providers, topics) sit on an
    outer ring by decreasing degree.

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
    if scale is None:
        return screen_positions(compute_layout(G, seed=seed, scale=1000.0, groups=groups), G)
    if G.number_of_nodes() > SPRING_LIMIT:
        return _packed_layout(G, scale=scale, groups=groups or {})
    H = nx.Graph()
    H.add_nodes_from(sorted(G))
    H.add_edges_from(sorted((min(u, v), max(u, v)) for u, v in G.edges() if u != v))
    # nodes without a link go on a ring around the drawing: the force layout would push them far
    # out and, scaled to fit, squeeze everything linked into a corner
    alone = [n for n in H if not H.degree(n)]
    core = H.subgraph(n for n in H if H.degree(n))
    positions = {}
    if core.number_of_nodes():
        k = 1.0 / math.sqrt(core.number_of_nodes())
        positions = nx.spring_layout(core, seed=seed, k=k, iterations=50, scale=scale)
    radius = 1.2 * scale if positions else scale
    if len(alone) == 1 and not positions:
        return {alone[0]: (0.0, 0.0)}
    for i, n in enumerate(alone):  # in node order, from the top, clockwise
        angle = math.pi / 2 - 2 * math.pi * i / len(alone)
        positions[n] = (radius * math.cos(angle), radius * math.sin(angle))
    return {n: (round(float(x), 2), round(float(y), 2)) for n, (x, y) in positions.items()}


def _packed_layout(G: nx.Graph, *, scale: float, groups: dict) -> dict[str, tuple[float, float]]:
    """Sunflower disks per connected group of non-hub nodes, packed on a spiral; hubs on a ring."""
    import numpy as np
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    nodes = sorted(G)
    index = {n: i for i, n in enumerate(nodes)}
    hub = np.array([G.nodes[n].get("kind") in HUB_KINDS for n in nodes])
    degree = np.array([G.degree(n) for n in nodes], dtype=float)
    pairs = np.array([(index[u], index[v]) for u, v in G.edges() if u != v], dtype=np.int64).reshape(-1, 2)
    if len(pairs):
        pairs = pairs[~hub[pairs[:, 0]] & ~hub[pairs[:, 1]]]
    n = len(nodes)
    matrix = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, components = connected_components(matrix, directed=False)
    disks: dict[tuple, list[int]] = {}
    for i in np.lexsort((np.arange(n), -degree)):  # each disk's members, best connected first
        if not hub[i]:
            node = nodes[i]
            key = ("group", str(groups[node])) if node in groups else ("component", int(components[i]))
            disks.setdefault(key, []).append(int(i))
    ordered = sorted(disks.values(), key=lambda members: (-len(members), members[0]))
    x = np.zeros(n)
    y = np.zeros(n)
    area = 0.0
    for number, members in enumerate(ordered):
        radius = math.sqrt(len(members))
        distance = math.sqrt(area) + radius if number else 0.0  # outside the area filled so far
        angle = number * _GOLDEN_ANGLE
        cx, cy = distance * math.cos(angle), distance * math.sin(angle)
        k = np.arange(len(members))
        x[members] = cx + np.sqrt(k + 0.5) * np.cos(k * _GOLDEN_ANGLE)
        y[members] = cy + np.sqrt(k + 0.5) * np.sin(k * _GOLDEN_ANGLE)
        area += (radius + 1.0) ** 2
    hubs = [i for i in np.lexsort((np.arange(n), -degree)) if hub[i]]
    extent = float(np.sqrt(x**2 + y**2).max()) if ordered else 1.0
    for rank, i in enumerate(hubs):
        angle = 2 * math.pi * rank / len(hubs)
        x[i], y[i] = 1.1 * extent * math.cos(angle) + 1e-9, 1.1 * extent * math.sin(angle)
    reach = float(np.abs(np.concatenate([x, y])).max()) or 1.0
    factor = scale * math.sqrt(n / SPRING_LIMIT) / reach  # the map grows with the graph: nodes keep their room
    return {node: (round(float(x[i] * factor), 2), round(float(y[i] * factor), 2)) for i, node in enumerate(nodes)}


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


def _rank_groups(keys: dict, labels: dict, weights: dict | None = None) -> tuple[dict, list[tuple[str, str]]]:
    """Number the group keys by decreasing weight (a node weighs its ``weights`` entry, else 1),
    then key (story numbers as numbers); only the first len(PALETTE) get a colour."""
    weights = weights or {}
    counts: dict = {}
    for n, key in keys.items():
        counts[key] = counts.get(key, 0) + weights.get(n, 1)
    ranked = sorted(counts, key=lambda key: (-counts[key], not isinstance(key, int), key if isinstance(key, int) else str(key)))
    ranked = ranked[: len(PALETTE)]
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
    >>> S = nx.Graph([(f"s{k}", f"s{k}") for k in (10, 2, 1)])  # story nodes: the larger first, then by number
    >>> nx.set_node_attributes(S, "story", "kind"); nx.set_node_attributes(S, {"s10": 10, "s2": 2, "s1": 1}, "story")
    >>> nx.set_node_attributes(S, {"s10": 1, "s2": 4, "s1": 1}, "size")
    >>> group_nodes(S)[0]
    {'s10': 2, 's2': 0, 's1': 1}
    """
    if by not in ("story", "provider"):
        raise ValueError(f"by must be 'story' or 'provider', not {by!r}")
    clusters = clusters or {}
    keys: dict = {}
    weights: dict = {}  # a story node stands for its story's articles
    for n, data in G.nodes(data=True):
        kind = data.get("kind")
        if by == "story":
            if kind == "story":
                keys[n] = data["story"]
                weights[n] = data.get("size", 1)
            elif kind == "article" and n in clusters:
                keys[n] = clusters[n]
        elif kind == "provider":
            keys[n] = n
        elif kind == "article" and data.get("provider") is not None:
            keys[n] = data["provider"]
    return _rank_groups(keys, labels or {}, weights)


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
