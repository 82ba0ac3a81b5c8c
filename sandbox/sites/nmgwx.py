"""S8 ``www.nmgwx.gov.cn.test``: a 2000s ASP table layout served as GB18030 with no charset in the header."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from ..model import Article, Column, Response, Site, esc
from ..seeds import load_seed
from ..textgen import SPAM_KEYWORDS
from .common import at, make_filler

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

__all__ = ["NmgwxSite"]

SEED_ID = 21937
_META = '<META http-equiv=Content-Type content="text/html; charset=gb2312">'

_FOOTER = """<TABLE cellSpacing=0 cellPadding=0 width=778 align=center border=0>
<TR><TD align=center bgColor=#e8e8e8 height=60><FONT color=#333333>主办单位：中共内蒙古自治区委员会网络安全和信息化委员会办公室&nbsp;&nbsp;&nbsp;&nbsp;版权所有<BR>
蒙ICP备05000218号&nbsp;&nbsp;&nbsp;蒙公网安备 15010202000107号&nbsp;&nbsp;&nbsp;网站标识码：1500000011&nbsp;&nbsp;&nbsp;建议使用IE6.0以上浏览器</FONT></TD></TR>
</TABLE>"""


def _path(i: int, moment: datetime, column: str) -> str:
    return f"/news/show.asp?id={8000 + 7 * i}"


class NmgwxSite(Site):
    host = "www.nmgwx.gov.cn.test"
    name = "内蒙古网信网"
    family = "legacy_asp"
    robots = None  # this site has no robots.txt at all
    charset = "gb18030"
    # Old IIS setups send no charset; the only declaration is the (understated) gb2312 <META>.
    content_type = "text/html"

    def __init__(self, scale: int) -> None:
        super().__init__(scale)
        self.columns["3"] = Column("3", "网信动态", per_page=20)
        make_filler(
            self,
            lambda i: "3",
            _path,
            ("内蒙古网信网", "内蒙古日报", "正北方网", "自治区网信办"),
            traditional_every=4,
        )
        seed = load_seed("003")
        g = seed.gold
        self.add(
            Article(
                self.host,
                f"/news/show.asp?id={SEED_ID}",
                g["title"],
                None,
                at(2020, 9, 9).date(),
                g["source"],
                kind="seed",
                column="3",
                seed="003",
                editor=g["editor"] or "",
                author=g["author"],
                flags=tuple(g["flags"]),
                make_body=lambda: seed.gold_body,
                extra={
                    "page_lines": seed.body_region,
                    "info": seed.line(1),
                    "attribution": seed.line(71),
                    "spam": seed.line(73),
                },
            )
        )
        self.finish()

    def shows_time(self, article: Article) -> bool:
        return False  # the info line prints the day only and there are no meta tags

    def start_urls(self) -> list[str]:
        return [self.url("/news/list.asp?classid=3&page=1")]

    def route(self, path: str, query: Mapping[str, str], method: str, body: bytes) -> Response | None:
        if path in ("/", "/index.asp"):
            return self._list(1)
        if path == "/news/list.asp" and query.get("classid") == "3":
            try:
                return self._list(max(1, int(query.get("page", "1"))))
            except ValueError:
                return None
        if path == "/news/show.asp":
            article = self.by_path.get(f"/news/show.asp?id={query.get('id', '')}")
            return self._article(article) if article else None
        return None

    # -- templates --------------------------------------------------------------------------------
    def _page(self, title: str, main: str) -> str:
        return f"""<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<HTML><HEAD><TITLE>{esc(title)}--内蒙古网信网</TITLE>
{_META}
<STYLE>TD {{FONT-SIZE: 12px; LINE-HEIGHT: 20px}}</STYLE></HEAD>
<BODY leftMargin=0 topMargin=0 marginheight=0 marginwidth=0>
<TABLE cellSpacing=0 cellPadding=0 width=778 align=center border=0>
<TR><TD><IMG height=90 src="/images/top.gif" width=778 border=0></TD></TR>
<TR><TD bgColor=#0066cc height=25>&nbsp;&nbsp;<A href="/"><FONT color=#ffffff>首页</FONT></A>&nbsp;|&nbsp;<A href="/news/list.asp?classid=3&amp;page=1"><FONT color=#ffffff>网信动态</FONT></A>&nbsp;|&nbsp;<FONT color=#ffffff>网上举报</FONT></TD></TR>
</TABLE>
<TABLE cellSpacing=0 cellPadding=0 width=778 align=center border=0><TR><TD vAlign=top>
{main}
</TD></TR></TABLE>
{_FOOTER}
</BODY></HTML>
"""

    def _list(self, number: int) -> Response:
        column = self.columns["3"]
        items = column.page(number)
        rows = "".join(
            f"<TR><TD height=24>&nbsp;・&nbsp;<A href=show.asp?id={a.path.rsplit('=', 1)[1]} target=_blank>"
            f"{esc(a.title)}</A></TD><TD width=90><FONT color=#999999>{a.day.isoformat()}</FONT></TD></TR>\n"
            for a in items
        )
        nav = ""
        if number > 1:
            nav += f"<A href=list.asp?classid=3&amp;page={number - 1}>上一页</A>&nbsp;&nbsp;"
        if number < column.page_count:
            nav += f"<A href=list.asp?classid=3&amp;page={number + 1}>下一页</A>"
        main = (
            f'<TABLE width="100%" border=0><TR><TD>当前位置：首页&nbsp;&gt;&gt;&nbsp;网信动态</TD></TR></TABLE>\n'
            f'<TABLE width="100%" border=0>\n{rows}</TABLE>\n'
            f'<TABLE width="100%"><TR><TD align=center>第{number}页/共{column.page_count}页&nbsp;&nbsp;{nav}</TD></TR></TABLE>'
        )
        return self.html(self._page("网信动态", main), modified=items[0].last_modified if items else None)

    def _article(self, a: Article) -> Response:
        lines = a.extra.get("page_lines", a.paragraphs)
        paras = "\n".join(f"<P>&nbsp;&nbsp;&nbsp;&nbsp;{esc(p)}</P>" for p in lines)
        if "attribution" in a.extra:
            paras += f"\n<P>{esc(a.extra['attribution'])}</P>"
        info = a.extra.get("info") or (
            f"发布时间:{a.day.isoformat()}&nbsp;&nbsp;&nbsp;&nbsp;来源:{esc(a.source or '')}"
            f"&nbsp;&nbsp;&nbsp;&nbsp;点击数:{random.Random(a.path).randint(80, 3000)}"
        )
        spam = ""
        if "spam" in a.extra:
            spam = (
                f"\n<TR><TD>{esc(a.extra['spam'])}</TD></TR>"
                f'\n<TR><TD><div style="display:none">{SPAM_KEYWORDS} 11选5 快3开奖 排列三</div></TD></TR>'
            )
        related = "".join(
            f"<TR><TD>&nbsp;・&nbsp;<A href=show.asp?id={r.path.rsplit('=', 1)[1]}>{esc(r.title)}</A></TD></TR>"
            for r in self.related(a)
        )
        main = f"""<TABLE width="100%" border=0 cellPadding=5>
<TR><TD align=center height=40><FONT style="FONT-SIZE: 18px" color=#cc0000><B>{esc(a.title)}</B></FONT></TD></TR>
<TR><TD align=center><FONT color=#666666>{info}</FONT>&nbsp;&nbsp;字号：[ <A href="javascript:;">大</A> <A href="javascript:;">中</A> <A href="javascript:;">小</A> ]</TD></TR>
<TR><TD class=content id=content>
{paras}
</TD></TR>{spam}
<TR><TD align=right>{f"责任编辑：{esc(a.editor)}&nbsp;&nbsp;" if a.editor else ""}【<A href="javascript:window.print()">打印本页</A>】&nbsp;【<A href="javascript:window.close()">关闭窗口</A>】</TD></TR>
<TR><TD align=center>扫一扫在手机打开当前页</TD></TR>
</TABLE>
<TABLE width="100%" border=0><TR><TD><B>相关文章</B></TD></TR>
{related}
</TABLE>"""
        return self.html(self._page(a.title, main), modified=a.last_modified)
