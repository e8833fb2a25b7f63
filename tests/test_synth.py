"""Tests of the synthetic corpus generator (graph/synth.py)."""

from __future__ import annotations

import json
import os
from collections import Counter

import pytest

from graph import scan
from graph.build import build_graph
from graph.model import canonical_url
from graph.synth import DAMAGE_KINDS, generate_corpus, main


def _tree(folder) -> dict[str, bytes]:
    out = {}
    for root, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            out[os.path.relpath(path, folder)] = open(path, "rb").read()
    return out


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth")
    truth = generate_corpus(out, articles=600, seed=7, damaged_rate=0.03)
    return out, truth


def test_generate_corpus_is_byte_identical_for_a_seed(tmp_path):
    generate_corpus(tmp_path / "a", articles=80, seed=3, damaged_rate=0.1)
    generate_corpus(tmp_path / "b", articles=80, seed=3, damaged_rate=0.1)
    generate_corpus(tmp_path / "c", articles=80, seed=4, damaged_rate=0.1)
    a, b, c = (_tree(tmp_path / x) for x in "abc")
    assert len(a) == 81  # 80 files and truth.json
    assert a == b
    assert a != c


def test_generate_corpus_writes_the_truth_it_returns(corpus):
    out, truth = corpus
    assert json.loads((out / "truth.json").read_text(encoding="utf-8")) == truth
    assert len(truth["files"]) == 600
    assert truth["seed"] == 7


def test_generate_corpus_files_load_as_the_truth_says(corpus):
    out, truth = corpus
    articles, report = scan([out])
    assert len(report.files) == 600
    damaged = {f: v["damage"] for f, v in truth["files"].items() if "damage" in v}
    assert len(damaged) == 18  # 3% of 600
    assert sorted(set(damaged.values())) == sorted(DAMAGE_KINDS)
    for record in report.files:
        expected = truth["files"][os.path.relpath(record.file, out)]
        if "damage" in expected:
            assert record.status == "rejected", record
        else:
            assert record.status in ("loaded", "duplicate"), record
            assert record.article == "article:" + expected["url"]
            assert record.warnings == ()
    assert report.count("duplicate") == 6  # 1% of the 582 undamaged files
    # Every article node, stubs included, is in the truth with its story.
    G = build_graph(articles)
    urls = [d["url"] for _, d in G.nodes(data=True) if d["kind"] == "article"]
    assert sorted(urls) == sorted(truth["articles"])  # and no article of the truth that no file holds or cites
    stubs = sum(1 for _, d in G.nodes(data=True) if d["kind"] == "article" and not d["in_corpus"])
    assert sum(s["stubs"] for s in truth["stories"]) == stubs
    assert sum(1 for _, d in G.nodes(data=True) if d["kind"] == "article" and not d["in_corpus"]) > 50


def test_generate_corpus_damage_gives_each_reason(corpus):
    out, truth = corpus
    _, report = scan([out])
    reasons = {}
    for record in report.rejected:
        kind = truth["files"][os.path.relpath(record.file, out)]["damage"]
        reasons[kind] = record.reason
    assert reasons["binary"].startswith("binary file")
    assert reasons["non_utf8"].startswith("not UTF-8")
    assert reasons["no_fence"].startswith("no front matter")
    assert reasons["unterminated"].startswith("unterminated front matter")
    assert reasons["yaml_syntax"].startswith("invalid YAML")
    assert reasons["non_mapping"] == "front matter is a list, not a mapping of fields"
    assert reasons["unsafe_tag"].startswith("unknown or unsafe tag")
    assert reasons["no_url"].startswith("no URL")
    assert reasons["empty"] == "empty file"


def test_generate_corpus_urls_are_canonical_and_variants_resolve(corpus):
    out, truth = corpus
    assert all(canonical_url(url) == url for url in truth["articles"])
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(out.glob("*/*.md"))[:200] if p.stat().st_size > 2000)
    assert "?utm_source=" in text
    assert ".cdn.ampproject.org/c/s/" in text
    assert "/amp/" in text


def test_generate_corpus_related_links_stay_mostly_within_stories(corpus):
    out, truth = corpus
    articles, _ = scan([out])
    story = truth["articles"]
    links = [(a.url, r.url) for a in articles for r in a.related]
    same = sum(story[u] == story[v] for u, v in links)
    assert len(links) > 1000
    assert 0.85 < same / len(links) < 1.0  # mostly within, some across


def test_generate_corpus_story_sizes_are_heavy_tailed(tmp_path):
    truth = generate_corpus(tmp_path, articles=3000, seed=0)
    sizes = sorted(s["articles"] for s in truth["stories"])
    assert sizes[len(sizes) // 2] <= 2  # the median story is tiny
    assert sizes[-1] >= 30  # and a few are big
    providers = Counter()
    for path in sorted(tmp_path.glob("*/*.md"))[:1000]:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("  domain: "):
                providers[line.split()[1]] += 1
    counts = sorted(providers.values(), reverse=True)
    assert counts[0] > 5 * counts[len(counts) // 2]  # Zipf-like: the top provider dominates
    sizes = [p.stat().st_size for p in tmp_path.glob("*/*.md")]
    assert 3300 < sum(sizes) / len(sizes) < 4300  # about 3.8 KB, like the real documents


def test_generate_corpus_rejects_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="articles must be a positive integer"):
        generate_corpus(tmp_path, articles=0)
    with pytest.raises(ValueError, match="damaged_rate must be between 0 and 1"):
        generate_corpus(tmp_path, articles=5, damaged_rate=1.5)


def test_main_writes_corpus(tmp_path, capsys):
    assert main([str(tmp_path / "out"), "--articles", "12", "--seed", "2", "--damaged-rate", "0.25"]) == 0
    assert "wrote 12 files" in capsys.readouterr().err
    truth = json.loads((tmp_path / "out" / "truth.json").read_text(encoding="utf-8"))
    assert sum("damage" in v for v in truth["files"].values()) == 3


def test_generate_corpus_refuses_a_folder_with_files_or_a_file(tmp_path):
    generate_corpus(tmp_path / "a", articles=20, seed=1)
    with pytest.raises(FileExistsError, match="not empty"):
        generate_corpus(tmp_path / "a", articles=5, seed=1)  # would have mixed 20 old files with 5 new
    (tmp_path / "f").write_text("x")
    with pytest.raises(FileExistsError, match="not a folder"):
        generate_corpus(tmp_path / "f", articles=5)
    (tmp_path / "empty").mkdir()
    assert len(generate_corpus(tmp_path / "empty", articles=5)["files"]) == 5
