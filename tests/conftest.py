"""Shared fixtures: the sample web on 127.0.0.1, and archive databases on SQLite and PostgreSQL.

PostgreSQL tests run against the server on 127.0.0.1:5432; they are skipped with a reason when it
does not answer, and fail instead when GOVNEWS_REQUIRE_SERVICES=1 (CI).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

PG_URL = os.environ.get("GOVNEWS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REQUIRE_SERVICES = os.environ.get("GOVNEWS_REQUIRE_SERVICES") == "1"


def _pg_available() -> str | None:
    """None when PostgreSQL answers, else why not."""
    try:
        engine = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means: not available here
        return f"PostgreSQL at {PG_URL} not available: {type(exc).__name__}"


@pytest.fixture(scope="session")
def pg_server() -> str:
    why = _pg_available()
    if why:
        if REQUIRE_SERVICES:
            pytest.fail(f"GOVNEWS_REQUIRE_SERVICES=1 but {why}")
        pytest.skip(why)
    return PG_URL


def _private_schema(server: str) -> Iterator[str]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in server else "?"
    try:
        yield f"{server}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh, private schema, dropped afterwards."""
    yield from _private_schema(pg_server)


@pytest.fixture(scope="module")
def pg_module_url(pg_server: str) -> Iterator[str]:
    """Like pg_url, shared by one test module."""
    yield from _private_schema(pg_server)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty archive URL on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'archive.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture(scope="session")
def sample_web() -> Iterator[Any]:
    """The bundled sample web at scale 40, serving on a free port for the whole session."""
    from sandbox.server import SampleWebServer

    server = SampleWebServer(port=0, scale=40)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def manifest(sample_web: Any) -> dict[str, Any]:
    from sandbox.web import SampleWeb

    return SampleWeb(scale=40).expected()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[Any]:
    """A private redis-server (AOF, fsync always) on a free port, stopped afterwards."""
    from redis_server import REDIS, RedisServer

    if REDIS is None:
        if REQUIRE_SERVICES:
            pytest.fail("GOVNEWS_REQUIRE_SERVICES=1 but redis-server is not installed")
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path / "redis")
    server.dir.mkdir()
    server.start()
    yield server
    server.stop()
