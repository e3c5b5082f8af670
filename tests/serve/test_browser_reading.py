"""The article and story pages in a real browser (headless Chromium over HTTP, as in test_browser.py), over
the news and a cocoa story in three versions: axe-core checks them, and they are photographed at 1280
and 390 px (SEARCHKIT_STORY_SCREENSHOT=docs/story.png and SEARCHKIT_ARTICLE_SCREENSHOT=docs/article.png
save the docs' pictures)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Iterator

import pytest

from serve.browser_support import (
    Server,
    accessibility_violations,
    expect,
    needs_chromium,
    open_tab,
    screenshot_path,
)
from serve.conftest import write_news
from serve.test_reading import write_wire

pytestmark = needs_chromium
WIDTH = 1280
#: The reading pages, checked by axe-core and photographed at desktop and phone width.
PAGES = {
    "story-versions": "/stories/bahia-2?q=bahia+drought",
    "article-of-a-story": "/articles/bahia-3?q=bahia+arrivals&at=1",
    "article-from-results": "/articles/oil-10?q=houston+opec&sort=oldest&page=2&at=11",
    "story-not-found": "/stories/bahia-4",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("reading")
    seeds = write_wire(write_news(root / "seeds"))
    running = Server(root / "index", seeds)
    yield running
    running.stop()


@pytest.fixture
def page(browser, server) -> Iterator[Any]:
    """A tab at 1280 px; the test fails on any JavaScript or console error in it."""
    tab, errors = open_tab(browser, WIDTH, 900)
    yield tab
    tab.context.close()
    assert errors == [], f"errors on the page: {errors}"


def saved(page, variable: str, tmp_path: Path, name: str) -> None:
    target = Path(os.environ.get(variable) or tmp_path / name)
    page.screenshot(path=str(target), full_page=True)
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_from_the_hits_similar_versions_to_the_story_page(page, server, tmp_path):
    page.goto(server.url + "/?q=bahia+drought")
    similar = page.locator(".similar").first
    similar.locator("summary").click()
    expect(similar.locator("li")).to_have_count(2)
    expect(similar.locator("li").first).to_contain_text("UPDATE 1: Bahia cocoa review 1987-02-27")
    similar.get_by_role("link", name="Compare all 3 versions").click()
    expect(page.locator(".version")).to_have_count(3)
    third = page.locator(".version").nth(2)
    expect(third.locator("ins")).to_have_text(["2:", "1.7"])
    expect(third.locator("del")).to_have_text(["1:", "1.5"])
    # Wider than the text column would be wasted: the page uses the screen, and nothing runs off it.
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    saved(page, "SEARCHKIT_STORY_SCREENSHOT", tmp_path, "story.png")
    page.get_by_role("link", name="← Back to results").click()
    expect(page.locator("#q")).to_have_value("bahia drought")


def test_an_article_from_the_results_marks_the_query_and_walks_the_results(page, server, tmp_path):
    page.goto(server.url + "/?q=houston+opec&sort=oldest&page=2")
    page.locator(".hit .headline").first.click()
    expect(page.locator("h1")).to_have_text("Oil prices report number 10")
    expect(page.locator(".article .body mark")).to_have_text(["Houston", "OPEC"])
    expect(page.locator(".article .body p")).to_have_count(2)
    page.get_by_role("link", name="Next result →").click()
    expect(page.locator("h1")).to_have_text("Oil prices report number 11")
    page.get_by_role("link", name="← Previous result").click()
    expect(page.locator("h1")).to_have_text("Oil prices report number 10")
    page.get_by_role("link", name="← Back to results").click()  # not back to the article before
    expect(page).to_have_url(re.compile(r"/\?q=houston\+opec&sort=oldest&page=2$"))
    expect(page.locator(".hit .headline").first).to_have_text("Oil prices report number 10")
    page.goto(server.url + "/articles/bahia-3?q=bahia+arrivals")
    expect(page.locator(".versions li")).to_have_count(3)
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    saved(page, "SEARCHKIT_ARTICLE_SCREENSHOT", tmp_path, "article.png")
    page.goto(server.url + "/?q=houston+opec&sort=oldest&page=2")
    page.locator(".hit .headline").first.click()
    page.get_by_role("link", name="← Back to results").click()
    expect(page).to_have_url(re.compile(r"/\?q=houston\+opec&sort=oldest&page=2$"))


def test_an_unknown_id_offers_the_ids_it_may_mean(page, server):
    response = page.goto(server.url + "/articles/bahia-4")
    assert response is not None and response.status == 404
    page.get_by_role("link", name="bahia-2").click()
    expect(page.locator("h1")).to_have_text("UPDATE 1: Bahia cocoa review")


@pytest.mark.parametrize("name", PAGES)
def test_no_serious_accessibility_violation(page, server, name):
    page.goto(server.url + PAGES[name])
    expect(page.locator("#main")).to_be_visible()
    assert accessibility_violations(page) == []


@pytest.mark.parametrize("width, height", [(1280, 900), (390, 844)])
def test_every_reading_page_fits_the_screen_and_is_photographed(browser, server, tmp_path, width, height):
    tab, errors = open_tab(browser, width, height, device_scale_factor=1 if width > 1000 else 2)
    for name, url in PAGES.items():
        tab.goto(server.url + url)
        expect(tab.locator("#main")).to_be_visible()
        assert tab.evaluate("document.documentElement.scrollWidth") <= width, name  # nothing off the side
        assert tab.locator("script:not([src]), style, [style]").count() == 0, name
        tab.screenshot(path=str(screenshot_path(tmp_path, f"{name}-{width}")), full_page=True)
    tab.context.close()
    assert errors == []
