"""Nightly scheduling: persistent jobs, a driven clock, coalesced misses, one crawl of a site at a time."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from apscheduler.executors.debug import DebugExecutor
from apscheduler.schedulers import base as aps_base
from apscheduler.schedulers.background import BackgroundScheduler
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crawler import scheduler as sched
from crawler.cli import cli
from spiders.profile import load_registry
from store.db import make_engine
from store.migrate import migrate
from store.models import Article, Capture, CrawlRun

pytestmark = pytest.mark.slow
CST = sched.TIMEZONE


def _runs(db: str) -> list[CrawlRun]:
    engine = make_engine(db)
    with Session(engine) as s:
        runs = list(s.scalars(select(CrawlRun).order_by(CrawlRun.id)))
    engine.dispose()
    return runs


def test_list_shows_persistent_jobs_and_their_next_runs(sample_web: Any, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'a.db'}"
    args = ["schedule", "--db", db, "--sandbox", sample_web.url, "--site", "sandbox-cq", "--site", "sandbox-gov"]
    out = CliRunner().invoke(cli, [*args, "--list", "--json"], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    jobs = {j["job"]: j for j in json.loads(out.stdout)}
    assert set(jobs) == {"crawl:sandbox-cq", "crawl:sandbox-gov"}
    nxt = datetime.fromisoformat(jobs["crawl:sandbox-cq"]["next_run"])
    assert (nxt.hour, nxt.minute, nxt.utcoffset()) == (2, 0, timedelta(hours=8))
    # a job store in the archive: a second look (a new process would do the same) finds the same jobs
    again = CliRunner().invoke(cli, [*args, "--list", "--cron", "30 1 * * *"], catch_exceptions=False)
    assert "crawl:sandbox-cq" in again.output and "01:30 +0800" in again.output


def test_a_due_job_fires_once_for_missed_runs_and_records_a_run(
    sample_web: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = f"sqlite:///{tmp_path / 'b.db'}"
    engine = make_engine(db)
    migrate(engine)
    engine.dispose()
    scheduler = sched.build_scheduler(db, scheduler_cls=BackgroundScheduler, executor=DebugExecutor())
    scheduler.start()
    try:
        sched.add_site_jobs(scheduler, db, [load_registry()["sandbox-cq"]], extra=["--sandbox", sample_web.url])
        (job,) = scheduler.get_jobs()
        first = job.next_run_time
        assert _runs(db) == []
        # drive the scheduler's clock three nights past the first run time: three missed runs, one crawl
        later = first + timedelta(days=2, minutes=5)

        class Clock(datetime):
            @classmethod
            def now(cls, tz: Any = None) -> Any:
                return later.astimezone(tz) if tz else later

        monkeypatch.setattr(aps_base, "datetime", Clock)
        scheduler._process_jobs()
        (job,) = scheduler.get_jobs()
        assert job.next_run_time == first + timedelta(days=3)
    finally:
        scheduler.shutdown(wait=True)
    runs = _runs(db)
    assert [(r.sites, r.status) for r in runs] == [(["sandbox-cq"], "finished")]


def _run_now(url: str, db: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "crawler", "schedule", "--db", db, "--sandbox", url,
                             "--site", "sandbox-cq", "--run-now", "sandbox-cq"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_two_schedulers_never_crawl_one_site_at_once(sample_web: Any, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'c.db'}"
    engine = make_engine(db)
    migrate(engine)
    engine.dispose()
    sample_web.reset_log()
    a, b = _run_now(sample_web.url, db), _run_now(sample_web.url, db)
    assert a.wait(timeout=300) == 0 and b.wait(timeout=300) == 0
    runs = [r for r in _runs(db) if "sandbox-cq" in (r.sites or [])]
    assert runs and all(r.status == "finished" for r in runs)
    for one, two in itertools.pairwise(runs):
        assert two.started_at >= one.finished_at  # never overlapping
    fetched = [f"{e['host']}{e['path']}" for e in sample_web.requests if e["status"] == 200 and "/t20" in e["path"]]
    assert len(fetched) == len(set(fetched))  # no article fetched by both


def test_sigterm_stops_a_running_crawl_gracefully_and_the_next_run_completes_it(
    sample_web: Any, tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'd.db'}"
    reference = f"sqlite:///{tmp_path / 'ref.db'}"
    assert _run_now(sample_web.url, reference).wait(timeout=300) == 0
    proc = _run_now(sample_web.url, db)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            engine = make_engine(db)
            with Session(engine) as s:
                n = s.scalar(select(func.count()).select_from(Capture))
            engine.dispose()
        except Exception:  # noqa: BLE001 - not created yet
            n = 0
        if n >= 15:
            break
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGTERM)
    assert proc.wait(timeout=120) in (0, 1)
    assert [r.status for r in _runs(db)] == ["interrupted"]
    assert _run_now(sample_web.url, db).wait(timeout=300) == 0

    def articles(url: str) -> set[str]:
        engine = make_engine(url)
        with Session(engine) as s:
            out = set(s.scalars(select(Article.url)))
        engine.dispose()
        return out

    assert articles(db) == articles(reference)
