"""Shared building blocks of the sample web: articles, columns, responses and the site base class."""

from __future__ import annotations

import hashlib
import html
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

__all__ = [
    "CST",
    "Article",
    "Column",
    "Response",
    "Site",
    "body_sha1",
    "esc",
    "http_date",
    "pages_needed",
    "text_response",
]

CST = timezone(timedelta(hours=8))
# Newest filler article; everything is dated backwards from here so pages never depend on "now".
NEWEST = datetime(2026, 6, 30, 9, 0, tzinfo=CST)


def esc(text: str) -> str:
    """HTML-escape text for element content and quoted attributes."""
    return html.escape(text, quote=True)


def body_sha1(paragraphs: Sequence[str]) -> str:
    """SHA-1 of the body paragraphs joined by newlines, after NFKC and stripping each line."""
    lines = [unicodedata.normalize("NFKC", p).strip() for p in paragraphs]
    return hashlib.sha1("\n".join(line for line in lines if line).encode("utf-8")).hexdigest()


def http_date(moment: datetime) -> str:
    """Format a datetime as an RFC 7231 HTTP date."""
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def pages_needed(count: int, per_page: int) -> int:
    """Number of list pages for ``count`` items (at least one, even when empty)."""
    return max(1, -(-count // per_page))


@dataclass
class Response:
    """What the sample web answers; the server only copies it onto the socket."""

    status: int
    headers: dict[str, str]
    body: bytes = b""
    delay: float = 0.0  # seconds the server waits before answering (stall route)


def text_response(status: int, text: str, content_type: str = "text/plain; charset=utf-8") -> Response:
    """A small response with a UTF-8 text body."""
    return Response(status, {"Content-Type": content_type}, text.encode("utf-8"))


@dataclass(eq=False)
class Article:
    """One expected (or decoy) article page; the body is generated lazily."""

    host: str
    path: str
    title: str
    published: datetime | None
    day: date  # date shown on list pages and used for sorting
    source: str | None
    kind: str = "filler"
    column: str = ""
    seed: str | None = None
    charset_case: str | None = None
    editor: str = "王晓"
    author: str | None = None
    flags: tuple[str, ...] = ()
    make_body: Callable[[], list[str]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    _body: list[str] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://{self.host}{self.path}"

    @property
    def paragraphs(self) -> list[str]:
        """The clean body paragraphs (what a perfect cleaner keeps)."""
        if self._body is None:
            self._body = self.make_body() if self.make_body else []
        return self._body

    @property
    def sort_key(self) -> tuple[datetime, str]:
        moment = self.published or datetime(self.day.year, self.day.month, self.day.day, tzinfo=CST)
        return (moment, self.path)

    @property
    def last_modified(self) -> datetime:
        return self.sort_key[0]

    def manifest(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "title": self.title,
            "published": self.published.isoformat() if self.published else None,
            "date": self.day.isoformat(),
            "source": self.source,
            "kind": self.kind,
            "seed": self.seed,
            "body_sha1": body_sha1(self.paragraphs),
            "charset_case": self.charset_case,
            "column": self.column,
            "editor": self.editor or None,
            "author": self.author,
            "flags": list(self.flags),
        }


@dataclass
class Column:
    """A list section of a site; ``articles`` are kept newest first."""

    key: str
    name: str
    per_page: int
    articles: list[Article] = field(default_factory=list)

    def sort(self) -> None:
        self.articles.sort(key=lambda a: a.sort_key, reverse=True)

    @property
    def page_count(self) -> int:
        return pages_needed(len(self.articles), self.per_page)

    def page(self, number: int) -> list[Article]:
        """Articles on 1-based page ``number`` (empty past the end)."""
        start = (number - 1) * self.per_page
        return self.articles[start : start + self.per_page] if number >= 1 else []


class Site:
    """Base class: one virtual host with its own templates and URL scheme."""

    host = ""
    name = ""
    family = ""
    robots: str | None = "User-agent: *\nDisallow:\n"
    charset = "utf-8"
    content_type: str | None = None  # header override; None means "text/html; charset=<charset>"

    def __init__(self, scale: int) -> None:
        self.scale = scale
        self.columns: dict[str, Column] = {}
        self.articles: list[Article] = []
        self.by_path: dict[str, Article] = {}

    # -- building ---------------------------------------------------------------------------------
    def add(self, article: Article) -> Article:
        self.articles.append(article)
        self.by_path[article.path] = article
        if article.column:
            self.columns[article.column].articles.append(article)
        return article

    def finish(self) -> None:
        for column in self.columns.values():
            column.sort()
        self.articles.sort(key=lambda a: a.sort_key, reverse=True)

    def related(self, article: Article, count: int = 4) -> list[Article]:
        """A few other articles of the same site (stable choice, never the article itself)."""
        pool = self.articles
        if len(pool) < 2:
            return []
        start = pool.index(article)
        return [pool[(start + k) % len(pool)] for k in range(1, min(count, len(pool) - 1) + 1)]

    # -- serving ----------------------------------------------------------------------------------
    def start_urls(self) -> list[str]:
        raise NotImplementedError

    def special(self) -> dict[str, list[str]]:
        return {}

    def route(self, path: str, query: Mapping[str, str], method: str, body: bytes) -> Response | None:
        """Answer a request for this host, or ``None`` for 404."""
        raise NotImplementedError

    def shows_time(self, article: Article) -> bool:
        """Whether the article page shows its publication time (not only the day), in text or meta tags."""
        return article.published is not None

    def copies(self, article: Article) -> int:
        """How many copies of the body the article page carries (print copies, hidden copies)."""
        return 2 if "repeated_body" in article.flags else 1

    def html(
        self,
        text: str,
        *,
        charset: str | None = None,
        content_type: str | None = None,
        bom: bool = False,
        status: int = 200,
        modified: datetime | None = None,
    ) -> Response:
        """Encode a page and attach the caching headers every article and list page carries."""
        enc = charset or self.charset
        data = text.encode(enc)
        if bom:
            data = b"\xef\xbb\xbf" + data
        ctype = content_type or self.content_type or f"text/html; charset={enc}"
        headers = {"Content-Type": ctype}
        if status == 200:
            headers["Last-Modified"] = http_date(modified or NEWEST)
            headers["ETag"] = '"' + hashlib.sha1(data).hexdigest()[:20] + '"'
        return Response(status, headers, data)

    def url(self, path: str) -> str:
        return f"http://{self.host}{path}"
