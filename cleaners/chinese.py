"""The Chinese cleaning stage that runs after trafilatura: the one place later cleaners plug in.

Today it folds whitespace the way Chinese pages need (U+3000, nbsp, full-width spaces) and keeps one
paragraph a line; boilerplate, spam, mojibake and repeated-body cleaners hook in here (issue 3).
"""

from __future__ import annotations

import re

from cleaners.types import CleanConfig, Record

__all__ = ["clean_lines", "fold_whitespace"]

_SPACES = re.compile(r"[\s\u00a0\u3000\u2002-\u200b\u202f\u205f\ufeff]+")


def fold_whitespace(line: str) -> str:
    """Collapse every run of ASCII, no-break and full-width spaces to one space; strip the ends."""
    return _SPACES.sub(" ", line).strip()


def clean_lines(lines: list[str], record: Record, config: CleanConfig) -> list[str]:
    """Clean body *lines* in place of the record's body; metadata found on the way fills *record*."""
    out = []
    for line in lines:
        folded = fold_whitespace(line)
        if folded:
            out.append(folded)
    return out
