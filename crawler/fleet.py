"""The Scrapy side of the shared frontier (``crawler.frontier``): scheduler, queue, gate, acknowledgements.

Built on scrapy-redis: its ``Scheduler`` and ``RFPDupeFilter`` (same fingerprints, same persist
semantics), with our own queue class, because scrapy-redis's queues remove a request when it is
popped. The life of a request in a fleet:

1. found on a list page (or loaded by ``govnews seed``), it is pushed: marked seen and queued in one
   Lua script, so a crash can never leave it seen but unqueued;
2. a crawl process pops it: it is leased to that process (renewed while the process lives);
3. retries and redirects of it stay in that process, under the same lease;
4. it is acknowledged once its capture is committed and, for a list page, every link found on it
   has been pushed. A process that dies before that lets the lease run out, and another process
   fetches it again; the capture's ``fetch_key`` makes that second commit a no-op.

While Redis does not answer, pushes and acknowledgements wait in order in a local outbox (a parent
is never acknowledged before its children are queued), pops return nothing and the gate waits:
nothing crashes and nothing is lost; the process carries on when Redis is back.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections import deque
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.http import Request
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.request import request_from_dict
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import Base as RedisQueueBase
from scrapy_redis.scheduler import Scheduler as RedisScheduler

from crawler.faults import maybe_die
from crawler.frontier import TRANSIENT, Frontier, FrontierUnavailable, decode_request, encode_request, host_of

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

__all__ = ["FleetExtension", "FleetGateMiddleware", "FleetRobotsTxtMiddleware", "FleetRuntime",
           "FleetScheduler", "FleetSpiderMiddleware", "LeasedQueue", "fleet_of"]

logger = logging.getLogger(__name__)

FID = "govnews_fid"


class JsonSerializer:
    """scrapy-redis serializer interface (dumps/loads), in JSON rather than pickle."""

    dumps = staticmethod(encode_request)
    loads = staticmethod(decode_request)


class FleetRuntime:
    """This process's view of the shared frontier: leases held, outbox, pending acknowledgements."""

    def __init__(self, crawler: Crawler) -> None:
        s = crawler.settings
        self.crawler = crawler
        self.frontier = Frontier(s.get("GOVNEWS_FRONTIER"), s.get("GOVNEWS_FRONTIER_NAME") or "govnews",
                                 lease_s=s.getfloat("GOVNEWS_FRONTIER_LEASE"),
                                 max_attempts=s.getint("GOVNEWS_FRONTIER_MAX_ATTEMPTS"))
        self.default_delay = s.getfloat("GOVNEWS_FLEET_DEFAULT_DELAY", 1.0)
        self.outbox: deque[tuple[str, Any]] = deque()
        self.held: dict[str, str] = {}  # fid -> host: leases this process holds
        self.open_outputs: dict[str, int] = {}  # fid -> items of its callback not yet committed
        self.closed_outputs: set[str] = set()  # callbacks that returned, waiting for their items
        self.local: deque[Request] = deque()  # retries and redirects of leases we hold
        self.unavailable_since: float | None = None
        self.fingerprints = RFPDupeFilter(self.frontier.r, key=self.frontier.key("seen"))
        self.acked = 0
        self.wake: Any = None  # set by the scheduler: look for the next request now (a host slot freed up)

    # --- the outbox: ordered, survives a Redis outage -------------------------------------

    def _note_down(self, exc: Exception) -> None:
        if self.unavailable_since is None:
            self.unavailable_since = time.monotonic()
            logger.warning("Frontier unavailable (%s); holding %d operations until it answers", exc,
                           len(self.outbox))
        self.crawler.stats.inc_value("govnews/fleet/redis_errors")

    def _note_up(self) -> None:
        if self.unavailable_since is not None:
            logger.warning("Frontier answers again after %.1f s", time.monotonic() - self.unavailable_since)
            self.unavailable_since = None

    def flush(self) -> bool:
        """Send what waits in the outbox, in order; False if Redis still does not answer."""
        while self.outbox:
            op, arg = self.outbox[0]
            try:
                if op == "push":
                    self.frontier.push(arg, delay=self.default_delay, concurrency=1)
                elif op == "ack":
                    self.acked += self.frontier.ack(arg)
                elif op == "backoff":
                    self.frontier.backoff(*arg)
            except FrontierUnavailable as exc:
                self._note_down(exc)
                return False
            self.outbox.popleft()
        self._note_up()
        return True

    def push_request(self, request: Request) -> None:
        spider = self.crawler.spider
        fid = self.fingerprints.request_fingerprint(request)
        body = encode_request(request.to_dict(spider=spider))
        self.outbox.append(("push", [(fid, request.url, body, request.priority)]))
        self.flush()

    def ack(self, fid: str) -> None:
        self.held.pop(fid, None)
        self.open_outputs.pop(fid, None)
        self.closed_outputs.discard(fid)
        self.outbox.append(("ack", [fid]))
        self.flush()
        if self.wake is not None:
            self.wake()

    def backoff(self, url: str, seconds: float) -> None:
        self.outbox.append(("backoff", (host_of(url), seconds)))
        self.flush()

    # --- acknowledgement once a callback's output is all committed ------------------------

    def output_started(self, fid: str) -> None:
        self.open_outputs[fid] = 0

    def item_passed(self, fid: str) -> None:
        if fid in self.open_outputs:
            self.open_outputs[fid] += 1

    def output_finished(self, fid: str) -> None:
        if self.open_outputs.get(fid, 0) == 0:
            self.ack(fid)
        else:
            self.closed_outputs.add(fid)

    def item_committed(self, fid: str) -> None:
        """The pipeline committed an item of *fid*. An errback's failure item acknowledges at once."""
        if fid not in self.open_outputs:
            self.ack(fid)
            return
        self.open_outputs[fid] -= 1
        if self.open_outputs[fid] <= 0 and fid in self.closed_outputs:
            self.ack(fid)

    # --- leases ---------------------------------------------------------------------------

    def renew(self) -> None:
        try:
            self.frontier.renew(list(self.held))
        except FrontierUnavailable as exc:
            self._note_down(exc)

    def release_all(self) -> int:
        """Give back every lease still held (clean shutdown): the requests wait for the next process."""
        fids = list(self.held)
        if not fids:
            return 0
        try:
            n = self.frontier.release(fids)
        except FrontierUnavailable as exc:
            self._note_down(exc)
            return 0
        self.held.clear()
        return n


_RUNTIME_ATTR = "_govnews_fleet"


def fleet_of(crawler: Crawler | None) -> FleetRuntime | None:
    """The fleet runtime of *crawler*, or None when it does not crawl from a shared frontier."""
    if crawler is None or not crawler.settings.get("GOVNEWS_FRONTIER"):
        return None
    runtime = crawler.__dict__.get(_RUNTIME_ATTR)
    if runtime is None:
        runtime = FleetRuntime(crawler)
        crawler.__dict__[_RUNTIME_ATTR] = runtime
    return runtime


class LeasedQueue(RedisQueueBase):
    """scrapy-redis queue interface over the leased frontier: pop leases, never removes."""

    def __init__(self, server: Any, spider: Any, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer or JsonSerializer)
        self.fleet = fleet_of(spider.crawler)
        assert self.fleet is not None

    def __len__(self) -> int:
        try:
            return self.fleet.frontier.pending()
        except FrontierUnavailable:
            return 1  # unknown: assume there is work, so nobody closes during an outage

    def push(self, request: Request) -> None:
        self.fleet.push_request(request)

    def pop(self, timeout: float = 0) -> Request | float | None:
        """A leased request, or seconds until one may be due, or None."""
        fleet = self.fleet
        try:
            got = fleet.frontier.pop()
        except FrontierUnavailable as exc:
            fleet._note_down(exc)
            return 1.0
        fleet._note_up()
        if got is None or isinstance(got, float):
            return got
        try:
            request = request_from_dict(self._decode_request_text(got.body), spider=self.spider)
        except Exception as exc:  # noqa: BLE001 - a bad entry must not stop the crawl
            logger.error("Unreadable frontier entry %s (%s); set aside", got.fid, exc)
            fleet.ack(got.fid)
            return 0.0
        request.meta[FID] = got.fid
        fleet.held[got.fid] = got.host
        return request

    def _decode_request_text(self, text: str) -> dict[str, Any]:
        return self.serializer.loads(text)

    def clear(self) -> None:  # a fleet's frontier is cleared by `govnews seed --reset` only
        return None


class FleetScheduler(RedisScheduler):
    """scrapy-redis's scheduler over :class:`LeasedQueue`; it persists, and never flushes on close."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FleetScheduler:
        fleet = fleet_of(crawler)
        if fleet is None:
            raise NotConfigured("FleetScheduler needs GOVNEWS_FRONTIER")
        instance = cls(server=fleet.frontier.r, persist=True, queue_key=fleet.frontier.key("q"),
                       queue_cls="crawler.fleet.LeasedQueue", dupefilter=fleet.fingerprints,
                       serializer=JsonSerializer)
        instance.stats = crawler.stats
        instance.crawler = crawler
        instance.fleet = fleet
        return instance

    def open(self, spider: Any) -> None:
        self.spider = spider
        self.queue = LeasedQueue(self.server, spider, self.queue_key, self.serializer)
        self.fleet.wake = lambda: self._wake_in(0)
        try:
            n = self.fleet.frontier.pending()
            if n:
                logger.info("Joining the frontier: %d requests queued or leased", n)
        except FrontierUnavailable as exc:
            self.fleet._note_down(exc)

    def close(self, reason: str) -> None:
        self.fleet.flush()
        released = self.fleet.release_all()
        if released:
            logger.info("Gave back %d leased requests for the next process", released)

    def enqueue_request(self, request: Request) -> bool:
        if FID in request.meta:  # a retry or redirect of a lease we hold: it stays here
            if request.meta.get("redirect_urls") and not request.dont_filter and not self._first_visit(request):
                # like Scrapy's own filter: a redirect to a page the fleet has (or will have) is dropped
                self.df.log(request, self.spider)
                self.fleet.ack(request.meta[FID])
                return False
            self.fleet.local.append(request)
        else:
            self.fleet.push_request(request)
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def _first_visit(self, request: Request) -> bool:
        try:
            return self.fleet.frontier.mark_seen(self.fleet.fingerprints.request_fingerprint(request))
        except FrontierUnavailable as exc:
            self.fleet._note_down(exc)
            return True  # fetch it rather than lose it

    def next_request(self) -> Request | None:
        if self.fleet.local:
            return self.fleet.local.popleft()
        got = self.queue.pop()
        if isinstance(got, Request):
            if self.stats:
                self.stats.inc_value("scheduler/dequeued/redis")
            return got
        if got is not None:  # nothing due yet: look again when the first host's slot comes
            self._wake_in(min(max(got, 0.02), 1.0))
        return None

    def _wake_in(self, seconds: float) -> None:
        """Have the engine ask for a request again in *seconds* (its own heartbeat is 5 s)."""
        engine = getattr(self.crawler, "engine", None)
        nextcall = getattr(getattr(engine, "_slot", None), "nextcall", None)
        if nextcall is None:
            return
        if seconds <= 0:
            nextcall.schedule()
            return
        from twisted.internet import reactor

        due = time.monotonic() + seconds
        timer = getattr(self, "_timer", None)
        if timer is not None and timer.active() and self._timer_due <= due:
            return
        if timer is not None and timer.active():
            timer.cancel()
        self._timer = reactor.callLater(seconds, nextcall.schedule)  # type: ignore[attr-defined]
        self._timer_due = due

    def has_pending_requests(self) -> bool:
        return bool(self.fleet.local) or bool(self.fleet.outbox) or len(self.queue) > 0


class FleetSpiderMiddleware:
    """Pushes the requests a callback yields straight to the frontier, and acknowledges the
    response's lease once the callback returned and every item it yielded was committed."""

    def __init__(self, crawler: Crawler) -> None:
        self.fleet = fleet_of(crawler)
        if self.fleet is None:
            raise NotConfigured

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FleetSpiderMiddleware:
        return cls(crawler)

    def _handle(self, fid: str | None, x: Any) -> bool:
        """True when *x* goes on to the engine."""
        if isinstance(x, Request) and FID not in x.meta:
            self.fleet.push_request(x)
            return False
        if fid is not None and getattr(x, "frontier_id", None) == fid:  # an item the lease waits for
            self.fleet.item_passed(fid)
            maybe_die("parse")
        return True

    def process_spider_output(self, response: Any, result: Any, spider: Any = None) -> Any:
        fid = response.meta.get(FID)
        if fid is not None:
            self.fleet.output_started(fid)
        for x in result:
            if self._handle(fid, x):
                yield x
        if fid is not None:
            self.fleet.output_finished(fid)

    async def process_spider_output_async(self, response: Any, result: Any, spider: Any = None) -> Any:
        fid = response.meta.get(FID)
        if fid is not None:
            self.fleet.output_started(fid)
        async for x in result:
            if self._handle(fid, x):
                yield x
        if fid is not None:
            self.fleet.output_finished(fid)


class FleetGateMiddleware:
    """Right before a request leaves, wait for its host's fleet-wide slot (``delay`` after the last
    request any process sent it, on the Redis server's clock, plus a guard for dispatch jitter)."""

    def __init__(self, crawler: Crawler) -> None:
        self.fleet = fleet_of(crawler)
        if self.fleet is None:
            raise NotConfigured
        self.guard = crawler.settings.getfloat("GOVNEWS_FLEET_GATE_GUARD", 0.05)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FleetGateMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request, spider: Any = None) -> None:
        host = host_of(request.url)
        while True:
            try:
                wait = self.fleet.frontier.gate(host, self.fleet.default_delay, self.guard)
            except FrontierUnavailable as exc:
                self.fleet._note_down(exc)
                wait = 1.0
            if wait <= 0:
                return
            await asyncio.sleep(wait)

    def process_response(self, request: Request, response: Any, spider: Any = None) -> Any:
        maybe_die("download")
        return response


class FleetRobotsTxtMiddleware(RobotsTxtMiddleware):
    """robots.txt once for the fleet: the first process to need it fetches it, the others read it from
    Redis (for a day); a Redis lock keeps two processes from fetching it at once."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.fleet = fleet_of(crawler)

    async def robot_parser(self, request: Request) -> Any:
        fleet = self.fleet
        netloc = urlparse_cached(request).netloc
        if fleet is None or netloc in self._parsers:
            return await super().robot_parser(request)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                cached = fleet.frontier.robots_get(netloc)
                if cached is not None:
                    if netloc not in self._parsers:
                        self._parsers[netloc] = build_from_crawler(self._parserimpl, self.crawler,
                                                                   cached.encode("latin-1"))
                        self._stats.inc_value("robotstxt/shared")
                    return await super().robot_parser(request)
                if fleet.frontier.r.set(fleet.frontier.key(f"robots-lock:{netloc}"), fleet.frontier.consumer,
                                        nx=True, ex=30):
                    break
            except (FrontierUnavailable, *TRANSIENT) as exc:
                fleet._note_down(exc)
            await asyncio.sleep(0.2)
        return await super().robot_parser(request)

    async def _parse_robots(self, response: Any, netloc: str, request: Request) -> None:
        await super()._parse_robots(response, netloc, request)
        if self.fleet is not None and response.status < 500:
            try:
                self.fleet.frontier.robots_put(netloc, response.body.decode("latin-1"))
            except Exception as exc:  # noqa: BLE001 - sharing is a saving; this process has its parser
                logger.warning("Could not share robots.txt of %s: %s", netloc, exc)


class FleetExtension:
    """Heartbeat (lease renewal, outbox), staying open while the fleet has work, and the end of the
    run: the last process to leave a drained frontier records the run as finished."""

    def __init__(self, crawler: Crawler) -> None:
        self.fleet = fleet_of(crawler)
        if self.fleet is None:
            raise NotConfigured
        self.crawler = crawler
        s = crawler.settings
        self.interval = min(max(self.fleet.frontier.lease_s / 3, 0.2), 5.0)
        self.linger = s.getfloat("GOVNEWS_FLEET_LINGER", 0.0)
        self.drained_since: float | None = None
        self.task: Any = None
        self.started = time.time()
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.idle, signal=signals.spider_idle)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FleetExtension:
        return cls(crawler)

    def opened(self, spider: Any) -> None:
        from twisted.internet import task

        self.task = task.LoopingCall(self.beat)
        self.task.start(self.interval, now=True)

    def beat(self) -> None:
        fleet = self.fleet
        fleet.flush()
        fleet.renew()
        stats = self.crawler.stats
        try:
            fleet.frontier.heartbeat({"pid": os.getpid(), "host": os.uname().nodename, "started": self.started,
                                      "pages": int(stats.get_value("downloader/response_count", 0)),
                                      "held": len(fleet.held), "acked": fleet.acked})
        except FrontierUnavailable as exc:
            fleet._note_down(exc)

    def idle(self, spider: Any) -> None:
        fleet = self.fleet
        busy = bool(fleet.local or fleet.outbox or fleet.held or fleet.open_outputs)
        try:
            pending = fleet.frontier.pending()
        except FrontierUnavailable as exc:
            fleet._note_down(exc)
            raise DontCloseSpider from None
        if busy or pending:
            self.drained_since = None
            raise DontCloseSpider
        now = time.monotonic()
        self.drained_since = self.drained_since or now
        if now - self.drained_since < self.linger:
            raise DontCloseSpider

    def closed(self, spider: Any, reason: str) -> None:
        fleet = self.fleet
        if self.task is not None and self.task.running:
            self.task.stop()
        deadline = time.monotonic() + 60
        while not fleet.flush() and time.monotonic() < deadline:  # acknowledgements must not be lost
            time.sleep(1.0)
        fleet.release_all()
        counters = {k: int(v) for k, v in (self.crawler.stats.get_stats() or {}).items()
                    if k.startswith("govnews/") and isinstance(v, int)}
        counters["downloader/request_count"] = int(self.crawler.stats.get_value("downloader/request_count", 0))
        try:
            fleet.frontier.add_stats({f"crawl:{k}": v for k, v in counters.items()})
            fleet.frontier.leave()
        except FrontierUnavailable as exc:
            logger.error("Could not record this process's figures in the frontier: %s", exc)
        self.crawler.__dict__["govnews_fleet_reason"] = reason
