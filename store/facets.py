"""Facet counts and the per-month histogram of a search's results, the same for both backends.

Counted in Python over the rows store.search already read for its window of matches (at most
RELEVANCE_WINDOW of them), so facets cost no second pass over the archive.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

__all__ = ["FACETS", "Faceted", "count_facets", "histogram"]

FACETS = ("site", "month", "source", "lang", "script", "flag")
_TOP = {"site": 50, "source": 30, "lang": 20, "script": 10, "flag": 30}  # months: all of them (the histogram)
_ATTRS = {"site": "site", "month": "month", "source": "source", "lang": "language", "script": "script"}


class Faceted(Protocol):
    """What a counted result carries."""

    site: str
    month: str | None  # YYYY-MM of the publication day
    source: str | None
    language: str | None
    script: str | None
    flags: list[str]


def count_facets(hits: Iterable[Faceted]) -> dict[str, list[list[Any]]]:
    """Per facet, [value, results] pairs, most first (None for a missing value); months in date order."""
    counts: dict[str, Counter[Any]] = {name: Counter() for name in FACETS}
    for h in hits:
        for name, attr in _ATTRS.items():
            counts[name][getattr(h, attr)] += 1
        counts["flag"].update(set(h.flags))
    out: dict[str, list[list[Any]]] = {}
    for name, counter in counts.items():
        pairs = [[value, n] for value, n in counter.items()]
        if name == "month":
            pairs.sort(key=lambda p: (p[0] is None, p[0] or ""))
        else:
            pairs.sort(key=lambda p: (-p[1], p[0] is None, p[0] or ""))
            del pairs[_TOP[name]:]
        out[name] = pairs
    return out


def histogram(months: Sequence[Sequence[Any]]) -> list[list[Any]]:
    """Results per month from the first to the last month with any, months without results as 0."""
    known = [(m, n) for m, n in months if m]
    if not known:
        return []
    (y0, m0), (y1, m1) = ((int(m[:4]), int(m[5:7])) for m in (known[0][0], known[-1][0]))
    span = (y1 - y0) * 12 + m1 - m0 + 1
    if span > 1200:  # a century of months: a wrong date somewhere; show only the months with results
        return [list(p) for p in known]
    counts = dict(known)
    out = []
    for i in range(span):
        y, m = divmod(m0 - 1 + i, 12)
        key = f"{y0 + y:04d}-{m + 1:02d}"
        out.append([key, counts.get(key, 0)])
    return out
