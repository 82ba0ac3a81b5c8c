"""The one generic spider: reads site profiles, follows their lists and yields raw snapshots (G3).

Parsing article content happens downstream, in the cleaning workers, from the stored capture.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from crawler.items import FetchFailed, PageSnapshot
from spiders.profile import Registry, SiteProfile, load_registry
from spiders.rules import extract_links, extract_url_literals, pagination_requests
from spiders.traps import TrapConfig, TrapGuard, strip_session

__all__ = ["SiteSpider"]

_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)


def _headers(h: Any) -> list[list[str]]:
    out = []
    for name, values in h.items():
        for v in values:
            out.append([name.decode("latin-1"), v.decode("latin-1")])
    return out


class SiteSpider(scrapy.Spider):
    """Crawl the list pages of one or more sites and snapshot every page they lead to."""

    name = "govnews"

    def __init__(
        self,
        sites: list[str] | str = "",
        known: set[str] | None = None,
        registry: Registry | None = None,
        full_walk: dict[str, bool] | None = None,
        validators: dict[str, tuple[str | None, str | None]] | None = None,
        rechecks: list[tuple[str, str, int]] | None = None,
        fleet: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        registry = registry or load_registry()
        keys = sites.split(",") if isinstance(sites, str) else list(sites)
        self.profiles: dict[str, SiteProfile] = {k: registry[k] for k in keys if k}
        self.allowed_domains = sorted({h for p in self.profiles.values() for h in p.allowed_hosts})
        self.known = known or set()  # article URLs already archived: an incremental crawl skips them
        # a site walks all its list pages on its first crawl and after an unfinished one (resume);
        # otherwise paging stops at the first page holding only archived articles
        self.full_walk = full_walk or {}
        self.validators = validators or {}  # list URL -> (ETag, Last-Modified) for conditional GET
        self.rechecks = rechecks or []  # (url, site, step): archived articles the recheck policy wants again
        self.seen_articles: dict[str, set[str]] = defaultdict(set)
        self.list_pages: dict[str, int] = defaultdict(int)
        self.seen_lists: dict[str, set[str]] = defaultdict(set)
        self.traps = TrapGuard()
        self.refused: list[FetchFailed] = []
        self.fleet = fleet  # requests come from the shared frontier (`govnews seed`), not from start()

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SiteSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        s = crawler.settings
        spider.traps = TrapGuard(TrapConfig(
            max_requests=s.getint("GOVNEWS_SITE_MAX_REQUESTS", 50_000),
            max_seconds=s.getfloat("GOVNEWS_SITE_MAX_SECONDS", 6 * 3600.0),
            max_query_variants=s.getint("GOVNEWS_TRAP_QUERY_VARIANTS", 40),
            max_calendar_pages=s.getint("GOVNEWS_TRAP_CALENDAR_PAGES", 30),
        ))
        return spider

    def _admit(self, profile: SiteProfile, url: str, *, start: bool = False, article: bool = False) -> bool:
        """Count *url* against the site's budget, or record why it is refused (a trap, a spent budget)."""
        reason = self.traps.check(profile.key, url, allowed=start, article=article)
        if reason is None:
            return True
        self.crawler.stats.inc_value(f"govnews/{profile.key}/refused/{reason}")
        self.refused.append(FetchFailed(url=url, site=profile.key, reason=f"trap: {reason}"))
        return False

    async def start(self) -> AsyncIterator[Request]:
        if self.fleet:
            return
        for profile in self.profiles.values():
            for url in profile.start_urls():
                if self._admit(profile, url, start=True):
                    yield self._list_request(profile, url)
        for url, site, step in self.rechecks:
            if site in self.profiles:
                yield Request(url, callback=self.parse_article, errback=self.failed, dont_filter=True, priority=-2,
                              meta={"site": site, "kind": "article", "recheck_step": step})

    # requests -------------------------------------------------------------------------------

    def _list_request(self, profile: SiteProfile, url: str, method: str = "GET", formdata: Any = None,
                      *, page_no: int = 1) -> Request:
        meta = {"site": profile.key, "kind": "list", "form": tuple(formdata or ()), "page_no": page_no}
        if method == "POST":
            return scrapy.FormRequest(url, formdata=list(formdata or ()), callback=self.parse_list,
                                      errback=self.failed, meta=meta)
        headers = {}
        if not self.full_walk.get(profile.key, True) and url in self.validators:
            etag, modified = self.validators[url]
            if etag:
                headers["If-None-Match"] = etag
            if modified:
                headers["If-Modified-Since"] = modified
        return Request(url, callback=self.parse_list, errback=self.failed, meta=meta, headers=headers)

    def _article_request(self, profile: SiteProfile, url: str) -> Request:
        return Request(url, callback=self.parse_article, errback=self.failed,
                       meta={"site": profile.key, "kind": "article"}, priority=-1)

    # callbacks ------------------------------------------------------------------------------

    def snapshot(self, response: Response, kind: str) -> PageSnapshot:
        request = response.request
        assert request is not None
        redirects = list(response.meta.get("redirect_urls", []))
        first = redirects[0] if redirects else request.url
        ctype = response.headers.get("Content-Type", b"").decode("latin-1")
        m = _CHARSET.search(ctype)
        return PageSnapshot(
            url=first,
            final_url=response.url,
            site=response.meta["site"],
            fetched_at=datetime.now(UTC),
            status=response.status,
            body=response.body,
            headers=_headers(response.headers),
            request_headers=_headers(request.headers),
            method=request.method,
            redirects=redirects,
            kind=kind,
            challenge=response.meta.get("govnews_challenge"),
            declared_charset=m.group(1).lower() if m else None,
            truncated="dataloss" in (response.flags or []),
            recheck_step=response.meta.get("recheck_step"),
            frontier_id=request.meta.get("govnews_fid"),
        )

    def parse_list(self, response: Response) -> Iterator[Any]:
        profile = self.profiles[response.meta["site"]]
        yield self.snapshot(response, "list")
        if response.status == 304:  # unchanged since the last crawl: nothing new behind it
            self.crawler.stats.inc_value(f"govnews/{profile.key}/lists_unchanged")
            return
        if response.status != 200 or response.meta.get("govnews_challenge"):
            return
        self.list_pages[profile.key] += 1
        text = response.text if hasattr(response, "text") else response.body.decode("utf-8", "replace")
        links = extract_links(text, response.url)
        new_articles = unseen = 0  # unseen: first met in this run; new: and not archived before
        seen = self.seen_articles[profile.key]
        for url in dict.fromkeys(strip_session(u) for u in links + extract_url_literals(text, response.url)):
            if profile.is_article(url):
                canonical = profile.canonical(url)
                if canonical in seen:
                    continue
                seen.add(canonical)
                unseen += 1
                if canonical in self.known:
                    self.crawler.stats.inc_value(f"govnews/{profile.key}/known_skipped")
                    continue
                new_articles += 1
                if self._admit(profile, canonical, article=True):
                    yield self._article_request(profile, canonical)
            elif profile.is_list(url):
                # a list found on a list is one step deeper: chains of them are bounded like a pager
                depth = response.meta.get("page_no", 1) + 1
                if depth > self._max_depth(profile):
                    self.crawler.stats.inc_value(f"govnews/{profile.key}/refused/max_pages")
                elif url not in self.seen_lists[profile.key] and self._admit(profile, url):
                    self.seen_lists[profile.key].add(url)
                    yield self._list_request(profile, url, page_no=depth)
            elif not profile.allows(url):
                self.crawler.stats.inc_value(f"govnews/{profile.key}/offsite_links")
        self.crawler.stats.inc_value(f"govnews/{profile.key}/articles_found", new_articles)
        yield from self._flush_refused()
        full = self.full_walk.get(profile.key, True)
        page_no = response.meta.get("page_no", 1)
        for rule in profile.pagination:
            if page_no >= rule.max_pages:  # a list that pages on and on is a trap too
                self.crawler.stats.inc_value(f"govnews/{profile.key}/refused/max_pages")
                continue
            for req in pagination_requests(rule, text, response.url, article_links=unseen,
                                           new_articles=new_articles, full_walk=full,
                                           form=tuple(tuple(f) for f in response.meta.get("form", ()))):
                nxt = strip_session(req.url)
                # a pager is bounded by max_pages, not by the shape rules meant for discovered links
                if (profile.allows(nxt) and nxt not in self.seen_lists[profile.key]
                        and self._admit(profile, nxt, start=True)):
                    self.seen_lists[profile.key].add(nxt)
                    yield self._list_request(profile, nxt, req.method, req.formdata, page_no=page_no + 1)
        yield from self._flush_refused()

    @staticmethod
    def _max_depth(profile: SiteProfile) -> int:
        return max((rule.max_pages for rule in profile.pagination), default=1000) + 1

    def _flush_refused(self) -> Iterator[FetchFailed]:
        while self.refused:
            yield self.refused.pop()

    def parse_article(self, response: Response) -> Iterator[PageSnapshot]:
        yield self.snapshot(response, "article")

    def failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        response = getattr(failure.value, "response", None)
        if response is not None:  # an HTTP error status that still carries a page
            yield self.snapshot(response, request.meta.get("kind", "page"))
            return
        reason = failure.getErrorMessage() or failure.type.__name__
        if "robots.txt" in reason:
            reason = "robots_disallowed"
        yield FetchFailed(url=request.url, site=request.meta.get("site", "?"), reason=f"{failure.type.__name__}: {reason}"
                          if reason != "robots_disallowed" else reason, frontier_id=request.meta.get("govnews_fid"))
