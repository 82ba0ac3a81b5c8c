"""Scrapy settings for govnews, grouped by prefix; environment variables are read here only (G13)."""

from __future__ import annotations

import os

from crawler.version import __version__

BOT_NAME = "govnews"
SPIDER_MODULES = ["spiders.base"]
NEWSPIDER_MODULE = "spiders"

# Identity and politeness -------------------------------------------------------------------
GOVNEWS_CONTACT = os.environ.get("GOVNEWS_CONTACT", "archive-operator@example.org")
USER_AGENT = f"govnews/{__version__} (archival crawler; +https://github.com/govnews/govnews; {GOVNEWS_CONTACT})"
ROBOTSTXT_OBEY = True
ROBOTSTXT_PARSER = "scrapy.robotstxt.ProtegoRobotParser"
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "zh-CN,zh;q=0.9",
}
COOKIES_ENABLED = False  # challenge cookies are never collected or replayed
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1.5
DOWNLOAD_DELAY_JITTER = 0.5  # ±50 % around the delay, so requests do not beat in step
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.5
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Limits: hostile pages must not exhaust the crawl --------------------------------------------
DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024  # also caps decompressed size (HttpCompressionMiddleware)
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
DOWNLOAD_FAIL_ON_DATALOSS = False  # keep a truncated body (flagged) rather than nothing
REDIRECT_MAX_TIMES = 5
METAREFRESH_MAXDELAY = 10
DEPTH_LIMIT = 50
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
HTTPERROR_ALLOW_ALL = True  # a 404 or 500 is a capture too; the spider decides what to follow

# Breadth-first, and fair between sites: one slow site never starves the others
DEPTH_PRIORITY = 1
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.DownloaderAwarePriorityQueue"

DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.SafetyMiddleware": 60,
    "crawler.middlewares.ChallengeMiddleware": 540,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    "crawler.middlewares.SandboxMiddleware": 740,
    "crawler.middlewares.NotBeforeMiddleware": 960,
}
ITEM_PIPELINES = {
    "crawler.pipelines.ArchivePipeline": 100,
}
EXTENSIONS = {
    "scrapy.extensions.telnet.TelnetConsole": None,
    "scrapy.extensions.remote_control.RemoteControl": None,  # no listening port on a crawl machine
    "crawler.progress.ProgressExtension": 500,
}

# govnews -------------------------------------------------------------------------------------
GOVNEWS_DB = os.environ.get("GOVNEWS_DB", "sqlite:///data/govnews.db")
GOVNEWS_RUN_ID = 0  # set by `govnews crawl`
GOVNEWS_SANDBOX_URL = ""  # the sample web's proxy URL, set by `govnews crawl --sandbox URL`
GOVNEWS_ALLOW_HOSTS: list[str] = []  # HOST or HOST:PORT admitted even on private/loopback addresses
GOVNEWS_CHALLENGE_LIMIT = 3  # challenge pages from one host before it is left alone for the run
GOVNEWS_CHALLENGE_BACKOFF = 30.0  # seconds: the least delay for a host after a challenge
GOVNEWS_MAX_HOST_DELAY = 300.0
GOVNEWS_RETRY_BACKOFF_BASE = 1.0  # seconds, doubled on each retry
GOVNEWS_RETRY_AFTER_CAP = 120.0  # the longest Retry-After honoured
GOVNEWS_PROGRESS = False  # live table on stderr, set by the CLI when stderr is a terminal
GOVNEWS_RECHECK_DAYS = [1, 7, 30]  # refetch an article this many days after its first capture
GOVNEWS_HEALTH_QUIET_RUNS = 5  # warn when this many runs in a row found nothing new on a site that answers
GOVNEWS_SITE_MAX_REQUESTS = 50_000  # requests per site and run, whatever its lists do
GOVNEWS_SITE_MAX_SECONDS = 6 * 3600  # after this long a site gets no new requests in this run
GOVNEWS_TRAP_QUERY_VARIANTS = 40  # distinct query strings on one path before it counts as a trap
GOVNEWS_TRAP_CALENDAR_PAGES = 30  # date-addressed pages per site before a calendar counts as a trap
GOVNEWS_CLOCK = ""  # ISO time the recheck policy takes as now (tests, backfills); empty: the real time

# Fleet: many crawl processes on one shared Redis frontier (`govnews seed`, `govnews crawl --frontier`)
GOVNEWS_FRONTIER = ""  # redis://HOST:PORT/DB of the shared frontier; empty: this process crawls alone
GOVNEWS_FRONTIER_NAME = "govnews"  # one Redis can hold several frontiers
GOVNEWS_FRONTIER_LEASE = 300.0  # seconds a popped request stays leased without a heartbeat renewing it
GOVNEWS_FRONTIER_WAIT = 300.0  # seconds a starting crawl process waits for Redis to answer (a restart)
GOVNEWS_FRONTIER_MAX_ATTEMPTS = 3  # leases that ran out before a request is set aside as dead
GOVNEWS_FLEET_DEFAULT_DELAY = 1.5  # fleet-wide delay for a host no profile names (a redirect target)
GOVNEWS_FLEET_GATE_GUARD = 0.05  # seconds added to a host's delay at the gate, so dispatch jitter never shortens a gap
GOVNEWS_FLEET_LINGER = 0.0  # seconds a process waits on a drained frontier for more seeds before it stops

LOG_LEVEL = "WARNING"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
