"""Smoke tests over the real corpora in ../shared/corpus (skipped when they are absent)."""

from graph.build import build_graph, graph_counts
from graph.load import find_files, scan


def test_scan_real_corpus_accounts_for_every_file(corpus_dir):
    articles, report = scan([corpus_dir])
    files = find_files([corpus_dir])
    assert [r.file for r in report.files] == files
    assert len(files) == 771
    # 8 duplicates: among them Dark Reading's newsletter copy (?_mc=…&cid=…&elq_mid=…&elq_cid=…)
    assert (report.count("loaded"), report.count("duplicate"), report.count("rejected")) == (763, 8, 0)
    assert len(articles) == 763
    counts = graph_counts(build_graph(articles))
    assert counts["articles"] == 763


def test_scan_powerapps_corpus_loads_all_674_files(corpus_dir):
    articles, report = scan([corpus_dir / "everyday-powerapps"])
    assert len(report.files) == 674 and report.count("rejected") == 0
