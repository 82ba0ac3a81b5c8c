"""`govnews reprocess` re-cleans every stored article capture with the current cleaners."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

from click.testing import CliRunner
from sqlalchemy import select, update

from cleaners import CLEANER_VERSION
from crawler.cli import cli
from crawler.workers import drain
from sandbox.web import SampleWeb
from store.archive import CaptureData, record_capture, upsert_sites
from store.db import open_store
from store.models import Article, Capture


def _archive(tmp_path: Path) -> tuple[str, dict[str, list[str]]]:
    db = f"sqlite:///{tmp_path / 'archive.db'}"
    web = SampleWeb(40)
    chosen = {
        "sandbox-jswx": [a for s in web.sites if s.host.startswith("www.jswx") for a in s.articles][:3],
        "sandbox-nmgwx": [a for s in web.sites if s.host.startswith("www.nmgwx") for a in s.articles if a.seed],
    }
    with open_store(db) as session:
        upsert_sites(session, [{"key": k, "name": k, "base_url": "http://x.test/", "family": "t", "profile": {}}
                               for k in chosen])
        for key, articles in chosen.items():
            for a in articles:
                parts = urlsplit(a.url)
                response = web.page(parts.hostname or "", parts.path + (f"?{parts.query}" if parts.query else ""))
                record_capture(session, CaptureData(
                    site_key=key, url=a.url, final_url=a.url, status=200, body=response.body, kind="article",
                    headers=[["Content-Type", response.headers["Content-Type"]]]))
        record_capture(session, CaptureData(site_key="sandbox-jswx", url="http://x.test/list", final_url="http://x.test/list",
                                            status=200, body=b"<html></html>", kind="list"))
    drain(db)
    return db, {k: [a.url for a in v] for k, v in chosen.items()}


def test_reprocess_recleans_every_article_capture(tmp_path: Path) -> None:
    db, urls = _archive(tmp_path)
    with open_store(db) as session:
        session.execute(update(Article).values(body="stale", flags=[], cleaner_version="0.0.1"))
        session.commit()
    result = CliRunner().invoke(cli, ["reprocess", "--db", db, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["captures"] == summary["cleaned"] == 4 and summary["articles"] == 4 and summary["failed"] == 0
    assert summary["cleaner_version"] == CLEANER_VERSION and summary["articles_at_version"] == 4
    assert "reprocess: 4/4 captures cleaned" in result.stderr
    with open_store(db) as session:
        articles = {a.url: a for a in session.scalars(select(Article))}
        states = set(session.scalars(select(Capture.clean_state).where(Capture.kind == "article")))
        list_state = session.scalar(select(Capture.clean_state).where(Capture.kind == "list"))
    assert states == {"done"} and list_state == "none"
    assert all(a.body != "stale" and a.cleaner_version == CLEANER_VERSION for a in articles.values())
    seed = articles[urls["sandbox-nmgwx"][0]]
    assert set(seed.flags) >= {"spam_injected", "mojibake_repaired"} and seed.removed["spam"]


def test_reprocess_one_site_only_and_unknown_sites(tmp_path: Path) -> None:
    db, _ = _archive(tmp_path)
    result = CliRunner().invoke(cli, ["reprocess", "--db", db, "--site", "sandbox-nmgwx"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("re-cleaned 1 of 1 captures")
    result = CliRunner().invoke(cli, ["reprocess", "--db", db, "--site", "nope"])
    assert result.exit_code == 1 and "no site 'nope'" in result.output
