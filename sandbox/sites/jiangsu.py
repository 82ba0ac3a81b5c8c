"""S3 ``www.jiangsu.gov.cn.test``: Hanweb JCMS with inline ``<datastore>`` records and a POST-only dataproxy."""

from __future__ import annotations

import random
import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from ..model import Article, Column, Response, Site, esc
from ..textgen import LOTTERY_BODY, LOTTERY_TITLE, SPAM_ANCHORS, SPAM_KEYWORDS, filler_body
from .common import at, make_filler

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

__all__ = ["JiangsuSite"]

_COLUMNS = {"60096": ("要闻关注", "297999"), "60085": ("部门资讯", "298012")}
_COL_PAGE = re.compile(r"^/col/col(\d+)/index\.html$")
PROXY = "/module/web/jpage/dataproxy.jsp"
INLINE = 15
SPAM_A = "/art/2026/5/12/art_60096_11790001.html"
SPAM_B = "/art/2026/4/20/art_60096_11790002.html"
LOTTERY = "/art/2026/3/25/art_60096_11790003.html"
SPAM_LINKS = [
    f"http://www.xx-caipiao.spam.test/{('k3', 'ssc', 'bjl', 'pz', 'am')[n % 5]}/{n + 1:02d}.html"
    for n in range(12)
]

_FOOTER = """<div class="footer">
<p>主办单位：江苏省人民政府办公厅　承办：江苏省大数据管理中心　<a href="/col/col60096/index.html">网站地图</a>　联系我们</p>
<p>版权所有：江苏省人民政府　苏ICP备05009361号　苏公网安备 32010202010094号　网站标识码：3200000024</p>
</div>"""


def _path(i: int, moment: datetime, column: str) -> str:
    return f"/art/{moment.year}/{moment.month}/{moment.day}/art_{column}_{11700000 + i}.html"


class JiangsuSite(Site):
    host = "www.jiangsu.gov.cn.test"
    name = "江苏省人民政府"
    family = "hanweb"
    post_paths = (PROXY,)

    def __init__(self, scale: int) -> None:
        super().__init__(scale)
        for key, (label, _unit) in _COLUMNS.items():
            self.columns[key] = Column(key, label, per_page=INLINE)
        make_filler(
            self,
            lambda i: "60085" if i % 3 == 2 else "60096",
            _path,
            ("省政府办公厅", "新华日报", "交汇点", "省发展改革委", "省工业和信息化厅"),
        )
        specials = (
            (
                SPAM_A,
                "全省数字政府建设推进会在宁召开",
                at(2026, 5, 12, 10, 0),
                "spam",
                ("hidden_external_links",),
            ),
            (
                SPAM_B,
                "我省持续优化政务服务“一网通办”",
                at(2026, 4, 20, 9, 40),
                "spam",
                ("spam_keywords_in_body",),
            ),
            (LOTTERY, LOTTERY_TITLE, at(2026, 3, 25, 16, 0), "lottery_regulation", ()),
        )
        for path, title, moment, kind, flags in specials:
            body = (
                (lambda: list(LOTTERY_BODY))
                if kind == "lottery_regulation"
                else (lambda p=path: filler_body(random.Random(f"jiangsu:{p}")))
            )
            self.add(
                Article(
                    self.host,
                    path,
                    title,
                    moment,
                    moment.date(),
                    "省政府办公厅",
                    kind=kind,
                    column="60096",
                    editor="周婷",
                    flags=flags,
                    make_body=body,
                )
            )
        self.finish()

    def start_urls(self) -> list[str]:
        return [self.url(f"/col/col{key}/index.html") for key in _COLUMNS]

    def special(self) -> dict[str, list[str]]:
        return {"offsite": list(SPAM_LINKS)}

    def route(self, path: str, query: Mapping[str, str], method: str, body: bytes) -> Response | None:
        if path in ("/", "/index.html"):
            return self.html(self._page("首页", "".join(self._record(a) for a in self.articles[:10])))
        if path == PROXY:
            if method != "POST":
                return Response(
                    405,
                    {"Content-Type": "text/html; charset=utf-8", "Allow": "POST"},
                    b"<html><body>HTTP Status 405 - Request method 'GET' not supported</body></html>",
                )
            return self._proxy(query, body)
        match = _COL_PAGE.match(path)
        if match and match[1] in self.columns:
            return self._column(self.columns[match[1]])
        article = self.by_path.get(path)
        return self._article(article) if article else None

    # -- templates --------------------------------------------------------------------------------
    @staticmethod
    def _record(a: Article) -> str:
        return (
            f'<li class="ft14lh30 cf"><font> · </font><a href="{a.path}" target="_blank" title="{esc(a.title)}">'
            f"{esc(a.title)}</a><span>{a.day.isoformat()}</span></li>"
        )

    def _page(self, title: str, main: str, head: str = "") -> str:
        nav = "".join(f'<a href="/col/col{k}/index.html">{v[0]}</a> ' for k, v in _COLUMNS.items())
        return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<HTML><HEAD><META http-equiv=Content-Type content="text/html; charset=utf-8">
<TITLE>{esc(title)} 江苏省人民政府</TITLE>{head}
</HEAD><BODY>
<div class="header"><div class="logo">江苏省人民政府</div><div class="nav"><a href="/">首页</a> {nav}</div>
<div class="tools">无障碍浏览　长者模式</div></div>
{main}
{_FOOTER}
</BODY></HTML>
"""

    def _column(self, column: Column) -> Response:
        unit = _COLUMNS[column.key][1]
        records = [f"<record><![CDATA[{self._record(a)}]]></record>" for a in column.articles[:INLINE]]
        if len(records) > 5:
            records.insert(
                5,
                '<record><![CDATA[<li class="ft14lh30 cf"><font> · </font>栏目内容更新中<span></span></li>]]></record>',
            )
        total = len(column.articles)
        params = f"appid=1&webid=1&path=/&columnid={column.key}&unitid={unit}&webname=江苏省人民政府&permissiontype=0"
        main = f"""<div class="bt-position">当前位置：<a href="/">首页</a> &gt; {column.name}</div>
<div class="main-fl-list" id="{unit}"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="{PROXY}?page=1&{params}"></a>]]></nextgroup>
<recordset>
{chr(10).join(records)}
</recordset>
<totalrecord>{total}</totalrecord>
</datastore></script></div>
<script language="javascript">$(function(){{ $('#{unit}').jpage({{ dataStore: dataStore, perPage: 15, totalRecord: {total},
 proxyUrl: '{PROXY}', groupSize: 3, barPosition: 'bottom', ajaxParam: 'col=1&{params}' }}); }});</script>"""
        items = column.articles[:INLINE]
        return self.html(self._page(column.name, main), modified=items[0].last_modified if items else None)

    def _proxy(self, query: Mapping[str, str], body: bytes) -> Response:
        form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        column = self.columns.get(form.get("columnid", ""))
        try:
            start, end = int(query.get("startrecord", "1")), int(query.get("endrecord", "45"))
        except ValueError:
            start, end = 1, 0
        items = column.articles[max(start, 1) - 1 : max(end, 0)] if column else []
        records = "".join(f"<record><![CDATA[{self._record(a)}]]></record>\n" for a in items)
        total = len(column.articles) if column else 0
        xml = (
            f'<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>{total}</totalrecord>'
            f"<totalpage>99</totalpage><recordset>\n{records}</recordset></datastore>"
        )
        return Response(200, {"Content-Type": "text/xml;charset=UTF-8"}, xml.encode("utf-8"))

    def _article(self, a: Article) -> Response:
        assert a.published is not None
        paras = "".join(f"<P>{esc(p)}</P>" for p in a.paragraphs)
        if a.path == SPAM_B:
            paras += (
                f'<p style="font-size:0">澳门百家乐官网 真人百家乐开户 {SPAM_KEYWORDS}</p>'
                f'<span style="display:none">{SPAM_KEYWORDS} 时时彩开奖 快三计划 澳门彩票</span>'
            )
        hidden = ""
        if a.path == SPAM_A:
            links = "".join(
                f'<a href="{u}" target="_blank">{SPAM_ANCHORS[i % len(SPAM_ANCHORS)]}</a> '
                for i, u in enumerate(SPAM_LINKS)
            )
            hidden = f'\n<div style="position:absolute;left:-9999px;top:-9999px">{links}</div>'
        related = "".join(
            f'<li><a href="{r.path}" target="_blank">{esc(r.title)}</a></li>' for r in self.related(a)
        )
        head = (
            f'\n<META name=ArticleTitle content="{esc(a.title)}">\n<META name=PubDate content="{a.published:%Y-%m-%d %H:%M}">'
            f'\n<META name=ContentSource content="{esc(a.source or "")}">\n<META name=ColumnName content="{esc(self.columns[a.column].name)}">'
        )
        main = f"""<div class="bt-position">当前位置：<a href="/">首页</a> &gt; <a href="/col/col{a.column}/index.html">{esc(self.columns[a.column].name)}</a></div>
<div class="sp_title">{esc(a.title)}</div>
<div class="sp_time"><font>发布日期：{a.day.isoformat()} 来源：{esc(a.source or "")}</font>　<font>浏览次数：<span id="visit"></span>次</font>　字号：[ <a href="javascript:;">大</a> <a href="javascript:;">中</a> <a href="javascript:;">小</a> ]</div>
<DIV id=zoom><!--<$[信息内容]>begin--><!--ZJEG_RSS.content.begin--><META name=ContentStart>{paras}<META name=ContentEnd><!--ZJEG_RSS.content.end--><!--<$[信息内容]>end--></DIV>{hidden}
<div class="bt-box"><a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div>
<div class="editor">责任编辑：{esc(a.editor)}</div>
<div class="ewm">扫一扫在手机打开当前页</div>
<div class="xgxx"><h3>相关阅读</h3><ul>{related}</ul></div>"""
        return self.html(self._page(a.title, main, head), modified=a.last_modified)
