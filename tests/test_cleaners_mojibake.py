"""GBK byte-misalignment damage is repaired, unrepairable garble is flagged, source mojibake is kept."""

from __future__ import annotations

import pytest

from cleaners import clean_text
from cleaners.mojibake import find_source_mojibake, repair_misalignment
from sandbox.seeds import load_seed

SEED3 = load_seed("003")


def _damage(text: str, at: int) -> str:
    """What a scraper makes of *text* when the GBK byte at *at* is lost: `?` for the break, ASCII
    punctuation for full-width, a lone 0x80 shown as cp936's €."""
    raw = text.encode("gbk")
    assert raw[at] >= 0x81, "must cut a lead byte"
    broken = raw[:at] + raw[at + 1 :]
    out = broken[:at].decode("gbk") + "?" + broken[at:].decode("cp936", "replace")
    return out.replace("！", "!").replace("，", ",")


def test_the_three_seed_runs_recover_exactly() -> None:
    lines = [line for line in SEED3.lines if "?!" in line]
    assert len(lines) == 3
    expected = ["其困難最甚。”現在", "縮小。《中國互聯網絡", "施策。“一戶一個二維碼”"]
    for line, want in zip(lines, expected, strict=True):
        fixed, repairs = repair_misalignment(line)
        assert len(repairs) == 1 and want in fixed, fixed[:60]
        assert repairs[0].garbled.startswith("?!") and repairs[0].garbled not in fixed


@pytest.mark.parametrize(
    "text",
    [
        "据了解，他说：“我们一定把这件事办好。”现在大家都很满意。",
        "会议指出：“要坚持以人民为中心的发展思想。”今年以来，全市新建基站一千多个。",
        "记者从省网信办获悉：“清朗”系列专项行动取得阶段性成效。《办法》自公布之日起施行。",
    ],
)
def test_the_repair_is_general_not_a_lookup(text: str) -> None:
    """Lose the lead byte of each punctuation mark in turn: every run is re-decoded; a byte the decoder
    replaced with U+FFFD is lost for good and stays U+FFFD rather than being guessed."""
    raw, cuts, pos = text.encode("gbk"), [], 0
    for ch in text:
        if ch.encode("gbk")[0] == 0xA1 and pos < len(raw) - 6:
            cuts.append(pos)
        pos += len(ch.encode("gbk"))
    assert len(cuts) >= 2
    for at in cuts:
        damaged = _damage(text, at)
        fixed, repairs = repair_misalignment(damaged)
        assert len(repairs) == 1, damaged
        fixed = fixed.replace(",", "，").replace("!", "！")
        assert len(fixed) == len(text), (damaged, fixed)
        assert all(a == b or a == "\ufffd" for a, b in zip(fixed, text, strict=True)), (damaged, fixed)
        assert fixed.count("\ufffd") <= 1


@pytest.mark.parametrize(
    "line",
    ["网络扶贫如何推进?机制建设首当其冲。", "“全国网络扶贫工作现场推进会”为何在这里开?", "A股?B股?都涨了。", "???"],
)
def test_ordinary_question_marks_are_left_alone(line: str) -> None:
    assert repair_misalignment(line) == (line, [])


def test_seed_003_record_is_flagged_repaired_and_keeps_the_garbled_runs_for_archivists() -> None:
    record = clean_text("\n".join(SEED3.lines))
    assert "mojibake_repaired" in record.flags and "mojibake" not in record.flags
    assert len(record.removed["mojibake_repaired"]) == 3
    assert all(g.startswith("?!") for g in record.removed["mojibake_repaired"])


def test_unrepairable_garble_is_flagged_mojibake() -> None:
    text = "标题：全省推进数字政府建设\n" + "近日，全省数字政府建设推进会召开，会议总结了工作成效。" * 3
    text += "\n会议强调\ue24e\ue25aヂ摼\ue0f3袊\ufffd\ufffd粦粋要持续推进。\n"
    record = clean_text(text)
    assert "mojibake" in record.flags and "mojibake_repaired" not in record.flags


def test_source_mojibake_is_flagged_suspect_and_kept_as_published() -> None:
    meant = "平台技术负责人介绍，此次升级重点优化了个人信息保护和数据安全管理功能。"
    published = meant.encode("utf-8").decode("gbk", "replace")
    assert find_source_mojibake(published)
    text = f"四川数字政务服务平台完成升级\n近日，四川省数字政务服务平台完成新一轮升级改造，效果良好。\n{published}\n"
    record = clean_text(text)
    assert "mojibake_suspect" in record.flags
    assert published in record.body  # not silently "fixed": it is the page's text
