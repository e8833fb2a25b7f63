"""The drawn page: self-contained, stable, and no document text can run as script."""

from __future__ import annotations

import base64
import hashlib
import json
import re

import networkx as nx
import pytest

from graph.style import PALETTE, compute_layout
from graph.view import details_html, json_for_html, render_html, tooltip_text, vis_assets

HOSTILE = [
    "<img src=x onerror=window.__pwned=1>",
    "</script><script>window.__pwned=1</script>",
    "<!--<script>",
    "see <a href='javascript:window.__pwned=1'>href</a>",
    "\u2028line\u2029separators",
]


@pytest.fixture
def hostile_graph() -> nx.DiGraph:
    G = nx.DiGraph()
    for i, text in enumerate(HOSTILE):
        G.add_node(f"article:https://a.com/{i}", kind="article", label=text, title=text, excerpt=text,
                   url=f"https://a.com/{i}", provider="provider:a.com", topics=[text], in_corpus=True, published=None)
    G.add_node("provider:a.com", kind="provider", label=HOSTILE[1], name=HOSTILE[1], domain="a.com")
    G.add_node("article:javascript", kind="article", label="js", url="javascript:window.__pwned=1", in_corpus=False)
    for i in range(len(HOSTILE)):
        G.add_edge(f"article:https://a.com/{i}", "provider:a.com", kind="published_by")
    G.add_edge("article:https://a.com/0", "article:https://a.com/1", kind="related")
    return G


def scripts_of(page: str) -> list[str]:
    return re.findall(r"<script>(.*?)</script>", page, re.S)


def data_of(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', page, re.S).group(1))


def test_render_html_never_puts_document_text_into_markup(hostile_graph):
    page = render_html(hostile_graph, title=HOSTILE[0], note=HOSTILE[1], legend=[("#0072B2", HOSTILE[0])])
    for text in HOSTILE[:4]:
        assert text not in page
    assert page.count("</script>") == 3  # vis-network, the data block, the page's own code
    assert len(re.findall(r"<script[ >]", page)) == 4  # the three, and core-js's "<script>" string literal
    assert "\u2028" not in page and "\u2029" not in page
    assert "&lt;img src=x onerror=window.__pwned=1&gt;" in page  # title and legend, escaped


def test_render_html_embeds_text_as_json_data_that_reads_back_exactly(hostile_graph):
    data = data_of(render_html(hostile_graph))
    by_id = {node["id"]: node for node in data["nodes"]}
    node = by_id["article:https://a.com/1"]
    assert node["info"]["title"] == HOSTILE[1]
    assert node["title"].startswith(HOSTILE[1] + "\narticle\n")  # tooltip: plain text, shown with innerText
    assert by_id["article:javascript"]["info"]["url"] is None
    assert by_id["article:https://a.com/0"]["info"]["url"] == "https://a.com/0"


def test_render_html_is_self_contained_and_allows_only_its_own_scripts(hostile_graph):
    page = render_html(hostile_graph)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "sourceMappingURL" not in page
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp and "unsafe-inline' " not in csp.split("style-src")[0]
    hashes = set(re.findall(r"'sha256-([^']+)'", csp))
    executable = [s for s in scripts_of(page)]
    assert hashes == {base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() for s in executable}
    assert len(hashes) == 2


def test_render_html_is_the_same_for_the_same_graph_and_seed(hostile_graph):
    assert render_html(hostile_graph, seed=3) == render_html(hostile_graph, seed=3)


def test_render_html_uses_given_positions_colours_and_no_physics():
    G = nx.DiGraph([("a", "b", {"kind": "published_by"})])
    G.nodes["a"].update(kind="article", label="A", in_corpus=True)
    G.nodes["b"].update(kind="provider", label="B")
    data = data_of(render_html(G, positions={"a": (1.0, 2.0), "b": (3.0, 4.0)}, groups={"a": 1}, scores={"a": 1.0}))
    a, b = data["nodes"]
    assert (a["x"], a["y"], b["x"], b["y"]) == (1.0, 2.0, 3.0, 4.0)
    assert a["color"]["background"] == PALETTE[1] and a["shape"] == "dot" and b["shape"] == "square"
    assert (a["size"], b["size"]) == (30.0, 6.0)
    assert data["options"]["physics"] == {"enabled": False}
    assert data["edges"] == [{"from": "a", "to": "b", "color": {"color": "#c8ccd0", "opacity": 0.5}}]


@pytest.mark.parametrize("n, span", [(2, 1000.0), (400, 1400.0), (1500, 2711.09)])
def test_a_drawing_is_about_as_wide_as_a_frame_whatever_its_layout(n, span):
    """70 pixels per square root of the nodes (1,000 at least): fitted into a frame, labels show."""
    G = nx.path_graph([str(i) for i in range(n)]) if n <= 1000 else nx.empty_graph([str(i) for i in range(n)])
    xs, ys = zip(*compute_layout(G, seed=1).values())
    assert round(max(max(xs) - min(xs), max(ys) - min(ys)), 2) == span


def test_render_html_labels_only_the_largest_nodes_of_a_big_graph():
    G = nx.DiGraph()
    for i in range(5):
        G.add_node(str(i), kind="article", label=f"N{i}", in_corpus=True)
    data = data_of(render_html(G, scores={str(i): i / 4 for i in range(5)}, label_limit=2))
    assert [node["label"] for node in data["nodes"]] == ["", "", "", "N3", "N4"]


def test_render_html_draws_an_empty_graph():
    assert "graph-data" in render_html(nx.DiGraph())


def test_json_for_html_escapes_what_could_end_a_script_element():
    text = json_for_html({"a": "</script><!--&\u2028"})
    assert text == '{"a": "\\u003c/script\\u003e\\u003c!--\\u0026\\u2028"}'
    assert json.loads(text) == {"a": "</script><!--&\u2028"}


def test_details_html_escapes_text_and_links_only_http_urls():
    hostile = {"title": HOSTILE[0], "kind": "article", "url": "https://a.com/x?a=1&b=2",
               "fields": [("provider", HOSTILE[1])]}
    out = details_html(hostile)
    assert "<img" not in out and "<script" not in out
    assert '<a href="https://a.com/x?a=1&amp;b=2" target="_blank" rel="noopener noreferrer nofollow">' in out
    assert "href" not in details_html({**hostile, "url": "javascript:alert(1)"})


def test_tooltip_text_is_plain_text_lines():
    details = {"title": "T", "kind": "provider", "url": "https://p.com", "fields": [("domain", "p.com"), ("excerpt", "x")]}
    assert tooltip_text(details) == "T\nprovider\ndomain: p.com\nhttps://p.com"


def test_vis_assets_are_the_bundled_build_without_source_map():
    script, css = vis_assets()
    assert "vis-network" in script and "sourceMappingURL" not in script
    assert css.startswith("div.vis-tooltip{") and "position:absolute" in css and len(css) < 1000
