"""What every route needs: a read-only session per request, the interface language, the search state."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Request
from sqlalchemy.orm import Session

from web.i18n import choose_language
from web.state import SearchState, parse_state

__all__ = ["get_session", "language", "search_state"]


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


def language(request: Request) -> str:
    return choose_language(request.query_params, request.cookies, request.headers.get("accept-language"))


def search_state(request: Request) -> SearchState:
    params = request.query_params
    return parse_state({k: params[k] for k in params}, {k: params.getlist(k) for k in ("site", "flag")})
