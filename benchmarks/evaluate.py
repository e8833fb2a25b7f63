"""Benchmark: score the story clusters against labelled stories, and time the analysis.

    python benchmarks/evaluate.py synthetic [--sizes 1000 10000 100000] [--seed 7] [--work DIR]
    python benchmarks/evaluate.py real [--corpus ../shared/corpus] [--labels benchmarks/labels] [--errors]
    python benchmarks/evaluate.py compare [...]      # the algorithms the README's table compares

``synthetic`` generates corpora with ``python -m graph.synth`` (each article's true story in
``truth.json``) unless they are already in ``--work``; ``real`` reads the hand labels in
``benchmarks/labels/*.json`` (files or canonical URLs -> story; every other loaded article
is a story of its own; ``ambiguous`` ones are left out). Scores: pairwise precision, recall
and F1 (pairs of articles put in one story) and the adjusted Rand index. Times: inference
of similar links, and the whole analysis (inference, clusters, PageRank, bridges,
providers, topics, timelines), loading and building the graph apart.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import networkx as nx
import numpy as np
from sklearn.metrics import adjusted_rand_score

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project's `graph`, installed or not

from graph import scan
from graph.analyse import (
    DEFAULT_RELATED_WEIGHT,
    DEFAULT_RESOLUTION,
    analyse_graph,
    find_clusters,
    story_weights,
)
from graph.build import build_graph
from graph.link import DEFAULT_THRESHOLD, DEFAULT_WINDOW_DAYS, link_similar, similarity_pairs
from graph.model import NodeKind, canonical_url, node_id

ROOT = Path(__file__).resolve().parent.parent


def pair_scores(truth: dict[str, object], predicted: dict[str, object]) -> dict[str, float]:
    """Pairwise precision, recall, F1 and adjusted Rand index over the nodes of ``truth``.

    >>> pair_scores({"a": 1, "b": 1, "c": 2}, {"a": 0, "b": 0, "c": 0})
    {'precision': 0.3333, 'recall': 1.0, 'f1': 0.5, 'ari': 0.0, 'articles': 3}
    """
    nodes = sorted(truth)
    true = [truth[n] for n in nodes]
    pred = [predicted.get(n, ("alone", n)) for n in nodes]

    def pairs(counts):
        return sum(c * (c - 1) // 2 for c in counts.values())

    both = pairs(Counter(zip(true, pred)))
    true_pairs, pred_pairs = pairs(Counter(true)), pairs(Counter(pred))
    precision = both / pred_pairs if pred_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    codes = {label: i for i, label in enumerate(dict.fromkeys(map(repr, true)))}
    pcodes = {label: i for i, label in enumerate(dict.fromkeys(map(repr, pred)))}
    ari = adjusted_rand_score([codes[repr(x)] for x in true], [pcodes[repr(x)] for x in pred])
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "ari": round(float(ari), 4), "articles": len(nodes)}


def synthetic_truth(folder: Path, G: nx.DiGraph) -> dict[str, int]:
    """{article node: true story} for every article of the truth file found in G."""
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    result = {}
    for url, story in truth["articles"].items():
        n = node_id(NodeKind.ARTICLE, canonical_url(url) or url)
        if n in G:
            result[n] = story
    return result


def real_truth(corpus: Path, labels: dict, G: nx.DiGraph) -> dict[str, object]:
    """{article node: story} from hand labels: listed stories, every other loaded article alone."""
    by_file = {}
    for n, data in G.nodes(data=True):
        if data.get("kind") == NodeKind.ARTICLE.value:
            for f in data.get("files") or ():
                by_file[Path(f).name] = n

    def node_of(entry: str) -> str:
        if entry in by_file:
            return by_file[entry]
        n = node_id(NodeKind.ARTICLE, canonical_url(entry) or entry)
        if n not in G:
            raise SystemExit(f"label names an unknown article: {entry}")
        return n

    truth: dict[str, object] = {
        n: ("alone", n) for n, data in G.nodes(data=True) if data.get("kind") == NodeKind.ARTICLE.value and data.get("in_corpus")
    }
    for story, entries in labels["stories"].items():
        for entry in entries:
            truth[node_of(entry)] = story
    for entry in labels.get("ambiguous", ()):
        truth.pop(node_of(entry), None)
    return truth


def run(G: nx.DiGraph, *, threshold: float, window_days: float, resolution: float, related_weight: float,
        seed: int, similar: bool = True) -> tuple[dict, dict[str, float]]:
    """Link and analyse G; return the analysis and the seconds each phase took."""
    times = {}
    started = time.perf_counter()
    pairs = similarity_pairs(G, threshold=threshold, window_days=window_days) if similar else None
    H = link_similar(G, pairs=pairs) if similar else G
    times["link"] = time.perf_counter() - started
    started2 = time.perf_counter()
    result = analyse_graph(H, seed=seed, resolution=resolution, related_weight=related_weight, similarity=pairs)
    times["analyse"] = time.perf_counter() - started2
    times["total"] = time.perf_counter() - started
    result["_graph"] = H
    return result, times


def load(folder: Path) -> tuple[nx.DiGraph, float]:
    started = time.perf_counter()
    articles, _ = scan([str(folder)])
    G = build_graph(articles)
    return G, time.perf_counter() - started


def ensure_synthetic(work: Path, size: int, seed: int) -> Path:
    folder = work / f"synth-{size}-seed{seed}"
    if not (folder / "truth.json").exists():  # written last: without it, a generation was cut short
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "graph.synth", str(folder), "--articles", str(size), "--seed", str(seed)],
                       check=True, stdout=subprocess.DEVNULL)
    return folder


def real_corpora(corpus_root: Path, labels_dir: Path):
    for path in sorted(labels_dir.glob("*.json")):
        labels = json.loads(path.read_text(encoding="utf-8"))
        folder = corpus_root / labels["corpus"]
        if folder.is_dir():
            yield folder, labels


def _options(args) -> dict:
    return {"threshold": args.threshold, "window_days": args.window, "resolution": args.resolution,
            "related_weight": args.related_weight, "seed": args.seed}


def command_synthetic(args) -> list[dict]:
    rows = []
    for size in args.sizes:
        folder = ensure_synthetic(Path(args.work), size, args.corpus_seed)
        G, load_time = load(folder)
        result, times = run(G, **_options(args))
        truth = synthetic_truth(folder, G)
        scores = pair_scores(truth, result["clusters"])
        again, _ = run(G, **_options(args))
        rows.append({"corpus": f"synthetic {size}", **scores, "stories": len(set(truth.values())),
                     "found": len(result["stories"]), "repeatable": again["clusters"] == result["clusters"]
                     and [s["label"] for s in again["stories"]] == [s["label"] for s in result["stories"]],
                     "load_s": round(load_time, 2), "link_s": round(times["link"], 2),
                     "analysis_s": round(times["total"], 2)})
    return rows


def mistakes(G: nx.DiGraph, truth: dict, clusters: dict) -> list[str]:
    """Lines naming every found story that mixes labelled stories (or lone articles) and every labelled story split."""
    def title(n):
        return (G.nodes[n].get("title") or G.nodes[n].get("label") or n)[:90]

    def story(n):
        return "alone" if isinstance(truth[n], tuple) else truth[n]

    found, labelled = defaultdict(list), defaultdict(list)
    for n in sorted(truth):
        found[clusters.get(n)].append(n)
        if not isinstance(truth[n], tuple):
            labelled[truth[n]].append(n)
    lines = []
    for c, members in sorted(found.items(), key=lambda item: (item[0] is None, item[0] or 0)):
        if len(members) > 1 and (len({story(n) for n in members}) > 1 or story(members[0]) == "alone"):
            lines.append(f"joined in story {c}:")
            lines += [f"    [{story(n)}] {title(n)}" for n in members]
    for name, members in sorted(labelled.items()):
        if len({clusters.get(n) for n in members}) > 1:
            lines.append(f"split: {name}")
            lines += [f"    story {clusters.get(n)}: {title(n)}" for n in members]
    return lines


def command_real(args) -> list[dict]:
    rows = []
    for folder, labels in real_corpora(Path(args.corpus), Path(args.labels)):
        G, load_time = load(folder)
        truth = real_truth(folder, labels, G)
        for similar in (True, False):
            result, times = run(G, similar=similar, **_options(args))
            if similar and args.errors:
                print(f"== {folder.name}", *mistakes(result["_graph"], truth, result["clusters"]), sep="\n", file=sys.stderr)
            scores = pair_scores(truth, result["clusters"])
            labelled = {n: s for n, s in truth.items() if not isinstance(s, tuple)}
            rows.append({"corpus": folder.name + ("" if similar else " (related links only)"), **scores,
                         "f1_labelled_only": pair_scores(labelled, result["clusters"])["f1"],
                         "stories": len(labels["stories"]), "analysis_s": round(times["total"], 2)})
    return rows


# --- algorithms compared (the README's table) -------------------------------------------------

def _components(weights: dict, nodes: list[str], cut: float) -> dict[str, object]:
    H = nx.Graph()
    H.add_nodes_from(nodes)
    H.add_edges_from(pair for pair, w in weights.items() if w >= cut)
    return {n: i for i, c in enumerate(nx.connected_components(H)) for n in c}


def _igraph(nodes, weights):
    import igraph as ig
    index = {n: i for i, n in enumerate(nodes)}
    g = ig.Graph(n=len(nodes), edges=[(index[u], index[v]) for u, v in weights])
    g.es["weight"] = list(weights.values())
    return g


def alternatives(G: nx.DiGraph, seed: int, related_weight: float, pairs=None):
    """Yield (name, clusters, seconds) for each algorithm compared on the same story graph."""
    import random

    import igraph as ig
    import leidenalg

    if pairs is not None:
        for resolution, name in ((None, "tight CPM groups, CPM 0.1 over every alike pair, Surprise (chosen)"),
                                 (0.1, "tight CPM groups, CPM 0.1 over every alike pair (--resolution 0.1)")):
            started = time.perf_counter()
            clusters = find_clusters(G, seed=seed, resolution=resolution, related_weight=related_weight, similarity=pairs)
            yield name, clusters, time.perf_counter() - started
    nodes = sorted(n for n, k in G.nodes(data="kind") if k == NodeKind.ARTICLE.value)
    weights = story_weights(G, related_weight=related_weight)
    for cut in (0.2, 0.3):
        started = time.perf_counter()
        yield f"connected components, links >= {cut}", _components(weights, nodes, cut), time.perf_counter() - started
    g = _igraph(nodes, weights)
    started = time.perf_counter()
    random.seed(seed)
    ig.set_random_number_generator(random.Random(seed))
    membership = g.community_label_propagation(weights="weight").membership
    yield "label propagation (igraph)", dict(zip(nodes, membership)), time.perf_counter() - started
    for resolution in (1.0, 10.0):
        H = nx.Graph()
        H.add_nodes_from(nodes)
        H.add_weighted_edges_from((u, v, w) for (u, v), w in weights.items())
        started = time.perf_counter()
        if len(nodes) <= 20000:
            communities = nx.community.louvain_communities(H, weight="weight", resolution=resolution, seed=seed)
            yield (f"Louvain modularity, resolution {resolution} (networkx)",
                   {n: i for i, c in enumerate(communities) for n in c}, time.perf_counter() - started)
    for resolution in (1.0, 10.0):
        started = time.perf_counter()
        partition = leidenalg.find_partition(g, leidenalg.RBConfigurationVertexPartition, weights="weight",
                                             resolution_parameter=resolution, n_iterations=-1, seed=seed)
        yield (f"Leiden modularity, resolution {resolution}", dict(zip(nodes, partition.membership)),
               time.perf_counter() - started)
    for resolution in (0.05, 0.1):
        started = time.perf_counter()
        membership = leidenalg.find_partition(g, leidenalg.CPMVertexPartition, weights="weight",
                                              resolution_parameter=resolution, n_iterations=2, seed=seed).membership
        yield (f"Leiden CPM {resolution} over each article's best links (before)", dict(zip(nodes, membership)),
               time.perf_counter() - started)
    started = time.perf_counter()
    partition = leidenalg.find_partition(g, leidenalg.SurpriseVertexPartition, weights="weight", n_iterations=2, seed=seed)
    yield "Leiden Surprise over each article's best links", dict(zip(nodes, partition.membership)), time.perf_counter() - started


def command_compare(args) -> list[dict]:
    rows = []
    targets = []
    for folder, labels in real_corpora(Path(args.corpus), Path(args.labels)):
        G, _ = load(folder)
        targets.append((folder.name, G, real_truth(folder, labels, G)))
    for size in args.sizes:
        folder = ensure_synthetic(Path(args.work), size, args.corpus_seed)
        G, _ = load(folder)
        targets.append((f"synthetic {size}", G, synthetic_truth(folder, G)))
    for name, G, truth in targets:
        pairs = similarity_pairs(G, threshold=args.threshold, window_days=args.window)
        variants = [("similar + related", link_similar(G, pairs=pairs), pairs)]
        if args.related_only:
            variants.append(("related only", G, None))
        for links, H, evidence in variants:
            for algorithm, clusters, seconds in alternatives(H, args.seed, args.related_weight, evidence):
                rows.append({"corpus": name, "links": links, "algorithm": algorithm,
                             **pair_scores(truth, clusters), "seconds": round(seconds, 2)})
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=("synthetic", "real", "compare", "all"))
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000, 100000])
    parser.add_argument("--corpus-seed", type=int, default=7, help="seed of the synthetic corpora")
    parser.add_argument("--work", default="/tmp/graph-benchmarks", help="folder for synthetic corpora")
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--labels", default=str(ROOT / "benchmarks" / "labels"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--window", type=float, default=DEFAULT_WINDOW_DAYS)
    parser.add_argument("--resolution", type=float, default=DEFAULT_RESOLUTION)
    parser.add_argument("--related-weight", type=float, default=DEFAULT_RELATED_WEIGHT)
    parser.add_argument("--related-only", action="store_true", help="compare: also without similar links")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--errors", action="store_true", help="real: list the wrongly joined and split stories (stderr)")
    args = parser.parse_args(argv)
    rows = []
    if args.what in ("real", "all"):
        rows += command_real(args)
    if args.what in ("synthetic", "all"):
        rows += command_synthetic(args)
    if args.what == "compare":
        rows += command_compare(args)
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        keys = list(dict.fromkeys(k for row in rows for k in row))
        cells = [keys] + [[str(row.get(k, "")) for k in keys] for row in rows]
        widths = [max(len(r[i]) for r in cells) for i in range(len(keys))]
        for r in cells:
            print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
