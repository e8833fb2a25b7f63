"""Stage 0: the data model shared by every stage: node ids, canonical URLs, article records."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from enum import Enum
from urllib.parse import quote, urlsplit, urlunsplit

import idna

__all__ = [
    "NodeKind",
    "EdgeKind",
    "node_id",
    "canonical_url",
    "canonical_domain",
    "same_site",
    "provider_domain",
    "Provider",
    "Related",
    "Article",
    "Issue",
    "FileRecord",
    "LoadReport",
    "valid_unicode",
    "utf8",
    "clean_text",
    "shown_text",
]


_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_unicode(text: str) -> str:
    """Return ``text`` with each lone surrogate replaced by U+FFFD, so that UTF-8 can hold it.

    The one source of such characters is a file name whose bytes are no UTF-8: Python
    holds each undecodable byte as a lone surrogate (``os.fsdecode``). The loader keeps
    that name as it is (it opens the file); what writes text (exports, the HTML page,
    the CLI's JSON) writes it through this.

    Examples
    --------
    >>> valid_unicode("bad" + chr(0xDCFF) + "name.md") == "bad" + chr(0xFFFD) + "name.md"
    True
    """
    return _SURROGATE.sub("\ufffd", text)


#: The controls that reorder the text around them (embeddings, overrides, isolates): in a title,
#: U+202E makes the app's own words after it read backwards ("exe.png"), so text drops them.
DIRECTION_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
#: Characters that show nothing and mean nothing in a title or a name: zero-width space, word
#: joiner, invisible operators, BOM, soft hyphen. ``"CNBC\u200b"`` would otherwise be a second CNBC.
INVISIBLE_FORMAT = "\u00ad\u200b\u2060\u2061\u2062\u2063\u2064\ufeff\u3164\uffa0"
#: Zero-width (non-)joiners: they shape emoji and some scripts inside a text, nothing at its ends.
ZERO_WIDTH_JOINERS = "\u200c\u200d"
#: The implicit direction marks (LRM, RLM, ALM): they place punctuation inside a right-to-left
#: text, nothing at its ends (where ``"CNBC\u200f"`` would be a second CNBC); escaped in a terminal.
DIRECTION_MARKS = "\u200e\u200f\u061c"
_DROPPED = re.compile(f"[{DIRECTION_CONTROLS}{INVISIBLE_FORMAT}]")


def clean_text(value: str) -> str | None:
    """A title, excerpt or name as the graph holds it: HTML entities decoded, direction controls
    (:data:`DIRECTION_CONTROLS`) and invisible characters (:data:`INVISIBLE_FORMAT`) out, runs
    of white space one space, zero-width joiners off its ends; None when nothing is left.

    Examples
    --------
    >>> clean_text("  AT&amp;T   buys" + chr(10) + chr(0x202E) + "gnp.exe ")
    'AT&T buys gnp.exe'
    >>> clean_text(" &nbsp; ") is None, clean_text(chr(0x200B)) is None, clean_text("AI" + chr(0x200B))
    (True, True, 'AI')
    """
    text = html.unescape(value)
    if text.isascii():
        return " ".join(text.split()) or None
    if _DROPPED.search(text):  # (a translate table costs ~8x on non-ASCII text)
        text = _DROPPED.sub("", text)
    return " ".join(text.split()).strip(" " + ZERO_WIDTH_JOINERS + DIRECTION_MARKS) or None


#: Control characters (C0, DEL, C1), direction controls and marks as the escapes Python writes for them.
_SHOWN = {code: repr(chr(code))[1:-1] for code in [*range(0x20), *range(0x7F, 0xA0)]}
_SHOWN.update({ord(c): f"\\u{ord(c):04x}" for c in DIRECTION_CONTROLS + DIRECTION_MARKS})
_SHOWN[ord("\\")] = "\\\\"  # a backslash doubled: a name with "\\xff" in it reads apart from one with the byte


def shown_text(text: str) -> str:
    """``text`` as a terminal table or the app's load report shows it: control characters and
    direction controls as escapes (``\\x1b``, ``\\u202e``), the bytes of a file name that are
    no UTF-8 as ``\\xff`` (so that two such names read apart), any other lone surrogate as
    U+FFFD, a backslash doubled (a name holding the text ``\\xff`` reads ``\\\\xff``). No file
    name or document text can then move the cursor, retitle the terminal, break a row or make
    the text after it read backwards.

    >>> print(shown_text(chr(27) + "]0;t" + chr(7) + " spoof" + chr(0x202E) + "gnp.md"))
    \\x1b]0;t\\x07 spoof\\u202egnp.md
    >>> print(shown_text(b"x\\xff.md".decode(errors="surrogateescape")), shown_text("x" + chr(0xDCFE) + ".md"))
    x\\xff.md x\\xfe.md
    """
    text = text.translate(_SHOWN)
    if _SURROGATE.search(text):  # (after the backslashes are doubled: these are escapes of their own)
        text = _SURROGATE.sub(lambda m: f"\\x{ord(m[0]) - 0xDC00:02x}" if 0xDC80 <= ord(m[0]) <= 0xDCFF else "\ufffd",
                              text)
    return text


def utf8(text: str, codec: str = "utf-8") -> bytes:
    """``text`` encoded as UTF-8 (``codec="utf-8-sig"``: with a BOM), lone surrogates as U+FFFD."""
    try:
        return text.encode(codec)
    except UnicodeEncodeError:
        return valid_unicode(text).encode(codec)


class NodeKind(str, Enum):
    """The three kinds of node in the graph; the value is the ``kind`` attribute."""

    ARTICLE = "article"
    PROVIDER = "provider"
    TOPIC = "topic"


class EdgeKind(str, Enum):
    """The kinds of edge in the graph; the value is the ``kind`` attribute."""

    RELATED = "related"
    PUBLISHED_BY = "published_by"
    TAGGED = "tagged"
    SIMILAR = "similar"


#: Characters a provider or topic id holds as white space: control characters, U+FFFE, U+FFFF.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\ufffe\uffff]")
#: Characters a provider or topic id leaves out: they show nothing (:data:`INVISIBLE_FORMAT`, the joiners).
_ZERO_WIDTH = re.compile(f"[{INVISIBLE_FORMAT}{ZERO_WIDTH_JOINERS}]")


def node_id(kind: NodeKind, key: str) -> str:
    """Return the graph node id for an entity of ``kind`` identified by ``key``.

    This is the only place node ids are made.

    Parameters
    ----------
    kind : NodeKind
        ARTICLE, PROVIDER or TOPIC.
    key : str
        Canonical URL (article), domain or name (provider), name (topic).

    Returns
    -------
    str
        ``"<kind>:<normalised key>"``: URLs are kept as they are (they are
        already canonical), provider and topic keys are stripped and lower-cased,
        their runs of white space and invisible characters (control characters,
        U+FFFE, U+FFFF) one space, zero-width characters left out: names that look the
        same are one node, and every id is text XML can hold (GraphML and GEXF would
        otherwise write two ids alike).

    Examples
    --------
    >>> node_id(NodeKind.TOPIC, " Power Apps ")
    'topic:power apps'
    >>> node_id(NodeKind.PROVIDER, "CNBC.com")
    'provider:cnbc.com'
    >>> node_id(NodeKind.ARTICLE, "https://cnbc.com/a")
    'article:https://cnbc.com/a'
    >>> node_id(NodeKind.TOPIC, "AI" + chr(1)) == node_id(NodeKind.TOPIC, "AI" + chr(2)) == "topic:ai"
    True
    >>> node_id(NodeKind.PROVIDER, "CN" + chr(0x200B) + "BC" + chr(0x200D))
    'provider:cnbc'
    """
    if kind is NodeKind.ARTICLE:  # the common case, without the Enum lookup: same result
        return "article:" + key.strip()
    kind = NodeKind(kind)
    key = key.strip()
    if kind is not NodeKind.ARTICLE:
        if not key.isprintable():  # (a space is printable; a control or zero-width character is not)
            key = _INVISIBLE.sub(" ", _ZERO_WIDTH.sub("", key))
        key = " ".join(key.lower().split())
    return f"{kind.value}:{key}"


# --- URL canonicalisation -------------------------------------------------------------------

#: Oracle Eloqua's newsletter tags (compared lower-cased), part of :data:`TRACKING_PARAMS`.
_ELOQUA = ("elq", "elqtrack", "elqtrackid", "elqaid", "elqat", "elqak", "elqcampaignid", "elqcsid", "elqcst",
           "elq_mid", "elq_cid")
#: Query parameters that only track the reader, on every host (compared lower-cased).
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "msclkid", "yclid", "igshid", "twclid",
        "ocid", "cmpid", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok",
        "wt.mc_id", "__twitter_impression", "amp", "__hstc", "__hssc", "__hsfp", "hsctatracking",
        "_mc", "_openstat", "s_cid", "vero_id", "vero_conv", "oly_anon_id", "oly_enc_id", "rb_clickid",
        "wickedid", *_ELOQUA,
    }
)
#: Prefixes of tracking parameters.
TRACKING_PREFIXES = ("utm_",)
#: Tracking parameters specific to one site (host without ``www.``, or a parent domain of it).
SITE_TRACKING_PARAMS = {
    "medium.com": frozenset({"source"}),
    "dailymail.co.uk": frozenset({"ito", "mid"}),
    "darkreading.com": frozenset({"cid"}),  # its newsletters' campaign (beside _mc and elq_*)
    "informationweek.com": frozenset({"cid"}),
}
_AMP_CACHE = re.compile(r"^/[cvi]/(?P<secure>s/)?(?P<rest>[^/]+(?:/.*)?)$")
_SAFE_PATH = "/%:@!$&'()*+,;=-._~"
_SAFE_QUERY = "%:@!$'()*+,;/?-._~"


def canonical_domain(host: str) -> str:
    """Return ``host`` lower-cased, without a port, a trailing dot or a leading ``www.``.

    Examples
    --------
    >>> canonical_domain("WWW.CNBC.com:443")
    'cnbc.com'
    """
    host = host.strip().lower().rstrip(".")
    host = host.rsplit("@", 1)[-1].split(":", 1)[0] if not host.startswith("[") else host
    # bücher.de is xn--bcher-kva.de, the form DNS (and most links) use; only a name DNS can
    # hold is encoded (punycode takes quadratic time before it checks the lengths)
    if not host.isascii() and len(host) <= 253 and all(len(label) <= 63 for label in host.split(".")):
        host = _idna(host)
    while host.startswith("www."):  # every one: www.www.x.com is x.com at once (idempotent)
        host = host[4:]
    return host


def _idna(host: str) -> str:
    """A non-ASCII host in its ASCII form: UTS 46, as browsers map it (``straße.de`` is
    ``xn--strae-oqa.de``), else, for a name IDNA 2008 forbids (``☃.net``, ``my_site.bücher.de``)
    and browsers still take, Python's IDNA 2003 codec; else the host as it is."""
    try:
        encoded = idna.encode(host, uts46=True)
    except UnicodeError:  # idna's IDNAError is one
        try:
            encoded = host.encode("idna")
        except UnicodeError:  # not a name IDNA can write
            return host
    return encoded.decode("ascii").rstrip(".")  # (both read "。" as a dot)


_DOMAIN = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)+|\[[0-9a-f:.]+\]")


def provider_domain(value: str) -> str | None:
    """Return the domain a provider's ``domain`` field names, or None when it names none.

    A URL or a host with a path given as the domain (``https://www.cnbc.com/``) is its
    host; anything that is no host name with a dot after :func:`canonical_domain`
    (``javascript:alert(1)``, ``two words.com``) is None (the loader warns).

    Examples
    --------
    >>> provider_domain("https://www.CNBC.com/"), provider_domain("cnn.com/world"), provider_domain("bbc.co.uk")
    ('cnbc.com', 'cnn.com', 'bbc.co.uk')
    >>> provider_domain("javascript:alert(1)") is None, provider_domain("y.com evil.com") is None
    (True, True)
    """
    text = value.strip()
    if "/" in text:
        try:
            text = urlsplit(text if "//" in text else "//" + text).netloc
        except ValueError:  # an invalid IPv6 host
            return None
    domain = canonical_domain(text)
    return domain if _DOMAIN.fullmatch(domain) else None


def _is_tracking(key: str, value: str, domain: str) -> bool:
    key = key.lower()
    if key.startswith(TRACKING_PREFIXES) or key in TRACKING_PARAMS:
        return True
    if key == "outputtype":
        return value.lower() == "amp"
    if key == "source" and value.lower().startswith("rss"):
        return True  # Medium's feeds on custom domains: ?source=rss----<id>---4
    parts = domain.split(".")
    return any(
        key in SITE_TRACKING_PARAMS.get(".".join(parts[i:]), ()) for i in range(len(parts) - 1)
    )


def _strip_amp_path(path: str) -> str:
    segments = [s for s in path.split("/") if s.lower() not in ("amp", "google-amp")]
    path = "/".join(segments)
    if path.lower().endswith(".amp.html"):
        path = path[: -len(".amp.html")] + ".html"
    elif path.lower().endswith(".amp"):
        path = path[: -len(".amp")]
    return path


_ESCAPE = re.compile(r"%(?:([0-9A-Fa-f]{2})|)")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _normal_escape(match: re.Match) -> str:
    if match[1] is None:
        return "%25"  # a "%" that starts no escape is one
    character = chr(int(match[1], 16))
    return character if character in _UNRESERVED else "%" + match[1].upper()


def _normal_escapes(text: str) -> str:
    """RFC 3986's normal form of ``text``'s percent-escapes: upper-case hex digits, unreserved
    characters (letters, digits, ``-._~``) written as themselves, a stray ``%`` as ``%25``.

    >>> _normal_escapes("/caf%c3%a9/%7Euser/%41%zz")
    '/caf%C3%A9/~user/A%25zz'
    """
    return _ESCAPE.sub(_normal_escape, text) if "%" in text else text


def _without_dot_segments(path: str) -> str:
    """``path`` without ``.`` and ``..`` segments (RFC 3986, 5.2.4).

    >>> _without_dot_segments("/a/./b/../c/.."), _without_dot_segments("/../a/.")
    ('/a/', '/a/')
    """
    if "/." not in path:
        return path
    segments: list[str] = []
    parts = path.split("/")[1:]
    for index, segment in enumerate(parts):
        last = index == len(parts) - 1
        if segment == "..":
            if segments:
                segments.pop()
            if last:
                segments.append("")
        elif segment == ".":
            if last:
                segments.append("")
        else:
            segments.append(segment)
    return "/" + "/".join(segments)


def canonical_url(url: str) -> str | None:
    """Return the canonical form of an article URL, or None when it is not an http(s) URL.

    The canonical form identifies an article (ARCHITECTURE.md, "Identity"): https;
    host lower-cased without ``www.``; AMP cache URLs mapped back to the publisher;
    AMP markers and tracking parameters removed; other query parameters sorted;
    fragment and trailing slash dropped; unsafe characters percent-encoded, escapes in
    RFC 3986's normal form (``%c3%a9`` is ``%C3%A9``, ``%7E`` is ``~``), ``.`` and ``..``
    segments resolved, a non-ASCII host in its IDNA form. The function is idempotent.

    Parameters
    ----------
    url : str
        A URL as found in a document.

    Returns
    -------
    str or None

    Examples
    --------
    >>> canonical_url("http://www.CNBC.com/amp/2020/12/10/story.html?utm_source=x#top")
    'https://cnbc.com/2020/12/10/story.html'
    >>> canonical_url("https://www-cnet-com.cdn.ampproject.org/c/s/www.cnet.com/google-amp/news/a/")
    'https://cnet.com/news/a'
    >>> canonical_url("javascript:alert(1)") is None
    True
    """
    if not isinstance(url, str):
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an invalid IPv6 host
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname
    path, query = parts.path, parts.query
    amp_cache = host.lower().endswith(".cdn.ampproject.org")
    while True:  # an AMP cache URL of an AMP cache URL … is the publisher's at once (each step shortens the path)
        match = _AMP_CACHE.match(path) if host.lower().endswith(".cdn.ampproject.org") else None
        if not match:
            break
        host, _, path = match["rest"].partition("/")
        path = "/" + path
    domain = canonical_domain(host)
    if not domain or any(c in domain for c in " /\\<>\"'`@?#%") or (":" in domain and not domain.startswith("[")):
        return None
    try:
        port = parts.port if not amp_cache else None
    except ValueError:  # a port that is no number, or out of range: no usable URL
        return None
    netloc = domain if port in (None, 80, 443) else f"{domain}:{port}"
    # each step can uncover another (an escaped "amp" segment, a ".amp" before a "/" or a "."
    # segment): repeated until nothing changes, so that the result is its own canonical form
    done = None
    while path != done:
        done = path
        path = _without_dot_segments(_normal_escapes(quote(_strip_amp_path(path), safe=_SAFE_PATH))).rstrip("/")
    params = []
    for pair in query.split("&"):
        if not pair:
            continue
        pair = _normal_escapes(quote(pair, safe=_SAFE_QUERY + "="))  # before the test: utm%5Fsource is utm_source
        key, _, value = pair.partition("=")
        if not _is_tracking(key, value, domain):
            params.append(pair)
    query = "&".join(sorted(params, key=lambda pair: pair.partition("=")[::2]))
    return urlunsplit(("https", netloc, path, query, ""))


def same_site(alias: str, url: str) -> bool:
    """Return whether canonical URL ``alias`` may name the same article as canonical URL ``url``:
    the same host, or one a subdomain of the other (``amp.x.com`` and ``x.com``, ports aside).

    A document's AMP URLs (``ampWebUrl``, ``cdnAmpWebUrl``; an AMP cache URL is already its
    publisher's in canonical form) are aliases of its identity: a file that gave another
    site's URL as its AMP version would otherwise take that site's article over (merge it in
    as a duplicate, receive its links). Such an alias is warned about and ignored.

    Examples
    --------
    >>> same_site("https://amp.x.com/a", "https://x.com/a"), same_site("https://x.com:8443/a", "https://x.com/a")
    (True, True)
    >>> same_site("https://real.com/a", "https://evil.com/b"), same_site("https://notx.com/a", "https://x.com/a")
    (False, False)
    >>> same_site("https://real.com/a", "https://com/x")  # a one-label host is nobody's parent
    False
    """
    one, other = _host_of(alias), _host_of(url)
    if one == other:
        return True
    # a subdomain of the other, never of a one-label host ("com"); without the public suffix list,
    # hosts under another shared suffix (edition.cnn.com, amp.cnn.com; a.co.uk, b.co.uk) count as other sites
    return ("." in other and one.endswith("." + other)) or ("." in one and other.endswith("." + one))


def _host_of(url: str) -> str:
    """The host of a canonical URL, without its port."""
    netloc = url.partition("//")[2].partition("/")[0].partition("?")[0]
    return netloc if netloc.startswith("[") else netloc.partition(":")[0]


# --- Records ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Provider:
    """Who published an article."""

    name: str
    domain: str | None = None

    @property
    def id(self) -> str:
        """The provider's node id (by domain, by name when there is no domain)."""
        return node_id(NodeKind.PROVIDER, self.domain or self.name)


@dataclass(frozen=True)
class Related:
    """One entry of an article's ``related:`` list, as the source document describes it."""

    url: str
    title: str | None = None
    excerpt: str | None = None
    published: str | None = None
    provider: Provider | None = None
    quality: float | int | None = None
    aliases: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return node_id(NodeKind.ARTICLE, self.url)


@dataclass(frozen=True)
class Article:
    """One article loaded from its own document (possibly merged from several files)."""

    url: str
    title: str | None = None
    excerpt: str | None = None
    published: str | None = None
    provider: Provider | None = None
    topics: tuple[str, ...] = ()
    quality: float | int | None = None
    heat: float | int | None = None
    type: str | None = None
    image: str | None = None
    aliases: tuple[str, ...] = ()
    related: tuple[Related, ...] = ()
    files: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return node_id(NodeKind.ARTICLE, self.url)


@dataclass(frozen=True)
class Issue:
    """A problem found in one file: the 1-based line (None when it has none) and what."""

    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        what = f"{self.field}: " if self.field else ""
        return f"{where}{what}{self.message}"


@dataclass(frozen=True)
class FileRecord:
    """The fate of one input file: ``loaded``, ``duplicate`` or ``rejected``."""

    file: str
    status: str
    article: str | None = None
    duplicate_of: str | None = None
    line: int | None = None
    reason: str | None = None
    warnings: tuple[Issue, ...] = ()

    def to_dict(self) -> dict:
        """Return the record as the JSON object of ``report --json``."""
        return {
            "file": self.file,
            "status": self.status,
            "article": self.article,
            "duplicate_of": self.duplicate_of,
            "line": self.line,
            "reason": self.reason,
            "warnings": [
                {"line": w.line, "field": w.field, "message": w.message} for w in self.warnings
            ],
        }


@dataclass(frozen=True)
class LoadReport:
    """What happened to every input file, in load order."""

    files: tuple[FileRecord, ...] = field(default_factory=tuple)

    def count(self, status: str) -> int:
        """Return how many files ended with ``status``."""
        return sum(1 for record in self.files if record.status == status)

    @property
    def rejected(self) -> tuple[FileRecord, ...]:
        return tuple(r for r in self.files if r.status == "rejected")

    @property
    def warnings(self) -> int:
        return sum(len(r.warnings) for r in self.files)

    def to_dict(self) -> dict:
        return {"files": [record.to_dict() for record in self.files]}
