"""S1 ``www.cac.gov.cn.test``: CAC clone with unquoted, protocol-relative list markup and 200-empty past-the-end pages."""

from __future__ import annotations

import random
import re
from typing import TYPE_CHECKING

from ..model import Article, Column, Response, Site, esc
from ..textgen import R_BODY, R_TITLE, filler_body
from .common import at, make_filler, paragraphs_html

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

__all__ = ["CacSite"]

_LIST = re.compile(r"^/wxzw/(wxfb|zcfg)/(A09370[23])index_(\d+)\.htm$")
_COLUMNS = {"wxfb": ("A093702", "网信发布"), "zcfg": ("A093703", "政策法规")}
R_PATH = "/2026-03/12/c_1741234567890123.htm"
LEGACY_PATH = "/2017-01/23/c_1120366748.htm"
STALL = "/__stall?ms=5000"
HUDONG = "/hudong/zxft/index.htm"
OFFSITE = "http://mirror.spam.test/copy.html"

_FOOTER = """<div class=footer>
<p>主办单位：中共中央网络安全和信息化委员会办公室　国家互联网信息办公室　承办：国家互联网应急中心</p>
<p>版权所有：中国网信网　京ICP备14042428号　
京公网安备11040102700108号　网站标识码：bm09000001</p>
</div>"""


def _path(i: int, moment: datetime, column: str) -> str:
    return f"/{moment:%Y-%m}/{moment:%d}/c_{int(moment.timestamp() * 1000)}{i % 1000:03d}.htm"


class CacSite(Site):
    host = "www.cac.gov.cn.test"
    name = "中国网信网"
    family = "cac"
    robots = "User-agent: *\nDisallow: /hudong/\n"

    def __init__(self, scale: int) -> None:
        super().__init__(scale)
        for key, (_code, label) in _COLUMNS.items():
            self.columns[key] = Column(key, label, per_page=20)
        make_filler(
            self,
            lambda i: "zcfg" if i % 3 == 2 else "wxfb",
            _path,
            ("中国网信网", "网信中国", "新华网", "人民网", "光明日报"),
        )
        self.add(
            Article(
                self.host,
                R_PATH,
                R_TITLE,
                at(2026, 3, 12, 9, 30),
                at(2026, 3, 12).date(),
                "中国网信网",
                kind="original",
                column="wxfb",
                editor="张宁",
                flags=("reprint_cluster",),
                make_body=lambda: list(R_BODY),
            )
        )
        self.add(
            Article(
                self.host,
                LEGACY_PATH,
                "网络传播杂志：2016年网络传播发展回顾",
                at(2017, 1, 23, 11, 10),
                at(2017, 1, 23).date(),
                "网络传播杂志",
                column="zcfg",
                editor="李丹",
                flags=("legacy_markup",),
                make_body=lambda: filler_body(random.Random("cac:legacy")),
            )
        )
        self.finish()

    def start_urls(self) -> list[str]:
        return [self.url(f"/wxzw/{key}/{code}index_1.htm") for key, (code, _) in _COLUMNS.items()]

    def special(self) -> dict[str, list[str]]:
        return {"robots_disallowed": [self.url(HUDONG)], "offsite": [OFFSITE], "stall": [self.url(STALL)]}

    def route(self, path: str, query: Mapping[str, str], method: str, body: bytes) -> Response | None:
        if path in ("/", "/index.htm"):
            return self.html(self._home())
        match = _LIST.match(path)
        if match and _COLUMNS[match[1]][0] == match[2]:
            return self._list(self.columns[match[1]], int(match[3]))
        if path == HUDONG:
            return self.html(self._page("在线访谈", "<div class=ft>在线访谈栏目（互动交流）</div>"))
        article = self.by_path.get(path)
        return self._article(article) if article else None

    # -- templates --------------------------------------------------------------------------------
    def _page(self, title: str, main: str, extra_head: str = "") -> str:
        nav = " ".join(
            f"<a href=//{self.host}/wxzw/{k}/{c}index_1.htm>{label}</a>" for k, (c, label) in _COLUMNS.items()
        )
        return f"""<!DOCTYPE html>
<html><head><meta charset=utf-8><title>{esc(title)}_中央网络安全和信息化委员会办公室</title>{extra_head}</head>
<body><div class=header><div class=logo><a href=//{self.host}/index.htm>中国网信网</a></div>
<div class=nav><a href=//{self.host}/index.htm>首页</a> {nav} <a href=//{self.host}{HUDONG}>互动交流</a></div></div>
{main}
{_FOOTER}
</body></html>
"""

    def _home(self) -> str:
        items = "".join(
            f"<li><a href=//{self.host}{a.path} target=_blank>{esc(a.title)}</a></li>"
            for a in self.articles[:8]
        )
        links = "".join(
            f"<li><a href=//{self.host}/wxzw/{k}/{c}index_1.htm>{label}</a></li>"
            for k, (c, label) in _COLUMNS.items()
        )
        return self._page(
            "首页", f"<div class=columns><ul>{links}</ul></div><div class=focus><ul>{items}</ul></div>"
        )

    def _list(self, column: Column, number: int) -> Response:
        items = column.page(number)
        lis = "".join(
            f"<li><h5><a href=//{self.host}{a.path} target=_blank title={a.title}>{esc(a.title)}</a></h5>"
            f"<div class=times>{a.day.isoformat()}</div></li>"
            for a in items
        )
        side = []
        if column.key == "wxfb" and number == 1:
            side.append(f"<li><a href=//{self.host}{HUDONG}>网信部门在线访谈</a></li>")
        if column.key == "wxfb" and number == 2:
            side.append(f"<li><a href={STALL}>网信数据实时统计</a></li>")
        if column.key == "zcfg" and number == 1:
            side.append(f"<li><a href={OFFSITE}>政策法规镜像站</a></li>")
        main = (
            f"<div class=bread>当前位置：<a href=//{self.host}/index.htm>首页</a> &gt; 网信政务 &gt; {column.name}</div>\n"
            f"<div id=loadingInfoPage class=default>{lis}</div>\n<div id=Page></div>\n"
            f"<div class=side><h4>热点推荐</h4><ul>{''.join(side)}</ul></div>"
        )
        modified = items[0].last_modified if items else None
        return self.html(self._page(column.name, main), modified=modified)

    def _article(self, a: Article) -> Response:
        related = "".join(
            f"<li><a href=//{self.host}{r.path} target=_blank>{esc(r.title)}</a></li>"
            for r in self.related(a)
        )
        tools = (
            "<span class=font>字号：[ <a href=javascript:;>大</a> <a href=javascript:;>中</a> "
            "<a href=javascript:;>小</a> ]</span> <a href=javascript:window.print()>打印本页</a> "
            "<a href=javascript:window.close()>关闭窗口</a>"
        )
        assert a.published is not None
        if a.path == LEGACY_PATH:
            head = (
                f'<h1 id="title">{esc(a.title)}</h1>\n<div class="info">{a.published:%Y年%m月%d日 %H:%M} '
                f'来源： {esc(a.source or "")} {tools}</div>\n<div id="content">{paragraphs_html(a.paragraphs)}</div>'
            )
        else:
            head = (
                f'<div class="main-title"><h1 class="title">{esc(a.title)}</h1></div>\n<div class="info">'
                f"<span id=pubtime>{a.published:%Y年%m月%d日 %H:%M}</span> <span id=source>来源： {esc(a.source or '')}</span> "
                f"{tools}</div>\n<div id=BodyLabel class=main-content>{paragraphs_html(a.paragraphs)}</div>"
            )
        main = (
            f"<div class=bread>当前位置：<a href=//{self.host}/index.htm>首页</a> &gt; 网信政务 &gt; 正文</div>\n"
            f"<div class=article>{head}\n<div class=editor>责任编辑：{esc(a.editor)}</div>\n"
            f"<div class=ewm><img src=/images/qr.png alt=二维码><p>扫一扫在手机打开当前页</p></div>\n"
            f"<div class=xgyd><h3>相关阅读</h3><ul>{related}</ul></div></div>"
        )
        return self.html(self._page(a.title, main), modified=a.last_modified)
