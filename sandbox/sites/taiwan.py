"""S7 ``www.taiwan.cn.test``: state-media TRS site (中国台湾网) with ``下一页`` anchors and seed 002's noise."""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING

from ..model import Article, Column, Response, Site, esc
from ..seeds import load_seed
from .common import at, make_filler

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

__all__ = ["TaiwanSite"]

BASE = "/xwzx/szxw"
_LIST = re.compile(rf"^{BASE}/(?:index(?:_(\d+))?\.htm)?$")
SEED_PATH = f"{BASE}/201612/t20161201_11631245.htm"
_BREAD = "中国台湾网&nbsp;&nbsp;> &nbsp;&nbsp;新闻中心&nbsp;&nbsp;> &nbsp;&nbsp;时政新闻"

_FOOTER = """<div class="footer">
<p>主办单位：中国台湾网　<a href="/">关于我们</a>　<a href="/">联系我们</a>　<a href="/">网站地图</a></p>
<p>版权所有 中国台湾网　京ICP备05080869号　京公网安备 11010202000024号　网站标识码：tw00000001</p>
</div>"""


def _path(i: int, moment: datetime, column: str) -> str:
    return f"{BASE}/{moment:%Y%m}/t{moment:%Y%m%d}_{12500000 + i}.htm"


class TaiwanSite(Site):
    host = "www.taiwan.cn.test"
    name = "中国台湾网"
    family = "trs_media"
    robots = "User-agent: *\nDisallow: /search/\n"

    def __init__(self, scale: int) -> None:
        super().__init__(scale)
        self.columns["szxw"] = Column("szxw", "时政新闻", per_page=20)
        make_filler(self, lambda i: "szxw", _path, ("中国台湾网", "新华社", "中国新闻网", "人民网"))
        seed = load_seed("002")
        g = seed.gold
        self.add(
            Article(
                self.host,
                SEED_PATH,
                g["title"],
                at(2016, 12, 1, 20, 12, 20),
                at(2016, 12, 1).date(),
                g["source"],
                kind="seed",
                column="szxw",
                seed="002",
                editor=g["editor"],
                author=g["author"],
                flags=tuple(g["flags"]),
                make_body=lambda: seed.gold_body,
                extra={"page_lines": seed.body_region},
            )
        )
        self.finish()

    def start_urls(self) -> list[str]:
        return [self.url(f"{BASE}/index.htm")]

    def route(self, path: str, query: Mapping[str, str], method: str, body: bytes) -> Response | None:
        match = _LIST.match(path)
        if match:
            return self._list(int(match[1]) + 1 if match[1] else 1)
        article = self.by_path.get(path)
        return self._article(article) if article else None

    # -- templates --------------------------------------------------------------------------------
    def _page(self, title: str, main: str, head: str = "") -> str:
        return f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><title>{esc(title)}_中国台湾网</title>{head}</head>
<body><div class="top"><a href="/">中国台湾网</a> | <a href="{BASE}/index.htm">时政新闻</a></div>
<div class="ad" id="ad9">ad9_210*60</div>
{main}
{_FOOTER}
</body></html>
"""

    def _list(self, number: int) -> Response | None:
        column = self.columns["szxw"]
        if number > column.page_count:
            return None
        items = column.page(number)
        lis = "".join(
            f'<li><a href=".{a.path[len(BASE) :]}" target="_blank">{esc(a.title)}</a><span>{a.day.isoformat()}</span></li>\n'
            for a in items
        )
        nxt = f'<a href="index_{number}.htm">下一页</a>' if number < column.page_count else ""
        prev = ""
        if number > 1:
            prev = f'<a href="{"index.htm" if number == 2 else f"index_{number - 2}.htm"}">上一页</a> '
        main = f'<div class="bread">{_BREAD}</div>\n<ul class="list">\n{lis}</ul>\n<div class="page">{prev}{nxt}</div>'
        return self.html(self._page("时政新闻", main), modified=items[0].last_modified if items else None)

    def _body(self, a: Article) -> str:
        out = []
        for line in a.extra.get("page_lines", a.paragraphs):
            if line == a.title:  # the image's alt text, as the seed scraper saw it
                name = hashlib.md5(f"{a.path}:{len(out)}".encode()).hexdigest()[:12]
                out.append(
                    f'<p align="center"><img src="./W0{a.day:%Y%m%d}{name}.jpg" alt="{esc(a.title)}" '
                    f'title="{esc(a.title)}" border="0"></p>\n<p align="center" class="pic">{esc(line)}</p>'
                )
            elif line.startswith("△"):
                out.append(f'<p align="center" style="color:#666">{esc(line)}</p>')
            else:
                out.append(f"<p>　　{esc(line)}</p>")
        return "\n".join(out)

    def _article(self, a: Article) -> Response:
        assert a.published is not None
        related = "".join(
            f'<li><a href="{r.path}" target="_blank">{esc(r.title)}</a></li>' for r in self.related(a)
        )
        head = (
            f'\n<meta name="ArticleTitle" content="{esc(a.title)}">\n<meta name="PubDate" content="{a.published:%Y-%m-%d %H:%M:%S}">'
            f'\n<meta name="ContentSource" content="{esc(a.source or "")}">'
        )
        main = f"""<div class="keywords">关键词:</div>
<div class="bread">{_BREAD}</div>
<div class="article">
<h1>{esc(a.title)}</h1>
<div class="info">{a.published:%Y年%m月%d日 %H:%M:%S}&nbsp;&nbsp;来源:{esc(a.source or "")}</div>
<div class="fontsize">字号:&nbsp;&nbsp;<a class="big" href="javascript:;" title="大"></a>&nbsp;&nbsp;<a class="small" href="javascript:;" title="小"></a></div>
<div class="TRS_Editor">
{self._body(a)}
</div>
<div class="editor">[责任编辑:{esc(a.editor)}]</div>
<div class="tools"><a href="javascript:window.print()">【打印】</a> <a href="javascript:window.close()">【关闭】</a></div>
<div class="qr">扫一扫在手机打开当前页</div>
<div class="related"><h3>相关内容</h3><ul>{related}</ul></div>
</div>"""
        return self.html(self._page(a.title, main, head), modified=a.last_modified)
