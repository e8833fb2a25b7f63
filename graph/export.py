"""Stage 6: export a graph for other tools: GraphML, GEXF 1.3, node-link JSON, CSV, Parquet, HTML."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
import math
import os
import re
import zipfile
from enum import Enum
from pathlib import Path
from typing import BinaryIO, Callable, Iterable

import networkx as nx

from .analyse import analyse_graph
from .errors import InputError
from .model import NodeKind, node_id, utf8, valid_unicode
from .style import compute_layout, group_nodes, node_colors, node_sizes, size_scores

__all__ = [
    "FORMATS",
    "annotate_graph",
    "resolve_nodes",
    "scalar_value",
    "write_graphml",
    "write_gexf",
    "write_json",
    "write_csv",
    "write_parquet",
    "write_html",
    "write_graph",
    "export_bytes",
]

#: Export formats: name -> (file suffix of ``export_bytes``'s result, media type).
FORMATS = {
    "graphml": (".graphml", "application/graphml+xml"),
    "gexf": (".gexf", "application/gexf+xml"),
    "json": (".json", "application/json"),
    "csv": (".csv.zip", "application/zip"),  # two files in one zip, named apart from parquet's
    "html": (".html", "text/html"),
    "parquet": (".parquet.zip", "application/zip"),
}

#: Attributes the export adds to every node (the look) and to article nodes (the analysis).
LOOK = ("color", "size", "x", "y")
#: Node sizes of ``graph.view.render_html`` (the app's picture; a test keeps the two equal).
SMALLEST, LARGEST = 6.0, 30.0

GEXF_NS = "http://gexf.net/1.3"
VIZ_NS = "http://gexf.net/1.3/viz"

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_INT64 = range(-(2**63), 2**63)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


# --- what is exported -----------------------------------------------------------------------


def annotate_graph(
    G: nx.DiGraph,
    *,
    analysis: dict | None = None,
    seed: int = 0,
    positions: dict[str, tuple[float, float]] | None = None,
) -> nx.DiGraph:
    """Return a copy of G with the analysis and the app's look added as node attributes.

    Article nodes (stubs included) get ``cluster``, ``pagerank``, ``in_links`` and
    ``bridge`` where the analysis has them; every node gets the look ``render_html`` gives
    it in the app: ``color`` (``#rrggbb``, by story: ``group_nodes`` then ``node_colors``),
    ``size`` (``node_sizes`` of ``size_scores``: PageRank for articles, degree for
    providers and topics), ``x`` and ``y`` (the seeded layout, browser coordinates, y
    pointing down).

    Parameters
    ----------
    G : nx.DiGraph
        The graph to export (usually already filtered).
    analysis : dict, optional
        ``analyse_graph(G, seed=seed)``'s result; computed when not given.
    seed : int
        Seed of the analysis and of the layout.
    positions : dict, optional
        ``{node: (x, y)}`` to use instead of ``compute_layout(G, seed=seed)`` (the app's
        current view); nodes missing from it are laid out at the origin.

    Returns
    -------
    nx.DiGraph
        A new graph; G is not modified.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("a", kind="article", label="A", in_corpus=True)
    >>> G.add_node("b", kind="article", label="B", in_corpus=False)
    >>> G.add_edge("a", "b", kind="related")
    >>> H = annotate_graph(G, analysis={"clusters": {"a": 0, "b": 0}, "pagerank": {"a": 0.25, "b": 1.0},
    ...                                 "in_links": {"a": 0, "b": 1}, "bridges": {"a": 0.0, "b": 0.0}},
    ...                    positions={"a": (1.0, 2.0), "b": (3.0, 4.0)})
    >>> H.nodes["a"]
    {'kind': 'article', 'label': 'A', 'in_corpus': True, 'cluster': 0, 'pagerank': 0.25, 'in_links': 0, 'bridge': 0.0, 'color': '#0072B2', 'size': 18.0, 'x': 1.0, 'y': 2.0}
    >>> "color" in G.nodes["a"]
    False
    """
    if analysis is None:
        analysis = analyse_graph(G, seed=seed)
    if positions is None:
        positions = compute_layout(G, seed=seed, groups=analysis.get("clusters"))
    clusters = analysis.get("clusters", {})
    pagerank = analysis.get("pagerank", {})
    groups, _ = group_nodes(G, by="story", clusters=clusters)
    colors = node_colors(G, groups)
    sizes = node_sizes(G, size_scores(G, pagerank), smallest=SMALLEST, largest=LARGEST)
    H = nx.DiGraph()
    H.graph.update(G.graph)
    for n, data in G.nodes(data=True):
        attributes = dict(data)
        for name, values in (
            ("cluster", clusters),
            ("pagerank", pagerank),
            ("in_links", analysis.get("in_links", {})),
            ("bridge", analysis.get("bridges", {})),
        ):
            if n in values:
                attributes[name] = values[n]
        x, y = positions.get(n, (0.0, 0.0))
        attributes.update(color=colors[n], size=sizes[n], x=float(x), y=float(y))
        H.add_node(n, **attributes)
    H.add_edges_from((u, v, dict(data)) for u, v, data in G.edges(data=True))
    return H


def resolve_nodes(G: nx.DiGraph, values: Iterable[str], *, kind: NodeKind) -> list[str]:
    """Return the node ids of ``kind`` that ``values`` name: a node id, a domain or a name.

    Parameters
    ----------
    G : nx.DiGraph
        The graph the filter applies to.
    values : iterable of str
        What the user typed: ``"provider:cnbc.com"``, ``"cnbc.com"``, ``"CNBC"``, ``"AI"``.
    kind : NodeKind
        PROVIDER or TOPIC.

    Returns
    -------
    list of str
        One id per value, in order (the first match when a name is shared).

    Raises
    ------
    InputError
        When a value names no node of that kind.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("provider:cnbc.com", kind="provider", name="CNBC", domain="cnbc.com")
    >>> resolve_nodes(G, ["CNBC", "cnbc.com", "provider:cnbc.com"], kind=NodeKind.PROVIDER)
    ['provider:cnbc.com', 'provider:cnbc.com', 'provider:cnbc.com']
    >>> resolve_nodes(G, ["BBC"], kind=NodeKind.PROVIDER)
    Traceback (most recent call last):
    ...
    graph.errors.InputError: no provider named 'BBC'
    """
    kind = NodeKind(kind)
    of_kind = [n for n, k in G.nodes(data="kind") if k == kind.value]
    result = []
    for value in values:
        if value in G and G.nodes[value]["kind"] == kind.value:
            result.append(value)
            continue
        n = node_id(kind, value)
        if n in G and G.nodes[n]["kind"] == kind.value:
            result.append(n)
            continue
        wanted = " ".join(value.lower().split())
        match = next(
            (
                m
                for m in of_kind
                if any(
                    isinstance(G.nodes[m].get(name), str) and " ".join(G.nodes[m][name].lower().split()) == wanted
                    for name in ("name", "domain", "label")
                )
            ),
            None,
        )
        if match is None:
            raise InputError(f"no {kind.value} named {value!r}")
        result.append(match)
    return result


# --- value conversion -----------------------------------------------------------------------


def scalar_value(value):
    """Return ``value`` as a scalar a flat format can hold (None stays None).

    Lists, tuples and sets are joined with ``|`` (items converted the same way), dates
    and times become ISO 8601 strings, enums their value, dicts JSON, anything else
    that is not ``bool``/``int``/``float``/``str`` its ``str``.

    Examples
    --------
    >>> scalar_value(["AI", "Computer Vision"])
    'AI|Computer Vision'
    >>> scalar_value(dt.datetime(2021, 2, 1, 12, 30, tzinfo=dt.timezone.utc))
    '2021-02-01T12:30:00+00:00'
    >>> scalar_value(3), scalar_value(None), scalar_value(True)
    (3, None, True)
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Enum):
        return scalar_value(value.value)
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "|".join(_text(scalar_value(item)) for item in value)
    if isinstance(value, (set, frozenset)):
        return "|".join(sorted(_text(scalar_value(item)) for item in value))
    if isinstance(value, dict):
        return json.dumps(_json_value(value), ensure_ascii=False, sort_keys=True)
    return str(value)


def _text(value) -> str:
    """A scalar as text: booleans as ``true``/``false``, floats in a form Java and Python read."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    return str(value)


def _type_of(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long" if value in _INT64 else "string"
    if isinstance(value, float):
        return "double"
    return "string"


def _unify(old: str | None, new: str | None) -> str | None:
    if old is None or old == new:
        return new
    if new is None:
        return old
    if {old, new} == {"long", "double"}:
        return "double"
    return "string"


_CAST = {"long": int, "double": float, "boolean": bool, "string": _text}


def _typed_rows(records: list[dict]) -> tuple[dict[str, str | None], list[dict]]:
    """Scalar rows and one type per key over all of them (None when a key is always None).

    ``int`` and ``float`` in one key become ``double``; any other mix becomes ``string``.
    """
    rows = [{key: scalar_value(value) for key, value in record.items()} for record in records]
    types = _types(rows, scalar=False)
    return types, [_typed_row(row, types, scalar=False) for row in rows]


def _types(records: Iterable[dict], *, scalar: bool = True) -> dict[str, str | None]:
    """:func:`_typed_rows`' types alone, holding no row (``scalar=False``: values already scalar)."""
    types: dict[str, str | None] = {}
    for record in records:
        for key, value in record.items():
            types[key] = _unify(types.get(key), _type_of(scalar_value(value) if scalar else value))
    return types


def _typed_row(record: dict, types: dict[str, str | None], *, scalar: bool = True) -> dict:
    """One row of :func:`_typed_rows`, given its types (``scalar=False``: values already scalar)."""
    row = {key: scalar_value(value) for key, value in record.items()} if scalar else record
    return {key: _CAST[types[key]](value) for key, value in row.items() if value is not None}


def _xml(text: str) -> str:
    """Text XML 1.0 can hold: control characters and lone surrogates become U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def _json_value(value):
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Enum):
        return _json_value(value.value)
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_json_value(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_json_value(item) for item in value), key=str)
    if isinstance(value, dict):
        return {str(key): _json_value(item) for key, item in value.items()}
    return str(value)


# --- the formats: each returns its parts as bytes ---------------------------------------------


def _write_graphml(H: nx.DiGraph, out: BinaryIO) -> None:
    node_types, node_rows = _typed_rows([data for _, data in H.nodes(data=True)])
    _, edge_rows = _typed_rows([data for _, _, data in H.edges(data=True)])
    _, (graph_row,) = _typed_rows([dict(H.graph)])
    F = nx.DiGraph()

    def clean(row: dict) -> dict:
        return {_xml(k): _xml(v) if isinstance(v, str) else v for k, v in row.items()}

    F.graph.update(clean(graph_row))
    F.add_nodes_from((_xml(n), clean(row)) for n, row in zip(H, node_rows))
    F.add_edges_from((_xml(u), _xml(v), clean(row)) for (u, v), row in zip(H.edges(), edge_rows))
    del node_rows, edge_rows
    nx.write_graphml(F, out, encoding="utf-8", prettyprint=True, infer_numeric_types=False)  # lxml: streamed


def _hex_rgb(color: str) -> dict[str, str]:
    return {"r": str(int(color[1:3], 16)), "g": str(int(color[3:5], 16)), "b": str(int(color[5:7], 16))}


def _write_gexf(H: nx.DiGraph, out: BinaryIO) -> None:
    """GEXF 1.3, written element by element (lxml's incremental writer): a 100,000-article
    graph's ~1 GB of XML is never held, nor a tree of it (~10 GB)."""
    from lxml import etree

    def node_fields(data: dict) -> dict:
        return {k: v for k, v in data.items() if k not in LOOK and k != "label"}

    def edge_fields(data: dict) -> dict:
        return {k: v for k, v in data.items() if k != "label" and not (k == "weight" and _type_of(v) in ("long", "double"))}

    node_types = _types(node_fields(data) for _, data in H.nodes(data=True))
    edge_types = _types(edge_fields(data) for _, _, data in H.edges(data=True))
    _, (graph_row,) = _typed_rows([dict(H.graph)])
    gexf, viz = f"{{{GEXF_NS}}}", f"{{{VIZ_NS}}}"

    def empty(xf, tag: str, attributes: dict) -> None:
        with xf.element(tag, attributes):
            pass

    def attributes(xf, cls: str, types: dict) -> None:
        with xf.element(gexf + "attributes", {"class": cls}):
            for key, kind in types.items():
                if kind is not None:
                    empty(xf, gexf + "attribute", {"id": _xml(key), "title": _xml(key), "type": kind})

    def attvalues(xf, row: dict) -> None:
        if row:
            with xf.element(gexf + "attvalues"):
                for key, value in row.items():
                    empty(xf, gexf + "attvalue", {"for": _xml(key), "value": _xml(_text(value))})

    with etree.xmlfile(out, encoding="UTF-8") as xf:
        xf.write_declaration()
        # No xsi:schemaLocation: the official RelaxNG schema does not allow it on <gexf>.
        with xf.element(gexf + "gexf", nsmap={None: GEXF_NS, "viz": VIZ_NS}, version="1.3"):
            xf.write("\n")
            with xf.element(gexf + "meta"):
                with xf.element(gexf + "creator"):
                    xf.write("related-article-graph")
                if graph_row:
                    with xf.element(gexf + "description"):
                        xf.write(_xml(json.dumps(graph_row, ensure_ascii=False)))
            xf.write("\n")
            with xf.element(gexf + "graph", defaultedgetype="directed", mode="static", idtype="string"):
                attributes(xf, "node", node_types)
                attributes(xf, "edge", edge_types)
                xf.write("\n")
                with xf.element(gexf + "nodes", count=str(H.number_of_nodes())):
                    for n, data in H.nodes(data=True):
                        xf.write("\n")
                        node = {"id": _xml(n)}
                        if data.get("label") is not None:
                            node["label"] = _xml(_text(scalar_value(data["label"])))
                        with xf.element(gexf + "node", node):
                            attvalues(xf, _typed_row(node_fields(data), node_types))
                            if "color" in data:
                                empty(xf, viz + "color", _hex_rgb(data["color"]))
                            if "size" in data:
                                empty(xf, viz + "size", {"value": _text(float(data["size"]))})
                            if "x" in data and "y" in data:
                                # Gephi's y axis points up, the browser's down: negate y so the picture is the same.
                                empty(xf, viz + "position", {"x": _text(float(data["x"])), "y": _text(-float(data["y"]) + 0.0)})
                xf.write("\n")
                with xf.element(gexf + "edges", count=str(H.number_of_edges())):
                    for u, v, data in H.edges(data=True):
                        xf.write("\n")
                        edge = {"source": _xml(u), "target": _xml(v)}
                        if _type_of(data.get("weight")) in ("long", "double"):
                            edge["weight"] = repr(float(data["weight"]))
                        if data.get("label") is not None:
                            edge["label"] = _xml(_text(scalar_value(data["label"])))
                        with xf.element(gexf + "edge", edge):
                            attvalues(xf, _typed_row(edge_fields(data), edge_types))
                xf.write("\n")
            xf.write("\n")
    out.write(b"\n")


def _write_json(H: nx.DiGraph, out: BinaryIO) -> None:
    """networkx node-link JSON, written as it is encoded (the text of a large graph is never held whole)."""
    data = _json_value(nx.node_link_data(H, edges="edges"))
    chunks: list[str] = []
    size = 0
    for chunk in json.JSONEncoder(ensure_ascii=False, indent=1, allow_nan=False).iterencode(data):
        chunks.append(chunk)
        size += len(chunk)
        if size > 1 << 20:
            out.write(utf8("".join(chunks)))
            chunks, size = [], 0
    chunks.append("\n")
    out.write(utf8("".join(chunks)))


#: The edge attributes of the schema, as columns of every CSV and Parquet edge table (a corpus
#: without related links has no ``similarity`` values: the column is there, empty).
_EDGE_COLUMNS = ("kind", "weight", "similarity")
#: Of these, the numbers: a column of no value is still typed as a number in Parquet.
_NUMBER_COLUMNS = frozenset({"weight", "similarity"})


def _columns(records: list[dict], first: tuple[str, ...]) -> list[str]:
    keys = dict.fromkeys(first)
    for record in records:
        keys.update(dict.fromkeys(record))
    return list(keys)


def _csv_parts(H: nx.DiGraph) -> dict[str, bytes]:
    parts = {}
    for part, first, records in (
        ("nodes", ("id",), [{"id": n, **data} for n, data in H.nodes(data=True)]),
        ("edges", ("source", "target", *_EDGE_COLUMNS), [{"source": u, "target": v, **data} for u, v, data in H.edges(data=True)]),
    ):
        columns = _columns(records, first)
        _, rows = _typed_rows(records)
        text = io.StringIO(newline="")
        writer = csv.writer(text)
        writer.writerow(columns)
        writer.writerows([_text(row.get(column)) for column in columns] for row in rows)
        parts[part] = utf8(text.getvalue(), "utf-8-sig")
    return parts


def _valid_strings(values: list) -> list:
    """``values`` (strings, lists of strings, None...) with :func:`graph.model.valid_unicode` applied to each string."""
    return [
        valid_unicode(value) if isinstance(value, str)
        else _valid_strings(value) if isinstance(value, list)
        else value
        for value in values
    ]


def _parquet_parts(H: nx.DiGraph) -> dict[str, bytes]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    parts = {}
    for part, first, records in (
        ("nodes", ("id",), [{"id": n, **data} for n, data in H.nodes(data=True)]),
        ("edges", ("src", "dst", *_EDGE_COLUMNS), [{"src": u, "dst": v, **data} for u, v, data in H.edges(data=True)]),
    ):
        columns = _columns(records, first)
        lists = {
            column
            for column in columns
            if any(record.get(column) is not None for record in records)
            and all(isinstance(record.get(column), (list, tuple, type(None))) for record in records)
        }
        types, rows = _typed_rows([{k: v for k, v in record.items() if k not in lists} for record in records])
        arrow = {"boolean": pa.bool_(), "long": pa.int64(), "double": pa.float64(), "string": pa.string(), None: pa.string()}
        arrays, fields = [], []
        for column in columns:
            if column in lists:
                values = [
                    None if record.get(column) is None else [_text(scalar_value(item)) for item in record[column]]
                    for record in records
                ]
                kind = pa.list_(pa.string())
            else:
                values = [row.get(column) for row in rows]
                kind = arrow[types.get(column) or ("double" if column in _NUMBER_COLUMNS else None)]
            try:
                arrays.append(pa.array(values, type=kind))
            except UnicodeEncodeError:  # a file name's undecodable bytes (lone surrogates): as U+FFFD
                arrays.append(pa.array(_valid_strings(values), type=kind))
            fields.append(pa.field(column, kind))
        buffer = io.BytesIO()
        pq.write_table(pa.Table.from_arrays(arrays, schema=pa.schema(fields)), buffer)
        parts[part] = buffer.getvalue()
    return parts


def _parts(G: nx.DiGraph, *, format: str, analysis, seed: int, positions) -> dict[str, bytes] | Callable:
    """The export's parts as bytes by name, or, for the formats of :data:`_STREAMED`, a function writing it into a binary file."""
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
    if analysis is None:
        analysis = analyse_graph(G, seed=seed)
    if positions is None:
        positions = compute_layout(G, seed=seed, groups=analysis.get("clusters"))
    if format == "html":
        from .view import render_html

        page = render_html(G, seed=seed, analysis=analysis, positions=positions, title="Related-article graph")
        return {"": utf8(page)}
    H = annotate_graph(G, analysis=analysis, seed=seed, positions=positions)
    if format in _STREAMED:
        return functools.partial(_STREAMED[format], H)
    return {"csv": _csv_parts, "parquet": _parquet_parts}[format](H)


#: The formats written into the output file as they are made (one file each; no copy of it in memory).
_STREAMED = {"graphml": _write_graphml, "gexf": _write_gexf, "json": _write_json}


def _zip(parts: dict[str, bytes], suffix: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(zipfile.ZipInfo(f"{name}{suffix}", date_time=_ZIP_TIME), content)
    return buffer.getvalue()


def _write_parts(parts: dict[str, bytes], path, suffix: str) -> list[Path]:
    """Write one part to ``path``; two parts to a zip (``path`` ends in .zip) or beside ``path``."""
    path = Path(path)
    if list(parts) == [""]:
        path.write_bytes(parts[""])
        return [path]
    if path.suffix.lower() == ".zip":
        path.write_bytes(_zip(parts, suffix))
        return [path]
    if path.is_symlink() or (path.exists() and not path.is_file()):  # /dev/stdout, a pipe: the parts would go beside it
        raise InputError(f"{path}: {suffix[1:]} is written as two files ({', '.join(parts)}), named after a file "
                         f"name given (out{suffix} -> out.nodes{suffix}, out.edges{suffix}), or as one .zip")
    stem = path.name[: -len(suffix)] if path.name.lower().endswith(suffix) else path.name
    written = []
    for name, content in parts.items():
        target = path.with_name(f"{stem}.{name}{suffix}")
        target.write_bytes(content)
        written.append(target)
    return written


_SUFFIX = {"csv": ".csv", "parquet": ".parquet"}


# --- public writers ---------------------------------------------------------------------------


def write_graph(
    G: nx.DiGraph,
    path,
    *,
    format: str,
    seed: int = 0,
    analysis: dict | None = None,
    positions: dict | None = None,
) -> list[Path]:
    """Write G in ``format`` with its analysis and the app's look; return the files written.

    Parameters
    ----------
    G : nx.DiGraph
        The graph (usually filtered by ``graph.select.filter_graph``).
    path : str or Path
        The output file. For ``csv`` and ``parquet``: a ``.zip`` holding ``nodes.csv`` and
        ``edges.csv`` (or ``.parquet``) when it ends in ``.zip``, else two files beside it:
        ``g.csv`` -> ``g.nodes.csv`` and ``g.edges.csv``.
    format : str
        One of ``FORMATS``: graphml, gexf, json, csv, html, parquet.
    seed : int
        Seed of the analysis and of the layout (the app's, for the same seed).
    analysis : dict, optional
        ``analyse_graph(G, seed=seed)``; computed when not given.
    positions : dict, optional
        ``{node: (x, y)}`` in the app's coordinates, instead of ``compute_layout``.

    Returns
    -------
    list of Path

    Raises
    ------
    ValueError
        For an unknown format.

    Notes
    -----
    G is not modified. The conversions of each format are in the README ("Exports").
    """
    parts = _parts(G, format=format, analysis=analysis, seed=seed, positions=positions)
    if callable(parts):
        return [_stream_into(Path(path), parts)]
    return _write_parts(parts, path, _SUFFIX.get(format, ""))


def _stream_into(path: Path, write: Callable) -> Path:
    """Run ``write(file)`` into a temporary file beside ``path``, then put it in place: an export
    that fails (an error, Ctrl-C, a full disk) leaves the file that was there. A pipe or a
    device (``/dev/stdout``) is written directly."""
    if path.exists() and not path.is_file():
        with open(path, "wb") as out:
            write(out)
        return path
    target = path.resolve() if path.is_symlink() else path  # the file a link names is replaced, not the link
    temporary = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        out = open(temporary, "wb")
    except OSError as err:  # (a missing folder, no permission): said of the file asked for
        raise OSError(err.errno, err.strerror, str(path)) from err
    try:
        with out:
            write(out)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def export_bytes(
    G: nx.DiGraph,
    *,
    format: str,
    seed: int = 0,
    analysis: dict | None = None,
    positions: dict | None = None,
) -> bytes:
    """Return the export of G in ``format`` as bytes (for a download button).

    ``csv`` and ``parquet`` give a zip of ``nodes`` and ``edges`` files; ``FORMATS[format]``
    gives the file suffix and media type to offer.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("a", kind="topic", label="A, \\"B\\"", name="A")
    >>> data = json.loads(export_bytes(G, format="json"))
    >>> data["nodes"][0]["label"], data["nodes"][0]["color"]
    ('A, "B"', '#9AA0A6')
    """
    parts = _parts(G, format=format, analysis=analysis, seed=seed, positions=positions)
    if callable(parts):
        buffer = io.BytesIO()
        parts(buffer)
        return buffer.getvalue()
    if list(parts) == [""]:
        return parts[""]
    return _zip(parts, _SUFFIX[format])


def write_graphml(G: nx.DiGraph, path, *, analysis: dict | None = None, seed: int = 0, positions=None) -> list[Path]:
    """Write GraphML that networkx and python-igraph read: scalar attributes, one type per key.

    Lists are joined with ``|``, dates become ISO strings, None is left out, and a key
    holding ints and floats is written as ``double`` (any other mix as ``string``).
    """
    return write_graph(G, path, format="graphml", seed=seed, analysis=analysis, positions=positions)


def write_gexf(G: nx.DiGraph, path, *, analysis: dict | None = None, seed: int = 0, positions=None) -> list[Path]:
    """Write GEXF 1.3 (valid against the official RelaxNG schema) with the app's colours, sizes, positions.

    Node kinds and all other attributes are ``attvalues`` (converted as for GraphML),
    edges carry ``kind`` and ``weight``; ``viz:position`` has the app's x and the
    negated y (Gephi's y axis points up), so Gephi shows the app's picture.
    """
    return write_graph(G, path, format="gexf", seed=seed, analysis=analysis, positions=positions)


def write_json(G: nx.DiGraph, path, *, analysis: dict | None = None, seed: int = 0, positions=None) -> list[Path]:
    """Write networkx node-link JSON (``nodes``, ``edges``); read it with ``nx.node_link_graph(data, edges="edges")``."""
    return write_graph(G, path, format="json", seed=seed, analysis=analysis, positions=positions)


def write_csv(G: nx.DiGraph, path, *, analysis: dict | None = None, seed: int = 0, positions=None) -> list[Path]:
    """Write ``nodes.csv`` (``id`` first) and ``edges.csv`` (``source``, ``target`` first), UTF-8 with BOM."""
    return write_graph(G, path, format="csv", seed=seed, analysis=analysis, positions=positions)


def write_parquet(G: nx.DiGraph, path, *, analysis: dict | None = None, seed: int = 0, positions=None) -> list[Path]:
    """Write nodes (``id`` first) and edges (``src``, ``dst`` first) as Parquet, as Spark GraphFrames reads them."""
    return write_graph(G, path, format="parquet", seed=seed, analysis=analysis, positions=positions)


def write_html(G: nx.DiGraph, path, *, analysis: dict | None = None, seed: int = 0, positions=None) -> list[Path]:
    """Write one self-contained HTML page of G (``graph.view.render_html``), drawn as in the app."""
    return write_graph(G, path, format="html", seed=seed, analysis=analysis, positions=positions)
