"""Plain data shared by the cleaners: configuration, the clean record, verdicts."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["KEEP", "CleanConfig", "Record", "Verdict"]


@dataclass(frozen=True, slots=True, kw_only=True)
class CleanConfig:
    min_chars: int = 60  # shorter bodies are index pages, stubs or error pages on the sites we crawl
    timeout_s: float = 20.0  # wall-clock cap on one page's extraction (G9)
    max_input_bytes: int = 8 * 1024 * 1024  # bigger inputs are cut before parsing
    langdetect_seed: int = 0  # langdetect is random unless seeded


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
