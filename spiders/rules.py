"""Link discovery and pagination rules over page text: pure functions, tested on saved pages.

Government list pages hide their links from ordinary extractors: unquoted and protocol-relative
hrefs (CAC), records inside CDATA in a <script> (Hanweb), page counts only in a createPageHTML(...)
call (TRS). These rules read the raw text rather than a DOM so none of that is missed.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

from spiders.profile import Pagination

__all__ = [
    "ListRequest",
    "counter_next",
    "create_page_html_next",
    "create_page_html_urls",
    "extract_links",
    "extract_url_literals",
    "hanweb_requests",
    "next_link_urls",
    "pagination_requests",
]

_HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'<>]+))""", re.IGNORECASE)
_URL_LITERAL = re.compile(r"""["'](https?://[^"'\s<>]{4,2000}|/[^"'\s<>]{1,2000})["']""")
_ANCHOR = re.compile(r"<a\b([^>]*)>(.*?)</a\s*>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")
_CREATE_PAGE = re.compile(r"createPageHTML\s*\(([^)]*)\)")
_TOTALRECORD = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.IGNORECASE)
_HANWEB_COL = re.compile(r"/col/col(\d+)/")
_UNITID = re.compile(r"unitid\s*[=:]\s*['\"]?(\d+)", re.IGNORECASE)
_WEBID = re.compile(r"webid\s*[=:]\s*['\"]?(\d+)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ListRequest:
    url: str
    method: str = "GET"
    formdata: tuple[tuple[str, str], ...] = ()


def _clean_url(raw: str, base: str) -> str | None:
    raw = html.unescape(raw.strip())
    if not raw or raw.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
        return None
    url = urljoin(base, raw)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return urlunsplit((parts.scheme, parts.netloc.lower(), parts.path or "/", parts.query, ""))


def extract_links(text: str, base_url: str) -> list[str]:
    """Every href in *text* (quoted, unquoted, inside scripts or CDATA), absolute, in page order, once."""
    seen: dict[str, None] = {}
    for m in _HREF.finditer(text):
        url = _clean_url(m.group(1) or m.group(2) or m.group(3) or "", base_url)
        if url:
            seen.setdefault(url)
    return list(seen)


def extract_url_literals(text: str, base_url: str) -> list[str]:
    """Quoted URLs and root paths anywhere in *text*: JSON feeds and lists built by scripts."""
    seen: dict[str, None] = {}
    for m in _URL_LITERAL.finditer(text):
        url = _clean_url(m.group(1), base_url)
        if url:
            seen.setdefault(url)
    return list(seen)


def next_link_urls(text: str, base_url: str, anchor_text: str) -> list[str]:
    """Targets of anchors whose visible text matches *anchor_text* (下一页 and friends)."""
    rx = re.compile(anchor_text)
    out = []
    for attrs, inner in _ANCHOR.findall(text):
        label = html.unescape(_TAGS.sub("", inner)).strip()
        if rx.search(label):
            m = _HREF.search(attrs)
            if m and (url := _clean_url(m.group(1) or m.group(2) or m.group(3) or "", base_url)):
                out.append(url)
    return out


def _args(call: str) -> list[str]:
    return [a.strip().strip("'\"") for a in call.split(",")]


def create_page_html_urls(text: str, url: str, *, max_pages: int = 1000) -> list[str]:
    """All list pages named by a TRS createPageHTML(...) call on the page at *url*.

    Classic ``createPageHTML(count, current0, "index", "html")``: index.html, index_1.html, ...
    Newer ``createPageHTML('div', count, current1, 'list', 'shtml', total)``: list.shtml, list_2.shtml, ...
    """
    m = _CREATE_PAGE.search(text)
    if not m:
        return []
    args = _args(m.group(1))
    try:
        if len(args) >= 5 and not args[0].isdigit():
            count, prefix, ext, first = int(args[1]), args[3], args[4], 2  # 1-based: no _1
        elif len(args) >= 4:
            count, prefix, ext, first = int(args[0]), args[2], args[3], 1  # 0-based: page n is _{n-1}
        else:
            return []
    except ValueError:
        return []
    if not re.fullmatch(r"[\w-]{1,64}", prefix) or not re.fullmatch(r"\w{1,8}", ext):
        return []
    count = min(count, max_pages)
    names = [f"{prefix}.{ext}"] + [f"{prefix}_{n}.{ext}" for n in range(first, first + count - 1)]
    return [urljoin(url, name) for name in names]


def counter_next(url: str, pattern: str) -> str | None:
    """*url* with the page number that *pattern*'s one group captures, plus one."""
    m = re.search(pattern, url)
    if not m:
        return None
    n = int(m.group(1)) + 1
    return url[: m.start(1)] + str(n) + url[m.end(1) :]


def hanweb_requests(
    text: str, url: str, *, endpoint: str, perpage: int, max_pages: int,
    form: tuple[tuple[str, str], ...] = (),
) -> list[ListRequest]:
    """POSTs to a Hanweb dataproxy for the records a column page did not carry inline.

    The page count comes from <totalrecord>; Hanweb's own <totalpage> is often wrong.
    """
    col = _HANWEB_COL.search(urlsplit(url).path)
    total = _TOTALRECORD.search(text)
    if not total or not (col or form):
        return []
    total_records = int(total.group(1))
    if not form:  # a column page: the form its pager would post
        unit = _UNITID.search(text)
        webid = _WEBID.search(text)
        form = (
            ("col", "1"),
            ("appid", "1"),
            ("webid", webid.group(1) if webid else "1"),
            ("path", "/"),
            ("columnid", col.group(1) if col else ""),
            ("sourceContentType", "1"),
            ("unitid", unit.group(1) if unit else ""),
            ("permissiontype", "0"),
        )
    out = []
    batch = perpage * 3  # one call spans three pages, as Hanweb's own pager asks
    start = perpage + 1  # the first page's records are inline
    while start <= total_records and len(out) < max_pages:
        end = min(start + batch - 1, total_records)
        target = urljoin(url, f"{endpoint}?startrecord={start}&endrecord={end}&perpage={perpage}")
        out.append(ListRequest(target, "POST", form))
        start = end + 1
    return out


def create_page_html_next(text: str, url: str, *, max_pages: int = 1000) -> str | None:
    """The list page after this one, from the current page number the createPageHTML call carries."""
    m = _CREATE_PAGE.search(text)
    if not m:
        return None
    args = _args(m.group(1))
    try:
        if len(args) >= 5 and not args[0].isdigit():
            count, current, prefix, ext = int(args[1]), int(args[2]), args[3], args[4]  # 1-based
            nxt = current + 1
            name = f"{prefix}_{nxt}.{ext}"
            if nxt > min(count, max_pages):
                return None
        elif len(args) >= 4:
            count, current, prefix, ext = int(args[0]), int(args[1]), args[2], args[3]  # 0-based
            nxt = current + 1
            name = f"{prefix}_{nxt}.{ext}"
            if nxt >= min(count, max_pages):
                return None
        else:
            return None
    except ValueError:
        return None
    if not re.fullmatch(r"[\w-]{1,64}", prefix) or not re.fullmatch(r"\w{1,8}", ext):
        return None
    return urljoin(url, name)


_RECORD_RANGE = re.compile(r"startrecord=(\d+)&endrecord=(\d+)&perpage=(\d+)")


def pagination_requests(
    rule: Pagination, text: str, url: str, *, article_links: int, new_articles: int | None = None,
    full_walk: bool = True, form: tuple[tuple[str, str], ...] = (),
) -> list[ListRequest]:
    """The next list page(s) that *rule* finds on the list page at *url*, one step at a time.

    Paging is sequential, so an incremental crawl can stop at the first page whose articles are all
    archived already (*new_articles* == 0 and not *full_walk*), as a nightly crawl should.
    """
    if new_articles is None:
        new_articles = article_links
    if not full_walk and new_articles == 0:
        return []
    if rule.kind == "next_link":
        return [ListRequest(u) for u in next_link_urls(text, url, rule.text)[:1]]
    if rule.kind == "create_page_html":
        nxt = create_page_html_next(text, url, max_pages=rule.max_pages)
        return [ListRequest(nxt)] if nxt else []
    if rule.kind == "counter":
        # a page past the end answers 200 with an empty list: stop at the first page without articles
        if article_links == 0 or not rule.pattern:
            return []
        m = re.search(rule.pattern, url)
        if m is None or int(m.group(1)) >= rule.max_pages:
            return []
        nxt = counter_next(url, rule.pattern)
        return [ListRequest(nxt)] if nxt else []
    if rule.kind == "hanweb_dataproxy":
        if "dataproxy" not in url:
            return hanweb_requests(text, url, endpoint=rule.endpoint, perpage=rule.perpage,
                                   max_pages=rule.max_pages)[:1]
        batches = hanweb_requests(text, url, endpoint=rule.endpoint, perpage=rule.perpage,
                                  max_pages=rule.max_pages, form=form)
        done = _RECORD_RANGE.search(url)
        if not done:
            return []
        end = int(done.group(2))
        return [b for b in batches if (m := _RECORD_RANGE.search(b.url)) and int(m.group(1)) == end + 1][:1]
    return []
