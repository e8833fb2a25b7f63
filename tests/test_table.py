"""What the views list: rows, details and counts follow the (filtered) graph; text stays text."""

from __future__ import annotations

import networkx as nx
import pytest

from graph.model import FileRecord, Issue, LoadReport
from graph.table import (
    article_rows,
    describe_node,
    escape_markdown,
    provider_rows,
    report_rows,
    safe_url,
    story_provider_rows,
    story_rows,
    topic_rows,
    view_counts,
)


@pytest.fixture
def graph() -> nx.DiGraph:
    G = nx.DiGraph()
    for n, p, day, corpus in [("a", "p", "01", True), ("b", "q", "02", True), ("c", "q", "03", False)]:
        G.add_node(n, kind="article", label=n.upper(), url=f"https://{p}.com/{n}", provider=p,
                   published=f"2021-01-{day}T00:00:00Z", in_corpus=corpus, topics=["AI"])
        G.add_edge(n, p, kind="published_by")
        G.add_edge(n, "t", kind="tagged")
    G.add_nodes_from([("p", {"kind": "provider", "label": "P", "domain": "p.com"}),
                      ("q", {"kind": "provider", "label": "Q", "domain": "q.com"}),
                      ("t", {"kind": "topic", "label": "AI", "name": "AI"})])
    G.add_edge("a", "b", kind="related")
    G.add_edge("b", "c", kind="similar")
    return G


@pytest.fixture
def analysis() -> dict:
    return {
        "clusters": {"a": 0, "b": 0, "c": 1},
        "pagerank": {"a": 0.5, "b": 0.3, "c": 0.2},
        "in_links": {"b": 1},
        "stories": [
            {"id": 0, "label": "a, b", "title": "A", "first_provider": "p", "members": ["a", "b"],
             "hhi": 0.5, "dominant": "p", "dominant_share": 0.5},
            {"id": 1, "label": "c", "members": ["c"]},
        ],
        "providers": {"p": {"articles": 1, "share": 0.5, "in_links": 0, "in_link_share": 0.0, "stories": 1, "first_reports": 1}},
    }


def test_view_counts_follow_the_graph(graph, analysis):
    report = LoadReport((FileRecord("x.md", "rejected", line=2, reason="bad"),))
    assert view_counts(graph, analysis, report) == {
        "articles": 2, "stubs": 1, "stories": 2, "providers": 2, "topics": 1, "links": 2, "rejected": 1}


def test_story_rows_count_within_the_graph_and_name_providers(graph, analysis):
    assert story_rows(graph, analysis) == [
        {"story": 0, "title": "A", "terms": "a, b", "articles": 2, "stubs": 0, "providers": 2, "broken by": "P",
         "start": "2021-01-01", "end": "2021-01-02", "dominant": "P", "dominant share": 0.5, "hhi": 0.5},
        {"story": 1, "title": "c", "terms": "c", "articles": 0, "stubs": 1, "providers": 1, "broken by": "",
         "start": "2021-01-03", "end": "2021-01-03", "dominant": "", "dominant share": None, "hhi": None},
    ]
    assert [row["story"] for row in story_rows(graph, analysis, nodes=["c"])] == [1]


def test_provider_rows_share_counts_in_corpus_articles(graph, analysis):
    rows = provider_rows(graph, analysis)
    assert [(r["provider"], r["articles"], r["share"], r["stories"], r["first reports"]) for r in rows] == [
        ("P", 1, 0.5, 1, 1), ("Q", 1, 0.5, 2, 0)]
    assert [r["provider"] for r in provider_rows(graph, analysis, nodes=["a"])] == ["P"]


def test_story_provider_rows_name_who_broke_the_story(graph, analysis):
    assert [(r["provider"], r["share"], r["broke it"]) for r in story_provider_rows(graph, analysis, 0)] == [
        ("P", 0.5, True), ("Q", 0.5, False)]


def test_topic_rows_count_articles_stories_providers(graph, analysis):
    assert topic_rows(graph, analysis) == [{"topic": "AI", "articles": 2, "stories": 2, "providers": 2, "id": "t"}]


def test_article_rows_drop_urls_that_are_not_http(graph, analysis):
    graph.nodes["a"]["url"] = "javascript:alert(1)"
    rows = article_rows(graph, ["a", "b"], analysis)
    assert [(r["title"], r["url"], r["cited by"], r["stub"]) for r in rows] == [
        ("A", None, 0, False), ("B", "https://q.com/b", 1, False)]


def test_describe_node_of_provider_lists_its_dominance_figures(graph, analysis):
    details = describe_node(graph, "p", analysis)
    assert details["url"] == "https://p.com"
    assert ("first reports", "1") in details["fields"] and ("share", "50.0%") in details["fields"]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "https://a.com/<x>", "https://a.com/ x", " https://a.com", None, 3])
def test_safe_url_refuses_anything_but_plain_http_urls(url):
    assert safe_url(url) is None


def test_escape_markdown_neutralises_links_images_and_directives():
    assert escape_markdown("[a](javascript:x) **b** :red[c]") == "\\[a\\]\\(javascript\\:x\\) \\*\\*b\\*\\* \\:red\\[c\\]"


def test_report_rows_list_rejected_first_with_file_and_line():
    report = LoadReport((
        FileRecord("/c/ok.md", "loaded"),
        FileRecord("/c/w.md", "loaded", warnings=(Issue(4, "quality", "ignored"),)),
        FileRecord("/c/bad.md", "rejected", line=3, reason="invalid YAML"),
        FileRecord("/c/dup.md", "duplicate", duplicate_of="/c/ok.md"),
    ))
    assert report_rows(report, root="/c") == [
        {"status": "rejected", "where": "bad.md:3", "reason": "invalid YAML", "warnings": ""},
        {"status": "duplicate", "where": "dup.md", "reason": "same article as /c/ok.md", "warnings": ""},
        {"status": "loaded", "where": "w.md", "reason": "", "warnings": "line 4: quality: ignored"},
    ]


def test_report_rows_show_file_names_safely():
    """A name's undecodable bytes as escapes (two such names read apart), its direction controls too
    (it must not reverse the row)."""
    from graph.model import FileRecord, LoadReport

    report = LoadReport((FileRecord("/up/bad\udcffname.md", "rejected", line=2, reason="invalid YAML"),
                         FileRecord("/up/spoof\u202egnp.md", "rejected", reason="empty file")))
    assert [row["where"] for row in report_rows(report, root="/up")] == ["bad\\xffname.md:2", "spoof\\u202egnp.md"]


def test_report_rows_name_a_file_given_as_the_folder_by_its_name():
    from graph.model import FileRecord, LoadReport

    report = LoadReport((FileRecord("/up/notes.txt", "rejected", line=1, reason="no front matter"),))
    assert [row["where"] for row in report_rows(report, root="/up/notes.txt")] == ["notes.txt:1"]


def test_a_story_of_tied_providers_names_no_dominant_one(graph, analysis):
    from graph.select import select_overview

    analysis["stories"][0]["providers"] = [("p", 1), ("q", 1)]  # a: P, b: Q, one article each
    H = select_overview(graph, analysis).graph
    details = dict(describe_node(H, 0, analysis)["fields"])
    assert details["dominant"] == "none (2 tied) (50%)"
    analysis["stories"][0]["providers"] = [("p", 2), ("q", 1)]
    details = dict(describe_node(select_overview(graph, analysis).graph, 0, analysis)["fields"])
    assert details["dominant"] == "P (50%)"
