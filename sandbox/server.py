"""A loopback HTTP server for the sample web: proxy-form, Host-header and ``/_site/<host>/`` requests."""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import IO, TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit

from .model import Response, esc
from .web import SampleWeb

if TYPE_CHECKING:
    from pathlib import Path
    from types import TracebackType

__all__ = ["SampleWebServer", "serve_forever"]

log = logging.getLogger(__name__)

_SITE_PREFIX = re.compile(r"^/_site/([^/?#]+)(.*)$")
_REFERER_SITE = re.compile(r"/_site/([^/?#]+)")
_LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "SampleGovWeb/1.0"
    sys_version = ""
    timeout = 30  # drop idle keep-alive connections instead of holding a thread forever
    server: _HTTPServer

    def do_GET(self) -> None:
        self._handle()

    do_HEAD = do_POST = do_PUT = do_DELETE = do_OPTIONS = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def _target(self) -> tuple[str, str, bool]:
        """(virtual host, path with query, came through /_site/) for this request."""
        if self.path.startswith(("http://", "https://")):
            parts = urlsplit(self.path)
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            return (parts.hostname or "", path, False)
        match = _SITE_PREFIX.match(self.path)
        if match:
            rest = match[2]
            return (match[1].lower(), rest if rest.startswith("/") else "/" + rest, True)
        host = self.headers.get("Host") or ""
        host = host[: host.find("]") + 1] if host.startswith("[") else host.rsplit(":", 1)[0]
        return (host.lower(), self.path, False)

    def _handle(self) -> None:
        owner = self.server.owner
        host, path, via_site = self._target()
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        if not via_site and host in _LOOPBACK:
            response = self._loopback(path)
        else:
            response = owner.web.page(host, path, self.command, body, dict(self.headers.items()))
        if response.delay:
            time.sleep(response.delay)
        if via_site and response.headers.get("Content-Type", "").startswith("text/html"):
            response = owner.rewrite_for_browser(response)
        with_body = response.status != 304 and self.command != "HEAD"
        # logged before the answer goes out: a client that reads the log right after its response
        # must find the entry there
        owner.record(
            {
                "ts": time.time(),
                "method": self.command,
                "host": host,
                "path": path,
                "status": response.status,
                "ua": self.headers.get("User-Agent"),
                "referer": self.headers.get("Referer"),
                "bytes": len(response.body) if with_body else 0,
                "if_none_match": self.headers.get("If-None-Match"),
                "if_modified_since": self.headers.get("If-Modified-Since"),
            }
        )
        self._send(response)

    def _loopback(self, path: str) -> Response:
        """Requests addressed to the server itself: follow a /_site/ Referer, else list the sites."""
        referer = _REFERER_SITE.search(self.headers.get("Referer") or "")
        if referer:
            return Response(
                302, {"Location": f"/_site/{referer[1]}{path}", "Content-Type": "text/plain"}, b""
            )
        links = "".join(
            f'<li><a href="/_site/{s.host}{urlsplit(u).path}">{esc(s.name)}</a> {s.host}</li>'
            for s in self.server.owner.web.sites
            for u in s.start_urls()[:1]
        )
        page = f"<!DOCTYPE html><html><head><meta charset=utf-8><title>sample web</title></head><body><ul>{links}</ul></body></html>"
        return Response(200, {"Content-Type": "text/html; charset=utf-8"}, page.encode())

    def _send(self, response: Response) -> int:
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        with_body = response.status != 304 and self.command != "HEAD"
        if response.status != 304:
            self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if with_body:
            self.wfile.write(response.body)
            return len(response.body)
        return 0


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    owner: SampleWebServer


class SampleWebServer:
    """The sample web on a loopback port, run in a background thread.

    Use it as the crawler's HTTP proxy (``http://127.0.0.1:<port>``), with a ``Host`` header, or browse
    ``/_site/<host>/<path>``. Every request is logged to ``.requests`` and, if given, to ``log_path``.
    """

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, scale: int = 40, log_path: Path | None = None
    ) -> None:
        self.web = SampleWeb(scale)
        self.log_path = log_path
        self._log: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._file: IO[str] | None = None
        self._thread: threading.Thread | None = None
        self._httpd = _HTTPServer((host, port), _Handler)
        self._httpd.owner = self
        self._hosts = [s.host for s in (*self.web.sites, *self.web.offsite_sites)]

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self._httpd.server_address[0]}:{self.port}"

    @property
    def requests(self) -> list[dict[str, Any]]:
        """A snapshot of the request log (one dict per request, oldest first)."""
        with self._lock:
            return list(self._log)

    def reset_log(self) -> None:
        with self._lock:
            self._log.clear()

    def record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._log.append(entry)
            if self.log_path is not None:
                if self._file is None:
                    self._file = self.log_path.open("a", encoding="utf-8")
                self._file.write(json.dumps(entry, ensure_ascii=False) + "\n")
                self._file.flush()

    def rewrite_for_browser(self, response: Response) -> Response:
        """Point absolute and protocol-relative links of known hosts back into /_site/ (browsing only)."""
        body = response.body
        for host in self._hosts:
            target = f"/_site/{host}".encode()
            body = body.replace(f"http://{host}".encode(), target).replace(f"//{host}".encode(), target)
        headers = {k: v for k, v in response.headers.items() if k != "ETag"}
        location = headers.get("Location", "")
        for host in self._hosts:
            location = location.replace(f"http://{host}", f"/_site/{host}")
        if location:
            headers["Location"] = location
        return Response(response.status, headers, body)

    def start(self) -> SampleWebServer:
        """Serve in a daemon thread and return immediately."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._httpd.serve_forever, name="sample-web", daemon=True)
            self._thread.start()
            log.info("sample web listening on %s", self.url)
        return self

    def serve(self) -> None:
        """Serve in the calling thread until interrupted."""
        log.info("sample web listening on %s", self.url)
        try:
            self._httpd.serve_forever()
        finally:
            self.stop()

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def serve_forever(
    host: str = "127.0.0.1", port: int = 8080, scale: int = 40, log_path: Path | None = None
) -> None:
    """Run the sample web in the foreground (for ``govnews sandbox serve``); Ctrl-C stops it."""
    server = SampleWebServer(host, port, scale, log_path)
    try:
        server.serve()
    except KeyboardInterrupt:
        log.info("sample web stopped")
