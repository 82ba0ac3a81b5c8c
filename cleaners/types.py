"""Plain data shared by the cleaners: configuration, the clean record, verdicts."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["KEEP", "CleanConfig", "MojibakeConfig", "Record", "RepeatConfig", "SpamConfig", "Verdict"]


# terms that only SEO spam uses (both scripts, since spam is often Simplified under Traditional text)
_STRONG = (
    "百家乐", "百家樂", "时时彩", "時時彩", "快三", "快3", "六合彩", "北京赛车", "北京賽車", "网上赌场", "網上賭場",
    "赌场", "賭場", "博彩", "体育投注", "體育投注", "威尼斯人", "太阳城", "太陽城", "11选5", "11選5", "排列三",
    "排列3", "配资", "配資", "真人娱乐", "娱乐城", "娛樂城", "葡京", "老虎机", "老虎機", "幸运飞艇", "PK10", "pk10",
    "私服", "代开发票", "代開發票", "银商", "上下分", "彩票开户", "开户送", "注册送", "时时彩计划", "快乐12", "快樂12",
)
# words real government articles also use (lottery regulation, fraud and gambling crackdowns)
_WEAK = (
    "彩票", "彩民", "开奖", "開獎", "走势图", "走勢圖", "投注", "开户", "開戶", "赌博", "賭博", "澳门", "澳門", "刷单",
    "套现", "外挂", "办证", "辦證", "赚钱", "賺錢", "官网", "期货", "股票", "玩法", "技巧", "揭秘", "推荐",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class SpamConfig:
    strong_terms: tuple[str, ...] = _STRONG
    weak_terms: tuple[str, ...] = _WEAK
    threshold: float = 3.5  # summed signal weights that make a text spam
    min_density: float = 0.12  # share of characters inside lexicon terms
    min_fragments: int = 4  # space-separated phrases without sentence punctuation: keyword salad
    weights: tuple[tuple[str, float], ...] = (
        ("strong_term", 1.0),  # per distinct strong term, at most four
        ("weak_term", 0.3),  # per distinct weak term, at most three
        ("density", 1.5),
        ("keyword_salad", 1.0),
        ("script_mismatch", 1.5),
        ("hidden", 2.0),
        ("external_links", 2.0),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class MojibakeConfig:
    max_run: int = 24  # a misaligned run longer than this is not re-synchronised damage
    # every GBK lead byte may be the lost one; the punctuation row A1 is the likeliest, so it wins ties
    leads: tuple[int, ...] = (0xA1, 0xA3, *(b for b in range(0x81, 0xFF) if b not in (0xA1, 0xA3)))
    min_score: float = 0.7  # the repaired text must read like ordinary Chinese
    min_gain: float = 1.5  # ... and clearly better than the garbled run (summed character scores)
    context: int = 6  # characters after the run that both versions are scored with
    lead_penalty: float = 0.5  # another lead byte must beat A1 by this much (summed character scores)
    max_attempts: int = 300  # repair attempts per page: a page of question marks must stay cheap


@dataclass(frozen=True, slots=True, kw_only=True)
class RepeatConfig:
    min_line: int = 8  # shorter lines (subheads, labels) repeat by chance
    similar: float = 0.8  # share of a line's shingles found in one earlier line: the same paragraph
    min_share: float = 0.4  # the repeated lines must be this share of the body's characters
    n: int = 5


@dataclass(frozen=True, slots=True, kw_only=True)
class CleanConfig:
    min_chars: int = 60  # shorter bodies are index pages, stubs or error pages on the sites we crawl
    timeout_s: float = 20.0  # wall-clock cap on one page's extraction (G9)
    max_input_bytes: int = 8 * 1024 * 1024  # bigger inputs are cut before parsing
    langdetect_seed: int = 0  # langdetect is random unless seeded
    max_lines: int = 20000  # an endless-lines dump is cut here, before the line cleaners see it
    spam: SpamConfig = SpamConfig()
    mojibake: MojibakeConfig = MojibakeConfig()
    repeats: RepeatConfig = RepeatConfig()


@dataclass(frozen=True, slots=True)
class Verdict:
    keep: bool
    reason: str | None = None  # short snake_case; becomes a stats key and a DB status


KEEP = Verdict(True)


@dataclass(slots=True, kw_only=True)
class Record:
    """The clean archive record of one page (the keys `govnews extract` prints)."""

    title: str | None = None
    published: str | None = None  # ISO 8601 with +08:00 when the page gives a time
    date: str | None = None  # YYYY-MM-DD in Asia/Shanghai when the page gives a day
    source: str | None = None
    author: str | None = None
    editor: str | None = None
    body: str = ""  # one paragraph a line
    language: str | None = None
    script: str | None = None  # simplified | traditional | mixed
    flags: list[str] = field(default_factory=list)
    removed: dict[str, list[str]] = field(default_factory=dict)  # what was cut, by reason
    body_simplified: str = ""

    PUBLIC_KEYS = ("title", "published", "date", "source", "author", "editor", "body", "language", "script", "flags")

    def public(self) -> dict[str, Any]:
        """The record as `govnews extract` prints it."""
        d = asdict(self)
        return {k: d[k] for k in self.PUBLIC_KEYS}

    def flag(self, name: str) -> None:
        if name not in self.flags:
            self.flags.append(name)

    def cut(self, reason: str, text: str) -> None:
        self.removed.setdefault(reason, []).append(text)
