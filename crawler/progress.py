"""A live per-site progress table on stderr while a crawl runs (only when stderr is a terminal)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from rich.console import Console
from rich.live import Live
from rich.table import Table
from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

__all__ = ["ProgressExtension"]

_COLUMNS = (("pages", "pages"), ("articles_found", "articles found"), ("known_skipped", "known"),
            ("errors", "errors"), ("challenges", "challenges"))


class ProgressExtension:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.live: Live | None = None
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("GOVNEWS_PROGRESS"):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def table(self) -> Table:
        stats = self.crawler.stats.get_stats()
        spider: Any = self.crawler.spider
        table = Table(title="govnews crawl", expand=False)
        table.add_column("site")
        for _, label in _COLUMNS:
            table.add_column(label, justify="right")
        for key in getattr(spider, "profiles", {}):
            table.add_row(key, *(str(stats.get(f"govnews/{key}/{k}", 0)) for k, _ in _COLUMNS))
        return table

    def opened(self, spider: Any = None) -> None:
        self.live = Live(self.table(), console=Console(stderr=True), refresh_per_second=4, transient=True)
        self.live.start()
        self.loop = task.LoopingCall(lambda: self.live.update(self.table()) if self.live else None)
        self.loop.start(0.5, now=False)

    def closed(self, spider: Any = None, reason: str = "") -> None:
        if self.loop and self.loop.running:
            self.loop.stop()
        if self.live:
            self.live.stop()
