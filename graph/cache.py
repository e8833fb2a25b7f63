"""Stage 1 helper: the on-disk parse cache of ``load`` (SQLite rows of JSON, keyed by path, size and mtime).

A warm reload of a large corpus reads each file's parse result from here instead of parsing
it again. The cache is one SQLite file; each row holds one file's result as JSON of plain
values (strings, numbers, lists), so a cache file can never run code, and a row that does
not decode is treated as a miss. A cache file that SQLite cannot open is replaced. Rows are
keyed by the file's absolute path and valid only while its size and modification time (in
nanoseconds) are unchanged, and only for the parser that wrote them: the cache records a
fingerprint of the parsing code and library versions and empties itself when it changes.

The shells decide where the cache lives (:func:`default_cache_dir`) and pass it down; the
library never reads the environment.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from typing import Iterable, Mapping

import ryml
import yaml

from .errors import ArticleError, FieldError, FrontMatterError
from .model import Article, Issue, Provider, Related

__all__ = ["CACHE_FILE", "default_cache_dir", "ParseCache", "encode_result", "decode_result", "parser_fingerprint"]

#: The file name of the cache inside its folder.
CACHE_FILE = "parse-cache.sqlite3"
_FORMAT = "1"
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
    >>> default_cache_dir({}, "/home/u")
    '/home/u/.cache/related-article-graph'
    """
    base = environ.get("XDG_CACHE_HOME") or os.path.join(os.fspath(home), ".cache")
    return os.path.join(base, "related-article-graph")


def parser_fingerprint() -> str:
    """Return a fingerprint of everything that decides a parse result (code and library versions)."""
    from . import fastparse, load, model  # the modules whose code makes a result

    digest = hashlib.sha256()
    for module in (load, fastparse, model):
        with open(module.__file__, "rb") as f:
            digest.update(f.read())
    digest.update(f"{yaml.__version__}|{ryml.version}|{_FORMAT}".encode())
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


# --- The store -------------------------------------------------------------------------------


class ParseCache:
    """One SQLite cache file: look up and store files' parse results by path, size and mtime.

    Every SQLite failure (corrupt file, locked, read-only, disk full) turns the cache off
    for the rest of the load instead of failing it; a file SQLite cannot read is replaced.

    Parameters
    ----------
    folder : path
        The cache folder (created when missing); the cache is ``folder/parse-cache.sqlite3``.
    fingerprint : str, optional
        The parser fingerprint (default :func:`parser_fingerprint`); rows written under
        another fingerprint are dropped.
    """

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
            db.execute(
                "CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, size INTEGER NOT NULL, "
                "mtime_ns INTEGER NOT NULL, record TEXT NOT NULL)"
            )
            row = db.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
            if row is None or row[0] != self.fingerprint:
                db.execute("BEGIN IMMEDIATE")
                db.execute("DELETE FROM files")
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

    def lookup(self, keys: Iterable[tuple[str, int, int]]) -> dict[str, str]:
        """Return ``{absolute path: record}`` for the keys ``(path, size, mtime_ns)`` still valid."""
        if self.db is None:
            return {}
        wanted = {path: (size, mtime) for path, size, mtime in keys}
        found: dict[str, str] = {}
        paths = list(wanted)
        try:
            rows = self.db.execute("SELECT count(*) FROM files").fetchone()[0]
            if rows <= 2 * len(paths):  # mostly this corpus: one pass over the table is quickest
                for path, size, mtime, record in self.db.execute("SELECT path, size, mtime_ns, record FROM files"):
                    if wanted.get(path) == (size, mtime):
                        found[path] = record
                return found
            for start in range(0, len(paths), 900):
                batch = paths[start : start + 900]
                marks = ",".join("?" * len(batch))
                for path, size, mtime, record in self.db.execute(
                    f"SELECT path, size, mtime_ns, record FROM files WHERE path IN ({marks})", batch
                ):
                    if wanted.get(path) == (size, mtime):
                        found[path] = record
        except sqlite3.DatabaseError:
            self._replace()
            return {}
        return found

    def store(self, rows: Iterable[tuple[str, int, int, str]]) -> None:
        """Store ``(absolute path, size, mtime_ns, record)`` rows, replacing older ones."""
        if self.db is None:
            return
        try:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)", rows)
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
