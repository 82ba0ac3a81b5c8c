"""Jinja2 rendering: autoescaped templates, highlighted snippets, and links only to web addresses."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from web.i18n import translator

__all__ = ["context", "environment", "highlight", "safe_href", "web_path"]

TEMPLATES = Path(__file__).parent / "templates"


def highlight(snippet: str, spans: Sequence[Sequence[int]]) -> Markup:
    """*snippet* escaped, with each [start, end) span wrapped in <mark>."""
    out, pos = [], 0
    for start, end in sorted((int(s), int(e)) for s, e in spans):
        if start < pos or end <= start or end > len(snippet):
            continue
        out.append(escape(snippet[pos:start]))
        out.append(Markup("<mark>") + escape(snippet[start:end]) + Markup("</mark>"))
        pos = end
    out.append(escape(snippet[pos:]))
    return Markup("").join(out)


def safe_href(url: str | None) -> str | None:
    """*url* when it is an http(s) address (so javascript: and data: never become links), else None."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


def web_path(url: str) -> str:
    """The URL as the tail of a /web/<timestamp>/<url> permalink."""
    return quote(url, safe=":/?=&%#;,+@!$'()*~.-_")


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["highlight"] = highlight
    env.filters["href"] = safe_href
    env.filters["web_path"] = web_path
    env.filters["day"] = lambda iso: (iso or "")[:10]
    env.filters["minute"] = lambda iso: (iso or "")[:16].replace("T", " ")
    env.globals["translator"] = translator
    return env


def context(lang: str, **values: Any) -> dict[str, Any]:
    return {"t": translator(lang), "ui": lang, **values}
