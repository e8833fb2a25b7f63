"""Views select the part of the graph a question is about, within a node budget, and say what they left out."""

from __future__ import annotations

import networkx as nx
import pytest

from graph.build import build_graph
from graph.model import Article, Provider, Related
from graph.select import (
    Selection,
    filter_graph,
    select_neighbourhood,
    select_overview,
    select_provider,
    select_story,
    select_topic,
)

P = "provider:p.com"
Q = "provider:q.com"


@pytest.fixture
def graph() -> nx.DiGraph:
    """Two stories: a1 -> a2 -> a3 (p, p, q) and b1 -> b2 (q); a3 also links b1; topic AI on a1 and b1."""
    p, q = Provider("P", "p.com"), Provider("Q", "q.com")

    def article(name, provider, related=(), topics=(), day=1):
        return Article(
            url=f"https://{provider.domain}/{name}", title=name.upper(), provider=provider, topics=topics,
            published=f"2021-01-0{day}T00:00:00Z", related=tuple(Related(url=u) for u in related),
        )

    return build_graph([
        article("a1", p, ["https://p.com/a2"], ("AI",), day=1),
        article("a2", p, ["https://q.com/a3"], day=2),
        article("a3", q, ["https://q.com/b1"], day=3),
        article("b1", q, ["https://q.com/b2"], ("AI",), day=4),
        article("b2", q, day=5),
    ])


def node(name: str) -> str:
    return f"article:https://{'p' if name in ('a1', 'a2') else 'q'}.com/{name}"


@pytest.fixture
def analysis(graph) -> dict:
    members = {0: ["a1", "a2", "a3"], 1: ["b1", "b2"]}
    pagerank = {"a1": 0.1, "a2": 0.3, "a3": 0.2, "b1": 0.25, "b2": 0.15}
    return {
        "clusters": {node(n): s for s, names in members.items() for n in names},
        "pagerank": {node(n): value for n, value in pagerank.items()},
        "stories": [
            {"id": s, "label": f"story {s}", "title": f"Story {s}", "first_provider": P if s == 0 else Q,
             "central": node(names[0]), "members": [node(n) for n in names]}
            for s, names in members.items()
        ],
    }


def test_select_overview_makes_one_node_per_story_linked_by_cross_story_links(graph, analysis):
    view = select_overview(graph, analysis)
    H = view.graph
    assert sorted(H.nodes(data="size")) == [(0, 3), (1, 2)]
    assert list(H.edges(data=True)) == [(0, 1, {"kind": "related", "weight": 1})]
    assert H.nodes[0]["label"] == "Story 0" and H.nodes[0]["broken_by"] == "P" and H.nodes[0]["kind"] == "story"
    assert (H.nodes[0]["start"], H.nodes[0]["end"], H.nodes[0]["providers"]) == (
        "2021-01-01T00:00:00Z", "2021-01-03T00:00:00Z", 2)
    assert (view.total, view.shown, view.note) == (2, 2, "")


def test_select_overview_keeps_the_largest_stories_and_says_what_it_left_out(graph, analysis):
    view = select_overview(graph, analysis, limit=1)
    assert list(view.graph) == [0]
    assert view.note == (
        'Showing the 1 largest of 2 stories; 1 left out. Raise "Nodes at most" in the sidebar or narrow the filters to see them.'
    )


def test_select_overview_counts_only_articles_in_the_filtered_graph(graph, analysis):
    view = select_overview(filter_graph(graph, start="2021-01-03"), analysis)
    assert sorted(view.graph.nodes(data="size")) == [(0, 1), (1, 2)]


def test_select_story_keeps_most_central_articles_and_their_providers(graph, analysis):
    view = select_story(graph, analysis, 0, limit=2)
    assert list(view.graph) == [node("a2"), node("a3"), P, Q]
    assert sorted(view.graph.edges(data="kind")) == [
        (node("a2"), node("a3"), "related"), (node("a2"), P, "published_by"), (node("a3"), Q, "published_by")]
    assert (view.total, view.shown, view.left_out) == (3, 2, 1)


def test_select_story_unknown_story_raises(graph, analysis):
    with pytest.raises(ValueError, match="no story 7; stories are numbered 0 to 1"):
        select_story(graph, analysis, 7)


@pytest.mark.parametrize(("depth", "expected"), [
    (0, ["a2"]),
    (1, ["a2", "a3", "a1"]),
    (2, ["a2", "a3", "a1", "b1"]),
    (3, ["a2", "a3", "a1", "b1", "b2"]),
])
def test_select_neighbourhood_follows_links_both_ways_to_depth(graph, analysis, depth, expected):
    view = select_neighbourhood(graph, analysis, node("a2"), depth=depth)
    articles = [n for n in view.graph if view.graph.nodes[n]["kind"] == "article"]
    assert articles == [node(n) for n in expected]
    assert view.graph.graph["center"] == node("a2")


def test_select_neighbourhood_caps_nearest_first(graph, analysis):
    view = select_neighbourhood(graph, analysis, node("a2"), depth=3, limit=2)
    assert [n for n in view.graph if view.graph.nodes[n]["kind"] == "article"] == [node("a2"), node("a3")]
    assert (view.total, view.shown) == (5, 2)


@pytest.mark.parametrize(("n", "depth", "message"), [
    (P, 1, "is not an article"), ("missing", 1, "is not an article"), ("article:https://p.com/a1", -1, "depth must be"),
])
def test_select_neighbourhood_rejects_bad_arguments(graph, analysis, n, depth, message):
    with pytest.raises(ValueError, match=message):
        select_neighbourhood(graph, analysis, n, depth=depth)


def test_select_provider_adds_co_covering_providers_weighted_by_shared_stories(graph, analysis):
    view = select_provider(graph, analysis, P)
    assert list(view.graph) == [P, node("a2"), node("a1"), Q]
    assert view.graph[P][Q] == {"kind": "co_covers", "weight": 1}
    assert (view.total, view.shown) == (2, 2)


def test_select_topic_keeps_tagged_articles_and_providers(graph, analysis):
    view = select_topic(graph, analysis, "topic:ai", limit=1)
    assert list(view.graph) == ["topic:ai", node("b1"), Q]
    assert (view.total, view.shown, view.unit) == (2, 1, "articles")


@pytest.mark.parametrize("limit", [0, -1, 2.5])
def test_selections_reject_a_limit_that_is_not_a_positive_integer(graph, analysis, limit):
    with pytest.raises(ValueError, match="limit must be a positive integer"):
        select_overview(graph, analysis, limit=limit)


def test_selections_never_mutate_the_graph(graph, analysis):
    before = (nx.to_dict_of_dicts(graph), dict(graph.nodes(data=True)))
    select_overview(graph, analysis)
    select_story(graph, analysis, 0)
    select_neighbourhood(graph, analysis, node("a1"), depth=2)
    select_provider(graph, analysis, Q)
    select_topic(graph, analysis, "topic:ai")
    assert (nx.to_dict_of_dicts(graph), dict(graph.nodes(data=True))) == before


def test_selection_note_is_empty_when_nothing_is_left_out():
    assert Selection(nx.DiGraph(), "articles", 0, 0).note == ""


def test_a_dense_map_of_stories_keeps_each_storys_strongest_link():
    from graph.select import MAP_LINKS

    G = nx.DiGraph()
    for i in range(6):  # six one-article stories, every pair linked once: 15 links, more than 2 a story
        G.add_node(f"a{i}", kind="article", in_corpus=True, provider="p", label=f"A{i}")
    for i in range(6):
        for j in range(i + 1, 6):
            G.add_edge(f"a{i}", f"a{j}", kind="related")
    G.add_edge("a5", "a4", kind="related")  # 4-5: linked both ways, the strongest link of both
    analysis = {"clusters": {f"a{i}": i for i in range(6)}, "stories": [{"id": i, "label": f"A{i}"} for i in range(6)]}
    view = select_overview(G, analysis)
    assert MAP_LINKS == 2
    assert sorted(view.graph.edges()) == [(0, 1), (0, 2), (0, 3), (4, 5), (5, 4)]  # ties to the lower story
    assert view.note == "11 weaker links between stories not drawn: each story keeps its strongest."
    G.remove_edges_from([("a0", f"a{j}") for j in range(2, 6)])  # 12 links: not dense, all drawn
    assert (select_overview(G, analysis).graph.number_of_edges(), select_overview(G, analysis).note) == (12, "")
