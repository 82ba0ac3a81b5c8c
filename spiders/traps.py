"""Crawler traps, kept bounded per site: calendars, search pages, multiplying query strings, session
ids, repeating path segments, and per-site request and time budgets.

A trap is refused with its reason as data (G8); the spider records each refusal in the run.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["TrapConfig", "TrapGuard", "strip_session"]

_SESSION_PARAMS = {"jsessionid", "phpsessid", "sid", "sessionid", "sessid", "aspsessionid", "cfid", "cftoken"}
_PATH_SESSION = re.compile(r";(?:jsessionid|sessionid|sid)=[^/?#]*", re.IGNORECASE)
_SEARCH_PATH = re.compile(r"(?:^|/)(?:search|so|query|sousuo|jsearch|fullsearch)(?:[/._?]|$)", re.IGNORECASE)
_SEARCH_PARAMS = {"q", "wd", "kw", "keyword", "keywords", "query", "searchword", "searchkey", "word"}
_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)[-/_]?(0[1-9]|1[0-2])[-/_]?(0[1-9]|[12]\d|3[01])(?!\d)")
_YEAR_PARAM = re.compile(r"(?:^|&)(?:year|yr|y)=(\d{4})", re.IGNORECASE)


@dataclass(frozen=True, slots=True, kw_only=True)
class TrapConfig:
    max_url_length: int = 1000
    max_params: int = 8
    max_query_variants: int = 40  # distinct query strings on one path
    max_segment_repeats: int = 2  # /a/a/a/ is a relative-link loop
    max_calendar_pages: int = 30  # date-addressed list pages per site
    max_requests: int = 50_000  # per site and run
    max_seconds: float = 6 * 3600.0  # per site and run


def strip_session(url: str) -> str:
    """*url* without session ids (;jsessionid=..., ?PHPSESSID=...), which make every link look new."""
    parts = urlsplit(_PATH_SESSION.sub("", url))
    if not parts.query:
        return urlunsplit(parts)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in _SESSION_PARAMS]
    return urlunsplit(parts._replace(query=urlencode(kept)))


class TrapGuard:
    """Per-site counters that say when a URL leads into a trap or the site's budget is spent."""

    def __init__(self, config: TrapConfig | None = None) -> None:
        self.config = config or TrapConfig()
        self.started = time.monotonic()
        self.requests: dict[str, int] = defaultdict(int)
        self.variants: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.calendar: dict[str, set[str]] = defaultdict(set)

    def check(self, site: str, url: str, *, allowed: bool = False, article: bool = False) -> str | None:
        """The reason to refuse *url*, or None; a None counts the request against the site's budget.

        *allowed* (a profile's own start URL, a pager's next page) skips the shape rules but not the
        budgets. An *article* URL matched the profile's article pattern: dates and ids in it are normal,
        so only the length and repeating-path rules apply.
        """
        c = self.config
        if self.requests[site] >= c.max_requests:
            return "site_request_budget"
        if time.monotonic() - self.started > c.max_seconds:
            return "site_time_budget"
        if not allowed:
            reason = self._shape(site, url, article=article)
            if reason:
                return reason
        self.requests[site] += 1
        return None

    def _shape(self, site: str, url: str, *, article: bool = False) -> str | None:
        c = self.config
        if len(url) > c.max_url_length:
            return "url_too_long"
        parts = urlsplit(url)
        segments = [s for s in parts.path.split("/") if s]
        if segments and max(segments.count(s) for s in set(segments)) > c.max_segment_repeats:
            return "repeating_path"
        if article:
            return None
        params = parse_qsl(parts.query, keep_blank_values=True)
        if len(params) > c.max_params:
            return "too_many_params"
        if _SEARCH_PATH.search(parts.path) or any(k.lower() in _SEARCH_PARAMS for k, _ in params):
            return "search_page"
        if m := (_DATE.search(parts.path + "?" + parts.query) or _YEAR_PARAM.search(parts.query)):
            year = int(m.group(1))
            if not 1990 <= year <= datetime.now(UTC).year + 1:
                return "calendar"
            pages = self.calendar[site]
            pages.add(url)
            if len(pages) > c.max_calendar_pages:
                return "calendar"
        if parts.query:
            seen = self.variants[(site, parts.path)]
            seen.add(parts.query)
            if len(seen) > c.max_query_variants:
                return "query_variants"
        return None
