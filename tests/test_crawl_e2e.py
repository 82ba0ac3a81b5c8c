"""End to end: `govnews crawl --sandbox` archives the sample web, politely, and a second crawl adds nothing.

The crawl runs in a subprocess (as a user runs it), which also keeps Twisted out of the test process.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cleaners.language import to_simplified
from spiders.profile import load_registry
from store.db import make_engine
from store.models import Article, Capture, Cluster, CrawlRun
from store.search import search

GOLD = Path(__file__).resolve().parents[1] / "sandbox" / "data" / "gold"
pytestmark = pytest.mark.slow


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _crawl(url: str, db: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "crawler", "crawl", "--sandbox", url, "--db", db, "--json", "--no-progress"],
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    return json.loads(proc.stdout)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def crawled(request: pytest.FixtureRequest, sample_web: Any,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    if request.param == "sqlite":
        db = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'archive.db'}"
    else:
        db = request.getfixturevalue("pg_module_url")
    sample_web.reset_log()
    sample_web.web.reset_state()  # the flaky page fails on its first request again, for each backend
    first = _crawl(sample_web.url, db)
    log1 = list(sample_web.requests)
    engine = make_engine(db)
    with Session(engine) as s:
        captures_after_first = s.scalar(select(func.count()).select_from(Capture))
        articles_after_first = s.scalar(select(func.count()).select_from(Article))
    sample_web.reset_log()
    second = _crawl(sample_web.url, db)
    log2 = list(sample_web.requests)
    yield {"db": db, "engine": engine, "first": first, "second": second, "log1": log1, "log2": log2,
           "captures_after_first": captures_after_first, "articles_after_first": articles_after_first}
    engine.dispose()


def _host_key() -> dict[str, str]:
    return {urlsplit(p.base_url).hostname: p.key for p in load_registry().group("sandbox")}


def _requested(log: list[dict[str, Any]]) -> set[str]:
    return {f"http://{e['host']}{e['path']}" for e in log}


def test_every_expected_article_of_every_site_is_archived(crawled: dict[str, Any], manifest: dict[str, Any]) -> None:
    assert crawled["first"]["status"] == "finished"
    keys = _host_key()
    with Session(crawled["engine"]) as s:
        stored = set(s.scalars(select(Article.url)))
        per_site = dict(s.execute(select(Article.site_key, func.count()).group_by(Article.site_key)).all())
    for host, site in manifest["sites"].items():
        if host not in keys:
            continue
        expected = {a["url"] for a in site["articles"]}
        assert len(expected) >= 40, host
        missing = expected - stored
        assert not missing, f"{host}: {len(missing)} articles not archived, e.g. {sorted(missing)[:3]}"
        assert per_site.get(keys[host]) == len(expected), host
        assert crawled["first"]["sites"][keys[host]]["articles"] == len(expected)


def test_seed_articles_keep_their_gold_sentences(crawled: dict[str, Any], manifest: dict[str, Any]) -> None:
    seeds = {a["seed"]: a for site in manifest["sites"].values() for a in site["articles"] if a.get("seed")}
    assert len(seeds) == 5
    with Session(crawled["engine"]) as s:
        for gold_path in sorted(GOLD.glob("*.json")):
            gold = json.loads(gold_path.read_text(encoding="utf-8"))
            seed_id = gold_path.name[:3]
            article = s.scalars(select(Article).where(Article.url == seeds[seed_id]["url"])).one()
            body = _fold(article.body)
            for needle in gold["with"]:
                assert _fold(needle) in body, (seed_id, needle)


def test_disallowed_and_offsite_urls_are_never_requested(crawled: dict[str, Any], manifest: dict[str, Any]) -> None:
    requested = _requested(crawled["log1"]) | _requested(crawled["log2"])
    special = manifest["special"]
    assert special["robots_disallowed"] and special["offsite"]
    for url in special["robots_disallowed"] + special["offsite"]:
        assert url not in requested, url
    hosts = {e["host"] for e in crawled["log1"]}
    assert hosts <= set(manifest["sites"]), hosts - set(manifest["sites"])
    assert all(e["ua"].startswith("govnews/") for e in crawled["log1"])
    # robots.txt was asked for on every host before anything else there
    for host in _host_key():
        first = next(e for e in crawled["log1"] if e["host"] == host)
        assert first["path"] == "/robots.txt", host


def test_challenge_pages_are_recorded_not_archived(crawled: dict[str, Any], manifest: dict[str, Any]) -> None:
    with Session(crawled["engine"]) as s:
        challenged = s.execute(select(Capture.url, Capture.status, Capture.challenge)
                               .where(Capture.challenge.is_not(None))).all()
        article_urls = set(s.scalars(select(Article.url)))
    assert {u for u, _, _ in challenged} >= set(manifest["special"]["challenge"])
    assert all(status == 412 and kind == "ruishu" for _, status, kind in challenged)
    assert not article_urls & set(manifest["special"]["challenge"])
    assert sum(site["challenges"] for site in crawled["first"]["sites"].values()) >= 1
    with Session(crawled["engine"]) as s:
        run = s.get(CrawlRun, crawled["first"]["run_id"])
        assert sum(v["challenges"] for v in run.stats["sites"].values()) >= 1


def test_errors_soft_404s_and_retries(crawled: dict[str, Any], manifest: dict[str, Any]) -> None:
    special = manifest["special"]
    with Session(crawled["engine"]) as s:
        article_urls = set(s.scalars(select(Article.url)))
        for url in special["soft_404"]:
            assert url not in article_urls
            reasons = set(s.scalars(select(Capture.clean_reason).where(Capture.url == url)))
            assert reasons == {"soft_404"}, url
        for url in special["not_found"]:
            assert url not in article_urls
        for url in special["flaky_500"]:
            assert url in article_urls  # retried after its 500
    flaky = [e for e in crawled["log1"] if f"http://{e['host']}{e['path']}" in special["flaky_500"]]
    assert [e["status"] for e in flaky][:2] == [500, 200]


def test_a_second_crawl_adds_nothing(crawled: dict[str, Any], manifest: dict[str, Any]) -> None:
    second = crawled["second"]
    assert second["status"] == "finished"
    assert all(site["new_articles"] == 0 for site in second["sites"].values())
    # only article URLs that never gave a usable page (404, challenge) are asked for again
    retried = set(manifest["special"]["not_found"]) | set(manifest["special"]["challenge"])
    with Session(crawled["engine"]) as s:
        assert s.scalar(select(func.count()).select_from(Article)) == crawled["articles_after_first"]
        article_captures = set(s.scalars(select(Capture.url).where(
            Capture.run_id == second["run_id"], Capture.kind == "article")))
        new_bodies = s.scalar(select(func.count()).select_from(Capture).where(
            Capture.run_id == second["run_id"], Capture.body.is_not(None), Capture.body_size > 0))
    assert article_captures <= retried
    assert new_bodies == 0  # every page unchanged: a 304 or a revisit, never a second copy
    # list pages were asked for conditionally, and paging stopped where nothing was new
    conditional = [e for e in crawled["log2"] if e["if_none_match"] or e["if_modified_since"]]
    assert conditional and all(e["status"] == 304 for e in conditional)
    assert len(crawled["log2"]) < len(crawled["log1"]) / 4
    registry = load_registry()
    for e in crawled["log2"]:
        url = f"http://{e['host']}{e['path']}"
        if any(p.is_article(url) for p in registry.group("sandbox")):
            assert url in retried, f"refetched archived article {url}"


def test_the_reprinted_article_is_one_cluster_of_three(crawled: dict[str, Any], manifest: dict[str, Any]) -> None:
    urls = manifest["reprint"]["urls"]
    with Session(crawled["engine"]) as s:
        arts = {a.url: a for a in s.scalars(select(Article).where(Article.url.in_(urls)))}
        assert set(arts) == set(urls)
        (cluster_id,) = {a.cluster_id for a in arts.values()}
        cluster = s.get(Cluster, cluster_id)
        assert cluster.size == 3
        assert cluster.canonical_id == arts[urls[0]].id  # the original, published first
        sizes = s.execute(select(Cluster.size, func.count()).group_by(Cluster.size)).all()
    assert dict(sizes).get(3) == 1 and max(size for size, _ in sizes) == 3  # no other reprints merged


def _s2t(text: str) -> str:
    from opencc import OpenCC

    return OpenCC("s2t").convert(text)


def test_every_seed_is_found_by_a_two_character_word_in_either_script(
    crawled: dict[str, Any], manifest: dict[str, Any]
) -> None:
    seeds = [a for site in manifest["sites"].values() for a in site["articles"] if a.get("seed")]
    with Session(crawled["engine"]) as s:
        for seed in seeds:
            han = [ch for ch in seed["title"] if "\u4e00" <= ch <= "\u9fff"]
            word = to_simplified("".join(han[:2]))
            for form in {word, _s2t(word)}:
                hits = {r.url for r in search(s, form, all_copies=True, limit=1000)}
                assert seed["url"] in hits, (seed["seed"], form)
            for form in ("扶贫", "扶貧"):
                assert seed["url"] in {r.url for r in search(s, form, all_copies=True, limit=1000)}
