"""``--watch``: new, changed and removed seed files reach the running server's searches, bad files are
named in the log, and nothing stops the server."""

from __future__ import annotations

import logging
import time

import pytest

from conftest import write_seed

pytest.importorskip("watchfiles")

#: How long a test waits for the watcher before failing; the 2-second promise is measured by
#: benchmarks/serve_load.py, not here.
PATIENCE_SECONDS = 20


def eventually(check, what: str):
    deadline = time.monotonic() + PATIENCE_SECONDS
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not seen after {PATIENCE_SECONDS} s")
        time.sleep(0.05)


@pytest.fixture
def watching(news_index, news_seeds):
    from fastapi.testclient import TestClient

    from searchkit.serve import create_app

    with TestClient(create_app(news_index, seeds_dir=news_seeds, watch=True)) as client:
        yield client


def ids_for(client, query: str) -> list[str]:
    return [hit["id"] for hit in client.get("/api/search", params={"q": query, "limit": 100}).json()["hits"]]


def test_new_changed_and_removed_files_reach_searches(watching, news_seeds):
    write_seed(news_seeds, "fresh/zinc", "1987-05-01", "Zinc smelter strike", "Zinc output fell.")
    eventually(lambda: ids_for(watching, "zinc") == ["fresh/zinc"], "a new file")
    write_seed(news_seeds, "fresh/zinc", "1987-05-01", "Copper smelter strike", "Copper output fell.")
    eventually(lambda: ids_for(watching, "copper") == ["fresh/zinc"] and not ids_for(watching, "zinc"),
               "a changed file")
    (news_seeds / "fresh" / "zinc.txt").unlink()
    eventually(lambda: not ids_for(watching, "copper"), "a removed file")


def test_a_burst_of_files_all_arrive(watching, news_seeds):
    for number in range(40):
        write_seed(news_seeds, f"burst/{number}", "1987-06-01", f"Tin report {number}", "Tin prices.")
    eventually(lambda: watching.get("/api/search", params={"q": "tin"}).json()["total"] == 40, "a burst")


def test_a_bad_file_is_named_in_the_log_and_the_server_goes_on(watching, news_seeds, caplog):
    caplog.set_level(logging.INFO, logger="searchkit")
    bad = news_seeds / "broken.txt"
    bad.write_bytes(b"no date line here\nbody\n")
    eventually(lambda: any("broken.txt" in r.getMessage() and r.levelno == logging.WARNING
                           for r in caplog.records), "the bad file in the log")
    write_seed(news_seeds, "after", "1987-07-01", "Nickel after the bad file", "Nickel.")
    eventually(lambda: ids_for(watching, "nickel") == ["after"], "a good file after a bad one")
    assert watching.get("/healthz").status_code == 200
    assert bad.read_bytes() == b"no date line here\nbody\n"  # never touched


def test_watch_catches_up_with_files_added_while_nobody_watched(news_index, news_seeds):
    from fastapi.testclient import TestClient

    from searchkit.serve import create_app

    write_seed(news_seeds, "offline", "1987-08-01", "Lead mine reopens", "Lead.")
    with TestClient(create_app(news_index, seeds_dir=news_seeds, watch=True)) as client:
        assert ids_for(client, "lead") == ["offline"]  # applied before the first request


def test_new_matches_of_saved_searches_are_logged(watching, news_index, news_seeds, caplog):
    caplog.set_level(logging.INFO, logger="searchkit")
    news_index.add_alert("metals", "zinc OR copper")
    write_seed(news_seeds, "mine", "1987-05-02", "Zinc mine reopens", "Zinc.")
    logged = "alert metals: 1 new: Zinc mine reopens"
    eventually(lambda: any(r.getMessage() == logged for r in caplog.records), "the alert in the log")
