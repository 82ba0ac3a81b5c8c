"""A crawl killed with SIGKILL loses nothing it stored, and the next run completes it without duplicates."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.db import make_engine
from store.models import Article, Capture, CrawlRun

pytestmark = pytest.mark.slow


def _cmd(url: str, db: str) -> list[str]:
    return [sys.executable, "-m", "crawler", "crawl", "--sandbox", url, "--db", db, "--json", "--no-progress"]


def _count(db: str, model: Any) -> int:
    engine = make_engine(db)
    try:
        with Session(engine) as s:
            return s.scalar(select(func.count()).select_from(model)) or 0
    except Exception:  # noqa: BLE001 - the schema may not exist yet while the crawl starts
        return 0
    finally:
        engine.dispose()


def _archive(db: str) -> dict[str, str]:
    engine = make_engine(db)
    with Session(engine) as s:
        out = dict(s.execute(select(Article.url, Article.content_hash)).all())
    engine.dispose()
    return out


def test_sigkill_then_resume_gives_the_uninterrupted_archive(sample_web: Any, tmp_path: Path) -> None:
    reference = f"sqlite:///{tmp_path / 'reference.db'}"
    subprocess.run(_cmd(sample_web.url, reference), check=True, capture_output=True, timeout=600)

    killed = f"sqlite:///{tmp_path / 'killed.db'}"
    proc = subprocess.Popen(_cmd(sample_web.url, killed), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while _count(killed, Capture) < 120 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the crawl ended before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    stored = _count(killed, Capture)
    assert 0 < stored < _count(reference, Capture)

    resumed = subprocess.run(_cmd(sample_web.url, killed), capture_output=True, text=True, timeout=600, check=False)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert _archive(killed) == _archive(reference)
    engine = make_engine(killed)
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Capture)) >= stored  # nothing stored was lost
        dupes = s.execute(
            select(Capture.url).where(Capture.kind == "article", Capture.status == 200)
            .group_by(Capture.url).having(func.count() > 1)
        ).all()
        assert dupes == []  # no article fetched and stored twice
        statuses = [r.status for r in s.scalars(select(CrawlRun).order_by(CrawlRun.id))]
        pending = s.scalar(select(func.count()).select_from(Capture).where(
            Capture.clean_state.in_(["pending", "claimed"])))
    engine.dispose()
    assert statuses == ["interrupted", "finished"]
    assert pending == 0
