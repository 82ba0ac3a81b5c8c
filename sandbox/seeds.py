"""The five seed pages (as a naive scraper saved them) and their gold records, read from ``sandbox/data``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["DATA_DIR", "Seed", "load_seed"]

DATA_DIR = Path(__file__).resolve().parent / "data"

# Which seed lines are the body region of the page (inclusive, 0-based), per seed id. Everything outside is
# chrome that the site templates reproduce in its natural place (breadcrumb, info line, footer, ...).
_BODY_REGION = {
    "000": (4, 22),
    "001": (2, 9),
    "002": (9, 97),
    "003": (4, 69),
    "004": (8, 58),
}


@dataclass(frozen=True)
class Seed:
    """One seed: raw lines of the saved page text and the gold record."""

    id: str
    stem: str
    lines: tuple[str, ...]
    gold: dict[str, Any]

    @property
    def body_region(self) -> list[str]:
        """Non-empty lines of the page's body region, stripped (bylines and captions included)."""
        start, end = _BODY_REGION[self.id]
        out = []
        for line in self.lines[start : end + 1]:
            text = line.strip().lstrip("•").strip()
            if text:
                out.append(text)
        return out

    @property
    def gold_body(self) -> list[str]:
        return str(self.gold["body"]).split("\n")

    def line(self, index: int) -> str:
        return self.lines[index].strip().lstrip("•").strip()


@cache
def load_seed(seed_id: str) -> Seed:
    """Load seed ``seed_id`` ("000".."004") from the packaged data directory."""
    (txt,) = sorted((DATA_DIR / "seeds").glob(f"{seed_id}_*.txt"))
    gold = json.loads((DATA_DIR / "gold" / f"{txt.stem}.json").read_text(encoding="utf-8"))
    lines = tuple(txt.read_text(encoding="utf-8").split("\n"))
    return Seed(seed_id, txt.stem, lines, gold)
