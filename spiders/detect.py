"""Propose a site profile from a site's home URL: CMS family, list pages, pagination, article URLs.

A few polite fetches (robots.txt obeyed, an identifying User-Agent, a delay between requests, no
private addresses unless admitted) and markers from public knowledge of the CMS families
(site-patterns: TRS WCM, Hanweb JCMS, gov.cn UCAP, CAC, table-era ASP). Every choice carries its evidence.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import time
import urllib.request
import urllib.robotparser
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from cleaners.charset import decode_html
from spiders.profile import Pagination, SiteProfile
from spiders.rules import create_page_html_urls, extract_links, next_link_urls

__all__ = ["DetectError", "Detection", "Fetcher", "detect"]

_ARTICLE_SHAPES = (  # (family, regex over path+query, generalised pattern for the profile)
    ("cac", re.compile(r"^/\d{4}-\d{2}/\d{2}/c_\d{10,}\.htm$"), r"^/\d{4}-\d{2}/\d{2}/c_\d{10,}\.htm$"),
    ("hanweb", re.compile(r"^/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$"), r"^/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$"),
    ("ucap", re.compile(r"^/[a-z/]+/(?:\d{6}|\d{4}-\d{2}/\d{2})/content_\d+\.htm$"),
     r"^/[a-z/]+/(?:\d{4}-\d{2}/\d{2}|\d{6})/content_\d+\.htm$"),
    ("trs", re.compile(r"^/(?:[\w-]+/)+\d{6}/t\d{8}_\d+(?:_app)?\.s?html?$"), None),
    ("trs", re.compile(r"^/(?:\d+/)+\d{4}/\d{1,2}/\d{1,2}/(?:[0-9a-f]{32}|\d{8})\.shtml$"), None),
    ("table", re.compile(r"^/(?:\w+/)*show\.asp\?id=\d+$"), None),
)
_MARKERS = {
    "trs": (r"createPageHTML", r"TRS_UEDITOR", r"TRS_Editor", r"/t\d{8}_\d+\.s?html?"),
    "hanweb": (r"/col/col\d+/", r"<datastore>", r"dataproxy\.jsp", r"/art/\d{4}/\d{1,2}/\d{1,2}/art_"),
    "cac": (r"A\d{6,}index_\d+\.htm", r"/c_\d{10,}\.htm", r"loadingInfoPage"),
    "ucap": (r"UCAP-CONTENT", r"content_\d+\.htm", r"firstpublishedtime", r"pages_content"),
    "table": (r"\.asp\?", r"<TABLE", r"<FONT"),
}
_LIST_SHAPES = (
    re.compile(r"/col/col\d+/index\.html$"),
    re.compile(r"A\d+index_\d+\.htm$"),
    re.compile(r"/(?:index|list|home)(?:_\d+)?\.s?html?$"),
    re.compile(r"/\w+_list(?:_\d+)?\.shtml$"),
    re.compile(r"/(?:[\w-]+/)+$"),
    re.compile(r"list\.asp\?.*page=\d+"),
)
_CONTAINERS = ("BodyLabel", "UCAP-CONTENT", "pages_content", "TRS_UEDITOR", "TRS_Editor", "zoom", "article_zoom",
               "content")


class DetectError(Exception):
    """The site could not be examined (unreachable, refused by robots.txt or by policy)."""


@dataclass(slots=True)
class Detection:
    home: str
    family: str
    profile: SiteProfile
    evidence: list[str] = field(default_factory=list)
    fetched: list[str] = field(default_factory=list)

    def public(self) -> dict[str, Any]:
        p = self.profile
        return {"home": self.home, "family": self.family, "key": p.key, "name": p.name, "base_url": p.base_url,
                "start": list(p.start), "lists": list(p.lists), "article": p.article,
                "pagination": [r.kind for r in p.pagination], "hints": {k: list(v) for k, v in p.hints.items()},
                "charset": p.charset, "evidence": self.evidence, "fetched": self.fetched}

    def yaml(self) -> str:
        import yaml

        p = self.profile
        doc = {"group": "added", "sites": [{
            "key": p.key, "name": p.name, "family": p.family, "enabled": False, "confidence": "detected",
            "base_url": p.base_url, "start": list(p.start), "lists": list(p.lists), "article": p.article,
            "pagination": [{"kind": r.kind, **({"pattern": r.pattern} if r.pattern else {})} for r in p.pagination],
            "hints": {k: list(v) for k, v in p.hints.items()}, "charset": p.charset,
            "notes": "proposed by govnews sites detect; review, then set enabled: true",
        }]}
        head = "# Proposed by `govnews sites detect`. Evidence:\n" + "".join(f"#  - {e}\n" for e in self.evidence)
        return head + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


class Fetcher:
    """Polite GETs: robots.txt, a delay per request, no private addresses unless admitted."""

    def __init__(self, *, user_agent: str, delay: float = 1.5, proxy: str | None = None,
                 allow_hosts: tuple[str, ...] = (), timeout: float = 20.0, max_bytes: int = 4 * 1024 * 1024) -> None:
        handlers: list[Any] = [urllib.request.ProxyHandler({"http": proxy, "https": proxy} if proxy else {})]
        self.opener = urllib.request.build_opener(*handlers)
        self.ua, self.delay, self.proxy = user_agent, delay, proxy
        self.allow = set(allow_hosts)
        self.timeout, self.max_bytes = timeout, max_bytes
        self.robots: dict[str, urllib.robotparser.RobotFileParser] = {}
        self.last = 0.0
        self.fetched: list[str] = []

    def _check(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise DetectError(f"not an http(s) URL: {url}")
        host, port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
        if f"{host}:{port}" in self.allow or host in self.allow or (self.proxy and host.endswith(".test")):
            return
        try:
            infos = socket.getaddrinfo(host, port)
        except OSError as exc:
            raise DetectError(f"cannot resolve {host}: {exc}") from exc
        for info in infos:
            ip = ipaddress.ip_address(info[4][0])
            if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved:
                raise DetectError(f"{host} resolves to a non-public address {ip}; admit it with --allow-host")

    def _raw(self, url: str) -> tuple[int, bytes, str | None]:
        self._check(url)
        wait = self.last + self.delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self.last = time.monotonic()
        req = urllib.request.Request(url, headers={"User-Agent": self.ua, "Accept-Language": "zh-CN,zh;q=0.9"})
        try:
            with self.opener.open(req, timeout=self.timeout) as resp:
                self._check(resp.geturl())  # a redirect must not lead anywhere a crawl could not go
                return resp.status, resp.read(self.max_bytes), resp.headers.get("Content-Type")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(self.max_bytes) if exc.fp else b"", exc.headers.get("Content-Type")
        except (urllib.error.URLError, OSError) as exc:
            raise DetectError(f"cannot fetch {url}: {getattr(exc, 'reason', exc)}") from exc

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        if root not in self.robots:
            rp = urllib.robotparser.RobotFileParser()
            status, body, _ = self._raw(root + "/robots.txt")
            rp.parse(body.decode("utf-8", "replace").splitlines() if status == 200 else [])
            self.robots[root] = rp
        return self.robots[root].can_fetch(self.ua, url)

    def get(self, url: str) -> tuple[int, str, str | None, str]:
        """(status, text, declared charset, used charset); raises DetectError when refused."""
        if not self.allowed(url):
            raise DetectError(f"robots.txt disallows {url}")
        status, body, ctype = self._raw(url)
        self.fetched.append(url)
        page = decode_html(body, ctype)
        return status, page.text, page.declared or page.meta, page.used


def _path(url: str) -> str:
    p = urlsplit(url)
    return p.path + (f"?{p.query}" if p.query else "")


def _article_rule(urls: list[str]) -> tuple[str | None, str | None, list[str]]:
    """(family, regex, evidence) from the article-looking links found."""
    counts: Counter[int] = Counter()
    for u in urls:
        for i, (_, rx, _) in enumerate(_ARTICLE_SHAPES):
            if rx.search(_path(u)):
                counts[i] += 1
                break
    if not counts:
        return None, None, []
    i, n = counts.most_common(1)[0]
    family, rx, general = _ARTICLE_SHAPES[i]
    if general is None:  # generalise the prefix from the links themselves
        prefixes = Counter(_path(u).split("/")[1] for u in urls if rx.search(_path(u)))
        top = [p for p, _ in prefixes.most_common(6)]
        general = rx.pattern.replace("^/", "^/(?:" + "|".join(re.escape(p) for p in top) + ")/", 1) \
            if family != "table" else rx.pattern
    return family, general, [f"{n} links look like {family} articles ({rx.pattern})"]


def detect(home: str, fetcher: Fetcher, *, key: str | None = None, max_lists: int = 6) -> Detection:
    """Examine the site at *home* with a handful of requests and propose a profile."""
    status, text, declared, used = fetcher.get(home)
    if status != 200:
        raise DetectError(f"{home} answered HTTP {status}")
    host = urlsplit(home).hostname or ""
    base = f"{urlsplit(home).scheme}://{urlsplit(home).netloc}"
    evidence = [f"home page {home}: HTTP {status}, charset declared {declared or 'none'}, decoded as {used}"]
    links = [u for u in extract_links(text, home) if urlsplit(u).hostname == host]
    pages = {home: text}
    candidates = [u for u in links if any(rx.search(_path(u)) for rx in _LIST_SHAPES) and u != home]
    lists: list[str] = []
    articles: list[str] = []
    for url in dict.fromkeys(candidates):
        if len(lists) >= max_lists:
            break
        try:
            st, body, _, _ = fetcher.get(url)
        except DetectError as exc:
            evidence.append(f"skipped {url}: {exc}")
            continue
        found = [u for u in extract_links(body, url) if any(rx.search(_path(u)) for _, rx, _ in _ARTICLE_SHAPES)]
        if st == 200 and len(found) >= 3:
            lists.append(url)
            pages[url] = body
            articles.extend(found)
            evidence.append(f"list page {url}: {len(found)} article links")
    articles.extend(u for u in links if any(rx.search(_path(u)) for _, rx, _ in _ARTICLE_SHAPES))
    family, article_rx, ev = _article_rule(articles)
    evidence.extend(ev)
    if article_rx is None:
        raise DetectError(f"no article links found on {home} or its list pages")
    markers = Counter()
    joined = "\n".join(pages.values())
    for fam, pats in _MARKERS.items():
        for pat in pats:
            hits = len(re.findall(pat, joined))
            if hits:
                markers[fam] += hits
                evidence.append(f"marker {pat!r} ({fam}) seen {hits} times")
    if family in ("trs",) and markers.get("trs", 0) == 0 and markers.get("table", 0):
        family = "table"
    pagination, rules_ev = _pagination(pages, lists)
    evidence.extend(rules_ev)
    list_rx = sorted({_list_regex(u) for u in lists})
    hints = _hints(fetcher, [u for u in articles if re.search(article_rx, _path(u))][:1], evidence)
    profile = SiteProfile(
        key=key or re.sub(r"[^a-z0-9]+", "-", host.lower()).strip("-")[:60],
        name=host, base_url=base, start=tuple(_path(u) for u in (lists or [home])), article=article_rx,
        lists=tuple(list_rx), pagination=tuple(pagination), family=family or "generic", group="added",
        enabled=False, confidence="detected", charset=used, hints=hints,
    )
    return Detection(home=home, family=profile.family, profile=profile, evidence=evidence,
                     fetched=list(fetcher.fetched))


def _list_regex(url: str) -> str:
    """A regex for *url* and the other pages of its list (index_3.html, page=3, ...)."""
    generic = re.escape(_path(url))
    generic = re.sub(r"index_\d+", r"index_\\d+", generic)  # CAC: A093702index_1.htm
    generic = re.sub(r"((?:index|list|home|_list)(?!_\\d))(\\\.s?html?)$", r"\1(?:_\\d+)?\2", generic)
    generic = re.sub(r"page=\d+", r"page=\\d+", generic)
    return "^" + generic + "$"


def _pagination(pages: dict[str, str], lists: list[str]) -> tuple[list[Pagination], list[str]]:
    rules, ev = [], []
    bodies = [pages[u] for u in lists]
    if any(create_page_html_urls(b, u) for b, u in zip(bodies, lists, strict=True)):
        rules.append(Pagination(kind="create_page_html"))
        ev.append("pagination: a createPageHTML(...) call gives the page count (TRS)")
    elif any("<totalrecord>" in b for b in bodies) and any("/col/col" in u for u in lists):
        rules.append(Pagination(kind="hanweb_dataproxy"))
        ev.append("pagination: inline <datastore> records with <totalrecord>; the rest by dataproxy POST (Hanweb)")
    elif any(re.search(r"index_(\d+)\.htm$", u) for u in lists):
        rules.append(Pagination(kind="counter", pattern=r"index_(\d+)\.htm$"))
        ev.append("pagination: numbered list pages index_N.htm, until a page adds no articles (CAC)")
    elif any(next_link_urls(b, u, Pagination(kind="next_link").text) for b, u in zip(bodies, lists, strict=True)):
        rules.append(Pagination(kind="next_link"))
        ev.append("pagination: a 下一页 link on the list pages")
    else:
        ev.append("pagination: none found; only the first list page of each column will be read")
    return rules, ev


def _hints(fetcher: Fetcher, sample: list[str], evidence: list[str]) -> dict[str, tuple[str, ...]]:
    for url in sample:
        try:
            st, body, _, _ = fetcher.get(url)
        except DetectError:
            continue
        found = [f"#{c}" if f'id="{c}"' in body or f"id={c}" in body or f"id='{c}'" in body else f".{c}"
                 for c in _CONTAINERS if re.search(rf"""(?:id|class)\s*=\s*["']?[^"'>]*\b{re.escape(c)}\b""", body)]
        meta = [m for m in ("ArticleTitle", "PubDate", "ContentSource", "firstpublishedtime") if m in body]
        evidence.append(f"article {url}: HTTP {st}; content containers {found or 'none'}; meta {meta or 'none'}")
        return {"content": tuple(found)} if found else {}
    return {}
