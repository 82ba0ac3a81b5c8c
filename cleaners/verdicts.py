"""Whether a cleaned page is an article worth a record, with the reason as data when it is not (G8)."""

from __future__ import annotations

import re

from cleaners.types import KEEP, CleanConfig, Record, Verdict

__all__ = ["check_record"]

_NOT_FOUND = re.compile(r"页面不存在|頁面不存在|您访问的页面不存在|已被删除|已删除或不存在|404\s*Not\s*Found|找不到(?:该|此)?页面", re.IGNORECASE)


def check_record(record: Record, config: CleanConfig) -> Verdict:
    """KEEP, or why the page is not an article (soft_404, empty_body)."""
    text = f"{record.title or ''}\n{record.body[:400]}"
    if _NOT_FOUND.search(text) and len(record.body) < 400:
        return Verdict(False, "soft_404")
    if "empty_body" in record.flags or len(record.body) < config.min_chars:
        return Verdict(False, "empty_body")
    return KEEP
