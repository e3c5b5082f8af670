"""Concurrency: readers (threads sharing one Index, and separate processes) query in a loop while
``searchkit index`` adds and removes files and ``--rebuild`` swaps generations; two writers at once
(issue 4, docs/reliability.md).

Articles come in batches of BATCH articles; every article of batch ``b`` holds the word ``bt00bx`` and
every article holds ``everyone``. The writer moves the index through a known sequence of states (sets
of batches), one commit each, so a consistent answer to ``everyone`` is exactly the union of whole
batches, and that set of batches is one of the states in the sequence.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import searchkit
from searchkit.index.lock import LOCK_NAME

from helpers_reliability import (
    EVERYONE,
    article_id,
    batch_marker,
    ids_for,
    kill_group,
    run_cli,
    start_cli,
    wait_for,
    write_corpus,
)

BATCH = 120
WORDS = 60


def batch_ids(batch: int) -> frozenset[str]:
    return frozenset(article_id(batch * BATCH + i) for i in range(BATCH))


def write_batch(seeds: Path, batch: int) -> None:
    write_corpus(seeds, range(batch * BATCH, (batch + 1) * BATCH), words=WORDS, batch=batch)


def remove_batch(seeds: Path, batch: int) -> None:
    for article in batch_ids(batch):
        (seeds / f"{article}.txt").unlink()


#: (what the writer does, the set of batches committed after it). Starts from {0}.
SCHEDULE: list[tuple[str, int, str, frozenset[int]]] = [
    ("add", 1, "update", frozenset({0, 1})),
    ("add", 2, "rebuild", frozenset({0, 1, 2})),
    ("remove", 1, "update", frozenset({0, 2})),
    ("add", 3, "update", frozenset({0, 2, 3})),
    ("none", 0, "rebuild", frozenset({0, 2, 3})),
    ("remove", 0, "update", frozenset({2, 3})),
    ("add", 4, "rebuild", frozenset({2, 3, 4})),
    ("none", 0, "rebuild", frozenset({2, 3, 4})),
    ("add", 5, "update", frozenset({2, 3, 4, 5})),
]
STATES = [frozenset({0})] + [state for *_, state in SCHEDULE]


def batches_of(ids: frozenset[str]) -> frozenset[int]:
    """The batches ``ids`` is made of; fails unless it is exactly a union of whole batches."""
    present = frozenset(int(i[1:]) // BATCH for i in ids)
    expected = frozenset().union(*(batch_ids(b) for b in present)) if present else frozenset()
    assert ids == expected, f"a partial batch: {sorted(present)}, {len(expected - ids)} ids missing"
    return present


def run_schedule(seeds: Path, index_dir: Path) -> None:
    for action, batch, command, _ in SCHEDULE:
        if action == "add":
            write_batch(seeds, batch)
        elif action == "remove":
            remove_batch(seeds, batch)
        extra = ["--rebuild"] if command == "rebuild" else []
        run_cli("index", *extra, "--seeds", str(seeds), "--index", str(index_dir), "--wait", "30", check=0)


def _reader_checks(index, rng: random.Random) -> frozenset[int]:
    """One round of reads; returns the state the main query saw. Any exception is a failure."""
    ids = ids_for(index, EVERYONE)
    state = batches_of(ids)
    assert state in STATES, f"not a committed state: {sorted(state)}"
    batch = rng.choice(sorted(state) or [0])
    marked = ids_for(index, batch_marker(batch))
    assert marked in (batch_ids(batch), frozenset()), f"batch {batch}: {len(marked)} of {BATCH}"
    if ids:
        one = rng.choice(sorted(ids))
        try:
            assert index.get(one).id == one
        except searchkit.ArticleNotFoundError:
            pass  # removed since: the index moved to a later state
    page = index.search(EVERYONE, limit=5, sort=rng.choice(["relevance", "newest", "oldest"]))
    assert page.total >= len(page.hits)
    return state


_PROCESS_READER = r"""
import json, random, sys, traceback
from pathlib import Path
sys.path.insert(0, sys.argv[3])
import searchkit
import test_reliability_concurrency as t
index = searchkit.open_index(sys.argv[1])
stop = Path(sys.argv[2])
rng = random.Random(int(sys.argv[4]))
seen, rounds, errors = set(), 0, []
while not stop.exists():
    try:
        seen.add(tuple(sorted(t._reader_checks(index, rng))))
        rounds += 1
    except BaseException as error:
        errors.append(f"{type(error).__name__}: {error}\n{traceback.format_exc()}")
        if len(errors) > 5:
            break
print(json.dumps({"seen": sorted(seen), "rounds": rounds, "errors": errors}))
"""


def test_readers_see_only_committed_states_while_the_index_changes(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    index_dir = tmp_path / "index"
    write_batch(seeds, 0)
    run_cli("index", "--seeds", str(seeds), "--index", str(index_dir), check=0)
    stop = tmp_path / "stop"
    processes = [subprocess.Popen(
        [sys.executable, "-c", _PROCESS_READER, str(index_dir), str(stop), str(Path(__file__).parent),
         str(seed)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for seed in (1, 2)]

    shared = searchkit.open_index(index_dir)  # one Index object for every reader thread
    thread_seen: list[set] = [set() for _ in range(3)]
    thread_rounds = [0, 0, 0]
    thread_errors: list[BaseException] = []

    def read(slot: int) -> None:
        rng = random.Random(slot)
        try:
            while not stop.exists():
                thread_seen[slot].add(_reader_checks(shared, rng))
                thread_rounds[slot] += 1
        except BaseException as error:  # noqa: BLE001 - reported below, with the others
            thread_errors.append(error)
        finally:
            shared.close()  # this thread's reader

    threads = [threading.Thread(target=read, args=(slot,)) for slot in range(3)]
    for thread in threads:
        thread.start()
    try:
        assert wait_for(lambda: all(thread_rounds), timeout=30)
        run_schedule(seeds, index_dir)
        time.sleep(0.3)  # let every reader see the last state
    finally:
        stop.touch()
        for thread in threads:
            thread.join(timeout=60)
        reports = []
        for process in processes:
            out, err = process.communicate(timeout=60)
            assert process.returncode == 0, err
            reports.append(json.loads(out))

    if thread_errors:
        raise thread_errors[0]
    for report in reports:
        assert not report["errors"], report["errors"][0]
    seen = set().union(*thread_seen) | {frozenset(s) for r in reports for s in r["seen"]}
    print(f"\nstates seen: {sorted(sorted(s) for s in seen)}; rounds: threads {thread_rounds}, "
          f"processes {[r['rounds'] for r in reports]}")
    assert seen <= set(STATES)
    assert STATES[-1] in seen
    assert len(seen) >= 3, "the readers should have overlapped several commits"
    final = searchkit.open_index(index_dir)
    assert batches_of(ids_for(final, EVERYONE)) == STATES[-1]
    final.close()


# --------------------------------------------------------------------------------------------------
# Two writers


def _holder_pid(index_dir: Path) -> int:
    try:
        return int(json.loads((index_dir / LOCK_NAME).read_bytes() or b"{}").get("pid", 0))
    except (OSError, ValueError):
        return 0


def test_second_index_run_fails_clearly_while_the_first_holds_the_lock(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    for batch in range(8):
        write_batch(seeds, batch)
    index_dir = tmp_path / "index"
    first = start_cli("index", "--seeds", str(seeds), "--index", str(index_dir))
    try:
        assert wait_for(lambda: _holder_pid(index_dir) == first.pid or first.poll() is not None, 30)
        assert first.poll() is None, "the first run ended before the second could start"
        second = run_cli("index", "--seeds", str(seeds), "--index", str(index_dir), "--wait", "0", check=2)
        assert second.stderr.startswith(f"error: index at {index_dir} is locked by process {first.pid} on ")
        assert "(update, since " in second.stderr and "try --wait SECONDS" in second.stderr
        assert len(second.stderr.splitlines()) == 1
        out, err = first.communicate(timeout=120)
        assert first.returncode == 0, err
    finally:
        kill_group(first)
    index = searchkit.open_index(index_dir)
    assert len(ids_for(index, EVERYONE)) == 8 * BATCH
    index.close()


def test_two_index_runs_with_wait_both_succeed_and_the_index_ends_complete(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    for batch in range(6):
        write_batch(seeds, batch)
    index_dir = tmp_path / "index"
    run_cli("index", "--seeds", str(seeds), "--index", str(index_dir), check=0)
    write_batch(seeds, 6)
    remove_batch(seeds, 0)
    runs = [start_cli("index", "--rebuild", "--seeds", str(seeds), "--index", str(index_dir), "--wait", "60"),
            start_cli("index", "--seeds", str(seeds), "--index", str(index_dir), "--wait", "60")]
    try:
        for run in runs:
            out, err = run.communicate(timeout=120)
            assert run.returncode == 0, err
    finally:
        for run in runs:
            kill_group(run)
    index = searchkit.open_index(index_dir)
    assert batches_of(ids_for(index, EVERYONE)) == frozenset(range(1, 7))
    index.close()


def test_threads_updating_one_index_take_turns(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    write_batch(seeds, 0)
    index = searchkit.open_index(tmp_path / "index", create=True)
    outcomes: list[object] = []

    def update() -> None:
        try:
            outcomes.append(index.update(seeds, wait=60))
        except BaseException as error:  # noqa: BLE001
            outcomes.append(error)

    threads = [threading.Thread(target=update) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(isinstance(o, searchkit.UpdateReport) for o in outcomes), outcomes
    assert sorted(o.added for o in outcomes) == [0, 0, BATCH]  # one did the work, the others found none
    assert batches_of(ids_for(index, EVERYONE)) == {0}
    index.close()


def test_a_writer_that_cannot_wait_gets_index_locked_error(tmp_path: Path) -> None:
    from searchkit.index.lock import WriteLock

    seeds = tmp_path / "seeds"
    write_batch(seeds, 0)
    index = searchkit.open_index(tmp_path / "index", create=True)
    with WriteLock(tmp_path / "index", purpose="test"):
        started = time.monotonic()
        with pytest.raises(searchkit.IndexLockedError) as caught:
            index.update(seeds, wait=0.3)
        assert time.monotonic() - started >= 0.3
    assert caught.value.holder.startswith(f"process {os.getpid()} on ")
    assert "(test, since " in caught.value.holder
    assert index.update(seeds).added == BATCH  # the lock is free again
    index.close()
