"""Extraction: captured HTML (or a plain-text dump) to a clean Record.

trafilatura finds the main text and generic metadata; government meta tags (ArticleTitle, PubDate,
ContentSource, firstpublishedtime) take precedence; then the Chinese cleaners run (cleaners.chinese).
"""

from __future__ import annotations

import re
from copy import deepcopy
from typing import Any

import trafilatura
from lxml.html import HtmlElement, fromstring
from trafilatura.utils import load_html

from cleaners.charset import DecodedPage, decode_html
from cleaners.chinese import clean_lines, fold_whitespace
from cleaners.dates import find_published
from cleaners.language import detect_language, detect_script, to_simplified
from cleaners.limits import ExtractionTimeout, time_limit
from cleaners.types import CleanConfig, Record

__all__ = ["CLEANER_VERSION", "ExtractionTimeout", "clean_html", "clean_text", "page_meta"]

CLEANER_VERSION = "0.1.0"

_TITLE_SUFFIX = re.compile(r"\s*(?:[_|｜]|\s-\s|--|——)\s*[^_|｜]{2,40}$")
_SOURCE_LINE = re.compile(r"(?:来源|來源|稿源)\s*[:：]\s*([^\s|｜]{2,40})")
_META_KEYS = {"articletitle", "pubdate", "contentsource", "firstpublishedtime", "publishdate", "author",
              "keywords", "description", "sitename", "columnname", "article:published_time"}


# where government CMSs put the article (site-patterns §3.2), most specific first
_CONTAINERS = tuple(
    f"//*[@id='{name[1:]}']" if name.startswith("#")
    else f"//*[contains(concat(' ', normalize-space(@class), ' '), ' {name[1:]} ')]"
    for name in ("#BodyLabel", "#UCAP-CONTENT", ".pages_content", ".TRS_UEDITOR", ".TRS_Editor",
                 ".Custom_UnionStyle", "#zoom", ".article_zoom", ".article-content", ".article_con",
                 ".news_content", ".zwcontent", "#content")
)
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def _visible(el: HtmlElement) -> bool:
    return not any(_HIDDEN.search(node.get("style") or "") for node in (el, *el.iterancestors()))


def content_container(tree: HtmlElement, *, min_chars: int) -> HtmlElement | None:
    """The first visible known article container holding at least *min_chars* of text."""
    for xpath in _CONTAINERS:
        for el in tree.xpath(xpath):
            if _visible(el) and len(el.text_content().strip()) >= min_chars:
                return el
    return None


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
        if len(text) >= 4 and _visible(el):
            return text
    return None


def _extract_tree(tree: HtmlElement, url: str | None, config: CleanConfig) -> Record:
    meta = page_meta(tree)
    # the header/info lines trafilatura drops still carry the date and source: read them first
    head_text = [fold_whitespace(t) for t in tree.xpath("//body//text()")[:400] if t.strip()]
    heading = _heading(tree)
    container = content_container(tree, min_chars=config.min_chars)
    text, doc = "", None
    if container is not None:
        # trafilatura on the CMS's own container keeps its paragraphing but never the page chrome
        wrapper = fromstring("<html><body></body></html>")
        wrapper.find("body").append(deepcopy(container))
        inner: Any = trafilatura.bare_extraction(wrapper, url=url, include_comments=False, include_tables=True,
                                                 deduplicate=False)
        text = (inner.text if inner is not None else "") or ""
    if len(text) < config.min_chars:
        doc = trafilatura.bare_extraction(
            tree, url=url, with_metadata=True, include_comments=False, include_tables=True, deduplicate=False
        )
        text = (doc.text if doc is not None else "") or ""
    record = Record()
    title = meta.get("articletitle") or heading or (doc.title if doc is not None else None)
    if not title and meta.get("<title>"):
        title = _TITLE_SUFFIX.sub("", meta["<title>"]) or meta["<title>"]
    record.title = fold_whitespace(title) if title else None
    record.source = meta.get("contentsource")
    if not record.source:
        for line in head_text:
            if m := _SOURCE_LINE.search(line):
                record.source = m.group(1)
                break
    record.author = meta.get("author") or (doc.author if doc is not None else None)
    _dates_into(record, meta, head_text)
    return _finish(record, text.splitlines(), config)


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
        record = Record(flags=["unparseable"]) if tree is None else _extract_tree(tree, url, config)
    if decoded:
        for flag in decoded.flags:
            record.flag(flag)
    return record, decoded


def clean_text(text: str, *, config: CleanConfig | None = None) -> Record:
    """Clean a plain-text dump of a page (one line of page text a line, as the seeds are)."""
    config = config or CleanConfig()
    lines = [fold_whitespace(line) for line in text.splitlines()]
    lines = [line for line in lines if line]
    record = Record(title=lines[0] if lines else None)
    _dates_into(record, {}, lines)
    return _finish(record, lines[1:], config)
