"""/web/<timestamp>/<url> permalinks, as web archives write them."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from web.views import nearest_capture

__all__ = ["resolve_web_path"]


def resolve_web_path(session: Session, rest: str, query: str) -> tuple[str, str, int | None]:
    """(timestamp, url, capture id or None) of a permalink tail '<timestamp>/<url>' or '<url>'."""
    ts, _, url = rest.partition("/")
    if not re.fullmatch(r"\d{0,14}\*?", ts):  # no timestamp: the tail is all URL
        ts, url = "", rest
    ts = ts.rstrip("*")
    url = re.sub(r"^(https?):/+", r"\1://", url)  # proxies and browsers fold // in a path
    if query:
        url = f"{url}?{query}"
    return ts, url, nearest_capture(session, url, ts)
