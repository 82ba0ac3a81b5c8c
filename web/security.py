"""Security headers on every response, the access token, and loopback-only Host names.

A plain ASGI middleware (not BaseHTTPMiddleware), so streamed downloads pass through untouched.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

__all__ = ["APP_CSP", "LOOPBACK_HOSTS", "RAW_CSP", "TOKEN_COOKIE", "SecurityMiddleware"]

# the app itself runs no script at all: pages work without JavaScript
APP_CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; frame-src 'self'; form-action 'self'; "
           "base-uri 'none'; frame-ancestors 'none'")
# an archived page: no script, no request of any kind, and a sandbox even when opened on its own
RAW_CSP = ("default-src 'none'; img-src 'none'; style-src 'unsafe-inline'; font-src 'none'; form-action 'none'; "
           "base-uri 'none'; frame-ancestors 'self'; sandbox")
TOKEN_COOKIE = "govnews_token"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")

_COMMON = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
]


def _host_name(host: str) -> str:
    if host.startswith("["):
        return host[1:].split("]")[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class SecurityMiddleware:
    def __init__(self, app: Any, *, token: str | None, allowed_hosts: Iterable[str] | None) -> None:
        self.app = app
        self.token = token
        # without a token the server trusts loopback; a Host check stops DNS rebinding from reading it
        self.allowed_hosts = None if allowed_hosts is None else {h.lower() for h in allowed_hosts}

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if self.allowed_hosts is not None and _host_name(headers.get("host", "")).lower() not in self.allowed_hosts:
            await _plain(send, 400, "unknown Host: this server answers only to its loopback address\n")
            return
        if self.token is not None:
            query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
            given = dict(query).get("token")
            if given is not None:
                await self._login(scope, send, given, query)
                return
            if not self._authorised(headers):
                await _plain(send, 401, "this archive needs a token: open it once with ?token=...\n"
                             "或以 ?token=... 打开一次\n")
                return

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                hdrs = list(message.get("headers", []))
                present = {k.lower() for k, _ in hdrs}
                extra = [*_COMMON, (b"content-security-policy", APP_CSP.encode()), (b"x-frame-options", b"DENY")]
                hdrs += [(k, v) for k, v in extra if k not in present]
                message = {**message, "headers": hdrs}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _authorised(self, headers: dict[str, str]) -> bool:
        assert self.token is not None
        candidates = [headers.get("x-govnews-token", "")]
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            candidates.append(auth[7:].strip())
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except Exception:  # noqa: BLE001 - a malformed cookie header is simply no token
            cookie = SimpleCookie()
        if TOKEN_COOKIE in cookie:
            candidates.append(cookie[TOKEN_COOKIE].value)
        return any(c and hmac.compare_digest(c.encode(), self.token.encode()) for c in candidates)

    async def _login(self, scope: dict[str, Any], send: Any, given: str, query: list[tuple[str, str]]) -> None:
        assert self.token is not None
        if not hmac.compare_digest(given.encode(), self.token.encode()):
            await _plain(send, 401, "wrong token\n")
            return
        rest = urlencode([(k, v) for k, v in query if k != "token"])
        location = quote(scope.get("path", "/"), safe="/:@!$&'()*+,;=-._~") + (f"?{rest}" if rest else "")
        cookie = f"{TOKEN_COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict"
        await send({"type": "http.response.start", "status": 303,
                    "headers": [(b"location", location.encode()), (b"set-cookie", cookie.encode()),
                                (b"content-length", b"0"), *_COMMON]})
        await send({"type": "http.response.body", "body": b""})


async def _plain(send: Any, status: int, text: str) -> None:
    body = text.encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()),
                            (b"content-security-policy", APP_CSP.encode()), (b"x-frame-options", b"DENY"),
                            *_COMMON]})
    await send({"type": "http.response.body", "body": body})
