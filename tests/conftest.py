"""Shared fixtures: write small article files by hand; the real corpus when it is there."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CORPUS = ROOT.parent / "shared" / "corpus"


def article_text(url="https://example.com/a", title="A story", **fields) -> str:
    """Return the front matter of one article; ``fields`` are raw YAML lines by key."""
    lines = ["---", f'title: "{title}"', f'webUrl: "{url}"']
    for key, value in fields.items():
        lines.append(f"{key}: {value}" if not value.startswith("\n") else f"{key}:{value}")
    lines += ["---", "", "Body text is ignored.", ""]
    return "\n".join(lines)


@pytest.fixture
def write_article(tmp_path):
    """Write a file under tmp_path and return its path: ``write_article(name, text_or_bytes)``."""

    def write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write


@pytest.fixture
def corpus_dir():
    """The real corpora beside the project (skips when ../shared is absent)."""
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present")
    return CORPUS


@pytest.fixture(autouse=True)
def _private_cache_home(tmp_path_factory, monkeypatch):
    """Keep the CLI's parse cache out of the real user cache folder during tests."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))
