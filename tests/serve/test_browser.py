"""The search page in a real browser: headless Chromium driving ``searchkit serve --watch`` over HTTP;
axe-core checks every kind of page, and screenshots are taken at desktop and phone width.

Skips when Playwright or a Chromium binary is missing, and the accessibility checks when axe-core is (see
``browser_support.py``). SEARCHKIT_SCREENSHOT=docs/screenshot.png saves the README's picture.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from conftest import write_seed
from serve.browser_support import (
    PATIENCE_MS,
    Server,
    accessibility_violations,
    expect,
    headlines,
    needs_chromium,
    open_tab,
    screenshot_path,
    search,
)
from serve.conftest import OIL_ARTICLES, XSS_HEADLINE
from serve.newsroom import write_newsroom

pytestmark = needs_chromium
#: Every kind of page, checked by axe-core and photographed: a new page is one line here.
PAGES = {
    "home": "/",
    "results": "/?q=oil",
    "results-filtered": "/?q=oil+OR+cocoa&since=1987-02&until=1987-03-10&sort=newest",
    "zero-hits": "/?q=zzzunknownword",
    "query-error": "/?q=oil+AND+(prices",
    "date-error": "/?q=oil&since=1987-02-30",
    "not-found": "/articles/no-such-article",
    "article": "/articles/oil-03?q=oil&at=4",
    "story": "/stories/oil-03",
}


def test_slash_focuses_the_box_and_typing_shows_hits_with_the_query_in_the_url(page):
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("oil")
    expect(page.locator("#total")).to_have_text(str(OIL_ARTICLES), timeout=PATIENCE_MS)
    assert len(headlines(page)) == 10
    expect(page).to_have_url(re.compile(r"/\?q=oil$"), timeout=PATIENCE_MS)
    expect(page.locator(".snippet mark").first).to_have_text(re.compile("oil", re.IGNORECASE))


def test_paging_forward_and_the_back_button(page):
    search(page, "oil")
    first = page.locator(".hit .headline").first
    page.select_option("#sort", "oldest")
    expect(first).to_have_text("Oil prices report number 0", timeout=PATIENCE_MS)
    page.click("a[rel=next]")
    expect(first).to_have_text("Oil prices report number 10", timeout=PATIENCE_MS)
    expect(page).to_have_url(re.compile(r"page=2"))
    page.go_back()
    expect(first).to_have_text("Oil prices report number 0", timeout=PATIENCE_MS)
    expect(page).not_to_have_url(re.compile(r"page=2"))


def test_the_date_filter_narrows_the_hits_and_lands_in_the_url(page):
    search(page, "oil")
    page.fill("#since", "1987-03-20")
    page.press("#since", "Enter")
    expect(page.locator("#total")).to_have_text("4", timeout=PATIENCE_MS)  # March 20 to 23
    expect(page).to_have_url(re.compile(r"since=1987-03-20"))
    page.fill("#until", "1987-03-21")
    page.press("#until", "Enter")
    expect(page.locator("#total")).to_have_text("2", timeout=PATIENCE_MS)
    assert sorted(headlines(page)) == ["Oil prices report number 19", "Oil prices report number 20"]


def test_opening_an_article_and_going_back_to_the_results(page):
    search(page, "houston")
    first = page.locator(".hit .headline").first
    expect(first).to_be_visible(timeout=PATIENCE_MS)
    headline = first.inner_text()
    first.click()
    expect(page.locator("h1")).to_have_text(headline)
    expect(page.locator(".article .body")).to_contain_text("Traders in Houston watched OPEC closely.")
    page.go_back()
    expect(page.locator("#q")).to_have_value("houston")
    expect(page.locator(".hit .headline").first).to_have_text(headline)


def test_a_bad_query_shows_the_caret_under_the_problem(page):
    search(page, "oil AND (prices")
    caret = page.locator(".caret")
    expect(caret).to_be_visible(timeout=PATIENCE_MS)
    query_line, caret_line = caret.inner_text().split("\n")
    assert query_line == "oil AND (prices" and query_line[caret_line.index("^")] == "("
    expect(page.locator(".error .message")).to_contain_text("unclosed parenthesis")


def test_hostile_article_text_is_shown_and_never_run(page):
    search(page, "attack")
    hit = page.locator(".hit .headline").first
    expect(hit).to_have_text(XSS_HEADLINE, timeout=PATIENCE_MS)
    hit.click()
    expect(page.locator("h1")).to_have_text(XSS_HEADLINE)
    expect(page.locator(".article .body")).to_contain_text('<img src=x onerror="window.pwned')
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert page.locator(".article img, .article svg, .article script").count() == 0


def test_plain_search_works_with_javascript_off(browser, server):
    context = browser.new_context(java_script_enabled=False)
    context.set_default_timeout(PATIENCE_MS)
    tab = context.new_page()
    tab.goto(server.url)
    tab.fill("#q", "oil")
    tab.press("#q", "Enter")
    expect(tab.locator("#total")).to_have_text(str(OIL_ARTICLES))
    tab.click("a[rel=next]")
    expect(tab).to_have_url(re.compile(r"page=2"))
    assert len(tab.locator(".hit").all()) == 10
    context.close()


def test_a_new_seed_file_appears_under_watch(page, server):
    write_seed(server.seeds_dir, "late/aluminium", "1987-09-01", "Aluminium smelter opens",
               "Aluminium output rose in Ghana.")
    page.goto(server.url + "/?q=aluminium")
    for _ in range(PATIENCE_MS // 250):
        if page.locator(".hit").count():
            break
        page.wait_for_timeout(250)
        page.reload()
    expect(page.locator(".hit .headline")).to_have_text(["Aluminium smelter opens"])
    assert any("index updated: added 1" in line for line in server.log), "".join(server.log)


@pytest.mark.parametrize("name", PAGES)
def test_no_serious_accessibility_violation(page, server, name):
    page.goto(server.url + PAGES[name])
    expect(page.locator("#main")).to_be_visible()
    assert accessibility_violations(page) == []


def test_no_serious_accessibility_violation_after_typing_a_search(page):
    search(page, "oil")
    page.keyboard.press("ArrowDown")  # a hit marked as the current one
    assert accessibility_violations(page) == []


@pytest.mark.parametrize("width, height", [(1280, 900), (390, 844)])
def test_every_page_fits_the_screen_and_is_photographed(browser, server, tmp_path, width, height):
    tab, errors = open_tab(browser, width, height, device_scale_factor=1 if width > 1000 else 2)
    for name, url in PAGES.items():
        tab.goto(server.url + url)
        expect(tab.locator("#main")).to_be_visible()
        assert tab.evaluate("document.documentElement.scrollWidth") <= width, name  # nothing off the side
        assert tab.locator("#q").bounding_box()["width"] >= 200, name
        tab.screenshot(path=str(screenshot_path(tmp_path, f"{name}-{width}")), full_page=True)
    tab.context.close()
    assert errors == []


def test_the_results_use_the_width_of_a_desktop_screen(browser, server):
    tab, errors = open_tab(browser, 1280, 900)
    tab.goto(server.url + "/?q=oil")
    hits, facets = tab.locator(".hits").bounding_box(), tab.locator(".facets").bounding_box()
    assert facets["x"] > hits["x"] + hits["width"]  # the facets beside the hits, not under them
    assert facets["x"] + facets["width"] > 1280 * 0.75
    tab.set_viewport_size({"width": 390, "height": 844})
    hits, facets = tab.locator(".hits").bounding_box(), tab.locator(".facets").bounding_box()
    assert facets["y"] > hits["y"]  # at phone width the column goes under the hits
    tab.context.close()
    assert errors == []


def test_no_inline_script_or_style_anywhere(page, server):
    for url in PAGES.values():
        page.goto(server.url + url)
        assert page.locator("script:not([src]), style, [style]").count() == 0, url
        assert page.evaluate("document.querySelectorAll('[onclick], [onload], [onerror]').length") == 0


def test_screenshot(browser, tmp_path):
    """The README's picture: the results page with facets, over the shipped seeds and generated wires."""
    server = Server(tmp_path / "index", write_newsroom(tmp_path / "newsroom"))
    try:
        tab, errors = open_tab(browser, 1280, 800)
        tab.goto(server.url + "/?q=oil+prices&since=2015&until=2018")
        expect(tab.locator("#total")).to_be_visible()
        tab.keyboard.press("j")  # a hit marked current, as a reader moving through them sees it
        target = Path(os.environ.get("SEARCHKIT_SCREENSHOT") or tmp_path / "screenshot.png")
        tab.screenshot(path=str(target))
        tab.context.close()
    finally:
        server.stop()
    assert errors == [] and target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
