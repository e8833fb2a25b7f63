"""Exports: round trips of every format on awkward text, the GEXF schema, igraph, the CLI."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import zipfile
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from graph.analyse import analyse_graph
from graph.build import build_graph, graph_counts
from graph.cli import cli
from graph.errors import InputError
from graph.export import (
    FORMATS,
    annotate_graph,
    export_bytes,
    resolve_nodes,
    scalar_value,
    write_csv,
    write_gexf,
    write_graph,
    write_graphml,
    write_html,
    write_json,
    write_parquet,
)
from graph.load import scan
from graph.model import NodeKind
from graph.pipeline import analyse_articles
from graph.style import compute_layout

DATA = Path(__file__).resolve().parent / "data"
AWKWARD = DATA / "awkward"
SCHEMA = DATA / "gexf-1.3" / "gexf.rng"
SEEDS = Path(__file__).resolve().parent.parent / "seeds"
LOOK = ("color", "size", "x", "y")


@pytest.fixture(scope="module")
def awkward_graph():
    """The graph of tests/data/awkward: commas, quotes, <, &, Cyrillic, CJK, Arabic, emoji, a stub."""
    articles, report = scan([str(AWKWARD)])
    assert report.count("loaded") == 3
    return build_graph(articles)


@pytest.fixture
def raw_graph():
    """A hand-built graph with every awkward value type the writers must convert."""
    G = nx.DiGraph()
    G.add_node(
        "a", kind="article", label="A\r\nB  c\tz", in_corpus=True, title="x\x01y\r\nz\n",
        when=dt.datetime(2021, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc), topics=("p", "q,r"),
        quality=61, big=2**70, flag=True, empty=None,
    )
    G.add_node("b", kind="article", label="B", in_corpus=False, quality=7.5, flag=None, title="", topics=[])
    G.add_node("t:<&>", kind="topic", label='<&> "t"', name="<&>")
    G.add_edge("a", "b", kind="similar", weight=0.5)
    G.add_edge("a", "t:<&>", kind="tagged")
    return G


RAW_ANALYSIS = {
    "clusters": {"a": 0, "b": 0},
    "pagerank": {"a": 0.25, "b": 1.0},
    "in_links": {"a": 0, "b": 0},
    "bridges": {"a": 0.0, "b": 0.0},
}
RAW_POSITIONS = {"a": (1.5, -2.0), "b": (3.0, 4.0), "t:<&>": (0.0, 10.0)}


def _flat(value):
    """What a flat format holds for a value: lists joined with '|', dates as ISO strings."""
    if isinstance(value, (list, tuple)):
        return "|".join(_flat(item) for item in value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _same(read, expected) -> bool:
    """A read-back value equals the exported one, allowing the format's conversion."""
    expected = _flat(expected)
    if isinstance(expected, bool):
        return read in (expected, "true" if expected else "false")
    if isinstance(expected, (int, float)):
        return not isinstance(read, bool) and math.isclose(float(read), float(expected))
    return read == expected or read == expected.replace("\x01", "\ufffd")  # XML 1.0 cannot hold \x01


def _check_round_trip(H: nx.DiGraph, R: nx.DiGraph, *, skip=()) -> None:
    """Every node, edge and non-None attribute of H is in R (converted)."""
    assert set(R) == set(H)
    assert set(R.edges()) == set(H.edges())
    for n, data in H.nodes(data=True):
        for key, value in data.items():
            if value is None or key in skip:
                continue
            assert key in R.nodes[n], (n, key)
            assert _same(R.nodes[n][key], value), (n, key, R.nodes[n][key], value)
    for u, v, data in H.edges(data=True):
        for key, value in data.items():
            assert _same(R.edges[u, v][key], value), (u, v, key)


# --- conversions ------------------------------------------------------------------------------


def test_scalar_value_turns_dates_and_lists_into_strings():
    assert scalar_value(dt.datetime(2021, 1, 2, 3, 4, 5)) == "2021-01-02T03:04:05"
    assert scalar_value(dt.date(2021, 1, 2)) == "2021-01-02"
    assert scalar_value(["a", 1, True, None]) == "a|1|true|"
    assert scalar_value(("x",)) == "x"
    assert scalar_value({"b", "a"}) == "a|b"
    assert scalar_value({"k": [1]}) == '{"k": [1]}'
    assert scalar_value(NodeKind.TOPIC) == "topic"
    assert scalar_value(2.5) == 2.5 and scalar_value(None) is None


def test_annotate_graph_adds_analysis_and_the_apps_look(raw_graph):
    H = annotate_graph(raw_graph, analysis=RAW_ANALYSIS, positions=RAW_POSITIONS)
    assert {k: H.nodes["b"][k] for k in ("cluster", "pagerank", "in_links", "bridge", *LOOK)} == {
        "cluster": 0, "pagerank": 1.0, "in_links": 0, "bridge": 0.0,
        "color": "#0072B2", "size": 30.0, "x": 3.0, "y": 4.0,
    }
    assert H.nodes["a"]["size"] == 18.0  # sqrt(0.25 / 1.0) of the way from 6 to 30
    assert H.nodes["t:<&>"]["color"] == "#9AA0A6" and "cluster" not in H.nodes["t:<&>"]
    assert "color" not in raw_graph.nodes["a"]  # G is not modified


def _page_nodes(page: str) -> list[dict]:
    """The nodes render_html draws: its JSON payload."""
    start = page.index('<script type="application/json" id="graph-data">') + len('<script type="application/json" id="graph-data">')
    return json.loads(page[start:page.index("</script>", start)])["nodes"]


def test_annotate_graph_gives_the_look_of_the_apps_page(awkward_graph):
    from graph.view import render_html

    analysis = analyse_graph(awkward_graph, seed=3)
    H = annotate_graph(awkward_graph, analysis=analysis, seed=3)
    drawn = {node["id"]: node for node in _page_nodes(render_html(awkward_graph, seed=3, analysis=analysis))}
    assert set(drawn) == set(H)
    for n, data in H.nodes(data=True):
        assert (data["x"], data["y"]) == (drawn[n]["x"], drawn[n]["y"]) == compute_layout(awkward_graph, seed=3)[n]
        assert (data["color"], data["size"]) == (drawn[n]["color"]["background"], drawn[n]["size"])


def test_resolve_nodes_accepts_id_domain_and_name(awkward_graph):
    assert resolve_nodes(awkward_graph, ["fox.example", 'FOX & "Friends" <news>', "provider:b.example"],
                         kind=NodeKind.PROVIDER) == ["provider:fox.example", "provider:fox.example", "provider:b.example"]
    assert resolve_nodes(awkward_graph, ["ai, ml", "Données & <Société>"], kind=NodeKind.TOPIC) == [
        "topic:ai, ml", "topic:données & <société>"]
    with pytest.raises(InputError, match="no topic named 'nope'"):
        resolve_nodes(awkward_graph, ["nope"], kind=NodeKind.TOPIC)


def test_write_graph_rejects_unknown_format(raw_graph, tmp_path):
    with pytest.raises(ValueError, match="format must be one of graphml, gexf, json, csv, html, parquet"):
        write_graph(raw_graph, tmp_path / "x", format="dot", analysis=RAW_ANALYSIS)


# --- GraphML ----------------------------------------------------------------------------------


def test_write_graphml_round_trips_awkward_text(awkward_graph, tmp_path):
    H = annotate_graph(awkward_graph)
    (path,) = write_graphml(awkward_graph, tmp_path / "g.graphml")
    _check_round_trip(H, nx.read_graphml(path))


def test_write_graphml_converts_every_type(raw_graph, tmp_path):
    (path,) = write_graphml(raw_graph, tmp_path / "g.graphml", analysis=RAW_ANALYSIS, positions=RAW_POSITIONS)
    R = nx.read_graphml(path)
    a, b = R.nodes["a"], R.nodes["b"]
    assert a["when"] == "2021-01-02T03:04:05+00:00" and a["topics"] == "p|q,r" and b["topics"] == ""
    assert a["quality"] == 61.0 and b["quality"] == 7.5 and isinstance(a["quality"], float)  # int + float: double
    assert a["big"] == str(2**70)  # beyond 64 bits: a string
    assert a["flag"] is True and "flag" not in b and "empty" not in a  # None is left out
    assert a["title"] == "x\ufffdy\r\nz\n" and a["label"] == "A\r\nB  c\tz"  # XML can't hold \x01
    assert R.nodes["t:<&>"]["label"] == '<&> "t"'
    assert R.edges["a", "b"] == {"kind": "similar", "weight": 0.5}


def test_write_graphml_reads_in_igraph_with_the_same_counts_and_attributes(awkward_graph, tmp_path):
    igraph = pytest.importorskip("igraph")
    H = annotate_graph(awkward_graph)
    (path,) = write_graphml(awkward_graph, tmp_path / "g.graphml")
    g = igraph.Graph.Read_GraphML(str(path))
    assert (g.vcount(), g.ecount()) == (H.number_of_nodes(), H.number_of_edges())
    # igraph's reader gives '&' in a node id attribute as '&#38;' (text values are fine): README.
    ids = [i.replace("&#38;", "&") for i in g.vs["id"]]
    assert ids == list(H)
    assert {(ids[e.source], ids[e.target]) for e in g.es} == set(H.edges())
    for vertex, n in zip(g.vs, ids):
        for key, value in H.nodes[n].items():
            if value is not None:
                assert _same(vertex[key], value), (n, key)
    assert sorted(g.es["kind"]) == sorted(kind for _, _, kind in H.edges(data="kind"))


# --- GEXF -------------------------------------------------------------------------------------


def _validate(path: Path) -> None:
    from lxml import etree

    schema = etree.RelaxNG(etree.parse(str(SCHEMA)))
    assert schema.validate(etree.parse(str(path))), schema.error_log


def test_write_gexf_validates_against_the_gexf_1_3_schema(awkward_graph, raw_graph, tmp_path):
    (first,) = write_gexf(awkward_graph, tmp_path / "a.gexf")
    (second,) = write_gexf(raw_graph, tmp_path / "b.gexf", analysis=RAW_ANALYSIS, positions=RAW_POSITIONS)
    _validate(first)
    _validate(second)
    text = first.read_text(encoding="utf-8")
    assert 'version="1.3"' in text and 'xmlns="http://gexf.net/1.3"' in text
    assert 'z="None"' not in text and "xsi:" not in text and 'name=""' not in text


def test_write_gexf_round_trips_with_the_apps_colours_sizes_and_positions(awkward_graph, tmp_path):
    H = annotate_graph(awkward_graph, seed=2)
    (path,) = write_gexf(awkward_graph, tmp_path / "g.gexf", seed=2)
    R = nx.read_gexf(path)
    _check_round_trip(H, R, skip=LOOK)
    positions = compute_layout(awkward_graph, seed=2)
    for n, data in H.nodes(data=True):
        viz = R.nodes[n]["viz"]
        color = data["color"]
        assert (viz["color"]["r"], viz["color"]["g"], viz["color"]["b"]) == tuple(
            int(color[i:i + 2], 16) for i in (1, 3, 5))
        assert viz["size"] == data["size"]
        # Gephi's y axis points up: y is negated so the picture is the app's, not its mirror image.
        assert (viz["position"]["x"], -viz["position"]["y"]) == positions[n]


def test_write_gexf_writes_edge_weights_and_kinds(raw_graph, tmp_path):
    (path,) = write_gexf(raw_graph, tmp_path / "g.gexf", analysis=RAW_ANALYSIS, positions=RAW_POSITIONS)
    R = nx.read_gexf(path)
    assert R.edges["a", "b"] == {"kind": "similar", "weight": 0.5}
    assert R.edges["a", "t:<&>"] == {"kind": "tagged"}
    assert R.nodes["a"]["when"] == "2021-01-02T03:04:05+00:00" and R.nodes["a"]["topics"] == "p|q,r"
    assert R.nodes["a"]["quality"] == 61.0 and R.nodes["b"]["quality"] == 7.5
    assert R.nodes["a"]["viz"]["position"] == {"x": 1.5, "y": 2.0, "z": 0.0}


# --- JSON -------------------------------------------------------------------------------------


def test_write_json_round_trips_with_node_link_graph(awkward_graph, tmp_path):
    H = annotate_graph(awkward_graph)
    (path,) = write_json(awkward_graph, tmp_path / "g.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    R = nx.node_link_graph(data, edges="edges")
    assert dict(R.nodes(data=True)) == dict(H.nodes(data=True))  # lists stay lists, None stays null
    assert sorted(R.edges(data=True)) == sorted(H.edges(data=True))
    for n, node in R.nodes(data=True):
        if node["kind"] == "article":
            assert "cluster" in node and "pagerank" in node
    assert all("kind" in edge for edge in data["edges"])


def test_write_json_converts_dates_and_non_finite_numbers(raw_graph, tmp_path):
    raw_graph.nodes["b"]["score"] = float("nan")
    (path,) = write_json(raw_graph, tmp_path / "g.json", analysis=RAW_ANALYSIS, positions=RAW_POSITIONS)
    R = nx.node_link_graph(json.loads(path.read_text(encoding="utf-8")), edges="edges")
    assert R.nodes["a"]["when"] == "2021-01-02T03:04:05+00:00" and R.nodes["a"]["topics"] == ["p", "q,r"]
    assert R.nodes["a"]["title"] == "x\x01y\r\nz\n" and R.nodes["b"]["score"] is None


# --- CSV --------------------------------------------------------------------------------------


def _read_csv(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def _check_rows(H: nx.DiGraph, nodes: list[dict], edges: list[dict]) -> None:
    assert [row["id"] for row in nodes] == list(H)
    assert [(row["source"], row["target"]) for row in edges] == list(H.edges())
    for row, (n, data) in zip(nodes, H.nodes(data=True)):
        for key, value in data.items():
            if value is None:
                assert row[key] == ""
            else:
                assert _same(row[key], value), (n, key, row[key])
    for row, (_, _, data) in zip(edges, H.edges(data=True)):
        assert all(_same(row[key], value) for key, value in data.items())


def test_write_csv_writes_two_files_beside_the_name(awkward_graph, tmp_path):
    H = annotate_graph(awkward_graph)
    paths = write_csv(awkward_graph, tmp_path / "g.csv")
    assert paths == [tmp_path / "g.nodes.csv", tmp_path / "g.edges.csv"]
    _check_rows(H, _read_csv(paths[0].read_bytes()), _read_csv(paths[1].read_bytes()))


def test_write_csv_to_zip_quotes_newlines_and_commas(raw_graph, tmp_path):
    H = annotate_graph(raw_graph, analysis=RAW_ANALYSIS, positions=RAW_POSITIONS)
    (path,) = write_csv(raw_graph, tmp_path / "g.zip", analysis=RAW_ANALYSIS, positions=RAW_POSITIONS)
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == ["nodes.csv", "edges.csv"]
        nodes, edges = _read_csv(archive.read("nodes.csv")), _read_csv(archive.read("edges.csv"))
    _check_rows(H, nodes, edges)
    assert nodes[0]["title"] == "x\x01y\r\nz\n" and nodes[0]["topics"] == "p|q,r"
    assert nodes[0]["in_corpus"] == "true" and nodes[1]["flag"] == ""


# --- Parquet ----------------------------------------------------------------------------------


def test_write_parquet_reads_back_with_graphframes_columns(awkward_graph, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    H = annotate_graph(awkward_graph)
    paths = write_parquet(awkward_graph, tmp_path / "g.parquet")
    assert paths == [tmp_path / "g.nodes.parquet", tmp_path / "g.edges.parquet"]
    nodes, edges = pq.read_table(paths[0]), pq.read_table(paths[1])
    assert nodes.column_names[0] == "id" and edges.column_names[:2] == ["src", "dst"]
    assert (nodes.num_rows, edges.num_rows) == (H.number_of_nodes(), H.number_of_edges())
    assert str(nodes.schema.field("topics").type) == "list<element: string>"
    assert str(nodes.schema.field("quality").type) == "double"
    for row, (n, data) in zip(nodes.to_pylist(), H.nodes(data=True)):
        assert row["id"] == n
        assert all(row[key] == value or _same(row[key], value) for key, value in data.items() if value is not None)
    assert [(row["src"], row["dst"], row["kind"]) for row in edges.to_pylist()] == list(H.edges(data="kind"))


# --- HTML -------------------------------------------------------------------------------------


def test_write_html_is_one_self_contained_page_with_escaped_text(awkward_graph, tmp_path):
    (path,) = write_html(awkward_graph, tmp_path / "g.html", seed=1)
    page = path.read_text(encoding="utf-8")
    H = annotate_graph(awkward_graph, seed=1)
    drawn = {node["id"]: node for node in _page_nodes(page)}
    assert set(drawn) == set(H)
    assert all((drawn[n]["x"], drawn[n]["y"], drawn[n]["size"]) == (d["x"], d["y"], d["size"]) for n, d in H.nodes(data=True))
    assert "<script>alert(1)</script>" not in page and "<b>tags</b>" not in page
    assert 'src="http' not in page and "<link" not in page and "@import" not in page
    assert 'id="png"' in page


# --- every format -----------------------------------------------------------------------------


def _read_back(format: str, content: bytes) -> tuple[dict, set]:
    """Node attributes by id, and edges, from export_bytes's output."""
    if format in ("graphml", "gexf"):
        R = (nx.read_graphml if format == "graphml" else nx.read_gexf)(io.BytesIO(content))
        nodes = {n: dict(data) for n, data in R.nodes(data=True)}
        for data in nodes.values():
            viz = data.pop("viz", None)
            if viz:
                data.update(color=viz["color"], size=viz["size"], x=viz["position"]["x"], y=viz["position"]["y"])
        return nodes, set(R.edges())
    if format == "json":
        R = nx.node_link_graph(json.loads(content), edges="edges")
        return dict(R.nodes(data=True)), set(R.edges())
    if format == "html":
        page = content.decode("utf-8")
        start = page.index('id="graph-data">') + len('id="graph-data">')
        data = json.loads(page[start:page.index("</script>", start)])
        return {node["id"]: node for node in data["nodes"]}, {(edge["from"], edge["to"]) for edge in data["edges"]}
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        if format == "csv":
            nodes, edges = _read_csv(archive.read("nodes.csv")), _read_csv(archive.read("edges.csv"))
            return {row["id"]: row for row in nodes}, {(row["source"], row["target"]) for row in edges}
        import pyarrow.parquet as pq

        nodes = pq.read_table(io.BytesIO(archive.read("nodes.parquet"))).to_pylist()
        edges = pq.read_table(io.BytesIO(archive.read("edges.parquet"))).to_pylist()
        return {row["id"]: row for row in nodes}, {(row["src"], row["dst"]) for row in edges}


@pytest.mark.parametrize("format", ["graphml", "gexf", "json", "csv", "parquet"])
def test_export_bytes_drops_no_attribute(format, awkward_graph, raw_graph):
    for G, options in ((awkward_graph, {}), (raw_graph, {"analysis": RAW_ANALYSIS, "positions": RAW_POSITIONS})):
        H = annotate_graph(G, **options)
        nodes, edges = _read_back(format, export_bytes(G, format=format, **options))
        assert set(nodes) == set(H) and edges == set(H.edges())
        for n, data in H.nodes(data=True):
            missing = {key for key, value in data.items() if value is not None and key not in nodes[n]}
            assert not missing, (format, n, missing)


@pytest.mark.parametrize("format", ["graphml", "gexf", "json", "csv", "parquet", "html"])
def test_export_bytes_of_an_empty_graph_reads_back_empty(format):
    nodes, edges = _read_back(format, export_bytes(nx.DiGraph(), format=format))
    assert (nodes, edges) == ({}, set())


def test_export_bytes_names_its_suffix_and_media_type(raw_graph):
    assert set(FORMATS) == {"graphml", "gexf", "json", "csv", "html", "parquet"}
    content = export_bytes(raw_graph, format="csv", analysis=RAW_ANALYSIS)
    assert FORMATS["csv"] == (".csv.zip", "application/zip") and content[:2] == b"PK"
    assert export_bytes(raw_graph, format="csv", analysis=RAW_ANALYSIS) == content  # repeatable


# --- command line -----------------------------------------------------------------------------


def _stats(path) -> dict:
    result = CliRunner().invoke(cli, ["stats", str(path), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _node_and_edge_counts(stats: dict) -> tuple[int, int]:
    nodes = stats["articles"] + stats["stubs"] + stats["providers"] + stats["topics"]
    edges = sum(stats[f"{kind}_edges"] for kind in ("related", "published_by", "tagged", "similar"))
    return nodes, edges


@pytest.mark.parametrize("format", ["graphml", "gexf", "json", "csv", "parquet", "html"])
def test_cli_export_writes_the_counts_of_stats(format, tmp_path):
    out = tmp_path / ("g.zip" if format in ("csv", "parquet") else f"g.{format}")
    result = CliRunner().invoke(cli, ["export", str(SEEDS), "--format", format, "--out", str(out), "--seed", "1"])
    assert result.exit_code == 0, result.output
    nodes, edges = _read_back(format, out.read_bytes())
    assert (len(nodes), len(edges)) == _node_and_edge_counts(_stats(SEEDS))
    assert result.output == f"{len(nodes)} nodes, {len(edges)} edges -> {out}\n"


def test_cli_export_filters_like_the_app(tmp_path):
    out = tmp_path / "g.json"
    args = ["export", str(AWKWARD), "--format", "json", "--out", str(out)]
    result = CliRunner().invoke(cli, [*args, "--provider", "fox.example", "--provider", "Б-пресс, \"ООО\"",
                                      "--start", "2021-02-01", "--end", "2021-02-01", "--no-stubs"])
    assert result.exit_code == 0, result.output
    R = nx.node_link_graph(json.loads(out.read_text(encoding="utf-8")), edges="edges")
    assert sorted(n for n, kind in R.nodes(data="kind") if kind == "article") == [
        "article:https://fox.example/news/quotes,commas?b=%3C2%3E&id=1"]
    result = CliRunner().invoke(cli, [*args, "--topic", "日本語", "--min-quality", "50"])
    assert result.exit_code == 0, result.output
    R = nx.node_link_graph(json.loads(out.read_text(encoding="utf-8")), edges="edges")
    assert graph_counts(R)["articles"] == 1 and graph_counts(R)["stubs"] == 0


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--provider", "nope.example"], "Error: no provider named 'nope.example'"),
        (["--start", "2021-13-01"], "Error: Invalid value for '--start': '2021-13-01' is not an ISO date"),
        (["--format", "dot"], "Error: Invalid value for '--format'"),
    ],
)
def test_cli_export_bad_option_exits_1_with_one_line(extra, message, tmp_path):
    args = ["export", str(SEEDS), "--out", str(tmp_path / "g.out")]
    if "--format" not in extra:
        args += ["--format", "json"]
    result = CliRunner().invoke(cli, [*args, *extra])
    assert result.exit_code == 1
    assert result.output.startswith(message) and result.output.count("\n") == 1


def test_cli_export_to_a_missing_folder_exits_1(tmp_path):
    out = tmp_path / "no" / "g.json"
    result = CliRunner().invoke(cli, ["export", str(SEEDS), "--format", "json", "--out", str(out)])
    assert result.exit_code == 1
    assert result.output == f"Error: {out}: No such file or directory\n"


# --- the real corpora ---------------------------------------------------------------------------


def test_exports_of_the_real_corpora_open_in_their_targets(corpus_dir, tmp_path):
    igraph = pytest.importorskip("igraph")
    for folder in sorted(p for p in corpus_dir.iterdir() if p.is_dir()):
        nodes, edges = _node_and_edge_counts(_stats(folder))
        articles, _ = scan([str(folder)])
        G, analysis, _ = analyse_articles(articles)  # as stats does: with inferred similar links
        positions = compute_layout(G)
        (gexf,) = write_gexf(G, tmp_path / "g.gexf", analysis=analysis, positions=positions)
        _validate(gexf)
        assert (nx.read_gexf(gexf).number_of_nodes(), nx.read_gexf(gexf).number_of_edges()) == (nodes, edges)
        (graphml,) = write_graphml(G, tmp_path / "g.graphml", analysis=analysis, positions=positions)
        R = nx.read_graphml(graphml)
        assert (R.number_of_nodes(), R.number_of_edges()) == (nodes, edges)
        g = igraph.Graph.Read_GraphML(str(graphml))
        assert (g.vcount(), g.ecount()) == (nodes, edges)
        (path,) = write_json(G, tmp_path / "g.json", analysis=analysis, positions=positions)
        J = nx.node_link_graph(json.loads(path.read_text(encoding="utf-8")), edges="edges")
        assert all("cluster" in d and "pagerank" in d for _, d in J.nodes(data=True) if d["kind"] == "article")
        paths = write_csv(G, tmp_path / "g.csv", analysis=analysis, positions=positions)
        assert [len(_read_csv(p.read_bytes())) for p in paths] == [nodes, edges]


@pytest.mark.parametrize("format", ["graphml", "gexf", "json", "csv", "parquet", "html"])
def test_a_lone_surrogate_is_written_as_the_replacement_character(format):
    """A file name's undecodable byte (os.fsdecode's lone surrogate) cannot be UTF-8: it becomes U+FFFD."""
    G = nx.DiGraph()
    G.add_node("article:https://a.com/x", kind="article", label="X", url="https://a.com/x", in_corpus=True,
               files=["/corpus/bad\udcffname.md"], note="odd \udcfe text")
    nodes, _ = _read_back(format, export_bytes(G, format=format))
    node = nodes["article:https://a.com/x"]
    if format == "html":
        assert "bad\ufffdname.md" in json.dumps(node["info"], ensure_ascii=False)
    else:
        files = node["files"]
        assert (files if isinstance(files, str) else "|".join(files)) == "/corpus/bad\ufffdname.md"
        assert node["note"] == "odd \ufffd text"


def test_build_shows_a_file_name_of_bytes_that_are_no_utf8_with_the_replacement_character():
    from graph.model import Article

    G = build_graph([Article("https://a.com/x", "X", files=("/corpus/bad\udcffname.md",))])
    assert G.nodes["article:https://a.com/x"]["files"] == ["/corpus/bad\ufffdname.md"]


@pytest.mark.parametrize("format", ["graphml", "gexf"])
def test_names_differing_only_by_invisible_characters_are_one_node_and_read_back_whole(format):
    """XML cannot hold control characters: ids made of them would be written alike and merged on reading."""
    from graph.model import Article, Provider

    G = build_graph([
        Article("https://a.com/1", "One", provider=Provider("P\x01"), topics=("a\x01",)),
        Article("https://a.com/2", "Two", provider=Provider("P\x02"), topics=("a\x02",)),
    ])
    assert sorted(n for n in G if not n.startswith("article:")) == ["provider:p", "topic:a"]
    nodes, edges = _read_back(format, export_bytes(G, format=format))
    assert (len(nodes), len(edges)) == (G.number_of_nodes(), G.number_of_edges()) == (4, 4)


def test_two_part_formats_refuse_a_pipe_or_device_as_the_name_to_write_beside(tmp_path):
    """``--out /dev/stdout`` would have written /dev/stdout.nodes.csv and /dev/stdout.edges.csv."""
    import os

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    G = nx.DiGraph([("a", "b")])
    with pytest.raises(InputError, match="csv is written as two files"):
        write_graph(G, fifo, format="csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


@pytest.mark.parametrize("format", ["graphml", "gexf", "json"])
def test_an_export_that_fails_leaves_the_previous_file(raw_graph, tmp_path, format):
    out = tmp_path / f"g.{format}"
    out.write_text("PREVIOUS GOOD EXPORT")
    G = raw_graph.copy()
    G.nodes[next(iter(G))]["huge"] = 10**5000  # no text form: the writer raises midway
    with pytest.raises(ValueError):
        write_graph(G, out, format=format, analysis=RAW_ANALYSIS, positions=RAW_POSITIONS)
    assert (out.read_text(), sorted(p.name for p in tmp_path.iterdir())) == ("PREVIOUS GOOD EXPORT", [out.name])
    assert write_graph(raw_graph, out, format=format, analysis=RAW_ANALYSIS, positions=RAW_POSITIONS) == [out]
    assert out.read_text(encoding="utf-8") != "PREVIOUS GOOD EXPORT"
