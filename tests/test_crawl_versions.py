"""Rechecks find what archivists most want to know: a page silently edited, or deleted."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.cli import cli
from store.db import make_engine
from store.models import Article
from store.versions import history

pytestmark = pytest.mark.slow


def _crawl(url: str, db: str, *extra: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "crawler", "crawl", "--sandbox", url, "--db", db, "--json", "--no-progress", *extra],
        capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def _total(summary: dict[str, Any], key: str) -> int:
    return sum(site[key] for site in summary["sites"].values())


def test_edits_and_deletions_are_found_by_rechecks(sample_web: Any, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'archive.db'}"
    first = _crawl(sample_web.url, db)
    articles = _total(first, "articles")
    changed = sample_web.web.set_edition(2)
    try:
        sample_web.reset_log()
        soon = (datetime.now(UTC) + timedelta(hours=6)).isoformat()
        early = _crawl(sample_web.url, db, "-s", f"GOVNEWS_CLOCK={soon}")
        assert _total(early, "rechecked") == 0  # nothing is due before the first day has passed
        later = (datetime.now(UTC) + timedelta(days=2)).isoformat()
        second = _crawl(sample_web.url, db, "-s", f"GOVNEWS_CLOCK={later}")
        log = list(sample_web.requests)
        third = _crawl(sample_web.url, db, "-s", f"GOVNEWS_CLOCK={later}")
    finally:
        sample_web.web.set_edition(1)
    assert _total(second, "rechecked") == articles  # every article was due its 1-day recheck
    assert _total(second, "new_versions") == 1
    assert _total(second, "deletions") == 2
    assert _total(second, "new_articles") == 0
    assert _total(third, "rechecked") == 0  # the 7-day recheck is not due yet
    assert any(f"http://{e['host']}{e['path']}" == changed["deleted"][0] and e["status"] == 404 for e in log)

    engine = make_engine(db)
    with Session(engine) as s:
        h = history(s, changed["edited"][0])
        assert [v["version"] for v in h["versions"]] == [1, 2]
        assert h["versions"][1]["body"].startswith(h["versions"][0]["body"])
        assert "第二阶段的工作安排" in h["versions"][1]["body"] and "第二阶段" not in h["versions"][0]["body"]
        gone = {a.url: a for a in s.scalars(select(Article).where(Article.deleted_at.is_not(None)))}
        assert set(gone) == {changed["deleted"][0], changed["soft_deleted"][0]}
        assert gone[changed["deleted"][0]].deleted_reason == "http_404"
        assert gone[changed["soft_deleted"][0]].deleted_reason == "soft_404"
        assert s.scalar(select(Article.recheck_step).where(Article.url == changed["edited"][0])) == 1
    engine.dispose()

    shown = CliRunner().invoke(cli, ["history", changed["edited"][0], "--db", db], catch_exceptions=False)
    assert shown.exit_code == 0
    assert "version 2" in shown.output and "+（本文于2026年7月1日更新" in shown.output
    deleted = CliRunner().invoke(cli, ["history", changed["deleted"][0], "--db", db], catch_exceptions=False)
    assert "deleted: first seen gone" in deleted.output and "http_404" in deleted.output
    missing = CliRunner().invoke(cli, ["history", "http://nowhere.test/x", "--db", db])
    assert missing.exit_code == 1 and "no archived article" in missing.output
