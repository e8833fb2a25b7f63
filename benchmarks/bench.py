"""Benchmark: load, build and analyse synthetic corpora of 1k, 10k and 100k articles.

Run from the project folder::

    python benchmarks/bench.py                      # 1,000 / 10,000 / 100,000 files
    python benchmarks/bench.py --sizes 1000,10000   # quicker

Corpora are generated once (``python -m graph.synth``) under ``benchmarks/corpora/``
(git-ignored) and reused. Every stage runs in a fresh subprocess, so its time and peak
memory are its own:

- ``naive``: the baseline, as a first script would do it: read every file whole, split the
  front matter, ``yaml.load`` it with libyaml's ``CSafeLoader``, keep raw texts and dicts.
- ``cold``: ``scan`` with an empty parse cache (which it fills) and every core, then
  ``build_graph``. The operating system's page cache is dropped first when permitted
  (root); otherwise "cold" means "no parse cache" and the files are in memory. With
  ``--page-cache keep`` every file is read once before the naive and the cold stage
  instead, so both parse from memory (what "cold" means for a folder just written or read).
- ``warm``: ``scan`` again with the filled cache, then ``build_graph``.
- ``sequential``: ``scan`` in one process without cache (the reference result).
- ``pipeline``: the whole thing in one process tree as the CLI runs it, cold (no parse
  cache): ``scan`` on every core, ``build_graph``, similarity inference
  (``link.similarity_pairs``, "link s") and ``analyse.analyse_graph`` over the graph and
  the pairs ("analyse s": clusters, PageRank, bridges, stories, providers, topics,
  timelines); its peak RSS is the pipeline's (the ``clusters``, ``providers`` and ``stats``
  commands); "with workers" adds, sampled every 20 ms, the private memory of its child
  processes (the parsing workers, the linking and analysis children) to its RSS: what the
  whole process tree takes. Then the similar edges are added to the graph, as for a view or
  an export ("edges s", and the peak RSS "with edges"). The pipeline runs twice: once with
  the memory sampler, for "with workers", and once without it, for every time and the
  other peaks. Reading a child's ``smaps_rollup`` walks its page tables under its memory
  lock: every 20 ms, on two cores, that stretched link + analyse by 0.5-2.9 s (1.7 s on
  average) at 100,000 articles, which is the sampler's cost, not the pipeline's (the sampled run's
  times are kept in ``last.json`` as ``sampled_s``).

Each size runs ``--repeat`` times (default 3): naive, cold, warm and pipeline (and, in the
first run only, the sequential reference and the memory-sampled pipeline), a run's stages back
to back so that a naive run and the cold run right after it meet the same host. The table gives
each time as the median of the runs and their range; the speed-up is the median of each run's
naive / cold ratio; ``last.json`` keeps every run. On a machine shared with other jobs one run
can be a third slower than the next (the same stage's CPU seconds vary as much): a median of
three says what the code does, the range what the host did.

``--load-only`` skips the pipeline stage and the clustering digest (loading figures only).
Every load stage also reports its CPU seconds (this process and its parsing workers), and the
pipeline those of the linking and the analysis (with their forked children): on a machine
shared with other jobs, wall times stretch but CPU seconds move less.

Each stage prints a digest of its result: articles and the report of every file; the graph
(nodes, stubs, edges with attributes); the clusters (Leiden over the graph with similar
links). The run fails unless cold, warm, sequential and pipeline digests are equal. The
table goes to stdout and ``benchmarks/results/last.md`` (with ``last.json``); a run of smaller
sizes only to ``last-small.md`` (git-ignored), so that a quick run keeps the 100k results.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # the project's `graph`, installed or not (its stages run this file too)


# --- Stages (each runs in its own process) -----------------------------------------------------


def _peak_mb() -> tuple[float, float]:
    """Peak RSS of this process and of its largest finished child (workers), in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return round(own, 1), round(children, 1)


def _sample_memory(pid: int) -> None:
    """Until stopped (SIGTERM), sample every 20 ms the RSS of process ``pid`` plus the private memory of its
    children (its parsing workers and the linking child), then print the peak sum in MB.

    A forked child shares the parent's pages until either writes them: its RSS counts them
    again, its private memory (``smaps_rollup``) does not. Linux only.
    """
    stopped = []
    signal.signal(signal.SIGTERM, lambda *_: stopped.append(True))

    def kilobytes(path: str, fields: tuple[str, ...]) -> int:
        try:
            with open(path) as f:
                return sum(int(line.split()[1]) for line in f if line.startswith(fields))
        except OSError:  # the child is gone already
            return 0

    peak = 0
    while not stopped:
        try:
            with open(f"/proc/{pid}/task/{pid}/children") as f:
                children = [child for child in f.read().split() if child != str(os.getpid())]
        except OSError:
            break
        total = kilobytes(f"/proc/{pid}/status", ("VmRSS:",))
        total += sum(kilobytes(f"/proc/{child}/smaps_rollup", ("Private_Clean:", "Private_Dirty:")) for child in children)
        peak = max(peak, total)
        time.sleep(0.02)
    print(round(peak / 1024, 1), flush=True)


def _digests(articles, report, G, clusters) -> dict:
    from graph.cache import encode_result

    load = hashlib.sha256()
    for article in articles:
        load.update(encode_result(article, (), None).encode())
        load.update(json.dumps(article.files).encode())
    for record in report.files:
        load.update(json.dumps(record.to_dict(), sort_keys=True).encode())
    graph = hashlib.sha256()
    for n, data in G.nodes(data=True):
        graph.update(json.dumps([n, data], sort_keys=True, default=str).encode())
    for u, v, data in G.edges(data=True):
        graph.update(json.dumps([u, v, data], sort_keys=True, default=str).encode())
    return {"load": load.hexdigest()[:16], "graph": graph.hexdigest()[:16], "clusters": _cluster_digest(clusters)}


def _cluster_digest(clusters: dict) -> str:
    return hashlib.sha256(json.dumps(sorted(clusters.items())).encode()).hexdigest()[:16]


def _counts(articles, report, G, clusters) -> dict:
    kinds = [d for _, d in G.nodes(data="kind")]
    in_corpus = sum(1 for _, d in G.nodes(data=True) if d.get("kind") == "article" and d.get("in_corpus"))
    return {
        "files": len(report.files),
        "articles": in_corpus,
        "stubs": kinds.count("article") - in_corpus,
        "edges": G.number_of_edges(),
        "rejected": report.count("rejected"),
        "clusters": len(set(clusters.values())),
    }


def _link_and_cluster(G):
    """The clusters as ``pipeline.analyse_articles`` finds them (every alike pair as evidence); G is kept."""
    from graph.analyse import find_clusters
    from graph.link import link_similar, similarity_pairs

    pairs = similarity_pairs(G)
    return find_clusters(link_similar(G, pairs=pairs), seed=0, similarity=pairs)


def stage_naive(corpus: str, **_) -> dict:
    import yaml

    from graph.load import find_files

    began = time.perf_counter()
    texts, documents, failed = [], [], 0
    for path in find_files([corpus]):
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except (OSError, UnicodeDecodeError):
            failed += 1
            continue
        texts.append(text)
        parts = text.split("\n---", 1)
        try:
            documents.append(yaml.load(parts[0].lstrip("\ufeff-\n"), Loader=yaml.CSafeLoader))
        except yaml.YAMLError:
            failed += 1
    seconds = time.perf_counter() - began
    return {"seconds": round(seconds, 2), "documents": len(documents), "failed": failed, "peak_mb": _peak_mb()}


def _scan_and_build(corpus: str, cache: str | None, workers: int | None) -> tuple:
    from graph.build import build_graph
    from graph.load import scan

    began, cpu = time.perf_counter(), _cpu_s()
    articles, report = scan([corpus], cache=cache, workers=workers)
    loaded = time.perf_counter()
    G = build_graph(articles)
    built = time.perf_counter()
    return articles, report, G, round(loaded - began, 2), round(built - loaded, 2), round(_cpu_s() - cpu, 2)


def _cpu_s() -> float:
    """CPU seconds used so far by this process and its finished children (the parsing workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def stage_load(corpus: str, cache: str | None, workers: int | None, load_only: bool = False, **_) -> dict:
    articles, report, G, load_s, build_s, cpu_s = _scan_and_build(corpus, cache, workers)
    peak = _peak_mb()
    clusters = {} if load_only else _link_and_cluster(G)
    return {
        "load_s": load_s,
        "build_s": build_s,
        "cpu_s": cpu_s,
        "peak_mb": peak,
        "counts": _counts(articles, report, G, clusters),
        "digests": _digests(articles, report, G, clusters),
    }


def stage_pipeline(corpus: str, workers: int | None, sample: bool = False, **_) -> dict:
    from graph.analyse import analyse_graph
    from graph.link import link_similar, similarity_pairs

    sampler = None
    if sample:
        sampler = subprocess.Popen([sys.executable, str(Path(__file__)), "--sample-memory", str(os.getpid())],
                                   stdout=subprocess.PIPE, text=True)
    articles, report, G, load_s, build_s, cpu_s = _scan_and_build(corpus, None, workers)
    counts = _counts(articles, report, G, {})  # before the similar edges join G
    digests = _digests(articles, report, G, {})
    del articles  # as the CLI drops them: the graph holds what the analysis needs
    began, cpu_began = time.perf_counter(), _cpu_s()
    pairs = similarity_pairs(G)  # as pipeline.analyse_articles runs the stages
    linked, cpu_linked = time.perf_counter(), _cpu_s()
    result = analyse_graph(G, seed=0, similarity=pairs)  # from the pairs: G holds no similar edge yet
    analysed, cpu_analysed = time.perf_counter(), _cpu_s()
    peak = _peak_mb()  # the pipeline of the clusters, providers and stats commands
    tree = None  # none unsampled, or when stopped before its first sample
    if sampler is not None:
        sampler.terminate()
        sampled = sampler.communicate()[0].strip()
        tree = float(sampled) if sampled else None
    H = link_similar(G, pairs=pairs, copy=False)  # what views and exports add
    added = time.perf_counter()
    clusters = result["clusters"]
    counts["clusters"] = len(set(clusters.values()))
    digests["clusters"] = _cluster_digest(clusters)
    return {
        "load_s": load_s,
        "build_s": build_s,
        "cpu_s": cpu_s,
        "link_s": round(linked - began, 2),
        "analyse_s": round(analysed - linked, 2),
        "link_cpu_s": round(cpu_linked - cpu_began, 2),  # this process and its children, all cores
        "analyse_cpu_s": round(cpu_analysed - cpu_linked, 2),
        "edges_s": round(added - analysed, 2),
        "similar_edges": sum(1 for _, _, k in H.edges(data="kind") if k == "similar"),
        "peak_mb": peak,
        "peak_tree_mb": tree,
        "peak_edges_mb": _peak_mb(),
        "counts": counts,
        "digests": digests,
    }


STAGES = {"naive": stage_naive, "load": stage_load, "pipeline": stage_pipeline}


# --- The driver ----------------------------------------------------------------------------------


def _prepare_page_cache(mode: str, corpus: Path) -> bool:
    """Drop the OS page cache (``drop``), or read every file of ``corpus`` once (``keep``)."""
    if mode == "drop":
        return _drop_page_cache()
    for path in corpus.rglob("*.md"):
        path.read_bytes()
    return False


def _drop_page_cache() -> bool:
    """Drop the OS page cache (root only); return whether it worked."""
    os.sync()
    try:
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
        return True
    except OSError:
        return False


def _load_average() -> str:
    try:
        with open("/proc/loadavg") as f:
            return f.read().split()[0]
    except OSError:
        return "unknown"


def _run(stage: str, corpus: Path, *, cache: Path | None = None, workers: int | None = None,
         load_only: bool = False, sample: bool = False) -> dict:
    command = [sys.executable, str(Path(__file__)), "--stage", stage, "--corpus", str(corpus)]
    if load_only:
        command.append("--load-only")
    if sample:
        command.append("--sample")
    if cache is not None:
        command += ["--cache", str(cache)]
    if workers is not None:
        command += ["--workers", str(workers)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        sys.exit(f"stage {stage} failed on {corpus}:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _corpus(size: int, seed: int, folder: Path) -> Path:
    corpus = folder / f"synth-{size}-seed{seed}"
    if not (corpus / "truth.json").is_file():  # written last: its presence means complete
        shutil.rmtree(corpus, ignore_errors=True)
        print(f"generating {corpus} ...", file=sys.stderr, flush=True)
        subprocess.run(
            [sys.executable, "-m", "graph.synth", str(corpus), "--articles", str(size), "--seed", str(seed),
             "--damaged-rate", "0.01"],
            check=True, cwd=ROOT,
        )
    return corpus


def _spread(values: list[float], digits: int, unit: str = "") -> str:
    """``median`` alone for one run, else ``median (lowest-highest)``."""
    middle = f"{statistics.median(values):.{digits}f}{unit}"
    if len(values) == 1:
        return middle
    return f"{middle} ({min(values):.{digits}f}-{max(values):.{digits}f})"


def _table(rows: list[dict]) -> str:
    """The results table: each time the median of the row's runs (with their range when there are several)."""
    headers = ("files", "runs", "naive CSafeLoader s", "cold load+build s", "speed-up", "cold CPU s", "warm load s",
               "warm load+build s", "link + analyse s", "link s", "analyse s", "link + analyse CPU s", "edges s",
               "peak RSS MB", "identical")
    median = statistics.median
    cells = [headers]
    for r in rows:
        naives, colds, warms, pipes = r["naive_runs"], r["cold_runs"], r["warm_runs"], r["pipeline_runs"]
        cold = [c["load_s"] + c["build_s"] for c in colds]
        ratios = [n["seconds"] / c for n, c in zip(naives, cold)]  # each naive run against the cold run right after it
        naive_mb = max(max(n["peak_mb"]) for n in naives)
        p = r["pipeline"]
        cells.append((
            f"{r['files']:,}", str(len(colds)), _spread([n["seconds"] for n in naives], 1), _spread(cold, 1),
            _spread(ratios, 2, "x"), f"{median([c['cpu_s'] for c in colds]):.1f}",
            _spread([w["load_s"] for w in warms], 2), _spread([w["load_s"] + w["build_s"] for w in warms], 2),
            _spread([q["link_s"] + q["analyse_s"] for q in pipes], 1) if pipes else "-",
            f"{median([q['link_s'] for q in pipes]):.1f}" if pipes else "-",
            f"{median([q['analyse_s'] for q in pipes]):.1f}" if pipes else "-",
            f"{median([q['link_cpu_s'] for q in pipes]):.1f} + {median([q['analyse_cpu_s'] for q in pipes]):.1f}"
            if pipes else "-",
            f"{median([q['edges_s'] for q in pipes]):.1f}" if pipes else "-",
            f"{max(q['peak_mb'][0] for q in pipes):.0f} (with workers {p['peak_tree_mb'] or float('nan'):.0f}; "
            f"with edges {max(q['peak_edges_mb'][0] for q in pipes):.0f}; naive {naive_mb:.0f})" if pipes
            else f"load+build {max(max(c['peak_mb']) for c in colds):.0f} (naive {naive_mb:.0f})",
            "yes" if r["identical"] else "NO",
        ))
    widths = [max(len(str(row[i])) for row in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths)) + " |" for row in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="corpus sizes in files (default 1000,10000,100000)")
    parser.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    parser.add_argument("--workers", type=int, default=None, help="parsing processes (default: one per core)")
    parser.add_argument("--corpora", default=str(HERE / "corpora"), help="where corpora and caches live")
    parser.add_argument("--page-cache", choices=("drop", "keep"), default="drop",
                        help="before the naive and cold stages: drop the OS page cache (default; needs root), or "
                             "read every file once so that both find the files in memory")
    parser.add_argument("--repeat", type=_positive, default=3,
                        help="runs of the naive, cold, warm and pipeline stages per size (default 3): the table "
                             "gives each figure's median and range, last.json every run")
    parser.add_argument("--load-only", action="store_true",
                        help="skip the pipeline stage (link, analyse, whole-pipeline RSS): loading figures only")
    parser.add_argument("--stage", choices=sorted(STAGES), help=argparse.SUPPRESS)
    parser.add_argument("--corpus", help=argparse.SUPPRESS)
    parser.add_argument("--cache", help=argparse.SUPPRESS)
    parser.add_argument("--sample-memory", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--sample", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.sample_memory:
        _sample_memory(args.sample_memory)
        return 0
    if args.stage:  # inside a stage's own process
        result = STAGES[args.stage](corpus=args.corpus, cache=args.cache, workers=args.workers, load_only=args.load_only,
                                    sample=args.sample)
        print(json.dumps(result))
        return 0

    folder = Path(args.corpora)
    folder.mkdir(parents=True, exist_ok=True)
    load_before = _load_average()
    rows = []
    dropped = []
    for size in (int(s) for s in args.sizes.split(",")):
        corpus = _corpus(size, args.seed, folder)
        cache = folder / f"cache-{size}"
        naive_runs, cold_runs, warm_runs, pipeline_runs = [], [], [], []
        sequential = sampled = None
        for run in range(1, args.repeat + 1):
            # a run's stages back to back: a naive run and the cold run right after it meet the same host
            shutil.rmtree(cache, ignore_errors=True)
            print(f"{size:,} files, run {run} of {args.repeat}: naive ...", file=sys.stderr, flush=True)
            dropped.append(_prepare_page_cache(args.page_cache, corpus))
            naive_runs.append(_run("naive", corpus))
            print(f"{size:,} files, run {run} of {args.repeat}: cold, warm, pipeline ...", file=sys.stderr, flush=True)
            dropped.append(_prepare_page_cache(args.page_cache, corpus))
            cold_runs.append(_run("load", corpus, cache=cache, workers=args.workers, load_only=args.load_only))
            warm_runs.append(_run("load", corpus, cache=cache, workers=args.workers, load_only=args.load_only))
            if run == 1:  # the reference result: one process, no cache (its time is no target)
                sequential = _run("load", corpus, workers=1, load_only=args.load_only)
            if not args.load_only:
                if run == 1:  # the process tree's memory sampled in one run, the times taken in the others, unsampled
                    dropped.append(_prepare_page_cache(args.page_cache, corpus))
                    sampled = _run("pipeline", corpus, workers=args.workers, sample=True)
                dropped.append(_prepare_page_cache(args.page_cache, corpus))
                pipeline_runs.append(_run("pipeline", corpus, workers=args.workers))
        pipeline = None
        if sampled is not None:
            pipeline = {"peak_tree_mb": sampled["peak_tree_mb"],
                        "sampled_s": {key: sampled[key] for key in ("load_s", "build_s", "link_s", "analyse_s",
                                                                   "link_cpu_s", "analyse_cpu_s")}}
        digests = [stage["digests"] for stage in (*cold_runs, *warm_runs, sequential, sampled, *pipeline_runs)
                   if stage is not None]
        row = {
            "files": cold_runs[0]["counts"]["files"], "naive_runs": naive_runs, "cold_runs": cold_runs,
            "warm_runs": warm_runs, "sequential": sequential, "pipeline": pipeline, "pipeline_runs": pipeline_runs,
            "identical": all(d == digests[0] for d in digests),
        }
        rows.append(row)
        print(json.dumps({k: v for k, v in row.items()}, indent=None), file=sys.stderr, flush=True)
    table = _table(rows)
    if args.page_cache == "keep":
        cold_note = "files read once before the naive and cold stages (in the OS page cache)"
    else:
        cold_note = "page cache dropped before cold stages" if all(dropped) else "cold = no parse cache (page cache not dropped)"
    machine = (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {cold_note}; "
        f"each time the median of {args.repeat} run{'s' if args.repeat > 1 else ''}"
        f"{' (lowest-highest in brackets)' if args.repeat > 1 else ''}; "
        f"load average before/after the run: {load_before} / {_load_average()} (other processes share the cores)"
    )
    print(table)
    print(f"\n{machine}")
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    name = "last" if max(row["files"] for row in rows) >= 100_000 else "last-small"  # a quick run keeps the 100k results the README cites
    (results / f"{name}.md").write_text(table + f"\n\n{machine}\n", encoding="utf-8")
    (results / f"{name}.json").write_text(json.dumps({"machine": machine, "rows": rows}, indent=1) + "\n", encoding="utf-8")
    if not all(row["identical"] for row in rows):
        print("results differ between cold, warm, sequential and pipeline runs", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
