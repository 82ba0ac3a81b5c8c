"""Language and script: langdetect with a fixed seed, guarded by a Han-script count; OpenCC for script."""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["detect_language", "detect_script", "to_simplified"]

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LETTER = re.compile(r"[^\W\d_]")


@lru_cache(maxsize=1)
def _converters() -> tuple[object, object]:
    from opencc import OpenCC

    return OpenCC("t2s"), OpenCC("s2t")


def to_simplified(text: str) -> str:
    """The Simplified form of *text* (used for search and dedup; the body stays as published)."""
    t2s, _ = _converters()
    return t2s.convert(text)  # type: ignore[attr-defined]


@lru_cache(maxsize=65536)
def _char_kind(ch: str) -> int:
    """1 if *ch* is a Traditional-only form, 2 if Simplified-only, 0 if shared."""
    t2s, s2t = _converters()
    if t2s.convert(ch) != ch:  # type: ignore[attr-defined]
        return 1
    if s2t.convert(ch) != ch:  # type: ignore[attr-defined]
        return 2
    return 0


def detect_script(text: str) -> str | None:
    """simplified, traditional or mixed; None when *text* holds no Han characters."""
    trad = simp = 0
    han = 0
    for ch in _HAN.findall(text):
        han += 1
        kind = _char_kind(ch)
        if kind == 1:
            trad += 1
        elif kind == 2:
            simp += 1
    if not han:
        return None
    marked = trad + simp
    if marked == 0 or trad / marked < 0.2:
        return "simplified"
    if trad / marked > 0.8:
        return "traditional"
    return "mixed"


def detect_language(text: str, *, seed: int = 0) -> str | None:
    """An ISO 639-1 code; Chinese is 'zh' whenever Han characters dominate the letters."""
    sample = text[:5000]
    letters = _LETTER.findall(sample)
    if not letters:
        return None
    han = sum(1 for ch in letters if _HAN.match(ch))
    if han / len(letters) >= 0.3:  # langdetect can call Chinese text Korean or Japanese
        return "zh"
    from langdetect import DetectorFactory, LangDetectException, detect

    DetectorFactory.seed = seed
    try:
        lang = detect(sample)
    except LangDetectException:
        return None
    return lang.split("-")[0]
