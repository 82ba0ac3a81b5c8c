"""Cleaners: turn raw captured bytes into clean article records.

Pure functions over bytes and text with frozen config dataclasses; a plain library that never
imports Scrapy, so workers, `govnews extract` and `govnews reprocess` share one code path.
"""

from __future__ import annotations

from cleaners.charset import DecodedPage, decode_html
from cleaners.extract import CLEANER_VERSION, clean_html, clean_text
from cleaners.types import CleanConfig, Record

__all__ = ["CLEANER_VERSION", "CleanConfig", "DecodedPage", "Record", "clean_html", "clean_text", "decode_html"]
