"""The archivists' web UI as an ASGI app: server-rendered pages, their JSON twins under /api/, read-only.

    app = create_app("sqlite:///data/govnews.db")   # then: uvicorn.run(app, host="127.0.0.1", port=8080)
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine, event
from sqlalchemy.orm import sessionmaker

from store.db import make_engine
from web.security import LOOPBACK_HOSTS, SecurityMiddleware

__all__ = ["create_app", "read_only_engine"]

_LOOPBACK = object()
_SQLITE_MMAP = 1 << 30  # bytes of the archive SQLite may map; beyond it, it reads as usual


def read_only_engine(db_url: str | None) -> Engine:
    """An engine whose connections refuse to write, on SQLite and PostgreSQL."""
    engine = make_engine(db_url)

    def _read_only(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        if engine.dialect.name == "sqlite":
            cur.execute("PRAGMA query_only=ON")
            # searches read thousands of rows: map the file rather than copy each page through read()
            cur.execute(f"PRAGMA mmap_size={_SQLITE_MMAP}")
        else:
            cur.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        cur.close()
        if engine.dialect.name != "sqlite":
            dbapi_conn.commit()

    event.listen(engine, "connect", _read_only)
    return engine


def create_app(db_url: str | None = None, *, token: str | None = None,
               allowed_hosts: Iterable[str] | object | None = _LOOPBACK) -> FastAPI:
    """The app on the archive at *db_url*.

    With a *token*, every request must carry it (Authorization: Bearer, X-Govnews-Token, or the cookie
    a ?token= visit sets). Without one, only loopback Host names are answered unless *allowed_hosts*
    says otherwise (None: any).
    """
    engine = read_only_engine(db_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            engine.dispose()

    app = FastAPI(title="govnews archive", version="1", openapi_url="/api/openapi.json", docs_url=None,
                  redoc_url=None, lifespan=lifespan,
                  description="Read-only JSON twins of the govnews web UI's pages.")
    app.state.engine = engine
    app.state.sessions = sessionmaker(engine, expire_on_commit=False)
    from web.api import router as api_router
    from web.pages import router as pages_router

    app.include_router(api_router)
    app.include_router(pages_router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    hosts = (LOOPBACK_HOSTS if token is None else None) if allowed_hosts is _LOOPBACK else allowed_hosts
    app.add_middleware(SecurityMiddleware, token=token, allowed_hosts=hosts)  # type: ignore[arg-type]
    return app
