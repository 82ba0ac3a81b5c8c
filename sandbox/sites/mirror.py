"""``mirror.spam.test``: an off-site spam mirror of article R that a correct crawler never fetches."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Response, Site, esc
from ..textgen import R_BODY, R_TITLE, SPAM_KEYWORDS, to_traditional

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["MirrorSite"]

# pinyin interleaved into the copied text, as in real mirror spam (國務院辦(ban)公廳)
_PINYIN = (("信息", "信息(xin xi)"), ("辦", "辦(ban)"), ("網", "網(wang)"))


def _spin(text: str) -> str:
    text = to_traditional(text)
    for word, spun in _PINYIN:
        text = text.replace(word, spun, 1)
    return text


class MirrorSite(Site):
    host = "mirror.spam.test"
    name = "镜像站"
    family = "spam_mirror"

    def start_urls(self) -> list[str]:
        return []

    def route(self, path: str, query: Mapping[str, str], method: str, body: bytes) -> Response | None:
        if path not in ("/", "/copy.html"):
            return None
        paras = "\n".join(f"<p>{esc(_spin(p))}</p>" for p in R_BODY)
        page = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{esc(_spin(R_TITLE))}_{SPAM_KEYWORDS.split()[0]}</title>
<meta name="keywords" content="{SPAM_KEYWORDS}"></head>
<body><div class="top">{SPAM_KEYWORDS}</div>
<h1>{esc(_spin(R_TITLE))}</h1><div class="info">来源:作者原创</div>
{paras}
</body></html>
"""
        return self.html(page)
