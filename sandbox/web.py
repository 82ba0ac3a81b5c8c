"""The offline "government web": all virtual hosts, request routing and the manifest of expected articles."""

from __future__ import annotations

import argparse
import json
import threading
from collections import Counter
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from .model import Response, Site, text_response
from .sites import OFFSITE_CLASSES, SITE_CLASSES
from .textgen import R_TITLE

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = ["Response", "SampleWeb", "main"]

_NOT_FOUND = (
    "<!DOCTYPE html><html><head><title>404 Not Found</title></head>"
    "<body><h1>404 Not Found</h1><p>The requested URL was not found on this server.</p></body></html>\n"
)
_SOFT_GONE = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>页面不存在</title></head>"
    "<body><div class='main'><p>对不起，您访问的页面不存在或已被删除！</p><a href='/'>返回首页</a></div></body></html>\n"
)
_CHROME_ONLY = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>中国台湾网</title></head><body>"
    "<div class='nav'>首页 新闻中心 时政新闻</div><div class='content'>来源：<br>发布日期：<br>浏览次数： 次"
    "<br>文章字号：大中小<br>分享到：</div><script src='/js/article.js'></script>"
    "<div class='footer'>主办单位：中国台湾网 京ICP备05000000号</div></body></html>\n"
)
_STALL_CAP_MS = 30_000
_SPECIAL_KEYS = ("robots_disallowed", "offsite", "challenge", "not_found", "soft_404", "flaky_500", "stall")


def _portal(site: Site) -> Response:
    """A plain home page for a site whose templates have none: its columns and newest articles."""
    from .model import esc

    columns = "".join(f'<li><a href="{u.split(site.host, 1)[1]}">栏目{i + 1}</a></li>'
                      for i, u in enumerate(site.start_urls()))
    newest = "".join(f'<li><a href="{a.path}">{esc(a.title)}</a></li>' for a in site.articles[:6])
    html = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{esc(site.name)}</title></head><body>"
            f"<h1>{esc(site.name)}</h1><ul class='nav'>{columns}</ul><ul class='news'>{newest}</ul></body></html>")
    return site.html(html, charset="utf-8", content_type="text/html; charset=utf-8")


class SampleWeb:
    """Every site of the sample web, built lazily enough that ``scale=700`` takes well under a second.

    Pages are deterministic: two instances with the same ``scale`` serve byte-identical pages. The only
    state is a per-URL hit counter (the flaky page answers 500 on its first request).
    """

    def __init__(self, scale: int = 40) -> None:
        self.scale = scale
        self.sites: list[Site] = [cls(scale) for cls in SITE_CLASSES]
        self.offsite_sites: list[Site] = [cls(scale) for cls in OFFSITE_CLASSES]
        self._hosts = {s.host: s for s in (*self.sites, *self.offsite_sites)}
        self._hits: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()
        self.edition = 1
        self._gone: dict[tuple[str, str], int] = {}  # (host, path) -> 404 or 200 (a soft 404)
        self._edited: dict[int, list[str]] = {}  # id(article) -> its first-edition paragraphs

    def site(self, host: str) -> Site | None:
        """The site serving ``host`` (port and case ignored), if any."""
        return self._hosts.get(host.split(":")[0].lower().rstrip("."))

    def set_edition(self, edition: int) -> dict[str, list[str]]:
        """Publish edition *edition* of the web; 2 edits one article, deletes one and soft-deletes one;
        3 also breaks www.taiwan.cn.test's article template (pages without their text).

        Returns the URLs changed, by what happened to them ("edited", "deleted", "soft_deleted").
        Edition 1 restores the original pages.
        """
        with self._lock:
            for site in self.sites:
                for a in site.articles:
                    if id(a) in self._edited:
                        a._body = self._edited.pop(id(a))
            self._gone.clear()
            self.edition = edition
            if edition < 2:
                return {"edited": [], "deleted": [], "soft_deleted": []}
            fillers = {s.host: [a for a in s.articles if a.kind == "filler" and not a.flags] for s in self.sites}
            edited = fillers["www.cac.gov.cn.test"][2]
            self._edited[id(edited)] = list(edited.paragraphs)
            edited._body = [*edited.paragraphs, "（本文于2026年7月1日更新：补充了专项行动第二阶段的工作安排。）"]
            deleted = fillers["www.gov.cn.test"][2]
            soft = fillers["www.taiwan.cn.test"][2]
            self._gone[(deleted.host, deleted.path)] = 404
            self._gone[(soft.host, soft.path)] = 200
            return {"edited": [edited.url], "deleted": [deleted.url], "soft_deleted": [soft.url]}

    def reset_state(self) -> None:
        """Forget per-URL hit counts (the flaky page fails again on its next request)."""
        with self._lock:
            self._hits.clear()

    def page(
        self,
        host: str,
        path_with_query: str,
        method: str = "GET",
        body_bytes: bytes = b"",
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """Answer one request. For HEAD the GET body is returned; the server must not send it."""
        site = self.site(host)
        if site is None:
            return text_response(502, f"sample web: unknown host {host!r}\n")
        gone = self._gone.get((site.host, path_with_query.partition("?")[0]))
        bare = path_with_query.partition("?")[0]
        if self.edition >= 3 and site.host == "www.taiwan.cn.test" and bare.count("/") > 3 and "/xwzx/" in bare:
            # edition 3: the site's redesign moved the article text into a script; pages hold only chrome
            return Response(200, {"Content-Type": "text/html; charset=utf-8"}, _CHROME_ONLY.encode())
        if gone == 404:
            return Response(404, {"Content-Type": "text/html; charset=utf-8"}, _NOT_FOUND.encode())
        if gone == 200:
            return Response(200, {"Content-Type": "text/html; charset=utf-8"}, _SOFT_GONE.encode())
        hdrs = {k.lower(): v for k, v in (headers or {}).items()}
        path, _, qs = path_with_query.partition("?")
        path = path or "/"
        query = dict(parse_qsl(qs, keep_blank_values=True))
        with self._lock:
            self._hits[(site.host, path_with_query)] += 1
            hits = self._hits[(site.host, path_with_query)]
        method = method.upper()
        if path == "/robots.txt":
            if site.robots is None:
                return Response(404, {"Content-Type": "text/html; charset=utf-8"}, _NOT_FOUND.encode())
            return text_response(200, site.robots)
        if path == "/__stall":
            try:
                ms = max(0, min(int(query.get("ms", "0")), _STALL_CAP_MS))
            except ValueError:
                ms = 0
            return Response(
                200, {"Content-Type": "text/plain; charset=utf-8"}, f"stalled {ms} ms\n".encode(), ms / 1000
            )
        if method not in ("GET", "HEAD") and path not in getattr(site, "post_paths", ()):
            return Response(
                405,
                {"Content-Type": "text/plain; charset=utf-8", "Allow": "GET, HEAD"},
                b"405 Method Not Allowed\n",
            )
        if path_with_query in getattr(site, "flaky_paths", ()) and hits == 1:
            return text_response(
                500,
                "<html><body><h1>500 Internal Server Error</h1></body></html>\n",
                "text/html; charset=utf-8",
            )
        response = site.route(path, query, method, body_bytes)
        if response is None and path == "/":
            response = _portal(site)
        if response is None:
            return Response(404, {"Content-Type": "text/html; charset=utf-8"}, _NOT_FOUND.encode())
        if response.status == 200 and "ETag" in response.headers and self._not_modified(response, hdrs):
            keep = {k: v for k, v in response.headers.items() if k in ("ETag", "Last-Modified")}
            return Response(304, keep, b"")
        return response

    @staticmethod
    def _not_modified(response: Response, headers: Mapping[str, str]) -> bool:
        inm = headers.get("if-none-match")
        if inm is not None:
            tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
            return "*" in tags or response.headers["ETag"] in tags
        ims = headers.get("if-modified-since")
        if ims:
            try:
                return parsedate_to_datetime(response.headers["Last-Modified"]) <= parsedate_to_datetime(ims)
            except (TypeError, ValueError):
                return False
        return False

    def expected(self) -> dict[str, Any]:
        """The manifest: every expected article per site, the reprint cluster and the special URLs."""
        special: dict[str, list[str]] = {key: [] for key in _SPECIAL_KEYS}
        sites: dict[str, Any] = {}
        reprint: list[tuple[bool, str]] = []
        for site in self.sites:
            sites[site.host] = {
                "name": site.name,
                "family": site.family,
                "start_urls": site.start_urls(),
                "robots": site.robots is not None,
                "articles": [a.manifest() for a in site.articles],
            }
            for key, urls in site.special().items():
                special[key].extend(urls)
            reprint.extend((a.kind == "reprint", a.url) for a in site.articles if a.title == R_TITLE)
        return {
            "scale": self.scale,
            "sites": sites,
            "reprint": {"title": R_TITLE, "urls": [url for _, url in sorted(reprint)]},
            "special": special,
        }


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m sandbox.web --manifest out.json [--scale N]``."""
    parser = argparse.ArgumentParser(prog="python -m sandbox.web", description=__doc__)
    parser.add_argument("--manifest", type=Path, required=True, help="where to write the manifest JSON")
    parser.add_argument("--scale", type=int, default=40, help="filler articles per site (default 40)")
    args = parser.parse_args(argv)
    data = SampleWeb(args.scale).expected()
    args.manifest.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
