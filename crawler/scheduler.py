"""Nightly crawls with APScheduler: one cron job per site, kept in the archive database.

Each crawl runs in its own process (Scrapy's reactor cannot be restarted), so a crash or a kill of one
crawl never takes the scheduler down. Missed runs are coalesced into one; a site is never crawled twice
at once, even by two schedulers on one archive, because `govnews crawl` itself takes the site
(store.runs.start_run_exclusive).
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from spiders.profile import SiteProfile
from store.db import make_engine, resolve_db_url

__all__ = ["DEFAULT_CRON", "TIMEZONE", "add_site_jobs", "build_scheduler", "next_runs", "run_site"]

logger = logging.getLogger(__name__)

TIMEZONE = "Asia/Shanghai"
DEFAULT_CRON = "0 2 * * *"  # 02:00 Beijing time, when government sites are quiet
JOB_TABLE = "apscheduler_jobs"
_children: set[subprocess.Popen[bytes]] = set()
_children_lock = threading.Lock()


def run_site(db_url: str, site: str, extra: Sequence[str] = ()) -> int:
    """The scheduled job: crawl one site in a child process; returns its exit code."""
    cmd = [sys.executable, "-m", "crawler", "crawl", "--site", site, "--db", db_url, "--no-progress", *extra]
    logger.info("Starting the scheduled crawl of %(site)s", {"site": site})
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    with _children_lock:
        _children.add(proc)
    try:
        code = proc.wait()
    finally:
        with _children_lock:
            _children.discard(proc)
    logger.info("Scheduled crawl of %(site)s ended with %(code)s", {"site": site, "code": code})
    return code


def stop_children(sig: int = signal.SIGTERM) -> None:
    """Ask every running crawl to stop gracefully (Scrapy finishes what is in flight and closes)."""
    with _children_lock:
        for proc in _children:
            if proc.poll() is None:
                proc.send_signal(sig)


def build_scheduler(db_url: str | None, *, scheduler_cls: type[BaseScheduler] = BlockingScheduler,
                    parallel: int = 2, executor: Any = None) -> BaseScheduler:
    """A scheduler whose jobs live in the archive database (table apscheduler_jobs)."""
    url = resolve_db_url(db_url)
    engine = make_engine(url)  # with our SQLite pragmas, so the job store shares the archive safely
    return scheduler_cls(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=JOB_TABLE)},
        executors={"default": executor or ThreadPoolExecutor(max_workers=parallel)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 6 * 3600},
        timezone=TIMEZONE,
    )


def add_site_jobs(scheduler: BaseScheduler, db_url: str | None, profiles: Sequence[SiteProfile], *,
                  cron: str | None = None, extra: Sequence[str] = ()) -> None:
    """One job per site, replacing an older definition of the same job."""
    url = resolve_db_url(db_url)
    for p in profiles:
        trigger = CronTrigger.from_crontab(cron or p.schedule or DEFAULT_CRON, timezone=TIMEZONE)
        scheduler.add_job(run_site, trigger, args=[url, p.key, list(extra)], id=f"crawl:{p.key}",
                          name=f"crawl {p.key}", replace_existing=True)


def next_runs(scheduler: BaseScheduler) -> list[tuple[str, datetime | None, str]]:
    """(job id, next run time, trigger) of every job, soonest first."""
    jobs = scheduler.get_jobs()
    return sorted(((j.id, j.next_run_time, str(j.trigger)) for j in jobs),
                  key=lambda r: (r[1] is None, r[1].timestamp() if r[1] else 0.0, r[0]))
