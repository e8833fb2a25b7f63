"""How views look: stable layout, colour groups with a legend, sizes comparable across kinds."""

from __future__ import annotations

import math

import networkx as nx
import pytest

from graph.style import NEUTRAL, PALETTE, compute_layout, group_nodes, node_colors, node_sizes, size_scores


def test_compute_layout_is_stable_whatever_the_insertion_order():
    G = nx.DiGraph([("a", "b"), ("b", "c")])
    H = nx.DiGraph([("b", "c"), ("a", "b")])
    assert compute_layout(G, seed=2) == compute_layout(H, seed=2)
    assert compute_layout(G, seed=2) != compute_layout(G, seed=3)


def test_group_nodes_gives_palette_colours_to_the_largest_groups_only():
    G = nx.Graph()
    clusters = {}
    for story in range(len(PALETTE) + 1):
        for i in range(len(PALETTE) + 2 - story):
            G.add_node(f"{story}-{i}", kind="article")
            clusters[f"{story}-{i}"] = story
    groups, legend = group_nodes(G, clusters=clusters, labels={0: "biggest"})
    assert groups["0-0"] == 0 and f"{len(PALETTE)}-0" not in groups
    assert legend[0] == (PALETTE[0], "biggest") and legend[-1] == (NEUTRAL, "1 more (grey)")
    assert node_colors(G, groups)[f"{len(PALETTE)}-0"] == NEUTRAL


def test_group_nodes_colours_story_nodes_by_their_story():
    G = nx.Graph()
    G.add_node(5, kind="story", story=5, label="S")
    assert group_nodes(G) == ({5: 0}, [(PALETTE[0], "5")])


def test_size_scores_scale_each_kind_by_its_own_maximum():
    G = nx.DiGraph([("a", "p"), ("b", "p"), ("b", "q")])
    for n in "ab":
        G.nodes[n]["kind"] = "article"
    for n in "pq":
        G.nodes[n]["kind"] = "provider"
    scores = size_scores(G, {"a": 0.4, "b": 0.1})
    assert scores == {"a": 1.0, "p": 1.0, "b": 0.25, "q": 0.5}
    assert node_sizes(G, scores) == {"a": 40.0, "p": 40.0, "b": 24.0, "q": 30.63}


def test_compute_layout_packs_large_graphs_fast_and_repeatably():
    import time

    G = nx.DiGraph()
    for i in range(3000):
        G.add_node(f"a{i:05}", kind="article")
    for p in range(30):
        G.add_node(f"p{p:02}", kind="provider")
    for i in range(3000):
        G.add_edge(f"a{i:05}", f"p{i % 30:02}")
        if i % 10:
            G.add_edge(f"a{i:05}", f"a{i - i % 10:05}")  # 300 stories of 10, each a star
    started = time.perf_counter()
    positions = compute_layout(G, seed=0, scale=1000.0)
    assert time.perf_counter() - started < 5
    assert positions == compute_layout(G, seed=0, scale=1000.0) and len(positions) == 3030
    # each story's hub at its disk's centre, its nine members within two units of disk radius
    hub, member = positions["a00000"], positions["a00001"]
    spread = max(abs(positions[n][0]) for n in positions)
    assert spread == pytest.approx(1000.0 * math.sqrt(3030 / 1000))
    assert math.dist(hub, member) < math.dist(hub, positions["a00010"])
    # providers on the outer ring, beyond every article
    ring = min(math.hypot(*positions[f"p{p:02}"]) for p in range(30))
    assert ring > max(math.hypot(*positions[f"a{i:05}"]) for i in range(3000))


def test_compute_layout_packs_by_given_groups_even_when_linked():
    G = nx.path_graph([f"n{i:04}" for i in range(1200)])  # one component
    groups = {f"n{i:04}": i // 600 for i in range(1200)}  # two stories of 600
    positions = compute_layout(G, groups=groups)
    centroid = {
        g: tuple(sum(positions[n][axis] for n in G if groups[n] == g) / 600 for axis in (0, 1)) for g in (0, 1)
    }
    for n in G:
        own, other = centroid[groups[n]], centroid[1 - groups[n]]
        assert math.dist(positions[n], own) < math.dist(positions[n], other)


def test_story_nodes_are_coloured_by_their_stories_size_then_number():
    """One node per story (the Stories view): the 14 largest stories get the colours, not 0, 1, 10, 100 …"""
    S = nx.Graph()
    for k in range(20):
        S.add_node(f"story:{k}", kind="story", story=k, size=30 - k)  # story numbers by decreasing size
    groups, legend = group_nodes(S, labels={k: f"story {k}" for k in range(20)})
    assert sorted(S.nodes[n]["story"] for n in groups) == list(range(len(PALETTE)))
    assert [text for _, text in legend[:3]] == ["story 0", "story 1", "story 2"]
    assert legend[-1][1] == f"{20 - len(PALETTE)} more (grey)"


def test_nodes_without_links_sit_on_a_ring_around_the_drawing():
    """The force layout alone pushes an unlinked node far out and squeezes the rest into a corner."""
    G = nx.path_graph(["a", "b", "c", "d"])
    G.add_nodes_from(["x", "y"])
    positions = compute_layout(G, seed=0, scale=1000.0)
    linked = [positions[n] for n in "abcd"]
    assert max(max(abs(x), abs(y)) for x, y in linked) == pytest.approx(1000.0, abs=0.01)  # the linked fill the box
    assert [positions[n] for n in "xy"] == [(0.0, 1200.0), (0.0, -1200.0)]
    assert compute_layout(nx.empty_graph(["p", "q"]), scale=1000.0) == {"p": (0.0, 1000.0), "q": (0.0, -1000.0)}
    assert compute_layout(nx.empty_graph(["p", "q"])) == {"p": (0.0, 500.0), "q": (0.0, -500.0)}  # 1,000 pixels apart
