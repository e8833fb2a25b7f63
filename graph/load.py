"""Stage 1: load article files into Article records and a LoadReport (the only module that reads them)."""

from __future__ import annotations

import fnmatch
import glob
import hashlib
import json
import multiprocessing
import os
import re
import stat
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Sequence

import yaml

from .cache import ParseCache, dump_paths, load_pack, load_paths, pack_results, unpack_results
from .errors import ArticleError, FieldError, FrontMatterError, InputError
from .fastparse import parse_clean, ryml_messages_dropped
from ._gc import paused_gc
from .model import (
    Article, FileRecord, Issue, LoadReport, NodeKind, Provider, Related, canonical_url, clean_text,
    node_id, provider_domain, same_site,
)

try:  # libyaml: the fast C parser; the pure-Python SafeLoader only when libyaml is missing
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader

__all__ = [
    "find_files",
    "parse_article",
    "parse_file",
    "merge_parsed",
    "scan",
    "load_articles",
    "ParseResult",
    "MAX_FRONT_MATTER",
]

#: Front matter larger than this is rejected (real documents have a few kilobytes).
MAX_FRONT_MATTER = 8 * 1024 * 1024
#: Nodes nested deeper than this are rejected before anything is constructed.
MAX_DEPTH = 100
#: Front matter with more values than about this (line breaks of every kind and commas counted) is rejected
#: before it is composed: PyYAML holds ~400 bytes per node, so 8 MB of ``[a,a,a,…]`` (4M
#: nodes) took 1.85 GB in one parsing process. Real documents hold a few hundred.
MAX_VALUES = 200_000

_FENCE = re.compile(rb"^---[ \t]*\r?$", re.M)
#: The tags SafeLoader can construct; any other tag makes the document hostile or foreign.
_MERGE = "tag:yaml.org,2002:merge"
#: PyYAML resolves a plain ``=`` to this tag, which no safe constructor knows: read as the text it is.
_VALUE = "tag:yaml.org,2002:value"
#: The integers every export writes as numbers (64-bit); a quality beyond them is out of range.
_LONG = 2**63
_SAFE_TAGS = frozenset(tag for tag in yaml.SafeLoader.yaml_constructors if tag) | {_MERGE, _VALUE}


def _shortened(value) -> str:
    """``repr(value)`` for a message, cut after 80 characters (a value may be a megabyte of text;
    an integer of more than 4,300 digits has no ``repr`` at all)."""
    if isinstance(value, int) and value.bit_length() > 256:
        return f"an integer of {value.bit_length():,} bits"
    text = repr(value)
    return text if len(text) <= 82 else text[:80] + "…"


_STR = "tag:yaml.org,2002:str"


@dataclass(frozen=True)
class ParseResult:
    """The outcome of parsing one file: an Article and its warnings, or the error."""

    file: str
    article: Article | None = None
    warnings: tuple[Issue, ...] = ()
    error: ArticleError | None = None


# --- Finding files ---------------------------------------------------------------------------


def _walk_markdown(root: str, found: list) -> None:
    """Append ``(path, key, absolute path)`` of each ``*.md`` file below ``root`` in ``os.walk``'s order.

    Like ``os.walk`` (links to folders not followed; a folder that cannot be listed is appended
    itself, so that the load rejects it with the reason), with
    hidden folders skipped and names sorted; one ``scandir`` per folder tells folders from
    files without a system call per file. ``key`` is the file's own place, its folder's real
    path and its name (for repeats; a link to a file is a file of its own).
    """
    try:
        with os.scandir(root) as entries:
            entries = list(entries)
    except OSError:  # a folder that cannot be listed is accounted for: rejected, with the reason
        found.append((root, None, None))
        return
    files, folders = [], []
    for entry in entries:
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            if not entry.name.startswith(".") and not entry.is_symlink():
                folders.append(entry.name)
        elif entry.name.lower().endswith(".md"):
            files.append(entry.name)
    if files:  # os.path.join's result, made by hand: a name holds no separator
        real, absolute = os.path.realpath(root), os.path.abspath(root)
        prefix = root if root.endswith(os.sep) else root + os.sep
        real = real if real.endswith(os.sep) else real + os.sep
        absolute = absolute if absolute.endswith(os.sep) else absolute + os.sep
        same = real == absolute
        for name in sorted(files):
            path = prefix + name
            where = absolute + name
            found.append((path, where if same else real + name, where))
    for name in sorted(folders):
        _walk_markdown(os.path.join(root, name), found)


def _glob(pattern: str) -> list[str]:
    """``glob.glob(pattern, recursive=True)``, but a ``**`` never enters a link to a folder.

    glob's ``**`` follows links to folders: two links back up make its search exponential
    (still running after a minute at 254 MB in a hostile-input trial). pathlib's ``**``
    (Python 3.11+) follows none, as the folder walk does not; its ``*`` also matches hidden
    names, which glob's leaves out: a hidden name is kept only where a component of the
    pattern that starts with "." matches it. A pattern with a ``**`` inside a component is
    glob's (there it is ``*``; pathlib refuses it).
    """
    parts = pattern.split(os.sep)
    first = next((i for i, part in enumerate(parts) if glob.has_magic(part)), len(parts))
    rest = parts[first:]
    if "**" not in rest or any("**" in part and part != "**" for part in rest):
        return glob.glob(pattern, recursive=True)
    base = os.sep.join(parts[:first]) or (os.sep if pattern.startswith(os.sep) else "")
    named = [part for part in rest if part.startswith(".") and part not in (".", "..")]  # hidden names asked for
    found = []
    for match in Path(base or os.curdir).glob(os.sep.join(rest)):
        relative = match.relative_to(base or os.curdir).parts
        if all(not part.startswith(".") or part in (".", "..") or any(fnmatch.fnmatchcase(part, name) for name in named)
               for part in relative):
            found.append(os.path.join(base, *relative) if relative else (base or os.curdir))
    return found


def find_files(paths: Iterable[str | os.PathLike]) -> list[str]:
    """Return the article files named by ``paths``, in load order, without repeats.

    Parameters
    ----------
    paths : iterable of str or path
        Files (taken whatever their extension), folders (searched recursively for
        ``*.md``, hidden folders skipped, sorted by name) or glob patterns.

    Returns
    -------
    list of str
        The file paths, as given or as found below what was given.

    Raises
    ------
    InputError
        A path that is neither a file, a folder nor a glob matching something,
        or no ``.md`` file at all.
    """
    return _find(paths)[0]


def _find(paths: Iterable[str | os.PathLike]) -> tuple[list[str], list[str]]:
    """Return :func:`find_files`' list and the absolute path of each file."""
    paths = [os.fspath(p) for p in paths]
    if not paths:
        raise InputError("no path given")
    found: list[tuple[str, str | None, str | None]] = []
    for path in paths:
        if os.path.isdir(path):
            _walk_markdown(path, found)
        elif os.path.lexists(path):
            found.append((path, None, None))
        else:
            matches = sorted(_glob(path))
            if not matches:
                raise InputError(f"{path}: no such file, folder or glob match")
            for match in matches:
                if os.path.isdir(match):
                    _walk_markdown(match, found)
                elif match.lower().endswith(".md"):
                    found.append((match, None, None))
    seen: set[str] = set()
    unique = []
    absolute = []
    folders: dict[str, tuple[str, str]] = {}  # folder -> its real and absolute path, resolved once per folder
    for path, key, where in found:
        if key is None:
            folder, name = os.path.split(path)
            resolved = folders.get(folder)
            if resolved is None:
                resolved = folders[folder] = (os.path.realpath(folder), os.path.abspath(folder))
            where = os.path.join(resolved[1], name)
            # the file's own place: its folder's real path and its name (a link is a file of its own,
            # never its target; a folder reached again through a link to a folder is the same folder)
            key = os.path.join(resolved[0], name) if name not in ("", ".", "..") else os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            unique.append(path)
            absolute.append(where)
    if not unique:
        raise InputError(f"no .md files found in {', '.join(paths)}")
    return unique, absolute


# --- Reading and parsing one file ------------------------------------------------------------


def _read_front_matter(path: str) -> bytes:
    """Read the file up to its closing fence (never its body), at most about MAX_FRONT_MATTER bytes."""
    return _read_head(path)[0]


def _read_head(path: str) -> tuple[bytes, os.stat_result]:
    """Return what :func:`_read_front_matter` reads, and the file's status from the same open.

    Plain ``os.open``/``os.read``: a fifth of the cost of a buffered file object, which
    counts at a hundred thousand files. ``O_NONBLOCK`` keeps a FIFO from blocking the
    open; the status of the opened file then rejects anything but a regular file.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):  # (only a folder the walk could not list comes here)
            raise OSError(0, "a folder that could not be listed: the files in it are not loaded")
        if not stat.S_ISREG(info.st_mode):  # a FIFO or device would block or never end
            raise OSError(0, "not a regular file (a folder, pipe or device)")
        data = os.read(fd, 65536)
        if len(data) >= info.st_size or not data.lstrip(b"\xef\xbb\xbf").startswith(b"---"):
            return data, info  # the whole file, or no front matter: all _split needs
        while True:
            first = data.find(b"\n")
            if first >= 0 and any(m.end() < len(data) for m in _FENCE.finditer(data, first + 1)):
                return data, info
            if len(data) > MAX_FRONT_MATTER:
                return data, info
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return data, info
            data += chunk
    finally:
        os.close(fd)


def _split(data: bytes, path: str) -> tuple[str, int]:
    """Return the YAML text between the fences and the file line it starts on."""
    if not data or data.isspace():  # data.strip() is empty, without the copy
        raise FrontMatterError(path, None, "empty file")
    # a NUL byte or a byte that is no UTF-8 rejects the file only before its closing fence: the
    # body (a pasted Windows-1252 text, say) is no business of the graph's
    end = data.find(b"\x00", 0, 8192)
    binary = end >= 0
    problem = None
    encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"  # utf-8: three times faster
    try:
        text = data[:end].decode(encoding) if binary else data.decode(encoding)
    except UnicodeDecodeError as exc:
        problem = exc
        text = data[: exc.start].decode(encoding)  # what comes before it
    # only \n (and \r\n) end a line here: str.splitlines would also split on \x0c, \x1c, \u2028…
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    if binary or problem is not None:
        try:
            return _between_fences(text, data, path, whole=False)
        except FrontMatterError:
            if binary:  # (a NUL in the first 8 KiB says binary more surely than a byte that is no UTF-8)
                raise FrontMatterError(path, None, "binary file (contains NUL bytes), not a text document") from None
            line = data.count(b"\n", 0, problem.start) + 1
            raise FrontMatterError(
                path, line, f"not UTF-8: invalid byte 0x{data[problem.start]:02x} at byte {problem.start}"
            ) from problem
    return _between_fences(text, data, path, whole=True)


def _between_fences(text: str, data: bytes, path: str, *, whole: bool) -> tuple[str, int]:
    """:func:`_split`'s second half: the YAML between the fences of ``text``, the decoded ``data``
    (``whole``) or its start (then a closing fence must end its line within it)."""
    first = text.find("\n")
    if (text if first < 0 else text[:first]).rstrip() != "---":
        raise FrontMatterError(path, 1, "no front matter: the first line is not '---'")
    end = first  # the closing fence is the first later line that is '---' once stripped
    while end >= 0:
        end = text.find("\n---", end)
        if end < 0:
            break
        stop = text.find("\n", end + 1)
        if (stop >= 0 or whole) and text[end + 1 : stop if stop >= 0 else len(text)].rstrip() == "---":
            break
        end += 1
    if end < 0:
        if len(data) > MAX_FRONT_MATTER:
            raise FrontMatterError(path, 1, f"front matter larger than {MAX_FRONT_MATTER} bytes")
        raise FrontMatterError(path, 1, "unterminated front matter: no closing '---' line")
    if text.count("\n", 0, end) > MAX_FRONT_MATTER // 2:
        raise FrontMatterError(path, 1, "front matter too long")
    return text[first + 1 : end], 2


def _check_depth(text: str, path: str, lines: "_Lines") -> None:
    """Reject absurd nesting (libyaml's composer recurses and would crash) and absurd numbers
    of values (MAX_VALUES: memory) before composing.

    Deep nesting needs many brackets or compact ``- - -`` items (indentation alone is
    bounded by MAX_FRONT_MATTER), so only such texts pay for a streaming event pass.
    """
    values = text.count(",") + sum(map(text.count, "\n\r\x85\u2028\u2029"))  # every line break PyYAML knows
    if values > MAX_VALUES:
        raise FrontMatterError(path, 1, f"front matter holds too many values (about {values:,}; at most {MAX_VALUES:,})")
    if text.count("[") + text.count("{") + text.count("- ") + text.count("? ") <= 10 * MAX_DEPTH:
        return
    depth = 0
    for event in yaml.parse(text, Loader=SafeLoader):
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise FrontMatterError(path, lines(event.start_mark.line), f"nested more than {MAX_DEPTH} levels deep")
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1


#: What PyYAML also takes for a line break (a lone CR, NEL, LS, PS); a file's lines end at LF only.
_ODD_BREAK = re.compile("[\r\x85\u2028\u2029]")
_YAML_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")  # CR LF is one break (left by _split after a CR)


class _Lines:
    """The file line of a line as PyYAML counts them (from 0) in a front matter starting on file line ``offset``.

    PyYAML also ends a line at a lone CR, NEL (U+0085), LS (U+2028) and PS (U+2029), which
    may sit inside a quoted title; the file's lines end at LF only. Texts holding none
    (nearly all) are mapped by adding ``offset``.

    Examples
    --------
    >>> lines = _Lines("title: 'a" + chr(0x2028) + "b'\\nbad: line\\n", 2)
    >>> lines(0), lines(2)
    (2, 3)
    """

    def __init__(self, text: str, offset: int):
        self.offset = offset
        self.table = None
        if _ODD_BREAK.search(text):
            self.table = [0]  # file lines (from 0) of each of PyYAML's lines
            for match in _YAML_BREAK.finditer(text):
                self.table.append(self.table[-1] + match[0].endswith("\n"))

    def __call__(self, line: int) -> int:
        if self.table is None:
            return line + self.offset
        return self.table[min(line, len(self.table) - 1)] + self.offset


def _line(node: yaml.Node, lines: _Lines) -> int:
    return lines(node.start_mark.line)


def _check_tree(root: yaml.Node, path: str, lines: _Lines) -> None:
    """Reject unknown or unsafe tags and absurd nesting, visiting each node once (alias-safe)."""
    seen: set[int] = set()
    stack = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.tag not in _SAFE_TAGS:
            raise FrontMatterError(path, _line(node, lines), f"unknown or unsafe tag {_shortened(node.tag)}")
        if depth > MAX_DEPTH:
            raise FrontMatterError(path, _line(node, lines), f"nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))


class _Fields:
    """Reads the known fields of one mapping node, recording a warning for each misfit."""

    def __init__(self, loader, path: str, lines: _Lines, warnings: list[Issue], prefix: str = ""):
        self.loader, self.path, self.lines = loader, path, lines
        self.warnings, self.prefix = warnings, prefix

    def mapping(self, node: yaml.MappingNode, *, repeats: bool = False) -> dict[str, yaml.Node]:
        """Return the value node of each scalar key; ``<<`` merge keys fill keys not given.

        A key given twice keeps its later value, as YAML loaders do; with ``repeats`` (the
        document's own fields, not a provider's, an image's or a related entry's) that is
        warned, as the first value is dropped (the fast path declines such documents).

        Merged mappings are visited once each (never copied), so a merge-key bomb
        costs no more than the nodes actually written in the file.
        """
        fields: dict[str, yaml.Node] = {}
        merges: list[yaml.Node] = []
        keys: dict[str, yaml.Node] = {}
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.tag == _MERGE:
                    merges.append(value)
                else:
                    name = str(key.value)
                    first = keys.setdefault(name, key)
                    if first is not key and repeats:
                        self.warn(key, name, f"given again (first on line {_line(first, self.lines)}); the later value is used")
                    fields[name] = value
        seen = {id(node)}
        stack = merges[::-1]
        while stack:
            merged = stack.pop()
            if id(merged) in seen:
                continue
            seen.add(id(merged))
            if isinstance(merged, yaml.SequenceNode):
                stack.extend(merged.value[::-1])
            elif isinstance(merged, yaml.MappingNode):
                for key, value in merged.value:
                    if isinstance(key, yaml.ScalarNode):
                        if key.tag == _MERGE:
                            stack.append(value)
                        else:
                            fields.setdefault(str(key.value), value)
        return fields

    def warn(self, node: yaml.Node | None, name: str, message: str, line: int | None = None) -> None:
        if line is None and node is not None:
            line = _line(node, self.lines)
        self.warnings.append(Issue(line, self.prefix + name, message))

    def scalar(self, node: yaml.Node | None, name: str):
        """Return the constructed value of a scalar node; warn and return None otherwise."""
        if node is None:
            return None
        if not isinstance(node, yaml.ScalarNode):
            shape = "a list" if isinstance(node, yaml.SequenceNode) else "a mapping"
            self.warn(node, name, f"expected a single value, got {shape}; ignored")
            return None
        if node.tag == _VALUE:
            return node.value
        try:
            return self.loader.construct_object(node)
        except yaml.MarkedYAMLError as exc:
            self.warn(node, name, f"unreadable value ({exc.problem}); ignored")
            return None
        except ValueError as exc:  # a timestamp YAML resolves but no calendar has: 2019-02-30
            reason = str(exc)
            if reason.startswith("offset must be a timedelta"):  # (Python's words, with its repr of the offset)
                reason = "a time zone offset of 24 hours or more"
            self.warn(node, name, f"no real date or time {_shortened(node.value)} ({reason}); ignored")
            return None

    def text(self, node: yaml.Node | None, name: str) -> str | None:
        value = self.scalar(node, name)
        if value is None:
            return None
        if isinstance(value, bytes) or isinstance(value, (list, dict, set)):
            self.warn(node, name, f"expected text, got {type(value).__name__}; ignored")
            return None
        if not isinstance(value, str):
            self.warn(node, name, f"expected text, got {type(value).__name__} {_shortened(value)}; taken as text")
            try:
                value = _iso(value) if isinstance(value, (date, datetime)) else str(value)
            except (OverflowError, ValueError):  # a time UTC cannot hold, an integer too long to write: as written
                value = node.value
        return clean_text(value)

    def number(self, node: yaml.Node | None, name: str) -> float | int | None:
        value = self.scalar(node, name)
        if value is None:
            return None
        if isinstance(value, str):
            try:
                number = float(value) if any(c in value for c in ".eE") else int(value)
            except ValueError:
                self.warn(node, name, f"expected a number, got {_shortened(value)}; ignored")
                return None
            if node.style and number == number and abs(number) < _LONG:  # quoted: text (a plain 1e3 is YAML 1.2's number)
                self.warn(node, name, f"expected a number, got the text {_shortened(value)}; taken as {number!r}")
            value = number
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            self.warn(node, name, f"expected a number, got {_shortened(value)}; ignored")
            return None
        if not -_LONG <= value < _LONG:  # infinity, or beyond what exports write as a number
            self.warn(node, name, f"number {_shortened(value)} out of range; ignored")
            return None
        return value

    def date(self, node: yaml.Node | None, name: str) -> str | None:
        value = self.scalar(node, name)
        if value is None:
            return None
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            except ValueError:
                self.warn(node, name, f"unparseable date {_shortened(value)}; ignored")
                return None
        if not isinstance(value, (date, datetime)):
            self.warn(node, name, f"expected a date, got {_shortened(value)}; ignored")
            return None
        try:
            return _iso(value)
        except OverflowError:  # 9999-12-31T23:59:59-05:00 is in year 10000 once in UTC
            self.warn(node, name, f"date {_shortened(node.value)} is out of range in UTC; ignored")
            return None

    def url(self, node: yaml.Node | None, name: str) -> str | None:
        value = self.scalar(node, name)
        if value is None:
            return None
        url = canonical_url(value) if isinstance(value, str) else None
        if url is None:
            self.warn(node, name, f"not an http(s) URL: {str(value)[:80]!r}; ignored")
        return url

    def provider(self, node: yaml.Node | None, name: str) -> Provider | None:
        if node is None:
            return None
        if isinstance(node, yaml.ScalarNode):
            text = self.text(node, name)
            if text:
                self.warn(node, name, "expected a mapping with name and domain, got text; taken as the name")
                return Provider(name=text)
            return None
        if not isinstance(node, yaml.MappingNode):
            self.warn(node, name, "expected a mapping with name and domain, got a list; ignored")
            return None
        fields = self.mapping(node)
        provider_name = self.text(fields.get("name"), name + ".name")
        given = self.text(fields.get("domain"), name + ".domain")
        domain = provider_domain(given) if given else None
        if given and domain is None:
            self.warn(fields.get("domain"), name + ".domain", f"not a domain name: {_shortened(given)}; ignored")
        if not provider_name and not domain:
            self.warn(node, name, "has neither name nor domain; ignored")
            return None
        return Provider(name=provider_name or domain, domain=domain or None)

    def topics(self, node: yaml.Node | None, name: str) -> tuple[str, ...]:
        if node is None:
            return ()
        if isinstance(node, yaml.ScalarNode):
            text = self.text(node, name)
            if text:
                self.warn(node, name, "expected a list, got text; taken as one topic")
                return (text,)
            return ()
        if not isinstance(node, yaml.SequenceNode):
            self.warn(node, name, "expected a list, got a mapping; ignored")
            return ()
        topics: list[str] = []
        for index, item in enumerate(node.value):
            text = self.text(item, f"{name}[{index}]")
            if text and text.lower() not in (t.lower() for t in topics):
                topics.append(text)
        return tuple(topics)

    def image(self, node: yaml.Node | None) -> str | None:
        if not isinstance(node, yaml.SequenceNode):
            return None
        for item in node.value:
            if isinstance(item, yaml.MappingNode):
                value = self.mapping(item).get("url")
                if isinstance(value, yaml.ScalarNode) and isinstance(value.value, str):
                    url = value.value.strip()
                    if url.lower().startswith(("https://", "http://")):
                        return url
        return None

    def urls(self, fields: dict[str, yaml.Node]) -> tuple[str | None, tuple[str, ...]]:
        """Return the identity URL (webUrl, else originalUrl) and the AMP aliases."""
        url = self.url(fields.get("webUrl"), "webUrl")
        if url is None:
            url = self.url(fields.get("originalUrl"), "originalUrl")
        aliases = []
        for key in ("ampWebUrl", "cdnAmpWebUrl"):
            alias = self.url(fields.get(key), key)
            if alias and alias != url and alias not in aliases:
                if url is not None and not same_site(alias, url):
                    self.warn(fields.get(key), key, f"{alias} is on another site than {url}: not taken as "
                                                    "the same article; ignored")
                    continue
                aliases.append(alias)
        return url, tuple(aliases)

    def related(self, node: yaml.Node | None, name: str) -> tuple[Related, ...]:
        if node is None:
            return ()
        if not isinstance(node, yaml.SequenceNode):
            if not (isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"):
                self.warn(node, name, "expected a list of articles; ignored")
            return ()
        entries: list[Related] = []
        for index, item in enumerate(node.value):
            label = f"{name}[{index}]"
            if not isinstance(item, yaml.MappingNode):
                what = "empty" if isinstance(item, yaml.ScalarNode) and not item.value else "not a mapping"
                self.warn(item, label, f"entry is {what}; skipped")
                continue
            entry = _Fields(self.loader, self.path, self.lines, self.warnings, label + ".")
            fields = entry.mapping(item)
            url, aliases = entry.urls(fields)
            if url is None:
                self.warn(item, label, "entry has no http(s) URL; skipped")
                continue
            entries.append(
                Related(
                    url=url,
                    title=entry.text(fields.get("title"), "title"),
                    excerpt=entry.text(fields.get("excerpt"), "excerpt"),
                    published=entry.date(fields.get("publishedDateTime"), "publishedDateTime"),
                    provider=entry.provider(fields.get("provider"), "provider"),
                    quality=entry.number(fields.get("quality"), "quality"),
                    aliases=aliases,
                )
            )
        return tuple(entries)


def _iso(value: date | datetime) -> str:
    """Return an ISO 8601 UTC string; naive times are taken as UTC, dates as midnight UTC."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value.replace(microsecond=0).isoformat() + "Z"


def parse_article(
    path: str | os.PathLike, data: bytes, *, fast: bool = True, memo: dict | None = None
) -> tuple[Article, tuple[Issue, ...]]:
    """Parse the bytes of one article file.

    Parameters
    ----------
    path : str or path
        The file name, used in messages and recorded in ``Article.files``.
    data : bytes
        The file's content (at least up to its closing fence).
    fast : bool, optional
        Try the fast path first (:func:`graph.fastparse.parse_clean`, for clean
        documents; same result). False runs only the safe path.
    memo : dict, optional
        Shared between the calls of one load (canonical URLs already computed).

    Returns
    -------
    (Article, tuple of Issue)
        The article and the warnings about optional fields that were ignored or converted.

    Raises
    ------
    FrontMatterError
        Empty, binary or non-UTF-8 file; missing or unterminated fence; invalid YAML;
        YAML that is not a mapping; unknown or unsafe tags; absurd nesting.
    FieldError
        No usable URL (neither ``webUrl`` nor ``originalUrl`` is an http(s) URL).

    Examples
    --------
    >>> article, warnings = parse_article("a.md", b"---\\nwebUrl: https://www.x.com/a/\\n---\\n")
    >>> article.url, article.title, warnings[0].message
    ('https://x.com/a', None, 'missing; the label comes from the URL')
    """
    path = os.fspath(path)
    text, offset = _split(data, path)
    if fast:
        article = parse_clean(path, text, memo=memo)
        if article is not None:
            return article, ()
    try:
        return _parse_safe(path, text, offset)
    except FrontMatterError as exc:
        if not exc.message.startswith(_BAD_ESCAPE):
            raise
        paired = _QUOTED.sub(_pairs_joined, text)
        if paired == text:
            raise
        return _parse_safe(path, paired, offset)  # (the same lines: each pair only gets shorter)


#: PyYAML's error for a ``\\u`` escape of a UTF-16 surrogate, as JSON writers use for emoji.
_BAD_ESCAPE = "invalid YAML: found invalid Unicode character escape code"
#: A UTF-16 surrogate pair written as two ``\\u`` escapes (``json.dumps`` writes U+1F600 so),
#: not after a backslash of its own.
_JSON_SURROGATES = re.compile(r"(?<!\\)((?:\\\\)*)\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})")
#: A single-quoted scalar (skipped: a backslash is literal there) or a double-quoted one (group 1).
_QUOTED = re.compile(r"'(?:[^']|'')*'|(\"(?:[^\"\\]|\\.)*\")", re.S)


def _pairs_joined(match: re.Match) -> str:
    """A double-quoted scalar with each surrogate pair's two escapes as the one ``\\U`` escape
    YAML takes for its character; any other quoted text as it is."""
    if match[1] is None:
        return match[0]
    return _JSON_SURROGATES.sub(
        lambda pair: f"{pair[1]}\\U{0x10000 + ((int(pair[2], 16) - 0xD800) << 10) + (int(pair[3], 16) - 0xDC00):08x}",
        match[0])


def _parse_safe(path: str, text: str, offset: int) -> tuple[Article, tuple[Issue, ...]]:
    """parse_article's safe path: libyaml composes, the known fields are read one node at a time.

    A document PyYAML refuses only for JSON-style surrogate-pair escapes of a character
    beyond the BMP (``"\\ud83d\\ude00"``: YAML wants ``"\\U0001f600"``) is read again with
    each pair written as YAML's one escape (parse_article), inside double-quoted scalars only
    (elsewhere a backslash is literal text; a quote inside a plain value could still be taken
    for one).
    """
    loader = SafeLoader(text)
    lines = _Lines(text, offset)
    try:
        _check_depth(text, path, lines)
        root = loader.get_single_node()
        if root is None or (isinstance(root, yaml.ScalarNode) and root.tag == "tag:yaml.org,2002:null"):
            raise FrontMatterError(path, 1, "front matter is empty")
        _check_tree(root, path, lines)
        if not isinstance(root, yaml.MappingNode):
            shape = "a list" if isinstance(root, yaml.SequenceNode) else "a single value"
            raise FrontMatterError(path, _line(root, lines), f"front matter is {shape}, not a mapping of fields")
        warnings: list[Issue] = []
        reader = _Fields(loader, path, lines, warnings)
        fields = reader.mapping(root, repeats=True)
        url, aliases = reader.urls(fields)
        if url is None:
            node = fields.get("webUrl") or fields.get("originalUrl")
            line = _line(node, lines) if node is not None else 1
            raise FieldError(path, line, "no URL: neither webUrl nor originalUrl is an http(s) URL")
        title = reader.text(fields.get("title"), "title")
        if title is None:
            node = fields.get("title")
            warnings.append(Issue(_line(node, lines) if node else 1, "title", "missing; the label comes from the URL"))
        article = Article(
            url=url,
            title=title,
            excerpt=reader.text(fields.get("excerpt"), "excerpt"),
            published=reader.date(fields.get("publishedDateTime"), "publishedDateTime"),
            provider=reader.provider(fields.get("provider"), "provider"),
            topics=reader.topics(fields.get("topics"), "topics"),
            quality=reader.number(fields.get("quality"), "quality"),
            heat=reader.number(fields.get("heat"), "heat"),
            type=reader.text(fields.get("type"), "type"),
            image=reader.image(fields.get("images")),
            aliases=aliases,
            related=reader.related(fields.get("related"), "related"),
            files=(path,),
        )
        return article, tuple(warnings)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context == "while scanning a quoted scalar" and exc.context_mark and "end of stream" in (exc.problem or ""):
            mark, problem = exc.context_mark, "a quoted value that starts on this line is never closed"
        line = lines(mark.line) if mark else None
        raise FrontMatterError(path, line, f"invalid YAML: {problem}") from exc
    except yaml.reader.ReaderError as exc:  # a character YAML forbids (control characters)
        line = text.count("\n", 0, exc.position) + offset if isinstance(exc.position, int) else None
        character = f"#x{exc.character:04x}" if isinstance(exc.character, int) else repr(exc.character)
        raise FrontMatterError(
            path, line, f"invalid YAML: unacceptable character {character} ({exc.reason})"
        ) from exc
    except yaml.YAMLError as exc:
        raise FrontMatterError(path, None, f"invalid YAML: {exc}") from exc
    except RecursionError as exc:
        raise FrontMatterError(path, None, "YAML nested too deeply to parse") from exc
    finally:
        loader.dispose()


def parse_file(path: str, *, memo: dict | None = None) -> ParseResult:
    """Read and parse one file; an unusable file becomes a ParseResult carrying its error."""
    return _parse_path(path, memo)[0]


def _parse_path(path: str, memo: dict | None) -> tuple[ParseResult, tuple[int, int] | None]:
    """Return the file's ParseResult and its ``(size, mtime_ns)`` as read (None when unreadable: never cached)."""
    try:
        data, info = _read_head(path)
    except OSError as exc:
        error = FrontMatterError(path, None, f"cannot read: {exc.strerror or exc}")
        return ParseResult(path, error=error), None
    key = (info.st_size, info.st_mtime_ns)
    try:
        article, warnings = parse_article(path, data, memo=memo)
    except ArticleError as exc:
        return ParseResult(path, error=exc), key
    return ParseResult(path, article=article, warnings=warnings), key


# --- Merging files into articles -------------------------------------------------------------


def _union(first: tuple, second: tuple, key: Callable = lambda x: x) -> tuple:
    seen = {key(item) for item in first}
    extra = []
    for item in second:
        if key(item) not in seen:
            seen.add(key(item))
            extra.append(item)
    return first + tuple(extra)


def _merge(first: Article, second: Article) -> Article:
    """Merge two documents of one article: the first wins, gaps filled from the second."""
    filled = {
        name: getattr(second, name)
        for name in ("title", "excerpt", "published", "provider", "quality", "heat", "type", "image")
        if getattr(first, name) is None
    }
    return replace(
        first,
        **filled,
        topics=_union(first.topics, second.topics, str.lower),
        aliases=_union(first.aliases, tuple(a for a in (second.url,) + second.aliases if a != first.url)),
        related=_union(first.related, second.related, lambda r: r.url),
        files=first.files + second.files,
    )


def merge_parsed(results: Iterable[ParseResult]) -> tuple[list[Article], LoadReport]:
    """Merge parse results (in load order) into articles and the report of every file.

    Two documents of the same article (same canonical URL, or one's URL an AMP alias
    of the other's) are merged; the later file is recorded as a ``duplicate`` of the first.
    """
    return _merge_rows((result.file, result.article, result.warnings, result.error) for result in results)


def _merge_rows(rows: Iterable[tuple]) -> tuple[list[Article], LoadReport]:
    """:func:`merge_parsed` of ``(file, article, warnings, error)`` tuples (what :func:`scan` holds)."""
    articles: list[Article] = []
    where: dict[str, int] = {}  # canonical URL or alias -> index in articles
    records: list[FileRecord] = []
    add = records.append
    article_kind = NodeKind.ARTICLE
    for file, article, warnings, error in rows:
        if error is not None:
            add(FileRecord(file, "rejected", None, None, error.line, error.message))
            continue
        index = where.get(article.url)
        if index is None and article.aliases:
            index = next((where[u] for u in article.aliases if u in where), None)
        if index is None:
            where[article.url] = len(articles)
            for url in article.aliases:
                where[url] = len(articles)
            articles.append(article)
            add(FileRecord(file, "loaded", node_id(article_kind, article.url), None, None, None, warnings))
        else:
            first = articles[index]
            articles[index] = merged = _merge(first, article)
            for url in (article.url,) + article.aliases:
                where.setdefault(url, index)
            add(FileRecord(file, "duplicate", merged.id, first.files[0], None, None, warnings))
    return articles, LoadReport(tuple(records))


#: Below this many files to parse, a load stays in one process (starting workers costs more).
PARALLEL_MIN = 1000


def _stat_keys(absolute: Sequence[str]) -> list[list[int] | None]:
    """Return ``[size, mtime_ns]`` of each regular file (a list, as a pack's records start), else None."""
    keys: list[list[int] | None] = []
    for path in absolute:
        try:
            info = os.stat(path)
        except OSError:
            keys.append(None)
            continue
        keys.append([info.st_size, info.st_mtime_ns] if stat.S_ISREG(info.st_mode) else None)
    return keys


def _entries(parsed) -> list[tuple]:
    """``(size, mtime_ns, article, warnings, error)`` of ``(ParseResult, key)`` pairs, for :func:`pack_results`."""
    return [
        (*(key if key is not None else (None, None)), result.article, result.warnings, result.error)
        for result, key in parsed
    ]


def _parse_worker(paths: Sequence[str]) -> str:
    """Parse one chunk in a worker process; return its results packed as JSON (cheap to send and to cache)."""
    with paused_gc():
        return pack_results(_entries(_parse_chunk(paths, {})))


def _parse_chunk(paths: Sequence[str], memo: dict) -> list:
    """``(ParseResult, key)`` of each file, sharing ``memo`` between them (rapidyaml's messages
    on standard error dropped: each of its errors is the safe path's to report)."""
    with ryml_messages_dropped():
        return [_parse_path(path, memo) for path in paths]


def _chunk_bounds(total: int, workers: int) -> list[tuple[int, int]]:
    """Return ``(start, end)`` of each chunk of ``total`` files parsed by ``workers`` processes.

    Big enough to share canonical URLs and related entries (at most 5,000 files), and
    shrinking towards the end (a quarter of what is left per worker, at least 250), so
    that the workers finish together instead of one waiting for the other's last chunk.

    Examples
    --------
    >>> [end - start for start, end in _chunk_bounds(10000, 2)][:6]
    [1250, 1093, 957, 837, 732, 641]
    >>> _chunk_bounds(600, 2)
    [(0, 250), (250, 500), (500, 600)]
    """
    bounds = []
    start = 0
    while start < total:
        size = max(250, min(5000, (total - start) // (workers * 4)))
        bounds.append((start, min(total, start + size)))
        start += size
    return bounds


def _parse_many(paths: list[str], *, workers: int, pack: bool):
    """Yield ``(results, pack JSON or None)`` for ``paths``, chunk by chunk, in order.

    ``results`` holds ``(file, article, warnings, error)`` of each file (what :func:`_merge_rows` takes).
    """
    if workers <= 1 or len(paths) < PARALLEL_MIN:
        memo: dict = {}
        for start in range(0, len(paths), 250):
            if start % 5000 == 0:
                memo = {}  # bounded: what is shared is shared within a few thousand files
            parsed = _parse_chunk(paths[start : start + 250], memo)
            yield ([(result.file, result.article, result.warnings, result.error) for result, _ in parsed],
                   pack_results(_entries(parsed)) if pack else None)
        return
    chunks = [paths[start:end] for start, end in _chunk_bounds(len(paths), workers)]
    # fork is cheapest, but forking a process that runs other threads (a web app) is unsafe
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods and threading.active_count() == 1 else "spawn")
    shared: dict = {}
    start = 0  # chunks[start:] are still to come
    while start < len(chunks):
        try:
            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                for chunk, text in zip(chunks[start:], pool.map(_parse_worker, chunks[start:])):
                    yield _unpacked(chunk, text, shared, pack)
                    start += 1
        except BrokenProcessPool:
            # a worker died (a crash in a C parser, the kernel's out-of-memory killer): the chunk
            # awaited is parsed again apart, down to the file that kills its process; the rest in a new pool
            yield from _salvage(chunks[start], context, shared, pack)
            start += 1


def _unpacked(chunk: list[str], text: str, shared: dict, pack: bool) -> tuple[list, str | None]:
    """A worker's pack as :func:`_parse_many` yields it: ``(results, pack JSON or None)``."""
    unpacked = unpack_results(load_pack(text), chunk, shared)
    return [(path, article, warnings, error) for path, (_, _, article, warnings, error) in zip(chunk, unpacked)], (
        text if pack else None)


def _salvage(paths: list[str], context, shared: dict, pack: bool):
    """Yield :func:`_parse_many`'s results for ``paths``, each half in a process of its own
    until one file is found that kills its process: that file is rejected, the others load.

    The rejection is a parse result like any other, cached with the file's size and
    modification time: a later load that parses only this file, in its own process, would
    otherwise crash on it.
    """
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            text = pool.submit(_parse_worker, paths).result()
    except BrokenProcessPool:
        if len(paths) > 1:
            middle = len(paths) // 2
            yield from _salvage(paths[:middle], context, shared, pack)
            yield from _salvage(paths[middle:], context, shared, pack)
            return
        key = _stat_keys([os.path.abspath(paths[0])])[0] or [None, None]
        error = FrontMatterError(paths[0], None, "the parsing process died on this file (a crash in the parser, "
                                                 "or out of memory): not loaded")
        text = pack_results([(*key, None, (), error)])
    yield _unpacked(paths, text, shared, pack)


def scan(
    paths: Iterable[str | os.PathLike] | str | os.PathLike,
    *,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
    cache: str | os.PathLike | None = None,
) -> tuple[list[Article], LoadReport]:
    """Load every article file under ``paths``, leniently: bad files are reported, not raised.

    Parameters
    ----------
    paths : path or iterable of paths
        Files, folders (recursive ``*.md``) or globs.
    progress : callable, optional
        Called as ``progress(done, total)`` while files are parsed (or found in the cache).
    workers : int, optional
        Processes parsing at once; default one per core. Loads of fewer than
        :data:`PARALLEL_MIN` files to parse stay in this process. The result does not
        depend on it.
    cache : path, optional
        Folder of the on-disk parse cache (:class:`graph.cache.ParseCache`): a snapshot of
        this load (keyed by ``paths``) from which files whose size and modification time
        are unchanged are taken instead of parsed again. Default: no cache. The result
        does not depend on it.

    Returns
    -------
    (list of Article, LoadReport)
        The merged articles in load order, and the fate of every file:
        ``len(report.files) == loaded + duplicates + rejected``.

    Raises
    ------
    InputError
        When ``paths`` name no file at all (see :func:`find_files`).
    ValueError
        When ``workers`` is not a positive integer.
    """
    if workers is None:
        workers = os.cpu_count() or 1
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    paths = [os.fspath(p) for p in paths]
    files, absolute = _find(paths)
    store = ParseCache(cache) if cache is not None else None
    key = hashlib.sha256(json.dumps([os.path.abspath(p) for p in paths]).encode()).hexdigest()[:32]
    with paused_gc():
        try:
            return _scan_files(files, absolute, store, key, workers, progress)
        finally:
            if store is not None:
                store.close()


def _from_snapshot(files, absolute, store, key, results) -> tuple[list, bool]:
    """Fill ``results`` from snapshot ``key``; return the packs to keep and whether the snapshot changed."""
    packs = store.read_snapshot(key)
    if not packs:
        return [], True
    keys = _stat_keys(absolute)
    index_of: dict[str, int] | None = None  # made only when a pack is not in step with the files
    shared: dict = {}
    kept = []
    changed = False
    position = 0  # where the next pack starts in the files, when the snapshot is in step with them
    for pack_id, paths_text, data in packs:
        try:
            paths = load_paths(paths_text)
            value = load_pack(data)
            records = value[4]
            end = position + len(paths)
            if (
                len(records) == len(paths)
                and absolute[position:end] == paths
                and [record[:2] for record in records] == keys[position:end]
                and results[position:end].count(None) == len(paths)
            ):  # the usual warm load: every file of the pack where it was, unchanged
                wanted: list[str | None] = files[position:end]
                targets = list(range(position, end))
                position = end
            else:
                position = -1
                if index_of is None:
                    index_of = {path: i for i, path in enumerate(absolute)}
                wanted, targets = [], []
                for path, record in zip(paths, records):
                    i = index_of.get(path)
                    if i is not None and results[i] is None and keys[i] is not None and keys[i] == record[:2]:
                        wanted.append(files[i])
                        targets.append(i)
                    else:
                        wanted.append(None)
            unpacked = unpack_results(value, wanted, shared)
        except (ValueError, TypeError, IndexError, KeyError):
            changed = True  # a damaged pack: dropped, its files parsed again
            continue
        for i, (_, _, article, warnings, error) in zip(targets, (u for u in unpacked if u is not None)):
            results[i] = (files[i], article, warnings, error)
        del unpacked, value
        if not targets:
            changed = True  # nothing left in it: dropped
        elif len(targets) < len(paths):
            changed = True
            kept.append((pack_id, dump_paths([p if w is not None else "" for p, w in zip(paths, wanted)]), None))
        else:
            kept.append((pack_id, None, None))
    return kept, changed


def _scan_files(
    files: list[str],
    absolute: list[str],
    store: ParseCache | None,
    key: str,
    workers: int,
    progress: Callable[[int, int], None] | None,
) -> tuple[list[Article], LoadReport]:
    """Fill the results from the cache, then by parsing the rest; merge them (scan's body)."""
    total = len(files)
    results: list[tuple | None] = [None] * total
    caching = store is not None and store.db is not None
    kept: list = []
    changed = False
    if caching:
        kept, changed = _from_snapshot(files, absolute, store, key, results)
    done = total - results.count(None)
    if progress is not None and done:
        progress(done, total)
    todo = [index for index in range(total) if results[index] is None]
    new_packs: list = []

    def in_order():
        """Yield every result in file order as soon as it is known, so merging goes on while workers parse."""
        nonlocal done
        pending = iter(todo)
        ready = 0
        for chunk, text in _parse_many([files[i] for i in todo], workers=workers, pack=caching):
            indices = [next(pending) for _ in chunk]
            for i, result in zip(indices, chunk):
                results[i] = result
            if text is not None:  # stored now, while the workers parse; made the snapshot's at the end
                pack_id = store.add_pack(key, dump_paths([absolute[i] for i in indices]), text)
                if pack_id is not None:
                    new_packs.append((pack_id, None, None))
            done += len(chunk)
            if progress is not None:
                progress(done, total)
            while ready <= indices[-1]:
                yield results[ready]
                results[ready] = None  # merged: no longer held here
                ready += 1
        while ready < total:
            yield results[ready]
            results[ready] = None
            ready += 1

    merged = _merge_rows(in_order())
    if caching and (changed or new_packs):
        store.save_snapshot(key, kept + new_packs)
    return merged


def load_articles(paths: Iterable[str | os.PathLike] | str | os.PathLike) -> list[Article]:
    """Load every article file under ``paths``, strictly: raise on the first bad file.

    Raises
    ------
    ArticleError
        The first file that cannot be loaded, with its path and line.
    InputError
        When ``paths`` name no file at all.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    results = []
    with ryml_messages_dropped():
        for path in find_files(paths):
            result = parse_file(path)
            if result.error is not None:
                raise result.error
            results.append(result)
    articles, _ = merge_parsed(results)
    return articles
