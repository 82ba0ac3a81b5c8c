"""Hostile input gives a flagged empty record or a clear error, never a crash and never a hang."""

from __future__ import annotations

import gc
import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from cleaners import CleanConfig, clean_html, clean_text
from cleaners.limits import ExtractionTimeout
from crawler.cli import cli

PARA = "近日，国家互联网信息办公室部署开展个人信息保护专项行动，重点整治违法违规收集使用个人信息问题。"


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("empty", b""),
        ("whitespace", b"  \n\t "),
        ("binary", bytes(range(256)) * 40),
        ("nul", b"\x00" * 5000),
        ("truncated", f'<html><head><meta charset="utf-8"></head><body><div class="TRS_Editor"><p>{PARA[:20]}'
         .encode()[:-1]),
        ("nested", ("<html><body>" + "<div>" * 100_000 + PARA + "</div>" * 100_000 + "</body></html>").encode()),
        ("unclosed", ("<html><body>" + "<p><b><i>" * 5_000 + PARA).encode()),
    ],
)
def test_hostile_pages_give_flagged_records_quickly(name: str, body: bytes) -> None:
    start = time.monotonic()
    record, _ = clean_html(body)
    assert time.monotonic() - start < 10, name
    assert record.flags, name
    if name not in ("truncated",):
        assert "empty_body" in record.flags, name


def test_endless_lines_are_cut_and_the_record_stays_sane() -> None:
    start = time.monotonic()
    record = clean_text("标题：全省网络安全宣传周活动启动\n" + f"{PARA}\n" * 1_000_000, config=CleanConfig(max_lines=3000))
    assert time.monotonic() - start < 10
    assert len(record.removed["repeated_body"]) < 3000
    assert "repeated_body" in record.flags and record.body == PARA


def test_a_question_mark_storm_stays_cheap() -> None:
    start = time.monotonic()
    clean_html(("<html><body><div class='TRS_Editor'><p>" + "?!爆F在" * 5_000 + "</p></div></body></html>").encode())
    clean_text("全省网络安全宣传周活动启动\n" + "?!耙粦粢粋€," * 10_000)
    assert time.monotonic() - start < 10


def test_a_page_cut_mid_character_by_the_size_limit_still_decodes_as_utf8() -> None:
    page = f'<html><body><div class="TRS_Editor"><p>{PARA * 400}</p></div></body></html>'.encode()
    record, decoded = clean_html(page, config=CleanConfig(max_input_bytes=len(page) // 2 + 1))
    assert decoded is not None and decoded.used == "utf-8" and "truncated_input" in decoded.flags
    assert record.body.startswith(PARA)


# the alarm can land while the garbage collector runs a weakref callback (SQLAlchemy registers some);
# Python reports an exception raised there as "unraisable" and carries on, and time_limit re-raises it
# after the block: the limit holds, but pytest would turn that report into a failure
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_extraction_runs_under_the_time_limit(tmp_path: Path) -> None:
    gc.collect()  # fewer weakref callbacks for the alarm to land in
    page = ("<html><body>" + f"<div class='TRS_Editor'><p>{PARA}</p></div>" * 20_000 + "</body></html>").encode()
    with pytest.raises(ExtractionTimeout):
        clean_html(page, config=CleanConfig(timeout_s=0.05))
    with pytest.raises(ExtractionTimeout):
        clean_text(f"{PARA}\n" * 50_000, config=CleanConfig(timeout_s=0.01))


def test_cli_reports_hostile_files_in_one_line(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = CliRunner().invoke(cli, ["clean", str(empty)])
    assert result.exit_code == 0 and json.loads(result.stdout)["flags"] == ["empty_body"]
    result = CliRunner().invoke(cli, ["clean", str(tmp_path)])  # a directory is not a readable file
    assert result.exit_code == 2 and "Traceback" not in result.output
