"""Stage 3: infer same-story links between articles from their text (never mutates G)."""

from __future__ import annotations

import contextlib
import re
import unicodedata
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import NamedTuple

import networkx as nx
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from .build import add_similar_edges
from ._fork import Forked, can_fork, cores, lines_array, lines_of, start_worker, worker_result
from ._gc import paused_gc
from ._stopwords import STOP_WORDS
from .model import NodeKind

__all__ = [
    "DEFAULT_THRESHOLD", "DEFAULT_WINDOW_DAYS", "DEFAULT_NEIGHBOURS", "DEFAULT_SAME_PROVIDER", "SimilarPairs", "article_texts",
    "repost_key", "similarity_pairs", "find_similar_pairs", "link_similar",
]

#: Cosine similarity of TF-IDF vectors from which two articles are taken to report one story.
DEFAULT_THRESHOLD = 0.2
#: Two articles further apart in publication time than this are never linked.
DEFAULT_WINDOW_DAYS = 14.0
#: How many most similar articles each article keeps links to.
DEFAULT_NEIGHBOURS = 10
#: Similarity from which two articles of one provider are linked: an outlet's own articles
#: share its vocabulary (product names, house style, boilerplate) far more than two outlets'
#: reports of one event do, so only its reposts and near-copies count as one story by text.
DEFAULT_SAME_PROVIDER = 0.5

_BLOCK = 512  # rows per sparse product: bounds memory; small, as each block also computes its own lower half
_FREQUENT = 256  # at most this many of the most frequent words are compared densely
_CHILD_TEXTS = 0.12  # of the texts whose words the child finds, beside the providers and reposts


def article_texts(G: nx.DiGraph) -> tuple[list[str], list[str]]:
    """Return the article nodes of G (sorted) and the text each is compared by.

    The text is the title twice (titles carry the story) and the excerpt; a stub has the
    title and excerpt its related entries gave it. An article with neither is compared by the
    words of its URL's last path segment (its label without the host: the host's words would
    make one story of every untitled article of a site, or of ``alpha.com`` and ``beta.com``).

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("a", kind="article", title="Big news", excerpt="It happened.", label="Big news")
    >>> G.add_node("b", kind="article", title=None, excerpt=None, label="x.com: some slug")
    >>> article_texts(G)
    (['a', 'b'], ['Big news Big news It happened.', 'some slug'])
    """
    nodes = sorted(n for n, kind in G.nodes(data="kind") if kind == NodeKind.ARTICLE.value)
    return nodes, _texts([G.nodes[n] for n in nodes])


def _texts(attributes: list[dict], *, squeeze: bool = True) -> list[str]:
    """article_texts' texts of the articles with these node attributes; ``squeeze=False`` leaves
    their runs of spaces (the words are the same: :func:`_runs` splits at any run of them)."""
    texts = []
    for data in attributes:
        title = data.get("title") or ""
        excerpt = data.get("excerpt") or ""
        # (build.label_from_url: "host: words of the last segment", or the host alone)
        text = f"{title} {title} {excerpt}" if title or excerpt else (data.get("label") or "").partition(": ")[2]
        texts.append(" ".join(text.split()) if squeeze else text)
    return texts


_ISO_UTC = b"0000-00-00T00:00:00Z"  # how the loader writes every time (load._iso): digits where the 0s are
_DIGIT_AT = [k for k, c in enumerate(_ISO_UTC) if c == ord("0")]
_MARK_AT = [k for k, c in enumerate(_ISO_UTC) if c != ord("0")]


def _days_of(published: list) -> np.ndarray:
    """:func:`_days` of every time at once: the loader's own form (``2021-01-02T03:04:05Z``) read by numpy.

    The 20 characters of every such time are read as one byte array: a time counts when
    its digits and marks are where the form has them and it names a real moment (month
    1-12, a day of that month, 23:59:59 at most, year 1 on, as datetime reads them: numpy's
    calendar says whether the day is in the month); every other time goes to :func:`_days`
    (~40x faster at 100,000 articles; Arrow's ``strptime`` read February 30 as March 2).

    Examples
    --------
    >>> _days_of(["1970-01-02T12:00:00Z", "1970-02-30T00:00:00Z", "1970-01-03T00:00:00+00:00", None]).tolist()
    [1.5, nan, 2.0, nan]
    """
    days, read = _loader_days(published)
    for k in np.flatnonzero(~read).tolist():
        days[k] = _days(published[k])
    return days


def _loader_days(published: list) -> tuple[np.ndarray, np.ndarray]:
    """The days of the times in the loader's own form, and which times are in it (NaN for the others).

    Two such times compare as their texts do (the same digits in the same places).
    """
    none = " " * len(_ISO_UTC)
    text = [value if type(value) is str and len(value) == len(_ISO_UTC) and value.isascii() else none
            for value in published]
    raw = np.frombuffer("".join(text).encode("ascii"), dtype=np.uint8).reshape(len(text), len(_ISO_UTC))
    digits = raw[:, _DIGIT_AT] - np.uint8(ord("0"))  # a byte under "0" wraps round: over 9 too
    read = (digits <= 9).all(axis=1) & (raw[:, _MARK_AT] == np.frombuffer(_ISO_UTC, dtype=np.uint8)[_MARK_AT]).all(axis=1)
    d = digits.astype(np.int64) * read[:, None]  # the unread as 0000-00-00T00:00:00, ruled out below
    year, month, day = d[:, 0] * 1000 + d[:, 1] * 100 + d[:, 2] * 10 + d[:, 3], d[:, 4] * 10 + d[:, 5], d[:, 6] * 10 + d[:, 7]
    hour, minute, second = d[:, 8] * 10 + d[:, 9], d[:, 10] * 10 + d[:, 11], d[:, 12] * 10 + d[:, 13]
    read &= (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= 31) & (hour <= 23) & (minute <= 59) & (second <= 59)
    first = (year - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (month - 1).astype("timedelta64[M]")
    date = first.astype("datetime64[D]") + (day - 1).astype("timedelta64[D]")
    read &= date.astype("datetime64[M]") == first  # February 30 is in March
    days = (date.astype(np.int64) * 86400 + hour * 3600 + minute * 60 + second) / 86400.0
    days[~read] = np.nan
    return days, read


def _days(published: str | None) -> float:
    """Days since the epoch of an ISO 8601 time, NaN when unknown or unreadable."""
    if not published:
        return float("nan")
    try:
        moment = datetime.fromisoformat(published.replace("Z", "+00:00"))
    except ValueError:
        return float("nan")
    if moment.tzinfo is None:
        return moment.timestamp() / 86400.0  # pragma: no cover - the loader always writes Z
    return moment.timestamp() / 86400.0


_WORD_CHARACTER = re.compile(r"\w")
_INNER = "'’-"  # may join word characters into one word, never start or end one


_WORDS_CHUNK = 8192  # texts whose words are held at once by _word_cells


class _Separators(dict):
    """A ``str.translate`` table turning every character that cannot be part of a word into a space."""

    def __missing__(self, code: int) -> int:
        character = chr(code)
        keep = character in _INNER or _WORD_CHARACTER.match(character)
        self[code] = code if keep else 32
        return self[code]


def _runs(texts: list[str], chunk: int | None = None):
    """Yield, for each chunk of a few thousand texts (``chunk``, default :data:`_WORDS_CHUNK`),
    what its runs of word characters, apostrophes and hyphens are: ``(first text, runs per
    text, number of each run, runs first met in the chunk)``; runs are numbered in the order
    first met, over all chunks.

    The texts are lower-cased and stripped of accents first, as scikit-learn does; one
    ``str.translate`` per text turns every other character into a space (scikit-learn's
    regex is ~3x slower). Arrow then splits the chunk at the spaces and numbers its
    distinct runs in C++ (``dictionary_encode``, in the order first met): Python makes
    no string per occurrence, only per distinct run (~3x faster than ``str.split``).
    """
    separators = _Separators()
    number: dict[str, int] = {}
    size = chunk or _WORDS_CHUNK
    for start in range(0, len(texts), size):
        part = [(text if text.isascii() else _strip_accents(text)).translate(separators)
                for text in map(str.lower, texts[start:start + size])]  # ASCII has no accents
        lengths, codes, distinct = _split_runs(part)
        new = [run for run in distinct if run not in number]
        for run in new:
            number[run] = len(number)
        code = np.fromiter(map(number.__getitem__, distinct), dtype=np.int64, count=len(distinct))
        yield start, lengths, code[codes], new


def _strip_accents(text: str) -> str:
    """scikit-learn's ``strip_accents_unicode``: the text decomposed (NFKD), without its combining marks.

    Examples
    --------
    >>> _strip_accents("Café Zürich")
    'Cafe Zurich'
    """
    return "".join([c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)])


def _split_runs(chunk: list[str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The runs of texts of word characters and spaces (``_Separators``): how many each text
    holds, the number of each (its place in the distinct runs) and the distinct runs, in the order met.

    Arrow reads the texts from one UTF-8 buffer and their offsets (``from_buffers``): ~10x
    faster than ``pa.array`` of the list, which, like ``to_numpy``, also imports pandas
    where installed (~64 MB) to ask whether the list is one of its own. ``translate``
    turned every character that is no word character (lone surrogates too) into a space,
    so every text encodes. Arrow's buffers come from the C library's heap, which gives them
    back when freed: Arrow's own pool (mimalloc) kept ~30 MB through the analysis' peak.
    """
    pool = pa.system_memory_pool()
    split = pc.ascii_split_whitespace(_utf8(chunk), memory_pool=pool)  # translate left ASCII spaces only between the runs
    runs = pc.dictionary_encode(pc.list_flatten(split, memory_pool=pool), memory_pool=pool)
    return (_integers(pc.list_value_length(split, memory_pool=pool)), _integers(runs.indices),
            runs.dictionary.to_pylist())


def _utf8(texts: list[str]) -> pa.LargeStringArray:
    """The texts as an Arrow array, from one UTF-8 buffer and their offsets (see :func:`_split_runs`)."""
    encoded = list(map(str.encode, texts))
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)), out=offsets[1:])
    return pa.LargeStringArray.from_buffers(len(encoded), pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded)))


def _integers(array: pa.Array) -> np.ndarray:
    """An Arrow integer array without nulls as int64 numpy, read from its data buffer (``to_numpy`` imports pandas)."""
    data = array.buffers()[1]
    if data is None:  # no values: empty, or (never so far) all null
        return np.zeros(len(array), dtype=np.int64)
    values = np.frombuffer(data, dtype=np.dtype(f"int{array.type.bit_width}"),
                           count=array.offset + len(array))
    return values[array.offset:].astype(np.int64)


class _Cells(NamedTuple):
    """The word counts of a run of texts (:func:`_word_cells`): the words counted, in the order
    first met, and each text's cells (its words' numbers there and their counts), a text's
    cells by word number, as ``CountVectorizer`` leaves them."""

    words: list[str]
    code: np.ndarray  # int32, into words
    count: np.ndarray  # float32
    per_text: np.ndarray  # int64: cells of each text


def _word_cells(texts: list[str]) -> _Cells:
    """The :class:`_Cells` of ``texts``: words numbered in the order first met in them.

    Examples
    --------
    >>> cells = _word_cells(["Robot panic: the robot's back", "Café robot"])
    >>> cells.words, cells.code.tolist(), cells.count.tolist(), cells.per_text.tolist()
    (['robot', 'panic', "robot's", 'cafe'], [0, 1, 2, 0, 3], [1.0, 1.0, 1.0, 1.0, 1.0], [3, 2])
    """
    # scikit-learn's words are the runs of word characters and _INNER, stripped of _INNER at
    # both ends (_runs); the words of a chunk of texts are numbered, counted, then dropped
    index: dict[str, int] = {}  # every word met, stop words and "" included -> its number, in the order met
    wanted: list[bool] = []  # word number -> counted (neither "" nor a stop word)
    word_of: list[int] = []  # run number -> word number
    # each (text, counted word) cell once, by text then word number, chunk by chunk into columns
    # joined freeing each chunk as it is copied: the cells are held once (~45 MB at 100k
    # articles), not three arrays of them and their copies (~190 MB)
    codes, counts = _Column(np.int32, chunk=1 << 20), _Column(np.float32, chunk=1 << 20)
    per_text = np.zeros(len(texts), dtype=np.int64)  # cells of each text
    for start, lengths, runs, new in _runs(texts):
        known = len(index)
        word_of += [index.setdefault(run.strip(_INNER), len(index)) for run in new]
        wanted += [bool(word) and word not in STOP_WORDS for word in list(islice(reversed(index), len(index) - known))[::-1]]
        code = np.asarray(word_of, dtype=np.int64)[runs]
        row = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
        cells, count = np.unique(row * len(index) + code, return_counts=True)  # counted chunk by chunk: small
        row, code = cells // len(index), cells % len(index)
        counted = np.asarray(wanted, dtype=bool)
        keep = counted[code]  # stop words go at once: a word's fate never changes
        codes.extend((np.cumsum(counted) - 1)[code[keep]])  # numbered among the counted words: the same order
        counts.extend(count[keep])
        per_text[start:start + len(lengths)] = np.bincount(row[keep], minlength=len(lengths))
    return _Cells([word for word, keep in zip(index, wanted) if keep], codes.joined(), counts.joined(), per_text)


def _count_matrix(parts: list[_Cells]) -> sp.csr_matrix:
    """The word counts of the texts of ``parts``, one after the other (float32 CSR, columns in word order).

    A word's number is the one it has in the first part that holds it, or, new, the next
    one: the numbers all the texts in one run would have given. A later part's cells are
    put in that order again where its own numbering differs, so the matrix is the one
    :func:`_word_cells` of all the texts gives, bit for bit. ``parts`` is emptied, each
    part freed once copied.

    The counts are those of scikit-learn's ``CountVectorizer`` (lower-cased, accents
    stripped, English stop words out), counted with numpy instead of a dict per text.
    Below, the columns are cafe, don't, panic, robot and robot-vacuum's ("the" and "back"
    are stop words).

    Examples
    --------
    >>> texts = ["Don't panic: the robot-vacuum's back", "Robot Café"]
    >>> _count_matrix([_word_cells(texts[:1]), _word_cells(texts[1:])]).toarray().tolist()
    [[0.0, 1.0, 1.0, 0.0, 1.0], [1.0, 0.0, 0.0, 1.0, 0.0]]
    """
    number: dict[str, int] = {}  # word -> its number over all parts
    per_text = np.concatenate([part.per_text for part in parts]) if parts else np.zeros(0, dtype=np.int64)
    indptr = np.zeros(len(per_text) + 1, dtype=np.int64)
    np.cumsum(per_text, out=indptr[1:])
    codes, data = np.empty(indptr[-1], dtype=np.int32), np.empty(indptr[-1], dtype=np.float32)
    at = 0
    parts.reverse()
    while parts:
        part = parts.pop()
        known = len(number)
        mine = np.fromiter((number.setdefault(word, len(number)) for word in part.words), dtype=np.int32,
                           count=len(part.words))
        code, count = mine[part.code], part.count
        if len(mine) and not (known == 0 or (np.diff(mine) > 0).all()):  # its words met in another order before
            row = np.repeat(np.arange(len(part.per_text), dtype=np.int64), part.per_text)
            order = np.argsort(row * len(number) + code, kind="stable")
            code, count = code[order], count[order]
        codes[at:at + len(code)] = code
        data[at:at + len(code)] = count
        at += len(code)
        del part, code, count
    words = list(number)
    column = np.empty(len(words), dtype=np.int32)  # word number -> column (words in alphabetical order)
    column[sorted(range(len(words)), key=words.__getitem__)] = np.arange(len(words), dtype=np.int32)
    return sp.csr_matrix((data, column[codes], indptr), shape=(len(per_text), len(words)))


class _Texts:
    """:func:`article_texts`' texts of articles (their node attribute dicts), made a slice at a
    time as :func:`_word_cells` reads them: never all held (~50 MB at 100,000 articles)."""

    def __init__(self, attributes: list[dict]):
        self.attributes = attributes

    def __len__(self) -> int:
        return len(self.attributes)

    def __getitem__(self, part: slice) -> list[str]:
        return _texts(self.attributes[part], squeeze=False)


def _providers_and_reposts(by_time: list[dict], order: list[int], days: np.ndarray, window: float):
    """What the rows' providers and titles say, apart from their vectors: the provider code of
    every row (an article without one is its own provider) and the pairs of rows that may be
    reposts further apart than the window (:func:`_repost_candidates`)."""
    providers: dict = {}  # provider node -> code
    provider = np.array([providers.setdefault(data.get("provider") or ("", k), len(providers))
                         for data, k in zip(by_time, order)], dtype=np.int64)
    excerpts = [data.get("excerpt") or "" for data in by_time]
    keys = [repost_key(data.get("title")) if excerpt else None for data, excerpt in zip(by_time, excerpts)]
    return (provider, *_repost_candidates(keys, excerpts, days, window))


def _providers_and_reposts_apart(folder: Path, by_time: list[dict], order: list[int], days: np.ndarray,
                                 window: float, tail: int) -> dict[str, np.ndarray]:
    """:func:`_providers_and_reposts` in a child process (``_fork.Forked``), and the word cells
    (:func:`_word_cells`) of the rows from ``tail`` on: their words as one UTF-8 text, a line each."""
    cells = _word_cells(_Texts(by_time[tail:]))
    return dict(zip(("provider", "i", "j"), _providers_and_reposts(by_time, order, days, window)),
                words=lines_array(cells.words), code=cells.code, count=cells.count, per_text=cells.per_text)


def _providers_and_reposts_of(worker: Forked | None, by_time: list[dict], order: list[int], days: np.ndarray,
                              window: float, tail: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, _Cells]:
    """The child's :func:`_providers_and_reposts_apart`, or the same computed here when there is
    no child or it failed: the providers, the repost candidates, the word cells of the rows from ``tail`` on."""
    if worker is not None:
        with worker:
            part = worker_result(worker, task="linking", stacklevel=4)
        if part is not None:
            cells = _Cells(lines_of(part["words"]), part["code"], part["count"], part["per_text"])
            return part["provider"], part["i"], part["j"], cells
    return (*_providers_and_reposts(by_time, order, days, window), _word_cells(_Texts(by_time[tail:])))


def _vectorise(texts: list[str]) -> sp.csr_matrix:
    r"""Row-normalised TF-IDF vectors (words, English stop words removed, sublinear counts).

    The same matrix as ``TfidfVectorizer(stop_words="english", sublinear_tf=True,
    strip_accents="unicode", token_pattern=r"(?u)\b\w[\w'’-]*\w\b|\b\w\b",
    dtype=np.float32)``, bit for bit (tests compare them): the words are counted by
    :func:`_word_cells` and :func:`_count_matrix`, the weights by :func:`_tfidf`.
    """
    return _vectors([_word_cells(texts)])


def _vectors(parts: list[_Cells]) -> sp.csr_matrix:
    """:func:`_vectorise` of the texts of the :class:`_Cells` ``parts``, one after the other (emptied)."""
    counts = _count_matrix(parts)
    if counts.shape[1] == 0:  # no words, or only stop words: nothing to compare
        return sp.csr_matrix((counts.shape[0], 0), dtype=np.float32)
    return _tfidf(counts)


def _tfidf(counts: sp.csr_matrix) -> sp.csr_matrix:
    """scikit-learn's ``TfidfTransformer(sublinear_tf=True).fit_transform(counts)``, step for step in float32.

    Smoothed inverse document frequencies ``log((1 + n) / (1 + df)) + 1``, counts
    ``1 + log(count)``, each row divided by its Euclidean norm: the squares summed in
    float64 in row order (``np.bincount``, as scikit-learn's Cython loop sums them), the
    quotient rounded to float32. The same matrix (tests compare them) without importing
    scikit-learn (~126 MB and ~1 s, README "Design"). ``counts`` (float32 CSR) is used up.

    Examples
    --------
    >>> counts = sp.csr_matrix(np.array([[1, 0, 2], [0, 1, 1]], dtype=np.float32))
    >>> _tfidf(counts).toarray().astype(np.float64).round(4).tolist()
    [[0.6387, 0.0, 0.7694], [0.0, 0.8148, 0.5797]]
    """
    X = counts
    rows, columns = X.shape
    df = np.bincount(X.indices, minlength=columns).astype(np.float32)
    df += 1.0
    idf = np.full_like(df, rows + 1, dtype=np.float32)
    idf /= df
    np.log(idf, out=idf)
    idf += 1.0
    data = X.data
    np.log(data, out=data)
    data += 1.0
    data *= idf[X.indices]
    # a few hundred thousand values at a time, whole rows each, so the sums are the same
    indptr = X.indptr
    bounds = np.unique(np.r_[0, np.searchsorted(indptr, np.arange(1 << 20, indptr[-1], 1 << 20)), rows])
    for r0, r1 in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
        a, b = int(indptr[r0]), int(indptr[r1])
        part = data[a:b]
        row = np.repeat(np.arange(r1 - r0), np.diff(indptr[r0:r1 + 1]))
        norm = np.sqrt(np.bincount(row, weights=(part * part).astype(np.float64), minlength=r1 - r0))
        part[:] = part / norm[row]  # float32 over float64, rounded to float32, as the Cython loop divides
    return X


def _block_pairs(C, F, rows: slice, cols: slice, ends, dated, threshold, provider, same_provider):
    """Pairs (i, j, similarity), i in rows, j in cols, i < j, that share a word of C, at or above threshold, within the window.

    The similarity is exact (float32): C holds the rarer words, F the most frequent ones
    (made dense for the block's rows and columns only: dense for every article it would be
    ~140 MB at 100,000 articles). Row i's window ends before row ``ends[i]``
    (:func:`_window_ends`); the rows from ``dated`` on are undated, and no time rules them out.
    A pair of one ``provider`` (codes by row) is kept only at or above ``same_provider``.
    """
    product = (C[rows] @ C[cols].T).tocsr()
    r = np.repeat(np.arange(rows.stop - rows.start, dtype=np.int32), np.diff(product.indptr))
    c = product.indices
    s = product.data
    if F.shape[1]:
        dense = F[rows].toarray() @ F[cols].toarray().T  # the frequent words: one BLAS product for the block
        s = s + dense.ravel()[np.multiply(r, dense.shape[1], dtype=np.int64) + c]
    keep = s >= threshold
    r, c, s = r[keep], c[keep], s[keep]
    # each row's bounds in the block's columns, read from arrays of its few hundred rows
    first = np.arange(rows.start + 1 - cols.start, rows.stop + 1 - cols.start)  # j > i
    end = ends[rows] - cols.start
    keep = (c >= first[r]) & ((c < end[r]) | (c >= dated - cols.start))
    if same_provider > threshold:
        keep &= (provider[rows][r] != provider[cols][c]) | (s >= same_provider)
    return r[keep].astype(np.int64) + rows.start, c[keep].astype(np.int64) + cols.start, s[keep]


def _window_ends(days: np.ndarray, dated: int, window: float) -> np.ndarray:
    """For every row (articles in time order, the first ``dated`` dated), the first later dated row
    published more than ``window`` days after it, as a pair is tested (``days[j] - days[i] >
    window``, the difference's rounding, not the sum's); ``dated`` when none is. For an
    undated row, the number of rows: no time rules out any pair of it.

    Examples
    --------
    >>> _window_ends(np.array([0.0, 0.5, 1.0, 3.0, np.nan]), 4, 1.0).tolist()
    [3, 3, 3, 4, 5]
    """
    ends = np.full(len(days), len(days), dtype=np.int64)
    d = days[:dated]
    end = np.searchsorted(d, d + window, side="right")
    at = np.arange(dated)
    # step to the first row the difference rules out (the sum's rounding may differ from it): rows
    # of one day are ruled out alike, so each step passes a whole run of them (one row at a time,
    # 30,000 articles of one minute took seconds)
    while dated:
        last, this = d[np.maximum(end - 1, 0)], d[np.minimum(end, dated - 1)]
        before = (end - 1 > at) & (last - d > window)  # the row before is ruled out too
        after = (end < dated) & ~(this - d > window)  # this row is not
        if not (before.any() or after.any()):
            break
        end = np.where(before, np.maximum(np.searchsorted(d, last, side="left"), at + 1), end)
        end = np.where(after, np.searchsorted(d, this, side="right"), end)
    ends[:dated] = end
    return ends


_TAILS = (" - ", " – ", " — ", " | ")  # a title's last one may start the name of its source
_WORD = re.compile(r"\w+")
_REPOST_WORDS = 5  # a title of fewer words (without its tail) is too generic to mark a repost
_REPOST_BAND = 20  # each copy of a headline is compared with the next 20 in time
_REPOST_OVERLAP = 0.5  # the least Jaccard overlap of two reposts' excerpt words
_REPOST_SIMILARITY = 0.5  # the least similarity of two reposts (a near-copy), whatever same_provider


def repost_key(title: str | None) -> str | None:
    """Return the words of a title that a repost keeps, or None when too short to tell.

    Lower-cased words, without a trailing `` - Site`` / `` | Site`` of up to four words
    and no digits (reposts name their source there; a date or a part number is kept);
    None under five words.

    Examples
    --------
    >>> repost_key("How Rolls-Royce is unlocking digital transformation with Power Apps – Microsoft")
    'how rolls royce is unlocking digital transformation with power apps'
    >>> repost_key("What's new in Microsoft Teams - March 2021")
    'what s new in microsoft teams march 2021'
    >>> repost_key("Weekly update | Acme") is None
    True
    """
    if not title:
        return None
    title = title.lower()
    tail = max(map(title.rfind, _TAILS))
    if tail >= 0:
        words = _WORD.findall(title, tail)
        if len(words) <= 4 and not any(map(str.isdigit, title[tail:])):
            title = title[:tail]
    words = _WORD.findall(title)
    return " ".join(words) if len(words) >= _REPOST_WORDS else None


def _repost_candidates(keys: list, excerpts: list, days, window) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of rows (i < j) that may be reposts published further apart than the window.

    A story's reposts and syndicated copies keep its headline and its excerpt but may come
    months later, so they are compared whatever the time between them: one
    :func:`repost_key` and excerpts sharing half their words or more (Jaccard; a headline
    alone may recur for another event: "What you need to know"); :func:`_reposts` keeps
    those alike enough. Each copy is compared with the next 20 in time.
    """
    groups: dict[str, list[int]] = {}
    for row, key in enumerate(keys):
        if key is not None:
            groups.setdefault(key, []).append(row)
    i, j = [], []
    for rows in groups.values():  # rows in time order
        for step in range(1, min(len(rows), _REPOST_BAND + 1)):
            i += rows[:-step]
            j += rows[step:]
    i, j = np.array(i, dtype=np.int64), np.array(j, dtype=np.int64)
    keep = np.abs(days[i] - days[j]) > window  # nearer (or undated) pairs are compared with the rest
    i, j = i[keep], j[keep]
    words = {row: set(_WORD.findall(excerpts[row].lower())) for row in set(i.tolist()) | set(j.tolist())}
    overlap = np.array([len(words[a] & words[b]) / max(len(words[a] | words[b]), 1)
                        for a, b in zip(i.tolist(), j.tolist())], dtype=np.float64)
    return i[overlap >= _REPOST_OVERLAP], j[overlap >= _REPOST_OVERLAP]


def _reposts(i: np.ndarray, j: np.ndarray, X, threshold: float):
    """The :func:`_repost_candidates` (i, j) that are reposts: a similarity at or above 0.5 and
    ``threshold`` (a near-copy). Returns ``(i, j, similarity)``."""
    s = np.asarray(X[i].multiply(X[j]).sum(axis=1), dtype=np.float32).ravel()
    keep = s >= max(threshold, _REPOST_SIMILARITY)
    return i[keep], j[keep], s[keep]


def _top(i, j, s, neighbours):
    """Keep, for every i, its ``neighbours`` pairs of highest similarity (ties by j).

    One sort of 64-bit keys (i, similarity descending, j) when they fit, as they do for
    blocks of rows within a few million columns, and for 100,000 rows of 100,000 columns
    (a similarity under 2 takes 30 bits); a three-key lexsort otherwise. The similarity
    must be positive (its float32 bits then sort as the numbers do).

    Examples
    --------
    >>> i, j = np.array([0, 0, 0, 1]), np.array([3, 1, 2, 0])
    >>> s = np.array([0.5, 0.5, 0.9, 0.3], dtype=np.float32)
    >>> [a.astype(np.float64).round(2).tolist() for a in _top(i, j, s, 2)]
    [[0.0, 0.0, 1.0], [2.0, 1.0, 0.0], [0.9, 0.5, 0.3]]
    """
    if not len(i):
        return i, j, s
    s = np.asarray(s, dtype=np.float32)
    i0, j0 = int(i.min()), int(j.min())
    rbits, cbits = int(i.max() - i0).bit_length(), int(j.max() - j0).bit_length()
    sbits = int(s.view(np.uint32).max()).bit_length()  # the bits of the largest similarity (1.0: 30)
    if rbits + sbits + cbits <= 64:
        shift, top = np.uint64(sbits + cbits), np.uint32((1 << sbits) - 1)
        key = (i - i0).astype(np.uint64) << shift
        key |= (top - s.view(np.uint32)).astype(np.uint64) << np.uint64(cbits)  # descending
        key |= (j - j0).astype(np.uint64)
        key.sort()
        i = (key >> shift).astype(np.int64) + i0
        j = (key & np.uint64((1 << cbits) - 1)).astype(np.int64) + j0
        s = (top - ((key >> np.uint64(cbits)) & np.uint64((1 << sbits) - 1)).astype(np.uint32)).view(np.float32)
    else:
        order = np.lexsort((j, -s, i))
        i, j, s = i[order], j[order], s[order]
    first = np.r_[0, np.flatnonzero(np.diff(i)) + 1]
    rank = np.arange(len(i)) - np.repeat(first, np.diff(np.r_[first, len(i)]))
    keep = rank < neighbours
    return i[keep], j[keep], s[keep]


class _Column:
    """A 1-d array grown block by block, then joined once (:meth:`joined`).

    Values go into chunks of ``chunk`` values allocated whole (large enough that the C
    library maps each apart and returns it to the system when it is freed), so joining
    frees each chunk as soon as it is copied: the values are held once, plus one chunk,
    instead of twice (~100 MB less per column of 24M pairs at 100,000 articles).

    Examples
    --------
    >>> column = _Column(np.int32, chunk=3)
    >>> column.extend(np.array([1, 2])); column.extend(np.array([3, 4, 5, 6, 7]))
    >>> column.joined().tolist(), column.joined().tolist()
    ([1, 2, 3, 4, 5, 6, 7], [])
    """

    def __init__(self, dtype, *, chunk: int = 1 << 23):
        self.dtype, self.chunk = np.dtype(dtype), chunk
        self.chunks: list[np.ndarray] = []
        self.used = 0  # values in the last chunk

    def extend(self, values: np.ndarray) -> None:
        values = np.asarray(values, dtype=self.dtype)
        while len(values):
            if not self.chunks or self.used == self.chunk:
                self.chunks.append(np.empty(self.chunk, dtype=self.dtype))
                self.used = 0
            n = min(len(values), self.chunk - self.used)
            self.chunks[-1][self.used:self.used + n] = values[:n]
            self.used += n
            values = values[n:]

    def read(self, path: Path) -> None:
        """Append the values of a raw file (as ``ndarray.tofile`` writes them), a chunk at a time."""
        with open(path, "rb") as file:
            while len(values := np.fromfile(file, dtype=self.dtype, count=self.chunk)):
                self.extend(values)

    def joined(self) -> np.ndarray:
        """Every value in order, as one array; the column is left empty."""
        total = self.chunk * max(len(self.chunks) - 1, 0) + (self.used if self.chunks else 0)
        out = np.empty(total, dtype=self.dtype)  # its pages are taken as they are written
        at = 0
        self.chunks.reverse()
        while self.chunks:
            part = self.chunks.pop()[: self.chunk if self.chunks else self.used]
            out[at:at + len(part)] = part
            at += len(part)
            del part  # the chunk goes now
        self.used = 0
        return out


class _Rows(NamedTuple):
    """What every block of :func:`similarity_pairs`' scan reads: its rows are the articles in time order."""

    C: sp.csr_matrix  # TF-IDF of the rarer words
    F: sp.csr_matrix  # TF-IDF of the most frequent words
    days: np.ndarray
    ends: np.ndarray  # of each row's window (_window_ends)
    dated: int  # rows before this one are dated
    provider: np.ndarray
    window: float
    threshold: float
    same_provider: float
    neighbours: int
    reposts: tuple  # (row, later row, similarity) of every repost pair, by row


def _columns(rows: _Rows, start: int, stop: int) -> list[tuple[int, int]]:
    """The ranges of columns a block of rows is compared with: each pair once, from its earlier row."""
    if start < rows.dated:  # dated articles within the window, and every undated one
        hi = int(np.searchsorted(rows.days[:rows.dated], rows.days[stop - 1] + rows.window, side="right"))
        return [(lo, hi) for lo, hi in ((start, hi), (rows.dated, len(rows.days))) if hi > lo]
    return [(start, len(rows.days))]


def _scan(rows: _Rows, blocks: list[tuple[int, int]], evidence, pending=None):
    """Compare ``blocks`` of rows with their columns: every pair goes to ``evidence`` (three
    columns: how many pairs each row has, their later rows, their similarities: the
    reposts among them), each row's best links come back (reposts apart).

    Returns ``(found, pending)``: the best ``neighbours`` links (row, other row, similarity)
    of every row of ``blocks``, and those found so far of the rows after them.
    """
    found_i, found_j, found_s = [], [], []
    if pending is None:
        pending = _NO_LINKS
    floor = np.zeros(len(rows.days), dtype=np.float32)  # a row's neighbours-th best similarity so far (0: fewer)
    _raise_floor(floor, pending, rows.neighbours)
    for start, stop in blocks:
        parts = [
            _block_pairs(rows.C, rows.F, slice(start, stop), slice(lo, hi), rows.ends, rows.dated, rows.threshold,
                         rows.provider, rows.same_provider)
            for lo, hi in _columns(rows, start, stop)
        ]
        i, j, s = (np.concatenate([p[k] for p in parts]) for k in range(3))
        first, last = np.searchsorted(rows.reposts[0], (start, stop))  # and the reposts of these rows
        row = np.concatenate((i, rows.reposts[0][first:last])) - start
        evidence[0].extend(np.bincount(row, minlength=stop - start))
        if len(parts) == 1 and first == last:  # one range of columns and no reposts: by row already
            evidence[1].extend(j)
            evidence[2].extend(_strength(s))
        else:
            by_row = np.argsort(row.astype(np.int16 if stop - start <= 1 << 15 else np.int64), kind="stable")  # radix
            evidence[1].extend(np.concatenate((j, rows.reposts[1][first:last]))[by_row])
            evidence[2].extend(_strength(np.concatenate((s, rows.reposts[2][first:last]))[by_row]))
        # each row's best links among the pairs found from it (i) and of it (j): this block's
        # rows have all theirs now; a later row's best few so far wait in pending. A pair under
        # a row's floor can never be one of its best (``neighbours`` links beat it): it is not sorted
        later, mine = j >= stop, pending[0] < stop
        from_i, of_j = s >= floor[i], s >= floor[j]
        if len(s) > rows.neighbours:  # nor under a row's neighbours-th best of this block (by bins of similarity)
            level = _levels(s, rows.threshold)
            from_i &= _among_best(i - start, level, stop - start, rows.neighbours)
            of_j &= _among_best(j - start, level, int(j.max()) + 1 - start, rows.neighbours)
        mirrored, waits = of_j & ~later, of_j & later
        top = _top(np.concatenate((i[from_i], j[mirrored], pending[0][mine])),
                   np.concatenate((j[from_i], i[mirrored], pending[1][mine])),
                   np.concatenate((s[from_i], s[mirrored], pending[2][mine])), rows.neighbours)
        found_i.append(top[0])
        found_j.append(top[1])
        found_s.append(top[2])
        pending = _top(np.concatenate((pending[0][~mine], j[waits])), np.concatenate((pending[1][~mine], i[waits])),
                       np.concatenate((pending[2][~mine], s[waits])), rows.neighbours)
        _raise_floor(floor, pending, rows.neighbours)
    found = tuple(np.concatenate(part) if part else empty
                  for part, empty in zip((found_i, found_j, found_s), _NO_LINKS))
    return found, pending


_LEVELS = 16  # bins of similarity by which _among_best rules pairs out


def _levels(s: np.ndarray, low: float) -> np.ndarray:
    """The bin of each similarity of ``s`` (all at or above ``low``): 0 to _LEVELS - 1, in the order of the similarities."""
    scale = (_LEVELS - 1) / max(float(s.max()) - low, 1e-6)
    level = ((s - np.float32(low)) * np.float32(scale)).astype(np.int16)  # monotone in s: a higher bin holds higher ones
    np.clip(level, 0, _LEVELS - 1, out=level)
    return level


def _among_best(row: np.ndarray, level: np.ndarray, rows: int, neighbours: int) -> np.ndarray:
    """Which pairs (of rows ``row``, 0 to ``rows`` - 1, similarities in bins ``level``) may be one of
    their row's ``neighbours`` best: not in a lower bin than its ``neighbours``-th best pair's.

    Exact: a pair in a lower bin has ``neighbours`` pairs of higher similarity in its row.

    Examples
    --------
    >>> _among_best(np.array([0, 0, 0, 1]), np.array([5, 1, 3, 0]), 2, 2).tolist()
    [True, False, True, True]
    """
    counts = np.bincount(row * _LEVELS + level, minlength=rows * _LEVELS).reshape(rows, _LEVELS)
    at_or_above = np.cumsum(counts[:, ::-1], axis=1)  # pairs in the top bins, from the highest down
    # the bin of each row's neighbours-th best (0 when it has fewer): the first from the top holding that many
    lowest = np.where(at_or_above[:, -1] >= neighbours, _LEVELS - 1 - np.argmax(at_or_above >= neighbours, axis=1), 0)
    return level >= lowest[row]


def _raise_floor(floor: np.ndarray, links: tuple, neighbours: int) -> None:
    """Set ``floor[row]`` to the similarity of each row's ``neighbours``-th best link in
    ``links`` (as :func:`_top` leaves them: by row, best first, at most ``neighbours`` each)
    where it has that many: a pair of the row below it can never be one of its best.

    Examples
    --------
    >>> floor = np.zeros(3, dtype=np.float32)
    >>> _raise_floor(floor, (np.array([0, 0, 2]), np.array([1, 2, 0]), np.array([0.5, 0.25, 0.75], dtype=np.float32)), 2)
    >>> floor.tolist()
    [0.25, 0.0, 0.0]
    """
    i, s = links[0], links[2]
    if len(i) < neighbours:
        return
    full = np.flatnonzero(i[:len(i) - neighbours + 1] == i[neighbours - 1:])  # a row's first of neighbours links
    floor[i[full]] = s[full + neighbours - 1]


_EVIDENCE = (("counts", np.int32), ("other", np.int32), ("strength", np.uint16))


class _FileColumn:
    """A column of values written straight to a file (a child's evidence: never held in its memory)."""

    def __init__(self, path: Path, dtype):
        self.file, self.dtype = open(path, "wb"), np.dtype(dtype)

    def extend(self, values: np.ndarray) -> None:
        np.asarray(values, dtype=self.dtype).tofile(self.file)


def _scan_apart(folder: Path, rows: _Rows, blocks: list[tuple[int, int]]) -> dict[str, np.ndarray]:
    """:func:`_scan` in a child process (``_fork.Forked``): the evidence goes to files in ``folder``."""
    columns = [_FileColumn(folder / f"evidence-{name}.bin", dtype) for name, dtype in _EVIDENCE]
    try:
        found, _ = _scan(rows, blocks, columns)  # its blocks end at the last row: none is left pending
    finally:
        for column in columns:
            column.file.close()
    return {"found_i": found[0], "found_j": found[1], "found_s": found[2]}


def _join_scans(worker: Forked, found, pending, rows: _Rows, blocks, evidence):
    """Join a child's :func:`_scan_apart` of ``blocks`` to the scan of the blocks before them here.

    The result is the one :func:`_scan` of all the blocks in one process gives: the
    child's evidence follows this process' in ``evidence``; a row's best links are the
    best of those the child found and those waiting in ``pending`` here. When the child
    failed, its blocks are scanned here instead, with a warning. Returns every row's best links.
    """
    theirs = worker_result(worker, task="linking", stacklevel=4)
    if theirs is None:
        more, _ = _scan(rows, blocks, evidence, pending)
        return tuple(np.concatenate(pair) for pair in zip(found, more))
    for column, (name, _) in zip(evidence, _EVIDENCE):
        column.read(worker.folder / f"evidence-{name}.bin")
    # a row the child scanned: its best of the child's pairs and of this process' (pending)
    top = _top(*(np.concatenate((theirs[f"found_{k}"], waiting)) for k, waiting in zip("ijs", pending)), rows.neighbours)
    return tuple(np.concatenate(pair) for pair in zip(found, top))


#: A corpus of fewer articles is linked in one process (a second one costs more than it saves).
PARALLEL_MIN = 20_000


def _split(rows: _Rows, blocks: list[tuple[int, int]]) -> int:
    """The first of ``blocks`` a second process scans: about half the work, by rows times columns compared.

    This process takes a little less (:data:`_OWN_SHARE`): it also keeps its pairs in
    memory, while the child only writes them out, and then reads the child's.
    """
    if len(rows.days) < PARALLEL_MIN or len(blocks) < 2:
        return len(blocks)
    cost = np.array([(stop - start) * sum(hi - lo for lo, hi in _columns(rows, start, stop)) + _BLOCK * _BLOCK
                     for start, stop in blocks], dtype=np.float64)
    share = np.cumsum(cost) / cost.sum()
    return int(np.clip(np.searchsorted(share, _OWN_SHARE), 1, len(blocks) - 1))


_OWN_SHARE = 0.45  # of the scan's work, done by the process that keeps the pairs


class SimilarPairs(NamedTuple):
    """What :func:`similarity_pairs` finds: every alike pair (the evidence), and the links kept for the graph.

    The evidence is held by row, as a sparse matrix holds its values: ``rows`` are the
    articles in time order (the index into ``nodes`` of each), and row ``r``'s pairs are
    ``other[indptr[r]:indptr[r + 1]]`` (the later article's row) with their
    ``strength``, the similarity in steps of 1/65,535 (uint16; :attr:`similarity` gives
    it as a number, within 8e-6): 6 bytes a pair, where ``(u, v, similarity)`` arrays take
    12 (~140 MB less at 100,000 articles and 24M pairs). :attr:`u` and :attr:`v` give the
    pairs as node indices. The links are ``link_u < link_v`` (node indices, sorted) with
    ``link_similarity`` (exact, rounded to 4 decimals).

    Examples
    --------
    >>> pairs = SimilarPairs.of_pairs(["a", "b", "c"], [2, 0], [1, 1], [0.5, 0.75])
    >>> pairs.indptr.tolist(), pairs.other.tolist(), pairs.u.tolist(), pairs.v.tolist()
    ([0, 1, 2, 2], [1, 2], [0, 1], [1, 2])
    >>> pairs.strength.tolist(), pairs.similarity.round(4).tolist()
    ([49151, 32768], [0.75, 0.5])
    """

    nodes: list[str]
    rows: np.ndarray
    indptr: np.ndarray
    other: np.ndarray
    strength: np.ndarray
    link_u: np.ndarray
    link_v: np.ndarray
    link_similarity: np.ndarray

    @property
    def similarity(self) -> np.ndarray:
        """The similarity of every pair (float64, from :attr:`strength`), in the evidence's order."""
        return self.strength / STRENGTH_SCALE

    @property
    def u(self) -> np.ndarray:
        """The smaller node index of every pair, in the evidence's order."""
        return np.minimum(*self._ends())

    @property
    def v(self) -> np.ndarray:
        """The larger node index of every pair, in the evidence's order."""
        return np.maximum(*self._ends())

    def _ends(self) -> tuple[np.ndarray, np.ndarray]:
        row = np.repeat(np.arange(len(self.rows)), np.diff(self.indptr))
        return self.rows[row], self.rows[self.other]

    @classmethod
    def of_pairs(cls, nodes: list[str], u, v, similarity, link_u=(), link_v=(), link_similarity=()) -> "SimilarPairs":
        """Evidence of ``(u, v, similarity)`` pairs of node indices (rows in node order), and these links."""
        u, v = np.asarray(u, dtype=np.int64), np.asarray(v, dtype=np.int64)
        first, later = np.minimum(u, v), np.maximum(u, v)
        order = np.argsort(first, kind="stable")
        indptr = np.zeros(len(nodes) + 1, dtype=np.int64)
        np.cumsum(np.bincount(first, minlength=len(nodes)), out=indptr[1:])
        return cls(nodes, np.arange(len(nodes), dtype=np.int32), indptr, later[order].astype(np.int32),
                   _strength(np.asarray(similarity, dtype=np.float64)[order]), np.asarray(link_u, dtype=np.int32),
                   np.asarray(link_v, dtype=np.int32), np.asarray(link_similarity, dtype=np.float64))


#: :attr:`SimilarPairs.strength` is the similarity times this, rounded.
STRENGTH_SCALE = 65535.0


def _strength(similarity: np.ndarray) -> np.ndarray:
    """Similarities in (0, 1] as :attr:`SimilarPairs.strength` (uint16; a cosine may exceed 1 by a rounding)."""
    return np.rint(np.clip(similarity, 0.0, 1.0) * STRENGTH_SCALE).astype(np.uint16)


def _no_pairs(nodes: list[str]) -> SimilarPairs:
    return SimilarPairs.of_pairs(nodes, [], [], [])


_NO_LINKS = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))


def similarity_pairs(
    G: nx.DiGraph,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    window_days: float = DEFAULT_WINDOW_DAYS,
    neighbours: int = DEFAULT_NEIGHBOURS,
    same_provider: float = DEFAULT_SAME_PROVIDER,
    workers: int | None = None,
) -> SimilarPairs:
    """Return every pair of articles whose texts are alike enough to report the same story.

    Articles (stubs included) are compared by the cosine similarity of the TF-IDF vectors
    of their title and excerpt (:func:`article_texts`), only with articles published
    within ``window_days`` of them; an undated article is compared with every article.
    Every pair at or above ``threshold`` is returned (the evidence the story clusters
    are found from, ``analyse.find_clusters``), and apart, the links: each article's
    ``neighbours`` most similar articles, a pair kept when either end keeps it (the
    ``similar`` edges of the graph, :func:`find_similar_pairs`). The work is sparse
    matrix products over blocks of articles sorted by time, so it grows with the
    articles times the articles in a window, never with all pairs. In a large corpus
    the most frequent words (up to 256 words found in more than max(256, 1%) of the
    articles) only add to the similarity of pairs that share a rarer word too: two
    articles that share nothing but common words are not compared.

    Two articles of one provider are linked only from ``same_provider``
    (:data:`DEFAULT_SAME_PROVIDER`): an outlet's posts about different things share its
    vocabulary, its reposts are near-copies. Reposts and syndicated copies (one
    :func:`repost_key`, excerpts sharing half their words, similarity 0.5 or more) are
    compared whatever the time between them; each is evidence and a link, whatever
    ``neighbours``.

    Parameters
    ----------
    G : nx.DiGraph
        A graph made by ``build_graph``.
    threshold : float
        Smallest similarity kept, in (0, 1].
    window_days : float
        Largest gap in publication time between two linked articles, in days (>= 0),
        reposts aside.
    neighbours : int
        How many most similar articles each article links to (>= 1).
    same_provider : float
        Smallest similarity of a pair of articles of one provider, in (0, 1]; at or
        below ``threshold`` it is the same rule as for any pair.
    workers : int, optional
        Most processes to compare in (default: one per core). From
        :data:`PARALLEL_MIN` articles forked child processes find the providers, the
        repost candidates and the words of the last texts while this one counts the
        words of the others, then scan the later half of the blocks, unless this
        process runs other threads (forking those is unsafe); the result is the same
        either way.

    Returns
    -------
    SimilarPairs
        Indices into ``nodes`` (the article nodes, sorted), ``u < v``: every pair in
        ``u``, ``v``, ``similarity`` (float32, in the order found); the links in
        ``link_u``, ``link_v``, ``link_similarity`` (rounded to 4 decimals, sorted).

    Raises
    ------
    ValueError
        When ``threshold`` or ``same_provider`` is not in (0, 1], ``window_days`` is
        negative or ``neighbours`` is less than 1.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> for n, title in [("a", "Acme recalls robot vacuum"), ("b", "Acme robot vacuum recall"),
    ...                  ("c", "Robot vacuum recall by Acme")]:
    ...     G.add_node(n, kind="article", title=title, excerpt=None, published=None)
    >>> pairs = similarity_pairs(G, threshold=0.3, neighbours=1)
    >>> len(pairs.u), pairs.link_u.tolist(), pairs.link_v.tolist()
    (3, [0, 1], [1, 2])
    """
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], got {threshold!r}")
    if not window_days >= 0:
        raise ValueError(f"window_days must be a number of days >= 0, got {window_days!r}")
    if not neighbours >= 1:
        raise ValueError(f"neighbours must be at least 1, got {neighbours!r}")
    if not 0 < same_provider <= 1:
        raise ValueError(f"same_provider must be in (0, 1], got {same_provider!r}")
    if workers is None:
        workers = cores()
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    if not can_fork():
        workers = 1
    with paused_gc():  # millions of word strings and lists, no cycles: each full collection would walk all of G
        return _similarity_pairs(G, threshold, window_days, neighbours, same_provider, workers)


def _similarity_pairs(G: nx.DiGraph, threshold: float, window_days: float, neighbours: int,
                      same_provider: float, workers: int) -> SimilarPairs:
    """similarity_pairs' body (options checked)."""
    nodes = sorted(n for n, kind in G.nodes(data="kind") if kind == NodeKind.ARTICLE.value)
    if len(nodes) < 2:
        return _no_pairs(nodes)
    attributes = [G._node[n] for n in nodes]
    days = _days_of([data.get("published") for data in attributes])
    order = np.lexsort((np.arange(len(nodes)), np.nan_to_num(days, nan=np.inf)))
    by_time = [attributes[k] for k in order.tolist()]  # the rows: articles in time order
    days = days[order]
    # the providers and the repost candidates in a forked child (~0.9 s at 100k articles), and the
    # words of the last texts; meanwhile the words of the others here (~1.6 s for all), which then
    # need no passing on; every large part goes once used, as the pairs pile up
    worker, tail = None, len(nodes)
    if workers > 1 and len(nodes) >= PARALLEL_MIN:
        tail = len(nodes) - int(len(nodes) * _CHILD_TEXTS)
        worker = start_worker(_providers_and_reposts_apart, by_time, order.tolist(), days, window_days, tail,
                              task="linking")
    with worker if worker is not None else contextlib.nullcontext():  # the child stopped whatever happens here
        cells = [_word_cells(_Texts(by_time[:tail]))]
        provider, repost_i, repost_j, more = _providers_and_reposts_of(worker, by_time, order.tolist(), days,
                                                                       window_days, tail)
    del by_time
    cells.append(more)
    del more
    X = _vectors(cells)
    if X.shape[1] == 0:
        return _no_pairs(nodes)
    frequency = np.bincount(X.indices, minlength=X.shape[1])
    ranked = np.argsort(-frequency, kind="stable")[:_FREQUENT]
    frequent = np.sort(ranked[frequency[ranked] > max(_FREQUENT, len(nodes) // 100)])
    rare = np.setdiff1d(np.arange(X.shape[1]), frequent)
    C = X[:, rare].tocsr()
    F = X[:, frequent].tocsr()
    dated = int(np.count_nonzero(~np.isnan(days)))  # dated rows first, in time order
    index = order.astype(np.int32)  # node index of each row
    reposts = _reposts(repost_i, repost_j, X, threshold)
    del X
    by_row = np.argsort(reposts[0], kind="stable")
    rows = _Rows(C, F, days, _window_ends(days, dated, window_days), dated, provider, window_days, threshold,
                 same_provider, neighbours, tuple(part[by_row] for part in reposts))
    blocks = [(start, min(start + _BLOCK, dated)) for start in range(0, dated, _BLOCK)]
    blocks += [(start, min(start + _BLOCK, len(nodes))) for start in range(dated, len(nodes), _BLOCK)]
    evidence = tuple(_Column(dtype) for _, dtype in _EVIDENCE)  # ~24M pairs at 100k articles
    split = _split(rows, blocks) if workers > 1 else len(blocks)
    if split < len(blocks):  # the later blocks in a child process, meanwhile the earlier ones here
        # one BLAS thread each: two processes on two cores, each with two spinning BLAS threads, run slower than one
        with threadpool_limits(1, user_api="blas"):
            worker = start_worker(_scan_apart, rows, blocks[split:], task="linking")
            if worker is None:
                split = len(blocks)
            else:
                with worker:
                    found, pending = _scan(rows, blocks[:split], evidence)
                    found = _join_scans(worker, found, pending, rows, blocks[split:], evidence)
    if split == len(blocks):
        found, _ = _scan(rows, blocks, evidence)
    del C, F, rows
    # every repost is a link too, whatever neighbours
    i, j = order[np.concatenate((found[0], reposts[0]))], order[np.concatenate((found[1], reposts[1]))]
    s = np.round(np.concatenate((found[2], reposts[2])).astype(np.float64), 4)
    key = np.minimum(i, j) * len(nodes) + np.maximum(i, j)
    key, first = _distinct(key)  # sorted by (u, v): node ids are sorted
    indptr = np.zeros(len(nodes) + 1, dtype=np.int64)
    np.cumsum(evidence[0].joined(), out=indptr[1:])
    return SimilarPairs(
        nodes, index, indptr, evidence[1].joined(), evidence[2].joined(),
        (key // len(nodes)).astype(np.int32), (key % len(nodes)).astype(np.int32), s[first],
    )


def _distinct(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(key, return_index=True)`` of non-negative keys: the distinct keys, sorted, and
    where each is first met. One sort of the keys with their places in the low bits (~5x faster
    than the stable argsort ``np.unique`` makes) when they fit in 63 bits, as they do for links
    of a few million articles.

    Examples
    --------
    >>> [a.tolist() for a in _distinct(np.array([7, 3, 7, 0, 3]))]
    [[0, 3, 7], [3, 1, 0]]
    """
    bits = max(int(len(key) - 1).bit_length(), 1)
    if not len(key) or int(key.max()) >= 1 << (63 - bits):
        return np.unique(key, return_index=True)
    packed = (key.astype(np.int64) << bits) | np.arange(len(key), dtype=np.int64)
    packed.sort()
    value = packed >> bits
    first = np.r_[True, value[1:] != value[:-1]]
    return value[first], packed[first] & ((1 << bits) - 1)


def find_similar_pairs(
    G: nx.DiGraph,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    window_days: float = DEFAULT_WINDOW_DAYS,
    neighbours: int = DEFAULT_NEIGHBOURS,
    same_provider: float = DEFAULT_SAME_PROVIDER,
) -> list[tuple[str, str, float]]:
    """Return the pairs of articles linked as reporting the same story (:func:`similarity_pairs`' links).

    Each article keeps its ``neighbours`` most similar articles at or above ``threshold``
    within ``window_days`` (two articles of one provider from ``same_provider``); a pair
    is kept when either end keeps it. Reposts (near-copies under one headline,
    :func:`repost_key`) are linked whatever the time between them.

    Returns
    -------
    list of (u, v, similarity)
        ``u < v``, sorted; similarity rounded to 4 decimals.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> for n, title, day in [("a", "Acme recalls its robot vacuum", "2021-01-01"),
    ...                       ("b", "Robot vacuum recalled by Acme", "2021-01-02"),
    ...                       ("c", "Acme recalls its robot vacuum", "2021-06-01"),
    ...                       ("d", "Rain expected on Sunday", "2021-01-01")]:
    ...     G.add_node(n, kind="article", title=title, excerpt=None, published=day + "T00:00:00Z")
    >>> find_similar_pairs(G, threshold=0.3, window_days=7)  # c is five months on
    [('a', 'b', 0.6038)]
    """
    return _link_list(similarity_pairs(G, threshold=threshold, window_days=window_days, neighbours=neighbours,
                                       same_provider=same_provider))


def _link_list(pairs: SimilarPairs) -> list[tuple[str, str, float]]:
    name = pairs.nodes.__getitem__
    with paused_gc():  # a tuple per link, no cycles: a full collection would walk all of G
        return list(zip(map(name, pairs.link_u.tolist()), map(name, pairs.link_v.tolist()),
                        pairs.link_similarity.astype(np.float64).tolist()))


def link_similar(
    G: nx.DiGraph,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    window_days: float = DEFAULT_WINDOW_DAYS,
    neighbours: int = DEFAULT_NEIGHBOURS,
    same_provider: float = DEFAULT_SAME_PROVIDER,
    pairs: SimilarPairs | None = None,
    copy: bool = True,
) -> nx.DiGraph:
    """Return a copy of G with ``similar`` edges (both directions) between same-story articles.

    Parameters
    ----------
    G : nx.DiGraph
        A graph made by ``build_graph``; it is not modified.
    threshold, window_days, neighbours, same_provider
        As in :func:`find_similar_pairs`.
    pairs : SimilarPairs, optional
        :func:`similarity_pairs`' result for G, when already computed (the other
        options are then not used).
    copy : bool
        False adds the edges to G itself and returns it (``build.add_similar_edges``):
        only for a graph the caller owns; True (default) leaves G alone.

    Returns
    -------
    nx.DiGraph
        G plus, for every pair found, edges ``u -> v`` and ``v -> u`` of kind ``similar``
        with ``weight`` the similarity (``build.add_similar_edges``: a direction that
        already holds a ``related`` link keeps it and gets a ``similarity`` attribute).

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("a", kind="article", title="Acme recalls robot vacuum", published=None)
    >>> G.add_node("b", kind="article", title="Acme robot vacuum recall", published=None)
    >>> sorted(link_similar(G, threshold=0.3).edges(data=True))
    [('a', 'b', {'kind': 'similar', 'weight': 0.603}), ('b', 'a', {'kind': 'similar', 'weight': 0.603})]
    """
    if pairs is None:
        pairs = similarity_pairs(G, threshold=threshold, window_days=window_days, neighbours=neighbours,
                                 same_provider=same_provider)
    return add_similar_edges(G, _link_list(pairs), copy=copy)
