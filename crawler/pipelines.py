"""Item pipelines. ArchivePipeline stores every raw snapshot first, before anything can drop it (G5)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Self

from sqlalchemy.orm import Session, sessionmaker

from crawler.items import FetchFailed, PageSnapshot
from store.archive import CaptureData, record_capture, record_failure
from store.db import make_engine
from store.versions import mark_rechecked

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

__all__ = ["ArchivePipeline"]

logger = logging.getLogger(__name__)


class ArchivePipeline:
    """Write each snapshot as a capture row (raw body, headers, time, sha256), committed at once.

    A committed capture survives a crash of the crawl; cleaning workers pick it up from the table.
    Write errors propagate: an archive never swallows a failed write.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.db_url = crawler.settings.get("GOVNEWS_DB")
        self.run_id = crawler.settings.getint("GOVNEWS_RUN_ID") or None
        self.session: Session | None = None
        from crawler.fleet import fleet_of

        self.fleet = fleet_of(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def open_spider(self) -> None:
        self.engine = make_engine(self.db_url)
        self.session = sessionmaker(self.engine, expire_on_commit=False)()

    def close_spider(self) -> None:
        if self.session is not None:
            self.session.close()
            self.engine.dispose()

    def process_item(self, item: Any) -> Any:
        assert self.session is not None
        stats = self.crawler.stats
        if isinstance(item, FetchFailed):
            record_failure(self.session, run_id=self.run_id, site_key=item.site, url=item.url, reason=item.reason)
            kind = item.reason.split(":")[0]
            stats.inc_value(f"govnews/{item.site}/failures/{kind}")
            if kind not in ("robots_disallowed", "IgnoreRequest"):  # refusals by policy are not errors
                stats.inc_value(f"govnews/{item.site}/errors")
            self._committed(item.frontier_id)
            return item
        if not isinstance(item, PageSnapshot):
            return item
        data = CaptureData(
            site_key=item.site,
            url=item.url,
            final_url=item.final_url,
            status=item.status,
            body=item.body,
            headers=item.headers,
            request_headers=item.request_headers,
            method=item.method,
            redirects=item.redirects,
            fetched_at=item.fetched_at,
            kind=item.kind,
            challenge=item.challenge,
            truncated=item.truncated,
            run_id=self.run_id,
            declared_charset=item.declared_charset,
            fetch_key=f"{self.run_id}:{item.frontier_id}" if item.frontier_id else None,
        )
        _id, new = record_capture(self.session, data)
        if item.recheck_step is not None:
            mark_rechecked(self.session, item.url, step=item.recheck_step, at=item.fetched_at)
            self.session.commit()
            stats.inc_value(f"govnews/{item.site}/rechecked")
        stats.inc_value(f"govnews/{item.site}/pages")
        if not new:
            stats.inc_value(f"govnews/{item.site}/revisits")
        if item.status >= 400 and not item.challenge:
            stats.inc_value(f"govnews/{item.site}/errors")
            stats.inc_value(f"govnews/{item.site}/http_{item.status}")
        if item.kind == "article" and item.status == 200 and not item.challenge:
            stats.inc_value(f"govnews/{item.site}/article_pages")
        self._committed(item.frontier_id)
        return item

    def _committed(self, frontier_id: str | None) -> None:
        # the capture (or failure) is committed: the shared frontier may now forget the request
        if self.fleet is not None and frontier_id is not None:
            from crawler.faults import maybe_die

            maybe_die("commit")
            self.fleet.item_committed(frontier_id)
