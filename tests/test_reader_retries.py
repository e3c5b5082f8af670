"""A read that finds its remote reader stale (a point in time lost, a node leaving) is retried on fresh
readers after short waits, long enough for a cluster to notice a node that left; one that keeps failing
is reported."""

from __future__ import annotations

import pytest

import searchkit
from searchkit.errors import StaleReaderError
from searchkit.index import readers

from conftest import write_seed


@pytest.fixture
def cache(tmp_path, monkeypatch):
    seeds = tmp_path / "seeds"
    write_seed(seeds, "one", "2024-01-02", "Gold rises", "Gold rose on Tuesday.")
    with searchkit.open_index(tmp_path / "index", create=True) as index:
        index.update(seeds)
    waits: list[float] = []
    monkeypatch.setattr(readers.time, "sleep", waits.append)
    yield readers.ReaderCache(tmp_path / "index"), waits


def failing(times: int):
    calls = []

    def action(opened):
        calls.append(opened)
        if len(calls) <= times:
            raise StaleReaderError("illegal_state_exception: no node found for id: x")
        return opened.reader.count()

    return action, calls


def test_a_stale_reader_is_retried_on_fresh_readers_after_growing_waits(cache):
    reader_cache, waits = cache
    action, calls = failing(4)
    assert reader_cache.read(action) == 1
    assert len(calls) == 5 and len({id(opened) for opened in calls}) == 5  # a fresh reader each time
    assert waits == list(readers._STALE_WAITS[:4]) and sum(waits) >= 1.5


def test_a_reader_that_stays_stale_is_reported(cache):
    reader_cache, waits = cache
    action, calls = failing(100)
    with pytest.raises(StaleReaderError, match="no node found"):
        reader_cache.read(action)
    assert len(calls) == len(readers._STALE_WAITS) + 1 and waits == list(readers._STALE_WAITS)
