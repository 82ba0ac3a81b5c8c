"""Downloader middlewares that keep the crawl safe and polite.

* SafetyMiddleware     no request off a profile's hosts, none to private/loopback/link-local
                       addresses (redirect hops included) unless admitted with --allow-host
* SandboxMiddleware    routes the sample web's *.test hosts through its server, used as a proxy
* ChallengeMiddleware  recognises anti-bot challenge pages (瑞数 412, 加速乐 521, ...), backs the
                       host off and stops asking it after a few; never tries to pass them
* BackoffRetryMiddleware  Scrapy's retry, plus exponential back-off and Retry-After, per host
"""

from __future__ import annotations

import ipaddress
import logging
import random
import socket
import time
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.defer import deferred_to_future
from twisted.internet import reactor, threads
from twisted.internet.task import deferLater

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

__all__ = ["BackoffRetryMiddleware", "ChallengeMiddleware", "SafetyMiddleware", "SandboxMiddleware"]

logger = logging.getLogger(__name__)

_CHALLENGE_MARKERS = (
    (b"$_ts", "ruishu"),
    (b"__jsluid", "jiasule"),
    (b"__jsl_clearance", "jiasule"),
    (b"yunsuo_session_verify", "yunsuo"),
    (b"security_verify_data", "yunsuo"),
    (b"Just a moment", "cloudflare"),
)
_CHALLENGE_STATUSES = {412, 521, 512}


def _host_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return (parts.hostname or "").lower(), parts.port or (443 if parts.scheme == "https" else 80)


def _is_public(addr: str) -> bool:
    ip = ipaddress.ip_address(addr)
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
                or ip.is_reserved or ip.is_unspecified)


class SafetyMiddleware:
    """Refuse requests outside the crawl's sites and, by default, to non-public addresses."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.allow = {h.lower() for h in crawler.settings.getlist("GOVNEWS_ALLOW_HOSTS")}
        self.sandbox = bool(crawler.settings.get("GOVNEWS_SANDBOX_URL"))
        self._resolved: dict[tuple[str, int], bool] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def _refuse(self, request: Request, reason: str) -> None:
        site = request.meta.get("site", "?")
        self.crawler.stats.inc_value(f"govnews/{site}/refused/{reason}")
        raise IgnoreRequest(f"refused ({reason}): {request.url}")

    async def process_request(self, request: Request, spider: Any = None) -> None:
        parts = urlsplit(request.url)
        if parts.scheme not in ("http", "https"):
            self._refuse(request, "scheme")
        host, port = _host_port(request.url)
        spider_obj = self.crawler.spider
        profiles = getattr(spider_obj, "profiles", {})
        site = request.meta.get("site")
        if site in profiles and not profiles[site].allows(request.url) and not request.url.endswith("/robots.txt"):
            self._refuse(request, "offsite")
        if f"{host}:{port}" in self.allow or host in self.allow:
            return
        if self.sandbox and host.endswith(".test"):
            return  # served by the sample web through its proxy, never resolved
        key = (host, port)
        if key not in self._resolved:
            try:
                infos = await deferred_to_future(threads.deferToThread(socket.getaddrinfo, host, port))
                self._resolved[key] = all(_is_public(info[4][0]) for info in infos)
            except (OSError, ValueError):
                self._resolved[key] = True  # let the download fail and be recorded as a DNS error
        if not self._resolved[key]:
            self._refuse(request, "private_address")


class SandboxMiddleware:
    """Send requests for *.test hosts to the sample web, which serves them as a proxy."""

    def __init__(self, url: str) -> None:
        self.proxy = url.rstrip("/")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        url = crawler.settings.get("GOVNEWS_SANDBOX_URL")
        if not url:
            raise NotConfigured
        return cls(url)

    def process_request(self, request: Request, spider: Any = None) -> None:
        host, _ = _host_port(request.url)
        if host.endswith(".test"):
            request.meta["proxy"] = self.proxy


def challenge_kind(response: Response) -> str | None:
    """The anti-bot system whose challenge *response* is, or None for an ordinary page."""
    body = response.body[:8192]
    for marker, kind in _CHALLENGE_MARKERS:
        if marker in body and (response.status in _CHALLENGE_STATUSES or len(response.body) < 4096):
            return kind
    if response.status in _CHALLENGE_STATUSES:
        return f"http_{response.status}"
    return None


class ChallengeMiddleware:
    """Detect challenge pages, mark them, slow the host down, give up on it after a few."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        s = crawler.settings
        self.max_per_host = s.getint("GOVNEWS_CHALLENGE_LIMIT", 3)
        self.backoff = s.getfloat("GOVNEWS_CHALLENGE_BACKOFF", 30.0)
        self.counts: dict[str, int] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: Request, spider: Any = None) -> None:
        host, _ = _host_port(request.url)
        if self.counts.get(host, 0) >= self.max_per_host:
            site = request.meta.get("site", "?")
            self.crawler.stats.inc_value(f"govnews/{site}/refused/host_challenged")
            raise IgnoreRequest(f"host {host} answered {self.max_per_host} challenges; not asking again this run")

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        kind = challenge_kind(response)
        if kind is None:
            if response.status < 400:
                _recover(self.crawler, request)
            return response
        host, _ = _host_port(request.url)
        self.counts[host] = self.counts.get(host, 0) + 1
        site = request.meta.get("site", "?")
        self.crawler.stats.inc_value(f"govnews/{site}/challenges")
        request.meta["govnews_challenge"] = kind
        _slow_down(self.crawler, request, self.backoff)
        _fleet_backoff(self.crawler, request, self.backoff)
        logger.warning("Challenge page (%(kind)s) from %(url)s: backing off", {"kind": kind, "url": request.url})
        return response


def _slot(crawler: Crawler, request: Request) -> Any:
    downloader = crawler.engine.downloader if crawler.engine else None
    if downloader is None:
        return None
    key = request.meta.get("download_slot") or _host_port(request.url)[0]
    return downloader.slots.get(key)


def _baselines(crawler: Crawler) -> dict[int, float]:
    # a slot's delay before any back-off, by slot identity (Slot has __slots__: no attribute of ours)
    return crawler.__dict__.setdefault("_govnews_baseline_delays", {})


def _slow_down(crawler: Crawler, request: Request, at_least: float) -> None:
    """Back the host off: its delay doubles (at least *at_least*, at most GOVNEWS_MAX_HOST_DELAY)."""
    slot = _slot(crawler, request)
    if slot is not None:
        _baselines(crawler).setdefault(id(slot), slot.delay)
        cap = crawler.settings.getfloat("GOVNEWS_MAX_HOST_DELAY", 300.0)
        slot.delay = min(max(slot.delay * 2, at_least), cap)


def _fleet_backoff(crawler: Crawler, request: Request, seconds: float) -> None:
    """In a fleet, a challenge or a Retry-After holds the host back for every process, not just this one."""
    from crawler.fleet import fleet_of

    fleet = fleet_of(crawler)
    if fleet is not None and seconds > 0:
        fleet.backoff(request.url, seconds)


def _recover(crawler: Crawler, request: Request) -> None:
    """A good answer halves a backed-off host's delay again, down to what its profile asked for."""
    slot = _slot(crawler, request)
    baseline = _baselines(crawler).get(id(slot)) if slot is not None else None
    if baseline is not None and slot.delay > baseline:
        slot.delay = max(baseline, slot.delay / 2)


def retry_after_seconds(value: bytes | str | None, *, now: float | None = None) -> float | None:
    """Seconds a Retry-After header asks for (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (now if now is not None else time.time()))


class BackoffRetryMiddleware(RetryMiddleware):
    """Retry like Scrapy, but wait before each retry: Retry-After (capped) or exponential back-off."""

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("GOVNEWS_RETRY_BACKOFF_BASE", 1.0)
        self.cap = settings.getfloat("GOVNEWS_RETRY_AFTER_CAP", 120.0)

    def _delay(self, request: Request, response: Response | None) -> float:
        n = request.meta.get("retry_times", 0)
        asked = retry_after_seconds(response.headers.get("Retry-After")) if response is not None else None
        delay = asked if asked is not None else self.base * (2**n) * (0.5 + random.random())
        return min(delay, self.cap)

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Request | Response:
        result = super().process_response(request, response)
        if isinstance(result, Request):
            delay = self._delay(request, response)
            result.meta["govnews_not_before"] = time.monotonic() + delay
            _slow_down(self.crawler, request, min(delay, 10.0))
            _fleet_backoff(self.crawler, request, delay)
        return result

    def process_exception(self, request: Request, exception: Exception, spider: Any = None) -> Any:
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            result.meta["govnews_not_before"] = time.monotonic() + self._delay(request, None)
        return result


class NotBeforeMiddleware:
    """Hold a retried request until its back-off has passed."""

    async def process_request(self, request: Request, spider: Any = None) -> None:
        wait = request.meta.get("govnews_not_before", 0) - time.monotonic()
        if wait > 0:
            await deferred_to_future(deferLater(reactor, wait, lambda: None))  # type: ignore[arg-type]
