"""A small archive for the web UI tests, built from code: reprints, versions, a deletion, hostile pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cleaners.dedup import exact_key
from cleaners.language import to_simplified
from store.archive import (
    ArticleRow,
    CaptureData,
    finish_run,
    mark_cleaned,
    record_capture,
    start_run,
    store_article,
)
from store.models import Article, Capture
from store.versions import mark_deleted

__all__ = ["BACKENDS", "EVIL_RAW", "EVIL_TITLE", "POVERTY", "archive_on", "build_web_archive"]

CST = timezone(timedelta(hours=8))
_LINES = ["决战决胜脱贫攻坚座谈会召开。会议强调，脱贫攻坚战取得决定性成就。",
          "各地网信部门推进网络扶贫，巩固脱贫成果，推动互联网企业参与电商扶贫。",
          "会议指出，要坚持精准扶贫精准脱贫基本方略，确保剩余贫困人口如期脱贫。",
          "要加强产业扶贫、就业扶贫和易地扶贫搬迁后续扶持，防止返贫和产生新的贫困。",
          "要发挥网络媒体作用，讲好脱贫攻坚故事，营造全社会参与的良好氛围。",
          "与会代表交流了数字乡村建设、农村电商和远程教育医疗的经验做法。",
          "下一步将接续推进乡村振兴，做好两项工作有效衔接。"]
POVERTY = "\n".join(_LINES)
POVERTY_V2 = "\n".join([_LINES[0].replace("决定性成就", "全面胜利"), *_LINES[1:], "（本文于次日更新）"])
EVIL_TITLE = '<script>window.__pwned=1;alert("title")</script>脱贫 <img src=x onerror="alert(1)">'
EVIL_RAW = b"""<!doctype html><html><head><meta charset="utf-8">
<title><script>alert('t')</script></title>
<meta http-equiv="refresh" content="0;url=http://evil.example/refresh">
<link rel="stylesheet" href="http://evil.example/style.css">
<script src="http://evil.example/tracker.js"></script>
<script>window.top.__pwned = 1; alert('raw'); fetch('http://evil.example/fetch');</script>
<style>body { background: url(http://evil.example/bg.png); }</style>
</head><body onload="alert('onload')">
<h1>\xe8\x84\xb1\xe8\xb4\xab raw page</h1>
<img src="http://203.0.113.9/pixel.png"><img src="https://evil.example/x.gif">
<iframe src="http://evil.example/frame"></iframe>
<object data="http://evil.example/o.swf"></object>
<form action="http://evil.example/post" method="post"><input name="a" autofocus onfocus="alert('f')"></form>
<a href="javascript:alert('link')">click</a> <a id="out" href="http://evil.example/click">out</a>
</body></html>"""

_DOCS: list[dict[str, Any]] = [
    {"key": "cac", "url": "http://www.cac.test/2020-03/06/c_1.htm", "site": "cac", "title": "决战决胜脱贫攻坚座谈会召开",
     "body": POVERTY, "published": datetime(2020, 3, 6, 16, 0, tzinfo=CST), "source": "新华社"},
    {"key": "sc_copy", "url": "http://www.scwx.test/2020/03/07/a.htm", "site": "scwx",
     "title": "转载：决战决胜脱贫攻坚座谈会召开", "body": POVERTY, "published": datetime(2020, 3, 7, 9, 0, tzinfo=CST),
     "source": "新华社"},
    {"key": "gov_copy", "url": "http://www.gov.test/xinwen/2020-03/08/b.htm", "site": "gov",
     "title": "决战决胜脱贫攻坚座谈会召开", "body": POVERTY + "\n（责任编辑：李某）",
     "published": datetime(2020, 3, 8, 10, 0, tzinfo=CST), "source": "新华社"},
    {"key": "sc_other", "url": "http://www.scwx.test/2018/10/25/p1.htm", "site": "scwx", "title": "四川网络扶贫工作取得成效",
     "body": "四川省扎实推进网络扶贫，脱贫攻坚取得决定性进展。\n各地网信部门积极参与。",
     "published": datetime(2018, 10, 25, 8, 7, tzinfo=CST), "source": "四川日报", "flags": ["repeated_body"],
     "removed": {"repeated_body": ["四川省扎实推进网络扶贫（重复的第二份正文）"],
                 "spam_injected": ["澳门赌场在线娱乐 <b>点击</b>"]}},
    {"key": "tw", "url": "http://www.taiwan.test/t1.htm", "site": "taiwan", "title": "“智慧扶貧”開辟脫貧攻堅廣闊天地",
     "body": "今年是脫貧攻堅戰的收官之年，扶貧先扶智。", "published": datetime(2020, 9, 9, 12, 0, tzinfo=CST),
     "source": "學習時報", "script": "traditional"},
    {"key": "evil", "url": "http://evil.test/a.htm?x=\"><script>alert('url')</script>", "site": "evil",
     "title": EVIL_TITLE,
     "body": "脱贫<script>window.__pwned=1;alert('body')</script> 与 javascript:alert('js') 以及 \"><img src=x onerror=alert(2)>",
     "published": datetime(2021, 5, 1, 9, 0, tzinfo=CST), "source": '"><script>alert("source")</script>',
     "author": "<b onmouseover=alert(3)>作者</b>", "raw": EVIL_RAW},
]


def _row(d: dict[str, Any], capture_id: int, body: str) -> ArticleRow:
    simp = to_simplified(body)
    pub = d["published"]
    return ArticleRow(
        url=d["url"], site_key=d["site"], capture_id=capture_id, title=d["title"], published_at=pub,
        published_date=pub.astimezone(CST).date(), source=d["source"], author=d.get("author"), editor=None,
        body=body, body_simplified=simp, language="zh", script=d.get("script", "simplified"),
        content_hash=exact_key(simp), flags=list(d.get("flags", [])), removed=dict(d.get("removed", {})),
        cleaner_version="test", title_simplified=to_simplified(d["title"]))


def _capture(session: Session, d: dict[str, Any], body: bytes, at: datetime, *, status: int = 200,
             run_id: int | None = None) -> int:
    cid, _ = record_capture(session, CaptureData(
        site_key=d["site"], url=d["url"], final_url=d["url"], status=status, body=body, kind="article",
        fetched_at=at, run_id=run_id, declared_charset="utf-8",
        headers=[["Content-Type", "text/html; charset=utf-8"], ["Server", "<script>alert('hdr')</script>"],
                 ["Set-Cookie", "a=1"]],
        request_headers=[["User-Agent", "govnews-test"], ["Accept-Language", "zh-CN"]]))
    mark_cleaned(session, cid, state="done", used_charset="utf-8", meta_charset="utf-8")
    session.commit()
    return cid


def build_web_archive(session: Session) -> dict[str, int]:
    """Build the archive; returns article ids by doc key, plus capture ids as '<key>:capture<N>'."""
    ids: dict[str, int] = {}
    run = start_run(session, ["cac", "scwx", "gov", "taiwan", "evil"])
    t0 = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
    for i, d in enumerate(_DOCS):
        raw = d.get("raw") or f"<html><head><title>{d['title']}</title></head><body>{d['body']}</body></html>".encode()
        cid = _capture(session, d, raw, t0 + timedelta(hours=i), run_id=run)
        art = store_article(session, _row(d, cid, d["body"]))
        session.commit()
        ids[d["key"]] = art.id
        ids[f"{d['key']}:capture1"] = cid
    # a second version of the original: a recapture with an edited body
    cac = _DOCS[0]
    cid2 = _capture(session, cac, f"<html><body>{POVERTY_V2}</body></html>".encode(), t0 + timedelta(days=7))
    store_article(session, _row(cac, cid2, POVERTY_V2))
    session.commit()
    ids["cac:capture2"] = cid2
    # the Sichuan reprint was taken down: a 404 on its recheck
    sc = _DOCS[1]
    gone = _capture(session, sc, b"<html><body>404 Not Found</body></html>", t0 + timedelta(days=30), status=404)
    mark_deleted(session, sc["url"], capture=session.get(Capture, gone), reason="http_404")
    session.commit()
    # a challenge page met on the gov site
    chal, _ = record_capture(session, CaptureData(
        site_key="gov", url="http://www.gov.test/list.htm", final_url="http://www.gov.test/list.htm", status=412,
        body=b"<script>$_ts=1</script>", kind="list", challenge="ruishu_412", run_id=run,
        fetched_at=t0 + timedelta(hours=9)))
    ids["challenge:capture"] = chal
    finish_run(session, run, status="finished", stats={"finish_reason": "finished", "sites": {
        "cac": {"pages": 3, "articles": 1, "new_articles": 1},
        "scwx": {"pages": 2, "articles": 2, "new_articles": 2},
        "gov": {"pages": 2, "articles": 1, "new_articles": 1, "challenges": 1,
                "warnings": ["5 of 6 article pages gave an empty or short body: has the template changed?"]},
        "taiwan": {"pages": 1, "articles": 1, "new_articles": 1},
        "evil": {"pages": 1, "articles": 1, "new_articles": 1}}})
    assert session.scalar(select(Article.version).where(Article.id == ids["cac"])) == 2
    return ids


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def archive_on(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, int]]:
    """The archive built on the backend of a fixture parametrized with BACKENDS: (URL, ids).

    Like the db_url fixture, but once a module: the web UI only reads what it is given.
    """
    from sqlalchemy.orm import sessionmaker

    from store import make_engine, migrate

    if request.param == "sqlite":
        db_url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'archive.db'}"
    else:
        db_url = request.getfixturevalue("pg_module_url")
    engine = make_engine(db_url)
    migrate(engine)
    with sessionmaker(engine, expire_on_commit=False)() as s:
        ids = build_web_archive(s)
    engine.dispose()
    return db_url, ids
