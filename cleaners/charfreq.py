"""How ordinary a run of Chinese text looks, one character at a time.

GB2312 orders its Han characters by frequency band: level 1 (lead bytes B0-D7) holds the 3755 常用字,
level 2 (D8-F7) the next 3008; everything else in GBK is rare. Traditional text is judged by its
Simplified form, so 現 scores like 现. This is the character-frequency score the mojibake repair
uses to tell re-decoded text from garble, with no word list to ship.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from cleaners.language import to_simplified

__all__ = ["char_score", "garbled_runs", "run_score"]

# common CJK and ASCII punctuation that ordinary Chinese prose is full of
_PUNCT = set("，。、；：？！“”‘’《》（）【】—…·「」『』〈〉,.;:?!()[]%+-/\"'")
_CJK_PUNCT = set("，。、“”《》")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@lru_cache(maxsize=65536)
def char_score(ch: str) -> float:
    """1.0 for a common character, down to -2.0 for one that ordinary text never holds."""
    if ch in _CJK_PUNCT:
        return 1.2  # sentence punctuation is the commonest thing in Chinese prose
    if ch in _PUNCT or ch.isdigit():
        return 1.0
    if ch.isspace():
        return 0.5
    if _HAN.match(ch):
        simple = to_simplified(ch)
        try:
            raw = simple.encode("gb2312")
        except UnicodeEncodeError:
            return -0.5  # outside GB2312: GBK extension or rarer
        if 0xB0 <= raw[0] <= 0xD7:
            return 1.0
        return 0.2  # level 2: real but uncommon
    if ch.isascii() and ch.isalpha():
        return 0.0  # Latin letters are fine in words, suspicious one at a time (judged by run_score)
    cat = unicodedata.category(ch)
    if cat in ("Co", "Cn", "Cs") or ch == "\ufffd":
        return -2.0  # private use, unassigned, replacement character
    if "\u3040" <= ch <= "\u30ff" or "\uff61" <= ch <= "\uff9f":
        return -2.0  # kana in a Chinese page is what misread GBK bytes look like
    if ch in "€‚ƒ„†‡ˆ‰Š‹ŒŽ•–˜™š›œžŸ":
        return -2.0  # Windows-1252 glyphs for lone high bytes
    if cat.startswith(("P", "S")):
        return 0.3
    return -1.0


def run_score(text: str) -> float:
    """Mean character score of *text*; a lone Latin letter between Han characters counts as garble."""
    if not text:
        return 0.0
    total = 0.0
    for i, ch in enumerate(text):
        score = char_score(ch)
        if ch.isascii() and ch.isalpha():
            before = text[i - 1] if i else ""
            after = text[i + 1] if i + 1 < len(text) else ""
            alone = not (before.isascii() and before.isalnum()) and not (after.isascii() and after.isalnum())
            # one Latin letter between Han characters is a misread trail byte far more often than a word
            between_han = bool(_HAN.match(before or " ")) and bool(_HAN.match(after or " "))
            score = (-2.0 if between_han else -1.0) if alone else 0.8
        total += score
    return total / len(text)


def garbled_runs(text: str, *, window: int = 6, floor: float = -0.2) -> list[tuple[int, int]]:
    """Spans of *text* whose *window*-character mean score falls below *floor* (merged, in order)."""
    if len(text) < window:
        return []
    scores = [char_score(ch) if not (ch.isascii() and ch.isalpha()) else 0.3 for ch in text]
    spans: list[tuple[int, int]] = []
    total = sum(scores[:window])
    limit = floor * window
    for i in range(len(text) - window + 1):
        if i:
            total += scores[i + window - 1] - scores[i - 1]
        if total < limit:
            if spans and spans[-1][1] >= i:
                spans[-1] = (spans[-1][0], i + window)
            else:
                spans.append((i, i + window))
    return spans
