"""Live search, the keyboard and the timeline in a real browser (headless Chromium, see browser_support.py):
what the script adds to the page that works without it."""

from __future__ import annotations

import re

from serve.browser_support import PATIENCE_MS, expect, headlines, needs_chromium, search
from serve.conftest import OIL_ARTICLES

pytestmark = needs_chromium


def test_a_half_typed_phrase_shows_no_error_until_the_typist_pauses(page):
    search(page, "oil")
    for character in ' "crude':  # a pause of 400 ms after each key: long enough for a live search to run
        page.keyboard.type(character)
        page.wait_for_timeout(400)
        assert page.locator(".error").count() == 0, "an error flashed while typing"
        assert len(headlines(page)) == 10, "the last results went away while typing"
    expect(page.locator(".error .message")).to_contain_text("unbalanced quote")  # after the pause
    page.keyboard.type(' oil"')
    expect(page.locator("#total")).to_be_visible()
    expect(page).to_have_url(re.compile(r"q=oil\+%22crude\+oil%22$"))


def test_a_bad_query_submitted_with_enter_shows_its_error_at_once(page):
    page.keyboard.press("/")
    page.keyboard.type("oil AND (")
    page.keyboard.press("Enter")
    expect(page.locator(".error .message")).to_contain_text("unclosed parenthesis", timeout=1000)


def test_a_slow_answer_shows_a_loading_state_and_only_the_count_is_announced(page):
    search(page, "oil")
    expect(page.locator("#live-status")).to_have_text(f"{OIL_ARTICLES} articles")
    assert page.locator("[aria-live]").count() == 1  # the count, not the list of hits
    held = []
    page.route(re.compile(r"/\?q=gold$"), lambda route: held.append(route))  # held: answered below
    page.keyboard.press("Control+A")
    page.keyboard.type("gold")
    expect(page.locator("#loading")).to_be_visible()
    expect(page.locator("#main")).to_have_attribute("aria-busy", "true")
    assert len(held) == 1
    held[0].continue_()
    expect(page.locator("#loading")).to_be_hidden()
    expect(page.locator("#main")).not_to_have_attribute("aria-busy", "true")
    expect(page.locator("#live-status")).to_have_text("No articles matched.")


def test_the_keyboard_moves_through_the_hits_and_enter_opens_one(page):
    search(page, "oil")
    page.keyboard.press("ArrowDown")  # from the search box to the first hit
    first, second = headlines(page)[:2]
    assert page.evaluate("document.activeElement.textContent") == first
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.textContent") == second
    expect(page.locator(".hit.current .headline")).to_have_text(second)
    page.keyboard.press("k")
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text(second)
    page.go_back()
    expect(page.locator(".hit .headline").first).to_be_visible()
    page.keyboard.press("j")
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.id") == "q"


def test_keyboard_only_a_facet_narrows_the_dates_and_its_chip_removes_it(page):
    search(page, "oil OR cocoa")
    for _ in range(80):  # Tab along the page to the March facet
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent").startswith("Mar 1987"):
            break
    else:
        raise AssertionError("Tab never reached the March facet")
    page.keyboard.press("Enter")
    expect(page.locator("#total")).to_have_text("23")
    expect(page).to_have_url(re.compile(r"since=1987-03&until=1987-03"))
    chip = page.locator(".chip")
    expect(chip).to_have_text(re.compile("Dated 1987-03"))
    expect(page.locator("#since")).to_have_value("1987-03")  # the form follows the URL
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.className") == "chip":
            break
    page.keyboard.press("Enter")
    expect(page.locator("#total")).to_have_text("24")
    expect(page.locator(".chip")).to_have_count(0)


def test_a_click_on_a_bar_narrows_to_its_day_and_a_drag_across_bars_to_their_span(page):
    search(page, "oil")
    bars = page.locator("#timeline a.bar")
    expect(bars).to_have_count(OIL_ARTICLES)
    bars.nth(4).click()
    expect(page.locator("#total")).to_have_text("1")
    expect(page).to_have_url(re.compile(r"since=1987-03-05&until=1987-03-05"))
    page.go_back()
    expect(bars).to_have_count(OIL_ARTICLES)
    start, end = bars.nth(2).bounding_box(), bars.nth(6).bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=8)
    page.mouse.up()
    expect(page).to_have_url(re.compile(r"since=1987-03-03&until=1987-03-07"), timeout=PATIENCE_MS)
    expect(page.locator("#total")).to_have_text("5")
    assert sorted(headlines(page)) == [f"Oil prices report number {n}" for n in range(2, 7)]
