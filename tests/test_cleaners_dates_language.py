"""Publication times in Chinese formats and meta tags, in +08:00; language, script and the simplified body."""

from __future__ import annotations

import pytest

from cleaners import clean_html, clean_text
from cleaners.language import detect_language, detect_script, to_simplified

PARA = "近日，全省网信系统召开网络生态治理工作推进会，部署开展“清朗”系列专项行动，营造清朗网络环境。"


@pytest.mark.parametrize(
    ("line", "published", "day"),
    [
        ("2018年10月25日 08时07分", "2018-10-25T08:07:00+08:00", "2018-10-25"),
        ("2020-06-19 13:26:00 来源:安徽网信办", "2020-06-19T13:26:00+08:00", "2020-06-19"),
        ("发布时间：2026-03-13 10:05", "2026-03-13T10:05:00+08:00", "2026-03-13"),
        ("发布日期：2015-03-25", None, "2015-03-25"),
        ("??時間:2020-09-09", None, "2020-09-09"),
    ],
)
def test_text_dates(line: str, published: str | None, day: str) -> None:
    record = clean_text(f"全省网络生态治理推进会召开\n{line}\n{PARA}")
    assert (record.published, record.date) == (published, day)
    assert record.body == PARA


def test_the_site_header_date_is_not_the_publication_date() -> None:
    record = clean_text(f"2020-07-14\n全省网络生态治理推进会召开\n• 2018年10月25日 08时07分\n{PARA}")
    assert record.date == "2018-10-25"
    record = clean_text(f"2020-07-14\n全省网络生态治理推进会召开\n{PARA}")
    assert record.date is None and record.published is None


@pytest.mark.parametrize(
    ("meta", "published"),
    [
        ('<meta name="PubDate" content="2026-07-19 07:16">', "2026-07-19T07:16:00+08:00"),
        ('<meta name="firstpublishedtime" content="2021-08-01-06:08:00">', "2021-08-01T06:08:00+08:00"),
    ],
)
def test_meta_tags_beat_a_header_date(meta: str, published: str) -> None:
    page = (f'<html><head><meta charset="utf-8">{meta}</head><body><div class="top">2020-07-14</div>'
            f'<h1>全省网络生态治理推进会召开</h1><div id="UCAP-CONTENT"><p>{PARA}</p></div></body></html>')
    record, _ = clean_html(page)
    assert record.published == published


def test_script_language_and_simplified_body() -> None:
    trad = "近年來，信息化、網絡化、數字化手段在經濟社會發展和扶貧工作中得到廣泛應用，鄉村振興取得新進展。"
    record = clean_text(f"「智慧扶貧」開辟脫貧攻堅廣闊天地\n{trad}")
    assert (record.language, record.script) == ("zh", "traditional")
    assert record.body == trad  # as published
    assert record.body_simplified == to_simplified(trad) and "网络化" in record.body_simplified
    simple = clean_text(f"全省网络生态治理推进会召开\n{PARA}")
    assert (simple.script, simple.body_simplified) == ("simplified", simple.body)
    assert detect_script(trad + PARA * 2) == "mixed"
    assert detect_language("近日。" * 3 + "한국어") == "zh"  # the Han guard: langdetect may call it Korean


def test_whitespace_is_folded_and_one_paragraph_a_line() -> None:
    record = clean_text(f"全省网络生态治理推进会召开\n\u3000\u3000{PARA}\u00a0\n\n\n   {PARA[::-1]}  \n")
    assert record.body.split("\n") == [PARA, PARA[::-1]]
