"""S4 ``www.sc.gov.cn.test``: Sichuan portal with legacy encodings, a 瑞数 challenge and a flaky article."""

from __future__ import annotations

import hashlib
import random
import re
from typing import TYPE_CHECKING

from ..model import Article, Column, Response, Site, esc
from ..seeds import load_seed
from ..textgen import CHARSET_BODY, filler_body
from .common import at, make_filler, paragraphs_html

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

__all__ = ["SichuanSite"]

BASE = "/10462/10464/10797"
_LIST = re.compile(rf"^{BASE}/jrsc_list(?:_(\d+))?\.shtml$")
# an article-shaped URL, so a crawler following the list would ask for it and meet the challenge
CHALLENGE = "/10462/10464/10797/2026/3/11/0bad0bad0bad0bad0bad0bad0bad0bad.shtml"
ZFXXGK = "/10462/zfxxgk/index.shtml"
LEGACY_E2 = f"{BASE}/2015/3/25/10330618.shtml"

# case -> (body encoding, Content-Type header, <meta>, BOM)
CHARSET_CASES = {
    "E1": ("utf-8", "text/html; charset=utf-8", '<meta charset="utf-8">', False),
    "E2": (
        "gbk",
        "text/html; charset=GBK",
        '<META http-equiv=Content-Type content="text/html; charset=gbk">',
        False,
    ),
    "E3": ("gbk", "text/html", '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', False),
    "E4": (
        "gbk",
        "text/html; charset=utf-8",
        '<meta http-equiv="Content-Type" content="text/html; charset=gbk">',
        False,
    ),
    "E5": ("utf-8", "text/html; charset=gbk", '<meta charset="utf-8">', False),
    "E6": ("utf-8", "text/html; charset=gb2312", '<meta charset="utf-8">', True),
    # E7: served right, but the CMS stored one paragraph as UTF-8 bytes read as GBK: mojibake at the source
    "E7": ("utf-8", "text/html; charset=utf-8", '<meta charset="utf-8">', False),
}
E7_TITLE = "自贡市政务服务中心推行“一窗综办”改革"
_CASE_TITLES = {
    "E1": "四川数字政务服务平台完成新一轮升级",
    "E2": "我省推进电子政务外网建设工作会议召开",
    "E3": "成都市政务数据共享交换平台上线运行",
    "E4": "绵阳市推动政务服务“一网通办”提质增效",
    "E5": "宜宾市数字乡村试点建设取得阶段成效",
    "E6": "泸州市开展政务新媒体规范化建设专项检查",
}

_FOOTER = """<div class="footer">
<p>主办单位:四川省人民政府办公厅</p>
<p>运行维护单位:中国电信四川公司</p>
<p>版权所有：四川省人民政府办公厅　蜀ICP备05003828号　川公网安备 51010402000507号　网站标识码：5100000062</p>
<ul class="app"><li>微信</li><li>微博</li><li>客户端</li><li>头条号</li><li><a href="javascript:;">手机版</a> <a href="javascript:;">电脑版</a></li></ul>
</div>"""


def _source_mojibake_body() -> list[str]:
    """A body whose third paragraph was published garbled: its UTF-8 bytes read as GBK by the CMS."""
    body = filler_body(random.Random("sc:E7"))
    body[2] = body[2].encode("utf-8").decode("gbk", "replace")
    return body


def _hex(key: str) -> str:
    return hashlib.md5(key.encode()).hexdigest()


def _path(i: int, moment: datetime, column: str) -> str:
    return f"{BASE}/{moment.year}/{moment.month}/{moment.day}/{_hex(f'sc:{i}')}.shtml"


class SichuanSite(Site):
    host = "www.sc.gov.cn.test"
    name = "四川省人民政府"
    family = "sichuan"
    robots = "User-agent: *\nDisallow: /10462/zfxxgk/\n"

    def __init__(self, scale: int) -> None:
        super().__init__(scale)
        self.columns["jrsc"] = Column("jrsc", "今日四川", per_page=20)
        make_filler(
            self, lambda i: "jrsc", _path, ("四川日报", "川观新闻", "四川发布", "四川省人民政府办公厅")
        )
        for n, (case, title) in enumerate(_CASE_TITLES.items()):
            moment = at(2015, 3, 25, 10, 30) if case == "E2" else at(2026, 3, 10 - n, 11, 0)
            path = LEGACY_E2 if case == "E2" else _path(10_000 + n, moment, "jrsc")
            self.add(
                Article(
                    self.host,
                    path,
                    title,
                    moment,
                    moment.date(),
                    "四川省人民政府办公厅",
                    kind="charset",
                    column="jrsc",
                    charset_case=case,
                    editor="刘堃",
                    make_body=lambda c=case: filler_body(random.Random(f"sc:{c}"))[:2] + CHARSET_BODY,
                )
            )
        moment = at(2026, 3, 2, 10, 15)
        self.add(
            Article(
                self.host,
                _path(10_007, moment, "jrsc"),
                E7_TITLE,
                moment,
                moment.date(),
                "四川省人民政府办公厅",
                column="jrsc",
                charset_case="E7",
                editor="刘堃",
                flags=("mojibake_suspect",),
                make_body=_source_mojibake_body,
            )
        )
        moment = at(2026, 2, 14, 15, 45)
        self.flaky = self.add(
            Article(
                self.host,
                _path(20_000, moment, "jrsc"),
                "四川启动2026年网络安全宣传周筹备工作",
                moment,
                moment.date(),
                "四川发布",
                column="jrsc",
                editor="杨帆",
                flags=("flaky_500",),
                make_body=lambda: filler_body(random.Random("sc:flaky")),
            )
        )
        self.flaky_paths = (self.flaky.path,)
        seed = load_seed("004")
        g = seed.gold
        self.add(
            Article(
                self.host,
                f"{BASE}/2018/10/25/{_hex('sc:seed004')}.shtml",
                g["title"],
                at(2018, 10, 25, 8, 7),
                at(2018, 10, 25).date(),
                g["source"],
                kind="seed",
                column="jrsc",
                seed="004",
                editor=g["editor"],
                author=g["author"],
                flags=tuple(g["flags"]),
                make_body=lambda: seed.gold_body,
                extra={"page_lines": seed.body_region, "header_date": seed.line(0)},
            )
        )
        self.finish()

    def shows_time(self, article: Article) -> bool:
        return article.path != LEGACY_E2 and article.published is not None  # the legacy page prints the day only

    def copies(self, article: Article) -> int:
        return 1 if article.path == LEGACY_E2 else 2  # the current template repeats the article in .printArea

    def start_urls(self) -> list[str]:
        return [self.url(f"{BASE}/jrsc_list.shtml")]

    def special(self) -> dict[str, list[str]]:
        return {
            "challenge": [self.url(CHALLENGE)],
            "robots_disallowed": [self.url(ZFXXGK)],
            "flaky_500": [self.flaky.url],
        }

    def route(self, path: str, query: Mapping[str, str], method: str, body: bytes) -> Response | None:
        if path == CHALLENGE:
            return self._challenge()
        if path == ZFXXGK:
            return self.html(self._page("政府信息公开", '<div class="xxgk">政府信息公开目录</div>'))
        match = _LIST.match(path)
        if match and match[1] != "1":
            return self._list(int(match[1] or 1))
        article = self.by_path.get(path)
        return self._article(article) if article else None

    # -- templates --------------------------------------------------------------------------------
    def _page(
        self,
        title: str,
        main: str,
        meta: str = '<meta charset="utf-8">',
        head: str = "",
        header_date: str = "2026-06-30",
    ) -> str:
        return f"""<!DOCTYPE html>
<html><head>{meta}
<title>{esc(title)}- 四川省人民政府网站</title>{head}</head>
<body><div class="top"><span class="date">{header_date}</span> 四川省人民政府　<a href="javascript:;">无障碍</a>　<a href="javascript:;">长者模式</a></div>
<div class="nav"><a href="/">首页</a> <a href="{BASE}/jrsc_list.shtml">今日四川</a> <a href="{ZFXXGK}">政府信息公开</a></div>
{main}
{_FOOTER}
</body></html>
"""

    def _list(self, number: int) -> Response | None:
        column = self.columns["jrsc"]
        if number > column.page_count:
            return None
        items = column.page(number)
        rows = "".join(
            f'<tr><td><a href="{a.path}" target="_blank" title="{esc(a.title)}">{esc(a.title)}</a></td>'
            f"<td>{a.day.isoformat()}</td></tr>\n"
            for a in items
        )
        side = ""
        if number == 1:
            side = f'<div class="side"><a href="{CHALLENGE}">省政府常务会议</a> <a href="{ZFXXGK}">政府信息公开</a></div>'
        main = (
            f'<div class="crumb">您当前的位置：<a href="/">首页</a> &gt; 今日四川</div>\n'
            f'<table id="dash-table">\n{rows}</table>\n<div id="page_div"></div>\n'
            f"<script>createPageHTML('page_div',{column.page_count}, {number},'jrsc_list','shtml',{len(column.articles)});</script>\n"
            f"{side}"
        )
        return self.html(self._page("今日四川", main), modified=items[0].last_modified if items else None)

    def _challenge(self) -> Response:
        token = hashlib.sha1(b"rs-meta").hexdigest() * 4
        cd = "qxxx" + hashlib.sha1(b"rs-cd").hexdigest() * 3
        text = (
            f'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
            f'<meta content="{token}" r="m"><title></title>'
            f"<script type=\"text/javascript\" r='m'>$_ts=window['$_ts'];if(!$_ts)$_ts={{}};$_ts.nsd=84726;"
            f'$_ts.cd="{cd}";$_ts.lcd();</script>'
            f'<script type="text/javascript" charset="utf-8" src="/4QbVtADbnLVIc/c.FxJzG50F.dfe1675.js" r=\'m\'></script>'
            f"</head><body></body></html>"
        )
        return Response(412, {"Content-Type": "text/html; charset=utf-8"}, text.encode("utf-8"))

    def _article(self, a: Article) -> Response:
        assert a.published is not None
        enc, ctype, meta, bom = CHARSET_CASES[a.charset_case or "E1"]
        if a.path == LEGACY_E2:
            return self.html(self._legacy(a, meta), charset=enc, content_type=ctype, modified=a.last_modified)
        paras = paragraphs_html(a.extra.get("page_lines", a.paragraphs))
        when = f"{a.published:%Y年%m月%d日 %H时%M分}"
        related = "".join(
            f'<li><a href="{r.path}" target="_blank">{esc(r.title)}</a></li>' for r in self.related(a)
        )
        head = (
            f'\n<meta name="ArticleTitle" content="{esc(a.title)}">\n<meta name="PubDate" content="{a.published:%Y-%m-%d %H:%M}">'
            f'\n<meta name="ContentSource" content="{esc(a.source or "")}">'
        )
        main = f"""<div class="crumb">您当前的位置：<a href="/">首页</a> &gt; <a href="{BASE}/jrsc_list.shtml">今日四川</a></div>
<div class="detail">
<h2 class="title">{esc(a.title)}</h2>
<ul class="info"><li>{when}</li><li>来源: {esc(a.source or "")}</li><li>【字体:<a href="javascript:;">大</a> <a href="javascript:;">中</a> <a href="javascript:;">小</a>】</li><li><a href="javascript:;">播报</a></li></ul>
<div id="cmsArticleContent" class="contText">
{paras}
</div>
<div class="editor">责任编辑: {esc(a.editor)}</div>
<div class="ewm">扫一扫在手机打开当前页</div>
</div>
<div class="related"><h3>相关阅读</h3><ul>{related}</ul></div>
<div class="printArea">
<h2>{esc(a.title)}</h2>
<ul><li>{when}</li><li>来源: {esc(a.source or "")}</li></ul>
<div class="contText">
{paras}
</div>
<div class="editor">责任编辑: {esc(a.editor)}</div>
<div class="ewm">扫一扫在手机打开当前页</div>
</div>"""
        page = self._page(a.title, main, meta, head, a.extra.get("header_date", "2026-06-30"))
        return self.html(page, charset=enc, content_type=ctype, bom=bom, modified=a.last_modified)

    def _legacy(self, a: Article, meta: str) -> str:
        assert a.published is not None
        paras = "".join(f"<P>&nbsp;&nbsp;{esc(p)}</P>" for p in a.paragraphs)
        return f"""<HTML><HEAD>{meta}
<TITLE>{esc(a.title)}_四川省人民政府</TITLE></HEAD>
<BODY><TABLE width=980 align=center border=0 cellpadding=0 cellspacing=0>
<TR><TD class=top>四川省人民政府&nbsp;&nbsp;|&nbsp;&nbsp;<A href="{BASE}/jrsc_list.shtml">今日四川</A></TD></TR>
<TR><TD align=center class=title><FONT size=5 color=#003399><B>{esc(a.title)}</B></FONT></TD></TR>
<TR><TD align=center><FONT color=#666666>发布时间：{a.published:%Y-%m-%d}&nbsp;&nbsp;&nbsp;来源：{esc(a.source or "")}&nbsp;&nbsp;&nbsp;【字体：大 中 小】&nbsp;【打印】&nbsp;【关闭】</FONT></TD></TR>
<TR><TD id=content class=contText>{paras}</TD></TR>
<TR><TD align=right>责任编辑：{esc(a.editor)}</TD></TR>
</TABLE>
<TABLE width=980 align=center><TR><TD align=center class=foot>主办单位：四川省人民政府办公厅&nbsp;&nbsp;版权所有&nbsp;&nbsp;蜀ICP备05003828号&nbsp;&nbsp;川公网安备 51010402000507号&nbsp;&nbsp;网站标识码：5100000062</TD></TR></TABLE>
</BODY></HTML>
"""
