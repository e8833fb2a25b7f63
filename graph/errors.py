"""Typed errors: every error this package raises on purpose, with its location."""

from __future__ import annotations

from pathlib import Path

__all__ = ["GraphError", "InputError", "ArticleError", "FrontMatterError", "FieldError"]


class GraphError(Exception):
    """Base class for every error this package raises on purpose."""


class InputError(GraphError):
    """The paths given cannot be used at all (missing path, no ``.md`` files)."""


class ArticleError(GraphError):
    """An article file is unusable; says where.

    All fields stay in ``args`` so the error pickles (``st.cache_data`` pickles
    whatever a cached function returns).

    Examples
    --------
    >>> str(ArticleError("news/a.md", 3, "invalid YAML"))
    'news/a.md:3: invalid YAML'
    >>> str(ArticleError("news/a.md", None, "empty file"))
    'news/a.md: empty file'
    """

    def __init__(self, path, line: int | None, message: str):
        super().__init__(path, line, message)
        self.path = Path(path)
        self.line = line
        self.message = message

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        return f"{where}: {self.message}"


class FrontMatterError(ArticleError):
    """Unreadable file, missing or unterminated ``---`` fence, or invalid YAML."""


class FieldError(ArticleError):
    """A required key is missing or unusable (an article without any URL)."""
