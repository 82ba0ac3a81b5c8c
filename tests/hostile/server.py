"""The hostile fixture: one loopback site whose pages do everything a broken or malicious server does.

Each scenario is a path; `SCENARIOS` says what a correct crawler must do with it. The request log
records every request so tests can prove what was and was not fetched.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import zlib
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

__all__ = ["SCENARIOS", "HostileServer", "Scenario"]


@dataclass(frozen=True, slots=True)
class Scenario:
    path: str  # entry point linked from the home page
    expect: str  # what the crawler must do: archived, refused, aborted, bounded, retried, flagged, never
    note: str


_SENTENCES = (
    "本市持续推进网络安全专项行动，压实网站平台主体责任，切实维护网民合法权益。",
    "各区网信部门要加强部门协同联动，组织专家开展评估，确保专项行动取得实效。",
    "截至目前，全市累计覆盖重点网站平台一千二百家，同比增长百分之十八。",
    "下一步，市委网信办将继续加快推进数字政府建设，不断增强人民群众的获得感。",
    "会议强调，要坚持问题导向，强化日常监测预警，筑牢网络安全屏障。",
    "与会人员一致认为，要全面落实个人信息保护，进一步提升基层治理数字化水平。",
)


def _article(n: int, extra: str = "") -> bytes:
    para = "".join(f"<p>{s}（第{n}号）</p>" for s in _SENTENCES)
    return (f"<html><head><meta charset='utf-8'><title>通知{n}</title></head><body><h1>关于专项行动的通知{n}</h1>"
            f"<div class='TRS_UEDITOR'>{para}{extra}</div></body></html>").encode()


_BOMB_RAW = 1024 * 1024 * 1024  # 1 GiB of zeros, about 1 MiB compressed


def _gzip_bomb() -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"\0" * (1024 * 1024)
    out = [comp.compress(chunk) for _ in range(_BOMB_RAW // len(chunk))]
    out.append(comp.flush())
    return b"".join(out)


SCENARIOS: list[Scenario] = [
    Scenario("/art/1.html", "archived", "a plain article (control)"),
    Scenario("/art/2.html", "aborted", "gzip bomb: 1 MiB that inflates to 1 GiB"),
    Scenario("/art/3.html", "aborted", "50 MiB page with a Content-Length"),
    Scenario("/art/4.html", "aborted", "50 MiB page streamed without a Content-Length"),
    Scenario("/art/5.html", "aborted", "drips one byte a second"),
    Scenario("/art/6.html", "aborted", "stalls before sending headers"),
    Scenario("/art/7.html", "refused", "redirects to 10.0.0.1"),
    Scenario("/art/8.html", "refused", "redirects to 169.254.169.254 (cloud metadata)"),
    Scenario("/art/9.html", "refused", "redirects to another loopback port"),
    Scenario("/art/10.html", "bounded", "redirect loop between two URLs"),
    Scenario("/art/11.html", "bounded", "a chain of 12 redirects"),
    Scenario("/art/12.html", "refused", "meta refresh to a private address"),
    Scenario("/art/13.html", "refused", "redirects to an off-site host"),
    Scenario("/art/14.html", "refused", "redirects to file:///etc/passwd"),
    Scenario("/art/15.html", "retried", "503 with Retry-After: 3600 (capped), then 200"),
    Scenario("/art/16.html", "retried", "500 once, then 200"),
    Scenario("/art/17.html", "bounded", "503 forever: retries stop"),
    Scenario("/art/18.html", "flagged", "soft 404: 200 with 页面不存在"),
    Scenario("/art/19.html", "flagged", "PNG bytes served as text/html"),
    Scenario("/art/20.html", "archived", "invalid UTF-8 bytes in a UTF-8 page"),
    Scenario("/art/21.html", "flagged", "100,000 nested divs"),
    Scenario("/art/22.html", "flagged", "one 3 MiB line without a newline"),
    Scenario("/art/23.html", "flagged", "Content-Length larger than the body (truncated)"),
    Scenario("/art/24.html", "flagged", "claims gzip, sends plain bytes"),
    Scenario("/art/25.html", "flagged", "瑞数 412 challenge"),
    Scenario("/art/26.html", "flagged", "加速乐 521 challenge"),
    Scenario("/art/27.html", "retried", "429 with an HTTP-date Retry-After, then 200"),
    Scenario("/private/art/28.html", "never", "disallowed by robots.txt"),
    Scenario("/calendar/2026-06-01.html", "bounded", "calendar with endless next-day links"),
    Scenario("/search?q=%E6%89%B6%E8%B4%AB&page=1", "bounded", "search results that page forever"),
    Scenario("/list/filter.html?a=1", "bounded", "filters whose query strings multiply"),
    Scenario("/list/session.html;jsessionid=AAAA", "bounded", "a new session id in every link"),
    Scenario("/list/a/index.html", "bounded", "relative links that repeat path segments"),
    Scenario("/list/endless_1.html", "bounded", "pagination that never ends"),
    Scenario("/art/35.html", "archived", "article linked with javascript:, mailto: and ftp: neighbours"),
]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: bytes = b"", ctype: str = "text/html; charset=utf-8",
              headers: dict[str, str] | None = None, length: int | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        if self.command != "HEAD":
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)
        self.server.log(self, status)

    def _redirect(self, location: str, status: int = 302) -> None:
        self._send(status, b"", headers={"Location": location})

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        path, qs = parts.path, parse_qs(parts.query)
        n = self.server.hit(self.path)
        if path == "/robots.txt":
            return self._send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
        if path == "/index.html":
            links = "".join(f'<a href="{s.path}">{s.note}</a>\n' for s in SCENARIOS)
            return self._send(200, f"<html><body><h1>恶意测试站</h1>{links}</body></html>".encode())
        if path == "/art/1.html":
            return self._send(200, _article(1))
        if path == "/art/2.html":
            return self._send(200, self.server.bomb, headers={"Content-Encoding": "gzip"})
        if path == "/art/3.html":
            return self._stream(50 * 1024 * 1024, with_length=True)
        if path == "/art/4.html":
            return self._stream(50 * 1024 * 1024, with_length=False)
        if path == "/art/5.html":
            return self._drip()
        if path == "/art/6.html":
            time.sleep(30)
            return self._send(200, _article(6))
        if path == "/art/7.html":
            return self._redirect("http://10.0.0.1/latest.html")
        if path == "/art/8.html":
            return self._redirect("http://169.254.169.254/latest/meta-data/")
        if path == "/art/9.html":
            return self._redirect(f"http://127.0.0.1:{self.server.other_port}/art/9.html")
        if path in ("/art/10.html", "/loop/b.html"):
            return self._redirect("/loop/b.html" if path == "/art/10.html" else "/art/10.html")
        if path == "/art/11.html" or path.startswith("/chain/"):
            step = int(path.rsplit("/", 1)[1].split(".")[0]) if path.startswith("/chain/") else 0
            return self._redirect(f"/chain/{step + 1}.html")
        if path == "/art/12.html":
            return self._send(200, b'<html><head><meta http-equiv="refresh" content="0; url=http://10.1.2.3/x"></head></html>')
        if path == "/art/13.html":
            return self._redirect("http://evil.example.test/steal.html")
        if path == "/art/14.html":
            return self._redirect("file:///etc/passwd")
        if path == "/art/15.html":
            return self._send(503, b"busy", headers={"Retry-After": "3600"}) if n == 1 else self._send(200, _article(15))
        if path == "/art/16.html":
            return self._send(500, b"oops") if n == 1 else self._send(200, _article(16))
        if path == "/art/17.html":
            return self._send(503, b"down for maintenance")
        if path == "/art/18.html":
            return self._send(200, "<html><head><title>页面不存在</title></head><body>您访问的页面不存在或已被删除</body></html>".encode())
        if path == "/art/19.html":
            return self._send(200, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 200)
        if path == "/art/20.html":
            return self._send(200, _article(20).replace("第3段".encode(), b"\xff\xfe\xfd"))
        if path == "/art/21.html":
            return self._send(200, b"<html><body>" + b"<div>" * 100_000 + "深".encode() + b"</div>" * 100_000 + b"</body></html>")
        if path == "/art/22.html":
            return self._send(200, b"<html><body><p>" + "长".encode() * (1024 * 1024) + b"</p></body></html>")
        if path == "/art/23.html":
            self.close_connection = True  # hang up mid-body, as a crashing server does
            return self._send(200, _article(23)[:400], length=20_000)
        if path == "/art/24.html":
            return self._send(200, _article(24), headers={"Content-Encoding": "gzip"})
        if path == "/art/25.html":
            return self._send(412, b"<html><head><meta content=\"x\" r=\"m\"></head><script r='m'>$_ts=window['$_ts'];"
                                   b"if(!$_ts)$_ts={};$_ts.nsd=1;$_ts.lcd();</script></html>")
        if path == "/art/26.html":
            return self._send(521, b"<script>document.cookie='__jsluid_h=abc';location.href=location.pathname</script>")
        if path == "/art/27.html":
            when = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 2))
            return self._send(429, b"slow down", headers={"Retry-After": when}) if n == 1 else self._send(200, _article(27))
        if path == "/private/art/28.html":
            return self._send(200, _article(28))
        if path.startswith("/calendar/"):
            day = path.rsplit("/", 1)[1][:10]
            y, m, d = (int(x) for x in day.split("-"))
            nxt = f"{y + (m == 12 and d == 28):04d}-{(m % 12) + 1 if d == 28 else m:02d}-{1 if d == 28 else d + 1:02d}"
            return self._send(200, f'<a href="/calendar/{nxt}.html">下一天</a> <a href="/art/1.html">x</a>'.encode())
        if path == "/search":
            page = int(qs.get("page", ["1"])[0])
            return self._send(200, f'<a href="/search?q=%E6%89%B6%E8%B4%AB&page={page + 1}">下一页</a>'
                                   f'<a href="/search?q=%E6%89%B6%E8%B4%AB&page={page + 1}&sort=date">按日期</a>'.encode())
        if path == "/list/filter.html":
            keys = sorted(qs)
            links = "".join(f'<a href="/list/filter.html?{"&".join(f"{k}=1" for k in keys)}&{c}={n}">f</a>'
                            for c in "bcdefgh")
            return self._send(200, links.encode())
        if path.startswith("/list/session.html"):
            return self._send(200, f'<a href="/list/session.html;jsessionid=S{n}X">next</a>'.encode())
        if path.startswith("/list/a/"):
            return self._send(200, b'<a href="a/index.html">more</a><a href="./a/index.html">again</a>')
        if path.startswith("/list/endless_"):
            k = int(path.rsplit("_", 1)[1].split(".")[0])
            return self._send(200, f'<a href="/list/endless_{k + 1}.html">下一页</a>'
                                   f'<a href="/art/9{k:05d}.html">fake</a>'.encode())
        if path.startswith("/art/9") and len(path) > 12:
            return self._send(200, _article(int(path[6:-5])))
        if path == "/art/35.html":
            return self._send(200, _article(35, '<a href="javascript:alert(1)">j</a><a href="mailto:a@b.c">m</a>'
                                                '<a href="ftp://127.0.0.1/x">f</a><a href="data:text/html,x">d</a>'))
        return self._send(404, b"not here")

    def _stream(self, size: int, *, with_length: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        if with_length:
            self.send_header("Content-Length", str(size))
        else:
            self.send_header("Connection", "close")
        self.end_headers()
        self.server.log(self, 200)
        chunk = b"<p>" + b"x" * 65530 + b"</p>"
        try:
            for _ in range(size // len(chunk)):
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            return
        self.close_connection = True

    def _drip(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        self.server.log(self, 200)
        try:
            for _ in range(100000):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(1)
        except (BrokenPipeError, ConnectionResetError):
            return


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, other_port: int) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.other_port = other_port
        self.requests: list[dict[str, Any]] = []
        self._hits: dict[str, int] = {}
        self._lock = threading.Lock()
        self.bomb = _gzip_bomb()

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a crawler hanging up on a bomb or a drip is the expected outcome, not an error

    def hit(self, path: str) -> int:
        with self._lock:
            self._hits[path] = self._hits.get(path, 0) + 1
            return self._hits[path]

    def log(self, handler: _Handler, status: int) -> None:
        with self._lock:
            self.requests.append({"ts": time.time(), "path": handler.path, "status": status,
                                  "ua": handler.headers.get("User-Agent", "")})


class HostileServer:
    """The hostile site on 127.0.0.1 (and a second port it redirects to, which must never be contacted)."""

    def __init__(self) -> None:
        self.decoy = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.decoy.daemon_threads = True
        self.decoy_hits: list[str] = []
        decoy_hits = self.decoy_hits

        class _Decoy(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                decoy_hits.append(self.path)
                self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.decoy.RequestHandlerClass = _Decoy
        self.server = _Server(self.decoy.server_address[1])
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Self:
        for srv in (self.server, self.decoy):
            threading.Thread(target=srv.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        for srv in (self.server, self.decoy):
            srv.shutdown()
            srv.server_close()

    @property
    def requests(self) -> list[dict[str, Any]]:
        with self.server._lock:
            return list(self.server.requests)

    def dump_log(self) -> str:
        return "\n".join(json.dumps(r) for r in self.requests)


if __name__ == "__main__":  # serve it by hand: python -m tests.hostile.server
    with HostileServer() as h:
        print(h.url)
        threading.Event().wait()
