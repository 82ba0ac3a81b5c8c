"""The whole state of a search as URL parameters, so a search can be shared and bookmarked."""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from store.search import Filters

__all__ = ["PER_PAGE", "SearchState", "parse_state"]

PER_PAGE = 20
_MAX_PAGE = 10_000


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchState:
    q: str = ""
    sites: tuple[str, ...] = ()
    month: str | None = None  # YYYY-MM, from the month facet or the histogram
    source: str | None = None
    lang: str | None = None
    script: str | None = None
    flags: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    sort: str = "relevance"
    all_copies: bool = False
    page: int = 1
    per_page: int = PER_PAGE
    errors: tuple[str, ...] = field(default=(), compare=False)

    def date_range(self) -> tuple[date | None, date | None]:
        """since/until narrowed to the chosen month (an empty range when they do not meet)."""
        since, until = self.since, self.until
        if self.month:
            y, m = int(self.month[:4]), int(self.month[5:7])
            first, last = date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1])
            since = max(since, first) if since else first
            until = min(until, last) if until else last
        return since, until

    def filters(self) -> Filters:
        """What store.search narrows the matches to: every filter of this state, the month as days."""
        since, until = self.date_range()
        return Filters(sites=self.sites, since=since, until=until, source=self.source, lang=self.lang,
                       script=self.script, flags=self.flags)

    def params(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = [("q", self.q)] if self.q else []
        out += [("site", s) for s in self.sites]
        for name in ("month", "source", "lang", "script"):
            if getattr(self, name):
                out.append((name, getattr(self, name)))
        out += [("flag", f) for f in self.flags]
        if self.since:
            out.append(("since", self.since.isoformat()))
        if self.until:
            out.append(("until", self.until.isoformat()))
        if self.sort != "relevance":
            out.append(("sort", self.sort))
        if self.all_copies:
            out.append(("all", "1"))
        if self.page > 1:
            out.append(("page", str(self.page)))
        if self.per_page != PER_PAGE:
            out.append(("per_page", str(self.per_page)))
        return out

    def query_string(self, **changes: Any) -> str:
        """The URL query of this state with *changes*; any change but page goes back to page 1."""
        if changes and "page" not in changes:
            changes["page"] = 1
        return urlencode(replace(self, **changes).params())

    def toggle(self, facet: str, value: str) -> str:
        """The query string with *value* of *facet* switched on or off."""
        if facet == "site":
            sites = tuple(s for s in self.sites if s != value) if value in self.sites else (*self.sites, value)
            return self.query_string(sites=sites)
        if facet == "flag":
            flags = tuple(f for f in self.flags if f != value) if value in self.flags else (*self.flags, value)
            return self.query_string(flags=flags)
        return self.query_string(**{facet: None if getattr(self, facet) == value else value})

    def selected(self, facet: str, value: str) -> bool:
        if facet == "site":
            return value in self.sites
        if facet == "flag":
            return value in self.flags
        return getattr(self, facet) == value

    def public(self) -> dict[str, Any]:
        return {"q": self.q, "sites": list(self.sites), "month": self.month, "source": self.source,
                "lang": self.lang, "script": self.script, "flags": list(self.flags),
                "since": self.since.isoformat() if self.since else None,
                "until": self.until.isoformat() if self.until else None, "sort": self.sort,
                "all_copies": self.all_copies, "page": self.page, "per_page": self.per_page}


def _day(raw: str | None, name: str, errors: list[str]) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        errors.append(f"{name}: not a day (YYYY-MM-DD): {raw[:40]}")
        return None


def _int(raw: str | None, default: int, lo: int, hi: int) -> int:
    try:
        return min(max(int(raw or default), lo), hi)
    except ValueError:
        return default


def parse_state(single: Mapping[str, str], multi: Mapping[str, list[str]]) -> SearchState:
    """A SearchState from URL parameters; bad values are dropped with a note, never an error page."""
    errors: list[str] = []
    month = (single.get("month") or "").strip() or None
    if month and not (len(month) == 7 and month[4] == "-" and month[:4].isdigit() and month[5:].isdigit()
                      and 1 <= int(month[5:]) <= 12 and int(month[:4]) >= 1):
        errors.append(f"month: not YYYY-MM: {month[:40]}")
        month = None
    sort = single.get("sort") or "relevance"
    if sort not in ("relevance", "date"):
        errors.append("sort: relevance or date")
        sort = "relevance"
    return SearchState(
        q=(single.get("q") or "")[:500],
        sites=tuple(dict.fromkeys(s for s in multi.get("site", []) if s)),
        month=month,
        source=single.get("source") or None,
        lang=single.get("lang") or None,
        script=single.get("script") or None,
        flags=tuple(dict.fromkeys(f for f in multi.get("flag", []) if f)),
        since=_day(single.get("since"), "since", errors),
        until=_day(single.get("until"), "until", errors),
        sort=sort,
        all_copies=single.get("all") in ("1", "true", "on", "yes"),
        page=_int(single.get("page"), 1, 1, _MAX_PAGE),
        per_page=_int(single.get("per_page"), PER_PAGE, 1, 200),
        errors=tuple(errors),
    )
