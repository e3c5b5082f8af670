"""Fixtures for the server's tests: a seeds folder with enough articles to page through, one of them
written to break out of HTML, and an in-process client of the app over an index built from it; for the
browser tests, a server process, Chromium and a tab."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from conftest import write_seed

pytest.importorskip("fastapi", reason="searchkit[serve] is not installed")

#: Article text that would run script if the page ever treated it as markup.
XSS_HEADLINE = 'Breaking <script>window.pwned = "script"</script> news'
XSS_BODY = ('Attack <img src=x onerror="window.pwned = \'img\'"> and "><svg onload="window.pwned = \'svg\'"> '
            "end of the attack text.")
OIL_ARTICLES = 23


def write_news(folder: Path) -> Path:
    """23 articles about oil on distinct days (three pages of ten), one cocoa report, one hostile one."""
    for number in range(OIL_ARTICLES):
        write_seed(folder, f"oil-{number:02d}", f"1987-03-{number + 1:02d}",
                   f"Oil prices report number {number}",
                   f"Crude oil prices moved on day {number}.\n\nTraders in Houston watched OPEC closely.")
    write_seed(folder, "cocoa", "1987-02-26", "Bahia cocoa review",
               "Showers continued throughout the week in the Bahia cocoa zone.")
    write_seed(folder, "hostile", "1987-04-01", XSS_HEADLINE, XSS_BODY)
    return folder


@pytest.fixture
def news_seeds(tmp_path: Path) -> Path:
    return write_news(tmp_path / "seeds")


@pytest.fixture
def news_index(tmp_path: Path, news_seeds: Path):
    import searchkit

    index = searchkit.open_index(tmp_path / "index", create=True)
    index.update(news_seeds)
    yield index
    index.close()


@pytest.fixture
def client(news_index):
    from fastapi.testclient import TestClient

    from searchkit.serve import create_app

    with TestClient(create_app(news_index)) as test_client:
        yield test_client


def served(value: object, seeds_dir: Path) -> object:
    """The CLI's ``--json`` as the API sends it: a ``path`` relative to the seeds folder (``/``-separated)
    and the ``seeds_dir`` and ``index_dir`` folders by name, nothing else changed."""
    if isinstance(value, list):
        return [served(item, seeds_dir) for item in value]
    if not isinstance(value, dict):
        return value
    changed = {key: served(item, seeds_dir) for key, item in value.items()}
    if isinstance(changed.get("path"), str):
        changed["path"] = Path(changed["path"]).relative_to(seeds_dir.resolve()).as_posix()
    for folder in ("seeds_dir", "index_dir"):
        if isinstance(changed.get(folder), str):
            changed[folder] = Path(changed[folder]).name
    return changed


# The browser tests' (``browser_support.py``) ------------------------------------------------------------

@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Any]:
    """``searchkit serve --watch`` over :func:`write_news`'s articles, for one test module."""
    from serve.browser_support import Server

    root = tmp_path_factory.mktemp("browser")
    running = Server(root / "index", write_news(root / "seeds"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from serve.browser_support import CHROMIUM, playwright_api

    with playwright_api.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server) -> Iterator[Any]:
    """A tab on the search page; the test fails on any JavaScript or console error in it."""
    from serve.browser_support import open_tab

    tab, errors = open_tab(browser)
    tab.goto(server.url)
    yield tab
    tab.context.close()
    assert errors == [], f"errors in the browser console: {errors}"
