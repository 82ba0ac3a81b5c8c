"""Helpers the site templates share: deterministic filler generation and small HTML fragments."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from ..model import CST, NEWEST, Article, esc
from ..textgen import filler_body, filler_title, to_traditional

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from ..model import Site

__all__ = ["EDITORS", "at", "make_filler", "paragraphs_html", "traditional_body"]

EDITORS = ("王晓", "李明", "张静", "刘洋", "陈晨", "杨帆", "赵磊", "孙悦")


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0, second: int = 0) -> datetime:
    """A Beijing-time datetime."""
    return datetime(year, month, day, hour, minute, second, tzinfo=CST)


def _body(seed: str, traditional: bool) -> list[str]:
    paragraphs = filler_body(random.Random(seed))
    return [to_traditional(p) for p in paragraphs] if traditional else paragraphs


def traditional_body(paragraphs: Sequence[str]) -> list[str]:
    return [to_traditional(p) for p in paragraphs]


def make_filler(
    site: Site,
    column_of: Callable[[int], str],
    path_of: Callable[[int, datetime, str], str],
    sources: Sequence[str],
    *,
    traditional_every: int = 0,
) -> list[Article]:
    """Add ``site.scale`` filler articles, one per day going back from 2026-06-30, newest first."""
    seen: set[str] = set()
    made = []
    for i in range(site.scale):
        rng = random.Random(f"{site.host}:{i}")
        title = filler_title(rng)
        while title in seen:
            title = filler_title(rng)
        seen.add(title)
        moment = NEWEST.replace(hour=8) - timedelta(days=i)
        moment += timedelta(hours=rng.randint(0, 9), minutes=rng.randrange(0, 60, 5))
        trad = bool(traditional_every) and i % traditional_every == traditional_every - 1
        column = column_of(i)
        article = Article(
            host=site.host,
            path=path_of(i, moment, column),
            title=to_traditional(title) if trad else title,
            published=moment,
            day=moment.date(),
            source=rng.choice(sources),
            column=column,
            editor=rng.choice(EDITORS),
            make_body=partial(_body, f"{site.host}:{i}:body", trad),
        )
        made.append(site.add(article))
    return made


def paragraphs_html(paragraphs: Sequence[str], indent: str = "", tag: str = "p") -> str:
    """Render paragraphs as ``<p>`` elements, optionally prefixed (e.g. full-width spaces)."""
    return "\n".join(f"<{tag}>{indent}{esc(p)}</{tag}>" for p in paragraphs)
