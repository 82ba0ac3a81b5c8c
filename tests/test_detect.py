"""`govnews sites detect` proposes, from a home URL alone, the profile every sample-web site needs."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.cli import cli
from spiders.detect import Fetcher, detect
from spiders.profile import load_profile_file, load_registry
from store.db import make_engine
from store.models import Article

SHIPPED = {p.base_url: p for p in load_registry().group("sandbox")}


@pytest.mark.parametrize("base", sorted(SHIPPED), ids=lambda b: urlsplit(b).hostname)
def test_detect_finds_family_pagination_and_article_pattern(sample_web: Any, manifest: dict[str, Any],
                                                             base: str) -> None:
    shipped = SHIPPED[base]
    d = detect(base + "/", Fetcher(user_agent="govnews/test", delay=0, proxy=sample_web.url))
    assert d.family == shipped.family
    assert [r.kind for r in d.profile.pagination] == [r.kind for r in shipped.pagination]
    host = urlsplit(base).hostname
    for a in manifest["sites"][host]["articles"]:
        assert d.profile.is_article(a["url"]), a["url"]
    for start in d.profile.start_urls():
        assert not d.profile.is_article(start)
    assert d.evidence and len(d.fetched) <= 10  # a few polite requests


def test_detect_refuses_private_addresses_and_honours_robots(tmp_path: Path) -> None:
    from spiders.detect import DetectError

    with pytest.raises(DetectError, match="non-public address"):
        detect("http://127.0.0.1:9/", Fetcher(user_agent="govnews/test", delay=0))
    with pytest.raises(DetectError, match="not an http"):
        detect("ftp://example.org/", Fetcher(user_agent="govnews/test", delay=0))


def test_sites_add_writes_a_disabled_profile_to_review(sample_web: Any, tmp_path: Path) -> None:
    out = CliRunner().invoke(cli, ["sites", "add", "http://www.cq.gov.cn.test/", "--key", "cq-test", "--out",
                                   str(tmp_path), "--sandbox", sample_web.url], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    (profile,) = load_profile_file(tmp_path / "cq-test.yaml")
    assert profile.key == "cq-test" and not profile.enabled and profile.family == "trs"
    assert "createPageHTML" in (tmp_path / "cq-test.yaml").read_text(encoding="utf-8")  # evidence kept
    again = CliRunner().invoke(cli, ["sites", "add", "http://www.cq.gov.cn.test/", "--key", "cq-test", "--out",
                                     str(tmp_path), "--sandbox", sample_web.url])
    assert again.exit_code == 1 and "exists" in again.output
    shown = CliRunner().invoke(cli, ["sites", "detect", "http://www.cq.gov.cn.test/", "--sandbox", sample_web.url,
                                     "--json"], catch_exceptions=False)
    assert json.loads(shown.stdout)["pagination"] == ["create_page_html"]


@pytest.mark.slow
def test_a_crawl_with_detected_profiles_archives_what_the_shipped_ones_do(sample_web: Any, tmp_path: Path) -> None:
    def crawl(db: str, *args: str) -> set[str]:
        proc = subprocess.run([sys.executable, "-m", "crawler", "crawl", "--sandbox", sample_web.url, "--db", db,
                               "--json", "--no-progress", *args], capture_output=True, text=True, timeout=600,
                              check=False)
        assert proc.returncode == 0, proc.stderr[-3000:]
        engine = make_engine(db)
        with Session(engine) as s:
            urls = set(s.scalars(select(Article.url)))
        engine.dispose()
        return urls

    sample_web.web.reset_state()
    shipped = crawl(f"sqlite:///{tmp_path / 'shipped.db'}")
    sample_web.web.reset_state()
    urls = [arg for base in sorted(SHIPPED) for arg in ("--url", base + "/")]
    detected = crawl(f"sqlite:///{tmp_path / 'detected.db'}", *urls)
    assert detected == shipped
    assert len(shipped) > 300
    assert all(re.match(r"http://www\.[a-z.]+\.test/", u) for u in detected)
