"""Benchmark: where the similarity inference and the analysis spend their time, stage by stage.

    PYTHONPATH=. python3 benchmarks/stages.py benchmarks/corpora/synth-100000-seed0

Loads the corpus once (with a parse cache under the system's temporary folder, so a second
run starts warm), builds the graph, then times as ``pipeline.analyse_articles`` runs them:
``link.similarity_pairs``, the parts of ``analyse.analyse_graph`` over the graph and the
pairs (reading the links, the story pairs, the clustering, PageRank, bridges, the stories
with their labels), the whole call, and last ``link.link_similar`` (no copy: the edges a
view or an export needs).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project's `graph`, installed or not

from graph import analyse, scan
from graph._gc import paused_gc
from graph.build import build_graph
from graph.link import link_similar, similarity_pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus")
    args = parser.parse_args()
    cache = Path(tempfile.gettempdir()) / f"graph-stages-cache-{Path(args.corpus).resolve().name}"
    articles, _ = scan([args.corpus], cache=cache)
    G = build_graph(articles)
    del articles
    times = {}

    def timed(name, compute):
        started = time.perf_counter()
        value = compute()
        times[name] = time.perf_counter() - started
        return value

    pairs = timed("similarity_pairs", lambda: similarity_pairs(G))
    with paused_gc():
        links = timed("analyse: article_links", lambda: analyse.article_links(G, pairs))
        story = timed("analyse: story_pairs", lambda: analyse.story_pairs(links))
        clusters = timed("analyse: clusters", lambda: analyse._clusters(
            links, story, pairs, seed=0, resolution=None, related_weight=analyse.DEFAULT_RELATED_WEIGHT))
        rank = timed("analyse: PageRank", lambda: analyse._pagerank(links, 0.85))
        timed("analyse: bridges", lambda: analyse._betweenness(analyse._story_graph(len(links.nodes), story),
                                                               analyse.bridge_sources(len(story[0])), 0))
        timed("analyse: stories", lambda: analyse._describe(links, analyse._cluster_array(links, clusters), rank,
                                                            story, 4))
    timed("analyse_graph (whole)", lambda: analyse.analyse_graph(G, similarity=pairs))
    timed("link_similar (edges, after)", lambda: link_similar(G, pairs=pairs, copy=False))
    width = max(map(len, times))
    for name, seconds in times.items():
        print(f"{name:<{width}}  {seconds:6.2f} s")
    print(f"{len(pairs.other):,} alike pairs, {len(pairs.link_u):,} links, {len(links.nodes):,} articles")


if __name__ == "__main__":
    main()
