"""The fast load: the rapidyaml path gives exactly the safe path's result; parallel loads equal sequential ones."""

from __future__ import annotations

import itertools
import random
import re
import sys

import pytest

from graph import fastparse, load
from graph.errors import ArticleError
from graph.fastparse import _canonical, parse_clean
from graph.load import _read_front_matter, _split, find_files, parse_article, scan
from graph.model import canonical_url
from graph.synth import generate_corpus


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    out = tmp_path_factory.mktemp("fast")
    generate_corpus(out, articles=400, seed=11, damaged_rate=0.05)
    return out


def _both(path: str, data: bytes):
    """Return (fast article or None, safe (article, warnings) or the safe path's error)."""
    try:
        text, _ = _split(data, path)
    except ArticleError:
        return None, None
    try:
        safe = parse_article(path, data, fast=False)
    except ArticleError as err:
        safe = err
    return parse_clean(path, text), safe


def _assert_fast_equals_safe(files) -> int:
    fast_count = 0
    for path in files:
        fast, safe = _both(path, _read_front_matter(path))
        if fast is not None:
            fast_count += 1
            assert safe == (fast, ()), path
    return fast_count


def test_parse_clean_equals_safe_path_on_real_corpus(corpus_dir):
    files = find_files([corpus_dir])
    assert len(files) >= 771
    assert _assert_fast_equals_safe(files) == len(files)  # every real document is clean


def test_parse_clean_equals_safe_path_on_generated_corpus(synthetic):
    files = find_files([synthetic])
    fast = _assert_fast_equals_safe(files)
    assert fast == 380  # all but the 20 damaged files


TRICKY = [
    "title: yes", "title: 2020", 'title: "2020"', "title: 'it''s'", 'title: "a\\tb\\u00e9\\"\\\\"', "title: a\n  b",
    "title: >\n  folded", "title: |\n  lit", "excerpt: ~", "excerpt: null", "excerpt:", "quality: 1e3", "quality: 1.5e3",
    "quality: 007", "quality: 0x1F", "quality: 1_000", "quality: .5", "quality: -0", "quality: +5", "quality: .inf",
    "quality: Infinity", "quality: NaN", "quality: 1:30", 'quality: "61"', "quality: 61.", "quality: true", "heat: -1",
    "publishedDateTime: 2019-12-16T17:52:00Z", 'publishedDateTime: "2019-12-16T17:52:00Z"', "publishedDateTime: 2019-12-16",
    "publishedDateTime: 2019-02-30T17:52:00Z", "publishedDateTime: 2019-12-16T17:52:00.5Z",
    "publishedDateTime: 2019-12-16 17:52:00", "topics:\n- AI\n- ai\n-  ML", "topics:\n  - AI\n  -\n  - B", "topics: AI",
    "topics: [AI, B]", "topics:\n  - yes", "provider:\n  name: X\n  domain: WWW.X.COM", "provider: X",
    "provider:\n  name:\n  domain:", "provider:\n  domain: x.com", "related:\n  - webUrl: https://y.com/b?utm_source=x\n    title: B",
    "related:\n  -", "related:\n  - title: no url", "related:", 'related: ""', "related:\n- webUrl: https://y.com/b\n  quality: 5",
    'images:\n  - url: " https://i.com/a.jpg "\n  - url: x', "images:\n  - url: 5", "images: x", "webUrl: javascript:alert(1)",
    "x: &a 1\ny: *a", "x: !!python/object:os.system 1", "<<: {title: U}", "x: [1, 2]", "x: {a: 1}", "a: b: c",
    "title: Hello # comment", "# comment\ntitle: U", 'title: "x"  ', "a:\n  b: 1\n c: 2", "title: a\u00a0b", 'title: "a\u2028b"',
    "title: a\u0085b", 'title: "x\\qy"', 'title: "\\ud83d\\ude00"', 'title: "caf\u00e9 \U0001F600"', "title: AT&amp;T",
    'title: "  spaced   out  "', "title: x:y", "title: a -b", "title: -x", 'title: "x"\ntitle: "second"',
    "webUrl: https://www.x.com/amp/a/", "ampWebUrl: https://x.com/a?amp", "cdnAmpWebUrl: https://x-com.cdn.ampproject.org/c/s/x.com/a",
    "type: 5", "category: [broken", 'secured: "abc', "1: x", "True: x", '"quoted key": x', "x: @y", "title: '\\/b'",
    "x:\n  - - a", 'title: "\\r\\n x"', "title: ''", 'title: ""', 'excerpt: ""', "title: Null", "title: off", "title: 12:30:00",
    "title: 1e5", "title: 2019-01-01", "title: \"a\\x41\"", "title: a\tb", "title: x\r",
    "provider:\n  name: A\n  name: B\n  domain: x.com", "images:\n  - url: https://i.com/a.jpg\n    url: https://i.com/b.jpg",
    'title: "Report \u202egnp.exe"', 'title: "caf\u00e9 \u2066x\u2069"',
    "quality: 123456789012345678901234567890", "quality: 12345678901234567890.5", "heat: -99999999999999999999",
    "quality: 9223372036854775808", "quality: 1.0e400", "quality: 0.1", "nested:\n" + "".join(" " * i + "k:\n" for i in range(1, 60)),
    "quality: 9223372036854775807", "quality: -9223372036854775808", "quality: 18446744073709551615", "quality: 1e300",
    "title: =", "note: =", "originalUrl: =", "provider:\n  name: CNBC\n  domain: https://www.cnbc.com/",
    "provider:\n  name: X\n  domain: javascript:alert(1)", "provider:\n  name: X\n  domain: cnn.com/world",
    "provider:\n  name: X\n  domain: y.com evil.com", "provider:\n  name: X\n  domain: b\u00fccher.de",
    "webUrl: https://x.com/caf%c3%a9", "webUrl: https://x.com/a/./b/../c", "webUrl: https://b\u00fccher.de/a",
    "webUrl: https://x.com/%7Euser", 'title: "AI\u200b"', "topics:\n  - AI\u200b\n  - \u200b\n  - \u00ad\n  - AI",
    "provider:\n  name: CNBC\u200b\n  domain: cnbc.com",
]


@pytest.mark.parametrize("extra", TRICKY)
def test_parse_clean_is_the_safe_path_or_declines(extra):
    given = {line.split(":")[0] for line in extra.split("\n") if line[:1].isalpha()}  # a title or URL of extra's own
    base = "".join(line for key, line in (("title", 'title: "T"\n'), ("webUrl", "webUrl: https://x.com/a\n")) if key not in given)
    data = ("---\n" + base + extra + "\n---\nbody\n").encode()
    fast, safe = _both("t.md", data)
    if fast is not None:
        assert safe == (fast, ())


def test_a_line_past_a_dash_after_a_quoted_item_is_rejected_by_both_paths():
    """rapidyaml 0.15 accepts it (a key " b"); the fast path declines, the safe path rejects the file."""
    data = b"---\ntitle: T\nwebUrl: https://x.com/a\na:\n a:\n - ''\n  b: c\n---\n"
    fast, safe = _both("t.md", data)
    assert fast is None
    assert str(safe) == "t.md:7: invalid YAML: did not find expected key"


@pytest.mark.parametrize(
    "text",
    [
        "",  # empty
        "- a\n- b",  # a list
        "just text",
        "webUrl: https://x.com/a",  # no title: the safe path warns
        "title: T\nwebUrl: &u https://x.com/a",  # an anchor
        "title: T\nwebUrl: https://x.com/a\nx: !!python/name:os.system ''",  # an unsafe tag
        'title: "T"\nwebUrl: "https://x.com/a"\nquality: high',  # a warning
        # a line indented past a sequence's dash after a quoted item: rapidyaml 0.15 reads a key " b"
        # where PyYAML rejects the document (found by a differential fuzz)
        "title: T\nwebUrl: https://x.com/a\na:\n a:\n - ''\n  b: c",
        "webUrl: https://x.com/a\nrelated:\n- webUrl: https://y.com/b\n  topics:\n  - ''\n   title: X\ntitle: T",
        'title: T\nwebUrl: https://x.com/a\ntopics:\n- " AI"',  # an item with a leading space: declined too
    ],
)
def test_parse_clean_declines_what_is_not_clean(text):
    assert parse_clean("t.md", text) is None


def _random_line(rng) -> str:
    pieces = [
        "title", "- ", "-", " ", "  ", ":", ": ", "#", " #", '"', "'", "''", "\\", '\\"', "\\u00e9", "\\ud800", "\\q",
        "a", "Z9", "_k", "1", "-1", "[", "]", "{", "}", ",", "?", "&", "*", "!", "|", ">", "%", "@", "`", "~", "$", "/",
        "https://x.com/a?b=1", "\u00e9", "\u2028",
    ]
    return "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 7)))


def test_ascii_gate_matches_as_the_gate_does():
    """The ASCII gate's positive ranges accept exactly what the gate's negated sets do, on ASCII texts."""
    rng = random.Random(0)
    seen = {True: 0, False: 0}
    for _ in range(20000):
        text = "\n".join(_random_line(rng) for _ in range(rng.randrange(1, 4)))
        if not text.isascii():
            continue
        accepted = fastparse._GATE.fullmatch(text) is not None
        assert (fastparse._GATE_ASCII.fullmatch(text) is not None) == accepted, text
        seen[accepted] += 1
    assert min(seen.values()) > 1000  # both outcomes well exercised


def test_re2_gate_matches_as_the_gate_does():
    """The RE2 gate (no look-arounds) accepts exactly what the gate does: a fuzz of lines of
    every kind, and every value of up to five of the characters that decide a plain scalar."""
    assert fastparse._GATE_RE2 is not None  # google-re2 is in requirements.txt
    rng = random.Random(1)
    seen = {True: 0, False: 0}
    for _ in range(20000):
        text = "\n".join(_random_line(rng) + rng.choice(["", "\xa0", "\u3000", "\x85", "\u2009", "\U0001f600"])
                         for _ in range(rng.randrange(1, 4)))
        accepted = fastparse._GATE.fullmatch(text) is not None
        assert (fastparse._GATE_RE2(text.encode()) is not None) == accepted, text
        seen[accepted] += 1
    assert min(seen.values()) > 400
    count = 0
    for size in range(6):
        for value in map("".join, itertools.product(["a", " ", ":", "#", "-", "1", "\xa0", "[", "'", '"', "\\"],
                                                    repeat=size)):
            for text in ("k: " + value, "- " + value, value):
                assert (fastparse._GATE_RE2(text.encode()) is not None) == (
                    fastparse._GATE.fullmatch(text) is not None), text
                count += text.startswith("k: ") and fastparse._GATE.fullmatch(text) is not None
    assert count == 20824  # the plain and quoted values accepted after "k: "


def test_re2_space_class_is_pythons():
    """The gate's space class for RE2 lists exactly the characters Python's \\s matches."""
    listed = set()
    for start, end in re.findall(r"\\x\{?([0-9a-f]+)\}?(?:-\\x\{?([0-9a-f]+)\}?)?",
                                 fastparse._SPACE_RE2.replace("\\t", "\\x09").replace("\\n", "\\x0a")
                                 .replace("\\r", "\\x0d").replace(" ", "\\x20")):
        listed.update(range(int(start, 16), int(end or start, 16) + 1))
    assert listed == {code for code in range(sys.maxunicode + 1) if chr(code).isspace()}


def test_parse_clean_reads_a_clean_document():
    text = (
        'title: "AT&amp;T  buys\\u00e9"\nwebUrl: https://www.x.com/news/a/?utm_source=t\n'
        "ampWebUrl: https://www.x.com/amp/news/a\npublishedDateTime: 2020-01-02T03:04:05Z\n"
        "quality: 7\nprovider:\n  name: X News\n  domain: WWW.X.com\ntopics:\n  - AI\n  - ai\n"
        "related:\n  - title: B\n    webUrl: https://y.com/b\n    quality: 2.5\n"
    )
    article = parse_clean("a.md", text)
    assert article.url == "https://x.com/news/a"
    assert article.title == "AT&T buys\u00e9"
    assert article.aliases == ()
    assert article.published == "2020-01-02T03:04:05Z"
    assert (article.provider.name, article.provider.domain) == ("X News", "x.com")
    assert article.topics == ("AI",)
    assert [(r.url, r.title, r.quality) for r in article.related] == [("https://y.com/b", "B", 2.5)]
    assert article.files == ("a.md",)


def _urls(files) -> set[str]:
    urls = set()
    for path in files:
        text = _read_front_matter(path).decode("utf-8", errors="replace")
        urls.update(m.group(1) for m in re.finditer(r'(?:Url|url): "?([^"\n]+)', text))
    return urls


URL_EDGES = [
    "https://www.com/a", "https://x.com", "https://x.com/", "https://x.com//a//", "https://x.com/a?", "https://x.com/a?&&",
    "https://x.com/AMP/a", "https://x.com/a.amp.html", "https://x.com/a.AMP", "https://x.com/ample",
    "https://x-com.cdn.ampproject.org/c/s/x.com", "https://x-com.cdn.ampproject.org/c/x.com/a",
    "https://x-com.cdn.ampproject.org/v/s/x.com/a", "https://a.cdn.ampproject.org/c/s/b.cdn.ampproject.org/c/s/c.com/x",
    "https://x-com.cdn.ampproject.org/c/s//x", "http://medium.com/a?source=rss", "https://medium.com/a?source=x",
    "https://www.www.x.com/a", "https://www.www.www.x.com/a?utm_source=1",
    "https://sub.medium.com/a?source=x", "https://dailymail.co.uk/a?ito=1&mid=2", "https://x.com/a?b=1",
    "https://x.com/a?utm_source=x&b=1", "https://x.com/a?outputType=amp", "https://x.com/a?outputtype=AMP",
    "https://x.com/a?amp", "https://x.com/a?AMP=1", "https://x.com/a?UTM_source=1", "https://x.com/a?source=rss-123",
    "https://x.com:443/a", "https://X.com/a", "HTTPS://x.com/a", "https://x.com/a#f", "https://x.com/a b", "https://x.com/%41",
    "https://-x.com/a", "https://x..com/a", "https://www.x.com/amp/", "https://x.com/google-amp/a/amp",
    "https://x-com.cdn.ampproject.org/c/s/x.com/a?amp=1&utm_source=x", "https://x-com.cdn.ampproject.org/c/s/www.x.com/a?b=2",
    "http://x.com/a?fbclid=1&gclid=2", "ftp://x.com/a", "javascript:alert(1)", "https://", "https://x.com/a?b=1#",
]


def test_canonical_shortcut_equals_canonical_url(corpus_dir, synthetic):
    urls = _urls(find_files([corpus_dir])) | _urls(find_files([synthetic])) | set(URL_EDGES)
    assert len(urls) > 3000
    assert {u: _canonical(u) for u in urls} == {u: canonical_url(u) for u in urls}


def test_scan_in_parallel_equals_sequential(synthetic, monkeypatch):
    sequential = scan([synthetic], workers=1)
    monkeypatch.setattr(load, "PARALLEL_MIN", 10)
    parallel = scan([synthetic], workers=2)
    assert parallel == sequential
    assert [r.file for r in parallel[1].files] == find_files([synthetic])


def test_scan_in_parallel_reports_progress(synthetic, monkeypatch):
    monkeypatch.setattr(load, "PARALLEL_MIN", 10)
    calls = []
    scan([synthetic], workers=2, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (400, 400)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    assert len(calls) >= 2


@pytest.mark.parametrize("total, workers", [(1, 2), (250, 2), (1000, 2), (12345, 2), (100000, 2), (100000, 8)])
def test_chunks_cover_every_file_once_and_shrink(total, workers):
    bounds = load._chunk_bounds(total, workers)
    assert bounds[0][0] == 0 and bounds[-1][1] == total
    assert all(end == start for (_, end), (start, _) in zip(bounds, bounds[1:]))
    sizes = [end - start for start, end in bounds]
    assert all(a >= b for a, b in zip(sizes, sizes[1:-1]))  # never growing (the last is the remainder)
    assert max(sizes) <= 5000 and min(sizes[:-1] or [250]) >= 250


def test_scan_rejects_bad_workers(synthetic):
    with pytest.raises(ValueError, match="workers must be a positive integer"):
        scan([synthetic], workers=0)
