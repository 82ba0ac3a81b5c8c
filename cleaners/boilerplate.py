"""Page chrome that is not the article: one rule per kind, each a reason and a whole-line pattern.

A rule matches a *whole* line (after whitespace folding) and only lines no longer than its limit, so the
same words inside a real sentence stay: ``分享到了改革发展的成果`` is body, ``分享到：微信 微博`` is not;
``相关附件：附件1…docx`` belongs to the document (site-patterns §3.4).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["RELATED_HEADING", "RULES", "Rule", "chrome_reason", "is_caption"]


@dataclass(frozen=True, slots=True)
class Rule:
    reason: str
    pattern: re.Pattern[str]
    max_len: int = 80


def _rule(reason: str, pattern: str, max_len: int = 80) -> Rule:
    return Rule(reason, re.compile(pattern, re.IGNORECASE), max_len)


_APP_WORDS = (
    r"微信|微博|客户端|头条号|手机版|电脑版|QQ空间|QQ|抖音|快手|APP|移动版|网站地图|联系我们|关于我们|使用帮助|"
    r"无障碍(?:浏览)?|长者模式|设为首页|加入收藏|繁体|简体|English|RSS|返回顶部|返回首页|网上举报|分享|收藏"
)
_SEP = r"[\s|｜/·•,，、]*"

RULES: tuple[Rule, ...] = (
    _rule("breadcrumb", r"^(?:当前位置|您当前的位置|您现在的位置|所在位置|位置)\s*[:：].*$", 120),
    _rule("breadcrumb", r"^[^。，,！？]{1,20}(?:\s*(?:>|&gt;|>>|»|→)\s*[^。，,！？>]{1,20}){2,}$", 120),
    _rule("ad_slot", r"^[a-z]{1,8}\d{0,4}[_-]\d{2,4}\s*[*x×]\s*\d{2,4}$"),
    _rule("empty_label", r"^(?:关键词|關鍵詞|关键字|标签|Tags?)\s*[:：]?\s*$"),
    _rule("empty_label", r"^(?:来源|來源|作者|发布时间|发布日期|浏览次数|点击数|阅读次数|编辑)\s*[:：]?\s*(?:次)?\s*$"),
    _rule("font_widget", r"^[【\[]?\s*(?:文章)?(?:字号|字體|字体)\s*[:：]?[\s\[【]*(?:[大中小]\s*[|｜]?\s*){0,3}[\]】]?\s*[】\]]?$"),
    _rule("font_widget", r"^[【\[]?\s*(?:[大中小]\s*[|｜]?\s*){2,3}[】\]]?$"),
    _rule(
        "page_tools",
        r"^(?:[【\[]?\s*(?:播报|打印(?:本页|文章)?|关闭(?:窗口|本页)?|我要纠错|纠错|收藏本页|返回顶部|保存|朗读|分享到?)\s*[】\]]?\s*){1,6}$",
    ),
    _rule("share_widget", rf"^分享(?:到|至)\s*[:：]?(?:{_SEP}(?:{_APP_WORDS}))*{_SEP}$"),
    _rule("qr_code", r"^(?:扫一扫|扫描二维码|微信扫一扫)[^。，,]{0,16}$"),
    _rule("qr_code", r"^二维码$"),
    _rule("app_links", rf"^(?:{_SEP}(?:{_APP_WORDS})){{1,12}}{_SEP}$", 120),
    _rule("counter", r"^(?:浏览次数|点击数|阅读次数|访问量|阅读量)\s*[:：]?\s*\d*\s*次?$"),
    _rule("prev_next", r"^(?:上一篇|下一篇|上一条|下一条)\s*[:：]?.{0,60}$"),
    _rule(
        "footer",
        r"^(?:主办单位|主办|承办单位|承办|协办单位|协办|运行维护单位|运维单位|运行维护|技术支持|(?:政府)?网站标识码|"
        r"网站识别码|备案号|ICP备案号?)\s*[:：]",
        200,
    ),
    _rule("footer", r"^(?:版权所有|版權所有|Copyright|©|\(c\)\s)", 200),
    _rule("footer", r"^建议使用.{0,40}浏览器.{0,20}$"),
    _rule("footer", r"^.{0,60}(?:[\u4e00-\u9fff]ICP备\s*\d+号|公网安备\s*:?\s*\d+号|网站标识码\s*[:：]?\s*\w+).{0,80}$", 200),
    _rule("footer", r"^(?:地址|邮编|电话|传真|联系电话|E-?mail)\s*[:：].{0,60}$"),
    _rule("css_js", r"^[\w#.\-\s,:>\[\]=\"']{1,80}\{[^{}]*\}$", 400),
    _rule("css_js", r"^(?:\$\(|jQuery\(|document\.write\(|var\s+\w+\s*=|function\s*\w*\().*$", 400),
    _rule("css_js", r"^.*class=\"[^\"]*\"\s*>?$", 200),
    _rule("section_label", r"^(?:正文|【?正文】?|打印本页|首页)$"),
)

# a toolbar line is nothing but widget words: 字号：[ 大 中 小 ] 【打印】【关闭】 分享到：微信 微博
_TOOL_TOKENS = re.compile(
    rf"(?:文章)?(?:字号|字體|字体)\s*[:：]?|[大中小](?=[\s|｜\]】]|$)|播报|打印(?:本页|文章)?|关闭(?:窗口|本页)?|我要纠错|纠错|"
    rf"收藏本页|返回顶部|朗读|分享(?:到|至)?\s*[:：]?|"
    rf"(?:浏览次数|点击数|点击量|阅读次数|阅读量|访问量)\s*[:：]?\s*\d*\s*次?|{_APP_WORDS}"
)
_TOOL_LEFTOVER = re.compile(r"^[\s\[\]【】|｜:：/·•,，、()（）]*$")

RELATED_HEADING = re.compile(
    r"^[【\[]?(?:相关内容|相关阅读|相关稿件|相关解读|相关链接|相关信息|部门解读|相关文章|相关新闻|延伸阅读|推荐阅读|"
    r"热点推荐|猜你喜欢|热门文章|更多阅读)[】\]]?\s*[:：]?$"
)
_CAPTION = re.compile(r"^[△▲]\s*\S.{0,60}$")


def chrome_reason(line: str) -> str | None:
    """The kind of page chrome *line* is (a reason for removed), or None when it may be body text."""
    for rule in RULES:
        if len(line) <= rule.max_len and rule.pattern.match(line):
            return rule.reason
    if len(line) <= 80 and _TOOL_TOKENS.search(line) and _TOOL_LEFTOVER.match(_TOOL_TOKENS.sub("", line)):
        return "toolbar"
    return None


def is_caption(line: str) -> bool:
    """An image caption line (``△ 小布大土楼村电商服务站``): not body text (gold README)."""
    return bool(_CAPTION.match(line))
