"""The archive on SQLite and PostgreSQL: migrations, raw captures first, claims, article upserts."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import sessionmaker

from store import make_engine, migrate
from store.archive import (
    ArticleRow,
    CaptureData,
    capture_body,
    claim_captures,
    known_article_urls,
    record_capture,
    save_article,
    start_run,
)
from store.errors import StoreError
from store.migrate import head_revision
from store.models import Article, Capture


@pytest.fixture
def session(db_url: str):
    engine = make_engine(db_url)
    migrate(engine)
    with sessionmaker(engine, expire_on_commit=False)() as s:
        yield s
    engine.dispose()


def _capture(url: str, body: bytes = "<p>正文</p>".encode(), kind: str = "article", status: int = 200) -> CaptureData:
    return CaptureData(site_key="s", url=url, final_url=url, status=status, body=body, kind=kind,
                       headers=[["Content-Type", "text/html; charset=utf-8"], ["ETag", '"x"']])


def test_migrate_creates_every_table_once(db_url: str) -> None:
    engine = make_engine(db_url)
    assert migrate(engine) == (None, head_revision())
    assert migrate(engine) == (head_revision(), head_revision())  # idempotent
    names = set(inspect(engine).get_table_names())
    assert {"sites", "crawl_runs", "captures", "fetch_failures", "articles", "alembic_version"} <= names
    engine.dispose()


def test_capture_keeps_raw_bytes_headers_and_checksum(session) -> None:
    run = start_run(session, ["s"])
    raw = "<html>镕堃</html>".encode("gb18030")
    data = _capture("http://h.test/a.html", raw)
    data.run_id = run
    cid, new = record_capture(session, data)
    assert new
    cap = session.get(Capture, cid)
    assert capture_body(session, cap) == raw and zlib.decompress(cap.body) == raw
    assert cap.body_sha256 == __import__("hashlib").sha256(raw).hexdigest()
    assert ["ETag", '"x"'] in cap.headers and cap.clean_state == "pending" and cap.run_id == run
    assert cap.fetched_at.tzinfo is not None


def test_an_unchanged_recapture_is_a_revisit_without_a_second_body(session) -> None:
    first, _ = record_capture(session, _capture("http://h.test/list.html", b"<a>list</a>", kind="list"))
    again, new = record_capture(session, _capture("http://h.test/list.html", b"<a>list</a>", kind="list"))
    assert not new
    cap = session.get(Capture, again)
    assert cap.body is None and cap.revisit_of == first
    assert capture_body(session, cap) == b"<a>list</a>"
    changed, new = record_capture(session, _capture("http://h.test/list.html", b"<a>list 2</a>", kind="list"))
    assert new and session.get(Capture, changed).body is not None


def test_claims_never_hand_one_capture_to_two_workers(session) -> None:
    for i in range(10):
        record_capture(session, _capture(f"http://h.test/{i}.html"))
    record_capture(session, _capture("http://h.test/list.html", kind="list"))  # lists are not cleaned
    a = claim_captures(session, "a", limit=6)
    b = claim_captures(session, "b", limit=6)
    assert len(a) == 6 and len(b) == 4
    assert not {c.id for c in a} & {c.id for c in b}
    assert claim_captures(session, "c", limit=6) == []
    # an expired lease comes back
    assert len(claim_captures(session, "d", limit=20, lease_s=-1)) == 10


def test_article_upsert_keeps_one_row_per_url(session) -> None:
    cid, _ = record_capture(session, _capture("http://h.test/a.html"))
    row = ArticleRow(url="http://h.test/a.html", site_key="s", capture_id=cid, title="标题",
                     published_at=datetime(2026, 3, 12, 1, 30, tzinfo=UTC), published_date=None, source="来源",
                     author=None, editor=None, body="正文", body_simplified="正文", language="zh",
                     script="simplified", content_hash="h", flags=["x"], removed={}, cleaner_version="t")
    save_article(session, row)
    row.title = "新标题"
    save_article(session, row)
    session.commit()
    assert session.scalar(select(func.count()).select_from(Article)) == 1
    art = session.scalars(select(Article)).one()
    assert art.title == "新标题" and art.flags == ["x"]
    assert art.published_at == datetime(2026, 3, 12, 1, 30, tzinfo=UTC)
    assert known_article_urls(session, ["s"]) == {"http://h.test/a.html"}


def test_bad_database_urls_are_clear_errors() -> None:
    with pytest.raises(StoreError, match="unsupported database"):
        make_engine("mysql://localhost/x")
    with pytest.raises(StoreError, match="not a database URL"):
        make_engine("://")
