"""Page chrome leaves the body with its reason; metadata lines fill the record; real sentences stay."""

from __future__ import annotations

import pytest

from cleaners import clean_html, clean_text
from cleaners.boilerplate import chrome_reason
from cleaners.metadata import parse_meta_line, split_trailing_byline

TITLE = "全省网络安全宣传周活动启动"
PARA = "近日，全省网络安全宣传周活动在南京启动，各地网信部门组织开展了形式多样的宣传活动，吸引群众广泛参与。"
PARA2 = "活动期间，省网信办联合教育部门走进校园，通过讲座、展览和互动体验等方式普及网络安全知识。"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("江苏网信网 > 长三角网信 > 安徽网信 > 正文", "breadcrumb"),
        ("当前位置：首页 > 今日重庆", "breadcrumb"),
        ("ad9_210*60", "ad_slot"),
        ("关键词:", "empty_label"),
        ("字号：[ 大 中 小 ] 【打印】【关闭】", "toolbar"),
        ("【字体:", "font_widget"),
        ("播报", "page_tools"),
        ("【打印本页】 【关闭窗口】", "page_tools"),
        ("分享到：微信 微博 QQ空间", "share_widget"),
        ("扫一扫在手机打开当前页", "qr_code"),
        ("微信 微博 客户端 头条号", "app_links"),
        ("手机版 电脑版", "app_links"),
        ("版权所有:中共江苏省委网络安全和信息化委员会办公室", "footer"),
        ("备案号:苏ICP备20035922号", "footer"),
        ("苏ICP备05009361号 苏公网安备 32010202010094号 网站标识码：3200000024", "footer"),
        ("主办单位:四川省人民政府办公厅", "footer"),
        ("承办：江苏省大数据管理中心", "footer"),
        ("运行维护单位:中国电信四川公司", "footer"),
        ("技术支持:中国江苏网", "footer"),
        ("img#imgConac{height:55px;}", "css_js"),
        ("$('#share-1').share();", "css_js"),
    ],
)
def test_chrome_lines_have_a_reason(line: str, reason: str) -> None:
    assert chrome_reason(line) == reason


@pytest.mark.parametrize(
    "line",
    [
        "群众通过手机就能办理社保、医保等高频事项，真正分享到了改革发展的成果。",
        "我的分享到这里，谢谢大家！",
        "相关附件：附件1-重庆市数字重庆建设重点任务清单.docx",
        "主办方介绍，本次大会共设置12个分论坛。",
        "版权保护工作持续加强，全年查处侵权盗版案件300余起。",
        "要打印和关闭的不是窗口，而是落后的观念。",
        PARA,
    ],
)
def test_the_same_words_inside_a_real_sentence_stay(line: str) -> None:
    assert chrome_reason(line) is None
    assert parse_meta_line(line) is None
    record = clean_text(f"{TITLE}\n{PARA}\n{line}\n{PARA}")
    assert line in record.body.split("\n")


def test_metadata_lines_fill_the_record_and_leave_the_body() -> None:
    text = "\n".join([
        "江苏网信网 > 网络安全 > 正文", TITLE, "发布时间：2026-03-13 10:05 来源：新华日报 浏览次数：次 字号：[ 大 中 小 ]",
        PARA, PARA2 + "(记者 王小明)", "[责任编辑:赵磊]", "版权所有：江苏省人民政府",
    ])
    record = clean_text(text)
    assert (record.title, record.source, record.author, record.editor) == (TITLE, "新华日报", "王小明", "赵磊")
    assert record.published == "2026-03-13T10:05:00+08:00" and record.date == "2026-03-13"
    assert record.body.split("\n") == [PARA, PARA2]
    assert record.removed["byline"] == ["(记者 王小明)"]
    assert record.removed["footer"] == ["版权所有：江苏省人民政府"]


def test_an_attribution_line_names_author_and_source() -> None:
    record = clean_text(f"{TITLE}\n{PARA}\n{PARA2}\n(作者:李华、张三,原文载于《群众》2026年05月08日第4版)")
    assert (record.author, record.source) == ("李华、张三", "群众")
    assert record.date is None  # the date of the original printing is not this page's
    assert record.body.split("\n") == [PARA, PARA2]


def test_a_kicker_and_the_site_header_date_stand_above_the_headline() -> None:
    record = clean_text(f"2020-07-14\n重庆扶贫专报第二十一期\n{TITLE}\n{PARA}")
    assert record.title == TITLE and record.date is None and record.published is None
    assert record.removed["header"] == ["2020-07-14", "重庆扶贫专报第二十一期"]


def test_a_closing_office_is_the_author_but_a_notice_keeps_its_signature_block() -> None:
    signed = clean_text(f"{TITLE}\n{PARA}\n政策法规处")
    assert signed.author == "政策法规处" and "政策法规处" not in signed.body
    notice = clean_text(f"{TITLE}\n{PARA}\n国家互联网信息办公室\n2026年3月12日")
    assert notice.body.split("\n")[-2:] == ["国家互联网信息办公室", "2026年3月12日"]
    assert notice.author is None


def test_captions_alt_text_and_related_lists_go() -> None:
    lines = [TITLE, PARA, TITLE, "△ 小布大土楼村电商服务站", PARA2, "相关阅读", "我省召开网络安全工作会议",
             "全省网信系统推进清朗行动"]
    text = "\n".join(lines)
    record = clean_text(text)
    assert record.body.split("\n") == [PARA, PARA2]
    assert record.removed["title_repeat"] == [TITLE]
    assert record.removed["image_caption"] == ["△ 小布大土楼村电商服务站"]
    assert len(record.removed["related"]) == 3


def test_a_share_bar_at_the_top_of_the_body_does_not_cut_the_body() -> None:
    page = f"""<html><head><meta charset="utf-8"><title>{TITLE}</title></head><body><h1>{TITLE}</h1>
    <div class="TRS_Editor"><div class="share">分享到：微信 微博</div><p>{PARA}</p><p>{PARA2}</p>
    <p>相关附件：附件1-活动方案.docx</p></div></body></html>"""
    record, _ = clean_html(page)
    assert record.body.split("\n") == [PARA, PARA2, "相关附件：附件1-活动方案.docx"]
    assert record.removed["share_widget"] == ["分享到：微信 微博"]


def test_trailing_byline_needs_a_sentence_before_it() -> None:
    assert split_trailing_byline("为决胜全面建成小康社会作出更大贡献。(记者 吴浩)") == (
        "为决胜全面建成小康社会作出更大贡献。", "吴浩")
    assert split_trailing_byline("(记者 吴浩)") == ("(记者 吴浩)", None)
