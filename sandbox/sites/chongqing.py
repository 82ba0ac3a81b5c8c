"""S5 ``www.cq.gov.cn.test``: Chongqing TRS portal with classic ``createPageHTML``, a soft 404 and a real 404."""

from __future__ import annotations

import random
import re
from typing import TYPE_CHECKING

from ..model import Article, Column, Response, Site, esc
from ..seeds import load_seed
from .common import at, make_filler, paragraphs_html

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

__all__ = ["ChongqingSite"]

BASE = "/ywdt/jrcq"
_LIST = re.compile(rf"^{BASE}/(?:index(?:_(\d+))?\.html)?$")
_ATTACHMENT = re.compile(rf"^{BASE}/\d{{6}}/P\d{{18,24}}\.(pdf|docx)$")
SOFT_404 = f"{BASE}/202601/t20260122_15340000.html"
HARD_404 = f"{BASE}/202601/t20260121_15330000.html"
GUARD = f"{BASE}/202601/t20260122_15343341.html"
SEED_PATH = f"{BASE}/201706/t20170615_10000021.html"

_FOOTER = """<div class="footer">
<p>主办单位：重庆市人民政府办公厅　承办：重庆市大数据应用发展管理局　地址：重庆市渝北区青竹东路6号　邮编：401147</p>
<p>版权所有：重庆市人民政府网站　渝ICP备05003300号　渝公网安备 50010302000011号　网站标识码5000000095</p>
<img id="imgConac" src="/images/red.png" alt="党政机关">
</div>"""
_SOFT_404_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>页面不存在</title></head>
<body><div class="error"><p>您访问的页面不存在或已被删除</p><p><a href="/">返回首页</a></p></div></body></html>
"""
_GUARD_BODY = [
    "日前，重庆市召开全市数字重庆建设推进会，总结交流各区县在一体化智能化公共数据平台建设中的经验做法。",
    (
        "会上，来自基层的干部代表围绕“渝快办”“渝快政”应用场景建设作交流发言。一位乡镇干部说，群众通过手机就能办理社保、"
        "医保等高频事项，真正分享到了改革发展的成果。"
    ),
    "会议要求，各区县要坚持系统观念，加快推进核心业务数字化，持续提升城市治理现代化水平。",
    "相关附件：附件1-重庆市数字重庆建设重点任务清单.docx",
]


def _path(i: int, moment: datetime, column: str) -> str:
    return f"{BASE}/{moment:%Y%m}/t{moment:%Y%m%d}_{15400000 + i}.html"


class ChongqingSite(Site):
    host = "www.cq.gov.cn.test"
    name = "重庆市人民政府"
    family = "trs_cq"
    robots = "User-agent: *\nDisallow: /zwgk/zfxxgkml/sqgk/\n"

    def __init__(self, scale: int) -> None:
        super().__init__(scale)
        self.columns["jrcq"] = Column("jrcq", "今日重庆", per_page=15)
        make_filler(self, lambda i: "jrcq", _path, ("重庆日报", "华龙网", "重庆市人民政府网", "上游新闻"))
        self.add(
            Article(
                self.host,
                GUARD,
                "数字重庆建设推进会召开 基层群众分享改革红利",
                at(2026, 1, 22, 17, 30),
                at(2026, 1, 22).date(),
                "重庆日报",
                column="jrcq",
                editor="何川",
                flags=("share_phrase_in_body", "attachment_list_in_body"),
                make_body=lambda: list(_GUARD_BODY),
            )
        )
        seed = load_seed("001")
        g = seed.gold
        self.add(
            Article(
                self.host,
                SEED_PATH,
                g["title"],
                None,
                at(2017, 6, 15).date(),
                g["source"],
                kind="seed",
                column="jrcq",
                seed="001",
                editor=g["editor"] or "",
                author=g["author"],
                flags=tuple(g["flags"]),
                make_body=lambda: seed.gold_body,
                extra={"page_lines": seed.body_region, "kicker": seed.line(0)},
            )
        )
        self.finish()
        # decoys linked from the list but not articles: slot them in by date among the real items
        self.decoys = [
            (at(2026, 1, 22, 12, 0), SOFT_404, "全市政务服务工作会议召开"),
            (at(2026, 1, 21, 12, 0), HARD_404, "重庆发布2026年第一批重点项目清单"),
        ]

    def start_urls(self) -> list[str]:
        return [self.url(f"{BASE}/index.html")]

    def special(self) -> dict[str, list[str]]:
        return {"soft_404": [self.url(SOFT_404)], "not_found": [self.url(HARD_404)]}

    def route(self, path: str, query: Mapping[str, str], method: str, body: bytes) -> Response | None:
        if path == SOFT_404:
            return self.html(_SOFT_404_PAGE)
        match = _LIST.match(path)
        if match:
            return self._list(int(match[1]) + 1 if match[1] else 1)
        attachment = _ATTACHMENT.match(path)
        if attachment:
            ctype = "application/pdf" if attachment[1] == "pdf" else "application/octet-stream"
            return Response(200, {"Content-Type": ctype}, b"%PDF-1.4\n% sample attachment\n%%EOF\n")
        article = self.by_path.get(path)
        return self._article(article) if article else None

    # -- templates --------------------------------------------------------------------------------
    def _page(self, title: str, main: str, head: str = "") -> str:
        return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{esc(title)}_重庆市人民政府网</title>
<style>img#imgConac{{height:55px;}}</style>{head}</head>
<body><div class="top">设为首页　无障碍浏览　长者模式</div>
<div class="header"><div class="logo">重庆市人民政府</div><div class="nav"><a href="/">首页</a> <a href="{BASE}/index.html">今日重庆</a></div></div>
{main}
{_FOOTER}
</body></html>
"""

    def _list(self, number: int) -> Response | None:
        column = self.columns["jrcq"]
        if number > column.page_count:
            return None
        items = [(a.sort_key[0], a.path, a.title, a.day.isoformat()) for a in column.page(number)]
        items += [(m, p, t, m.date().isoformat()) for m, p, t in self.decoys if self._decoy_page(m) == number]
        items.sort(reverse=True)
        lis = "".join(
            f'<li><a href=".{p[len(BASE) :]}" target="_blank" title="{esc(t)}">{esc(t)}</a><span>{d}</span></li>\n'
            for _, p, t, d in items
        )
        main = (
            f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/ywdt/">要闻动态</a> &gt; 今日重庆</div>\n'
            f'<ul class="list">\n{lis}</ul>\n<div class="page" id="page"></div>\n'
            f'<script>createPageHTML({column.page_count}, {number - 1}, "index", "html");</script>'
        )
        real = column.page(number)
        modified = real[0].last_modified if real else None
        return self.html(self._page("今日重庆", main), modified=modified)

    def _decoy_page(self, moment: datetime) -> int:
        """The list page on which a decoy dated ``moment`` sits among the real items."""
        column = self.columns["jrcq"]
        older = next((k for k, a in enumerate(column.articles) if a.sort_key[0] < moment), None)
        return column.page_count if older is None else older // column.per_page + 1

    @staticmethod
    def attachment_line(a: Article) -> str | None:
        """The attachment list line some articles carry inside their content container (part of the document)."""
        if a.kind == "filler" and a.published and a.published.day % 3 == 0:
            return f"附件：{a.title}.pdf"
        return None

    def _article(self, a: Article) -> Response:
        related = "".join(
            f'<li><a href="{r.path}" target="_blank">{esc(r.title)}</a></li>' for r in self.related(a)
        )
        info = ""
        if a.published:
            info = (
                f'<div class="info"><span>发布时间：{a.published:%Y-%m-%d %H:%M}</span> <span>来源：{esc(a.source or "")}</span> '
                f'<span>字号：[ 大 中 小 ]</span> <a href="javascript:window.print()">打印本页</a> '
                f'<a href="javascript:window.close()">关闭窗口</a></div>'
            )
        kicker = f'<div class="kicker">{esc(a.extra["kicker"])}</div>\n' if "kicker" in a.extra else ""
        attach = ""
        if self.attachment_line(a):
            assert a.published is not None
            name = f"P0{a.published:%Y%m%d}{random.Random(a.path).randrange(10**11, 10**12)}"
            attach = (
                f'\n<div class="fujian">附件：<a href="./{name}.pdf" appendix="true" '
                f'OLDSRC="/protect/P0{a.published:%Y%m}/P0{a.published:%Y%m%d}/{name}.pdf">{esc(a.title)}.pdf</a></div>'
            )
        meta = ""
        if a.published:
            meta = (
                f'\n<meta name="ArticleTitle" content="{esc(a.title)}">\n<meta name="PubDate" content="{a.published:%Y-%m-%d %H:%M}">'
                f'\n<meta name="ContentSource" content="{esc(a.source or "")}">'
            )
        main = f"""<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="{BASE}/index.html">今日重庆</a></div>
<div class="article">
{kicker}<h1 class="title">{esc(a.title)}</h1>
{info}
<div id="UCAP-CONTENT">
<div class="view TRS_UEDITOR trs_paper_default trs_word">
{paragraphs_html(a.extra.get("page_lines", a.paragraphs))}
</div>{attach}
</div>
<div class="editor">{f"责任编辑：{esc(a.editor)}" if a.editor else ""}</div>
<div class="ewm">扫一扫在手机打开当前页</div>
<div class="share">分享到：<div id="share-1"></div></div>
<script>$('#share-1').share();</script>
<div class="related"><h3>相关阅读</h3><ul>{related}</ul></div>
</div>"""
        return self.html(self._page(a.title, main, meta), modified=a.last_modified)
