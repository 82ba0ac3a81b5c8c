"""S2 ``www.jswx.gov.cn.test``: TRS WCM, ``.shtml``, paging only through ``createPageHTML`` (both signatures)."""

from __future__ import annotations

import random
import re
from datetime import datetime
from typing import TYPE_CHECKING

from ..model import Article, Column, Response, Site, esc
from ..seeds import load_seed
from ..textgen import R_BODY, R_TITLE, filler_body
from .common import at, make_filler, paragraphs_html

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["JswxSite"]

# column key -> (breadcrumb labels, per page, paging style)
_COLUMNS = {
    "anquan/zixun": (("网络安全", "安全资讯"), 10, "classic"),
    "zhengce/zhifa": (("政策法规", "执法动态"), 5, "newer"),
    "csj/ahwx": (("长三角网信", "安徽网信"), 10, "classic"),
}
_LIST = re.compile(r"^/([a-z]+/[a-z]+)/(?:(index|list)(?:_(\d+))?\.shtml)?$")
R_PATH = "/zhengce/zhifa/202603/t20260313_1315342.shtml"
DUP_PATH = "/anquan/zixun/202604/t20260402_1320001.shtml"
SEED_PATH = "/csj/ahwx/202006/t20200619_1182731.shtml"

_FOOTER = """<div class="footer">
<p>主办单位：中共江苏省委网络安全和信息化委员会办公室　地址：南京市北京西路70号　邮编：210013</p>
<p>版权所有:中共江苏省委网络安全和信息化委员会办公室</p>
<p>备案号:苏ICP备20035922号　<span class="ga">苏公网安备 32010202010427号</span>　政府网站标识码：3200000061</p>
<p>技术支持:中国江苏网</p>
</div>"""


def _path(i: int, moment: datetime, column: str) -> str:
    return f"/{column}/{moment:%Y%m}/t{moment:%Y%m%d}_{1400000 + i}.shtml"


class JswxSite(Site):
    host = "www.jswx.gov.cn.test"
    name = "江苏网信网"
    family = "trs_wcm"
    robots = "User-agent: *\nDisallow: /search/\n"

    def __init__(self, scale: int) -> None:
        super().__init__(scale)
        for key, ((_, label), per_page, _style) in _COLUMNS.items():
            self.columns[key] = Column(key, label, per_page)
        keys = ("anquan/zixun", "anquan/zixun", "anquan/zixun", "zhengce/zhifa", "csj/ahwx")
        make_filler(
            self, lambda i: keys[i % 5], _path, ("江苏网信网", "新华日报", "交汇点", "中国江苏网", "省网信办")
        )
        self.add(
            Article(
                self.host,
                R_PATH,
                R_TITLE,
                at(2026, 3, 13, 10, 5),
                at(2026, 3, 13).date(),
                "中国网信网",
                kind="reprint",
                column="zhengce/zhifa",
                editor="王某",
                flags=("reprint_cluster",),
                make_body=lambda: list(R_BODY),
            )
        )
        self.add(
            Article(
                self.host,
                DUP_PATH,
                "江苏开展网络安全宣传周进校园活动",
                at(2026, 4, 2, 15, 20),
                at(2026, 4, 2).date(),
                "省网信办",
                kind="duplicate_body",
                column="anquan/zixun",
                editor="陈晨",
                flags=("repeated_body",),
                make_body=lambda: filler_body(random.Random("jswx:dup")),
            )
        )
        seed = load_seed("000")
        g = seed.gold
        self.add(
            Article(
                self.host,
                SEED_PATH,
                g["title"],
                at(2020, 6, 19, 13, 26),
                at(2020, 6, 19).date(),
                g["source"],
                kind="seed",
                column="csj/ahwx",
                seed="000",
                editor=g["editor"],
                author=g["author"],
                flags=tuple(g["flags"]),
                make_body=lambda: seed.gold_body,
                extra={"page_lines": seed.body_region, "breadcrumb": seed.line(0)},
            )
        )
        self.finish()

    def start_urls(self) -> list[str]:
        return [self.url(f"/{key}/") for key in _COLUMNS]

    def special(self) -> dict[str, list[str]]:
        zixun = self.columns["anquan/zixun"]
        return {
            "not_found": [self.url(f"/anquan/zixun/index_{zixun.page_count}.shtml")],
            "robots_disallowed": [self.url("/search/index.shtml")],
        }

    def route(self, path: str, query: Mapping[str, str], method: str, body: bytes) -> Response | None:
        if path in ("/", "/index.shtml"):
            return self.html(self._page("首页", self._bread(("首页",)), self._links(self.articles[:10])))
        if path.startswith("/search/"):
            return self.html(self._page("站内搜索", "", '<div class="search">请输入关键词</div>'))
        match = _LIST.match(path)
        if match and match[1] in _COLUMNS:
            return self._list(match[1], match[2] or "", match[3])
        article = self.by_path.get(path)
        return self._article(article) if article else None

    # -- templates --------------------------------------------------------------------------------
    def _bread(self, labels: tuple[str, ...]) -> str:
        crumbs = "&nbsp;>&nbsp;".join(
            f'<a href="/">{esc(x)}</a>' if i == 0 else f"<span>{esc(x)}</span>"
            for i, x in enumerate(("江苏网信网", *labels))
        )
        return f'<div class="bread">{crumbs}</div>'

    def _page(self, title: str, bread: str, main: str, head: str = "") -> str:
        nav = "".join(
            f'<li><a href="/{key}/">{esc(labels[0])}</a></li>' for key, (labels, _, _) in _COLUMNS.items()
        )
        return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{esc(title)} | 江苏网信网</title>
<meta name="SiteName" content="江苏网信网"><meta name="SiteIDCode" content="3200000061">{head}</head>
<body><div class="top"><div class="logo"><a href="/">江苏网信网</a></div>
<ul class="nav"><li><a href="/">首页</a></li>{nav}<li><a href="/search/index.shtml">站内搜索</a></li></ul></div>
{bread}
{main}
{_FOOTER}
</body></html>
"""

    def _links(self, items: list[Article], relative_to: str = "") -> str:
        def href(a: Article) -> str:
            return (
                "." + a.path[len(relative_to) :] if relative_to and a.path.startswith(relative_to) else a.path
            )

        lis = "".join(
            f'<li><a href="{href(a)}" target="_blank" title="{esc(a.title)}">{esc(a.title)}</a>'
            f"<span>{a.day.isoformat()}</span></li>\n"
            for a in items
        )
        return f'<ul class="list">\n{lis}</ul>'

    def _list(self, key: str, prefix: str, suffix: str | None) -> Response | None:
        labels, _per_page, style = _COLUMNS[key]
        column = self.columns[key]
        count = column.page_count
        if style == "classic":
            if prefix == "list":
                return None
            number = 1 if suffix is None else int(suffix) + 1
            script = f'createPageHTML({count}, {number - 1}, "index", "shtml");'
        else:
            if prefix == "index" or suffix == "1":
                return None
            number = 1 if suffix is None else int(suffix)
            script = f"createPageHTML('page_div',{count}, {number},'list','shtml',{len(column.articles)});"
        if number > count:
            return None
        items = column.page(number)
        main = (
            f'<div class="list-box">{self._links(items, f"/{key}")}</div>\n<div id="page_div" class="page"></div>\n'
            f"<script>{script}</script>"
        )
        return self.html(
            self._page(labels[1], self._bread(labels), main),
            modified=items[0].last_modified if items else None,
        )

    def _article(self, a: Article) -> Response:
        assert a.published is not None
        labels = _COLUMNS[a.column][0]
        bread = (
            f'<div class="bread">{esc(a.extra["breadcrumb"])}</div>'
            if "breadcrumb" in a.extra
            else self._bread((*labels, "正文"))
        )
        indent = "　　" if a.kind == "reprint" else ""
        body = paragraphs_html(a.extra.get("page_lines", a.paragraphs), indent)
        if a.kind == "reprint":
            body += f"\n<p>　　（责任编辑：{esc(a.editor)}）</p>"
        hidden = ""
        if a.kind == "duplicate_body":
            hidden = f'\n<div class="TRS_Editor" style="display:none">{paragraphs_html(a.paragraphs)}</div>'
        related = "".join(f'<li><a href="{r.path}">{esc(r.title)}</a></li>' for r in self.related(a))
        head = (
            f'\n<meta name="ArticleTitle" content="{esc(a.title)}">\n<meta name="PubDate" content="{a.published:%Y-%m-%d %H:%M}">\n'
            f'<meta name="ContentSource" content="{esc(a.source or "")}">\n<meta name="ColumnName" content="{esc(labels[1])}">'
        )
        main = f"""<div class="article">
<h1 class="title">{esc(a.title)}</h1>
<div class="info">{a.published:%Y-%m-%d %H:%M:%S}&nbsp;&nbsp;来源:{esc(a.source or "")}</div>
<div class="tools">字号：[ <a href="javascript:;">大</a> <a href="javascript:;">中</a> <a href="javascript:;">小</a> ] <a href="javascript:window.print()">【打印】</a><a href="javascript:window.close()">【关闭】</a></div>
<div class="view TRS_UEDITOR trs_paper_default trs_web">
{body}
</div>{hidden}
<div class="editor">编辑:{esc(a.editor)}</div>
<div class="share">分享到：<a href="javascript:;">微信</a> <a href="javascript:;">微博</a></div>
<div class="qr">扫一扫在手机打开当前页</div>
<div class="related"><h3>相关阅读</h3><ul>{related}</ul></div>
</div>"""
        return self.html(self._page(a.title, bread, main, head), modified=a.last_modified)
