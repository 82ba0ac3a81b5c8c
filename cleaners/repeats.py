"""A page that carries its article twice (screen and print copies, a hidden TRS copy): keep one.

Lines are compared by character 5-gram shingles after NFKC and whitespace folding (STYLE G10), so a
near-identical second copy (a print copy missing a line, a paragraph with one word changed) is still
found. Everything here is deterministic: the same lines always give the same cut.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from cleaners.types import RepeatConfig

__all__ = ["copy_coverage", "find_second_copy", "fold", "shingles"]

_SPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """NFKC with all whitespace removed: the form lines are compared in."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def shingles(text: str, n: int = 5) -> set[str]:
    """Character n-grams of *text* after folding (the whole text when shorter than n)."""
    norm = fold(text)
    return {norm[i : i + n] for i in range(max(len(norm) - n + 1, 1))}


def _repeats_of(lines: list[str], config: RepeatConfig) -> list[bool]:
    """For each line: does it repeat (nearly) a line before it?"""
    index: dict[str, list[int]] = {}
    out = []
    for i, line in enumerate(lines):
        grams = shingles(line, config.n)
        repeat = False
        if len(fold(line)) >= config.min_line:
            hits: Counter[int] = Counter()
            for g in grams:
                for j in index.get(g, ()):
                    hits[j] += 1
            repeat = bool(hits) and max(hits.values()) >= config.similar * len(grams)
        out.append(repeat)
        for g in grams:
            postings = index.setdefault(g, [])
            if len(postings) < 4:  # a line repeated many times needs no more evidence; keeps this linear
                postings.append(i)
    return out


def find_second_copy(lines: list[str], config: RepeatConfig | None = None) -> tuple[int, int] | None:
    """The span [start, end) of a second copy of the text inside *lines*, or None."""
    config = config or RepeatConfig()
    flags = _repeats_of(lines, config)
    marked = [i for i, f in enumerate(flags) if f]
    if not marked:
        return None
    total = sum(len(fold(line)) for line in lines)
    repeated = sum(len(fold(lines[i])) for i in marked)
    if repeated < config.min_share * (total - repeated):
        return None  # a quoted sentence or a repeated slogan, not a second copy
    start, end = marked[0], marked[-1] + 1
    return start, end


def copy_coverage(body: list[str], other: list[str], config: RepeatConfig | None = None) -> tuple[float, list[str]]:
    """How much of *body* the lines in *other* repeat (0..1), and those lines."""
    config = config or RepeatConfig()
    body_grams: set[str] = set()
    for line in body:
        body_grams |= shingles(line, config.n)
    if not body_grams:
        return 0.0, []
    covered: set[str] = set()
    copies = []
    for line in other:
        if len(fold(line)) < config.min_line:
            continue
        grams = shingles(line, config.n)
        if len(grams & body_grams) >= config.similar * len(grams):
            covered |= grams & body_grams
            copies.append(line)
    return len(covered) / len(body_grams), copies
