"""Stage 1 helper: a fast path for clean front matter (rapidyaml), used by ``load`` before the safe path.

The safe path of :mod:`graph.load` composes the YAML with libyaml and constructs the known
fields one node at a time; it is exact (every warning has its line) but costs about a
millisecond per document. Most documents are machine-written and *clean*: simple
``key: value`` lines, no anchors, aliases, tags or multi-line scalars, every known field of
the expected type. For those, this module parses with rapidyaml (``ryml``, C++), reads the
tree as JSON and builds the same :class:`~graph.model.Article` in a tenth of the time.

It is a fast path, never a second opinion: :func:`parse_clean` returns ``None`` as soon as a
document is anything but clean (a line outside the simple grammar, a character YAML treats
specially, a field the safe path would warn about or convert), and the caller then runs the
safe path, which gives the exact result, warnings and errors. A test compares both paths on
every file of the real corpora, the generator's output and a table of tricky documents.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import threading
from contextlib import contextmanager
from datetime import datetime

import orjson
import ryml
import yaml
from ryml._ryml import emit_json_to_substr as _emit_json_to_substr

from .model import (
    Article, Provider, Related, _is_tracking, _strip_amp_path, canonical_url, clean_text, provider_domain, same_site,
)

__all__ = ["parse_clean", "CLEAN_MAX", "ryml_messages_dropped"]

#: Front matter longer than this always takes the safe path (real documents have a few KB).
CLEAN_MAX = 64 * 1024

# One line of the clean subset: blank, a comment, ``key:`` or ``key: value``, optionally as a
# sequence item (``- key: value``), or a scalar item (``- value``). A value is a double-quoted
# string with only common escapes, a single-quoted string, or a plain scalar that cannot be
# mistaken for anything else (no indicator first, no ": " or " #" inside, no brackets). A scalar
# item is a plain one: after a quoted item (``- ''``), rapidyaml 0.15 reads a line indented past
# the dash as a key of the enclosing mapping (with the spaces in its name) where PyYAML rejects
# the document (found by a differential fuzz); no document of the corpora quotes an item.
_KEY = r"[A-Za-z_][A-Za-z0-9_]*+"
_DQ = r'"(?:[^"\\\n]++|\\["\\/nrt]|\\u(?![dD][89a-fA-F])[0-9a-fA-F]{4})*+"'
_SQ = r"'(?:[^'\n]++|'')*+'"
_PLAIN = r"""(?:[^\s\-?:,\[\]{}#&*!|>'"%@`]|-(?=[0-9]))(?:[^\s:#\[\]{}]++|[ ]++(?=[^\s#])|:(?=[^\s:])|(?<=\S)#)*+"""
_VALUE = rf"(?:{_DQ}|{_SQ}|{_PLAIN})"
_LINE = rf"(?: *+(?:- )?{_KEY}:(?: {_VALUE})?|[ ]*+- {_PLAIN}|[ ]*+#[^\n]*+)?[ ]*+"
_GATE = re.compile(rf"(?:{_LINE}\n)*+{_LINE}")
#: The characters Python's ``\\s`` matches in a text (``str.isspace``), as RE2 spells them
#: (its own ``\\s`` is ASCII only); a test checks the list against Python.
_SPACE_RE2 = (r"\t\n\x0b\x0c\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}"
              r"\x{202f}\x{205f}\x{3000}")
# _GATE's language written for RE2 (google-re2), which has neither look-arounds nor possessive
# quantifiers: it runs a DFA, linear in the text, about three times faster than ``re`` here.
# What the look-arounds said is spelled as what may follow: in a plain scalar, a run of spaces
# is followed by a character that is no space, "#" or ":"-then-space (``[ ]*:?A``), a ":" by
# such a character or "#" (``[ ]*:#``), and a "#" follows no space (every other piece ends in
# one that is none); "-" starts a plain scalar only before a digit; "\\u" escapes no surrogate.
# The possessive quantifiers of _GATE never give up what a backtracking match would need (each
# piece ends where the next must start), so the languages are the same: tests compare the two
# on every document of the corpora, generated ones and a fuzz of lines.
_A_RE2 = rf"[^{_SPACE_RE2}:#\[\]{{}}]"
_PLAIN_RE2 = rf"""(?:[^{_SPACE_RE2}\-?:,\[\]{{}}#&*!|>'"%@`]|-[0-9])(?:[ ]*:?{_A_RE2}|[ ]*:#|#)*"""
_DQ_RE2 = r'"(?:[^"\\\n]|\\["\\/nrt]|\\u(?:[0-9a-cA-Ce-fE-F][0-9a-fA-F]{3}|[dD][0-7][0-9a-fA-F]{2}))*"'
_SQ_RE2 = r"'(?:[^'\n]|'')*'"
_VALUE_RE2 = rf"(?:{_DQ_RE2}|{_SQ_RE2}|{_PLAIN_RE2})"
_LINE_RE2 = rf"(?: *(?:- )?[A-Za-z_][A-Za-z0-9_]*:(?: {_VALUE_RE2})?|[ ]*- {_PLAIN_RE2}|[ ]*#[^\n]*)?[ ]*"


def _gate_re2():
    """Return the RE2 gate's ``fullmatch`` over UTF-8 bytes, or None without google-re2."""
    try:
        import re2
        options = re2.Options()
    except (ImportError, AttributeError):  # no wheel for the platform, or another package's "re2": Python's re
        return None
    options.never_capture = True
    options.log_errors = False  # (a DFA out of memory falls back to RE2's NFA: slower, same answer)
    options.max_mem = 64 << 20
    return re2.compile(rf"(?:{_LINE_RE2}\n)*{_LINE_RE2}".encode(), options).fullmatch


_GATE_RE2 = _gate_re2()
#: Every character an ASCII text may hold once _ASCII_USUAL has passed it.
_ALPHABET = "\n" + "".join(map(chr, range(0x20, 0x7F)))


def _ascii_only(pattern: str) -> str:
    """Return ``pattern`` with each negated class (but ``[^\\n]``) and ``\\S`` spelled as the ranges of _ALPHABET it matches.

    On a text made of _ALPHABET only, the result matches exactly what ``pattern`` does;
    Python's ``re`` checks a few ranges about twice as fast as a negated set, which
    cuts the gate's cost on ASCII documents (most of them) by about a third.

    Examples
    --------
    >>> _ascii_only(r"[^\\s:#]+\\S")
    '[!"\\\\$-9;-\\\\~]+[!-\\\\~]'
    """

    def positive(match: re.Match) -> str:
        if match[0] == r"[^\n]":
            return match[0]
        codes = [ord(c) for c in _ALPHABET if re.fullmatch(match[0], c)]
        runs: list[list[int]] = []
        for code in codes:
            if runs and runs[-1][1] == code - 1:
                runs[-1][1] = code
            else:
                runs.append([code, code])
        return "[" + "".join(
            re.escape(chr(a)) + ("-" if b > a + 1 else "") + (re.escape(chr(b)) if b > a else "") for a, b in runs
        ) + "]"

    return re.sub(r"\[\^(?:\\.|[^\]\\])*+\]|\\S", positive, pattern)


#: _GATE for texts of _ALPHABET only (the same matches there, faster).
_GATE_ASCII = re.compile(_ascii_only(_GATE.pattern))
#: Characters the two parsers might treat differently: tabs, CR, YAML 1.1 line breaks
#: (NEL, LS, PS), BOM, and everything YAML forbids (control characters, surrogates, DEL).
_UNUSUAL = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_ASCII_USUAL = b"\n" + bytes(range(0x20, 0x7F))


def _gate_passes(text: str, encoded: bytes) -> bool:
    """Return whether every line of ``text`` (``encoded`` its UTF-8) is in the clean subset's grammar.

    RE2 runs the gate when google-re2 is installed, Python's ``re`` otherwise (the same
    matches; on ASCII texts the ranges of _GATE_ASCII).

    Examples
    --------
    >>> _gate_passes("title: A", b"title: A"), _gate_passes("title: &a A", b"title: &a A")
    (True, False)
    """
    if _GATE_RE2 is not None:
        return _GATE_RE2(encoded) is not None
    return (_GATE_ASCII if text.isascii() else _GATE).fullmatch(text) is not None


#: Indentation this deep could nest past the safe path's limit of 100 levels.
_DEEP = "\n" + " " * 40
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
#: PyYAML's implicit resolvers by first character, one pattern each: a plain scalar
#: matching one is not a string there (bool, int, float, null, timestamp, merge, ...).
_IMPLICIT = {
    first: re.compile("|".join(f"(?:{regexp.pattern})" for _, regexp in resolvers), re.X)
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}


_MISSING = object()  # "not in the memo" (a memo may hold None)
#: orjson reads an integer of more than 64 bits as a float: a float this large may have been one.
_BIG = float(2**63)


class _NotClean(Exception):
    """Internal: the document needs the safe path (never escapes this module)."""


def _typed(value: str) -> bool:
    """Return True when PyYAML would resolve ``value`` (as a plain scalar) to a non-string."""
    regexp = _IMPLICIT.get(value[:1])
    return regexp is not None and regexp.match(value) is not None


#: URLs of a simple shape: lower-case host without port, path of unreserved characters,
#: optional query, no fragment (see _canonical).
_SIMPLE_URL = re.compile(r"https?://([a-z0-9-]++(?:\.[a-z0-9-]++)++)((?:/[A-Za-z0-9_.~-]*+)*+)(?:\?([^#\s]*+))?")
_AMP_CACHE_HOST = ".cdn.ampproject.org"


def _canonical(url: str) -> str | None:
    """Return ``canonical_url(url)``, without its general machinery for URLs of a simple shape.

    For a simple URL whose query has only tracking parameters, canonicalisation is the
    model's own AMP-path and tracking rules (``_strip_amp_path``, ``_is_tracking``) with
    nothing to parse, quote or sort; every other URL goes to
    :func:`graph.model.canonical_url`. A test compares the two on every URL of the
    corpora, the generator's output and a table of edge cases.
    """
    match = _SIMPLE_URL.fullmatch(url)
    if match is None:
        return canonical_url(url)
    host, path, query = match.groups()
    if host.endswith(_AMP_CACHE_HOST):  # https://x-com.cdn.ampproject.org/c/s/x.com/path
        if not path.startswith("/c/s/"):
            return canonical_url(url)
        inner = _SIMPLE_URL.fullmatch("https://" + path[5:] + ("" if query is None else "?" + query))
        if inner is None or inner[1].endswith(_AMP_CACHE_HOST):
            return canonical_url(url)
        host, path, query = inner.groups()
    domain = host[4:] if host.startswith("www.") else host
    if domain.startswith("www."):  # www.www.x.com: the model strips every one
        return canonical_url(url)
    if query:
        for pair in query.split("&"):
            if pair:
                key, _, value = pair.partition("=")
                if not _is_tracking(key, value, domain):
                    return canonical_url(url)  # a parameter to keep: quoting and sorting
    if "/." in path:  # a "." or ".." segment, maybe: the model resolves them
        return canonical_url(url)
    path = path.rstrip("/")
    if "amp" in path.lower():  # _strip_amp_path changes only paths holding "amp" in some case
        done = None
        while path != done:  # as the model does: /a/b.amp/ is /a/b.amp, then /a/b
            done = path
            path = _strip_amp_path(path).rstrip("/")
    return f"https://{domain}{path}"


#: The fields of a related entry that make its Related (with ``provider``), in Related's order after the URLs.
_ENTRY_FIELDS = ("webUrl", "originalUrl", "ampWebUrl", "cdnAmpWebUrl", "title", "excerpt", "publishedDateTime", "quality")


class _Reader:
    """Reads the known fields of the JSON form of a clean document, as the safe path would.

    ``memo`` (shared by the documents of one load) keeps what is pure to recompute:
    canonical URLs, cleaned texts, providers and whole related entries, which repeat
    across the documents of a story.
    """

    def __init__(self, memo: dict):
        self.urls_seen = memo.setdefault("url", {})
        self.texts_seen = memo.setdefault("text", {})
        self.providers_seen = memo.setdefault("provider", {})
        self.related_seen = memo.setdefault("related", {})
        self.dates_seen = memo.setdefault("date", set())

    def text(self, value) -> str | None:
        if value is None:
            return None
        if type(value) is not str:  # (the memo holds strings only)
            raise _NotClean("text")
        text = self.texts_seen.get(value, _MISSING)  # no KeyError raised and caught: most texts are new
        if text is not _MISSING:
            return text
        if _typed(value):
            raise _NotClean("text")
        text = self.texts_seen[value] = clean_text(value)
        return text

    def url(self, value) -> str | None:
        if value is None:
            return None
        if type(value) is not str:
            raise _NotClean("url")
        url = self.urls_seen.get(value, _MISSING)
        if url is _MISSING:
            if _typed(value):
                raise _NotClean("url")
            url = self.urls_seen[value] = _canonical(value)
        if url is None:
            raise _NotClean("url")  # the safe path warns
        return url

    def urls(self, fields: dict) -> tuple[str | None, tuple[str, ...]]:
        url = self.url(fields.get("webUrl"))
        if url is None:
            url = self.url(fields.get("originalUrl"))
        aliases: list[str] = []
        for key in ("ampWebUrl", "cdnAmpWebUrl"):
            alias = self.url(fields.get(key))
            if alias and alias != url and alias not in aliases:
                if url is not None and not same_site(alias, url):
                    raise _NotClean("an alias on another site")  # the safe path warns
                aliases.append(alias)
        return url, tuple(aliases)

    def date(self, value) -> str | None:
        if value is None:
            return None
        if type(value) is not str:
            raise _NotClean("date")
        if value in self.dates_seen:
            return value
        if not _DATE.fullmatch(value):
            raise _NotClean("date")
        try:
            datetime.fromisoformat(value[:19])
        except ValueError as exc:
            raise _NotClean("date") from exc
        self.dates_seen.add(value)
        return value  # already the ISO 8601 UTC form the safe path writes

    @staticmethod
    def number(value) -> int | float | None:
        if value is None:
            return None
        kind = type(value)
        if (kind is int and -_BIG <= value < _BIG) or (  # a long integer is out of range: the safe path warns
                kind is float and value - value == 0 and -_BIG < value < _BIG):  # finite, and never a long integer
            return value
        raise _NotClean("number")

    def provider(self, value) -> Provider | None:
        if value is None:
            return None
        if type(value) is not dict:
            raise _NotClean("provider")
        if len(value) == 2:  # the usual {name, domain}: memoised by its raw values
            raw = (value.get("name"), value.get("domain"))
            try:
                return self.providers_seen[raw]
            except KeyError:
                provider = self.providers_seen[raw] = self._provider(value)
                return provider
            except TypeError:  # an unhashable value: never clean
                raise _NotClean("provider") from None
        return self._provider(value)

    def _provider(self, value: dict) -> Provider:
        name = self.text(value.get("name"))
        given = self.text(value.get("domain"))
        domain = provider_domain(given) if given else None
        if given and domain is None:
            raise _NotClean("provider domain")  # the safe path warns
        if not name and not domain:
            raise _NotClean("provider")
        key = ("provider", name or domain, domain or None)
        try:
            return self.providers_seen[key]
        except KeyError:
            provider = self.providers_seen[key] = Provider(name=key[1], domain=key[2])
            return provider

    def topics(self, value) -> tuple[str, ...]:
        if value is None:
            return ()
        if type(value) is not list:
            raise _NotClean("topics")
        topics: list[str] = []
        for item in value:
            text = self.text(item)
            if text and text.lower() not in (t.lower() for t in topics):
                topics.append(text)
        return tuple(topics)

    @staticmethod
    def image(value) -> str | None:
        if type(value) is not list:
            return None
        for item in value:
            if type(item) is dict:
                url = item.get("url")
                if type(url) is str:
                    url = url.strip()
                    if url.lower().startswith(("https://", "http://")):
                        return url
        return None

    def entry(self, item) -> Related:
        if type(item) is not dict:
            raise _NotClean("related entry")
        get = item.get
        provider = get("provider")
        values = tuple(map(get, _ENTRY_FIELDS))  # one C loop instead of eight calls
        key = (
            values, type(values[7]),
            (provider.get("name"), provider.get("domain")) if type(provider) is dict else provider,
        )
        try:
            related = self.related_seen.get(key, _MISSING)
        except TypeError:  # an unhashable (list or mapping) value: never clean
            raise _NotClean("related entry") from None
        if related is not _MISSING:
            return related
        url, aliases = self.urls(item)
        if url is None:
            raise _NotClean("related entry without URL")
        related = self.related_seen[key] = Related(
            url, self.text(values[4]), self.text(values[5]), self.date(values[6]), self.provider(provider),
            self.number(values[7]), aliases,
        )
        return related

    def related(self, value) -> tuple[Related, ...]:
        if value is None:
            return ()
        if type(value) is not list:
            raise _NotClean("related")
        return tuple(map(self.entry, value))


#: The two lines rapidyaml's C++ writes on standard error before it raises (the document then
#: takes the safe path, whose message names the file and line): nothing a user should see.
_RYML_MESSAGE = re.compile(rb"(?:line=\d+ col=\d+ \(\d+B\): )?ERROR: \[\w+\] .*\n?|\S*/c4/yml/\S+:\d+: \(detected here\)\n?")


@contextmanager
def ryml_messages_dropped():
    """Keep rapidyaml's own messages off standard error while the block runs (a chunk of files).

    rapidyaml prints each parse error to file descriptor 2 itself, before raising (which
    sends the document to the safe path): a damaged corpus would fill the terminal with
    C++ source locations. Standard error goes to an unnamed temporary file meanwhile, and
    what else was written there (a warning) is written on after the block, in order:
    delayed, never lost. Only in a process of one thread (the CLI, the parsing workers): two
    threads redirecting file descriptor 2 at once could leave it pointing at the other's
    temporary file, so a web server's threads (the app) keep the messages instead.
    """
    if threading.active_count() > 1:
        yield
        return
    try:
        saved = os.dup(2)
    except OSError:  # no standard error to keep clean
        yield
        return
    try:
        held = tempfile.TemporaryFile()
    except OSError:  # no folder for the temporary file: the messages stay
        os.close(saved)
        yield
        return
    try:
        with held:
            if sys.stderr is not None:
                sys.stderr.flush()
            os.dup2(held.fileno(), 2)
            try:
                yield
            finally:
                os.dup2(saved, 2)
                held.seek(0)
                kept = b"".join(
                    line for line in held.read().splitlines(keepends=True) if not _RYML_MESSAGE.fullmatch(line)
                )
                while kept:  # (a write may take only part of it)
                    kept = kept[os.write(2, kept):]
    finally:
        os.close(saved)


def parse_clean(path: str, text: str, *, memo: dict | None = None) -> Article | None:
    """Return the Article of a clean front-matter text, or None when the safe path is needed.

    Parameters
    ----------
    path : str
        The file name, recorded in ``Article.files``.
    text : str
        The YAML between the fences (as :mod:`graph.load` splits it).
    memo : dict, optional
        Shared between calls of one load: canonical URLs and providers already seen.

    Returns
    -------
    Article or None
        Exactly what the safe path returns for this document, which then has no
        warnings; None when the document is not clean (the caller runs the safe path).

    Examples
    --------
    >>> parse_clean("a.md", 'title: "A"\\nwebUrl: https://www.x.com/a/').url
    'https://x.com/a'
    >>> parse_clean("a.md", "title: A\\nwebUrl: &u https://x.com/a") is None  # an anchor
    True
    >>> parse_clean("a.md", "webUrl: https://x.com/a") is None  # no title: a warning
    True
    """
    if len(text) > CLEAN_MAX or _DEEP in text or text.startswith(_DEEP[1:]):
        return None
    encoded = text.encode()
    if text.isascii():
        if encoded.translate(None, _ASCII_USUAL):
            return None
    elif _UNUSUAL.search(text):
        return None
    if not _gate_passes(text, encoded):
        return None
    try:
        memo = {} if memo is None else memo
        tree = ryml.parse_in_arena(encoded)
        if tree.empty():
            return None  # an empty document
        # emitting into a buffer kept for the load is one pass (emit_json measures, then emits)
        buffer = memo.get("buffer")
        if buffer is None:
            buffer = memo["buffer"] = bytearray(4 * CLEAN_MAX)
        failed, size = _emit_json_to_substr(tree, tree.root_id(), buffer)
        if failed:
            buffer = memo["buffer"] = bytearray(2 * size)
            failed, size = _emit_json_to_substr(tree, tree.root_id(), buffer)
        # orjson (several times faster than json here) rejects NaN and Infinity as the safe
        # path's fast twin must, and reads integers beyond 64 bits as floats, which
        # number() refuses (_BIG): such documents take the safe path
        fields = orjson.loads(memoryview(buffer)[:size])
        if type(fields) is not dict or len(fields) != tree.num_children(tree.root_id()):
            return None  # not a mapping, or a key given twice (the safe path warns)
        reader = memo.get("reader")
        if reader is None:  # one reader per memo: it holds nothing but the memo's tables
            reader = memo["reader"] = _Reader(memo)
        url, aliases = reader.urls(fields)
        title = reader.text(fields.get("title"))
        if url is None or title is None:
            return None  # the safe path raises (no URL) or warns (no title)
        return Article(
            url=url,
            title=title,
            excerpt=reader.text(fields.get("excerpt")),
            published=reader.date(fields.get("publishedDateTime")),
            provider=reader.provider(fields.get("provider")),
            topics=reader.topics(fields.get("topics")),
            quality=reader.number(fields.get("quality")),
            heat=reader.number(fields.get("heat")),
            type=reader.text(fields.get("type")),
            image=reader.image(fields.get("images")),
            aliases=aliases,
            related=reader.related(fields.get("related")),
            files=(path,),
        )
    except (_NotClean, ryml.ExceptionBasic, RuntimeError, ValueError, RecursionError):  # orjson's errors are ValueErrors
        return None
