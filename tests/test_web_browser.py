"""The web UI in a real Chromium (Debian's /usr/bin/chromium via Playwright), on both backends.

search 脱贫 -> facet by site -> article -> versions and a diff -> reprint cluster -> raw capture,
with a screenshot of each page under test-artifacts/. While a raw capture is shown no request may
leave 127.0.0.1, and archived pages holding script must stay inert.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from web_archive import BACKENDS, EVIL_TITLE, archive_on
from web_server import serve

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 # no name is ever looked up: even an attempted request to the web ends here
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
REQUIRE = os.environ.get("GOVNEWS_REQUIRE_SERVICES") == "1"


def _need_chromium() -> None:
    why = None
    if not Path(CHROMIUM).exists():
        why = f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk; `make test` does it)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            why = "the playwright package is missing (pip install --group dev)"
    if why:
        if REQUIRE:
            pytest.fail(f"GOVNEWS_REQUIRE_SERVICES=1 but {why}")
        pytest.skip(why)


@pytest.fixture(scope="module")
def playwright_driver() -> Iterator[Any]:
    _need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module", params=BACKENDS)
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, int]]]:
    """The test archive on each backend, served on 127.0.0.1: (base URL, ids)."""
    _need_chromium()
    from web import create_app

    db_url, ids = archive_on(request, tmp_path_factory)
    with serve(create_app(db_url)) as base:
        yield base, ids


class Browser:
    """One fresh Chromium profile; records every dialog and every request that tried to leave loopback."""

    def __init__(self, driver: Any, profile: Path, *, javascript: bool = True) -> None:
        self.dialogs: list[str] = []
        self.outside: list[str] = []
        self.context = driver.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, locale="zh-CN",
            java_script_enabled=javascript, viewport={"width": 1280, "height": 900})
        self.context.route("**/*", self._route)
        self.page = self.context.pages[0] if self.context.pages else self.context.new_page()
        self.page.on("dialog", self._dialog)

    def _route(self, route: Any) -> None:
        host = urlsplit(route.request.url).hostname
        if host == "127.0.0.1":
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def shot(self, name: str, backend: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"web-{backend}-{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def browser(playwright_driver: Any, tmp_path: Path) -> Iterator[Browser]:
    b = Browser(playwright_driver, tmp_path / "chromium-profile")
    yield b
    b.close()


def _backend(request: pytest.FixtureRequest) -> str:
    return "postgresql" if "postgresql" in request.node.callspec.id else "sqlite"


def _hits(page: Any) -> list[int]:
    return [int(x) for x in page.locator("li.hit").evaluate_all("els => els.map(e => e.dataset.article)")]


def test_the_archivists_journey(site: Any, browser: Browser, request: pytest.FixtureRequest) -> None:
    base, ids = site
    backend = _backend(request)
    page = browser.page

    page.goto(f"{base}/")
    page.fill("input[name=q]", "脱贫")
    page.click("form.search button[type=submit]")
    page.wait_for_load_state()
    assert "q=%E8%84%B1%E8%B4%AB" in page.url
    assert set(_hits(page)) == {ids["cac"], ids["sc_other"], ids["tw"], ids["evil"]}  # one per cluster
    assert page.locator("#total").inner_text() == "4"
    assert page.locator("mark").first.inner_text() in ("脱贫", "脫貧")
    cac_hit = page.locator(f"li.hit[data-article='{ids['cac']}']")
    assert "3 个副本" in cac_hit.locator(".reprints").inner_text()  # the interface follows the browser's zh-CN
    assert page.locator("figure.histogram rect").count() == 4  # 2018-10, 2020-03, 2020-09, 2021-05
    browser.shot("1-search", backend)

    page.click("#facet-site a[data-value=cac]")
    page.wait_for_load_state()
    assert "site=cac" in page.url
    assert _hits(page) == [ids["cac"]]
    assert page.locator("#facet-site li.selected").count() == 1
    browser.shot("2-facet", backend)

    page.click(f"li.hit[data-article='{ids['cac']}'] a.title")
    page.wait_for_load_state()
    assert page.url == f"{base}/a/{ids['cac']}"
    assert page.locator("#article-title").inner_text() == "决战决胜脱贫攻坚座谈会召开"
    assert "全面胜利" in page.locator("#article-body").inner_text()  # the newest version
    assert page.locator("dl.provenance").inner_text().count("http://www.cac.test/2020-03/06/c_1.htm") == 2
    browser.shot("3-article", backend)

    page.click("#link-versions")
    page.wait_for_load_state()
    assert page.locator("ol.versions li").count() == 2
    assert "全面胜利" in page.locator("#diff ins").all_inner_texts()[0]
    assert "决定性成就" in " ".join(page.locator("#diff del").all_inner_texts())
    page.click("a[rel=prev]")  # the older version's text
    page.wait_for_load_state()
    assert "决定性成就" in page.locator("div.body").inner_text()
    browser.shot("4-versions", backend)

    page.goto(f"{base}/a/{ids['cac']}")
    page.click("#link-reprints")
    page.wait_for_load_state()
    rows = page.locator("#members tbody tr")
    assert rows.count() == 3
    assert page.locator("#members tr.canonical").get_attribute("data-article") == str(ids["cac"])
    assert "www.gov.test" in page.locator("#members").inner_text()
    browser.shot("5-reprints", backend)

    page.goto(f"{base}/a/{ids['cac']}")
    page.click("#link-raw")
    page.wait_for_load_state()
    frame = page.locator("#raw-frame")
    assert frame.get_attribute("sandbox") == ""
    assert "全面胜利" in page.frame_locator("#raw-frame").locator("body").inner_text()
    browser.shot("6-raw", backend)
    assert browser.outside == [] and browser.dialogs == []


def test_a_raw_capture_never_reaches_the_web_nor_runs_code(site: Any, browser: Browser,
                                                          request: pytest.FixtureRequest) -> None:
    base, ids = site
    page = browser.page
    page.goto(f"{base}/capture/{ids['evil:capture1']}")
    page.wait_for_load_state("load")
    assert "脱贫 raw page" in page.frame_locator("#raw-frame").locator("h1").inner_text()
    page.wait_for_timeout(1500)  # the meta refresh would have fired by now
    assert "脱贫 raw page" in page.frame_locator("#raw-frame").locator("h1").inner_text()
    page.frame_locator("#raw-frame").locator("#out").click()  # a link in the page leads nowhere either
    page.wait_for_timeout(500)
    browser.shot("7-raw-hostile", _backend(request))
    # on its own, outside the frame, the capture is still sandboxed by its Content-Security-Policy
    response = page.goto(f"{base}/capture/{ids['evil:capture1']}/raw")
    assert response is not None and response.headers["content-type"] == "text/html; charset=utf-8"
    assert "sandbox" in response.headers["content-security-policy"]
    page.wait_for_timeout(1000)
    assert browser.outside == [], browser.outside
    assert browser.dialogs == []
    assert page.evaluate("() => window.__pwned") is None
    # and the interception that says so does see a request to the web when one is made
    with pytest.raises(Exception, match=r"ERR_FAILED|ERR_ABORTED|ERR_NAME_NOT_RESOLVED"):
        page.goto("http://evil.example/probe")
    assert browser.outside == ["http://evil.example/probe"]


def test_archived_script_in_titles_and_bodies_renders_inert(site: Any, browser: Browser) -> None:
    base, ids = site
    page = browser.page
    for path in ("/?q=%E8%84%B1%E8%B4%AB", f"/a/{ids['evil']}", f"/a/{ids['evil']}/reprints",
                 f"/a/{ids['evil']}/versions", "/sites", "/runs", f"/capture/{ids['evil:capture1']}"):
        page.goto(base + path)
        page.wait_for_load_state("load")
        assert page.locator("script").count() == 0, path  # the app sends no script, and none got in
        assert page.locator("img").count() == 0, path
        assert page.evaluate("() => window.__pwned") is None, path
    page.goto(f"{base}/a/{ids['evil']}")
    assert page.locator("#article-title").inner_text() == EVIL_TITLE  # shown as text, exactly
    assert "<script>window.__pwned=1;alert('body')</script>" in page.locator("#article-body").inner_text()
    assert page.locator("a[href^='javascript:']").count() == 0
    assert browser.dialogs == [] and browser.outside == []


def test_pages_and_json_api_give_the_same_results(site: Any, browser: Browser) -> None:
    base, _ids = site
    page = browser.page
    for query in ("q=%E8%84%B1%E8%B4%AB", "q=%E8%84%B1%E8%B4%AB&all=1&sort=date", "q=%E7%BD%91%E4%BF%A1&site=scwx",
                  "q=%E6%89%B6%E8%B4%AB&month=2018-10", "q=%E8%84%B1%E8%B4%AB&script=traditional",
                  "q=%E8%84%B1%E8%B4%AB&per_page=2&page=2"):
        api = page.request.get(f"{base}/api/search?{query}").json()
        page.goto(f"{base}/?{query}")
        assert _hits(page) == [r["article_id"] for r in api["results"]], query
        assert int(page.locator("#total").inner_text()) == api["total"], query
        for facet, pairs in api["facets"].items():
            shown = page.locator(f"#facet-{facet} li a").evaluate_all(
                "els => els.map(e => [e.dataset.value, +e.nextElementSibling.textContent])")
            assert sorted(map(tuple, shown)) == sorted((v, n) for v, n in pairs if v is not None), (query, facet)


def test_everything_works_without_javascript(site: Any, playwright_driver: Any, tmp_path: Path) -> None:
    base, ids = site
    b = Browser(playwright_driver, tmp_path / "nojs", javascript=False)
    try:
        page = b.page
        page.goto(f"{base}/?ui=en")
        page.fill("input[name=q]", "脫貧")  # Traditional finds Simplified
        page.check("input[name=all]")
        page.click("form.search button[type=submit]")
        page.wait_for_load_state()
        assert set(_hits(page)) == {ids["cac"], ids["sc_copy"], ids["gov_copy"], ids["sc_other"], ids["tw"],
                                    ids["evil"]}
        assert "results" in page.locator("p.total").inner_text()  # English, remembered from ?ui=en
        page.click("#facet-flag a[data-value=repeated_body]")
        page.wait_for_load_state()
        assert _hits(page) == [ids["sc_other"]]
        page.click("li.hit a.title")
        page.wait_for_load_state()
        removed = page.locator("#removed").inner_text()
        assert "澳门赌场在线娱乐 <b>点击</b>" in removed and "spam_injected" in removed
        assert "澳门赌场" not in page.locator("#article-body").inner_text()
        page.goto(f"{base}/a/{ids['sc_copy']}/versions")
        assert re.search(r"2026-12-01 1\d:\d\d", page.locator("#deleted").inner_text())
    finally:
        b.close()
