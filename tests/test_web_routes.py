"""The web UI's routes through the framework's test client, on both backends: pages, JSON twins, safety."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from web_archive import BACKENDS, EVIL_RAW, EVIL_TITLE, archive_on

import store.search
from store import make_engine
from store.search import RELEVANCE_WINDOW, search
from web import create_app

POVERTY = "脱贫"


@pytest.fixture(scope="module", params=BACKENDS)
def archive(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, int]]:
    return archive_on(request, tmp_path_factory)


@pytest.fixture
def client(archive: tuple[str, dict[str, int]]) -> Iterator[TestClient]:
    with TestClient(create_app(archive[0]), base_url="http://127.0.0.1") as c:
        yield c


@pytest.fixture
def ids(archive: tuple[str, dict[str, int]]) -> dict[str, int]:
    return archive[1]


def _hit_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'<li class="hit" data-article="(\d+)"', html)]


def test_search_page_and_api_agree(client: TestClient, ids: dict[str, int]) -> None:
    api = client.get("/api/search", params={"q": POVERTY}).json()
    assert api["total"] == 4 and {r["article_id"] for r in api["results"]} == {
        ids["cac"], ids["sc_other"], ids["tw"], ids["evil"]}
    html = client.get("/", params={"q": POVERTY}).text
    assert _hit_ids(html) == [r["article_id"] for r in api["results"]]
    assert dict(map(tuple, api["facets"]["site"])) == {"cac": 1, "scwx": 1, "taiwan": 1, "evil": 1}
    assert dict(map(tuple, api["facets"]["script"])) == {"simplified": 3, "traditional": 1}
    assert api["facets"]["flag"] == [["repeated_body", 1]]
    assert [m for m, _ in api["facets"]["month"]] == ["2018-10", "2020-03", "2020-09", "2021-05"]
    assert len(api["histogram"]) == 32 and sum(n for _, n in api["histogram"]) == 4
    for extra in ({}, {"all": "1"}, {"site": "scwx"}, {"flag": "repeated_body"}):  # counted without facets too
        with_facets = client.get("/api/search", params={"q": POVERTY, **extra}).json()
        alone = client.get("/api/search", params={"q": POVERTY, "facets": "0", **extra}).json()
        assert alone["total"] == with_facets["total"] and alone["facets"] is None, extra


def test_one_result_per_cluster_unless_all_copies(client: TestClient, ids: dict[str, int]) -> None:
    one = client.get("/api/search", params={"q": "座谈会"}).json()
    assert [r["article_id"] for r in one["results"]] == [ids["cac"]] and one["results"][0]["reprints"] == 3
    every = client.get("/api/search", params={"q": "座谈会", "all": "1"}).json()
    assert {r["article_id"] for r in every["results"]} == {ids["cac"], ids["sc_copy"], ids["gov_copy"]}
    assert every["total"] == 3 and dict(map(tuple, every["facets"]["site"])) == {"cac": 1, "scwx": 1, "gov": 1}


@pytest.mark.parametrize(("params", "expected"), [
    ({"q": POVERTY, "site": "scwx"}, ["sc_other", "sc_copy"]),  # the reprint stands for its cluster
    ({"q": POVERTY, "site": ["scwx", "taiwan"]}, ["sc_other", "sc_copy", "tw"]),
    ({"q": POVERTY, "month": "2020-09"}, ["tw"]),
    ({"q": POVERTY, "since": "2020-01-01", "until": "2020-12-31"}, ["cac", "tw"]),
    ({"q": POVERTY, "since": "2020-01-01", "month": "2018-10"}, []),
    ({"q": POVERTY, "source": "學習時報"}, ["tw"]),
    ({"q": POVERTY, "script": "traditional"}, ["tw"]),
    ({"q": POVERTY, "flag": "repeated_body"}, ["sc_other"]),
    ({"q": POVERTY, "lang": "en"}, []),
    ({"q": "脫貧攻堅"}, ["cac", "sc_other", "tw"]),  # Traditional finds Simplified
    ({"q": "' OR 1=1 --"}, []),  # hostile input is text
    ({"q": '"'}, []),
])
def test_filters(client: TestClient, ids: dict[str, int], params: dict[str, Any], expected: list[str]) -> None:
    got = client.get("/api/search", params=params).json()
    assert {r["article_id"] for r in got["results"]} == {ids[k] for k in expected}
    assert got["total"] == len(expected)


def test_sort_pagination_and_the_state_in_the_url(client: TestClient, ids: dict[str, int]) -> None:
    by_date = client.get("/api/search", params={"q": POVERTY, "sort": "date"}).json()["results"]
    assert [r["article_id"] for r in by_date] == [ids["evil"], ids["tw"], ids["cac"], ids["sc_other"]]
    pages = [client.get("/api/search", params={"q": POVERTY, "sort": "date", "per_page": 3, "page": p}).json()
             for p in (1, 2)]
    assert [r["article_id"] for p in pages for r in p["results"]] == [r["article_id"] for r in by_date]
    assert pages[0]["pages"] == 2
    html = client.get("/", params={"q": POVERTY, "sort": "date", "per_page": 1, "site": ["scwx", "cac"]}).text
    assert 'rel="next" href="/?q=%E8%84%B1%E8%B4%AB&amp;site=scwx&amp;site=cac&amp;sort=date&amp;page=2&amp;per_page=1"' \
        in html
    bad = client.get("/api/search", params={"q": POVERTY, "since": "yesterday", "sort": "random"}).json()
    assert bad["total"] == 4 and len(bad["errors"]) == 2


def test_the_search_page_is_store_search(client: TestClient, archive: tuple[str, dict[str, int]]) -> None:
    engine = make_engine(archive[0])
    with Session(engine) as s:
        for params, kw in (({"q": POVERTY}, {}), ({"q": POVERTY, "sort": "date"}, {"sort": "date"}),
                           ({"q": "座谈会", "all": "1"}, {"all_copies": True}),
                           ({"q": POVERTY, "script": "traditional"}, {"script": "traditional"}),
                           ({"q": POVERTY, "flag": "repeated_body"}, {"flags": ["repeated_body"]}),
                           ({"q": POVERTY, "month": "2020-03", "site": "scwx"},
                            {"since": date(2020, 3, 1), "until": date(2020, 3, 31), "site": ["scwx"]})):
            api = client.get("/api/search", params=params).json()
            assert api["results"] == [r.public() for r in search(s, params["q"], **kw)], params
            assert api["capped"] is False and api["window"] == RELEVANCE_WINDOW
    engine.dispose()


def test_a_capped_search_says_so(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store.search, "RELEVANCE_WINDOW", 2)
    api = client.get("/api/search", params={"q": POVERTY, "sort": "date"}).json()
    assert api["capped"] is True and api["window"] == 2 and api["total"] == 2 and api["pages"] == 1
    assert sum(n for _, n in api["facets"]["site"]) == 2
    assert [m for m, _ in api["facets"]["month"]] == ["2020-09", "2021-05"]  # the newest two
    html = client.get("/", params={"q": POVERTY, "sort": "date", "ui": "en"}).text
    assert '<span id="total">2+</span>' in html and "More than 2 articles match" in html
    lines = client.get("/download.jsonl", params={"q": POVERTY, "sort": "date"}).text.splitlines()
    assert len(lines) == 2
    assert 'id="capped"' not in client.get("/", params={"q": "智慧扶贫"}).text  # one match


def test_snippets_are_escaped_then_highlighted(client: TestClient, ids: dict[str, int]) -> None:
    html = client.get("/", params={"q": POVERTY, "site": "evil"}).text
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;window.__pwned=1;alert(&#39;body&#39;)&lt;/script&gt;" in html
    assert "<mark>脱贫</mark>" in html
    assert "&lt;script&gt;window.__pwned=1;alert(&#34;title&#34;)&lt;/script&gt;脱贫" in html


def test_article_page_shows_everything(client: TestClient, ids: dict[str, int]) -> None:
    art = client.get(f"/api/a/{ids['sc_other']}").json()
    assert art["flags"] == ["repeated_body"] and set(art["removed"]) == {"repeated_body", "spam_injected"}
    cap = art["capture"]
    assert cap["status"] == 200 and cap["declared_charset"] == cap["used_charset"] == "utf-8"
    assert len(cap["body_sha256"]) == 64 and ["User-Agent", "govnews-test"] in cap["request_headers"]
    html = client.get(f"/a/{ids['sc_other']}").text
    body = html[html.index('id="article-body"'):html.index('id="removed"')]
    assert "澳门赌场" not in body and "澳门赌场在线娱乐 &lt;b&gt;点击&lt;/b&gt;" in html
    for link in (f"/capture/{cap['id']}", f"/a/{ids['sc_other']}/versions", f"/a/{ids['sc_other']}/reprints"):
        assert f'href="{link}"' in html
    assert cap["body_sha256"] in html
    assert client.get("/a/999999").status_code == 404
    assert client.get("/api/a/999999").status_code == 404


def test_hostile_metadata_is_escaped_everywhere(client: TestClient, ids: dict[str, int]) -> None:
    for path in (f"/a/{ids['evil']}", f"/a/{ids['evil']}/reprints", f"/a/{ids['evil']}/versions",
                 f"/capture/{ids['evil:capture1']}", "/sites", "/runs", f"/?q={POVERTY}"):
        html = client.get(path).text
        assert "<script" not in html.lower() and "<img" not in html and "<b onmouseover" not in html, path
    html = client.get(f"/a/{ids['evil']}").text
    assert 'href="javascript:' not in html
    assert client.get(f"/api/a/{ids['evil']}").json()["title"] == EVIL_TITLE


def test_versions_diff_and_deletion(client: TestClient, ids: dict[str, int]) -> None:
    v = client.get(f"/api/a/{ids['cac']}/versions").json()
    assert [x["version"] for x in v["versions"]] == [1, 2] and (v["a"], v["b"]) == (1, 2)
    assert v["versions"][0]["captured_at"] < v["versions"][1]["captured_at"]
    ops = {d["op"] for d in v["diff"]}
    assert {"add", "del"} <= ops
    assert any(d["op"] == "add" and "全面胜利" in d["line"] for d in v["diff"])
    same = client.get(f"/api/a/{ids['cac']}/versions", params={"a": 2, "b": 2}).json()
    assert same["diff"] == []
    html = client.get(f"/a/{ids['cac']}/versions", params={"v": 1}).text
    assert "<ins>+" in html and "<del>-" in html and 'rel="next"' in html and 'rel="prev"' not in html
    gone = client.get(f"/api/a/{ids['sc_copy']}/versions").json()
    assert gone["deleted_at"].startswith("2026-12-01T") and gone["deleted_reason"] == "http_404"
    assert "http_404" in client.get(f"/a/{ids['sc_copy']}").text


def test_reprint_cluster(client: TestClient, ids: dict[str, int]) -> None:
    r = client.get(f"/api/a/{ids['gov_copy']}/reprints").json()
    assert [m["id"] for m in r["members"]] == [ids["cac"], ids["sc_copy"], ids["gov_copy"]]
    assert [m["canonical"] for m in r["members"]] == [True, False, False]
    assert {m["site"] for m in r["members"]} == {"cac", "scwx", "gov"}
    assert all(m["first_seen_at"] and m["published"] for m in r["members"])
    assert f'class="canonical" data-article="{ids["cac"]}"' in client.get(f"/a/{ids['gov_copy']}/reprints").text


def test_raw_capture_is_served_byte_for_byte_and_sandboxed(client: TestClient, ids: dict[str, int]) -> None:
    raw = client.get(f"/capture/{ids['evil:capture1']}/raw")
    assert raw.content == EVIL_RAW
    assert raw.headers["content-type"] == "text/html; charset=utf-8"
    csp = raw.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "img-src 'none'" in csp and "sandbox" in csp and "script" not in csp
    assert raw.headers["x-frame-options"] == "SAMEORIGIN" and raw.headers["x-content-type-options"] == "nosniff"
    page = client.get(f"/capture/{ids['evil:capture1']}").text
    frame = re.search(r"<iframe[^>]*>", page).group(0)
    assert 'sandbox=""' in frame and f'src="/capture/{ids["evil:capture1"]}/raw"' in frame
    assert client.get(f"/capture/{ids['cac:capture2']}/raw").content.startswith(b"<html><body>")


def test_security_headers_on_every_response(client: TestClient, ids: dict[str, int]) -> None:
    for path in ("/", f"/?q={POVERTY}", f"/a/{ids['cac']}", "/api/search?q=x", "/sites", "/static/app.css",
                 "/nowhere", f"/download.csv?q={POVERTY}"):
        r = client.get(path)
        h = r.headers
        assert h["x-content-type-options"] == "nosniff" and h["referrer-policy"] == "no-referrer", path
        assert h["x-frame-options"] == "DENY" and "frame-ancestors 'none'" in h["content-security-policy"], path
        assert "script-src" not in h["content-security-policy"] and "default-src 'none'" in h[
            "content-security-policy"], path


def test_permalinks_resolve_to_the_nearest_capture(client: TestClient, ids: dict[str, int]) -> None:
    url = "http://www.cac.test/2020-03/06/c_1.htm"
    first, second = ids["cac:capture1"], ids["cac:capture2"]  # 2026-11-01 02:00 and 2026-11-08 02:00 UTC
    for ts, expected in (("20261101020000", first), ("2026110", first), ("20261106", second), ("2027", second),
                         ("2026", first), ("", second), ("*", second)):
        r = client.get(f"/web/{ts}/{url}" if ts else f"/web/{url}", follow_redirects=False)
        assert (r.status_code, r.headers["location"]) == (302, f"/capture/{expected}"), ts
        assert client.get(f"/api/web/{ts}/{url}" if ts else f"/api/web/{url}").json()["capture_id"] == expected
    assert client.get(f"/a/{ids['cac']}").status_code == 200
    assert client.get("/web/2026/http://nowhere.test/x").status_code == 404


def test_download_holds_exactly_the_result_set(client: TestClient, ids: dict[str, int]) -> None:
    params = {"q": POVERTY, "sort": "date", "per_page": 1, "page": 2}
    api = client.get("/api/search", params={**params, "per_page": 100, "page": 1}).json()
    wanted = [r["article_id"] for r in api["results"]]
    lines = client.get("/download.jsonl", params=params).text.splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["row_id"] for r in records] == wanted  # every page, in the list's order
    assert records[0]["site"] == "evil" and records[0]["published"] == "2021-05-01T09:00:00+08:00"
    rows = list(csv.DictReader(io.StringIO(client.get("/download.csv", params={"q": POVERTY, "all": "1"}).text)))
    assert len(rows) == 6 and {r["flags"] for r in rows} == {"", "repeated_body"}
    assert rows[0].keys() >= {"article_id", "cluster_id", "is_canonical", "body", "capture_sha256", "warc_record_id"}
    r = client.get("/download.jsonl", params={"q": POVERTY, "site": "nowhere"})
    assert r.status_code == 200 and r.text == ""
    disposition = client.get("/download.csv", params={"q": "x"}).headers["content-disposition"]
    assert disposition == 'attachment; filename="govnews-results.csv"'


def test_sites_and_runs(client: TestClient) -> None:
    sites = {s["key"]: s for s in client.get("/api/sites").json()["sites"]}
    assert sites["cac"]["articles"] == 1 and sites["scwx"]["articles"] == 2
    assert sites["gov"]["challenges"] == {"ruishu_412": 1}
    assert sites["gov"]["warnings"] and "template" in sites["gov"]["warnings"][0]
    assert sites["gov"]["last_run"]["status"] == "finished"
    runs = client.get("/api/runs").json()["runs"]
    assert len(runs) == 1 and runs[0]["totals"]["new_articles"] == 6
    html = client.get("/sites").text
    assert "ruishu_412: 1" in html and "has the template changed?" in html
    assert "has the template changed?" in client.get("/runs").text
    assert client.get("/api/runs", params={"site": "nowhere"}).json()["runs"] == []


def test_interface_language(client: TestClient) -> None:
    assert "检索" in client.get("/", headers={"accept-language": "zh-CN,zh;q=0.9,en;q=0.5"}).text
    assert ">Search<" in client.get("/", headers={"accept-language": "en-US,en;q=0.9,zh;q=0.1"}).text
    assert ">Search<" in client.get("/", headers={"accept-language": "fr"}).text
    r = client.get("/", params={"ui": "zh"}, headers={"accept-language": "en"})
    assert "检索" in r.text and "govnews_ui=zh" in r.headers["set-cookie"]
    assert "检索" in client.get("/sites", headers={"accept-language": "en"}).text  # the choice is remembered
    assert 'href="/?q=a&amp;ui=en"' in client.get("/", params={"q": "a"}).text  # the switch keeps the search


def test_openapi_lists_the_json_twins(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert {"/api/search", "/api/a/{article_id}", "/api/a/{article_id}/versions", "/api/a/{article_id}/reprints",
            "/api/capture/{capture_id}", "/api/sites", "/api/runs"} <= set(spec["paths"])
    assert not any(p.startswith(("/a/", "/capture")) for p in spec["paths"])


def test_the_server_writes_nothing(archive: tuple[str, dict[str, int]]) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    app = create_app(archive[0])
    with app.state.sessions() as s, pytest.raises(DBAPIError):
        s.execute(text("DELETE FROM articles"))
    app.state.engine.dispose()


def test_token_is_required_when_set(archive: tuple[str, dict[str, int]]) -> None:
    app = create_app(archive[0], token="s3cret-token")
    with TestClient(app, base_url="http://archive.example.org") as c:
        assert c.get("/").status_code == 401 and c.get("/api/search?q=x").status_code == 401
        assert c.get("/", headers={"authorization": "Bearer s3cret-token"}).status_code == 200
        assert c.get("/api/sites", headers={"x-govnews-token": "s3cret-token"}).status_code == 200
        assert c.get("/", headers={"authorization": "Bearer wrong"}).status_code == 401
        assert c.get("/?token=wrong", follow_redirects=False).status_code == 401
        login = c.get("/sites?token=s3cret-token&ui=en", follow_redirects=False)
        assert login.status_code == 303 and login.headers["location"] == "/sites?ui=en"
        assert "HttpOnly" in login.headers["set-cookie"] and "SameSite=Strict" in login.headers["set-cookie"]
        assert c.get("/sites").status_code == 200  # the cookie from the login


def test_without_a_token_only_loopback_host_names_are_answered(archive: tuple[str, dict[str, int]]) -> None:
    with TestClient(create_app(archive[0]), base_url="http://rebind.example") as c:
        assert c.get("/").status_code == 400
        assert c.get("/", headers={"host": "localhost:8080"}).status_code == 200
        assert c.get("/", headers={"host": "[::1]:8080"}).status_code == 200


def test_web_never_imports_scrapy() -> None:
    code = ("import web, web.app, web.pages, web.api, web.download, crawler.cli_web, sys;"
            "bad = [m for m in ('scrapy', 'twisted') if m in sys.modules]; assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_command_refuses_to_bind_elsewhere_without_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from crawler.cli import cli

    monkeypatch.delenv("GOVNEWS_WEB_TOKEN", raising=False)
    result = CliRunner().invoke(cli, ["web", "--host", "0.0.0.0", "--db", "sqlite:///nowhere.db"])
    assert result.exit_code == 2 and "--token" in result.output
    result = CliRunner().invoke(cli, ["web", "--host", "0.0.0.0", "--token", "short"])
    assert result.exit_code == 2 and "8 characters" in result.output
    assert "Example:" in CliRunner().invoke(cli, ["web", "--help"]).output
