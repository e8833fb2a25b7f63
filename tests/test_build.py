import pytest

from graph.build import build_graph, graph_counts
from graph.load import scan
from graph.model import Article, Provider, Related
from tests.conftest import SEEDS

GOVTECH = "article:https://govtech.com/security/Privacy-Civil-Rights-Groups-Plan-Facial-Recognition-Offensive.html"
CNBC = "article:https://cnbc.com/2020/12/10/deeres-farm-version-of-facial-recognition-is-coming-to-fields-in-2021.html"


@pytest.fixture
def seeds_graph():
    articles, _ = scan([SEEDS])
    return build_graph(articles)


def test_build_graph_seeds_counts(seeds_graph):
    assert graph_counts(seeds_graph) == {
        "articles": 2, "stubs": 8, "providers": 10, "topics": 3,
        "related_edges": 8, "published_by_edges": 10, "tagged_edges": 6, "similar_edges": 0,
    }


def test_build_graph_article_node_has_schema_attributes(seeds_graph):
    data = seeds_graph.nodes[GOVTECH]
    assert {k: data[k] for k in ("kind", "label", "published", "provider", "topics", "quality", "heat", "in_corpus")} == {
        "kind": "article",
        "label": "Privacy, Civil Rights Groups Plan Facial Recognition Offensive",
        "published": "2020-12-08T21:40:00Z",
        "provider": "provider:govtech.com",
        "topics": ["Natural Language Processing", "AI", "Computer Vision"],
        "quality": 61,
        "heat": -1,
        "in_corpus": True,
    }
    assert data["files"] == [str(SEEDS / "000_4a30299b73ddeaa1.md")]


def test_build_graph_stub_comes_from_related_entry(seeds_graph):
    data = seeds_graph.nodes[CNBC]
    assert (data["in_corpus"], data["title"], data["published"], data["provider"], data["files"], data["topics"]) == (
        False, "Deere's farm version of facial recognition is coming to fields in 2021", "2020-12-11T00:11:00Z",
        "provider:cnbc.com", [], [])
    assert seeds_graph.edges[GOVTECH, CNBC]["kind"] == "related"
    assert seeds_graph.edges[CNBC, "provider:cnbc.com"]["kind"] == "published_by"


def test_build_graph_provider_and_topic_nodes(seeds_graph):
    assert seeds_graph.nodes["provider:govtech.com"] == {
        "kind": "provider", "label": "Government Technology", "name": "Government Technology",
        "domain": "govtech.com", "articles": 1}
    assert seeds_graph.nodes["topic:computer vision"] == {"kind": "topic", "label": "Computer Vision", "name": "Computer Vision"}
    assert sorted(v for _, v, k in seeds_graph.out_edges(GOVTECH, data="kind") if k == "tagged") == [
        "topic:ai", "topic:computer vision", "topic:natural language processing"]


def test_build_graph_links_related_entry_to_loaded_article_through_amp_variant():
    a = Article(url="https://a.com/1", title="A", aliases=("https://a.com/1.amp",),
                related=(Related(url="https://b.com/2"),))
    b = Article(url="https://b.com/2", title="B", related=(Related(url="https://a.com/1.amp"), Related(url="https://b.com/2")))
    G = build_graph([a, b])
    assert sorted((u, v) for u, v, k in G.edges(data="kind") if k == "related") == [
        ("article:https://a.com/1", "article:https://b.com/2"), ("article:https://b.com/2", "article:https://a.com/1")]
    assert graph_counts(G)["stubs"] == 0  # and b listing itself added no self-loop


def test_build_graph_stub_merges_several_related_entries():
    a = Article(url="https://a.com/1", related=(Related(url="https://s.com/x"),))
    b = Article(url="https://b.com/2", related=(Related(url="https://s.com/x", title="Stub title", provider=Provider("S", "s.com")),))
    G = build_graph([a, b])
    stub = G.nodes["article:https://s.com/x"]
    assert (stub["title"], stub["label"], stub["provider"]) == ("Stub title", "Stub title", "provider:s.com")
    assert G.nodes["provider:s.com"]["articles"] == 1


def test_build_graph_provider_falls_back_to_url_domain():
    G = build_graph([Article(url="https://news.example.org/a")])
    assert G.nodes["provider:news.example.org"]["name"] == "news.example.org"
    assert G.nodes["article:https://news.example.org/a"]["label"] == "news.example.org: a"


def test_build_graph_empty_input_gives_empty_graph():
    assert build_graph([]).number_of_nodes() == 0


def test_build_graph_orders_edges_as_met_and_counts_each_edge_once():
    a = Article(url="https://x.com/a", title="A", provider=Provider("x.com"), topics=("AI",),
                related=(Related(url="https://y.com/b"), Related(url="https://y.com/b", title="B")))
    c = Article(url="https://x.com/c", provider=Provider("X", "x.com"), related=(Related(url="https://x.com/a"),))
    G = build_graph([a, c, a])  # a twice: still one node, one edge to its provider
    assert list(G) == ["provider:x.com", "article:https://x.com/a", "topic:ai", "article:https://x.com/c",
                       "provider:y.com", "article:https://y.com/b"]
    assert list(G.edges(data="kind")) == [
        ("article:https://x.com/a", "provider:x.com", "published_by"),
        ("article:https://x.com/a", "topic:ai", "tagged"),
        ("article:https://x.com/a", "article:https://y.com/b", "related"),
        ("article:https://x.com/c", "provider:x.com", "published_by"),
        ("article:https://x.com/c", "article:https://x.com/a", "related"),
        ("article:https://y.com/b", "provider:y.com", "published_by"),
    ]
    assert G.nodes["provider:x.com"] == {"kind": "provider", "label": "x.com", "name": "x.com", "domain": "x.com",
                                         "articles": 2}
    assert G.nodes["article:https://y.com/b"]["label"] == "B"  # the URL's label gives way to a title
    assert list(G.pred["provider:x.com"]) == ["article:https://x.com/a", "article:https://x.com/c"]


def test_build_graph_keeps_every_edge_of_an_article_given_twice():
    """Outside the contract (articles come merged), but nothing is lost: each record's edges, in the order given."""
    first = Article(url="https://x.com/a", title="A", provider=Provider("X", "x.com"), topics=("AI",))
    second = Article(url="https://x.com/a", title="A2", provider=Provider("Y", "y.com"), topics=("ML",),
                     related=(Related(url="https://z.com/b"),))
    G = build_graph([first, second])
    assert G.nodes["article:https://x.com/a"]["title"] == "A2"
    assert list(G.edges(data="kind")) == [
        ("article:https://x.com/a", "provider:x.com", "published_by"),
        ("article:https://x.com/a", "topic:ai", "tagged"),
        ("article:https://x.com/a", "provider:y.com", "published_by"),
        ("article:https://x.com/a", "topic:ml", "tagged"),
        ("article:https://x.com/a", "article:https://z.com/b", "related"),
        ("article:https://z.com/b", "provider:z.com", "published_by"),
    ]
    assert all(G.succ[u][v] is G.pred[v][u] for u, v in G.edges)
    assert [G.nodes[p]["articles"] for p in ("provider:x.com", "provider:y.com")] == [1, 1]


def test_a_stub_label_gives_way_to_a_title_only_while_it_is_the_urls():
    """A stub known first without a title is labelled from its URL, and takes the first title given later;
    one known first with a title keeps it, even a title that reads like a URL label of another host."""
    stub_url, other_url, odd_url = "https://y.com/b-c", "https://z.com/d", "https://w.com?x=1"
    first = Article("https://x.com/a", "A", related=(
        Related(stub_url), Related(other_url, "First title"), Related(odd_url, "w.com"),
    ))
    later = Article("https://x.com/f", "F", related=(
        Related(stub_url, "Given later"), Related(other_url, "Second title"), Related(odd_url, "Another"),
    ))
    G = build_graph([first, later])
    labels = [G.nodes[f"article:{url}"]["label"] for url in (stub_url, other_url, odd_url)]
    # w.com?x=1 has no path: its URL label is the host alone, which the first title happened to be
    assert labels == ["Given later", "First title", "Another"]
