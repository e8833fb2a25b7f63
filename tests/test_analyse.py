"""Tests of graph.analyse on small hand-built graphs: exact values, networkx as the reference."""

from __future__ import annotations

import numpy as np
import networkx as nx
import pytest

from graph.analyse import (
    analyse_graph,
    article_graph,
    concentration,
    count_timelines,
    describe_stories,
    find_bridges,
    find_clusters,
    label_stories,
    measure_providers,
    measure_topics,
    rank_articles,
    story_weights,
)

STORIES = {
    # node: (provider, published, title, topics)
    "a1": ("provider:p", "2021-01-02T08:00:00Z", "Acme recalls robot vacuum", ["Robots"]),
    "a2": ("provider:q", "2021-01-01T09:00:00Z", "Robot vacuum recall hits Acme", ["Robots"]),
    "a3": ("provider:p", "2021-01-03T10:00:00Z", "Acme vacuum recall widens", ["Robots", "Retail"]),
    "b1": ("provider:q", "2021-02-01T00:00:00Z", "Zeta bank merger approved", ["Finance"]),
    "b2": ("provider:r", "2021-02-02T00:00:00Z", "Regulators approve Zeta merger", ["Finance"]),
    "c1": ("provider:p", None, "Weather: rain on Sunday", []),
}


@pytest.fixture
def G():
    G = nx.DiGraph()
    for p in ("provider:p", "provider:q", "provider:r"):
        G.add_node(p, kind="provider", label=p[9:], name=p[9:].upper())
    for t in ("Robots", "Retail", "Finance"):
        G.add_node(f"topic:{t.lower()}", kind="topic", label=t, name=t)
    for n, (p, day, title, topics) in STORIES.items():
        G.add_node(n, kind="article", label=title, title=title, provider=p, published=day, topics=topics,
                   in_corpus=n != "b2")
        G.add_edge(n, p, kind="published_by")
        for t in topics:
            G.add_edge(n, f"topic:{t.lower()}", kind="tagged")
    for u, v, w in [("a1", "a2", 0.5), ("a1", "a3", 0.4), ("a2", "a3", 0.3), ("b1", "b2", 0.6)]:
        G.add_edge(u, v, kind="similar", weight=w)
        G.add_edge(v, u, kind="similar", weight=w)
    G.add_edge("a3", "b1", kind="related")  # a loose link between two stories
    G.add_edge("b1", "a1", kind="related")
    G.add_edge("c1", "a1", kind="related")
    return G


def test_find_clusters_exact(G):
    assert find_clusters(G, seed=0) == {"a1": 0, "a2": 0, "a3": 0, "b1": 1, "b2": 1, "c1": 2}


def test_find_clusters_related_links_alone_join_at_low_resolution(G):
    clusters = find_clusters(G, seed=0, resolution=0.01)
    assert len(set(clusters.values())) == 1


def test_find_clusters_high_resolution_splits(G):
    clusters = find_clusters(G, seed=0, resolution=0.45)
    assert clusters["b1"] == clusters["b2"] and clusters["a1"] == clusters["a2"] and clusters["a3"] != clusters["a1"]


def test_find_clusters_is_repeatable_with_seed(G):
    assert all(find_clusters(G, seed=s) == find_clusters(G, seed=s) for s in (0, 1, 7))


def test_find_clusters_rejects_bad_resolution(G):
    with pytest.raises(ValueError, match="resolution must be > 0"):
        find_clusters(G, resolution=0)


def test_find_clusters_empty_graph():
    assert find_clusters(nx.DiGraph()) == {}


def test_story_weights_take_largest_of_similarity_and_related(G):
    weights = story_weights(G, related_weight=0.1)
    assert weights[("a1", "a2")] == 0.5 and weights[("a3", "b1")] == 0.1 and weights[("a1", "c1")] == 0.1


@pytest.mark.parametrize("solver", ["bicgstab", "power iteration"])
def test_rank_articles_equals_networkx_pagerank(G, monkeypatch, solver):
    import graph.analyse

    if solver == "power iteration":  # what runs should BiCGSTAB not converge
        monkeypatch.setattr(graph.analyse, "bicgstab", lambda A, b, **options: (options["x0"], 1))
    H = nx.DiGraph()
    H.add_nodes_from(n for n, k in G.nodes(data="kind") if k == "article")
    for u, v, data in G.edges(data=True):
        if data["kind"] == "related":
            H.add_edge(u, v, weight=1.0)
        elif data["kind"] == "similar":
            H.add_edge(u, v, weight=data["weight"])
    expected = nx.pagerank(H, weight="weight", tol=1e-12)
    ranks = rank_articles(G)
    assert ranks.keys() == expected.keys()
    assert all(ranks[n] == pytest.approx(expected[n], abs=1e-9) for n in ranks)


def test_pagerank_is_bit_for_bit_the_same_on_every_run():
    from graph.analyse import ArticleLinks, _pagerank

    rng = np.random.default_rng(5)  # large: igraph's PRPACK, used before, summed over threads in any order
    n, m = 60_000, 600_000
    related = np.column_stack([rng.integers(0, n, m), rng.integers(0, n, m)])
    links = ArticleLinks([str(i) for i in range(n)], [{}] * n, related, np.zeros(m), np.zeros((0, 2), dtype=np.int64),
                         np.zeros(0), [])
    first = _pagerank(links, 0.85)
    assert all(np.array_equal(first, _pagerank(links, 0.85)) for _ in range(4))
    assert first.sum() == pytest.approx(1.0)


def test_rank_articles_on_related_only_graph_equals_networkx():
    R = nx.gnm_random_graph(40, 90, seed=3, directed=True)
    G = nx.DiGraph()
    G.add_nodes_from((f"n{i:02d}" for i in R), kind="article")
    G.add_edges_from(((f"n{u:02d}", f"n{v:02d}") for u, v in R.edges()), kind="related")
    expected = nx.pagerank(nx.DiGraph((u, v) for u, v in G.edges()), tol=1e-12)
    ranks = rank_articles(G)
    assert all(ranks[n] == pytest.approx(expected.get(n, 0), abs=1e-9) for n in ranks)


def test_find_bridges_exact_equals_networkx_betweenness(G):
    expected = nx.betweenness_centrality(article_graph(G))
    bridges = find_bridges(G, k=100)
    assert all(bridges[n] == pytest.approx(expected[n], abs=1e-12) for n in expected)
    assert max(bridges, key=bridges.get) == "a1"


def test_find_bridges_sampled_is_close_to_networkx_on_average():
    R = nx.gnm_random_graph(200, 500, seed=5)
    G = nx.DiGraph()
    G.add_nodes_from((f"n{i:03d}" for i in R), kind="article")
    G.add_edges_from(((f"n{u:03d}", f"n{v:03d}") for u, v in R.edges()), kind="related")
    exact = nx.betweenness_centrality(article_graph(G))
    sampled = find_bridges(G, k=100, seed=1)
    assert sum(sampled.values()) == pytest.approx(sum(exact.values()), rel=0.1)
    assert find_bridges(G, k=100, seed=1) == sampled


def test_story_pairs_equal_story_weights(G):
    from graph.analyse import article_links, story_pairs

    links = article_links(G)
    for related_weight in (0.1, 0.45, 1.0):
        u, v, w = story_pairs(links, related_weight=related_weight)
        pairs = {(links.nodes[a], links.nodes[b]): x for a, b, x in zip(u.tolist(), v.tolist(), w.tolist())}
        assert list(pairs.items()) == list(story_weights(G, related_weight=related_weight).items())


def test_article_links_reads_each_kind_once(G):
    from graph.analyse import article_links

    links = article_links(G)
    assert links.nodes == ["a1", "a2", "a3", "b1", "b2", "c1"]
    assert [(links.nodes[u], links.nodes[v]) for u, v in links.related.tolist()] == [("a3", "b1"), ("b1", "a1"), ("c1", "a1")]
    assert len(links.similar) == 8 and sorted(links.similar_weight.tolist()) == [0.3, 0.3, 0.4, 0.4, 0.5, 0.5, 0.6, 0.6]
    assert sorted((links.nodes[i], t) for i, t in links.tagged)[:2] == [("a1", "topic:robots"), ("a2", "topic:robots")]
    assert links.data[0] is G.nodes["a1"]


def test_analyse_graph_bridges_sample_fewer_sources_only_on_large_graphs(G):
    from graph.analyse import bridge_sources

    assert analyse_graph(G)["bridges"] == find_bridges(G, k=100)
    assert [bridge_sources(m) for m in (0, 200_000, 200_001, 1_000_000, 10**8)] == [100, 100, 99, 20, 20]


def test_concentration_by_hand():
    hhi, top, share = concentration({"p": 2, "q": 1, "r": 1})
    assert hhi == pytest.approx(0.25 + 0.0625 + 0.0625)
    assert (top, share) == ("p", 0.5)


def test_label_stories_picks_distinctive_terms():
    labels = label_stories([["Acme recalls robot vacuum", "Robot vacuum recall hits Acme", "Acme vacuum recall widens"],
                            ["Zeta bank merger approved", "Regulators approve Zeta merger"]], terms=3)
    assert labels == [["acme", "recall", "vacuum"], ["approve", "merger", "zeta"]]


def test_label_stories_counts_the_forms_of_a_word_as_one_term_shown_as_the_commonest():
    """"exposed" and "exposes" are one term (the Snowball stem), held once by a title that has both."""
    labels = label_stories([["Portal misconfiguration exposes records", "Records exposed by portal",
                             "Misconfigured portals exposed 38 million records", "Other news"],
                            ["Weather report", "Rain report"]], terms=4)
    # three terms in 3 of 4 titles (ties by stem: expos, portal, record), then misconfigur (2 titles)
    assert labels == [["exposed", "portal", "records", "misconfiguration"], ["report", "rain", "weather"]]


def test_describe_stories_first_reporter_central_label_hhi(G):
    stories = describe_stories(G, find_clusters(G), centrality=rank_articles(G))
    first = stories[0]
    assert first["members"] == ["a2", "a1", "a3"]
    assert (first["first"], first["first_provider"]) == ("a2", "provider:q")
    assert first["central"] == "a1"
    assert first["label"] == "acme, recall, vacuum, robot"
    assert (first["start"], first["end"]) == ("2021-01-01T09:00:00Z", "2021-01-03T10:00:00Z")
    assert first["providers"] == [("provider:p", 2), ("provider:q", 1)]
    assert first["topics"] == [("Robots", 3), ("Retail", 1)]
    assert first["hhi"] == pytest.approx((2 / 3) ** 2 + (1 / 3) ** 2)
    assert (first["dominant"], first["dominant_share"]) == ("provider:p", 2 / 3)
    assert (stories[1]["articles"], stories[1]["stubs"]) == (1, 1)
    alone = stories[2]
    assert (alone["label"], alone["first"], alone["start"]) == ("Weather: rain on Sunday", None, None)


def test_measure_providers_by_hand(G):
    clusters = find_clusters(G)
    stories = describe_stories(G, clusters)
    figures = measure_providers(G, clusters, stories, {"a1": 2, "b1": 1})
    assert figures["provider:p"] == {"articles": 3, "share": 3 / 5, "in_links": 2, "in_link_share": 2 / 3,
                                     "stories": 2, "first_reports": 0, "first_reports_shared": 0}
    assert (figures["provider:q"]["first_reports"], figures["provider:q"]["first_reports_shared"]) == (2, 2)
    assert figures["provider:r"] == {"articles": 0, "share": 0.0, "in_links": 0, "in_link_share": 0.0,
                                     "stories": 1, "first_reports": 0, "first_reports_shared": 0}


def test_measure_topics_by_hand(G):
    topics = measure_topics(G, find_clusters(G))
    assert topics["topic:finance"]["providers"] == [("provider:q", 1), ("provider:r", 1)]
    assert topics["topic:finance"]["hhi"] == 0.5
    assert topics["topic:robots"]["dominant"] == "provider:p"
    assert topics["topic:robots"]["stories"] == 1


def test_a_tie_for_dominance_goes_to_the_earliest_publisher_for_topics_and_the_corpus_as_for_stories():
    """Two providers with one article each: the one that published first dominates, not the first name."""
    H = nx.DiGraph()
    H.add_node("topic:q", kind="topic", label="Q", name="Q")
    for n, provider, day in [("x1", "provider:zeta", "2021-03-01T12:00:00Z"), ("x2", "provider:alpha", "2021-03-02T12:00:00Z")]:
        H.add_node(n, kind="article", label=n, title=f"Quantum chip {n}", provider=provider, published=day,
                   topics=["Q"], in_corpus=True)
        H.add_edge(n, "topic:q", kind="tagged")
    H.add_edge("x1", "x2", kind="related")
    result = analyse_graph(H, resolution=0.05)  # the related link (0.1) joins the two
    assert [story["dominant"] for story in result["stories"]] == ["provider:zeta"]
    assert (result["topics"]["topic:q"]["dominant"], result["topics"]["topic:q"]["hhi"]) == ("provider:zeta", 0.5)
    assert (result["corpus"]["dominant"], result["corpus"]["dominant_share"]) == ("provider:zeta", 0.5)
    assert measure_topics(H, result["clusters"])["topic:q"]["dominant"] == "provider:zeta"


def test_count_timelines(G):
    timelines = count_timelines(G, find_clusters(G))
    assert timelines["stories"][0] == [["2021-01-01", 1], ["2021-01-02", 1], ["2021-01-03", 1]]
    assert timelines["providers"]["provider:q"] == [["2021-01-01", 1], ["2021-02-01", 1]]
    assert timelines["topics"]["topic:retail"] == [["2021-01-03", 1]]
    assert 2 not in timelines["stories"]  # the undated article


def test_analyse_graph_shape_and_repeatability(G):
    result = analyse_graph(G, seed=3)
    assert set(result) >= {"clusters", "pagerank", "in_links", "bridges", "stories", "providers", "topics",
                           "corpus", "timelines"}
    assert set(result["stories"][0]) >= {"id", "label", "size", "articles", "stubs", "start", "end", "first",
                                         "first_provider", "central", "providers", "topics", "members"}
    assert result["in_links"] == {"a1": 2, "a2": 0, "a3": 0, "b1": 1, "b2": 0, "c1": 0}
    assert result["corpus"] == {"articles": 5, "stories": 3, "hhi": pytest.approx(0.6 ** 2 + 0.4 ** 2),
                                "dominant": "provider:p", "dominant_share": 0.6}
    again = analyse_graph(G, seed=3)
    assert again["clusters"] == result["clusters"] and again["stories"] == result["stories"]


def test_analyse_graph_never_mutates(G):
    before = nx.node_link_data(G, edges="edges")
    analyse_graph(G)
    assert nx.node_link_data(G, edges="edges") == before


def test_analyse_graph_empty():
    result = analyse_graph(nx.DiGraph())
    assert (result["clusters"], result["stories"], result["corpus"]["hhi"]) == ({}, [], 0.0)


def test_clusters_of_the_real_facebook_story(corpus_dir):
    from graph import scan
    from graph.pipeline import analyse_articles

    articles, _ = scan([str(corpus_dir / "everyday-ai-2019-12")])
    G, result, _ = analyse_articles(articles, seed=0)
    story = result["stories"][0]
    assert story["size"] == 10 and "facebook" in story["terms"]
    assert analyse_articles(articles, seed=0).result["clusters"] == result["clusters"]


def test_story_partition_evidence_keeps_a_large_loose_story_whole():
    import numpy as np

    from graph.analyse import story_partition

    # Links: each article's best link only, three pairs; evidence: all 15 pairs of the six alike.
    links = (np.array([0, 2, 4]), np.array([1, 3, 5]), np.array([0.5, 0.5, 0.5]))
    u, v = np.triu_indices(6, k=1)
    evidence = (u, v, np.full(len(u), 0.5))
    assert story_partition(6, links, resolution=0.3).tolist() == [0, 0, 1, 1, 2, 2]
    assert story_partition(6, links, [evidence], resolution=0.3).tolist() == [0, 0, 0, 0, 0, 0]
    # Below the resolution, the evidence is not enough (the links themselves are in it, as link gives it).
    weak = (u, v, np.where(np.isin(u * 6 + v, [1, 15, 29]), 0.5, 0.2))
    assert story_partition(6, links, [weak], resolution=0.3).tolist() == [0, 0, 1, 1, 2, 2]


def test_story_partition_surprise_keeps_unlinked_groups_apart_and_is_seeded():
    import numpy as np

    from graph.analyse import story_partition

    # Two cliques of four (weight 0.6) joined by one weak pair, and a lone article.
    pairs = [(a, b, 0.6) for group in ((0, 1, 2, 3), (4, 5, 6, 7)) for i, a in enumerate(group) for b in group[i + 1:]]
    pairs.append((3, 4, 0.15))
    u, v, w = (np.array(x) for x in zip(*pairs))
    first = story_partition(9, (u, v, w), seed=1)
    assert first.tolist() == [0, 0, 0, 0, 1, 1, 1, 1, 2]
    assert story_partition(9, (u, v, w), seed=1).tolist() == first.tolist()
    with pytest.raises(ValueError, match="resolution"):
        story_partition(9, (u, v, w), resolution=0)


def test_story_partition_undoes_surprise_stories_under_the_floor():
    import numpy as np

    from graph.analyse import STORY_FLOOR, story_partition

    # 0-3: a star of weak links (0.69 over 6 pairs: 0.115 a pair), the leaves not alike;
    # 4-7: a ring of four at 0.2 and one diagonal (1.0 over 6 pairs: 0.167); 8-9: a close pair.
    u = np.array([0, 0, 0, 4, 5, 6, 7, 4, 8])
    v = np.array([1, 2, 3, 5, 6, 7, 4, 6, 9])
    w = np.array([0.27, 0.21, 0.21, 0.2, 0.2, 0.2, 0.2, 0.2, 0.6])
    assert STORY_FLOOR == 0.14
    assert story_partition(10, (u, v, w), floor=None).tolist() == [0, 0, 0, 0, 1, 1, 1, 1, 2, 2]
    # the star falls back into its CPM groups (pass 2); the ring holds 0.167 a pair and stays
    assert story_partition(10, (u, v, w)).tolist() == [3, 4, 3, 3, 1, 1, 1, 1, 2, 2]
    assert story_partition(10, (u, v, w), floor=0.1).tolist() == [0, 0, 0, 0, 1, 1, 1, 1, 2, 2]
    # the ring is one CPM group (pass 2), not a join of Surprise's: no floor undoes it
    assert story_partition(10, (u, v, w), floor=0.9).tolist() == [3, 4, 3, 3, 1, 1, 1, 1, 2, 2]
    assert story_partition(10, (u, v, w), resolution=0.1, floor=0.5).tolist() == story_partition(
        10, (u, v, w), resolution=0.1, floor=None).tolist()  # a resolution: plain CPM, no floor
    # a large CPM group (seven articles 0.13 alike) and an article two links join to it: 0.112
    # a pair, under the floor, but a story with a large group is CPM's, kept with its joins
    pairs = [(a, b, 0.13) for a in range(7) for b in range(a + 1, 7)] + [(7, 0, 0.2), (7, 1, 0.2), (8, 9, 0.6)]
    u, v, w = (np.array(x) for x in zip(*pairs))
    assert story_partition(10, (u, v, w), resolution=0.1).tolist() == [0, 0, 0, 0, 0, 0, 0, 1, 2, 2]
    assert story_partition(10, (u, v, w)).tolist() == [0, 0, 0, 0, 0, 0, 0, 0, 1, 1]


def test_find_clusters_a_bare_related_link_is_no_story_when_text_links_articles():
    G = nx.DiGraph()
    for n in "abcde":
        G.add_node(n, kind="article")
    G.add_edge("c", "d", kind="related")
    assert find_clusters(G) == {"a": 1, "b": 2, "c": 0, "d": 0, "e": 3}  # related links alone: they join
    G.add_edge("a", "b", kind="similar", weight=0.5)
    assert find_clusters(G) == {"a": 0, "b": 0, "c": 1, "d": 2, "e": 3}  # 0.1 a pair: under STORY_FLOOR
    assert find_clusters(G, related_weight=0.2) == {"a": 0, "b": 0, "c": 1, "d": 1, "e": 2}
    G.add_edge("c", "d", kind="similar", weight=0.3)  # alike too: joined by CPM, before Surprise and its floor
    assert find_clusters(G) == {"a": 0, "b": 0, "c": 1, "d": 1, "e": 2}


def test_find_clusters_uses_similarity_pairs_of_its_articles():
    from graph.link import SimilarPairs
    import numpy as np

    G = nx.DiGraph()
    for n in "abcd":
        G.add_node(n, kind="article")
    G.add_edge("a", "b", kind="similar", weight=0.5); G.add_edge("c", "d", kind="similar", weight=0.5)
    # Evidence from a larger graph (node "x" is not in G): every pair of a, b, c, d alike.
    nodes = ["a", "b", "c", "d", "x"]
    u, v = np.array([0, 0, 0, 1, 1, 2, 0]), np.array([1, 2, 3, 2, 3, 3, 4])
    similarity = SimilarPairs.of_pairs(nodes, u, v, np.full(7, 0.5))
    assert find_clusters(G, resolution=0.3) == {"a": 0, "b": 0, "c": 1, "d": 1}
    assert find_clusters(G, resolution=0.3, similarity=similarity) == {"a": 0, "b": 0, "c": 0, "d": 0}


def test_analyse_articles_clusters_with_every_alike_pair():
    from graph.build import build_graph
    from graph.link import similarity_pairs
    from graph.model import Article
    from graph.pipeline import analyse_articles

    titles = ["Acme recalls robot vacuum", "Acme robot vacuum recall", "Robot vacuum recall by Acme",
              "Acme vacuum recall widens", "Rain expected on Sunday"]
    articles = [Article(url=f"https://x{i}.com/a", title=t, published="2021-01-01T00:00:00Z") for i, t in enumerate(titles)]
    G, result, pairs_used = analyse_articles(articles, neighbours=1)
    pairs = similarity_pairs(build_graph(articles), neighbours=1)
    assert len(pairs.u) > len(pairs.link_u)  # the evidence holds more than the links
    assert (pairs_used.u.tolist(), pairs_used.v.tolist()) == (pairs.u.tolist(), pairs.v.tolist())
    assert result["clusters"] == find_clusters(G, similarity=pairs)
    assert sorted(set(result["clusters"].values())) == [0, 1]
    assert result["stories"][0]["size"] == 4


def test_filtered_graph_is_analysed_with_the_pairs_of_the_whole():
    from graph.model import Article
    from graph.pipeline import analyse_articles
    from graph.select import filter_graph

    # The first article is every other's best link; the others are alike among themselves too.
    titles = ["Acme robot vacuum recall fire battery", "Acme robot vacuum recall fire",
              "Acme robot vacuum recall battery", "Acme robot vacuum fire battery", "Rain expected on Sunday"]
    articles = [Article(url=f"https://x{i}.com/a", title=t, published=f"2021-01-0{i + 1}T00:00:00Z")
                for i, t in enumerate(titles)]
    G, result, pairs = analyse_articles(articles, neighbours=1)
    assert sorted(result["clusters"].values()) == [0, 0, 0, 0, 1]
    H = filter_graph(G, start="2021-01-02")  # drops the first article, and with it every similar edge
    assert sorted(analyse_graph(H)["clusters"].values()) == [0, 1, 2, 3]
    kept = analyse_graph(H, similarity=pairs)["clusters"]
    assert len(kept) == 4 and "article:https://x0.com/a" not in kept
    assert sorted(kept.values()) == [0, 0, 0, 1]  # the story stays whole without its first article


def _two_cliques_and_pairs():
    # two 5-article stories (0.5 inside) with every pair between them 0.09 alike (CPM at 0.1
    # keeps them apart), and 30 two-article stories elsewhere
    u, v, w = [], [], []
    for base in (0, 5):
        for a in range(5):
            for b in range(a + 1, 5):
                u, v, w = u + [base + a], v + [base + b], w + [0.5]
    for a in range(5):
        for b in range(5, 10):
            u, v, w = u + [a], v + [b], w + [0.09]
    for k in range(30):
        u, v, w = u + [10 + 2 * k], v + [11 + 2 * k], w + [0.5]
    return 70, (np.array(u), np.array(v), np.array(w))


def test_story_partition_surprise_keeps_large_groups_apart(monkeypatch):
    from graph import analyse

    n, pairs = _two_cliques_and_pairs()
    assert analyse.story_partition(n, pairs)[:12].tolist() == [0] * 5 + [1] * 5 + [2, 2]
    monkeypatch.setattr(analyse, "LARGE_STORY", 10**9)  # Surprise free to join them: it does
    assert analyse.story_partition(n, pairs)[:12].tolist() == [0] * 10 + [1, 1]


def test_analysis_from_pairs_equals_analysis_of_the_graph_with_its_similar_edges(tmp_path):
    """The pipeline analyses the built graph and the pairs (no similar edges in it): same result."""
    from graph.build import build_graph
    from graph.link import link_similar, similarity_pairs
    from graph.load import scan
    from graph.select import filter_graph
    from graph.synth import generate_corpus

    generate_corpus(tmp_path / "corpus", articles=400, seed=5)
    articles, _ = scan([tmp_path / "corpus"], cache=None)
    G = build_graph(articles)
    pairs = similarity_pairs(G)
    H = link_similar(G, pairs=pairs)
    linked = {tuple(sorted(e)) for e in zip(pairs.link_u.tolist(), pairs.link_v.tolist())}
    related = {tuple(sorted((pairs.nodes.index(u), pairs.nodes.index(v))))
               for u, v, k in G.edges(data="kind") if k == "related"}
    assert len(linked & related) >= 10  # related links that are also similar links: the tricky case
    compact, full = analyse_graph(G, similarity=pairs), analyse_graph(H, similarity=pairs)
    assert compact["clusters"] == full["clusters"]
    assert compact["stories"] == full["stories"]
    assert compact["providers"] == full["providers"]
    assert compact["bridges"] == full["bridges"]
    assert compact["timelines"] == full["timelines"]
    assert compact["pagerank"] == pytest.approx(full["pagerank"], rel=1e-9, abs=1e-15)  # links in another order: sums rounded otherwise
    # a filtered copy that keeps its similar edges, with the pairs of the whole: nothing counted twice
    from graph.analyse import article_links

    days = sorted(d for _, d in G.nodes(data="published") if d)
    kept = filter_graph(H, start=days[len(days) // 2])  # the later half
    assert 0 < sum(1 for _, d in kept.nodes(data="kind") if d == "article") < sum(1 for _, d in G.nodes(data="kind") if d == "article")
    for links in (article_links(kept, pairs), article_links(link_similar(G, pairs=pairs), pairs)):
        reference = article_links(kept if links.nodes != pairs.nodes else H)
        edges = lambda l: sorted(zip(map(tuple, l.similar.tolist()), l.similar_weight.tolist()))  # noqa: E731
        assert len(edges(links)) > 0 and edges(links) == edges(reference)
        assert links.related.tolist() == reference.related.tolist()
        assert links.related_similarity.tolist() == reference.related_similarity.tolist()


def test_row_evidence_sums_as_pairs_do():
    """The evidence held by row (link.SimilarPairs) sums into the groups' graph as (u, v, w) arrays do."""
    from graph.analyse import RowEvidence, _aggregate
    from graph.link import SimilarPairs

    rng = np.random.default_rng(4)
    n = 60
    u, v = rng.integers(0, n, 400), rng.integers(0, n, 400)
    keep = u != v
    key = np.unique(np.minimum(u, v)[keep] * n + np.maximum(u, v)[keep])
    u, v, w = key // n, key % n, rng.random(len(key)).round(3) * 0.8 + 0.2  # similarities, in (0, 1]
    membership = rng.integers(0, 9, n)
    pairs = SimilarPairs.of_pairs([f"n{k:02d}" for k in range(n)], u, v, w)
    rows = RowEvidence(pairs.rows.astype(np.int64), pairs.indptr, pairs.other, pairs.strength, 65535.0)
    w = np.round(w * 65535) / 65535  # the similarity as the pairs hold it, in steps of 1/65,535
    by_rows, sizes, _ = _aggregate([rows], membership)
    by_pairs, sizes_too, _ = _aggregate([(u, v, w)], membership)

    def edges(H):
        return sorted(zip(H.get_edgelist(), np.round(H.es["weight"], 9)))

    assert sizes.tolist() == sizes_too.tolist() and len(edges(by_pairs)) > 30
    assert edges(by_rows) == edges(by_pairs)
    # rows of articles not analysed (-1) add nothing: as the pairs without them
    absent = np.arange(n) % 7 == 0
    rows = rows._replace(article=np.where(absent, -1, rows.article))
    kept = ~absent[u] & ~absent[v]
    assert edges(_aggregate([rows], membership)[0]) == edges(_aggregate([(u[kept], v[kept], w[kept])], membership)[0])


LABEL_TRICKY = [
    "'Quoted' -dash- it's a-b-- x--y _under_ 1,000 3.5% ÉCOLE naïve ﬁle ℌello İstanbul ß",
    "rock-'n'-roll don’t ’tis -'a'-b x'y'' ''z --- '' ’’ 2-in-1 7-eleven 3d-printed _-ab ²x x² ab_ _ab 1a-b2-cd",
    "a", "日本語 テキスト", "Ω≈ç√ 𝔘𝔫𝔦", "", "the of and", "Acme recalls robot vacuum; robot vacuum recall at ACME",
    "H2O v2-beta 4chan's COVID-19 covid19 100k-word GPT-4o e-mail re-‐use ½price Ⅻ-kings",
]


def _count_vectorizer_words(titles):
    from sklearn.feature_extraction.text import CountVectorizer

    from graph.analyse import LABEL_PATTERN

    vectorizer = CountVectorizer(stop_words="english", binary=True, strip_accents="unicode", token_pattern=LABEL_PATTERN)
    counts = vectorizer.fit_transform(titles).tocsr()
    return counts.toarray().tolist(), vectorizer.get_feature_names_out().tolist()


def test_title_words_equal_count_vectorizer_on_tricky_text():
    from graph.analyse import title_words

    counts, words = title_words(LABEL_TRICKY)
    expected_counts, expected_words = _count_vectorizer_words(LABEL_TRICKY)
    assert words.tolist() == expected_words and "in-1" in expected_words and "printed" in expected_words
    assert counts.toarray().tolist() == expected_counts


def test_title_words_equal_count_vectorizer_on_the_real_corpora(corpus_dir):
    from graph.analyse import title_words
    from graph.load import scan

    for name in ("everyday-ai-2019-12", "everyday-powerapps"):
        articles, _ = scan([corpus_dir / name], cache=None)
        titles = [a.title or "" for a in articles] + [r.title or "" for a in articles for r in a.related]
        counts, words = title_words(titles)
        expected_counts, expected_words = _count_vectorizer_words(titles)
        assert len(expected_words) > 400 and words.tolist() == expected_words
        assert counts.toarray().tolist() == expected_counts


def test_find_clusters_with_pairs_of_no_articles():
    from graph.link import similarity_pairs

    G = nx.DiGraph()
    for n in "abc":
        G.add_node(n, kind="article", title="acme robot")
    G.add_edge("a", "b", kind="related")
    assert find_clusters(G, similarity=similarity_pairs(nx.DiGraph())) == {"a": 0, "b": 0, "c": 1}


def _synthetic_analysis_input(tmp_path, articles=400):
    from graph.build import build_graph
    from graph.link import similarity_pairs
    from graph.load import scan
    from graph.synth import generate_corpus

    generate_corpus(tmp_path / "corpus", articles=articles, seed=5)
    loaded, _ = scan([tmp_path / "corpus"], cache=None)
    G = build_graph(loaded)
    return G, similarity_pairs(G, workers=1)


@pytest.mark.filterwarnings("error::RuntimeWarning")  # a failed child falls back with one: that is no pass
@pytest.mark.parametrize("related_weight", [0.1, 0.0])
def test_analyse_graph_with_the_bridges_in_a_child_equals_one_process(tmp_path, monkeypatch, related_weight):
    import graph._fork
    from graph import analyse

    G, pairs = _synthetic_analysis_input(tmp_path)
    monkeypatch.setattr(analyse, "can_fork", lambda: False)
    one = analyse_graph(G, similarity=pairs, related_weight=related_weight)
    monkeypatch.setattr(analyse, "can_fork", lambda: True)
    monkeypatch.setattr(analyse, "PARALLEL_MIN", 0)
    forks = []

    class Spy(graph._fork.Forked):
        def __init__(self, function, *args):
            forks.append(function.__name__)
            super().__init__(function, *args)

    monkeypatch.setattr(graph._fork, "Forked", Spy)
    two = analyse_graph(G, similarity=pairs, related_weight=related_weight)
    assert forks == ["_title_words_apart", "_bridges"]
    assert max(one["bridges"].values()) > 0 and len(set(one["pagerank"].values())) > 100
    assert one == two  # the bridges bit for bit


@pytest.mark.filterwarnings("error::RuntimeWarning")  # a failed child falls back with one: that is no pass
@pytest.mark.parametrize("chunk", [3, 8192])
def test_title_words_from_the_child_equal_those_found_here(monkeypatch, chunk):
    # the child reads the titles as one text, a chunk at a time, and gives their words back as arrays
    import graph.link
    from graph import analyse
    from graph._fork import Forked
    from graph.analyse import title_words

    monkeypatch.setattr(graph.link, "_WORDS_CHUNK", chunk)
    monkeypatch.setattr(analyse, "_CHILD_CHUNK", chunk)
    titles = LABEL_TRICKY + ["", "Robot\nrecall: a title of two lines", "Café \ud800 robot", "robot's café"]
    with Forked(analyse._title_words_apart, *analyse._joined(titles)) as worker:
        counts, words = analyse._title_words_of(worker, titles)
    expected, vocabulary = title_words(titles)
    assert words.tolist() == vocabulary.tolist() and "robot" in vocabulary and "café" not in vocabulary
    assert counts.shape == expected.shape and (counts != expected).nnz == 0 and counts.dtype == expected.dtype
    with Forked(analyse._title_words_apart, *analyse._joined(["", "the"])) as worker:
        counts, words = analyse._title_words_of(worker, ["", "the"])
    assert counts.shape == (2, 0) and words.tolist() == []


def _failing_bridges(folder, *args):
    raise MemoryError("no room")


@pytest.mark.parametrize("child", ["_bridges", "_title_words_apart"])
def test_analyse_graph_goes_on_in_one_process_when_the_child_fails(tmp_path, monkeypatch, child):
    from graph import analyse

    G, pairs = _synthetic_analysis_input(tmp_path, articles=150)
    monkeypatch.setattr(analyse, "can_fork", lambda: False)
    one = analyse_graph(G, similarity=pairs)
    monkeypatch.setattr(analyse, "can_fork", lambda: True)
    monkeypatch.setattr(analyse, "PARALLEL_MIN", 0)
    if child == "_bridges":  # called here too when there is no child: it fails in the child only
        bridges = analyse._bridges
        monkeypatch.setattr(analyse, "_bridges",
                            lambda folder, *args: _failing_bridges(folder) if folder else bridges(folder, *args))
    else:
        monkeypatch.setattr(analyse, "_title_words_apart", _failing_bridges)
    with pytest.warns(RuntimeWarning, match=r"worker process failed: MemoryError: no room; the analysis goes on in one"):
        two = analyse_graph(G, similarity=pairs)
    assert one == two


def test_bridge_sources_count_every_linked_pair_when_related_links_weigh_nothing(tmp_path, monkeypatch):
    from graph import analyse

    G, pairs = _synthetic_analysis_input(tmp_path, articles=150)
    asked = []
    monkeypatch.setattr(analyse, "bridge_sources", lambda n: asked.append(n) or 100)
    links = analyse.article_links(G, pairs)
    for weight in (0.1, 0.0):
        analyse_graph(G, similarity=pairs, related_weight=weight)
    u, v, _ = analyse.story_pairs(links, related_weight=1.0)
    u0, v0, _ = analyse.story_pairs(links, related_weight=0.0)
    # the related pairs count as links all the same, though the story graph leaves them out
    assert asked == [int(np.count_nonzero(u != v))] * 2 and int(np.count_nonzero(u0 != v0)) < asked[1]


@pytest.mark.parametrize("options, message", [
    ({"resolution": 0}, r"^resolution must be > 0 or None, got 0$"),
    ({"bridge_samples": 0}, r"^bridge_samples must be a positive integer or None, got 0$"),
    ({"bridge_samples": True}, r"^bridge_samples must be a positive integer or None, got True$"),
])
def test_analyse_graph_refuses_bad_options_before_any_work(tmp_path, monkeypatch, options, message):
    from graph import analyse

    monkeypatch.setattr(analyse, "PARALLEL_MIN", 0)
    monkeypatch.setattr(analyse, "can_fork", lambda: True)
    monkeypatch.setattr(analyse, "start_worker", lambda *a, **k: pytest.fail("a child started"))
    G, pairs = _synthetic_analysis_input(tmp_path, articles=60)
    with pytest.raises(ValueError, match=message):
        analyse_graph(G, similarity=pairs, **options)


def test_a_failing_clustering_stops_the_bridges_child(tmp_path, monkeypatch):
    import tempfile
    from graph import analyse

    G, pairs = _synthetic_analysis_input(tmp_path, articles=100)
    monkeypatch.setattr(analyse, "PARALLEL_MIN", 0)
    monkeypatch.setattr(analyse, "can_fork", lambda: True)
    monkeypatch.setattr(analyse, "_clusters", lambda *a, **k: 1 / 0)
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", None)
    with pytest.raises(ZeroDivisionError):
        analyse_graph(G, similarity=pairs)
    assert list((tmp_path / "tmp").glob("graph-worker-*")) == []  # the child's folder removed, the child stopped



def test_members_by_story_and_time_sort_as_their_texts_do():
    import random

    from graph.analyse import _by_story_and_time

    rnd = random.Random(4)
    times = [None, "", "2021-01-01T00:00:00Z", "2021-01-01T00:00:01Z", "2020-12-31T23:59:59Z", "0999-05-01T00:00:00Z"]
    for odd in (None, "2021-01-01 00:00:00", "~ not a time"):  # any other text: the Python sort, the same order
        published = [rnd.choice(times) for _ in range(400)] + ([odd] if odd else [])
        cluster = np.array([rnd.randrange(-1, 12) for _ in published])
        story = cluster.tolist()
        expected = sorted(np.flatnonzero(cluster >= 0).tolist(), key=lambda i: (story[i], published[i] or "~"))
        assert _by_story_and_time(cluster, published).tolist() == expected


@pytest.mark.parametrize("terms", [-1, 1.5, True])
def test_label_stories_rejects_a_bad_number_of_terms(terms):
    with pytest.raises(ValueError, match=r"^terms must be an integer >= 0, got "):
        label_stories([["Acme recalls robot vacuum"]], terms=terms)


def test_analyse_articles_names_each_step_as_it_starts():
    from graph.pipeline import analyse_articles
    from graph.load import scan
    from tests.conftest import SEEDS

    steps = []
    analyse_articles(scan([SEEDS])[0], stage=steps.append)
    assert steps == ["Building the graph", "Finding articles that report the same story",
                     "Finding stories, central articles and dominant providers", "Adding the same-story links to the graph"]


def test_story_partition_joins_a_lone_follow_up_to_the_one_large_story_it_is_like(monkeypatch):
    import numpy as np

    import graph.analyse as analyse

    # 0-6: a story of seven close reports; 7: a follow-up alike to two of them a little (0.2 each)
    # and to nothing else; 8: alike to two of them and to an article of another story (9-10);
    # 11: alike to one of them only (0.3, under FOLLOW_UP)
    pairs = [(a, b, 0.6) for a in range(7) for b in range(a + 1, 7)]
    pairs += [(7, 0, 0.2), (7, 1, 0.2), (8, 2, 0.2), (8, 3, 0.2), (8, 9, 0.2), (9, 10, 0.6), (11, 4, 0.3)]
    u, v, w = (np.array(x) for x in zip(*pairs))
    assert analyse.FOLLOW_UP == 0.4
    assert analyse.story_partition(12, (u, v, w)).tolist() == [0, 0, 0, 0, 0, 0, 0, 0, 3, 1, 1, 4]
    monkeypatch.setattr(analyse, "FOLLOW_UP", 99.0)  # Surprise alone leaves the follow-up out: it thins the story
    assert analyse.story_partition(12, (u, v, w)).tolist() == [0, 0, 0, 0, 0, 0, 0, 2, 3, 1, 1, 4]


def test_follow_ups_among_50000_stories():
    """Keys of (group, story) pairs pass 2**31 here: scipy's int32 group indices wrapped (a crash, or a wrong article moved)."""
    import numpy as np

    from graph.analyse import _followed_up

    groups = 50_003  # 50,000 lone articles, a story of seven (group 50,000), its follow-up (50,001), another lone one
    story = np.arange(groups)
    sizes = np.ones(groups, dtype=np.int64)
    sizes[50_000] = 7
    large = (sizes >= 5).astype(np.float64)
    row = np.array([50_000, 50_000, 3, 50_002], dtype=np.int32)  # as scipy gives them (upper triangle, a loop)
    col = np.array([50_000, 50_001, 50_002, 50_002], dtype=np.int32)
    moved = _followed_up(story, sizes, (row, col, np.array([4.2, 0.4, 0.3, 0.0])), large)
    assert moved[50_001] == 50_000 and (moved[:50_000] == np.arange(50_000)).all() and moved[50_002] == 50_002
