"""S6 ``www.gov.cn.test``: national portal (UCAP) with a real next link, hidden share copies and a malformed tail."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..model import Article, Column, Response, Site, esc
from ..textgen import R_BODY, R_TITLE
from .common import at, make_filler, paragraphs_html

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

__all__ = ["GovCnSite"]

BASE = "/yaowen/liebiao"
_LIST = re.compile(rf"^{BASE}/home(?:_(\d+))?\.htm$")
R_PATH = f"{BASE}/202603/content_7012345.htm"
REDIRECT = "/xinwen/gundong.htm"
_KEYWORDS = ("网络安全", "数字政府", "乡村振兴", "个人信息保护", "政务服务", "数据安全")

_FOOTER = """<div class="footer">
<p><a href="/">网站地图</a>　联系我们　<a href="/">使用帮助</a></p>
<p>主办单位：国务院办公厅　运行维护单位：中国政府网运行中心</p>
<p>版权所有：中国政府网　中文域名：中国政府网.政务　京ICP备05070218号　京公网安备11010202000001号　网站标识码bm01000001</p>
</div>"""


def _path(i: int, moment: datetime, column: str) -> str:
    return f"{BASE}/{moment:%Y%m}/content_{7080000 - i}.htm"


class GovCnSite(Site):
    host = "www.gov.cn.test"
    name = "中国政府网"
    family = "ucap"
    robots = "User-agent: *\nDisallow: /big5/\n"

    def __init__(self, scale: int) -> None:
        super().__init__(scale)
        self.columns["yaowen"] = Column("yaowen", "要闻", per_page=20)
        make_filler(self, lambda i: "yaowen", _path, ("新华社", "人民日报", "中国政府网", "央视新闻"))
        self.add(
            Article(
                self.host,
                R_PATH,
                R_TITLE,
                at(2026, 3, 14, 10, 30),
                at(2026, 3, 14).date(),
                "中国网信网",
                kind="reprint",
                column="yaowen",
                editor="宋岩",
                flags=("reprint_cluster", "hidden_share_copy"),
                make_body=lambda: list(R_BODY),
            )
        )
        self.finish()

    def start_urls(self) -> list[str]:
        return [self.url(f"{BASE}/home.htm")]

    def route(self, path: str, query: Mapping[str, str], method: str, body: bytes) -> Response | None:
        if path in ("/", "/index.htm"):
            links = (
                f'<li><a href="{BASE}/home.htm">要闻</a></li><li><a href="{REDIRECT}">滚动新闻</a></li>'
                + "".join(f'<li><a href="{a.path}">{esc(a.title)}</a></li>' for a in self.articles[:6])
            )
            return self.html(self._page("首页", f'<div class="news_box"><ul class="list">{links}</ul></div>'))
        if path == "/fuwu/jiucuo.htm":
            return self.html(
                self._page("我要纠错", '<div class="jiucuo">欢迎您对中国政府网提出纠错意见</div>')
            )
        if path == REDIRECT:
            return Response(
                301,
                {"Location": self.url(f"{BASE}/home.htm"), "Content-Type": "text/html; charset=utf-8"},
                b"<html><body>Moved Permanently</body></html>",
            )
        match = _LIST.match(path)
        if match and match[1] != "0":
            return self._list(int(match[1]) + 1 if match[1] else 1)
        article = self.by_path.get(path)
        return self._article(article) if article else None

    # -- templates --------------------------------------------------------------------------------
    def _page(self, title: str, main: str, head: str = "", tail: str = "</body>\n</html>\n") -> str:
        return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{esc(title)}_中国政府网</title>{head}</head>
<body><div class="header"><div class="logo"><a href="/">中国政府网</a></div>
<div class="nav"><a href="/">首页</a> <a href="{BASE}/home.htm">要闻</a> <a href="/">政策</a> <a href="/">服务</a></div></div>
{main}
{_FOOTER}
{tail}"""

    def _list(self, number: int) -> Response | None:
        column = self.columns["yaowen"]
        if number > column.page_count:
            return None
        items = column.page(number)
        lis = []
        for k, a in enumerate(items):
            if k and k % 5 == 0:
                lis.append('<li class="line"></li>')
            lis.append(
                f'<li><h4><a href="{a.path}" target="_blank">{esc(a.title)}</a><span class="date">{a.day.isoformat()}</span></h4></li>'
            )
        nxt = f'<a class="next" href="home_{number}.htm">下一页</a>' if number < column.page_count else ""
        main = (
            '<div class="crumb"><a href="/">首页</a> &gt; 要闻</div>\n<div class="news_box"><div class="list">\n<ul>\n'
            + "\n".join(lis)
            + f'\n</ul>\n</div>\n<div class="pages">{nxt}</div></div>'
        )
        return self.html(self._page("要闻", main), modified=items[0].last_modified if items else None)

    def _article(self, a: Article) -> Response:
        assert a.published is not None
        keywords = ",".join(_KEYWORDS[(len(a.title) + k) % len(_KEYWORDS)] for k in range(2)) + ","
        manuscript = a.path.rsplit("_", 1)[1].split(".")[0]
        head = (
            f'\n<meta name="firstpublishedtime" content="{a.published:%Y-%m-%d-%H:%M:%S}">'
            f'\n<meta name="lastmodifiedtime" content="{a.published:%Y-%m-%d-%H:%M:%S}">'
            f'\n<meta name="manuscriptId" content="{manuscript}">\n<meta name="lanmu" content="要闻">'
            f'\n<meta name="keywords" content="{keywords}">'
            f'\n<meta name="description" content="{esc(a.paragraphs[0][:60])},{a.published:%Y-%m-%d}">'
        )
        related = "".join(
            f'<li><a href="{r.path}" target="_blank">{esc(r.title)}</a></li>' for r in self.related(a)
        )
        main = f"""<div class="article">
<h1>{esc(a.title)}</h1>
<div class="pages-date">{a.published:%Y-%m-%d %H:%M} <span class="font">来源： {esc(a.source or "")}</span></div>
<div class="pages_print"><span>【字体：<a href="javascript:;">大</a> <a href="javascript:;">中</a> <a href="javascript:;">小</a>】</span><a href="javascript:window.print()">打印</a></div>
<div class="pages_content" id="UCAP-CONTENT">
{paragraphs_html(a.paragraphs)}
</div>
<div class="editor"><a href="/fuwu/jiucuo.htm">【我要纠错】</a> <span class="zrbj">责任编辑：{esc(a.editor)}</span></div>
<div id="qr_container">扫一扫在手机打开当前页</div>
<div class="share-title" style="display:none">{esc(a.title)}</div>
<div class="share-substr" style="display:none">{esc(a.paragraphs[0])}</div>
<div class="xg-list"><h3>相关稿件</h3><ul>{related}</ul></div>
</div>"""
        tail = '</body> </body>\n</html>\n<script type="text/javascript" src="/images/mobile.js"></script>\n'
        return self.html(self._page(a.title, main, head, tail), modified=a.last_modified)
