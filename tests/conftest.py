"""Shared fixtures: small hand-written seed folders and indexes built from them."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
REUTERS = SHARED / "corpora" / "reuters21578"


def write_seed(folder: Path, name: str, date: str, headline: str, body: str) -> Path:
    """Write one seed file ``name`` (``.txt`` added) and return its path."""
    path = folder / f"{name}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"date {date} {headline}\n{body}\n", encoding="utf-8")
    return path


ARTICLES = {
    "pink": ("2017-11-18", "Pink and Kelly Clarkson open the awards",
             'Pink sang "Everybody Hurts" by R.E.M. while first responders watched.'),
    "hurts": ("2017-06-02", "Everybody Hurts tops the chart again",
              "The song returned to the top of the chart after a radio campaign."),
    "juarez": ("2016-03-10", "Mayor of Juárez visits the border",
               "The mayor spoke about trade and the hurting economy of the region."),
    "cocoa": ("1987-02-26", "Bahia cocoa review",
              "Showers continued throughout the week in the Bahia cocoa zone."),
    "clarkson": ("2018-01-05", "Clarkson announces a tour",
                 "Kelly Clarkson will tour in the spring, her label said on Friday."),
}


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    """A seeds folder holding the five small ARTICLES."""
    folder = tmp_path / "seeds"
    folder.mkdir()
    for name, (date, headline, body) in ARTICLES.items():
        write_seed(folder, name, date, headline, body)
    return folder


@pytest.fixture
def index(tmp_path: Path, seeds: Path):
    """An index built from ``seeds``."""
    import searchkit

    ix = searchkit.open_index(tmp_path / "index", create=True)
    ix.update(seeds)
    yield ix
    ix.close()


@pytest.fixture
def seed_writer(seeds: Path) -> Callable[..., Path]:
    """Write one more seed into ``seeds``."""
    def write(name: str, date: str = "2020-01-01", headline: str = "A headline",
              body: str = "A body.") -> Path:
        return write_seed(seeds, name, date, headline, body)
    return write


@pytest.fixture(autouse=True, scope="session")
def _engine_under_test():
    """``SEARCHKIT_TEST_ENGINE=tantivy python -m pytest`` runs the suite with Tantivy as the engine of
    every new index: in this process (the library's default) and in CLI subprocesses (SEARCHKIT_ENGINE).
    Session-scoped, so module-scoped indexes are built on it too."""
    import os

    name = os.environ.get("SEARCHKIT_TEST_ENGINE")
    if not name:
        yield
        return
    import searchkit.index.facade

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(searchkit.index.facade, "DEFAULT_ENGINE", name)
        patch.setenv("SEARCHKIT_ENGINE", name)
        yield
