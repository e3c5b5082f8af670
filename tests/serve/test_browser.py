"""The search page in a real browser: headless Chromium driving ``searchkit serve --watch`` over HTTP.

Skips when Playwright or a Chromium binary is missing (``.ci/run`` installs Debian's ``chromium``; set
SEARCHKIT_CHROMIUM to use another). SEARCHKIT_SCREENSHOT=docs/screenshot.png saves the README's picture.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Iterator
from urllib.parse import urlencode

import pytest

from conftest import write_seed
from serve.conftest import OIL_ARTICLES, XSS_HEADLINE, write_news

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
CHROMIUM = (os.environ.get("SEARCHKIT_CHROMIUM") or shutil.which("chromium")
            or shutil.which("chromium-browser"))
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium binary (apt install chromium)")
expect = playwright_api.expect
#: How long the browser waits for something to appear before the test fails (a bound, not a target).
PATIENCE_MS = 20_000


class Server:
    """``searchkit serve --watch`` in a subprocess, its log collected from stderr."""

    def __init__(self, index_dir: Path, seeds_dir: Path) -> None:
        self.seeds_dir = seeds_dir
        self.log: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "searchkit", "serve", "--index", str(index_dir), "--seeds", str(seeds_dir),
             "--port", "0", "--watch"],
            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        self.url = self._wait_for_url()
        threading.Thread(target=self._drain, daemon=True).start()

    def _wait_for_url(self) -> str:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.log.append(line)
            found = re.search(r"at (http://\S+) \(Ctrl-C stops\)", line)
            if found:
                return found.group(1)
        raise AssertionError("searchkit serve ended before serving:\n" + "".join(self.log))

    def _drain(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.log.append(line)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("browser")
    running = Server(root / "index", write_news(root / "seeds"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    context.set_default_timeout(PATIENCE_MS)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.goto(server.url)
    yield tab
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def search(page, text: str) -> None:
    """Type ``text`` into the search box and wait until its results (not an earlier keystroke's) show."""
    page.keyboard.press("/")
    page.keyboard.type(text)
    shown = re.compile(re.escape(urlencode({"q": text})) + "$")
    expect(page.locator("body")).to_have_attribute("data-shown", shown, timeout=PATIENCE_MS)


def headlines(page) -> list[str]:
    return page.locator(".hit .headline").all_inner_texts()


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


def test_readable_at_phone_width(browser, server, tmp_path):
    context = browser.new_context(viewport={"width": 375, "height": 740}, device_scale_factor=2)
    tab = context.new_page()
    tab.goto(server.url + "/?q=oil+prices")
    expect(tab.locator("#total")).to_be_visible(timeout=PATIENCE_MS)
    assert tab.evaluate("document.documentElement.scrollWidth") <= 375  # nothing runs off the side
    assert tab.locator("#q").bounding_box()["width"] >= 200
    tab.screenshot(path=str(tmp_path / "phone.png"))
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


def test_screenshot(page, tmp_path):
    search(page, "crude oil")
    expect(page.locator("#total")).to_be_visible(timeout=PATIENCE_MS)
    target = Path(os.environ.get("SEARCHKIT_SCREENSHOT") or tmp_path / "screenshot.png")
    page.screenshot(path=str(target))
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
