"""Injected SEO spam is cut, kept for archivists and flagged; real articles about lotteries keep their text."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from cleaners import clean_html, clean_text
from cleaners.spam import check_spam
from sandbox.seeds import load_seed
from sandbox.textgen import LOTTERY_BODY, LOTTERY_TITLE
from sandbox.web import SampleWeb

ARTICLE = ["近日，全省网信系统召开网络生态治理工作推进会，部署开展“清朗”系列专项行动。",
           "会议要求，各地要压实网站平台主体责任，持续净化网络空间，营造清朗网络环境。"]


def _page(web: SampleWeb, kind: str) -> tuple[Any, Any]:
    (article,) = [a for s in web.sites for a in s.articles if a.kind == kind]
    parts = urlsplit(article.url)
    return article, web.page(parts.hostname or "", parts.path)


def test_seed_003_spam_line_is_cut_kept_and_flagged() -> None:
    seed = load_seed("003")
    record = clean_text("\n".join(seed.lines))
    assert "spam_injected" in record.flags
    assert record.removed["spam"] == [seed.line(73)]
    assert "百家乐" not in record.body and "配资" not in record.body


@pytest.mark.parametrize("path_kind", ["hidden_external_links", "spam_keywords_in_body"])
def test_hidden_spam_on_hanweb_pages_is_cut_and_flagged(path_kind: str) -> None:
    web = SampleWeb(40)
    (article,) = [a for s in web.sites for a in s.articles if path_kind in a.flags]
    response = web.page(urlsplit(article.url).hostname or "", urlsplit(article.url).path)
    record, _ = clean_html(response.body, url=article.url, content_type=response.headers["Content-Type"])
    assert "spam_injected" in record.flags
    assert record.removed["spam"]
    for word in ("百家乐", "时时彩", "快三"):
        assert word not in record.body
    assert record.body.split("\n") == [p.strip() for p in article.paragraphs]


def test_the_lottery_regulation_article_keeps_its_text_and_is_not_flagged() -> None:
    web = SampleWeb(40)
    article, response = _page(web, "lottery_regulation")
    record, _ = clean_html(response.body, url=article.url, content_type=response.headers["Content-Type"])
    assert record.title == LOTTERY_TITLE
    assert record.body.split("\n") == LOTTERY_BODY
    assert "spam_injected" not in record.flags and "spam" not in record.removed


def test_one_signal_is_not_enough() -> None:
    crackdown = "公安机关严厉打击跨境赌博和网络赌博犯罪，依法查处彩票开奖信息诈骗、刷单返利等违法行为。"
    assert check_spam(crackdown).keep
    assert check_spam("财政部：严禁擅自利用互联网销售彩票，彩票公益金要用于社会公益事业。").keep
    assert check_spam("澳门百家乐 真人娱乐 时时彩计划 北京赛车 股票配资").keep is False
    # a Simplified keyword line under a Traditional article, with one strong term only
    assert check_spam("快三玩法技巧 今天走势图", article_script="traditional").keep is False
    assert check_spam("快三", article_script="simplified").keep


def test_visible_spam_appended_after_an_article_is_cut() -> None:
    spam = "澳门百家乐官网 真人百家乐开户 时时彩 快三计划 北京赛车 六合彩 股票配资 网上赌场"
    record = clean_text("\n".join(["全省网络生态治理推进会召开", *ARTICLE, spam]))
    assert record.body.split("\n") == ARTICLE
    assert record.removed["spam"] == [spam] and "spam_injected" in record.flags


def test_hidden_internal_links_are_menus_not_spam() -> None:
    menu = "".join(f'<a href="/col/col{i}/index.html">栏目{i}</a>' for i in range(12))
    page = (f'<html><body><h1>全省网络生态治理推进会召开</h1><div style="display:none">{menu}</div>'
            f'<div class="TRS_Editor">{"".join(f"<p>{p}</p>" for p in ARTICLE)}</div></body></html>')
    record, _ = clean_html(page, url="http://www.example.gov.cn/a.html")
    assert "spam_injected" not in record.flags and record.body.split("\n") == ARTICLE
    assert record.removed["hidden"]
