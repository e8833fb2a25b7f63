"""Stage 1 helper: the on-disk parse cache of ``load`` (SQLite snapshots of packed JSON, keyed by path, size and mtime).

A warm reload of a large corpus reads its parse results from here instead of parsing the
files again. The cache is one SQLite file holding, for each recent load (its list of input
paths), a *snapshot*: packs of a few thousand files' results (:func:`pack_results`: JSON of
plain values, every string, provider and related entry stored once per pack) with each
file's absolute path, size and modification time (in nanoseconds). A file's result is used
only while its size and mtime are unchanged; a changed, added or deleted file is parsed
again (or dropped) and the snapshot updated. A cache file can never run code (no pickle),
a pack that does not decode is treated as a miss, and a cache file SQLite cannot open is
replaced. Results are valid only for the parser that wrote them: the cache records a
fingerprint of the parsing code and library versions and empties itself when it changes.

The shells decide where the cache lives (:func:`default_cache_dir`) and pass it down; the
library never reads the environment.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import unicodedata
from typing import Iterable, Mapping

import idna
import orjson
import ryml
import yaml

from .errors import ArticleError, FieldError, FrontMatterError
from .model import Article, Issue, Provider, Related

__all__ = [
    "CACHE_FILE", "default_cache_dir", "ParseCache", "encode_result", "decode_result", "pack_results", "unpack_results",
    "load_pack", "parser_fingerprint",
]

#: The file name of the cache inside its folder.
CACHE_FILE = "parse-cache.sqlite3"
_FORMAT = "4"
_ERRORS = {"FrontMatterError": FrontMatterError, "FieldError": FieldError, "ArticleError": ArticleError}


def default_cache_dir(environ: Mapping[str, str], home: str | os.PathLike) -> str:
    """Return the cache folder: ``$XDG_CACHE_HOME/related-article-graph``, else ``~/.cache/…``.

    Parameters
    ----------
    environ : mapping
        The environment (the shell passes ``os.environ``).
    home : path
        The user's home folder.

    Examples
    --------
    >>> default_cache_dir({"XDG_CACHE_HOME": "/c"}, "/home/u")
    '/c/related-article-graph'
    >>> default_cache_dir({}, "/home/u"), default_cache_dir({"XDG_CACHE_HOME": "rel/dir"}, "/home/u")
    ('/home/u/.cache/related-article-graph', '/home/u/.cache/related-article-graph')

    A relative ``XDG_CACHE_HOME`` is ignored, as the XDG Base Directory specification says
    (it would put a cache folder into whatever folder the command runs in).
    """
    base = environ.get("XDG_CACHE_HOME") or ""
    if not os.path.isabs(base):
        base = os.path.join(os.fspath(home), ".cache")
    return os.path.join(base, "related-article-graph")


def parser_fingerprint() -> str:
    """Return a fingerprint of everything that decides a parse result (code and library versions)."""
    from . import fastparse, load, model  # the modules whose code makes a result

    digest = hashlib.sha256()
    for module in (load, fastparse, model):
        with open(module.__file__, "rb") as f:
            digest.update(f.read())
    # idna's UTS 46 tables and Python's Unicode data (its IDNA 2003 codec) decide the hosts of canonical URLs
    digest.update(f"{yaml.__version__}|{ryml.version}|{idna.__version__}|{unicodedata.unidata_version}|{_FORMAT}".encode())
    return digest.hexdigest()[:32]


# --- Encoding: ParseResult <-> JSON of plain values ---------------------------------------------


def _provider(provider: Provider | None):
    return None if provider is None else [provider.name, provider.domain]


def encode_result(article: Article | None, warnings: tuple[Issue, ...], error: ArticleError | None) -> str:
    """Return one file's parse result as a JSON text (the file's path is not in it).

    Examples
    --------
    >>> encode_result(None, (), FrontMatterError("a.md", 3, "invalid YAML: x"))
    '["e","FrontMatterError",3,"invalid YAML: x"]'
    """
    if error is not None:
        value = ["e", type(error).__name__, error.line, error.message]
    else:
        a = article
        value = [
            "a", a.url, a.title, a.excerpt, a.published, _provider(a.provider), list(a.topics),
            a.quality, a.heat, a.type, a.image, list(a.aliases),
            [[r.url, r.title, r.excerpt, r.published, _provider(r.provider), r.quality, list(r.aliases)]
             for r in a.related],
            [[w.line, w.field, w.message] for w in warnings],
        ]
    return json.dumps(value, separators=(",", ":"))


def decode_result(path: str, text: str | bytes, providers: dict | None = None):
    """Return ``(article, warnings, error)`` from :func:`encode_result`'s text, for the file ``path``.

    Raises ``ValueError``, ``TypeError``, ``IndexError`` or ``KeyError`` when the text is not
    such a record (the caller treats the row as a miss).

    Examples
    --------
    >>> str(decode_result("b.md", '["e","FieldError",1,"no URL"]')[2])
    'b.md:1: no URL'
    """
    value = json.loads(text)
    if value[0] == "e":
        _, kind, line, message = value
        if not isinstance(message, str) or not (line is None or type(line) is int):
            raise TypeError("not an error record")
        return None, (), _ERRORS[kind](path, line, message)
    if value[0] != "a":
        raise ValueError("not a parse record")
    if providers is None:
        providers = {}

    def provider(pair):
        if pair is None:
            return None
        key = (pair[0], pair[1])
        found = providers.get(key)
        if found is None:
            found = providers[key] = Provider(pair[0], pair[1])
        return found

    _, url, title, excerpt, published, prov, topics, quality, heat, kind, image, aliases, related, warnings = value
    if type(url) is not str:
        raise TypeError("no URL")
    article = Article(
        url,
        title,
        excerpt,
        published,
        provider(prov),
        tuple(topics),
        quality,
        heat,
        kind,
        image,
        tuple(aliases),
        tuple(
            Related(r_url, r_title, r_excerpt, r_published, provider(r_prov), r_quality, tuple(r_aliases))
            for r_url, r_title, r_excerpt, r_published, r_prov, r_quality, r_aliases in related
        ),
        (path,),
    )
    return article, tuple(Issue(line, field, message) for line, field, message in warnings), None


# --- Packing many results at once (the cache's and the workers' format) ------------------------


def pack_results(entries) -> str:
    """Return many files' parse results as one compact JSON text (no paths in it).

    Parameters
    ----------
    entries : iterable of (size, mtime_ns, article, warnings, error)
        One per file, in order; ``size`` is None for a result that must not be
        cached (an unreadable file). The article's ``files`` are not stored.

    Returns
    -------
    str
        ``["pack1", strings, providers, related, records]``: every string once in
        ``strings``; providers and related entries once each, referenced by index
        (-1 for None).

    Examples
    --------
    >>> a = Article("https://x.com/a", "A", related=(Related("https://x.com/a", "A"),))
    >>> pack_results([(10, 20, a, (), None)])
    '["pack1",["https://x.com/a","A"],[],[[0,1,-1,-1,-1,null,[]]],[[10,20,"a",0,1,-1,-1,-1,[],null,null,-1,-1,[],[0],[]]]]'
    """
    strings: dict = {None: -1}  # string -> its index; None is -1
    providers: dict = {None: -1}
    related: dict[Related, int] = {}
    related_by_id: dict[int, int] = {}  # the parser shares equal entries: most are found by identity
    provider_rows: list = []
    related_rows: list = []
    records: list = []

    def s(value):
        return strings.setdefault(value, len(strings) - 1)

    def p(provider):
        index = providers.get(provider)
        if index is None:
            index = providers[provider] = len(provider_rows)
            provider_rows.append([s(provider.name), s(provider.domain)])
        return index

    def r(entry):
        nonlocal exact
        index = related_by_id.get(id(entry))
        if index is None:
            index = related.get(entry)
            if index is None:
                index = related[entry] = len(related_rows)
                if type(entry.quality) is float and entry.quality - entry.quality != 0:
                    exact = False
                related_rows.append([
                    s(entry.url), s(entry.title), s(entry.excerpt), s(entry.published), p(entry.provider),
                    entry.quality, [s(u) for u in entry.aliases],
                ])
            related_by_id[id(entry)] = index
        return index

    exact = True  # whether orjson writes every number as it is (it writes inf and nan as null)
    for size, mtime, a, warnings, error in entries:
        if error is not None:
            records.append([size, mtime, "e", type(error).__name__, error.line, error.message])
            continue
        if (type(a.quality) is float and a.quality - a.quality != 0) or (type(a.heat) is float and a.heat - a.heat != 0):
            exact = False
        records.append([
            size, mtime, "a", s(a.url), s(a.title), s(a.excerpt), s(a.published), p(a.provider),
            [s(t) for t in a.topics], a.quality, a.heat, s(a.type), s(a.image), [s(u) for u in a.aliases],
            [r(entry) for entry in a.related], [[w.line, w.field, w.message] for w in warnings],
        ])
    del strings[None]
    if exact:  # orjson: a few times faster than json, for the workers and the parent alike
        try:
            return orjson.dumps(["pack1", list(strings), provider_rows, related_rows, records]).decode()
        except TypeError:  # an integer beyond 64 bits, a lone surrogate: json writes them
            pass
    return json.dumps(["pack1j", list(strings), provider_rows, related_rows, records], separators=(",", ":"),
                      ensure_ascii=False)


def load_pack(text: str | bytes) -> list:
    """Decode a pack of :func:`pack_results` (``ValueError`` when it is no JSON).

    Packs are read with orjson, except the rare ones written by ``json`` (tagged
    ``pack1j``: numbers orjson would not keep, such as infinity or 100-digit integers).

    Examples
    --------
    >>> load_pack('["pack1j",[],[],[],[[1,2,"a",-1,-1,-1,-1,-1,[],Infinity,null,-1,-1,[],[],[]]]]')[4][0][9]
    inf
    """
    if text[:9] in ('["pack1j"', b'["pack1j"'):
        return json.loads(text)
    return orjson.loads(text)


def dump_paths(paths: list) -> str:
    """Return a pack's file names as a JSON text (``\\u`` escapes for names that are no valid UTF-8).

    A file name of bytes that are no UTF-8 is held with lone surrogates (``os.fsdecode``),
    which neither orjson nor SQLite takes: such a list is written by ``json``, escaped.

    Examples
    --------
    >>> dump_paths(["a.md"]), dump_paths(["bad\\udcffname.md"])
    ('["a.md"]', '["bad\\\\udcffname.md"]')
    >>> load_paths(dump_paths(["bad\\udcffname.md"])) == ["bad\\udcffname.md"]
    True
    """
    try:
        return orjson.dumps(paths).decode()
    except TypeError:
        return json.dumps(paths)


def load_paths(text: str) -> list:
    """Read :func:`dump_paths`' text (``ValueError`` when it is no JSON)."""
    try:
        return orjson.loads(text)
    except ValueError:  # a lone surrogate's escape, which orjson refuses
        return json.loads(text)


def unpack_results(value: list, paths, shared: dict) -> list:
    """Return the results of :func:`pack_results`' decoded JSON ``value``, for the files ``paths``.

    Parameters
    ----------
    value : list
        :func:`load_pack` of a pack.
    paths : sequence of (str or None)
        The file of each record, in order; None skips the record.
    shared : dict
        Shared by the packs of one load, so that equal providers and topic lists are one object.

    Returns
    -------
    list of (size, mtime_ns, article, warnings, error) or None
        None where ``paths`` holds None.

    Raises
    ------
    ValueError, TypeError, IndexError, KeyError
        When ``value`` is not such a pack.

    Notes
    -----
    Every record of a load passes through here (warm and cold alike), so Articles and
    Related entries are made without their generated ``__init__`` (which looks
    ``object.__setattr__`` up again for each field): a bare instance and one
    ``object.__setattr__`` per field, a fifth cheaper. They are the constructor's records
    (frozen, equal, same hash; ``tests/test_cache.py`` checks that the fields set here are
    the classes' own). Filling ``__dict__`` directly is cheaper still, but turns the
    instance's inline attribute storage into a real dict: every later attribute read (the
    build, inference, analysis) is then 2.5x slower, and ``build_graph`` took 0.2 s longer.
    """
    tag, strings, provider_rows, related_rows, records = value
    if tag not in ("pack1", "pack1j") or len(records) != len(paths):
        raise ValueError("not a pack of these files")
    strings = list(strings)
    strings.append(None)  # index -1: None
    text = strings.__getitem__
    known = shared.setdefault("providers", {})
    providers = []
    for name, domain in provider_rows:
        key = (strings[name], strings[domain])
        found = known.get(key)
        if found is None:
            found = known[key] = Provider(*key)
        providers.append(found)
    providers.append(None)
    new, put = object.__new__, object.__setattr__  # frozen records made without their __init__ (Notes)
    related = []
    for url, title, excerpt, published, prov, quality, aliases in related_rows:
        r = new(Related)
        put(r, "url", strings[url])
        put(r, "title", strings[title])
        put(r, "excerpt", strings[excerpt])
        put(r, "published", strings[published])
        put(r, "provider", providers[prov])
        put(r, "quality", quality)
        put(r, "aliases", tuple(map(text, aliases)) if aliases else ())
        related.append(r)
    entry = related.__getitem__
    topics_seen = shared.setdefault("topics", {})
    out: list = []
    for path, record in zip(paths, records):
        if path is None:
            out.append(None)
            continue
        if record[2] == "e":
            size, mtime, _, kind, line, message = record
            if not isinstance(message, str) or not (line is None or type(line) is int):
                raise TypeError("not an error record")
            out.append((size, mtime, None, (), _ERRORS[kind](path, line, message)))
            continue
        (size, mtime, tag, url, title, excerpt, published, prov, topics, quality, heat, kind, image, aliases, refs,
         warnings) = record
        if tag != "a" or url < 0:
            raise ValueError("not a parse record")
        topics = tuple(map(text, topics))
        topics = topics_seen.setdefault(topics, topics)
        article = new(Article)
        put(article, "url", strings[url])
        put(article, "title", strings[title])
        put(article, "excerpt", strings[excerpt])
        put(article, "published", strings[published])
        put(article, "provider", providers[prov])
        put(article, "topics", topics)
        put(article, "quality", quality)
        put(article, "heat", heat)
        put(article, "type", strings[kind])
        put(article, "image", strings[image])
        put(article, "aliases", tuple(map(text, aliases)) if aliases else ())
        put(article, "related", tuple(map(entry, refs)))
        put(article, "files", (path,))
        out.append((size, mtime, article, tuple(Issue(*w) for w in warnings) if warnings else (), None))
    return out


# --- The store -------------------------------------------------------------------------------


class ParseCache:
    """One SQLite cache file: snapshots of whole loads, each a few packs of per-file results.

    A *snapshot* is what one load (one list of input paths, its ``key``) found: packs of
    a few thousand files each (:func:`pack_results`), every file with the size and
    modification time it had when parsed, and the files' absolute paths beside each pack.
    A warm load reads its snapshot in one query and takes every file whose size and mtime
    are unchanged; it parses only the rest, and saves new packs for them (a file that
    changed or went away is blanked out of its old pack's paths).

    Every SQLite failure (corrupt file, locked, read-only, disk full) turns the cache off
    for the rest of the load instead of failing it; a file SQLite cannot read is replaced.

    Parameters
    ----------
    folder : path
        The cache folder (created when missing); the cache is ``folder/parse-cache.sqlite3``.
    fingerprint : str, optional
        The parser fingerprint (default :func:`parser_fingerprint`); snapshots written
        under another fingerprint are dropped.
    """

    #: Snapshots kept (the least recently used go first).
    KEEP = 8

    def __init__(self, folder: str | os.PathLike, *, fingerprint: str | None = None):
        self.folder = os.fspath(folder)
        self.path = os.path.join(self.folder, CACHE_FILE)
        self.fingerprint = fingerprint or parser_fingerprint()
        self.db: sqlite3.Connection | None = None
        try:
            os.makedirs(os.fspath(folder), exist_ok=True)
            self.db = self._open()
        except sqlite3.DatabaseError:
            self._replace()
        except OSError:
            self.db = None  # an unusable folder: no cache, the load goes on

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=5, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            db.execute("CREATE TABLE IF NOT EXISTS snapshots (key TEXT PRIMARY KEY, used INTEGER NOT NULL)")
            db.execute(
                "CREATE TABLE IF NOT EXISTS packs (id INTEGER PRIMARY KEY, snapshot TEXT NOT NULL, "
                "paths TEXT NOT NULL, data TEXT NOT NULL)"
            )
            db.execute("CREATE INDEX IF NOT EXISTS packs_snapshot ON packs (snapshot)")
            row = db.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
            if row is None or row[0] != self.fingerprint:
                db.execute("BEGIN IMMEDIATE")
                db.execute("DROP TABLE IF EXISTS files")  # the per-file rows of format 1
                db.execute("DELETE FROM packs")
                db.execute("DELETE FROM snapshots")
                db.execute("INSERT OR REPLACE INTO meta VALUES ('fingerprint', ?)", (self.fingerprint,))
                db.execute("COMMIT")
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def _replace(self) -> None:
        """Delete a cache file SQLite cannot use and start an empty one (or go without)."""
        for suffix in ("", "-wal", "-shm"):
            try:
                os.remove(self.path + suffix)
            except FileNotFoundError:
                pass
            except OSError:
                self.db = None
                return
        try:
            self.db = self._open()
        except sqlite3.DatabaseError:
            self.db = None

    def _failed(self) -> None:
        if self.db is not None:
            try:
                self.db.close()
            except sqlite3.Error:
                pass
        self.db = None

    def read_snapshot(self, key: str) -> list[tuple[int, str, str]]:
        """Return the packs of snapshot ``key`` as ``(id, paths JSON, pack JSON)``, in order."""
        if self.db is None:
            return []
        try:
            return self.db.execute(
                "SELECT id, paths, data FROM packs WHERE snapshot = ? ORDER BY id", (key,)
            ).fetchall()
        except sqlite3.DatabaseError:
            self._replace()
            return []

    def add_pack(self, key: str, paths: str, data: str) -> int | None:
        """Store one pack ``(paths JSON, pack JSON)`` under snapshot ``key`` now; return its id (None on failure).

        A load adds its packs as they are made and names them in :meth:`save_snapshot` at
        the end; a pack of a load that never ends is still a valid part of the snapshot.
        """
        if self.db is None:
            return None
        try:
            return self.db.execute(
                "INSERT INTO packs (snapshot, paths, data) VALUES (?, ?, ?)", (key, paths, data)
            ).lastrowid
        except sqlite3.Error:
            self._failed()
            return None

    def save_snapshot(self, key: str, packs: Iterable[tuple[int | None, str | None, str | None]]) -> None:
        """Make snapshot ``key`` the given packs ``(id, paths JSON, pack JSON)``, in one transaction.

        A pack with an id is one already stored (its data is kept; its paths are replaced
        unless None);
        one without is new. Packs of ``key`` not given are deleted, and snapshots beyond
        :attr:`KEEP` (least recently used first) too.
        """
        if self.db is None:
            return
        try:
            self.db.execute("BEGIN IMMEDIATE")
            kept = []
            for pack_id, paths, data in packs:
                if pack_id is None:
                    kept.append(self.db.execute(
                        "INSERT INTO packs (snapshot, paths, data) VALUES (?, ?, ?)", (key, paths, data)
                    ).lastrowid)
                else:
                    if paths is not None:
                        self.db.execute("UPDATE packs SET paths = ? WHERE id = ? AND snapshot = ?", (paths, pack_id, key))
                    kept.append(pack_id)
            self.db.execute(
                f"DELETE FROM packs WHERE snapshot = ? AND id NOT IN ({','.join('?' * len(kept))})", (key, *kept)
            )
            used = self.db.execute("SELECT coalesce(max(used), 0) + 1 FROM snapshots").fetchone()[0]
            self.db.execute("INSERT OR REPLACE INTO snapshots VALUES (?, ?)", (key, used))
            old = [row[0] for row in self.db.execute(
                "SELECT key FROM snapshots ORDER BY used DESC LIMIT -1 OFFSET ?", (self.KEEP,)
            )]
            for stale in old:
                self.db.execute("DELETE FROM packs WHERE snapshot = ?", (stale,))
                self.db.execute("DELETE FROM snapshots WHERE key = ?", (stale,))
            self.db.execute("COMMIT")
        except sqlite3.Error:
            self._failed()

    def close(self) -> None:
        """Close the cache file."""
        self._failed()

    def __enter__(self) -> "ParseCache":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
