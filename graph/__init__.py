"""Related-article graph explorer: load front-matter articles, build and analyse their graph."""

#: The package's version (pyproject.toml reads it from here: one place).
__version__ = "0.1.0"

from .errors import ArticleError, FieldError, FrontMatterError, GraphError, InputError
from .load import find_files, load_articles, parse_article, parse_file, scan
from .model import Article, EdgeKind, LoadReport, NodeKind, canonical_url, node_id

__all__ = [
    "__version__",
    "GraphError",
    "InputError",
    "ArticleError",
    "FrontMatterError",
    "FieldError",
    "Article",
    "LoadReport",
    "NodeKind",
    "EdgeKind",
    "node_id",
    "canonical_url",
    "find_files",
    "parse_article",
    "parse_file",
    "scan",
    "load_articles",
]
