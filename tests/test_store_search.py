"""Search and reprint clusters on both backends, built from code (never from a committed database)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

import store.search
from cleaners.dedup import exact_key
from cleaners.language import to_simplified
from store import make_engine, migrate
from store.archive import ArticleRow, CaptureData, record_capture, store_article
from store.models import Article, Cluster
from store.search import Filters, result_ids, search, search_page
from store.textsearch import parse_query

CST = __import__("datetime").timezone(timedelta(hours=8))

NOTICE = ("国家互联网信息办公室近日通报12款App违法违规收集使用个人信息情况。检测发现，部分App存在未逐一列出"
          "所收集个人信息的目的、方式、范围等问题。网信部门将依法处置，督促整改。")
DOCS: list[dict[str, Any]] = [
    {"url": "http://cac.test/a1", "site": "cac", "title": "网信办通报12款App违法违规", "body": NOTICE,
     "published": datetime(2026, 3, 12, 9, 30, tzinfo=CST), "source": "中国网信网"},
    {"url": "http://jswx.test/a1", "site": "jswx", "title": "转发：网信办通报12款App违法违规", "body": "　　" + NOTICE
     + "\n（责任编辑：王某）", "published": datetime(2026, 3, 13, 10, 5, tzinfo=CST), "source": "中国网信网"},
    {"url": "http://gov.test/a1", "site": "gov", "title": "网信办通报12款App", "body": NOTICE,
     "published": datetime(2026, 3, 14, 10, 30, tzinfo=CST), "source": "中国网信网"},
    {"url": "http://sc.test/p1", "site": "sc", "title": "四川网络扶贫工作取得成效",
     "body": "四川省扎实推进网络扶贫，脱贫攻坚取得决定性进展。各地网信部门积极参与。",
     "published": datetime(2018, 10, 25, 8, 7, tzinfo=CST), "source": "四川日报"},
    {"url": "http://tw.test/t1", "site": "nmgwx", "title": "“智慧扶貧”開辟脫貧攻堅廣闊天地",
     "body": "今年是脫貧攻堅戰的收官之年，扶貧先扶智。網信部門推進智慧扶貧。", "published": None,
     "date": date(2020, 9, 9), "source": "學習時報"},
    {"url": "http://sc.test/p2", "site": "sc", "title": "安全生产检查",
     "body": "网，信息化建设持续推进。本文不含那个词语的连续写法。扶，贫字分开写。", "published":
     datetime(2020, 1, 1, 9, 0, tzinfo=CST), "source": "四川日报"},
    {"url": "http://sc.test/p3", "site": "sc", "title": "OR NEAR 测试",
     "body": "Windows 10 与 App 的 OR 运算说明；NEAR(x) 不是运算符。1=1 是等式。", "published":
     datetime(2021, 5, 1, 9, 0, tzinfo=CST), "source": "其他"},
]


def build(session: Session, docs: list[dict[str, Any]] = DOCS) -> dict[str, int]:
    ids = {}
    for i, d in enumerate(docs):
        cid, _ = record_capture(session, CaptureData(site_key=d["site"], url=d["url"], final_url=d["url"], status=200,
                                                     body=d["body"].encode(), kind="article",
                                                     fetched_at=datetime(2026, 11, 1, tzinfo=UTC) + timedelta(i)))
        simp = to_simplified(d["body"])
        pub = d["published"]
        art = store_article(session, ArticleRow(
            url=d["url"], site_key=d["site"], capture_id=cid, title=d["title"], published_at=pub,
            published_date=pub.astimezone(CST).date() if pub else d.get("date"), source=d["source"], author=None,
            editor=None, body=d["body"], body_simplified=simp, language="zh", script=None,
            content_hash=exact_key(simp), flags=[], removed={}, cleaner_version="test",
            title_simplified=to_simplified(d["title"])))
        session.commit()
        ids[d["url"]] = art.id
    return ids


@pytest.fixture
def session(db_url: str) -> Iterator[Session]:
    engine = make_engine(db_url)
    migrate(engine)
    with sessionmaker(engine, expire_on_commit=False)() as s:
        build(s)
        yield s
    engine.dispose()


def _urls(results: list[Any]) -> list[str]:
    return [r.url for r in results]


def test_the_reprint_forms_one_cluster_with_the_earliest_canonical(session: Session) -> None:
    arts = {a.url: a for a in session.scalars(select(Article))}
    cluster = arts["http://cac.test/a1"].cluster_id
    assert {u for u, a in arts.items() if a.cluster_id == cluster} == {"http://cac.test/a1", "http://jswx.test/a1",
                                                                          "http://gov.test/a1"}
    c = session.get(Cluster, cluster)
    assert c.canonical_id == arts["http://cac.test/a1"].id and c.size == 3
    assert arts["http://gov.test/a1"].dup_reason == f"exact_duplicate_of:{arts['http://cac.test/a1'].id}"
    assert arts["http://jswx.test/a1"].dup_reason.startswith(("near_duplicate_of:", "exact_duplicate_of:"))
    others = [a for u, a in arts.items() if a.cluster_id != cluster]
    assert len({a.cluster_id for a in others}) == len(others)  # nothing else merged
    assert session.scalar(select(func.count()).select_from(Cluster)) == 1 + len(others)


def test_one_result_per_cluster_unless_all_copies(session: Session) -> None:
    one = search(session, "违法违规")
    assert _urls(one) == ["http://cac.test/a1"] and one[0].reprints == 3
    every = search(session, "违法违规", all_copies=True)
    assert set(_urls(every)) == {"http://cac.test/a1", "http://jswx.test/a1", "http://gov.test/a1"}


@pytest.mark.parametrize(("query", "expected"), [
    ("网", {"http://cac.test/a1", "http://sc.test/p1", "http://tw.test/t1", "http://sc.test/p2"}),
    ("扶贫", {"http://sc.test/p1", "http://tw.test/t1"}),  # two characters, from the index
    ("脫貧", {"http://sc.test/p1", "http://tw.test/t1"}),  # Traditional finds Simplified ...
    ("脱贫攻坚", {"http://sc.test/p1", "http://tw.test/t1"}),  # ... and the reverse
    ("网信", {"http://cac.test/a1", "http://sc.test/p1", "http://tw.test/t1"}),  # not 网，信 in p2
    ('"网络扶贫" 四川', {"http://sc.test/p1"}),
    ("扶贫 四川", {"http://sc.test/p1"}),  # several terms: AND
    ("app", {"http://cac.test/a1", "http://sc.test/p3"}),
    ("ＡＰＰ", {"http://cac.test/a1", "http://sc.test/p3"}),  # full-width Latin folds
])
def test_chinese_words_of_any_length(session: Session, query: str, expected: set[str]) -> None:
    assert set(_urls(search(session, query))) == expected


@pytest.mark.parametrize(("query", "expected"), [
    ('"', set()), ("*", set()), ("--", set()), (";", set()), ("' OR 1=1 --", {"http://sc.test/p3"}),
    ("扶贫 OR 网信", set()),  # OR is the word "or", required like any other term
    ("NEAR(扶贫", set()), ("-扶贫", {"http://sc.test/p1", "http://tw.test/t1"}),
    ("扶贫*", {"http://sc.test/p1", "http://tw.test/t1"}), ('"扶贫', {"http://sc.test/p1", "http://tw.test/t1"}),
    ("'; DROP TABLE articles; --", set()), ("Windows 10", {"http://sc.test/p3"}),
    ("\\", set()), ("%", set()), ("_", set()), ("\x00扶贫", {"http://sc.test/p1", "http://tw.test/t1"}),
])
def test_hostile_queries_are_literal_and_never_raise(session: Session, query: str, expected: set[str]) -> None:
    assert set(_urls(search(session, query))) == expected
    assert session.scalar(select(func.count()).select_from(Article)) == len(DOCS)


def test_filters_and_date_sort(session: Session) -> None:
    assert _urls(search(session, "网", site="sc")) == ["http://sc.test/p1", "http://sc.test/p2"] or set(
        _urls(search(session, "网", site="sc"))) == {"http://sc.test/p1", "http://sc.test/p2"}
    assert _urls(search(session, "网", sort="date")) == ["http://cac.test/a1", "http://sc.test/p2",
                                                         "http://sc.test/p1", "http://tw.test/t1"]
    assert _urls(search(session, "网", since=date(2018, 10, 25), until=date(2018, 10, 25))) == ["http://sc.test/p1"]
    assert _urls(search(session, "网", since=date(2020, 9, 9), until=date(2020, 9, 9))) == ["http://tw.test/t1"]
    assert _urls(search(session, "网", source="學習時報")) == ["http://tw.test/t1"]
    assert search(session, "网", lang="en") == []
    with pytest.raises(ValueError, match="sort"):
        search(session, "网", sort="random")


def test_results_carry_a_highlighted_snippet(session: Session) -> None:
    (hit,) = search(session, "脱贫攻坚", site="nmgwx")
    assert hit.title == "“智慧扶貧”開辟脫貧攻堅廣闊天地"
    assert [hit.snippet[s:e] for s, e in hit.highlights] == ["脫貧攻堅"]  # marked as published
    assert hit.date == date(2020, 9, 9) and hit.reprints == 1


def test_queries_parse_to_literal_terms() -> None:
    assert [t.tokens for t in parse_query('"脱贫 攻坚" 网信')] == [("脱", "贫", "攻", "坚"), ("网", "信")]
    assert parse_query("* -- ; \"") == []


def test_filters_on_script_and_flags(session: Session) -> None:
    tw = session.scalar(select(Article).where(Article.url == "http://tw.test/t1"))
    tw.script, tw.flags = "traditional", ["mojibake_repaired", "repeated_body"]
    session.commit()
    assert _urls(search(session, "扶贫", script="traditional")) == ["http://tw.test/t1"]
    assert _urls(search(session, "扶贫", flags=["repeated_body"])) == ["http://tw.test/t1"]
    assert _urls(search(session, "扶贫", flags=["repeated_body", "mojibake_repaired"])) == ["http://tw.test/t1"]
    assert search(session, "扶贫", flags=["repeated_body", "spam_injected"]) == []
    assert search(session, "扶贫", flags=["%"]) == [] and search(session, "扶贫", flags=["_"]) == []


def test_facets_count_the_results_as_listed(session: Session) -> None:
    page = search_page(session, "网", facets=True)
    assert page.total == 4 and not page.capped and len(page.results) == 4
    facets = page.facets
    assert dict(map(tuple, facets["site"])) == {"cac": 1, "sc": 2, "nmgwx": 1}  # the cluster counts once
    assert facets["month"] == [["2018-10", 1], ["2020-01", 1], ["2020-09", 1], ["2026-03", 1]]
    assert facets["source"] == [["四川日报", 2], ["中国网信网", 1], ["學習時報", 1]]
    assert facets["lang"] == [["zh", 4]] and facets["script"] == [[None, 4]] and facets["flag"] == []
    assert page.histogram[0] == ["2018-10", 1] and page.histogram[-1] == ["2026-03", 1]
    assert len(page.histogram) == 90 and sum(n for _, n in page.histogram) == 4
    every = search_page(session, "网", all_copies=True, facets=True)
    assert every.total == 6 and dict(map(tuple, every.facets["site"])) == {"cac": 1, "jswx": 1, "gov": 1, "sc": 2,
                                                                           "nmgwx": 1}
    assert search_page(session, "网", limit=1, offset=3).total == 4
    assert result_ids(session, "网") == [r.article_id for r in search(session, "网")]
    assert search_page(session, "网", Filters(since=date(2021, 1, 1), until=date(2020, 1, 1)), facets=True).total == 0


def test_more_matches_than_the_window(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store.search, "RELEVANCE_WINDOW", 2)
    page = search_page(session, "网", all_copies=True, facets=True)  # six copies match; the newest two count
    assert page.capped and page.total == 2
    assert _urls(page.results) == ["http://gov.test/a1", "http://jswx.test/a1"]  # equal scores: newest first
    assert page.facets["month"] == [["2026-03", 2]]
    one = search_page(session, "网", facets=True)  # both are copies of one cluster, whose canonical is older
    assert one.capped and one.total == 1 and one.results[0].reprints == 3
    assert not search_page(session, "扶贫").capped


@pytest.mark.parametrize("probe", [1, 10**9])
def test_broad_and_narrow_plans_give_the_same_results(session: Session, monkeypatch: pytest.MonkeyPatch,
                                                      probe: int) -> None:
    expected = {q: [r.public() for r in search(session, q, **kw)] for q, kw in _CASES}
    monkeypatch.setattr(store.search, "_PROBE", probe)  # 1: every query walks the newest articles; 10**9: none
    assert {q: [r.public() for r in search(session, q, **kw)] for q, kw in _CASES} == expected


_CASES = [("网", {}), ("网", {"site": "sc"}), ("网信", {"sort": "date"}), ("扶贫", {"since": date(2018, 1, 1)}),
          ("app", {"all_copies": True})]
_OPTIONS: list[dict[str, Any]] = [{}, {"sort": "date"}, {"all_copies": True}, {"site": "sc"},
                                  {"script": "traditional"}, {"flags": ["repeated_body"]}]


def test_both_backends_give_the_same_results(tmp_path: Any, pg_url: str) -> None:
    results = []
    for url in (f"sqlite:///{tmp_path / 'x.db'}", pg_url):
        engine = make_engine(url)
        migrate(engine)
        with sessionmaker(engine, expire_on_commit=False)() as s:
            build(s)
            tw = s.scalar(select(Article).where(Article.url == "http://tw.test/t1"))
            tw.script, tw.flags = "traditional", ["repeated_body"]
            s.commit()
            out = []
            for q in ("网", "扶贫", "脫貧", "网信", "app", "违法违规", "' OR 1=1 --"):
                for kw in _OPTIONS:
                    out.append([(r.url, r.reprints, round(r.score, 6), r.snippet) for r in search(s, q, **kw)])
                for all_copies in (False, True):
                    page = search_page(s, q, all_copies=all_copies, facets=True)
                    out.append((page.total, page.capped, page.facets, page.histogram,
                                [s.get(Article, i).url for i in result_ids(s, q, all_copies=all_copies)]))
            results.append(out)
        engine.dispose()
    assert len(results[0]) == 7 * (len(_OPTIONS) + 2)
    assert results[0] == results[1]
