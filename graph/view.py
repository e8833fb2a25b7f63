"""Stage 5d: draw a view's graph as one self-contained, script-safe HTML page (vis-network from pyvis)."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import re
from pathlib import Path

import networkx as nx
import pyvis

from .model import valid_unicode
from .style import NEUTRAL, SHAPES, compute_layout, group_nodes, node_colors, node_sizes, size_scores
from .table import describe_node, safe_url
from .table import short_text as _short

__all__ = ["VIS_VERSION", "render_html", "details_html", "vis_assets", "json_for_html", "tooltip_text"]

#: The vis-network build bundled with pyvis that every page inlines.
VIS_VERSION = "9.1.2"
#: Above this many nodes only the largest carry a visible label (all keep their tooltip).
LABEL_LIMIT = 80
_LABEL_CHARS = 40
_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_EDGE_STYLE = {
    "related": {"arrows": "to", "color": {"color": "#7f8c8d", "opacity": 0.7}},
    "similar": {"dashes": True, "color": {"color": "#b07aa1", "opacity": 0.6}},
    "published_by": {"color": {"color": "#c8ccd0", "opacity": 0.5}},
    "tagged": {"color": {"color": "#d9dcdf", "opacity": 0.5}},
    "co_covers": {"color": {"color": "#56B4E9", "opacity": 0.7}},
}
_OPTIONS = {
    "autoResize": True,
    "physics": {"enabled": False},
    "layout": {"improvedLayout": False},
    "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": True, "keyboard": False},
    "nodes": {"borderWidth": 1, "font": {"size": 14, "face": "sans-serif", "strokeWidth": 3, "strokeColor": "#ffffff"}},
    "edges": {"smooth": False, "width": 1, "selectionWidth": 2},
}


def vis_assets() -> tuple[str, str]:
    """Return the vis-network JavaScript and CSS bundled with pyvis, ready to inline.

    The source-map comment is dropped so that no page ever asks for another file, and of the
    CSS only the tooltip's rule is kept (the page shows no vis-network button or editor).
    """
    folder = Path(pyvis.__file__).parent / "lib" / f"vis-{VIS_VERSION}"
    script = (folder / "vis-network.min.js").read_text(encoding="utf-8")
    script = re.sub(r"\n?//# sourceMappingURL=\S*\s*$", "\n", script)
    css = (folder / "vis-network.css").read_text(encoding="utf-8")
    # The page uses vis-network's tooltip and none of its buttons, editors or configurator:
    # keep the tooltip rule only (4 kB instead of 220 kB of inlined images on every drawing).
    css = "\n".join(re.findall(r"div\.vis-tooltip\{[^}]*\}", css)) or css
    if re.search(r"</(script|style)", script + css, re.I):  # cannot happen with the bundled build
        raise ValueError("vis-network assets contain a closing tag and cannot be inlined")
    return script, css


def json_for_html(value) -> str:
    """Return ``value`` as JSON that is inert inside an HTML ``<script>`` element.

    ``<``, ``>``, ``&`` and the JavaScript line separators are written as ``\\uXXXX`` escapes, so no
    text (``</script>``, ``<!--``) can end the element or start markup; a lone surrogate (a
    file name's undecodable byte) as U+FFFD, so that the page is valid UTF-8.

    Examples
    --------
    >>> json_for_html({"t": "</script><b>&"})
    '{"t": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = valid_unicode(json.dumps(value, ensure_ascii=False, allow_nan=False))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def tooltip_text(details: dict) -> str:
    """Return the plain-text tooltip of a node from :func:`graph.table.describe_node` (never HTML).

    Examples
    --------
    >>> tooltip_text({"title": "<b>A</b>", "kind": "article", "url": None, "fields": [("provider", "P")]})
    '<b>A</b>\\narticle\\nprovider: P'
    """
    lines = [_short(details["title"], 120), details["kind"]]
    lines += [f"{name}: {_short(value, 100)}" for name, value in details["fields"] if name not in ("excerpt", "file")]
    if details.get("url"):
        lines.append(_short(details["url"], 100))
    return "\n".join(lines)


def details_html(details: dict) -> str:
    """Return a details panel (from :func:`graph.table.describe_node`) as escaped HTML, no script, no style sheet.

    The only link is the node's own http(s) URL, opened in a new tab without referrer.

    Examples
    --------
    >>> print(details_html({"title": "<img src=x onerror=alert(1)>", "kind": "article",
    ...                     "url": "javascript:alert(1)", "fields": [("provider", "P&Co")]}))
    <div style="overflow-wrap: anywhere"><strong>&lt;img src=x onerror=alert(1)&gt;</strong> <small>(article)</small><br><small>provider</small>: P&amp;Co</div>
    """
    parts = [f"<strong>{html.escape(details['title'])}</strong> <small>({html.escape(details['kind'])})</small>"]
    parts += [f"<small>{html.escape(name)}</small>: {html.escape(value)}" for name, value in details["fields"]]
    url = safe_url(details.get("url"))
    if url:
        parts.append(f'<a href="{html.escape(url)}" target="_blank" rel="noopener noreferrer nofollow">Open the page ↗</a>')
    return '<div style="overflow-wrap: anywhere">' + "<br>".join(parts) + "</div>"  # a 5,000-letter word wraps


def _script_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


_PAGE_SCRIPT = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var info = new Map();
  var nodes = data.nodes.map(function (node) {
    info.set(node.id, node.info);
    var copy = Object.assign({}, node);
    delete copy.info;
    return copy;
  });
  var container = document.getElementById("graph");
  var network = new vis.Network(container,
    {nodes: new vis.DataSet(nodes), edges: new vis.DataSet(data.edges)}, data.options);
  window.graphView = network;
  network.on("beforeDrawing", function (ctx) {
    ctx.save(); ctx.setTransform(1, 0, 0, 1, 0, 0); ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height); ctx.restore();
  });
  function isWebLink(url) {
    if (typeof url !== "string" || !/^https?:\/\//i.test(url)) { return false; }
    try { var parsed = new URL(url); return parsed.protocol === "http:" || parsed.protocol === "https:"; }
    catch (err) { return false; }
  }
  var panel = document.getElementById("details");
  function showDetails(id) {
    var item = info.get(id);
    while (panel.firstChild) { panel.removeChild(panel.firstChild); }
    if (!item) { panel.hidden = true; return; }
    var close = document.createElement("button");
    close.className = "close"; close.textContent = "\u00d7"; close.title = "Close";
    close.addEventListener("click", function () { panel.hidden = true; network.unselectAll(); });
    panel.appendChild(close);
    var heading = document.createElement("h2");
    heading.textContent = item.title;
    panel.appendChild(heading);
    var kind = document.createElement("div");
    kind.className = "kind"; kind.textContent = item.kind;
    panel.appendChild(kind);
    var list = document.createElement("dl");
    item.fields.forEach(function (field) {
      var term = document.createElement("dt"); term.textContent = field[0];
      var value = document.createElement("dd"); value.textContent = field[1];
      list.appendChild(term); list.appendChild(value);
    });
    panel.appendChild(list);
    if (isWebLink(item.url)) {
      var link = document.createElement("a");
      link.href = item.url; link.target = "_blank"; link.rel = "noopener noreferrer nofollow";
      link.textContent = "Open the page \u2197";
      panel.appendChild(link);
    }
    panel.hidden = false;
  }
  window.showDetails = showDetails;
  network.on("click", function (params) {
    if (params.nodes.length) { showDetails(params.nodes[0]); } else { panel.hidden = true; }
  });
  document.getElementById("png").addEventListener("click", function () {
    var canvas = container.querySelector("canvas");
    var link = document.createElement("a");
    link.download = "graph.png";
    link.href = canvas.toDataURL("image/png");
    document.body.appendChild(link); link.click(); link.remove();
  });
  // the drawing is fitted to the whole area: when it reaches under the open legend, it is moved to
  // the room right of it, and made smaller only as much as that room needs
  function clearLegend() {
    var legend = document.getElementById("legend");
    var width = container.clientWidth, room = legend && legend.open ? legend.offsetWidth + 16 : 0;
    if (!room || room > width / 2 || !nodes.length) { return; }
    var positions = network.getPositions(), low = Infinity, high = -Infinity;
    Object.keys(positions).forEach(function (id) {
      low = Math.min(low, positions[id].x); high = Math.max(high, positions[id].x);
    });
    var scale = network.getScale(), at = network.getViewPosition();
    if ((low - at.x) * scale + width / 2 >= room) { return; }  // its left edge is clear already
    scale = Math.min(scale, (width - room - 40) / Math.max(high - low, 1));
    network.moveTo({position: {x: (low + high) / 2 - room / 2 / scale, y: at.y}, scale: scale});
  }
  network.once("afterDrawing", function () {
    clearLegend();
    document.body.setAttribute("data-drawn", "1");
  });
})();
"""

_PAGE_CSS = """
html, body { margin: 0; padding: 0; height: 100%; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif;
  color: #1f2328; background: #ffffff; }
#bar { display: flex; gap: 10px; align-items: center; padding: 4px 8px; height: 26px; border-bottom: 1px solid #e5e7eb; }
#bar .title { font-weight: 600; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 40%; }
#bar .note { color: #8a5a00; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; flex: 1; }
#bar button { margin-left: auto; font: inherit; padding: 1px 8px; cursor: pointer; }
#legend { position: absolute; left: 8px; top: 40px; z-index: 2; background: rgba(255,255,255,.9); padding: 4px 6px;
  border: 1px solid #e5e7eb; border-radius: 4px; max-width: 260px; max-height: 45%; overflow: auto; font-size: 12px; }
#legend summary { cursor: pointer; color: #57606a; }
#legend:not([open]) { padding: 2px 6px; }
#legend .item { display: flex; gap: 6px; align-items: center; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
#legend .swatch { width: 10px; height: 10px; border-radius: 50%; flex: none; }
#graph { position: absolute; top: 35px; left: 0; right: 0; bottom: 0; }
#details { position: absolute; right: 8px; top: 40px; z-index: 3; width: 300px; max-height: 80%; overflow: auto;
  background: #ffffff; border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 10px; box-shadow: 0 2px 8px rgba(0,0,0,.12); }
#details h2 { font-size: 14px; margin: 0 18px 2px 0; overflow-wrap: anywhere; }
#details .kind { color: #57606a; margin-bottom: 6px; }
#details dl { margin: 0; display: grid; grid-template-columns: max-content 1fr; gap: 2px 8px; }
#details dt { color: #57606a; } #details dd { margin: 0; overflow-wrap: anywhere; }
#details .close { position: absolute; right: 6px; top: 4px; border: 0; background: none; font-size: 16px; cursor: pointer; }
div.vis-tooltip { white-space: pre-line; max-width: 380px; overflow-wrap: anywhere; font: 12px/1.4 system-ui, sans-serif; }
"""


def _legend_html(legend: list[tuple[str, str]]) -> str:
    items = [
        f'<div class="item"><span class="swatch" style="background:{color if _COLOR.match(color) else NEUTRAL}"></span>'
        f"<span>{html.escape(_short(text, 48))}</span></div>"
        for color, text in legend
    ]
    items.append(f'<div class="item"><span>{html.escape("● article/story  ■ provider  ▲ topic")}</span></div>')
    return "".join(items)


def render_html(
    G: nx.Graph,
    *,
    seed: int = 0,
    analysis: dict | None = None,
    groups: dict | None = None,
    scores: dict | None = None,
    legend: list[tuple[str, str]] | None = None,
    positions: dict | None = None,
    title: str = "",
    note: str = "",
    label_limit: int = LABEL_LIMIT,
) -> str:
    """Return one self-contained HTML page that draws G at once, with tooltips, details and a PNG button.

    Parameters
    ----------
    G : nx.Graph
        The graph to draw (a view from :mod:`graph.select`, or any built graph); not modified.
    seed : int
        Seed of the layout when ``positions`` is not given.
    analysis : dict, optional
        ``analyse_graph`` results: colours by story (``clusters``), sizes by PageRank and
        details (story, PageRank, in-links, provider figures).
    groups : dict, optional
        ``{node: group number}`` for the colours (default: stories from ``analysis``).
    scores : dict, optional
        ``{node: score in [0, 1]}`` for the sizes (default: :func:`graph.style.size_scores`).
    legend : list of (colour, text), optional
        The colour legend (default: the one of the story groups).
    positions : dict, optional
        ``{node: (x, y)}`` instead of ``compute_layout(G, seed=seed)``.
    title, note : str
        Shown above the graph (escaped).
    label_limit : int
        Above this many nodes, only the ``label_limit`` largest show their label.

    Returns
    -------
    str
        The page. It loads nothing from anywhere: vis-network is inlined, all document text
        is escaped or JSON-embedded and shown as text only, links go out for http(s) URLs
        only, and a Content-Security-Policy lets only the page's own scripts (by hash) run.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("article:https://a.com/1", kind="article", label="<script>alert(1)</script>",
    ...            url="https://a.com/1", in_corpus=True)
    >>> page = render_html(G, title="<b>hi</b>")
    >>> "<script>alert" in page, "&lt;b&gt;hi&lt;/b&gt;" in page, "http-equiv=\\"Content-Security-Policy\\"" in page
    (False, True, True)
    """
    analysis = analysis or {}
    if groups is None:
        groups, default_legend = group_nodes(
            G, by="story", clusters=analysis.get("clusters"),
            labels={s["id"]: s["label"] for s in analysis.get("stories", ())},
        )
        legend = default_legend if legend is None else legend
    if scores is None:
        scores = size_scores(G, analysis.get("pagerank"))
    if positions is None:
        positions = compute_layout(G, seed=seed, groups=analysis.get("clusters"))
    colors = node_colors(G, groups)
    sizes = node_sizes(G, scores, smallest=6.0, largest=30.0)
    labelled = set(sorted(G, key=lambda n: (-sizes[n], str(n)))[:label_limit])
    nodes = []
    for n, data in G.nodes(data=True):
        details = describe_node(G, n, analysis)
        x, y = positions.get(n, (0.0, 0.0))
        color = colors[n] if _COLOR.match(colors[n]) else NEUTRAL
        nodes.append({
            "id": n if isinstance(n, (str, int)) else str(n),
            "label": _short(details["title"], _LABEL_CHARS) if n in labelled else "",
            "title": tooltip_text(details),
            "x": float(x),
            "y": float(y),
            "size": float(sizes[n]),
            "shape": SHAPES.get(str(data.get("kind")), "dot"),
            "color": {"background": color, "border": "#ffffff" if data.get("kind") != "article" or data.get("in_corpus", True) else "#57606a",
                      "highlight": {"background": color, "border": "#1f2328"}, "hover": {"background": color, "border": "#1f2328"}},
            "info": details,
        })
    edges = []
    for u, v, data in G.edges(data=True):
        kind = str(data.get("kind", ""))
        edge = {"from": u if isinstance(u, (str, int)) else str(u), "to": v if isinstance(v, (str, int)) else str(v)}
        edge.update(_EDGE_STYLE.get(kind, {}))
        weight = data.get("weight")
        if isinstance(weight, (int, float)) and kind in ("co_covers", "related") and G.nodes[u].get("kind") in ("story", "provider"):
            edge["width"] = float(min(1 + weight, 8))
            edge["title"] = f"{kind.replace('_', ' ')}: {weight}"
        edges.append(edge)
    payload = json_for_html({"nodes": nodes, "edges": edges, "options": _OPTIONS})
    vis_script, vis_css = vis_assets()
    csp = (
        "default-src 'none'; "
        f"script-src {_script_hash(vis_script)} {_script_hash(_PAGE_SCRIPT)}; "
        "style-src 'unsafe-inline'; img-src data: blob:; font-src data:; "
        "connect-src 'none'; form-action 'none'; base-uri 'none'"
    )
    count = G.number_of_nodes()
    caption = f"{count} node{'s' if count != 1 else ''}, {G.number_of_edges()} edge{'s' if G.number_of_edges() != 1 else ''}"
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{html.escape(title or 'Graph')}</title>\n"
        f"<style>{vis_css}</style>\n<style>{_PAGE_CSS}</style>\n"
        f"<script>{vis_script}</script>\n</head>\n<body>\n"
        f'<div id="bar"><span class="title">{html.escape(title)}</span>'
        f'<span class="caption">{html.escape(caption)}</span>'
        f'<span class="note">{html.escape(note)}</span><button id="png" type="button">PNG snapshot</button></div>\n'
        f'<details id="legend" open><summary>Legend</summary>{_legend_html(legend or [])}</details>\n'
        '<div id="graph"></div>\n<div id="details" hidden></div>\n'
        f'<script type="application/json" id="graph-data">{payload}</script>\n'
        f"<script>{_PAGE_SCRIPT}</script>\n</body></html>\n"
    )
