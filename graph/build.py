"""Stage 2: build the article / provider / topic graph (the only module that adds nodes and edges)."""

from __future__ import annotations

import re
from typing import Iterable
from urllib.parse import unquote, urlsplit

import networkx as nx

from ._gc import paused_gc
from .model import Article, EdgeKind, NodeKind, Provider, Related, canonical_domain, node_id, valid_unicode

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


_ARTICLE = NodeKind.ARTICLE.value  # the enum's value, looked up once (a property on every access)
_HOST_END = re.compile("[/?#]")  # ends the host of a URL (urlsplit's netloc) after its "//"


def _article_attributes(article: Article, provider: str) -> dict:
    files = list(article.files)
    if not "".join(files).isascii():  # (one test for the usual one or two names)
        files = [valid_unicode(f) for f in files]  # shown and exported: a name's undecodable bytes as U+FFFD
    return {
        "kind": _ARTICLE,
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
        "files": files,
    }


def _stub_attributes(entry: Related, provider: str) -> dict:
    return {
        "kind": _ARTICLE,
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
    articles = list(articles)
    with paused_gc():  # hundreds of thousands of dicts and no cycles: the collector would only slow this down
        return _build(articles)


def _build(articles: list[Article]) -> nx.DiGraph:
    """build_graph's body: fills the graph's own adjacency dicts in one pass per loop.

    networkx's documented data structure (``G._node``, ``G._succ``, ``G._pred``; one
    attribute dict per edge, shared by both directions) is filled directly: the generic
    ``add_node``/``add_edge`` methods check and copy per call, which at 100k files cost
    more than everything else here. The graph is the one adding nodes in the order they
    are first met and edges kind by kind (published_by, tagged, related) would give,
    orders of successors and predecessors included: an article's successors are its
    provider, its topics, then its related articles, and each node's predecessors come
    from one kind of edge only, in the order met (tests/test_build.py checks this). An
    article given twice (never so from ``scan``) keeps both records' edges, in the order given.
    """
    provider_kind, topic_kind = NodeKind.PROVIDER.value, NodeKind.TOPIC.value
    published_kind, tagged_kind, related_kind = (
        EdgeKind.PUBLISHED_BY.value, EdgeKind.TAGGED.value, EdgeKind.RELATED.value)
    G = nx.DiGraph()
    nodes, succ, pred = G._node, G._succ, G._pred
    provider_ids: dict[tuple, str] = {}
    topic_ids: dict[str, str] = {}

    def add_node(n: str, attributes: dict) -> None:
        nodes[n] = attributes  # a node met again (odd input) keeps its place and its edges
        if n not in succ:
            succ[n] = {}
            pred[n] = {}

    def add_provider(provider: Provider | None, url: str) -> str:
        if provider is None:
            provider = _provider_of(None, url)
        pair = (provider.name, provider.domain)
        n = provider_ids.get(pair)
        if n is not None:  # seen: its node exists, with a domain if this pair has one
            return n
        n = provider_ids[pair] = provider.id
        attributes = nodes.get(n)
        if attributes is None:
            add_node(n, {"kind": provider_kind, "label": provider.name, "name": provider.name,
                         "domain": provider.domain, "articles": 0})
        elif attributes["domain"] is None and provider.domain:
            attributes["domain"] = provider.domain
        return n

    where: dict[str, str] = {}  # canonical URL or alias -> article node id
    ids: list[str] = []
    for article in articles:
        n = "article:" + article.url.strip()  # node_id(NodeKind.ARTICLE, url), without the call
        ids.append(n)
        provider = add_provider(article.provider, article.url)
        nodes[n] = _article_attributes(article, provider)  # a repeated article: its last record, its first place
        successors = succ.get(n)
        if successors is None:
            succ[n] = successors = {}
            pred[n] = {}
        successors[provider] = pred[provider][n] = {"kind": published_kind}
        for topic in article.topics:
            t = topic_ids.get(topic)
            if t is None:
                t = topic_ids[topic] = node_id(NodeKind.TOPIC, topic)
            if t not in nodes:
                add_node(t, {"kind": topic_kind, "label": topic, "name": topic})
            if t not in successors:
                successors[t] = pred[t][n] = {"kind": tagged_kind}
        where.setdefault(article.url, n)
        for url in article.aliases:
            where.setdefault(url, n)
    url_labels: dict[str, str] = {}  # stub -> label_from_url(its URL), made once
    stubs: set[str] = set()
    find = where.get
    for u, article in zip(ids, articles):
        successors = succ[u]
        for entry in article.related:
            v = find(entry.url)
            if v is None:
                for url in entry.aliases:
                    v = find(url)
                    if v is not None:
                        break
            if v is None:
                v = "article:" + entry.url.strip()
                provider = add_provider(entry.provider, entry.url)
                attributes = _stub_attributes(entry, provider)
                if not entry.title:  # the label came from the URL: keep it for later entries
                    url_labels[v] = attributes["label"]
                add_node(v, attributes)
                stubs.add(v)
                succ[v][provider] = pred[provider][v] = {"kind": published_kind}
                where.setdefault(entry.url, v)
                for url in entry.aliases:
                    where.setdefault(url, v)
            elif v in stubs:
                attributes = nodes[v]
                for name, value in (("title", entry.title), ("excerpt", entry.excerpt),
                                    ("published", entry.published), ("quality", entry.quality)):
                    if attributes[name] is None and value is not None:
                        attributes[name] = value
                if entry.title:
                    from_url = url_labels.get(v)
                    if from_url is None:
                        # label_from_url's text starts with the URL's host: a label that does not
                        # (a title the stub was made with) is not it, nor ever becomes it
                        url = attributes["url"]
                        if attributes["label"].startswith(_HOST_END.split(url.partition("//")[2], 1)[0]):
                            from_url = url_labels[v] = label_from_url(url)
                        else:
                            from_url = url_labels[v] = ""  # no label is empty
                    if attributes["label"] == from_url:
                        attributes["label"] = entry.title
            if u != v and v not in successors:
                successors[v] = pred[v][u] = {"kind": related_kind}
    for n in provider_ids.values():  # each distinct published_by edge once
        nodes[n]["articles"] = len(pred[n])
    return G


def add_similar_edges(G: nx.DiGraph, pairs: Iterable[tuple[str, str, float]], *, copy: bool = True) -> nx.DiGraph:
    """Return a copy of G with a ``similar`` edge each way for every ``(u, v, similarity)``.

    A direction already holding an edge (a ``related`` link) keeps its kind and gets the
    similarity as a ``similarity`` attribute instead, so the two kinds are never confused.
    With ``copy=False`` the edges are added to G itself, which is returned (as networkx's
    ``relabel_nodes(..., copy=False)``): for a graph the caller made and owns, such as the
    one ``pipeline.analyse_articles`` has just built, it saves the copy (~2 s and ~250 MB
    at 100k articles).

    Notes
    -----
    With ``copy=True`` (default) G is not modified. The copy is what ``G.copy()`` makes (graph, node and edge
    attribute dicts copied one level deep, one edge dict shared by both adjacency
    directions) with the orders of successors *and* predecessors kept, made by filling
    networkx's adjacency dicts directly as :func:`build_graph` does: ``G.copy()`` and
    ``add_edge`` per pair cost ~17 s at 100k articles (~1.4M new edges), this ~3 s.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b", {"kind": "related"})])
    >>> sorted(add_similar_edges(G, [("a", "b", 0.5)]).edges(data=True))
    [('a', 'b', {'kind': 'related', 'similarity': 0.5}), ('b', 'a', {'kind': 'similar', 'weight': 0.5})]
    >>> G.edges["a", "b"]
    {'kind': 'related'}
    >>> add_similar_edges(G, [("a", "b", 0.5)], copy=False) is G, G.edges["a", "b"]
    (True, {'kind': 'related', 'similarity': 0.5})
    """
    with paused_gc():  # millions of small dicts and no cycles
        if copy:
            H = G.__class__()
            H.graph.update(G.graph)
            nodes, succ, pred = H._node, H._succ, H._pred
            for n, attributes in G._node.items():
                nodes[n] = attributes.copy()
            for u, successors in G._succ.items():
                succ[u] = {v: data.copy() for v, data in successors.items()}
            for v, predecessors in G._pred.items():
                pred[v] = {u: succ[u][v] for u in predecessors}
        else:
            H, succ, pred = G, G._succ, G._pred
        similar = EdgeKind.SIMILAR.value
        for u, v, similarity in pairs:
            for a, b in ((u, v), (v, u)):
                successors = succ[a]
                data = successors.get(b)
                if data is not None:
                    data["similarity"] = similarity
                else:
                    successors[b] = pred[b][a] = {"kind": similar, "weight": similarity}
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
