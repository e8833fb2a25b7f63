"""Stage 1b: where a corpus comes from: uploaded files and zips extracted safely, cache fingerprints."""

from __future__ import annotations

import hashlib
import io
import os
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterable

from .errors import InputError
from .load import find_files

__all__ = ["MAX_FILES", "MAX_BYTES", "Extracted", "extract_uploads", "upload_digest", "fingerprint"]

#: At most this many article files are taken from one upload (zips included).
MAX_FILES = 20_000
#: At most this many bytes are written, all files together (zip members counted uncompressed).
MAX_BYTES = 256 * 1024 * 1024
#: A zip member inside more folders than this is skipped (real archives nest a few).
MAX_FOLDERS = 64

_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Extracted:
    """What :func:`extract_uploads` wrote, and what it left out with the reason."""

    folder: str
    files: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...] = ()


def _safe_parts(name: str) -> tuple[str, ...] | None:
    """The components of a member name when it stays inside the folder, else None."""
    name = name.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":") or "\x00" in name:
        return None
    parts = tuple(p for p in PurePosixPath(name).parts if p not in ("", "."))
    if not parts or any(p == ".." for p in parts):
        return None
    return parts


def _unique(path: Path) -> Path:
    """``path``, or ``stem-2.md``, ``stem-3.md`` … when it is taken."""
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return candidate


class _Budget:
    def __init__(self, max_files: int, max_bytes: int):
        self.files, self.bytes = 0, 0
        self.max_files, self.max_bytes = max_files, max_bytes

    def take_file(self, where: str) -> None:
        self.files += 1
        if self.files > self.max_files:
            raise InputError(f"{where}: more than {self.max_files} files in the upload")

    def take_bytes(self, count: int, where: str) -> None:
        self.bytes += count
        if self.bytes > self.max_bytes:
            raise InputError(f"{where}: the upload is larger than {self.max_bytes // (1024 * 1024)} MB unpacked")


def _write(target: Path, chunks: Iterable[bytes], budget: _Budget, where: str) -> None:
    """Write ``chunks`` to the new file ``target``; what was written of it goes when they fail."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "xb") as out:  # never follows or replaces an existing entry
        try:
            for chunk in chunks:
                budget.take_bytes(len(chunk), where)
                out.write(chunk)
        except BaseException:
            target.unlink()
            raise


def _write_member(path: Path, chunks, budget: _Budget, where: str, written: list, skipped: list) -> None:
    """Write one file at ``path`` (or ``stem-2.md`` …) from ``chunks()``; one that cannot be
    written or read is skipped with its reason, never the whole upload (a name too long for the
    file system, a member named like a folder of another, a damaged zip member)."""
    try:
        target = _unique(path)
        _write(target, chunks(), budget, where)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as err:
        skipped.append((where, f"damaged or unsupported zip member ({err})"))
    except OSError as err:
        skipped.append((where, f"cannot be written here ({err.strerror or err})"))
    else:
        written.append(str(target))


def _member_chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo):
    with archive.open(info) as member:
        while chunk := member.read(_CHUNK):
            yield chunk


def _extract_zip(name: str, data: bytes, folder: Path, budget: _Budget, written: list, skipped: list) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as err:
        raise InputError(f"{name}: not a readable zip file ({err})") from err
    stem = PurePosixPath(name).stem
    base = folder / (stem if stem not in ("", ".", "..") else "upload")
    with archive:
        for info in archive.infolist():
            where = f"{name}: {info.filename}"
            if info.is_dir():
                continue
            parts = _safe_parts(info.filename)
            if parts is None:
                raise InputError(f"{where}: path leaves the upload folder (absolute or '..'); nothing was loaded")
            if stat.S_ISLNK(info.external_attr >> 16):
                skipped.append((where, "symbolic link, not followed"))
                continue
            if len(parts) - 1 > MAX_FOLDERS:  # (pathlib's mkdir recurses per folder: 1,200 raised RecursionError)
                skipped.append((where, f"nested more than {MAX_FOLDERS} folders deep"))
                continue
            if parts[0] == "__MACOSX" or any(p.startswith(".") for p in parts):
                skipped.append((where, "hidden or system file"))
                continue
            if not parts[-1].lower().endswith(".md"):
                skipped.append((where, "not a .md file"))
                continue
            if info.flag_bits & 0x1:
                skipped.append((where, "encrypted, cannot be read"))
                continue
            budget.take_file(where)
            _write_member(base.joinpath(*parts), lambda: _member_chunks(archive, info), budget, where, written, skipped)


def extract_uploads(
    uploads: Iterable[tuple[str, bytes]],
    folder: str | os.PathLike,
    *,
    max_files: int = MAX_FILES,
    max_bytes: int = MAX_BYTES,
) -> Extracted:
    """Write uploaded ``.md`` files, and the ``.md`` members of uploaded zips, below ``folder``.

    Parameters
    ----------
    uploads : iterable of (name, bytes)
        The uploaded files as the browser named them. Only the last component of a
        name is used; a ``.zip`` is unpacked into a sub-folder named after it.
    folder : path
        An existing, empty folder (a temporary one); nothing is written outside it.
    max_files, max_bytes : int
        Bounds on the number of article files and on the bytes written (unpacked).

    Returns
    -------
    Extracted
        The folder, the files written, and what was skipped with the reason
        (files that are not ``.md``, hidden files, symbolic links, encrypted members, names the
        file system cannot hold).

    Raises
    ------
    InputError
        A zip that cannot be read, a member whose path would leave ``folder``
        (absolute or with ``..``), more than ``max_files`` files or ``max_bytes`` bytes.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     result = extract_uploads([("a.md", b"---\\n---\\n"), ("notes.txt", b"x")], tmp)
    ...     [Path(f).name for f in result.files], result.skipped
    (['a.md'], (('notes.txt', 'not a .md or .zip file'),))
    """
    root = Path(folder)
    budget = _Budget(max_files, max_bytes)
    written: list[str] = []
    skipped: list[tuple[str, str]] = []
    for name, data in uploads:
        base_name = PurePosixPath(name.replace("\\", "/")).name
        if base_name.lower().endswith(".zip"):
            _extract_zip(base_name, data, root, budget, written, skipped)
        elif base_name.lower().endswith(".md") and not base_name.startswith("."):
            budget.take_file(base_name)
            _write_member(root / base_name, lambda: [data], budget, base_name, written, skipped)
        else:
            skipped.append((base_name or name, "not a .md or .zip file"))
    return Extracted(folder=str(root), files=tuple(written), skipped=tuple(skipped))


def upload_digest(uploads: Iterable[tuple[str, bytes]]) -> str:
    """Return a SHA-256 digest of the names and contents of ``uploads`` (a cache key).

    Examples
    --------
    >>> upload_digest([("a.md", b"x")]) == upload_digest([("a.md", b"x")])
    True
    >>> upload_digest([("a.md", b"x")]) == upload_digest([("b.md", b"x")])
    False
    """
    digest = hashlib.sha256()
    for name, data in uploads:
        encoded = name.encode("utf-8", "surrogatepass")
        digest.update(len(encoded).to_bytes(8, "big") + encoded + len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def fingerprint(paths: Iterable[str | os.PathLike] | str | os.PathLike) -> tuple[int, float]:
    """Return ``(file count, newest mtime)`` of the article files under ``paths`` (a cache key).

    Raises
    ------
    InputError
        When ``paths`` name no file at all (see :func:`graph.load.find_files`).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = (Path(tmp) / "a.md").write_text("---\\n---\\n")
    ...     fingerprint(tmp)[0]
    1
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    files = find_files(paths)
    newest = 0.0
    for path in files:
        try:
            newest = max(newest, os.stat(path).st_mtime)
        except OSError:  # vanished or unreadable: the loader reports it; the key still changes
            continue
    return len(files), newest
