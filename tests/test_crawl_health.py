"""The run record notices a site whose template change broke extraction, or whose lists stopped moving."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from store import open_store
from store.runs import run_history

pytestmark = pytest.mark.slow


def _crawl(url: str, db: str, *extra: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "crawler", "crawl", "--sandbox", url, "--db", db, "--json", "--no-progress", *extra],
        capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def test_a_broken_template_and_quiet_lists_are_reported(sample_web: Any, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'archive.db'}"
    sample_web.web.set_edition(3)
    try:
        first = _crawl(sample_web.url, db, "--site", "sandbox-taiwan", "--site", "sandbox-cq")
    finally:
        sample_web.web.set_edition(1)
    broken = first["sites"]["sandbox-taiwan"]["warnings"]
    assert any("empty or short body" in w for w in broken), broken
    assert first["sites"]["sandbox-cq"]["warnings"] == []

    quiet = ("-s", "GOVNEWS_HEALTH_QUIET_RUNS=2")
    second = _crawl(sample_web.url, db, "--site", "sandbox-cq", *quiet)
    assert second["sites"]["sandbox-cq"]["warnings"] == []  # the first run found articles
    third = _crawl(sample_web.url, db, "--site", "sandbox-cq", *quiet)
    assert third["sites"]["sandbox-cq"]["warnings"] == ["no new articles in the last 2 runs although the site answers"]
    with open_store(db) as s:
        (latest,) = run_history(s, site="sandbox-cq", limit=1)
    assert latest["warnings"] == third["sites"]["sandbox-cq"]["warnings"]
