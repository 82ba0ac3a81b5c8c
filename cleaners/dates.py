"""Publication times in the formats Chinese government pages print, as Asia/Shanghai times."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

__all__ = ["CST", "DATETIME", "find_published", "parse_datetime"]

CST = timezone(timedelta(hours=8), "Asia/Shanghai")  # China has one offset and no DST since 1991

_DT = re.compile(
    r"(?P<y>(?:19|20)\d\d)\s*(?:年|-|/|\.)\s*(?P<m>\d{1,2})\s*(?:月|-|/|\.)\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[\sT-]*(?P<H>\d{1,2})\s*(?::|时|點|点)\s*(?P<M>\d{1,2})\s*分?(?:\s*(?::|分)?\s*(?P<S>\d{1,2})\s*秒?)?)?"
)
DATETIME = _DT  # for cleaners that find dates inside metadata lines

# labels that introduce the publication time; a bare date elsewhere (site header) is weaker evidence
_LABELLED = re.compile(r"(?:发布时间|發布時間|发布日期|發布日期|发表时间|时间|時間|日期)\s*[:：]?\s*")


def parse_datetime(text: str) -> tuple[datetime | None, date | None]:
    """The first date in *text*: (aware datetime if a time is given, the day)."""
    m = _DT.search(text)
    if not m:
        return None, None
    try:
        day = date(int(m["y"]), int(m["m"]), int(m["d"]))
    except ValueError:
        return None, None
    if m["H"] is None:
        return None, day
    try:
        dt = datetime(day.year, day.month, day.day, int(m["H"]), int(m["M"]), int(m["S"] or 0), tzinfo=CST)
    except ValueError:
        return None, day
    return dt, day


def find_published(
    meta: dict[str, str], lines: list[str], *, max_lines: int = 12
) -> tuple[datetime | None, date | None, str | None]:
    """Publication time from meta tags, else from a labelled or early line of the page text.

    Returns (datetime, day, where) with *where* naming the evidence used.
    """
    for key in ("pubdate", "firstpublishedtime", "publishdate", "article:published_time"):
        if key in meta:
            dt, day = parse_datetime(meta[key])
            if day:
                return dt, day, f"meta:{key}"
    head = lines[:max_lines]
    for line in head:
        lm = _LABELLED.search(line)
        if lm:
            dt, day = parse_datetime(line[lm.end() :])
            if day:
                return dt, day, "labelled_line"
    # unlabelled: prefer a date that carries a time, since site headers print a bare day
    best: tuple[datetime | None, date | None] = (None, None)
    for line in head:
        dt, day = parse_datetime(line)
        if dt:
            return dt, day, "text_datetime"
        if day and best[1] is None:
            best = (None, day)
    if best[1]:
        return None, best[1], "text_date"
    return None, None, None
