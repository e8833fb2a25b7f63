"""Stage 2: build the article / provider / topic graph (the only module that adds nodes and edges)."""

from __future__ import annotations

from typing import Iterable
from urllib.parse import unquote, urlsplit

import networkx as nx

from .model import Article, EdgeKind, NodeKind, Provider, Related, canonical_domain, node_id

__all__ = ["build_graph", "add_similar_edges", "label_from_url", "graph_counts"]


def label_from_url(url: str) -> str:
    """Return a readable label for an article that has no title.

    Examples
    --------
    >>> label_from_url("https://cnbc.com/2020/12/10/deere-farm-version.html")
    'cnbc.com: deere farm version'
    >>> label_from_url("https://cnbc.com")
    'cnbc.com'
    """
    parts = urlsplit(url)
    segments = [s for s in unquote(parts.path).split("/") if s]
    if not segments:
        return parts.netloc
    last = segments[-1].rsplit(".", 1)[0] if "." in segments[-1] else segments[-1]
    words = " ".join(last.replace("-", " ").replace("_", " ").split())
    return f"{parts.netloc}: {words or segments[-1]}"


def _provider_of(provider: Provider | None, url: str) -> Provider:
    """The given provider, or one named after the URL's domain when the document has none."""
    if provider is not None:
        return provider
    domain = canonical_domain(urlsplit(url).netloc)
    return Provider(name=domain, domain=domain)


def _add_provider(G: nx.DiGraph, provider: Provider) -> str:
    n = provider.id
    if n not in G:
        G.add_node(
            n,
            kind=NodeKind.PROVIDER.value,
            label=provider.name,
            name=provider.name,
            domain=provider.domain,
            articles=0,
        )
    elif G.nodes[n]["domain"] is None and provider.domain:
        G.nodes[n]["domain"] = provider.domain
    return n


def _article_attributes(article: Article, provider: str) -> dict:
    return {
        "kind": NodeKind.ARTICLE.value,
        "label": article.title or label_from_url(article.url),
        "url": article.url,
        "title": article.title,
        "excerpt": article.excerpt,
        "published": article.published,
        "provider": provider,
        "topics": list(article.topics),
        "quality": article.quality,
        "heat": article.heat,
        "type": article.type,
        "image": article.image,
        "in_corpus": True,
        "files": list(article.files),
    }


def _stub_attributes(entry: Related, provider: str) -> dict:
    return {
        "kind": NodeKind.ARTICLE.value,
        "label": entry.title or label_from_url(entry.url),
        "url": entry.url,
        "title": entry.title,
        "excerpt": entry.excerpt,
        "published": entry.published,
        "provider": provider,
        "topics": [],
        "quality": entry.quality,
        "heat": None,
        "type": None,
        "image": None,
        "in_corpus": False,
        "files": [],
    }


def build_graph(articles: Iterable[Article]) -> nx.DiGraph:
    """Return the directed graph of articles, their related articles, providers and topics.

    Parameters
    ----------
    articles : iterable of Article
        Loaded articles (already merged: one per canonical URL), in load order.

    Returns
    -------
    nx.DiGraph
        Nodes of kind ``article`` (``in_corpus`` True for loaded documents, False for
        stubs known only from ``related:`` entries), ``provider`` and ``topic``; edges of
        kind ``related`` (article -> related article), ``published_by`` (article ->
        provider, stubs included) and ``tagged`` (article -> topic). A related entry is
        matched to a loaded article through its canonical URL or AMP aliases; a
        document listing itself adds no edge. The attributes are those of
        ARCHITECTURE.md's schema, plus ``type`` and ``image`` for articles.

    Examples
    --------
    >>> from graph.model import Related
    >>> a = Article(url="https://x.com/a", title="A", related=(Related(url="https://y.com/b"),))
    >>> G = build_graph([a])
    >>> sorted(G.edges(data="kind"))[:2]
    [('article:https://x.com/a', 'article:https://y.com/b', 'related'), ('article:https://x.com/a', 'provider:x.com', 'published_by')]
    >>> G.nodes["article:https://y.com/b"]["in_corpus"]
    False
    """
    G = nx.DiGraph()
    articles = list(articles)
    where: dict[str, str] = {}  # canonical URL or alias -> article node id
    for article in articles:
        n = article.id
        provider = _add_provider(G, _provider_of(article.provider, article.url))
        G.add_node(n, **_article_attributes(article, provider))
        G.add_edge(n, provider, kind=EdgeKind.PUBLISHED_BY.value)
        for topic in article.topics:
            t = node_id(NodeKind.TOPIC, topic)
            if t not in G:
                G.add_node(t, kind=NodeKind.TOPIC.value, label=topic, name=topic)
            G.add_edge(n, t, kind=EdgeKind.TAGGED.value)
        for url in (article.url,) + article.aliases:
            where.setdefault(url, n)
    for article in articles:
        u = article.id
        for entry in article.related:
            v = next((where[url] for url in (entry.url,) + entry.aliases if url in where), None)
            if v is None:
                v = entry.id
                provider = _add_provider(G, _provider_of(entry.provider, entry.url))
                G.add_node(v, **_stub_attributes(entry, provider))
                G.add_edge(v, provider, kind=EdgeKind.PUBLISHED_BY.value)
                for url in (entry.url,) + entry.aliases:
                    where.setdefault(url, v)
            elif not G.nodes[v]["in_corpus"]:
                attributes = G.nodes[v]
                for name, value in (("title", entry.title), ("excerpt", entry.excerpt),
                                    ("published", entry.published), ("quality", entry.quality)):
                    if attributes[name] is None and value is not None:
                        attributes[name] = value
                if entry.title and attributes["label"] == label_from_url(attributes["url"]):
                    attributes["label"] = entry.title
            if u != v:
                G.add_edge(u, v, kind=EdgeKind.RELATED.value)
    for n, kind in G.nodes(data="kind"):
        if kind == NodeKind.PROVIDER.value:
            G.nodes[n]["articles"] = sum(
                1 for _, _, k in G.in_edges(n, data="kind") if k == EdgeKind.PUBLISHED_BY.value
            )
    return G


def add_similar_edges(G: nx.DiGraph, pairs: Iterable[tuple[str, str, float]]) -> nx.DiGraph:
    """Return a copy of G with a ``similar`` edge each way for every ``(u, v, similarity)``.

    A direction already holding an edge (a ``related`` link) keeps its kind and gets the
    similarity as a ``similarity`` attribute instead, so the two kinds are never confused.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b", {"kind": "related"})])
    >>> sorted(add_similar_edges(G, [("a", "b", 0.5)]).edges(data=True))
    [('a', 'b', {'kind': 'related', 'similarity': 0.5}), ('b', 'a', {'kind': 'similar', 'weight': 0.5})]
    >>> G.edges["a", "b"]
    {'kind': 'related'}
    """
    H = G.copy()
    for u, v, similarity in pairs:
        for a, b in ((u, v), (v, u)):
            if H.has_edge(a, b):
                H.edges[a, b]["similarity"] = similarity
            else:
                H.add_edge(a, b, kind=EdgeKind.SIMILAR.value, weight=similarity)
    return H


def graph_counts(G: nx.DiGraph) -> dict[str, int]:
    """Count nodes by kind (articles in the corpus and stubs apart) and edges by kind.

    Examples
    --------
    >>> graph_counts(build_graph([Article(url="https://x.com/a", topics=("AI",))]))
    {'articles': 1, 'stubs': 0, 'providers': 1, 'topics': 1, 'related_edges': 0, 'published_by_edges': 1, 'tagged_edges': 1, 'similar_edges': 0}
    """
    counts = {"articles": 0, "stubs": 0, "providers": 0, "topics": 0}
    for _, data in G.nodes(data=True):
        kind = data["kind"]
        if kind == NodeKind.ARTICLE.value:
            counts["articles" if data["in_corpus"] else "stubs"] += 1
        else:
            counts[kind + "s"] += 1
    for kind in EdgeKind:
        counts[f"{kind.value}_edges"] = 0
    for _, _, kind in G.edges(data="kind"):
        counts[f"{kind}_edges"] += 1
    return counts
