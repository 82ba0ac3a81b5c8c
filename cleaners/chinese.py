"""The Chinese cleaning stage that runs on a page's body lines, for HTML pages and text dumps alike.

In order: whitespace folding and one paragraph a line; GBK misalignment repair (cleaners.mojibake);
image captions, alt-text lines repeating the title, page chrome (cleaners.boilerplate) and metadata
lines, which fill the record (cleaners.metadata); related-article lists; injected spam
(cleaners.spam); a second copy of the article (cleaners.repeats); bylines and the signing office at
the end. Every cut keeps its text in ``record.removed`` under its reason.
"""

from __future__ import annotations

import re

from cleaners.boilerplate import RELATED_HEADING, chrome_reason, is_caption
from cleaners.charfreq import garbled_runs
from cleaners.language import detect_script
from cleaners.metadata import is_date_line, parse_meta_line, signing_office, split_trailing_byline
from cleaners.mojibake import find_source_mojibake, repair_misalignment
from cleaners.repeats import find_second_copy, fold
from cleaners.spam import check_spam
from cleaners.types import CleanConfig, Record

__all__ = ["clean_lines", "fold_whitespace", "strip_bullet"]

_SPACES = re.compile(r"[\s\u00a0\u3000\u2002-\u200b\u202f\u205f\ufeff]+")
_BULLET = re.compile(r"^[•·●◆■▪]\s*")
_LIST_ITEM_END = re.compile(r"[。！？!?]$")


def fold_whitespace(line: str) -> str:
    """Collapse every run of ASCII, no-break and full-width spaces to one space; strip the ends."""
    return _SPACES.sub(" ", line).strip()


def strip_bullet(line: str) -> str:
    """A list bullet a text dump kept in front of a line (``• 来源: 四川日报``) is not text."""
    return _BULLET.sub("", line, count=1)


def _fill(record: Record, field: str, value: str | None) -> None:
    if value and not getattr(record, field):
        setattr(record, field, value)


def _repair(line: str, record: Record, config: CleanConfig, budget: list[int]) -> str:
    fixed, repairs = repair_misalignment(line, config.mojibake, budget=budget)
    for repair in repairs:
        record.flag("mojibake_repaired")
        record.cut("mojibake_repaired", repair.garbled)
        if "\ufffd" in repair.repaired:
            record.flag("mojibake")  # a byte of the run was lost for good
    return fixed


def _classify(line: str, record: Record, title_key: str | None) -> str | None:
    """Why *line* is not body text (filling the record from metadata lines), or None."""
    if title_key and fold(line) == title_key:
        return "title_repeat"  # the headline again: image alt text, the print copy's heading
    if is_caption(line):
        return "image_caption"
    if RELATED_HEADING.match(line):
        return "related"
    if reason := chrome_reason(line):
        return reason
    if meta := parse_meta_line(line):
        _fill(record, "source", meta.source)
        _fill(record, "author", meta.author)
        _fill(record, "editor", meta.editor)
        return "byline" if meta.byline else "metadata"
    return None


def _cut_spam(body: list[str], record: Record, config: CleanConfig) -> list[str]:
    script = detect_script("\n".join(body))
    kept = []
    for line in body:
        verdict = check_spam(line, article_script=script, config=config.spam)
        if verdict.keep:
            kept.append(line)
        else:
            record.flag("spam_injected")
            record.cut("spam", line)
    return kept


def _cut_second_copy(body: list[str], record: Record, config: CleanConfig) -> list[str]:
    span = find_second_copy(body, config.repeats)
    if span is None:
        return body
    start, end = span
    record.flag("repeated_body")
    for line in body[start:end]:
        record.cut("repeated_body", line)
    return body[:start] + body[end:]


def _closing_lines(body: list[str], record: Record, *, signed: bool = False) -> list[str]:
    for i in range(len(body) - 1, max(len(body) - 4, -1), -1):
        text, author = split_trailing_byline(body[i])
        if author:
            record.cut("byline", body[i][len(text) :].strip())
            _fill(record, "author", author)
            body[i] = text
            break
    if not signed and body and signing_office(body[-1]) and len(body) > 1:
        _fill(record, "author", body[-1])
        record.cut("signature", body.pop())
    return body


def _check_garble(body: list[str], record: Record) -> None:
    for line in body:
        if not garbled_runs(line):
            continue
        if find_source_mojibake(line):
            record.flag("mojibake_suspect")  # published that way: flagged, kept as published
        else:
            record.flag("mojibake")


def clean_lines(lines: list[str], record: Record, config: CleanConfig) -> list[str]:
    """Clean body *lines* into the record's body lines; metadata found on the way fills *record*."""
    title_key = fold(record.title) if record.title else None
    body: list[str] = []
    in_related = signed = False
    budget = [config.mojibake.max_attempts]
    for raw in lines:
        line = strip_bullet(fold_whitespace(raw))
        if not line:
            continue
        line = _repair(line, record, config, budget)
        if in_related:
            if len(line) <= 60 and not _LIST_ITEM_END.search(line):
                record.cut("related", line)
                continue
            in_related = False
        reason = _classify(line, record, title_key)
        if reason == "metadata" and body and signing_office(body[-1]) and is_date_line(line):
            reason = None  # 落款: the issuing authority and the date close an official notice, and stay
            signed = True
        if reason is None:
            body.append(line)
            continue
        record.cut(reason, line)
        in_related = reason == "related"
    body = _cut_spam(body, record, config)
    body = _cut_second_copy(body, record, config)
    body = _closing_lines(body, record, signed=signed)
    _check_garble(body, record)
    return body
