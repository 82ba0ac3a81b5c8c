"""Interface text in Chinese and English, chosen from ?ui=, then a cookie, then Accept-Language."""

from __future__ import annotations

from collections.abc import Callable, Mapping

__all__ = ["LANGS", "choose_language", "translator"]

LANGS = ("zh", "en")
COOKIE = "govnews_ui"

# key -> (English, Chinese)
_TEXT: dict[str, tuple[str, str]] = {
    "app": ("govnews archive", "govnews 政务新闻档案"),
    "search": ("Search", "检索"),
    "query": ("Words to find", "检索词"),
    "sites": ("Sites", "站点"),
    "runs": ("Crawl runs", "抓取记录"),
    "results": ("results", "条结果"),
    "no_results": ("No matches.", "没有匹配的结果。"),
    "capped": (("More than {window} articles match: the newest {window} are ranked, counted and downloaded. "
                "Narrow the dates or sites to reach older ones."),
               "匹配的文章超过 {window} 篇：只对最新的 {window} 篇排序、计数和下载。缩小日期或站点范围可查看更早的文章。"),
    "relevance": ("relevance", "相关度"),
    "date": ("date", "日期"),
    "sort": ("Sort by", "排序"),
    "all_copies": ("all copies of reprints", "显示全部转载副本"),
    "since": ("From", "起始日期"),
    "until": ("To", "截止日期"),
    "facet_site": ("Site", "站点"),
    "facet_month": ("Month", "月份"),
    "facet_source": ("Source", "来源"),
    "facet_lang": ("Language", "语言"),
    "facet_script": ("Script", "字形"),
    "facet_flag": ("Flags", "标记"),
    "histogram": ("Hits per month", "每月命中数"),
    "clear": ("clear", "清除"),
    "copies": ("copies", "个副本"),
    "prev": ("previous", "上一页"),
    "next": ("next", "下一页"),
    "page": ("page", "页"),
    "older": ("older version", "较早的版本"),
    "newer": ("newer version", "较新的版本"),
    "download": ("Download these results", "下载这些结果"),
    "title": ("Title", "标题"),
    "published": ("Published", "发布时间"),
    "source": ("Source", "来源"),
    "author": ("Author", "作者"),
    "editor": ("Editor", "责任编辑"),
    "language": ("Language", "语言"),
    "script": ("Script", "字形"),
    "flags": ("Flags", "标记"),
    "site": ("Site", "站点"),
    "url": ("URL", "网址"),
    "text": ("Text", "正文"),
    "removed": ("What the cleaners cut", "清洗时删去的内容"),
    "metadata": ("Metadata", "元数据"),
    "provenance": ("Provenance", "来源记录"),
    "captured": ("Captured", "抓取时间"),
    "requested_url": ("Requested URL", "请求网址"),
    "final_url": ("Final URL", "最终网址"),
    "status": ("Status", "状态"),
    "headers": ("Response headers", "响应头"),
    "request_headers": ("Request headers", "请求头"),
    "redirects": ("Redirects", "重定向"),
    "declared_charset": ("Declared charset", "声明的字符集"),
    "meta_charset": ("Meta charset", "meta 字符集"),
    "used_charset": ("Used charset", "实际使用的字符集"),
    "sha256": ("Body sha256", "正文 sha256"),
    "raw": ("Raw capture", "原始抓取"),
    "versions": ("Versions", "版本"),
    "version": ("version", "版本"),
    "reprints": ("Reprints", "转载"),
    "canonical": ("canonical", "原始稿"),
    "first_seen": ("First seen", "首次发现"),
    "deleted": ("Deleted: first seen gone", "已删除：首次发现消失于"),
    "diff": ("Differences", "差异"),
    "compare": ("Compare", "比较"),
    "no_diff": ("The two versions have the same text.", "两个版本的正文相同。"),
    "articles": ("Articles", "文章"),
    "last_run": ("Last run", "最近一次抓取"),
    "warnings": ("Health warnings", "健康警告"),
    "challenges": ("Challenge pages", "反爬挑战页"),
    "started": ("Started", "开始"),
    "finished": ("Finished", "结束"),
    "totals": ("Totals", "合计"),
    "error": ("Error", "错误"),
    "not_found": ("Not found", "未找到"),
    "raw_note": ("The archived page, shown in a sandbox: no script runs and nothing is fetched.",
                 "存档页面在沙箱中显示：不运行脚本，也不加载任何外部内容。"),
    "cluster": ("Reprint cluster", "转载簇"),
    "dup_reason": ("Joined its cluster as", "归入转载簇的方式"),
    "cleaner_version": ("Cleaner version", "清洗器版本"),
    "id": ("Id", "编号"),
    "kind": ("Kind", "类型"),
    "content_type": ("Content-Type", "内容类型"),
    "size": ("Size (bytes)", "大小（字节）"),
    "revisit_of": ("Revisit of capture", "重复抓取自"),
    "challenge": ("Challenge", "挑战页"),
    "apply": ("Apply", "应用"),
    "none": ("none", "无"),
    "login_required": ("This archive needs a token: open it with ?token=...", "此档案需要令牌：请以 ?token=... 打开"),
    "unknown": ("unknown", "未知"),
}


def translator(lang: str) -> Callable[[str], str]:
    col = 1 if lang == "zh" else 0
    return lambda key: _TEXT[key][col] if key in _TEXT else key


def choose_language(query: Mapping[str, str], cookies: Mapping[str, str], accept_language: str | None) -> str:
    """zh or en: an explicit ?ui= first, then the remembered choice, then the browser's preference."""
    for value in (query.get("ui"), cookies.get(COOKIE)):
        if value in LANGS:
            return value
    best, best_q = "en", -1.0
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGS and q > best_q:
            best, best_q = primary, q
    return best
