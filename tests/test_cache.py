"""The on-disk parse cache: warm loads equal cold ones, every change is picked up, a bad cache is no harm."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import sqlite3

import pytest

from graph import load
from graph.cache import (
    CACHE_FILE, ParseCache, decode_result, default_cache_dir, encode_result, load_pack, pack_results, unpack_results,
)
from graph.errors import FieldError
from graph.load import scan
from graph.model import Article, Issue, Provider, Related
from graph.synth import generate_corpus

from tests.conftest import article_text


@pytest.fixture
def corpus(tmp_path):
    out = tmp_path / "corpus"
    generate_corpus(out, articles=60, seed=5, damaged_rate=0.1)
    return out


def _rows(cache_dir) -> list[tuple]:
    """``(absolute path, size, mtime_ns, record)`` of every file the cache's snapshots hold."""
    db = sqlite3.connect(os.path.join(cache_dir, CACHE_FILE))
    try:
        rows = []
        for paths, data in db.execute("SELECT paths, data FROM packs ORDER BY id"):
            for path, record in zip(json.loads(paths), json.loads(data)[4], strict=True):
                if path:
                    rows.append((path, record[0], record[1], record))
        return sorted(rows)
    finally:
        db.close()


def _parsed(monkeypatch) -> list[str]:
    """Record the files parsed (not found in the cache) from now on."""
    parsed: list[str] = []
    real = load._parse_path

    def spy(path, memo):
        parsed.append(path)
        return real(path, memo)

    monkeypatch.setattr(load, "_parse_path", spy)
    return parsed


def test_scan_warm_equals_cold_and_parses_nothing(corpus, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    uncached = scan([corpus], workers=1)
    cold = scan([corpus], workers=1, cache=cache)
    parsed = _parsed(monkeypatch)
    warm = scan([corpus], workers=1, cache=cache)
    assert cold == uncached
    assert warm == uncached
    assert parsed == []
    assert len(_rows(cache)) == 60


def test_scan_cache_rows_are_plain_json(corpus, tmp_path):
    cache = tmp_path / "cache"
    scan([corpus], workers=1, cache=cache)
    for path, size, mtime, record in _rows(cache):
        assert os.path.isabs(path) and os.path.getsize(path) == size and os.stat(path).st_mtime_ns == mtime
        assert record[2] in ("a", "e")
    with open(os.path.join(cache, CACHE_FILE), "rb") as f:
        assert b"\x80\x04\x95" not in f.read()  # no pickle stream anywhere


def test_scan_picks_up_changed_file(corpus, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    scan([corpus], workers=1, cache=cache)
    target = sorted(corpus.glob("*/*.md"))[3]
    text = target.read_text(encoding="utf-8")
    changed = text.replace('title: "', 'title: "Changed ', 1)
    stat = target.stat()
    target.write_text(changed, encoding="utf-8")
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same mtime, other size
    parsed = _parsed(monkeypatch)
    articles, _ = scan([corpus], workers=1, cache=cache)
    assert parsed == [str(target)]
    assert any(a.title.startswith("Changed ") for a in articles)
    # same size, other mtime
    target.write_text(changed.replace("Changed ", "Altered ", 1), encoding="utf-8")
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1000))
    articles, _ = scan([corpus], workers=1, cache=cache)
    assert parsed == [str(target), str(target)]
    assert any(a.title.startswith("Altered ") for a in articles)
    assert scan([corpus], workers=1, cache=cache) == scan([corpus], workers=1)


def test_scan_picks_up_added_and_deleted_files(corpus, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    before, _ = scan([corpus], workers=1, cache=cache)
    added = corpus / "new.md"
    added.write_text(article_text(url="https://new.example/a", title="Added"), encoding="utf-8")
    parsed = _parsed(monkeypatch)
    articles, report = scan([corpus], workers=1, cache=cache)
    assert parsed == [str(added)]
    assert [a.title for a in articles if a.url == "https://new.example/a"] == ["Added"]
    deleted = sorted(corpus.glob("*/*.md"))[0]
    deleted.unlink()
    articles, report = scan([corpus], workers=1, cache=cache)
    assert parsed == [str(added)]
    assert str(deleted) not in [r.file for r in report.files]
    assert (articles, report) == scan([corpus], workers=1)


@pytest.mark.parametrize("garbage", [b"", b"not a database at all" * 100, b"SQLite format 3\x00" + b"\xff" * 5000])
def test_scan_replaces_a_corrupt_cache_file(corpus, tmp_path, garbage):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / CACHE_FILE).write_bytes(garbage)
    assert scan([corpus], workers=1, cache=cache) == scan([corpus], workers=1)
    assert len(_rows(cache)) == 60  # rebuilt


def test_scan_reparses_a_damaged_row(corpus, tmp_path):
    cache = tmp_path / "cache"
    expected = scan([corpus], workers=1, cache=cache)
    db = sqlite3.connect(os.path.join(cache, CACHE_FILE))
    db.execute("UPDATE packs SET data = '[\"pack1\",[],[],[],[[1,2,\"a\",0]]]'")
    db.commit()
    assert scan([corpus], workers=1, cache=cache) == expected
    assert len(_rows(cache)) == 60  # written again
    db.execute("UPDATE packs SET data = 'garbage', paths = '[1, 2'")
    db.commit()
    db.close()
    assert scan([corpus], workers=1, cache=cache) == expected


def test_scan_without_a_usable_cache_folder_still_loads(corpus, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert scan([corpus], workers=1, cache=blocker / "cache") == scan([corpus], workers=1)


def test_parse_cache_drops_snapshots_of_another_parser(tmp_path):
    with ParseCache(tmp_path, fingerprint="one") as store:
        store.save_snapshot("k", [(None, '["/a.md"]', "pack")])
        [(pack_id, paths, data)] = store.read_snapshot("k")
        assert (paths, data) == ('["/a.md"]', "pack")
        store.save_snapshot("k", [(pack_id, '[""]', None), (None, '["/b.md"]', "new")])
        assert [row[1:] for row in store.read_snapshot("k")] == [('[""]', "pack"), ('["/b.md"]', "new")]
        assert store.read_snapshot("other") == []
    with ParseCache(tmp_path, fingerprint="two") as store:
        assert store.read_snapshot("k") == []


def test_parse_cache_keeps_the_most_recent_snapshots(tmp_path):
    with ParseCache(tmp_path, fingerprint="one") as store:
        for number in range(ParseCache.KEEP + 2):
            store.save_snapshot(f"k{number}", [(None, "[]", "pack")])
        assert store.read_snapshot("k0") == store.read_snapshot("k1") == []
        assert len(store.read_snapshot("k2")) == len(store.read_snapshot(f"k{ParseCache.KEEP + 1}")) == 1


def test_pack_results_round_trips():
    provider = Provider("X", "x.com")
    entry = Related("https://y.com/c", "C", None, None, provider, 3, ("https://y.com/amp/c",))
    article = Article(
        url="https://x.com/a", title="A \u00e9", excerpt=None, published="2020-01-01T00:00:00Z", provider=provider,
        topics=("AI",), quality=2.5, heat=-1, type="article", image=None, aliases=("https://x.com/b",),
        related=(entry, entry), files=("a.md",),
    )
    warnings = (Issue(3, "quality", "expected a number, got 'high'; ignored"),)
    error = FieldError("b.md", 1, "no URL")
    text = pack_results([(1, 2, article, warnings, None), (3, 4, None, (), error), (5, 6, article, (), None)])
    assert text.count('"https://y.com/c"') == 1  # each string once
    first, second, third = unpack_results(json.loads(text), ["a.md", "b.md", None], {})
    assert first == (1, 2, article, warnings, None)
    assert first[2].related[0] is first[2].related[1]
    assert second[:4] == (3, 4, None, ()) and (type(second[4]), str(second[4])) == (FieldError, "b.md:1: no URL")
    assert third is None


def test_unpack_results_records_are_the_constructors_own():
    # unpack_results fills frozen records' fields by name: every field, the same values, still frozen
    provider = Provider("Y", "y.com")
    entry = Related("https://y.com/c", "C", "x", "2020-01-02", provider, 3, ("https://y.com/c/amp",))
    article = Article("https://x.com/a", "A", "e", "2020-01-01", provider, ("AI",), 2.5, 1, "article", "i.png",
                      ("https://x.com/b",), (entry,), ("a.md",))
    (_, _, got, _, _), = unpack_results(load_pack(pack_results([(1, 2, article, (), None)])), ["a.md"], {})
    assert got == article and hash(got.related[0]) == hash(entry)
    for record, made in ((got, article), (got.related[0], entry)):
        assert type(record) is type(made) and vars(record) == vars(made)
        assert list(vars(record)) == [f.name for f in dataclasses.fields(made)]
    with pytest.raises(dataclasses.FrozenInstanceError):
        got.title = "B"


@pytest.mark.parametrize(
    "numbers, tag",
    [
        ({"quality": 2.5, "heat": 2**63}, "pack1"),  # orjson keeps these
        ({"quality": float("inf")}, "pack1j"),  # orjson would write null
        ({"heat": float("-inf")}, "pack1j"),
        ({"heat": 10**30}, "pack1j"),  # orjson cannot write it
        ({"related": (Related("https://y.com/c", quality=float("inf")),)}, "pack1j"),
    ],
)
def test_pack_results_keeps_numbers_orjson_cannot(numbers, tag):
    article = Article(url="https://x.com/a", title="A", files=("a.md",), **numbers)
    text = pack_results([(1, 2, article, (), None)])
    assert text.startswith(f'["{tag}",')
    assert unpack_results(load_pack(text), ["a.md"], {}) == [(1, 2, article, (), None)]
    assert unpack_results(load_pack(text.encode()), ["a.md"], {}) == [(1, 2, article, (), None)]


def test_scan_in_parallel_with_cache_equals_sequential(corpus, tmp_path, monkeypatch):
    monkeypatch.setattr(load, "PARALLEL_MIN", 10)
    cache = tmp_path / "cache"
    expected = scan([corpus], workers=1)
    assert scan([corpus], workers=2, cache=cache) == expected
    assert len(_rows(cache)) == 60  # the workers' packs
    assert scan([corpus], workers=2, cache=cache) == expected


def test_a_file_that_kills_its_worker_is_rejected_and_the_rest_load(corpus, tmp_path, monkeypatch):
    """A worker that dies (a crash in a C parser, the out-of-memory killer) loses one file, not the load."""
    monkeypatch.setattr(load, "PARALLEL_MIN", 10)
    expected_articles, expected = scan([corpus], workers=1)
    merged = {r.article for r in expected.files if r.status == "duplicate"}
    victim = [r for r in expected.files if r.status == "loaded" and r.article not in merged][30]
    parse = load._parse_path

    def dies_on_victim(path, memo):
        if path == victim.file:
            os.kill(os.getpid(), signal.SIGKILL)  # in the forked worker
        return parse(path, memo)

    monkeypatch.setattr(load, "_parse_path", dies_on_victim)
    cache = tmp_path / "cache"
    articles, report = scan([corpus], workers=2, cache=cache)
    rejected = dataclasses.replace(
        victim, status="rejected", article=None, warnings=(),
        reason="the parsing process died on this file (a crash in the parser, or out of memory): not loaded")
    assert report.files == tuple(rejected if r is victim else r for r in expected.files)
    assert articles == [a for a in expected_articles if a.id != victim.article]
    # cached: a warm load (here in one process, where the kill would end the test) does not parse it again
    assert scan([corpus], workers=1, cache=cache) == (articles, report)


def test_encode_result_round_trips():
    provider = Provider("X", "x.com")
    article = Article(
        url="https://x.com/a", title="A \u00e9", excerpt=None, published="2020-01-01T00:00:00Z", provider=provider,
        topics=("AI",), quality=2.5, heat=-1, type="article", image=None, aliases=("https://x.com/b",),
        related=(Related("https://y.com/c", "C", None, None, None, 3, ()),), files=("a.md",),
    )
    warnings = (Issue(3, "quality", "expected a number, got 'high'; ignored"),)
    assert decode_result("a.md", encode_result(article, warnings, None)) == (article, warnings, None)
    _, _, error = decode_result("b.md", encode_result(None, (), FieldError("b.md", 1, "no URL")))
    assert (type(error), str(error)) == (FieldError, "b.md:1: no URL")


@pytest.mark.parametrize("record", ['["x"]', "[1,2", '["e","Exception",1,"m"]', '["a","u"]', '["e","FieldError","1","m"]'])
def test_decode_result_rejects_what_it_did_not_write(record):
    with pytest.raises((ValueError, TypeError, IndexError, KeyError)):
        decode_result("a.md", record)


def test_default_cache_dir_follows_xdg():
    assert default_cache_dir({"XDG_CACHE_HOME": "/c"}, "/h") == "/c/related-article-graph"
    assert default_cache_dir({"XDG_CACHE_HOME": ""}, "/h") == "/h/.cache/related-article-graph"


def test_cli_keeps_its_cache_where_told(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from graph.cli import cli
    from tests.conftest import SEEDS

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    runner = CliRunner()
    first = runner.invoke(cli, ["stats", str(SEEDS), "--json"])
    assert first.exit_code == 0, first.output
    assert (tmp_path / "xdg" / "related-article-graph" / CACHE_FILE).is_file()
    result = runner.invoke(cli, ["report", str(SEEDS), "--json", "--cache-dir", str(tmp_path / "mine")])
    assert result.exit_code == 0 and json.loads(result.output)["files"][0]["status"] == "loaded"
    assert len(_rows(tmp_path / "mine")) == 2
    uncached = runner.invoke(cli, ["stats", str(SEEDS), "--json", "--no-cache", "--cache-dir", str(tmp_path / "none")])
    assert uncached.output == runner.invoke(cli, ["stats", str(SEEDS), "--json"]).output == first.output
    assert not (tmp_path / "none").exists()


def test_scan_takes_each_file_once_from_packs_out_of_step(corpus, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    expected = scan([corpus], workers=1, cache=cache)
    db = sqlite3.connect(os.path.join(cache, CACHE_FILE))
    db.execute("INSERT INTO packs (snapshot, paths, data) SELECT snapshot, paths, data FROM packs")  # as if a load died
    db.commit()
    db.close()
    parsed = _parsed(monkeypatch)
    assert scan([corpus], workers=1, cache=cache) == expected
    assert parsed == []
    assert len(_rows(cache)) == 60  # the second copy of each file blanked or dropped
    target = sorted(corpus.glob("*/*.md"))[7]
    target.write_text(target.read_text(encoding="utf-8") + "\nmore body\n", encoding="utf-8")
    warm = scan([corpus], workers=1, cache=cache)
    assert parsed == [str(target)]
    assert warm == scan([corpus], workers=1)
    assert sorted(row[0] for row in _rows(cache)) == sorted(str(p.resolve()) for p in corpus.glob("*/*.md"))
