"""A page carrying its article twice keeps one copy, flagged; the cut is deterministic."""

from __future__ import annotations

from urllib.parse import urlsplit

from cleaners import clean_html, clean_text
from cleaners.repeats import find_second_copy
from sandbox.seeds import load_seed
from sandbox.web import SampleWeb

BODY = [
    "近日，全省网信系统召开网络生态治理工作推进会，部署开展“清朗”系列专项行动。",
    "会议要求，各地要压实网站平台主体责任，持续净化网络空间，营造清朗网络环境。",
    "会议强调，要坚持依法管网治网，加强网络内容建设，切实维护人民群众合法权益。",
    "下一步，全省将持续完善网络综合治理体系，推动形成良好网络生态。",
]


def _fetch(web: SampleWeb, url: str) -> tuple[bytes, str]:
    parts = urlsplit(url)
    response = web.page(parts.hostname or "", parts.path)
    return response.body, response.headers["Content-Type"]


def test_seed_004_text_keeps_one_copy() -> None:
    seed = load_seed("004")
    record = clean_text("\n".join(seed.lines))
    assert "repeated_body" in record.flags
    assert record.body.split("\n") == seed.gold_body
    assert len(record.removed["repeated_body"]) >= len(seed.gold_body) - 2


def test_a_near_identical_print_copy_missing_a_line_counts() -> None:
    copy = [BODY[0], BODY[1].replace("持续", "不断"), BODY[3]]  # one line missing, one word changed
    record = clean_text("\n".join(["全省网络生态治理推进会召开", *BODY, "全省网络生态治理推进会召开", *copy]))
    assert "repeated_body" in record.flags and record.body.split("\n") == BODY


def test_a_quoted_sentence_is_not_a_second_copy() -> None:
    lines = [*BODY, "正如会议所说：" + BODY[2][3:]]
    assert find_second_copy(lines) is None
    assert find_second_copy(BODY) is None


def test_the_cut_is_deterministic() -> None:
    lines = [*BODY, *BODY[::-1], *BODY]
    assert len({find_second_copy(lines) for _ in range(20)}) == 1
    first = clean_text("\n".join(["标题一个", *lines]))
    assert all(clean_text("\n".join(["标题一个", *lines])) == first for _ in range(3))


def test_hidden_trs_copy_and_print_copy_pages() -> None:
    web = SampleWeb(40)
    articles = {a.kind: a for s in web.sites for a in s.articles}
    dup = articles["duplicate_body"]  # jswx: a display:none TRS_Editor copy of the whole body
    body, ctype = _fetch(web, dup.url)
    record, _ = clean_html(body, url=dup.url, content_type=ctype)
    assert "repeated_body" in record.flags and record.body.split("\n") == dup.paragraphs
    seed = next(a for s in web.sites for a in s.articles if a.seed == "004")  # sc: screen + print copies
    body, ctype = _fetch(web, seed.url)
    record, _ = clean_html(body, url=seed.url, content_type=ctype)
    assert "repeated_body" in record.flags and record.body.split("\n") == seed.paragraphs


def test_a_hidden_share_copy_of_the_first_paragraph_is_not_a_repeated_body() -> None:
    web = SampleWeb(40)
    article = next(a for s in web.sites for a in s.articles if "hidden_share_copy" in a.flags)  # gov.cn
    body, ctype = _fetch(web, article.url)
    record, _ = clean_html(body, url=article.url, content_type=ctype)
    assert "repeated_body" not in record.flags
    assert record.body.split("\n") == article.paragraphs
    assert article.paragraphs[0] in record.removed["hidden"]
