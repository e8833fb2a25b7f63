"""Uploads are unpacked only inside their folder, bounded, with a reason for whatever is left out."""

from __future__ import annotations

import io
import os
import stat
import zipfile
from pathlib import Path

import pytest

from graph.errors import InputError
from graph.upload import extract_uploads, fingerprint, upload_digest

DOC = b'---\ntitle: "A"\nwebUrl: "https://a.com/1"\n---\n'


def make_zip(members: dict[str, bytes], *, symlinks: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            if name in symlinks:
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_extract_uploads_writes_md_files_and_zip_members_inside_folder(tmp_path):
    archive = make_zip({"news/b.md": DOC, "news/c.txt": b"x", "__MACOSX/news/._b.md": b"\0", "news/.hidden.md": DOC})
    result = extract_uploads([("a.md", DOC), ("batch.zip", archive)], tmp_path)
    assert tree(tmp_path) == ["a.md", "batch/news/b.md"]
    assert result.files == (str(tmp_path / "a.md"), str(tmp_path / "batch" / "news" / "b.md"))
    assert result.skipped == (
        ("batch.zip: news/c.txt", "not a .md file"),
        ("batch.zip: __MACOSX/news/._b.md", "hidden or system file"),
        ("batch.zip: news/.hidden.md", "hidden or system file"),
    )


@pytest.mark.parametrize("name", ["../evil.md", "/etc/evil.md", "a/../../evil.md", "C:/evil.md", "..\\evil.md"])
def test_extract_uploads_rejects_member_leaving_folder(tmp_path, name):
    folder = tmp_path / "up"
    folder.mkdir()
    with pytest.raises(InputError, match=r"bad\.zip: .*path leaves the upload folder"):
        extract_uploads([("bad.zip", make_zip({name: DOC}))], folder)
    assert not (tmp_path / "evil.md").exists()
    assert tree(tmp_path) == []


def test_extract_uploads_skips_a_member_nested_absurdly_deep(tmp_path):
    """1,200 folders deep raised RecursionError from pathlib (a hostile-input trial): skipped, the rest loads."""
    deep = "/".join(["d"] * 1200) + "/x.md"
    result = extract_uploads([("deep.zip", make_zip({deep: DOC, "ok.md": DOC}))], tmp_path)
    assert [Path(f).relative_to(tmp_path).as_posix() for f in result.files] == ["deep/ok.md"]
    assert result.skipped == ((f"deep.zip: {deep}", "nested more than 64 folders deep"),)
    edge = "/".join(["e"] * 64) + "/x.md"  # 64 folders: kept; 65: skipped
    over = "/".join(["o"] * 65) + "/x.md"
    bounded = extract_uploads([("edge.zip", make_zip({edge: DOC, over: DOC}))], tmp_path / "b")
    assert [Path(f).relative_to(tmp_path / "b").as_posix() for f in bounded.files] == ["edge/" + edge]
    assert bounded.skipped == ((f"edge.zip: {over}", "nested more than 64 folders deep"),)


def test_extract_uploads_skips_symbolic_links(tmp_path):
    result = extract_uploads([("l.zip", make_zip({"link.md": b"/etc/passwd"}, symlinks=("link.md",)))], tmp_path)
    assert result.files == ()
    assert result.skipped == (("l.zip: link.md", "symbolic link, not followed"),)
    assert not any(os.path.islink(p) for p in tmp_path.rglob("*"))


def test_extract_uploads_uses_only_the_last_component_of_a_plain_file_name(tmp_path):
    result = extract_uploads([("../../x.md", DOC), ("x.md", DOC)], tmp_path)
    assert tree(tmp_path) == ["x-2.md", "x.md"]
    assert len(result.files) == 2


def test_extract_uploads_bounds_total_size_of_a_zip_bomb(tmp_path):
    bomb = make_zip({"big.md": b"a" * 2_000_000})
    assert len(bomb) < 10_000
    with pytest.raises(InputError, match=r"bomb\.zip: big\.md: the upload is larger than 1 MB unpacked"):
        extract_uploads([("bomb.zip", bomb)], tmp_path, max_bytes=1024 * 1024)


def test_extract_uploads_bounds_file_count(tmp_path):
    with pytest.raises(InputError, match=r"more than 2 files in the upload"):
        extract_uploads([("many.zip", make_zip({f"{i}.md": DOC for i in range(3)}))], tmp_path, max_files=2)


def test_extract_uploads_reports_unreadable_zip(tmp_path):
    with pytest.raises(InputError, match=r"^broken\.zip: not a readable zip file"):
        extract_uploads([("broken.zip", b"PK\x03\x04 not really")], tmp_path)


def test_extract_uploads_skips_members_the_file_system_cannot_hold(tmp_path):
    """A member named like another's folder, and names over 255 bytes: skipped with the reason, the rest written."""
    long = "a" * 300 + ".md"
    data = make_zip({"x.md": b"1", "x.md/y.md": b"2", "ok.md": b"3", f"d/{long}": b"4"})
    result = extract_uploads([("u.zip", data), (long, b"5"), ("fine.md", b"6")], tmp_path)
    assert tree(tmp_path) == ["fine.md", "u/ok.md", "u/x.md"]
    assert [Path(f).relative_to(tmp_path).as_posix() for f in result.files] == ["u/x.md", "u/ok.md", "fine.md"]
    assert result.skipped == (
        ("u.zip: x.md/y.md", "cannot be written here (File exists)"),
        (f"u.zip: d/{long}", "cannot be written here (File name too long)"),
        (long, "cannot be written here (File name too long)"),
    )


def test_upload_digest_changes_with_content():
    assert upload_digest([("a.md", b"1")]) != upload_digest([("a.md", b"2")])
    assert upload_digest([("a", b"b.md")]) != upload_digest([("ab", b".md")])


def test_fingerprint_counts_files_and_follows_newest_mtime(tmp_path):
    (tmp_path / "a.md").write_bytes(DOC)
    (tmp_path / "b.md").write_bytes(DOC)
    os.utime(tmp_path / "a.md", (1000, 1000))
    os.utime(tmp_path / "b.md", (2000, 2000))
    assert fingerprint(tmp_path) == (2, 2000.0)
    os.utime(tmp_path / "a.md", (3000, 3000))
    assert fingerprint(str(tmp_path)) == (2, 3000.0)


def test_fingerprint_of_missing_folder_raises(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        fingerprint(tmp_path / "missing")
