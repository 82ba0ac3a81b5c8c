"""Link discovery and pagination rules, on list-page markup as government sites write it."""

from __future__ import annotations

import pytest

from spiders.profile import Pagination, ProfileError, SiteProfile, load_registry
from spiders.rules import (
    counter_next,
    create_page_html_urls,
    extract_links,
    extract_url_literals,
    hanweb_requests,
    next_link_urls,
    pagination_requests,
)


def test_unquoted_protocol_relative_links_are_found() -> None:
    page = ("<div id=loadingInfoPage class=default><li><h5><a href=//www.cac.gov.cn/2026-03/12/c_1741234567890123.htm"
            " target=_blank title=x>x</a></h5></li></div>")
    assert extract_links(page, "https://www.cac.gov.cn/wxzw/wxfb/A093702index_1.htm") == [
        "https://www.cac.gov.cn/2026-03/12/c_1741234567890123.htm"
    ]


def test_links_inside_hanweb_cdata_records_are_found() -> None:
    page = ('<script type="text/xml"><datastore><recordset><record><![CDATA[<li><a href="/art/2026/6/10/'
            'art_60096_11783480.html" title="t">t</a></li>]]></record></recordset></datastore></script>')
    assert extract_links(page, "http://www.jiangsu.gov.cn/col/col60096/index.html") == [
        "http://www.jiangsu.gov.cn/art/2026/6/10/art_60096_11783480.html"
    ]


def test_links_skip_scripts_fragments_and_mail() -> None:
    page = '<a href="javascript:void(0)">x</a><a href="#top">t</a><a href="mailto:a@b">m</a><a href="./a.html#x">a</a>'
    assert extract_links(page, "http://h.test/d/index.html") == ["http://h.test/d/a.html"]


def test_url_literals_in_json_feeds() -> None:
    feed = '[{"TITLE":"t","URL":"/zhengce/202609/content_7081810.htm"},{"URL":"https://www.gov.cn/zhengce/content/202609/content_1.htm"}]'
    assert extract_url_literals(feed, "https://www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json") == [
        "https://www.gov.cn/zhengce/202609/content_7081810.htm",
        "https://www.gov.cn/zhengce/content/202609/content_1.htm",
    ]


def test_create_page_html_classic_is_zero_based() -> None:
    page = '<script>createPageHTML(3, 0, "index", "shtml");</script>'
    assert create_page_html_urls(page, "http://h.test/anquan/zixun/index.shtml") == [
        "http://h.test/anquan/zixun/index.shtml",
        "http://h.test/anquan/zixun/index_1.shtml",
        "http://h.test/anquan/zixun/index_2.shtml",
    ]


def test_create_page_html_newer_signature_is_one_based() -> None:
    page = "<script>createPageHTML('page_div',4, 1,'jrsc_list','shtml',70);</script>"
    assert create_page_html_urls(page, "http://h.test/10462/10797/jrsc_list.shtml") == [
        "http://h.test/10462/10797/jrsc_list.shtml",
        "http://h.test/10462/10797/jrsc_list_2.shtml",
        "http://h.test/10462/10797/jrsc_list_3.shtml",
        "http://h.test/10462/10797/jrsc_list_4.shtml",
    ]


def test_create_page_html_rejects_garbage_and_caps_the_count() -> None:
    assert create_page_html_urls('createPageHTML(x, 0, "index", "html")', "http://h.test/") == []
    assert create_page_html_urls('createPageHTML(9, 0, "../../etc", "html")', "http://h.test/") == []
    assert len(create_page_html_urls('createPageHTML(99999, 0, "index", "html")', "http://h.test/", max_pages=50)) == 50


def test_counter_and_next_link() -> None:
    assert counter_next("http://h.test/wxzw/wxfb/A093702index_9.htm", r"index_(\d+)\.htm$") == (
        "http://h.test/wxzw/wxfb/A093702index_10.htm"
    )
    page = '<a href="home_1.htm">上一页</a> <a class="next" href="home_3.htm"> 下一页 </a>'
    assert next_link_urls(page, "http://h.test/yaowen/home_2.htm", Pagination(kind="next_link").text) == [
        "http://h.test/yaowen/home_3.htm"
    ]


def test_counter_stops_on_a_page_without_new_articles() -> None:
    rule = Pagination(kind="counter", pattern=r"index_(\d+)\.htm$")
    url = "http://h.test/A1index_4.htm"
    assert pagination_requests(rule, "", url, article_links=0) == []
    assert [r.url for r in pagination_requests(rule, "", url, article_links=3)] == ["http://h.test/A1index_5.htm"]
    capped = Pagination(kind="counter", pattern=r"index_(\d+)\.htm$", max_pages=4)
    assert pagination_requests(capped, "", url, article_links=3) == []


def test_hanweb_dataproxy_uses_totalrecord_not_totalpage() -> None:
    page = "<datastore><totalrecord>47</totalrecord><totalpage>99</totalpage></datastore> unitid=297999"
    reqs = hanweb_requests(page, "http://h.test/col/col60096/index.html", endpoint="/module/web/jpage/dataproxy.jsp",
                           perpage=15, max_pages=100)
    assert [r.url.split("?")[1] for r in reqs] == ["startrecord=16&endrecord=47&perpage=15"]
    assert reqs[0].method == "POST"
    assert ("columnid", "60096") in reqs[0].formdata and ("unitid", "297999") in reqs[0].formdata


def test_profiles_validate_when_loaded() -> None:
    with pytest.raises(ProfileError, match="bad regex"):
        SiteProfile(key="x", name="x", base_url="http://x.test", start=("/",), article="(")
    with pytest.raises(ProfileError, match="base_url"):
        SiteProfile(key="x", name="x", base_url="ftp://x.test", start=("/",), article="x")
    with pytest.raises(ProfileError, match="pagination"):
        Pagination(kind="infinite_scroll")
    with pytest.raises(ProfileError, match="one group"):
        Pagination(kind="counter", pattern=r"index_\d+")


def test_shipped_profiles_load_and_real_sites_match_their_documented_urls() -> None:
    reg = load_registry()
    assert {"cac", "gov_cn", "jswx", "jiangsu_portal", "sichuan_portal", "chongqing_portal"} <= {p.key for p in reg.enabled()}
    assert not reg["zjwx"].enabled  # unconfirmed sections ship disabled
    samples = {
        "cac": "https://www.cac.gov.cn/2020-11/03/c_1605968919259922.htm",
        "jswx": "https://www.jswx.gov.cn/anquan/zixun/202603/t20260313_1315342.shtml",
        "jiangsu_portal": "https://www.jiangsu.gov.cn/art/2024/8/12/art_64797_11370493.html",
        "sichuan_portal": "https://www.sc.gov.cn/10462/10464/10797/2025/6/16/d4ea87e678af4e888b7ff8158e13d462.shtml",
        "chongqing_portal": "https://www.cq.gov.cn/ywdt/jrcq/202601/t20260122_15343341.html",
        "gov_cn": "https://www.gov.cn/yaowen/liebiao/202609/content_7081810.htm",
    }
    for key, url in samples.items():
        assert reg[key].is_article(url), (key, url)
        assert not reg[key].is_article(reg[key].start_urls()[0]), key
    assert not reg["cac"].is_article("https://evil.test/2020-11/03/c_1605968919259922.htm")
    assert reg["chongqing_portal"].canonical(
        "https://www.cq.gov.cn/ywdt/jrcq/202606/t20260614_15751731_app.html"
    ) == "https://www.cq.gov.cn/ywdt/jrcq/202606/t20260614_15751731.html"


def test_trap_guard_bounds_lists_but_not_dated_article_urls() -> None:
    from spiders.traps import TrapConfig, TrapGuard, strip_session

    guard = TrapGuard(TrapConfig(max_calendar_pages=3, max_query_variants=2, max_requests=100))
    articles = [f"http://h.test/anquan/zixun/202606/t202606{d:02d}_14000{d:02d}.shtml" for d in range(1, 29)]
    assert all(guard.check("s", u, article=True) is None for u in articles)  # dates in article URLs are normal
    days = [guard.check("s", f"http://h.test/calendar/2026-06-{d:02d}.html") for d in range(1, 6)]
    assert days == [None, None, None, "calendar", "calendar"]
    assert guard.check("s", "http://h.test/cal?year=2999") == "calendar"
    assert guard.check("s", "http://h.test/search?q=x") == "search_page"
    assert guard.check("s", "http://h.test/a/b/a/b/a/x.html") == "repeating_path"
    assert [guard.check("s", f"http://h.test/f.html?x={i}") for i in range(4)] == [None, None, "query_variants",
                                                                                   "query_variants"]
    assert strip_session("http://h.test/l.html;jsessionid=AB12?x=1&PHPSESSID=zz") == "http://h.test/l.html?x=1"
    small = TrapGuard(TrapConfig(max_requests=2))
    assert [small.check("s", f"http://h.test/{i}.html", allowed=True) for i in range(3)] == [None, None,
                                                                                           "site_request_budget"]
