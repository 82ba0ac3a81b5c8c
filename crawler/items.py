"""Items are dataclasses (G6): a raw snapshot of every response, and a failure for every request
that produced none."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

__all__ = ["FetchFailed", "PageSnapshot"]


@dataclass(slots=True, kw_only=True)
class PageSnapshot:
    url: str  # as requested (the first URL of a redirect chain)
    final_url: str
    site: str
    fetched_at: datetime
    status: int
    body: bytes  # raw, as served after transfer decoding; decoding charsets is a cleaner's job
    headers: list[list[str]] = field(default_factory=list)
    request_headers: list[list[str]] = field(default_factory=list)
    method: str = "GET"
    redirects: list[str] = field(default_factory=list)
    kind: str = "page"  # article list robots page
    challenge: str | None = None
    declared_charset: str | None = None
    truncated: bool = False
    recheck_step: int | None = None  # set when the recheck policy asked for this fetch
    frontier_id: str | None = None  # the shared frontier's fingerprint of the request (fleet crawls)


@dataclass(slots=True, kw_only=True)
class FetchFailed:
    url: str
    site: str
    reason: str
    frontier_id: str | None = None
