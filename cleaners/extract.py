"""Extraction: captured HTML (or a plain-text dump) to a clean Record.

HTML: hidden markup comes out first (kept for the spam and repeated-body checks), the CMS's own content
container gives the body lines (trafilatura only when no known container is found), government meta
tags (ArticleTitle, PubDate, ContentSource, firstpublishedtime) and the info lines around the body give
the metadata, then the Chinese cleaners run (cleaners.chinese). A text dump is one page line a line, as
a naive scraper saved it: the headline is found first, what stands above it is site header.
"""

from __future__ import annotations

import re
from copy import deepcopy
from typing import Any
from urllib.parse import urlsplit

import trafilatura
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from cleaners.boilerplate import RELATED_HEADING, chrome_reason
from cleaners.charset import DecodedPage, decode_html
from cleaners.chinese import clean_lines, fold_whitespace, strip_bullet
from cleaners.dates import find_published
from cleaners.html import HiddenBlock, content_container, page_lines, take_hidden
from cleaners.language import detect_language, detect_script, to_simplified
from cleaners.limits import ExtractionTimeout, time_limit
from cleaners.metadata import is_kicker, parse_meta_line
from cleaners.repeats import copy_coverage, fold
from cleaners.spam import check_spam, external_spam_links
from cleaners.types import CleanConfig, Record

__all__ = ["CLEANER_VERSION", "ExtractionTimeout", "clean_html", "clean_text", "page_meta"]

CLEANER_VERSION = "0.2.0"

_TITLE_SUFFIX = re.compile(r"\s*(?:[_|｜]|\s-\s|-\s|--|——)\s*[^_|｜]{2,40}$")
_META_KEYS = {"articletitle", "pubdate", "contentsource", "firstpublishedtime", "publishdate", "author",
              "keywords", "description", "sitename", "columnname", "article:published_time", "og:url"}
_SENTENCE_END = re.compile(r"[。！？；]$")
_HIDDEN_COPY = 0.8  # a hidden block repeating this share of the body is a hidden copy of the article
_OUTSIDE_COPY = 0.6  # visible text outside the container repeating this share: a print copy


def page_meta(tree: HtmlElement) -> dict[str, str]:
    """Lower-cased meta names we use -> content, first occurrence wins; plus '<title>'."""
    meta: dict[str, str] = {}
    for el in tree.iter("meta"):
        name = (el.get("name") or el.get("property") or "").strip().lower()
        content = (el.get("content") or "").strip()
        if name in _META_KEYS and content and name not in meta:
            meta[name] = content
    title = tree.find(".//title")
    if title is not None and title.text_content().strip():
        meta["<title>"] = fold_whitespace(title.text_content())
    return meta


def _finish(record: Record, lines: list[str], config: CleanConfig) -> Record:
    lines = clean_lines(lines, record, config)
    record.body = "\n".join(lines)
    if len(record.body) < config.min_chars:
        record.flag("empty_body")
    record.language = detect_language(record.body or (record.title or ""), seed=config.langdetect_seed)
    record.script = detect_script(record.body or (record.title or ""))
    record.body_simplified = to_simplified(record.body) if record.script != "simplified" else record.body
    return record


def _dates_into(record: Record, meta: dict[str, str], lines: list[str]) -> None:
    dt, day, _where = find_published(meta, lines)
    record.published = dt.isoformat() if dt else None
    record.date = day.isoformat() if day else None


def _heading(tree: HtmlElement) -> str | None:
    for el in tree.iter("h1", "h2"):
        text = fold_whitespace(el.text_content())
        if len(text) >= 4:
            return text
    return None


def _title(tree: HtmlElement, meta: dict[str, str]) -> str | None:
    title = meta.get("articletitle") or _heading(tree)
    if not title and meta.get("<title>"):
        title = _TITLE_SUFFIX.sub("", meta["<title>"]) or meta["<title>"]
    return fold_whitespace(title) if title else None


def _info_lines(before: list[str], after: list[str], title: str | None) -> list[str]:
    """Metadata lines between the headline and the body, and just after the body."""
    key = fold(title) if title else None
    start = next((i + 1 for i in range(len(before) - 1, -1, -1) if key and fold(before[i]) == key), None)
    head = before[start:] if start is not None else before[-6:]
    tail = []
    for line in after[:8]:
        if RELATED_HEADING.match(line):
            break
        tail.append(line)
    return [strip_bullet(line) for line in head + tail]


def _page_host(url: str | None, meta: dict[str, str]) -> str | None:
    for candidate in (url, meta.get("og:url")):
        if candidate and (host := urlsplit(candidate).hostname):
            return host
    return None


def _judge_hidden(blocks: list[HiddenBlock], body: list[str], record: Record, host: str | None,
                  config: CleanConfig) -> None:
    """Hidden blocks are spam, a hidden copy of the article, or harmless; all are kept in removed."""
    script = record.script
    for block in blocks:
        if not block.text and not block.links:
            continue
        links = external_spam_links(list(block.links), host, config.spam)
        text = block.text.replace("\n", " ")
        if not check_spam(text, article_script=script, hidden=True, spam_links=links, config=config.spam).keep:
            record.flag("spam_injected")
            record.cut("spam", text or " ".join(href for href, _ in block.links))
            continue
        coverage, _ = copy_coverage(body, block.text.split("\n"), config.repeats)
        if coverage >= _HIDDEN_COPY:
            record.flag("repeated_body")
            record.cut("repeated_body", block.text)
        elif text:
            record.cut("hidden", text)


def _judge_outside(outside: list[str], body: list[str], record: Record, config: CleanConfig) -> None:
    """Visible text around the container: a second copy of the article, or spam injected into the page."""
    coverage, copies = copy_coverage(body, outside, config.repeats)
    if coverage >= _OUTSIDE_COPY:
        record.flag("repeated_body")
        for line in copies:
            record.cut("repeated_body", line)
    for line in outside:
        if not check_spam(line, article_script=record.script, config=config.spam).keep:
            record.flag("spam_injected")
            record.cut("spam", line)


def _fallback_lines(tree: HtmlElement, url: str | None) -> list[str]:
    """No known container: trafilatura finds the main text (on a copy; it prunes the tree it reads)."""
    doc: Any = trafilatura.bare_extraction(deepcopy(tree), url=url, include_comments=False, include_tables=True,
                                           deduplicate=False)
    return ((doc.text if doc is not None else "") or "").splitlines()


def _extract_tree(tree: HtmlElement, url: str | None, config: CleanConfig) -> Record:
    meta = page_meta(tree)
    hidden = take_hidden(tree)
    root = tree.find("body")
    root = tree if root is None else root
    container = content_container(tree, min_chars=config.min_chars)
    lines_of_page = page_lines(root, container)
    record = Record(title=_title(tree, meta))
    if container is not None:
        lines = lines_of_page.body()
        before, after = lines_of_page.around_body(12, 12)
    else:
        lines = _fallback_lines(tree, url)
        before, after = lines_of_page.lines[:30], []
    record.source = meta.get("contentsource")
    date_lines = []
    for line in _info_lines(before, after, record.title):
        info = parse_meta_line(line)
        if info is None:
            continue
        date_lines.append(line)
        for name in ("source", "author", "editor"):
            if getattr(info, name) and not getattr(record, name):
                setattr(record, name, getattr(info, name))
    record = _finish(record, lines, config)
    if not record.author and meta.get("author"):
        record.author = meta["author"]
    _dates_into(record, meta, date_lines + record.removed.get("metadata", []))
    body = record.body.split("\n") if record.body else []
    _judge_hidden(hidden, body, record, _page_host(url, meta), config)
    if container is not None:
        _judge_outside(lines_of_page.outside(), body, record, config)
    return record


def clean_html(
    body: bytes | str,
    *,
    url: str | None = None,
    content_type: str | None = None,
    config: CleanConfig | None = None,
) -> tuple[Record, DecodedPage | None]:
    """Clean one HTML page; returns the record and, for bytes, how they were decoded.

    Raises ExtractionTimeout when the page takes longer than ``config.timeout_s``.
    """
    config = config or CleanConfig()
    decoded: DecodedPage | None = None
    if isinstance(body, bytes):
        decoded = decode_html(body[: config.max_input_bytes], content_type)
        text = decoded.text
    else:
        text = body[: config.max_input_bytes]
    if not text.strip() or (decoded and "binary_body" in decoded.flags):
        record = Record(flags=["empty_body"] + (list(decoded.flags) if decoded else []))
        return record, decoded
    with time_limit(config.timeout_s):
        tree = load_html(text)
        record = Record(flags=["unparseable", "empty_body"]) if tree is None else _extract_tree(tree, url, config)
    if decoded:
        for flag in decoded.flags:
            record.flag(flag)
    return record, decoded


def _title_index(lines: list[str]) -> int | None:
    """Where the headline is in a text dump: the first short line that is no chrome, date or kicker."""
    for i, line in enumerate(lines[:12]):
        if (
            4 <= len(line) <= 80
            and not _SENTENCE_END.search(line)
            and chrome_reason(line) is None
            and parse_meta_line(line) is None
            and not is_kicker(line)
        ):
            return i
    return None


def clean_text(text: str, *, config: CleanConfig | None = None) -> Record:
    """Clean a plain-text dump of a page (one line of page text a line, as the seeds are)."""
    config = config or CleanConfig()
    with time_limit(config.timeout_s):
        raw = text[: config.max_input_bytes // 3].splitlines()[: config.max_lines]
        lines = [strip_bullet(fold_whitespace(line)) for line in raw]
        lines = [line for line in lines if line]
        at = _title_index(lines)
        record = Record(title=lines[at] if at is not None else None)
        if at is not None:
            for line in lines[:at]:
                record.cut("header", line)  # a date up here is the site header's, not the article's
            lines = lines[at + 1 :]
        record = _finish(record, lines, config)
        _dates_into(record, {}, record.removed.get("metadata", []))
    return record
