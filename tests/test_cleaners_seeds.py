"""The issue's finish line: every seed, as text through `govnews clean` and as sample-web HTML through
`govnews extract`, matches its gold record (sandbox/data/gold, a copy of ../shared/gold)."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from crawler.cli import cli
from sandbox.seeds import DATA_DIR
from sandbox.web import SampleWeb

SEEDS = sorted(p.name[:3] for p in (DATA_DIR / "gold").glob("*.json"))
CONTENT_FLAGS = {"spam_injected", "repeated_body", "mojibake_repaired", "mojibake", "mojibake_suspect"}


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def _f1(got: str, gold: str) -> float:
    a, b = _fold(got), _fold(gold)
    ga, gb = Counter(a[i : i + 2] for i in range(len(a) - 1)), Counter(b[i : i + 2] for i in range(len(b) - 1))
    common = sum((ga & gb).values())
    if not common:
        return 0.0
    p, r = common / sum(ga.values()), common / sum(gb.values())
    return 2 * p * r / (p + r)


def _gold(seed: str) -> dict[str, Any]:
    (path,) = (DATA_DIR / "gold").glob(f"{seed}_*.json")
    return json.loads(path.read_text(encoding="utf-8"))


def _assert_matches_gold(record: dict[str, Any], gold: dict[str, Any], where: str) -> None:
    body = _fold(record["body"])
    assert _f1(record["body"], gold["body"]) >= 0.98, where
    for needle in gold["with"]:
        assert _fold(needle) in body, (where, "missing", needle)
    for needle in gold["without"]:
        assert _fold(needle) not in body, (where, "leaked", needle)
    for key in ("title", "date", "source", "author", "editor", "script"):
        assert record[key] == gold[key], (where, key, record[key])
    if gold["published"] is None:
        assert record["published"] is None, where
    else:  # the gold gives Beijing wall time; the record says so with its offset
        assert record["published"] == gold["published"] + "+08:00", where
    assert sorted(f for f in record["flags"] if f in CONTENT_FLAGS) == sorted(gold["flags"]), (where, record["flags"])


def test_every_seed_as_text_through_govnews_clean() -> None:
    paths = [str(next((DATA_DIR / "seeds").glob(f"{seed}_*.txt"))) for seed in SEEDS]
    result = CliRunner().invoke(cli, ["clean", *paths], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == len(SEEDS) == 5
    for seed, path, line in zip(SEEDS, paths, lines, strict=True):
        record = json.loads(line)
        assert record["path"] == path
        assert list(record)[:10] == ["title", "published", "date", "source", "author", "editor", "body", "language",
                                     "script", "flags"]
        _assert_matches_gold(record, _gold(seed), f"{seed}/text")


@pytest.mark.parametrize("seed", SEEDS)
def test_every_seed_as_sample_web_html_through_govnews_extract(seed: str, tmp_path: Path) -> None:
    web = SampleWeb(40)
    (article,) = [a for s in web.sites for a in s.articles if a.seed == seed]
    parts = urlsplit(article.url)
    response = web.page(parts.hostname or "", parts.path + (f"?{parts.query}" if parts.query else ""))
    page = tmp_path / "page.html"
    page.write_bytes(response.body)
    args = ["extract", str(page), "--url", article.url, "--content-type", response.headers["Content-Type"]]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    _assert_matches_gold(json.loads(result.stdout), _gold(seed), f"{seed}/html")


def test_clean_reports_an_unreadable_file_in_one_line_and_exits_2(tmp_path: Path) -> None:
    good = next((DATA_DIR / "seeds").glob("001_*.txt"))
    binary = tmp_path / "bin.txt"
    binary.write_bytes(bytes(range(256)) * 8)
    result = CliRunner().invoke(cli, ["clean", str(good), str(tmp_path / "missing.txt"), str(binary)])
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0 and "cannot read" in result.stderr
    records = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert [r["path"] for r in records] == [str(good), str(binary)]
    assert records[0]["title"] == _gold("001")["title"]
    assert records[1]["body"] == "" and "empty_body" in records[1]["flags"]
