"""The hostile web: every scenario of tests/hostile/server.py ends as it must, from the request log
and the archive, and the crawl finishes in bounded time."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from store.db import make_engine
from store.models import Article, Capture, FetchFailure
from tests.hostile.server import SCENARIOS, HostileServer

pytestmark = pytest.mark.slow

SETTINGS = {
    "DOWNLOAD_TIMEOUT": "4", "DOWNLOAD_MAXSIZE": str(4 * 1024 * 1024), "DOWNLOAD_WARNSIZE": str(2 * 1024 * 1024),
    "RETRY_TIMES": "2", "GOVNEWS_RETRY_BACKOFF_BASE": "0.1", "GOVNEWS_RETRY_AFTER_CAP": "1",
    "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "GOVNEWS_CHALLENGE_BACKOFF": "0.05", "GOVNEWS_CHALLENGE_LIMIT": "10", "GOVNEWS_TRAP_CALENDAR_PAGES": "10",
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("hostile")
    with HostileServer() as server:
        profile = tmp / "hostile.yaml"
        profile.write_text(
            "group: hostile\nsites:\n"
            "  - key: hostile\n    name: 恶意测试站\n"
            f"    base_url: {server.url}\n"
            "    start: [/index.html]\n"
            "    lists: ['^/(?:list|calendar|loop|chain)/', '^/search']\n"
            "    article: '^/(?:private/)?art/\\d+\\.html$'\n"
            "    pagination: [{kind: next_link, max_pages: 25}]\n"
            "    politeness: {delay: 0, concurrency: 16}\n", encoding="utf-8")
        db = f"sqlite:///{tmp / 'archive.db'}"
        cmd = [sys.executable, "-m", "crawler", "crawl", "--profiles", str(profile), "--site", "hostile",
               "--db", db, "--allow-host", f"127.0.0.1:{server.port}", "--json", "--no-progress"]
        for k, v in SETTINGS.items():
            cmd += ["-s", f"{k}={v}"]
        t0 = time.monotonic()
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
        wall = time.monotonic() - t0
        assert proc.returncode == 0, proc.stderr[-4000:]
        engine = make_engine(db)
        with Session(engine) as s:
            articles = set(s.scalars(select(Article.url)))
            captures = {c.url: c for c in s.scalars(select(Capture))}
            failures = [(f.url, f.reason) for f in s.scalars(select(FetchFailure))]
        engine.dispose()
        yield {"server": server, "summary": json.loads(proc.stdout), "wall": wall, "articles": articles,
               "captures": captures, "failures": failures, "log": server.requests, "decoy": list(server.decoy_hits)}


def _u(h: dict[str, Any], path: str) -> str:
    return h["server"].url + path


def _hits(h: dict[str, Any], prefix: str) -> int:
    return sum(1 for e in h["log"] if e["path"].startswith(prefix))


def test_the_crawl_finishes_in_bounded_time(hostile: dict[str, Any]) -> None:
    assert hostile["summary"]["status"] == "finished"
    assert hostile["wall"] < 120  # a 30 s stall, a 1 byte/s drip and 1 GiB bombs do not hold it up
    assert len(hostile["log"]) < 400
    assert len(SCENARIOS) >= 30


@pytest.mark.parametrize("path", ["/art/1.html", "/art/20.html", "/art/35.html"])
def test_good_articles_are_archived(hostile: dict[str, Any], path: str) -> None:
    assert _u(hostile, path) in hostile["articles"]


@pytest.mark.parametrize("path", ["/art/2.html", "/art/3.html", "/art/4.html", "/art/5.html", "/art/6.html"])
def test_bombs_huge_and_slow_responses_are_aborted_and_recorded(hostile: dict[str, Any], path: str) -> None:
    url = _u(hostile, path)
    assert url not in hostile["articles"]
    reasons = [r for u, r in hostile["failures"] if u == url]
    assert reasons, f"no failure recorded for {path}"


@pytest.mark.parametrize("path", ["/art/7.html", "/art/8.html", "/art/9.html", "/art/12.html", "/art/13.html",
                                  "/art/14.html"])
def test_redirects_off_site_or_to_private_addresses_are_refused(hostile: dict[str, Any], path: str) -> None:
    assert _u(hostile, path) not in hostile["articles"]
    assert hostile["decoy"] == []  # the other loopback port was never contacted
    refused = [r for u, r in hostile["failures"] if "refused" in r or "IgnoreRequest" in r]
    assert refused


def test_redirect_loops_and_chains_are_bounded(hostile: dict[str, Any]) -> None:
    assert _hits(hostile, "/loop/") + _hits(hostile, "/art/10.html") <= 8
    assert _hits(hostile, "/chain/") <= 6


@pytest.mark.parametrize("path", ["/art/15.html", "/art/16.html", "/art/27.html"])
def test_errors_are_retried_with_retry_after_capped(hostile: dict[str, Any], path: str) -> None:
    statuses = [e["status"] for e in hostile["log"] if e["path"] == path]
    assert statuses[0] in (429, 500, 503) and statuses[-1] == 200
    assert _u(hostile, path) in hostile["articles"]


def test_permanent_errors_stop_after_the_retries(hostile: dict[str, Any]) -> None:
    assert 1 <= _hits(hostile, "/art/17.html") <= 3


@pytest.mark.parametrize("path", ["/art/18.html", "/art/19.html", "/art/21.html", "/art/24.html"])
def test_broken_pages_are_flagged_not_archived(hostile: dict[str, Any], path: str) -> None:
    url = _u(hostile, path)
    assert url not in hostile["articles"]
    cap = hostile["captures"].get(url)
    failed = [r for u, r in hostile["failures"] if u == url]
    assert (cap is not None and cap.clean_state in ("done", "failed") and cap.clean_reason) or failed


def test_an_endless_line_and_a_truncated_body_do_not_break_cleaning(hostile: dict[str, Any]) -> None:
    line = hostile["captures"][_u(hostile, "/art/22.html")]
    assert line.clean_state in ("done", "failed")
    truncated = hostile["captures"][_u(hostile, "/art/23.html")]
    assert truncated.truncated


@pytest.mark.parametrize("path", ["/art/25.html", "/art/26.html"])
def test_challenges_are_recorded(hostile: dict[str, Any], path: str) -> None:
    cap = hostile["captures"][_u(hostile, path)]
    assert cap.challenge in ("ruishu", "jiasule")
    assert _u(hostile, path) not in hostile["articles"]
    assert _hits(hostile, path) == 1  # no retry storm


def test_robots_and_non_http_links_are_never_requested(hostile: dict[str, Any]) -> None:
    assert _hits(hostile, "/private/") == 0
    assert not [e for e in hostile["log"] if "alert" in e["path"] or "mailto" in e["path"]]


def test_traps_stay_bounded(hostile: dict[str, Any]) -> None:
    assert _hits(hostile, "/calendar/") <= 11
    assert _hits(hostile, "/search") == 0  # search pages are never crawled
    assert _hits(hostile, "/list/filter.html") <= 45
    assert _hits(hostile, "/list/session.html") == 1  # session ids stripped: one page, not one per id
    assert _hits(hostile, "/list/a/") <= 3
    assert _hits(hostile, "/list/endless_") <= 26
    reasons = Counter(r.split(": ", 1)[1] for _, r in hostile["failures"] if r.startswith("trap:"))
    assert {"calendar", "search_page", "repeating_path"} <= set(reasons)
