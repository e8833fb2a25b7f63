"""Stages 2-4 in one call: build, link and analyse loaded articles (what the shells run)."""

from __future__ import annotations

from typing import Callable, Iterable, NamedTuple

import networkx as nx

from .analyse import DEFAULT_RELATED_WEIGHT, DEFAULT_RESOLUTION, analyse_graph
from .build import build_graph
from .link import DEFAULT_NEIGHBOURS, DEFAULT_SAME_PROVIDER, DEFAULT_THRESHOLD, DEFAULT_WINDOW_DAYS, SimilarPairs, link_similar, similarity_pairs
from .model import Article

__all__ = ["Analysis", "analyse_articles"]


class Analysis(NamedTuple):
    """What :func:`analyse_articles` returns: the graph (with similar links, unless asked not to), its analysis, and the alike pairs.

    ``pairs`` (``link.SimilarPairs``, None without similarity inference) is the clusters'
    evidence: pass it as ``similarity=`` when analysing a filtered copy of ``graph`` again.
    """

    graph: nx.DiGraph
    result: dict
    pairs: SimilarPairs | None


def analyse_articles(
    articles: Iterable[Article],
    *,
    similar: bool = True,
    threshold: float = DEFAULT_THRESHOLD,
    window_days: float = DEFAULT_WINDOW_DAYS,
    neighbours: int = DEFAULT_NEIGHBOURS,
    same_provider: float = DEFAULT_SAME_PROVIDER,
    seed: int = 0,
    resolution: float | None = DEFAULT_RESOLUTION,
    related_weight: float = DEFAULT_RELATED_WEIGHT,
    similar_edges: bool = True,
    stage: Callable[[str], None] | None = None,
) -> Analysis:
    """Build the graph of ``articles``, infer same-story links and analyse it.

    Parameters
    ----------
    articles : iterable of Article
        As ``load.scan`` returns them.
    similar : bool
        Infer ``similar`` links (``link.link_similar``); False clusters over related links only.
    threshold, window_days, neighbours, same_provider
        Options of ``link.find_similar_pairs``.
    seed, resolution, related_weight
        Options of ``analyse.analyse_graph``.
    similar_edges : bool
        Add the similar links to the returned graph as edges (``link.link_similar``), as
        views and exports need them. The analysis reads them from ``pairs`` either way,
        so a command that only counts and ranks passes False: at 100,000 articles that
        saves ~1.5M edges (~2.5 s and ~0.3 GB).
    stage : callable, optional
        Called with a short text as each step starts ("Building the graph", …), for a
        progress line: at 100,000 articles the steps take seconds each.

    Returns
    -------
    Analysis
        ``graph`` (with the similar edges unless ``similar_edges`` is False), ``result``
        (``analyse_graph``'s dict) and ``pairs`` (every alike pair,
        ``link.similarity_pairs``; None when ``similar`` is False).

    Examples
    --------
    >>> a = Article(url="https://x.com/a", title="Acme recalls robot vacuum")
    >>> b = Article(url="https://y.com/b", title="Robot vacuum recall at Acme")
    >>> graph, result, pairs = analyse_articles([a, b])
    >>> result["stories"][0]["members"], result["stories"][0]["label"]
    (['article:https://x.com/a', 'article:https://y.com/b'], 'acme, recall, robot, vacuum')
    """
    starting = stage if stage is not None else (lambda text: None)
    starting("Building the graph")
    G = build_graph(articles)
    pairs = None
    if similar:  # every alike pair is evidence for the clusters; only each article's best become edges
        starting("Finding articles that report the same story")
        pairs = similarity_pairs(G, threshold=threshold, window_days=window_days, neighbours=neighbours,
                                 same_provider=same_provider)
    starting("Finding stories, central articles and dominant providers")
    result = analyse_graph(G, seed=seed, resolution=resolution, related_weight=related_weight, similarity=pairs)
    if pairs is not None and similar_edges:
        starting("Adding the same-story links to the graph")
        G = link_similar(G, pairs=pairs, copy=False)  # G is ours, just built: no copy needed
    return Analysis(G, result, pairs)
