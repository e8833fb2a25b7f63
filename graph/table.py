"""Stage 5c: what the views list: table rows, details, counts and choices, as plain values (never mutates G)."""

from __future__ import annotations

import os
import re
from typing import Iterable

import networkx as nx

from .analyse import tied_providers
from .model import EdgeKind, LoadReport, NodeKind, shown_text

__all__ = [
    "safe_url",
    "escape_markdown",
    "story_labels",
    "articles_of",
    "view_counts",
    "date_bounds",
    "provider_choices",
    "topic_choices",
    "story_choices",
    "search_articles",
    "search_stories",
    "dominance",
    "story_rows",
    "story_summary",
    "article_rows",
    "provider_rows",
    "topic_rows",
    "story_provider_rows",
    "timeline_rows",
    "co_provider_rows",
    "topic_story_rows",
    "describe_node",
    "report_rows",
]

_ARTICLE = NodeKind.ARTICLE.value
_LINKS = (EdgeKind.RELATED.value, EdgeKind.SIMILAR.value)
_SAFE_URL = re.compile(r"^https?://[^\s\x00-\x1f\x7f\"'<>\\`]+$", re.I)


def safe_url(url) -> str | None:
    """Return ``url`` when it is an http(s) URL safe to link to, else None.

    Examples
    --------
    >>> safe_url("https://a.com/x?y=1")
    'https://a.com/x?y=1'
    >>> safe_url("javascript:alert(1)") is None, safe_url('https://a.com/"><script>') is None
    (True, True)
    """
    return url if isinstance(url, str) and _SAFE_URL.match(url) else None


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~&:$=\"'^%@/])")


def escape_markdown(text) -> str:
    """Return ``text`` with every Markdown, HTML and Streamlit directive character backslash-escaped.

    Untrusted text shown through a Markdown renderer (``st.warning``, ``st.caption``) then
    reads as itself: no link, image, emphasis, ``:red[...]`` or ``$math$``.

    Examples
    --------
    >>> print(escape_markdown("![x](https://e.com/a.png) :red[b] <i>"))
    \\!\\[x\\]\\(https\\:\\/\\/e\\.com\\/a\\.png\\) \\:red\\[b\\] \\<i\\>
    """
    return _MARKDOWN.sub(r"\\\1", " ".join(str(text).split()))


def story_labels(analysis: dict) -> dict[int, str]:
    """Return ``{story number: label}``.

    Examples
    --------
    >>> story_labels({"stories": [{"id": 0, "label": "a, b"}, {"id": 1, "label": "c, d", "title": "C D"}]})
    {0: 'a, b', 1: 'C D'}
    """
    return {story["id"]: story.get("title") or story["label"] for story in analysis["stories"]}


def articles_of(G: nx.DiGraph, n: str) -> list[str]:
    """Return the articles of G published by provider n, or tagged with topic n (sorted).

    Examples
    --------
    >>> G = nx.DiGraph([("b", "p"), ("a", "p")], kind="published_by")
    >>> nx.set_edge_attributes(G, "published_by", "kind")
    >>> articles_of(G, "p")
    ['a', 'b']
    """
    kinds = (EdgeKind.PUBLISHED_BY.value, EdgeKind.TAGGED.value)
    return sorted(u for u, data in G.pred[n].items() if data.get("kind") in kinds) if n in G else []


def _articles(G: nx.DiGraph) -> list[str]:
    return [n for n, kind in G.nodes(data="kind") if kind == _ARTICLE]


def _name(G: nx.DiGraph, n) -> str:
    """The display name of a node (its label), or the id itself when it is not in G."""
    return str(G.nodes[n].get("label") or n) if n in G else str(n)


def _day(published: str | None) -> str:
    return published[:10] if published else ""


def view_counts(G: nx.DiGraph, analysis: dict, report: LoadReport | None = None) -> dict[str, int]:
    """Return the headline numbers of (a filtered) G: articles, stubs, stories, providers, topics, links, rejected.

    ``stories`` counts the stories with an article in G; ``links`` counts related and similar edges.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("a", kind="article", in_corpus=True); G.add_node("b", kind="article", in_corpus=False)
    >>> G.add_node("p", kind="provider"); G.add_edge("a", "b", kind="related")
    >>> view_counts(G, {"clusters": {"a": 0, "b": 0}})
    {'articles': 1, 'stubs': 1, 'stories': 1, 'providers': 1, 'topics': 0, 'links': 1, 'rejected': 0}
    """
    counts = {"articles": 0, "stubs": 0, "stories": 0, "providers": 0, "topics": 0, "links": 0, "rejected": 0}
    stories = set()
    clusters = analysis["clusters"]
    for n, data in G.nodes(data=True):
        kind = data["kind"]
        if kind == _ARTICLE:
            counts["articles" if data["in_corpus"] else "stubs"] += 1
            if n in clusters:
                stories.add(clusters[n])
        elif kind == NodeKind.PROVIDER.value:
            counts["providers"] += 1
        elif kind == NodeKind.TOPIC.value:
            counts["topics"] += 1
    counts["stories"] = len(stories)
    counts["links"] = sum(1 for _, _, kind in G.edges(data="kind") if kind in _LINKS)
    counts["rejected"] = report.count("rejected") if report is not None else 0
    return counts


def date_bounds(G: nx.DiGraph) -> tuple[str, str] | None:
    """Return the first and last publication day (``YYYY-MM-DD``) of the articles of G, None if undated.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("a", kind="article", published="2020-01-02T10:00:00Z"); G.add_node("b", kind="article", published=None)
    >>> date_bounds(G)
    ('2020-01-02', '2020-01-02')
    """
    days = [data["published"][:10] for _, data in G.nodes(data=True) if data["kind"] == _ARTICLE and data.get("published")]
    return (min(days), max(days)) if days else None


def _count_by(G: nx.DiGraph, kind: str, edge: str) -> dict[str, int]:
    counts = {n: 0 for n, k in G.nodes(data="kind") if k == kind}
    for u, v, k in G.edges(data="kind"):
        if k == edge and v in counts and G.nodes[u]["in_corpus"]:
            counts[v] += 1
    return counts


def provider_choices(G: nx.DiGraph, *, corpus: bool = False) -> dict[str, str]:
    """Return ``{provider node: "name (articles)"}``, most articles first, then by name.

    With ``corpus`` (G is the whole corpus), a provider without an article of its own reads
    "(in related lists only)" rather than "(0)"; of a part of the corpus (a view) that
    would not be known.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("a", kind="article", in_corpus=True); G.add_node("p", kind="provider", label="P")
    >>> G.add_node("q", kind="provider", label="Q"); G.add_edge("a", "q", kind="published_by")
    >>> provider_choices(G), provider_choices(G, corpus=True)["p"]
    ({'q': 'Q (1)', 'p': 'P (0)'}, 'P (in related lists only)')
    """
    counts = _count_by(G, NodeKind.PROVIDER.value, EdgeKind.PUBLISHED_BY.value)
    order = sorted(counts, key=lambda p: (-counts[p], _name(G, p).lower(), p))
    return {p: f"{_name(G, p)} ({counts[p]})" if counts[p] or not corpus else f"{_name(G, p)} (in related lists only)"
            for p in order}


def _share(value) -> str:
    """A share (0-1) as a percentage, as the tables show it."""
    return f"{value:.1%}" if isinstance(value, (int, float)) and not isinstance(value, bool) else _value(value)


def topic_choices(G: nx.DiGraph) -> dict[str, str]:
    """Return ``{topic node: "name (articles)"}``, most articles first, then by name."""
    counts = _count_by(G, NodeKind.TOPIC.value, EdgeKind.TAGGED.value)
    order = sorted(counts, key=lambda t: (-counts[t], _name(G, t).lower(), t))
    return {t: f"{_name(G, t)} ({counts[t]})" for t in order}


def _members_in(G: nx.DiGraph, analysis: dict, nodes: Iterable[str] | None = None) -> dict[int, list[str]]:
    members: dict[int, list[str]] = {}
    clusters = analysis["clusters"]
    for n in _articles(G) if nodes is None else [n for n in nodes if n in G and G.nodes[n]["kind"] == _ARTICLE]:
        if n in clusters:
            members.setdefault(clusters[n], []).append(n)
    return members


def short_text(text, limit: int) -> str:
    """``text`` on one line (white space folded), cut to ``limit`` characters, an ellipsis marking the cut.

    >>> short_text("Acme  recalls" + chr(10) + "its robot vacuum", 16)
    'Acme recalls it…'
    """
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def story_choices(G: nx.DiGraph, analysis: dict) -> dict[int, str]:
    """Return ``{story number: "title · terms (articles in G)"}`` for the stories with articles in G, largest first.

    The title is the one the Stories view and the legend show (:func:`story_labels`: its most
    central article's), shortened; the terms (the label) follow when they are not the title.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b")]); nx.set_node_attributes(G, "article", "kind")
    >>> story_choices(G, {"clusters": {"a": 0, "b": 0},
    ...                   "stories": [{"id": 0, "label": "acme, recall", "title": "Acme recalls its robot vacuum"}]})
    {0: 'Acme recalls its robot vacuum · acme, recall (2)'}
    """
    members = _members_in(G, analysis)
    titles = story_labels(analysis)
    terms = {s["id"]: s["label"] for s in analysis["stories"]}
    order = sorted(members, key=lambda s: (-len(members[s]), s))
    choices = {}
    for s in order:
        title = short_text(titles.get(s, s), 70)
        label = str(terms.get(s) or "")
        choices[s] = f"{title} · {label} ({len(members[s])})" if label and label != titles.get(s) else f"{title} ({len(members[s])})"
    return choices


def search_articles(
    G: nx.DiGraph, query: str, analysis: dict, *, limit: int = 50, keep: str | None = None,
) -> tuple[dict[str, str], int]:
    """Return up to ``limit`` articles whose title or URL contains ``query`` (any case), most central first, and how many match.

    Returns ``({article node: "title — provider"}, matches)`` (the title alone for an article
    of no known provider); an empty query matches every
    article. ``keep`` (the article open, say) is listed first when it matches but is beyond
    the limit, so that a selection made elsewhere survives it.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("x", kind="article", label="Big news", url="https://a.com/1", provider=None)
    >>> G.add_node("y", kind="article", label="Small", url="https://b.com/news", provider=None)
    >>> search_articles(G, "NEWS", {"pagerank": {"y": 1.0}})
    ({'y': 'Small', 'x': 'Big news'}, 2)
    >>> search_articles(G, "news", {"pagerank": {"y": 1.0}}, limit=1, keep="x")
    ({'x': 'Big news', 'y': 'Small'}, 2)
    """
    needle = query.strip().lower()
    pagerank = analysis["pagerank"]
    found = [
        n
        for n, data in G.nodes(data=True)
        if data["kind"] == _ARTICLE and (needle in str(data.get("label") or "").lower() or needle in str(data.get("url") or "").lower())
    ]
    found.sort(key=lambda n: (-pagerank.get(n, 0.0), n))
    listed = found[:limit]
    if keep in found[limit:]:
        listed.insert(0, keep)
    return {n: _with_provider(G, n) for n in listed}, len(found)


def _with_provider(G: nx.DiGraph, n: str) -> str:
    """"title — provider", or the title alone for an article of no known provider."""
    provider = G.nodes[n].get("provider")
    return f"{_name(G, n)} — {_name(G, provider)}" if provider is not None else _name(G, n)


def search_stories(choices: dict[int, str], query: str, *, limit: int, keep: int | None = None) -> tuple[dict[int, str], int]:
    """Return up to ``limit`` of :func:`story_choices`' ``choices`` whose text contains ``query`` (any case), and how many match.

    The text searched is a choice's title and terms, not its "(N articles)" count. The
    choices keep their order (largest story first); ``keep`` (the story open) is listed
    first when it matches but is beyond the limit.

    Examples
    --------
    >>> choices = {3: "Acme recalls robots (9)", 0: "Rain in Spain (4)", 7: "Acme earnings (2)"}
    >>> search_stories(choices, "ACME", limit=5)
    ({3: 'Acme recalls robots (9)', 7: 'Acme earnings (2)'}, 2)
    >>> search_stories(choices, "", limit=1, keep=7)
    ({7: 'Acme earnings (2)', 3: 'Acme recalls robots (9)'}, 3)
    >>> search_stories(choices, "acme", limit=1, keep=0)  # the open story does not match: not kept
    ({3: 'Acme recalls robots (9)'}, 2)
    >>> search_stories(choices, "(2)", limit=5)
    ({}, 0)
    """
    needle = query.strip().lower()
    found = [s for s, text in choices.items() if needle in text.rpartition(" (")[0].lower()]  # not the "(N)" count
    listed = found[:limit]
    if keep in found[limit:]:
        listed.insert(0, keep)
    return {s: choices[s] for s in listed}, len(found)


def _counted(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def dominance(story: dict, name=str) -> tuple[str, str]:
    """A story's dominant provider and its share of the story's articles (``("CNBC", "40%")``), or a tie said as such.

    ``name`` turns a provider node into its display name.

    Examples
    --------
    >>> dominance({"dominant": "p", "dominant_share": 0.4, "providers": [("p", 2), ("q", 1), ("r", 1), ("s", 1)]})
    ('p', '40%')
    >>> dominance({"dominant": "p", "dominant_share": 0.1, "providers": [("p", 1)] * 10})
    ('none: 10 tied', '10%')
    """
    if not story.get("dominant"):
        return "", ""
    tied, share = tied_providers(story), f"{story.get('dominant_share') or 0:.0%}"
    return (f"none: {tied} tied", share) if tied > 1 else (name(story["dominant"]), share)



def story_summary(G: nx.DiGraph, analysis: dict, story: int) -> str:
    """One line on who broke a story and who dominates it (the whole story, as analysed), Markdown-escaped.

    Articles and stubs are counted apart; a tie for the largest share is said as such; when
    G (the filtered graph) holds fewer of the story's articles, the line says so.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "p")]); G.nodes["p"]["label"] = "P*"
    >>> G.nodes["a"].update(kind="article", published="2020-01-02T08:00:00Z")
    >>> analysis = {"clusters": {"a": 0, "b": 0, "c": 0}, "stories": [{"id": 0, "size": 3, "articles": 2, "stubs": 1,
    ...     "first": "a", "first_provider": "p", "dominant": "p", "dominant_share": 2 / 3, "hhi": 0.5556,
    ...     "providers": [("p", 2), ("q", 1)]}]}
    >>> print(story_summary(G, analysis, 0))
    2 articles and 1 stub from 2 providers · broken by P\\* on 2020\\-01\\-02 · dominated by P\\* \\(67\\% of the articles\\) · concentration \\(HHI\\) 0\\.56 · the filters show 1 of them
    >>> analysis["stories"][0].update(providers=[("p", 1), ("q", 1), ("r", 1)], dominant_share=1 / 3)
    >>> print(story_summary(G, analysis, 0).split(" · ")[2])
    no single dominant provider \\(3 tied at 33\\%\\)
    """
    found = next((s for s in analysis.get("stories", []) if s.get("id") == story), None)
    if found is None:
        return ""
    size = found.get("size", 0)
    articles, stubs = found.get("articles", size), found.get("stubs", 0)
    providers = found.get("providers") or []
    parts = [_counted(articles, "article") + (f" and {_counted(stubs, 'stub')}" if stubs else "")
             + f" from {_counted(len(providers), 'provider')}"]
    if found.get("first_provider"):
        day = _day(G.nodes[found["first"]].get("published")) if found.get("first") in G else ""
        parts.append(f"broken by {_name(G, found['first_provider'])}" + (f" on {day}" if day else ""))
    if found.get("dominant"):
        tied = tied_providers(found)
        if tied > 1:
            parts.append(f"no single dominant provider ({tied} tied at {found.get('dominant_share', 0):.0%})")
        else:
            parts.append(f"dominated by {_name(G, found['dominant'])} ({found.get('dominant_share', 0):.0%} of the articles)")
    if found.get("hhi") is not None:
        parts.append(f"concentration (HHI) {found['hhi']:.2f}")
    shown = len(_members_in(G, analysis).get(story, ())) if "clusters" in analysis else size
    if shown < size:
        parts.append(f"the filters show {shown:,} of them")
    return " · ".join(escape_markdown(part) for part in parts)


def story_rows(G: nx.DiGraph, analysis: dict, *, nodes: Iterable[str] | None = None) -> list[dict]:
    """Return one row per story with articles in G, largest first (counts are within G).

    With ``nodes``, only those articles count (a provider's or a topic's).

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("a", kind="article", in_corpus=True, provider="p", published="2020-01-01T00:00:00Z")
    >>> G.add_node("p", kind="provider", label="P")
    >>> story_rows(G, {"clusters": {"a": 0}, "stories": [{"id": 0, "label": "A", "first_provider": "p"}]})
    [{'story': 0, 'title': 'A', 'terms': 'A', 'articles': 1, 'stubs': 0, 'providers': 1, 'broken by': 'P', 'start': '2020-01-01', 'end': '2020-01-01', 'dominant': '', 'dominant share': None, 'hhi': None}]
    """
    stories = {s["id"]: s for s in analysis["stories"]}
    members = _members_in(G, analysis, nodes)
    rows = []
    for s in sorted(members, key=lambda s: (-len(members[s]), s)):
        nodes = members[s]
        story = stories.get(s, {})
        days = sorted(_day(G.nodes[n].get("published")) for n in nodes if G.nodes[n].get("published"))
        in_corpus = sum(1 for n in nodes if G.nodes[n]["in_corpus"])
        dominant, tied = story.get("dominant"), tied_providers(story)
        rows.append({
            "story": s,
            "title": str(story.get("title") or story.get("label") or _name(G, nodes[0])),
            "terms": str(story.get("label") or ""),
            "articles": in_corpus,
            "stubs": len(nodes) - in_corpus,
            "providers": len({G.nodes[n].get("provider") for n in nodes}),
            "broken by": _name(G, story["first_provider"]) if story.get("first_provider") else "",
            "start": days[0] if days else "",
            "end": days[-1] if days else "",
            "dominant": "" if not isinstance(dominant, str) else f"none ({tied} tied)" if tied > 1 else _name(G, dominant),
            "dominant share": None if story.get("dominant_share") is None else round(story["dominant_share"], 4),
            "hhi": None if story.get("hhi") is None else round(story["hhi"], 4),
        })
    return rows


def article_rows(G: nx.DiGraph, nodes: Iterable[str], analysis: dict) -> list[dict]:
    """Return one row per article node in ``nodes`` (others are skipped), in the given order.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("a", kind="article", label="A", url="https://a.com", provider="p", published=None, in_corpus=True)
    >>> article_rows(G, ["a", "zz"], {"clusters": {"a": 3}, "pagerank": {"a": 0.5}, "in_links": {"a": 2}})
    [{'title': 'A', 'provider': 'p', 'published': '', 'story': 3, 'pagerank': 0.5, 'cited by': 2, 'stub': False, 'url': 'https://a.com', 'id': 'a'}]
    """
    clusters, pagerank, in_links = analysis["clusters"], analysis["pagerank"], analysis.get("in_links", {})
    rows = []
    for n in nodes:
        if n not in G or G.nodes[n]["kind"] != _ARTICLE:
            continue
        data = G.nodes[n]
        rows.append({
            "title": str(data.get("label") or n),
            "provider": _name(G, data.get("provider")) if data.get("provider") else "",
            "published": (data.get("published") or "")[:16].replace("T", " "),
            "story": clusters.get(n),
            "pagerank": round(pagerank.get(n, 0.0), 6),
            "cited by": in_links.get(n, 0),
            "stub": not data["in_corpus"],
            "url": safe_url(data.get("url")),
            "id": n,
        })
    return rows


def provider_rows(G: nx.DiGraph, analysis: dict, *, nodes: Iterable[str] | None = None) -> list[dict]:
    """Return one row per provider in G with its figures in G and over the whole corpus, most articles first.

    With ``nodes``, only those articles count, and only providers with one of them are listed.

    ``articles``, ``share`` and ``stories`` count within G (so they follow the filters);
    ``in-link share``, ``first reports`` and ``of shared stories`` (first reports of stories other
    providers covered too) come from ``analysis`` (the whole corpus).

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("a", kind="article", in_corpus=True); G.add_node("p", kind="provider", label="P", domain="p.com")
    >>> G.add_edge("a", "p", kind="published_by")
    >>> provider_rows(G, {"clusters": {"a": 0}, "providers": {"p": {"in_link_share": 0.25, "first_reports": 1}}})
    [{'provider': 'P', 'domain': 'p.com', 'articles': 1, 'share': 1.0, 'stories': 1, 'in-link share': 0.25, 'first reports': 1, 'of shared stories': 0, 'id': 'p'}]
    """
    clusters = analysis["clusters"]
    figures = analysis.get("providers", {})
    only = None if nodes is None else set(nodes)
    counts = {n: 0 for n, kind in G.nodes(data="kind") if kind == NodeKind.PROVIDER.value}
    stories: dict[str, set] = {n: set() for n in counts}
    for u, v, kind in G.edges(data="kind"):
        if kind == EdgeKind.PUBLISHED_BY.value and v in counts and (only is None or u in only):
            if G.nodes[u]["in_corpus"]:
                counts[v] += 1
            if u in clusters:
                stories[v].add(clusters[u])
    if only is not None:
        counts = {p: c for p, c in counts.items() if stories[p] or c}
    total = sum(counts.values()) or 1
    rows = []
    for p in sorted(counts, key=lambda p: (-counts[p], _name(G, p).lower(), p)):
        extra = figures.get(p, {})
        rows.append({
            "provider": _name(G, p),
            "domain": G.nodes[p].get("domain") or "",
            "articles": counts[p],
            "share": round(counts[p] / total, 4),
            "stories": len(stories[p]),
            "in-link share": round(extra.get("in_link_share", 0.0), 4),
            "first reports": extra.get("first_reports", 0),
            "of shared stories": extra.get("first_reports_shared", 0),
            "id": p,
        })
    return rows


def topic_rows(G: nx.DiGraph, analysis: dict) -> list[dict]:
    """Return one row per topic in G: its articles, stories and providers within G, most articles first.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("a", kind="article", in_corpus=True, provider="p"); G.add_node("t", kind="topic", label="AI")
    >>> G.add_edge("a", "t", kind="tagged")
    >>> topic_rows(G, {"clusters": {"a": 0}})
    [{'topic': 'AI', 'articles': 1, 'stories': 1, 'providers': 1, 'id': 't'}]
    """
    clusters = analysis["clusters"]
    tagged: dict[str, list[str]] = {n: [] for n, kind in G.nodes(data="kind") if kind == NodeKind.TOPIC.value}
    for u, v, kind in G.edges(data="kind"):
        if kind == EdgeKind.TAGGED.value and v in tagged:
            tagged[v].append(u)
    rows = [
        {
            "topic": _name(G, t),
            "articles": sum(1 for u in nodes if G.nodes[u]["in_corpus"]),
            "stories": len({clusters[u] for u in nodes if u in clusters}),
            "providers": len({G.nodes[u].get("provider") for u in nodes}),
            "id": t,
        }
        for t, nodes in tagged.items()
    ]
    return sorted(rows, key=lambda row: (-row["articles"], row["topic"].lower(), row["id"]))


def _story_members(G: nx.DiGraph, analysis: dict, story: int) -> list[str]:
    stories = {s["id"]: s for s in analysis["stories"]}
    if story not in stories:
        raise ValueError(f"no story {story!r}; stories are numbered 0 to {len(stories) - 1}")
    return [n for n in stories[story]["members"] if n in G]


def timeline_rows(G: nx.DiGraph, analysis: dict, story: int) -> list[dict]:
    """Return who published what when in a story (dated articles in G, earliest first; the first broke it).

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("a", kind="article", label="A", provider="p", published="2020-01-02T00:00:00Z")
    >>> G.add_node("b", kind="article", label="B", provider="p", published="2020-01-01T00:00:00Z")
    >>> [(r["title"], r["broke it"]) for r in timeline_rows(G, {"stories": [{"id": 0, "members": ["a", "b"]}]}, 0)]
    [('B', True), ('A', False)]
    """
    dated = sorted(
        (n for n in _story_members(G, analysis, story) if G.nodes[n].get("published")),
        key=lambda n: (G.nodes[n]["published"], n),
    )
    return [
        {
            "published": G.nodes[n]["published"],
            "provider": _name(G, G.nodes[n].get("provider")),
            "title": _name(G, n),
            "broke it": i == 0,
            "id": n,
        }
        for i, n in enumerate(dated)
    ]


def story_provider_rows(G: nx.DiGraph, analysis: dict, story: int) -> list[dict]:
    """Return the providers of a story in G: articles, share of the story, first publication, most first.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> for n, p, day in [("a", "p", "02"), ("b", "q", "01"), ("c", "p", "03")]:
    ...     G.add_node(n, kind="article", provider=p, published=f"2020-01-{day}T00:00:00Z")
    >>> [(r["provider"], r["articles"], r["share"], r["broke it"]) for r in
    ...  story_provider_rows(G, {"stories": [{"id": 0, "members": ["a", "b", "c"]}]}, 0)]
    [('p', 2, 0.6667, False), ('q', 1, 0.3333, True)]
    """
    members = _story_members(G, analysis, story)
    counts: dict = {}
    first: dict = {}
    for n in members:
        p = G.nodes[n].get("provider")
        counts[p] = counts.get(p, 0) + 1
        published = G.nodes[n].get("published")
        if published and (p not in first or published < first[p]):
            first[p] = published
    earliest = min(first.values(), default=None)
    total = len(members) or 1
    return [
        {
            "provider": _name(G, p),
            "articles": counts[p],
            "share": round(counts[p] / total, 4),
            "first published": first.get(p, ""),
            "broke it": earliest is not None and first.get(p) == earliest,
            "id": p,
        }
        for p in sorted(counts, key=lambda p: (-counts[p], str(p)))
    ]


def co_provider_rows(H: nx.DiGraph, p: str) -> list[dict]:
    """Return the providers linked to ``p`` by ``co_covers`` edges of a provider view, most shared stories first."""
    rows = [
        {"provider": _name(H, q), "shared stories": data["weight"], "id": q}
        for q, data in H.succ[p].items()
        if data.get("kind") == "co_covers"
    ] if p in H else []
    return sorted(rows, key=lambda row: (-row["shared stories"], row["provider"].lower()))


def topic_story_rows(G: nx.DiGraph, analysis: dict, t: str) -> list[dict]:
    """Return the stories with articles tagged ``t`` in G: how many of them, most first.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("t", kind="topic"); G.add_node("a", kind="article"); G.add_edge("a", "t", kind="tagged")
    >>> topic_story_rows(G, {"clusters": {"a": 0}, "stories": [{"id": 0, "label": "a, b", "title": "A B"}]}, "t")
    [{'story': 0, 'title': 'A B', 'terms': 'a, b', 'articles with topic': 1}]
    """
    clusters = analysis["clusters"]
    titles = story_labels(analysis)  # as the Stories table names them
    labels = {s["id"]: s["label"] for s in analysis["stories"]}
    counts: dict = {}
    for u, data in G.pred[t].items() if t in G else ():
        if data.get("kind") == EdgeKind.TAGGED.value and u in clusters:
            counts[clusters[u]] = counts.get(clusters[u], 0) + 1
    return [
        {"story": s, "title": str(titles.get(s, s)), "terms": str(labels.get(s, "")), "articles with topic": counts[s]}
        for s in sorted(counts, key=lambda s: (-counts[s], s))
    ]


def _value(value, G: nx.DiGraph | None = None) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(
            f"{_name(G, v[0]) if G is not None else v[0]} ({v[1]})" if isinstance(v, (list, tuple)) and len(v) == 2 else str(v)
            for v in value
        )
    if isinstance(value, str) and G is not None and value in G:
        return _name(G, value)
    if isinstance(value, float):
        return f"{value:.4g}"
    return "" if value is None else str(value)


def describe_node(G: nx.DiGraph, n, analysis: dict | None = None) -> dict:
    """Return what the details panel shows of node n: ``title``, ``kind``, ``url`` (http(s) or None) and ``fields``.

    ``fields`` is a list of ``(name, text)`` pairs, all plain text (untrusted: escape it to show it as HTML).

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("a", kind="article", label="A", url="javascript:x", provider="p", topics=["AI"], in_corpus=True)
    >>> G.add_node("p", kind="provider", label="P")
    >>> describe_node(G, "a")
    {'title': 'A', 'kind': 'article', 'url': None, 'fields': [('provider', 'P'), ('topics', 'AI'), ('stub', 'no')]}
    """
    analysis = analysis or {}
    data = G.nodes[n]
    kind = data.get("kind", "")
    fields: list[tuple[str, str]] = []
    if kind == _ARTICLE:
        fields.append(("provider", _name(G, data.get("provider")) if data.get("provider") else ""))
        for key in ("published", "topics", "quality", "excerpt"):
            if data.get(key) not in (None, "", []):
                fields.append((key, _value(data[key])))
        if n in analysis.get("clusters", {}):
            fields.append(("story", _value(analysis["clusters"][n])))
        for key, name in (("pagerank", "pagerank"), ("in_links", "cited by")):
            if n in analysis.get(key, {}):
                fields.append((name, _value(analysis[key][n])))
        fields.append(("stub", "no" if data.get("in_corpus") else "yes (known only from related lists)"))
        files = data.get("files") or []
        if files:
            fields.append(("file", _value(files)))
    elif kind == NodeKind.PROVIDER.value:
        fields.append(("domain", _value(data.get("domain"))))
        for key, value in analysis.get("providers", {}).get(n, {}).items():
            fields.append((key.replace("_", " "), _share(value) if key.endswith("share") else _value(value)))
    elif kind == NodeKind.TOPIC.value:
        fields.append(("name", _value(data.get("name", data.get("label")))))
        for key, value in analysis.get("topics", {}).get(n, {}).items():
            if key != "name":
                fields.append((key.replace("_", " "), _share(value) if key.endswith("share") else _value(value, G)))
    elif kind == "story":
        for key in ("terms", "size", "articles", "stubs", "providers", "start", "end"):
            if data.get(key) is not None:
                fields.append((key, _value(data.get(key))))
        if data.get("broken_by") or data.get("first_provider"):
            fields.append(("broken by", _value(data.get("broken_by") or data["first_provider"])))
        if data.get("dominant"):  # of the whole story, as analysed
            share = data.get("dominant_share")
            fields.append(("dominant", (_value(data["dominant"]) if (data.get("tied") or 1) < 2 else f"none ({data['tied']} tied)")
                           + (f" ({share:.0%})" if share is not None else "")))
        if data.get("hhi") is not None:
            fields.append(("hhi", _value(data["hhi"])))
    else:
        fields.append(("name", _value(data.get("name", data.get("label")))))
    url = safe_url(data.get("url")) if kind == _ARTICLE else (
        safe_url(f"https://{data['domain']}") if kind == NodeKind.PROVIDER.value and data.get("domain") else None
    )
    return {"title": _name(G, n), "kind": kind, "url": url, "fields": fields}


def report_rows(report: LoadReport, *, root: str | os.PathLike | None = None) -> list[dict]:
    """Return one row per file that was not simply loaded: rejected, duplicate, or loaded with warnings.

    File names are shown relative to ``root`` when they are below it; ``where`` is ``file:line``
    (through :func:`graph.model.shown_text`: no name breaks the row or reverses the text after it).

    Examples
    --------
    >>> from graph.model import FileRecord, Issue
    >>> report = LoadReport((FileRecord("/up/a.md", "rejected", line=3, reason="invalid YAML"),
    ...                      FileRecord("/up/b.md", "loaded", warnings=(Issue(2, "quality", "not a number"),))))
    >>> [row["where"] for row in report_rows(report, root="/up")]
    ['a.md:3', 'b.md']
    """
    rows = []
    for record in report.files:
        if record.status == "loaded" and not record.warnings:
            continue
        name = record.file
        if root is not None:
            relative = os.path.relpath(record.file, root)
            if relative == ".":  # root itself: a file given as the folder, by its name
                name = os.path.basename(record.file)
            else:
                name = relative if not relative.startswith("..") else record.file
        rows.append({
            "status": record.status,
            "where": shown_text(f"{name}:{record.line}" if record.line else name),
            "reason": shown_text(record.reason or (f"same article as {record.duplicate_of}" if record.duplicate_of else "")),
            "warnings": "; ".join(
                f"line {w.line}: {w.field}: {w.message}" if w.line else f"{w.field}: {w.message}" for w in record.warnings
            ),
        })
    order = {"rejected": 0, "duplicate": 1, "loaded": 2}
    return sorted(rows, key=lambda row: order.get(row["status"], 3))
