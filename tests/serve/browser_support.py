"""What the browser tests share (their fixtures are in ``conftest.py``): ``searchkit serve --watch`` in a
subprocess, headless Chromium driven by Playwright (a tab that fails its test on any JavaScript or
console error), axe-core's accessibility check and screenshots.

Chromium: Debian's ``chromium`` (``.ci/run`` installs it; SEARCHKIT_CHROMIUM names another). axe-core: the
npm package pinned in ``tests/serve/axe/package.json``, installed by ``.ci/run`` with
``npm ci --prefix tests/serve/axe`` (SEARCHKIT_AXE names another ``axe.min.js``). Screenshots go to the
test's temporary folder, or to SEARCHKIT_SCREENSHOTS when set.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
CHROMIUM = (os.environ.get("SEARCHKIT_CHROMIUM") or shutil.which("chromium")
            or shutil.which("chromium-browser"))
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium binary (apt install chromium)")
AXE = Path(os.environ.get("SEARCHKIT_AXE")
           or Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js")
expect = playwright_api.expect
#: How long the browser waits for something to appear before the test fails (a bound, not a target).
PATIENCE_MS = 20_000
#: The impacts axe reports that fail a page.
FAILING_IMPACTS = ("serious", "critical")


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


def open_tab(browser: Any, width: int = 1100, height: int = 900, **options: Any) -> tuple[Any, list[str]]:
    """A new tab and the list its JavaScript errors and console errors land in. A 4xx status of a page
    (an error page asked for, or the search page's answer to a bad query, fetched by the script) is what
    the server means to answer, not an error of the page."""
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    context.set_default_timeout(PATIENCE_MS)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))

    def on_console(message: Any) -> None:
        url = message.location.get("url") or ""
        own_status = (message.text.startswith("Failed to load resource: the server responded with a status "
                                              "of 4") and (url == tab.url or urlsplit(url).path == "/"))
        if message.type == "error" and not own_status:
            errors.append(f"{message.text} ({message.location.get('url')})")

    tab.on("console", on_console)
    return tab, errors


def search(page: Any, text: str) -> None:
    """Type ``text`` into the search box and wait until its results (not an earlier keystroke's) show."""
    page.keyboard.press("/")
    page.keyboard.type(text)
    shown = re.compile(re.escape(urlencode({"q": text})) + "$")
    expect(page.locator("body")).to_have_attribute("data-shown", shown, timeout=PATIENCE_MS)


def headlines(page: Any) -> list[str]:
    return page.locator(".hit .headline").all_inner_texts()


def accessibility_violations(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line each."""
    if not AXE.is_file():
        pytest.skip(f"axe-core is not installed at {AXE} (npm ci --prefix tests/serve/axe, as .ci/run does)")
    page.evaluate(AXE.read_text(encoding="utf-8"))  # evaluated by the driver: the page's CSP stays strict
    found = page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ["violations"]});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                            where: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
    }""")
    return [f"{v['impact']}: {v['id']} ({v['help']}) at {v['where']}" for v in found
            if v["impact"] in FAILING_IMPACTS]


def screenshot_path(tmp_path: Path, name: str) -> Path:
    folder = Path(os.environ.get("SEARCHKIT_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.png"
