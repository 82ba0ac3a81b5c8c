"""Extraction quality never drops unnoticed: floors per template family (tests/eval/baseline.json),
and govnews ahead of plain trafilatura on every family (bench/quality.py is the harness)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
BASELINE = json.loads((ROOT / "tests" / "eval" / "baseline.json").read_text(encoding="utf-8"))
GOLDSET = json.loads((ROOT / "tests" / "eval" / "goldset.json").read_text(encoding="utf-8"))
FAMILIES = ("cac", "trs_wcm", "hanweb", "sichuan", "trs_cq", "ucap", "trs_media", "legacy_asp")


def _harness() -> ModuleType:
    if "bench_quality" in sys.modules:
        return sys.modules["bench_quality"]
    spec = importlib.util.spec_from_file_location("bench_quality", ROOT / "bench" / "quality.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    return _harness().evaluate()


def test_the_labelled_set_covers_every_template_family() -> None:
    pages = GOLDSET["pages"]
    assert len(pages) >= 30
    assert {p["family"] for p in pages} == set(FAMILIES)
    assert all(p["with"] and p["without"] for p in pages)
    kinds = {p["kind"] for p in pages}
    assert {"spam", "lottery_regulation", "duplicate_body", "charset", "reprint"} <= kinds


def test_the_corpus_is_the_one_the_gold_was_written_for(report: dict[str, Any]) -> None:
    hint = "the sample web changed: rerun bench/quality.py --write-gold, review tests/eval/goldset.json"
    assert report["corpus_sha256"] == GOLDSET["corpus_sha256"] == BASELINE["corpus_sha256"], hint


def test_every_family_meets_its_floors(report: dict[str, Any]) -> None:
    assert set(BASELINE["floors"]) == {*FAMILIES, "seed_text"}
    for family, floors in BASELINE["floors"].items():
        got = report["families"][family]["govnews"]
        for key, floor in floors.items():
            if key == "leaks":
                assert got[key] <= floor, (family, key, got[key], floor)
            else:
                assert got[key] >= floor, (family, key, got[key], floor)


def test_govnews_is_ahead_of_plain_trafilatura_on_every_family(report: dict[str, Any]) -> None:
    for family in FAMILIES:
        ours, theirs = report["families"][family]["govnews"], report["families"][family]["trafilatura"]
        assert ours["score"] > theirs["score"], family
        assert ours["f1"] >= theirs["f1"] and ours["leaks"] <= theirs["leaks"], family


def test_the_harness_scores_what_it_says() -> None:
    harness = _harness()
    assert harness.body_f1("近日，网信办召开会议", "近日,网信办召开会议") == 1.0  # NFKC: ， is ,
    assert harness.body_f1("近日 网信办\n召开会议", "近日网信办召开会议") == 1.0  # whitespace folded
    assert harness.body_f1("完全不同的内容", "近日网信办召开会议") == 0.0
    assert 0.4 < harness.body_f1("近日网信办", "近日网信办召开会议") < 0.8
