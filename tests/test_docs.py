"""Every govnews setting is documented (datasette's test_settings_are_documented)."""

from __future__ import annotations

from pathlib import Path

from crawler import settings

DOCS = Path(__file__).resolve().parents[1] / "docs" / "settings.md"


def test_every_govnews_setting_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    names = [n for n in vars(settings) if n.startswith("GOVNEWS_")]
    assert names
    missing = [n for n in names if f"`{n}`" not in text]
    assert not missing, f"document these in docs/settings.md: {missing}"
