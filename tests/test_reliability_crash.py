"""Crashes: ``searchkit index`` killed with SIGKILL at several points of a full build, an incremental
update and a ``--rebuild``; damaged index files; locks left by dead writers (issue 4, docs/reliability.md).

After each kill the index opens (or, when none was ever published, reports that there is none), every
query answers from the old state or the new one -- all queries from the same one -- and the next
``searchkit index`` reaches the new state exactly.

Kill points: first an uninterrupted run of the same command is watched, recording when its phases
become visible on disk (the write lock names it, the new ``gen-*`` folder appears, the engine's commit
file appears, ``CURRENT`` moves). Then the command is killed at each of those moments and at four
moments spread evenly between the first and the last phase (the stretch in which it changes the index;
before it only the interpreter starts and the seeds are listed). The invariants hold wherever a
kill lands, so timing cannot make these tests flaky; it only spreads the kills across the run.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

import pytest

import searchkit
from searchkit.engines import DEFAULT_ENGINE, get_engine
from searchkit.index import storage
from searchkit.index.lock import LOCK_NAME, WriteLock

from helpers_reliability import (
    EVERYONE,
    _vocab,
    batch_marker,
    generated_text,
    generations,
    group_alive,
    ids_for,
    kill_group,
    marker,
    run_cli,
    snapshot,
    start_cli,
    wait_for,
    write_corpus,
)

#: Old corpus: articles 0..999 (batch 0). New corpus: 800..999 removed, 0..149 rewritten (batch 2, other
#: words), 1000..1349 added (batch 1).
OLD = range(0, 1000)
REMOVED = range(800, 1000)
CHANGED = range(0, 150)
ADDED = range(1000, 1350)
WORDS = 100
TIMED_KILLS = 4


def _queries() -> tuple[str, ...]:
    vocab = _vocab(4)
    return (
        # These tell the two states apart:
        EVERYONE, batch_marker(0), batch_marker(1), batch_marker(2),
        marker(900),  # removed
        marker(1200),  # added
        "mk009*",  # a prefix over the removed articles' markers (mk00900x..mk00999x)
        # These may or may not:
        marker(5),  # rewritten
        marker(500),  # unchanged
        vocab[10], vocab[777], f"{vocab[1500]} {vocab[2500]}",
        _vocab(5)[42],  # a word the rewritten articles may hold
    )


QUERIES = _queries()
State = dict[str, frozenset[str]]


@dataclass
class Corpus:
    old_seeds: Path
    new_seeds: Path
    old: State
    new: State


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """Two seed folders (old and new) and, from reference indexes built in-process by the library, the
    ids each query returns in each state."""
    root = tmp_path_factory.mktemp("crash-corpus")
    old_seeds = root / "old-seeds"
    write_corpus(old_seeds, OLD, words=WORDS)
    new_seeds = root / "new-seeds"
    shutil.copytree(old_seeds, new_seeds)  # copy2: unchanged files keep their mtime
    for number in REMOVED:
        (new_seeds / f"a{number:05d}.txt").unlink()
    for number in CHANGED:
        (new_seeds / f"a{number:05d}.txt").write_text(
            generated_text(number, seed=5, words=WORDS, batch=2), encoding="utf-8")
    write_corpus(new_seeds, ADDED, words=WORDS, batch=1)
    corpus = Corpus(old_seeds, new_seeds, _reference(old_seeds, root / "ref-old"),
                    _reference(new_seeds, root / "ref-new"))
    for query in QUERIES[:7]:
        assert corpus.old[query] != corpus.new[query], f"{query!r} must tell the states apart"
    return corpus


def _reference(seeds: Path, index_dir: Path) -> State:
    index = searchkit.open_index(index_dir, create=True)
    report = index.rebuild(seeds, procs=1)
    assert not report.skipped
    state = {query: ids_for(index, query) for query in QUERIES}
    index.close()
    assert len(state[EVERYONE]) == len(list(seeds.iterdir()))
    return state


@pytest.fixture(scope="module")
def base_index(corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the old corpus, built by the command; tests copy it and never change it."""
    base = tmp_path_factory.mktemp("crash-base") / "index"
    run_cli("index", "--seeds", str(corpus.old_seeds), "--index", str(base), check=0)
    return base


def observed_state(index_dir: Path, corpus: Corpus, *, allow_missing: bool) -> str:
    """Which state the index at ``index_dir`` answers from: "old", "new" or "none" (no index yet).
    Fails when any query answers from neither, or when two queries answer from different states."""
    try:
        index = searchkit.open_index(index_dir)
    except searchkit.IndexNotFoundError:
        assert allow_missing, "an index was published before: it must still open"
        return "none"
    try:
        got = {query: ids_for(index, query) for query in QUERIES}
        count = len(index)
    finally:
        index.close()
    for name, expected in (("old", corpus.old), ("new", corpus.new)):
        if got == expected:
            assert count == len(expected[EVERYONE])
            return name
    which = {q: ("old" if got[q] == corpus.old[q] else "new" if got[q] == corpus.new[q] else
                 f"neither ({len(got[q])} ids; old {len(corpus.old[q])}, new {len(corpus.new[q])})")
             for q in QUERIES}
    raise AssertionError(f"the index answers from no single committed state: {which}")


# --------------------------------------------------------------------------------------------------
# Watching and killing the command


Probe = Callable[[subprocess.Popen], bool]


def _current(index_dir: Path) -> Optional[str]:
    try:
        return (index_dir / "CURRENT").read_text().strip() or None
    except FileNotFoundError:
        return None


def _exists(path: Path) -> Probe:
    return lambda process: path.exists()


def _lock_names_writer(index_dir: Path) -> Probe:
    def holds(process: subprocess.Popen) -> bool:
        try:
            return json.loads((index_dir / LOCK_NAME).read_bytes() or b"{}").get("pid") == process.pid
        except (OSError, ValueError):
            return False
    return holds


def _current_is(index_dir: Path, name: str) -> Probe:
    return lambda process: _current(index_dir) == name


# The engine under test (SEARCHKIT_TEST_ENGINE, default whoosh) and the files it writes.
ENGINE = get_engine(os.environ.get("SEARCHKIT_TEST_ENGINE") or DEFAULT_ENGINE)
ENGINE_FILES = {
    "whoosh": {"commit": "_MAIN_1.toc", "commit_glob": "_MAIN_*.toc", "segment": ".trm",
               "parts": {"terms file": ".trm", "postings file": ".pst", "stored fields": "._stored.col",
                         "date column": ".date.col"}},
    "tantivy": {"commit": "meta.json", "commit_glob": "meta.json", "segment": ".idx",
                "parts": {"terms file": ".term", "postings file": ".idx", "positions file": ".pos",
                          "stored fields": ".store", "fast fields": ".fast"}},
}[ENGINE.name]


def _empty_commit() -> str:
    """The commit token of a freshly created, empty index of the engine under test."""
    with tempfile.TemporaryDirectory() as folder:
        ENGINE.create(Path(folder))
        return ENGINE.commit_token(Path(folder))


EMPTY_COMMIT = _empty_commit()


def _has_data_commit(folder: Path) -> Probe:
    """The generation holds a commit beyond the empty one it was created with."""
    return lambda process: ENGINE.commit_token(folder) not in ("", EMPTY_COMMIT)


def _commit_differs(folder: Path, before: str) -> Probe:
    return lambda process: ENGINE.commit_token(folder) != before


@dataclass
class Timeline:
    seconds: float
    phases: dict[str, float] = field(default_factory=dict)


def watch(args: list[str], probes: dict[str, Probe]) -> Timeline:
    """Run ``searchkit ARGS`` to completion, noting when each probe first holds."""
    started = time.monotonic()
    process = start_cli(*args)
    phases: dict[str, float] = {}
    try:
        while True:
            running = process.poll() is None
            for name, probe in probes.items():  # once more after the exit: phases leave traces
                if name not in phases and probe(process):
                    phases[name] = time.monotonic() - started
            if not running:
                break
            time.sleep(0.001)
        _, stderr = process.communicate()
    finally:
        kill_group(process)
    assert process.returncode == 0, stderr
    return Timeline(time.monotonic() - started, phases)


def timed_points(timeline: Timeline) -> list[tuple[str, object]]:
    """TIMED_KILLS moments spread evenly between the first and the last phase seen: the stretch in which
    the command changes the index (before it nothing is written, after it the work is done)."""
    first, last = min(timeline.phases.values()), max(timeline.phases.values())
    moments = [first + (last - first) * k / (TIMED_KILLS + 1) for k in range(1, TIMED_KILLS + 1)]
    return [(f"at {moment:.2f} s ({first:.2f}-{last:.2f} s changes the index)", moment)
            for moment in moments]


def kill(args: list[str], point: object) -> bool:
    """Start ``searchkit ARGS`` and SIGKILL its process group (the indexer and any worker processes it
    forked) as soon as ``point`` (a probe) holds, or after ``point`` seconds. Returns False when the
    command had finished before the kill."""
    process = start_cli(*args)
    try:
        if callable(point):
            assert wait_for(lambda: point(process) or process.poll() is not None, timeout=60, interval=0.0005)
        else:
            time.sleep(float(point))
        finished = process.poll() is not None
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    finally:
        kill_group(process)
    return not finished


def recover_and_check(index_dir: Path, seeds: Path, corpus: Corpus) -> None:
    """The next plain ``searchkit index`` completes the work: the new state exactly, and an update
    after it has nothing left to do."""
    run_cli("index", "--seeds", str(seeds), "--index", str(index_dir), check=0)
    assert observed_state(index_dir, corpus, allow_missing=False) == "new"
    index = searchkit.Index(index_dir)
    report = index.update(seeds)
    index.close()
    assert (report.added, report.updated, report.removed, len(report.skipped)) == (0, 0, 0, 0), report


def run_kills(args: list[str], points: list[tuple[str, object]], prepare: Callable[[Path], None],
              tmp_path: Path, corpus: Corpus, *, allow_missing: bool) -> list[tuple[str, bool, str]]:
    landed = []
    for number, (label, point) in enumerate(points):
        index_dir = tmp_path / f"index-{number}"
        prepare(index_dir)
        killed = kill([*args, "--index", str(index_dir)], point)
        state = observed_state(index_dir, corpus, allow_missing=allow_missing)
        landed.append((label, killed, state))
        recover_and_check(index_dir, corpus.new_seeds, corpus)
        assert len(generations(index_dir)) <= 2, generations(index_dir)
    print(f"\n{' '.join(args[:2])}: (kill point, killed while running, state seen)", *landed, sep="\n  ")
    return landed


# --------------------------------------------------------------------------------------------------
# The three commands, killed


def test_sigkill_during_a_full_build(corpus: Corpus, tmp_path: Path) -> None:
    """No index before ("none"), the new corpus after ("new")."""
    before = snapshot(corpus.new_seeds)
    args = ["index", "--seeds", str(corpus.new_seeds)]

    def probes(index_dir: Path) -> dict[str, Probe]:
        return {
            "gen-000001 created": _exists(index_dir / "gen-000001"),
            "engine commit written": _has_data_commit(index_dir / "gen-000001"),
            "CURRENT published": _current_is(index_dir, "gen-000001"),
        }

    measured = tmp_path / "measured"
    timeline = watch([*args, "--index", str(measured)], probes(measured))
    assert observed_state(measured, corpus, allow_missing=False) == "new"
    assert set(timeline.phases) == set(probes(measured)), timeline

    points = [(label, _late_bound(probes, label)) for label in probes(measured)]
    points += timed_points(timeline)
    landed = run_kills(args, points, lambda index_dir: None, tmp_path, corpus, allow_missing=True)
    states = dict((label, state) for label, _, state in landed)
    assert states["gen-000001 created"] == "none"
    assert states["CURRENT published"] == "new"
    assert snapshot(corpus.new_seeds) == before


def test_sigkill_during_an_incremental_update(corpus: Corpus, base_index: Path, tmp_path: Path) -> None:
    """The old corpus's index, brought up to date with the new corpus: one commit inside the live
    generation."""
    before = snapshot(corpus.new_seeds)
    live = _current(base_index)
    base_commit = ENGINE.commit_token(base_index / live)
    args = ["index", "--seeds", str(corpus.new_seeds)]

    def probes(index_dir: Path) -> dict[str, Probe]:
        return {
            "lock taken": _lock_names_writer(index_dir),
            "engine commit written": _commit_differs(index_dir / live, base_commit),
        }

    measured = tmp_path / "measured"
    shutil.copytree(base_index, measured)
    timeline = watch([*args, "--index", str(measured)], probes(measured))
    assert observed_state(measured, corpus, allow_missing=False) == "new"
    assert set(timeline.phases) == set(probes(measured)), timeline

    points = [(label, _late_bound(probes, label)) for label in probes(measured)]
    points += timed_points(timeline)
    landed = run_kills(args, points, lambda index_dir: shutil.copytree(base_index, index_dir),
                       tmp_path, corpus, allow_missing=False)
    states = dict((label, state) for label, _, state in landed)
    assert states["lock taken"] == "old"
    assert snapshot(corpus.new_seeds) == before


def test_sigkill_during_a_rebuild(corpus: Corpus, base_index: Path, tmp_path: Path) -> None:
    """``--rebuild`` of the old corpus's index from the new corpus: a new generation, then the swap."""
    before = snapshot(corpus.new_seeds)
    new_gen = f"gen-{int(_current(base_index).split('-')[1]) + 1:06d}"
    args = ["index", "--rebuild", "--seeds", str(corpus.new_seeds)]

    def probes(index_dir: Path) -> dict[str, Probe]:
        return {
            f"{new_gen} created": _exists(index_dir / new_gen),
            "engine commit written": _has_data_commit(index_dir / new_gen),
            "CURRENT published": _current_is(index_dir, new_gen),
        }

    measured = tmp_path / "measured"
    shutil.copytree(base_index, measured)
    timeline = watch([*args, "--index", str(measured)], probes(measured))
    assert observed_state(measured, corpus, allow_missing=False) == "new"
    assert set(timeline.phases) == set(probes(measured)), timeline

    points = [(label, _late_bound(probes, label)) for label in probes(measured)]
    points += timed_points(timeline)
    landed = run_kills(args, points, lambda index_dir: shutil.copytree(base_index, index_dir),
                       tmp_path, corpus, allow_missing=False)
    states = dict((label, state) for label, _, state in landed)
    assert states[f"{new_gen} created"] == "old"
    assert states["CURRENT published"] == "new"
    assert snapshot(corpus.new_seeds) == before


def _late_bound(probes: Callable[[Path], dict[str, Probe]], label: str) -> Probe:
    """The probe ``label`` for whichever index folder the killed command was given (read from its
    command line, since each kill works on its own copy)."""
    def probe(process: subprocess.Popen) -> bool:
        index_dir = Path(process.args[process.args.index("--index") + 1])
        return probes(index_dir)[label](process)
    return probe


# --------------------------------------------------------------------------------------------------
# Crash windows set up by hand


def test_crash_between_engine_commit_and_manifest(corpus: Corpus, base_index: Path, tmp_path: Path) -> None:
    """The writer died after the engine committed and before the manifest was saved: the manifest is
    stale, the index answers from the new state, and the next update trusts the stored fields and
    finds nothing to do."""
    index_dir = tmp_path / "index"
    shutil.copytree(base_index, index_dir)
    live = _current(index_dir)
    stale = (index_dir / live / storage.MANIFEST_NAME).read_bytes()
    run_cli("index", "--seeds", str(corpus.new_seeds), "--index", str(index_dir), check=0)
    (index_dir / live / storage.MANIFEST_NAME).write_bytes(stale)  # as if the last step never ran
    assert observed_state(index_dir, corpus, allow_missing=False) == "new"
    report = json.loads(run_cli("index", "--seeds", str(corpus.new_seeds), "--index", str(index_dir),
                                "--json", check=0).stdout)
    assert (report["added"], report["updated"], report["removed"]) == (0, 0, 0)
    assert report["unchanged"] == len(corpus.new[EVERYONE])
    assert observed_state(index_dir, corpus, allow_missing=False) == "new"


def test_leftovers_of_a_crashed_rebuild_are_ignored_then_removed(corpus: Corpus, base_index: Path,
                                                                 tmp_path: Path) -> None:
    """A half-written generation beside the live one and a temporary CURRENT file: readers ignore both,
    and the next update or rebuild deletes the half-written generation."""
    index_dir = tmp_path / "index"
    shutil.copytree(base_index, index_dir)
    live = _current(index_dir)
    partial = index_dir / f"gen-{int(live.split('-')[1]) + 1:06d}"
    partial.mkdir()
    (partial / ENGINE_FILES["commit"]).write_bytes(b"\x80\x04 half a table of contents")
    (partial / "MAIN_half.seg").write_bytes(os.urandom(4096))
    (index_dir / ".CURRENT.99999.tmp").write_text(partial.name)
    assert observed_state(index_dir, corpus, allow_missing=False) == "old"
    run_cli("index", "--seeds", str(corpus.new_seeds), "--index", str(index_dir), check=0)
    assert observed_state(index_dir, corpus, allow_missing=False) == "new"
    assert generations(index_dir) == [live]
    partial.mkdir()
    (partial / "MAIN_half.seg").write_bytes(os.urandom(4096))
    run_cli("index", "--rebuild", "--seeds", str(corpus.new_seeds), "--index", str(index_dir), check=0)
    assert observed_state(index_dir, corpus, allow_missing=False) == "new"
    assert not (partial / "MAIN_half.seg").exists()  # the folder name may be reused by the new build
    assert generations(index_dir) == sorted([live, _current(index_dir)])


# --------------------------------------------------------------------------------------------------
# A damaged index: a clear error that names the cure, and the cure works


@pytest.fixture(scope="module")
def small_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(seeds, index) of 140 articles in two segments; tests damage copies of the index."""
    root = tmp_path_factory.mktemp("small")
    seeds = root / "seeds"
    write_corpus(seeds, range(120))
    index_dir = root / "index"
    run_cli("index", "--seeds", str(seeds), "--index", str(index_dir), check=0)
    write_corpus(seeds, range(120, 140), batch=1)  # a second segment
    run_cli("index", "--seeds", str(seeds), "--index", str(index_dir), check=0)
    return seeds, index_dir


def _engine_file(index_dir: Path, suffix: str) -> Path:
    """The file ending in ``suffix`` of the live generation's biggest segment."""
    folder = index_dir / _current(index_dir)
    biggest = max(folder.glob(f"*{ENGINE_FILES['segment']}"), key=lambda p: p.stat().st_size)
    return folder / (biggest.name[: -len(ENGINE_FILES["segment"])] + suffix)


def _commit_file(index_dir: Path) -> Path:
    return max((index_dir / _current(index_dir)).glob(ENGINE_FILES["commit_glob"]))


def _truncate(path: Path, size: int) -> None:
    with open(path, "r+b") as handle:
        handle.truncate(size)


def _halve(path: Path) -> None:
    _truncate(path, path.stat().st_size // 2)


def _damaging(suffix: str, damage: Callable[[Path], None]) -> Callable[[Path], None]:
    """Damage the live generation's biggest segment's ``suffix`` file."""
    return lambda ix: damage(_engine_file(ix, suffix))


DAMAGE: dict[str, Callable[[Path], None]] = {
    "engine commit file truncated": lambda ix: _truncate(_commit_file(ix), 40),
    "engine commit file deleted": lambda ix: _commit_file(ix).unlink(),
    "schema file truncated": lambda ix: _truncate(ix / _current(ix) / "searchkit.json", 5),
    "live generation deleted": lambda ix: shutil.rmtree(ix / _current(ix)),
    "CURRENT names nothing": lambda ix: (ix / "CURRENT").write_text("gen-999999\n"),
    **{f"{what} {how}": _damaging(suffix, damage)
       for what, suffix in ENGINE_FILES["parts"].items()
       for how, damage in (("truncated to half", _halve), ("emptied", lambda path: _truncate(path, 0)),
                           ("deleted", Path.unlink))},
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_index_says_rebuild_and_rebuild_recovers(damage: str, small_index, tmp_path: Path) -> None:
    """Every command either works or fails with one error line (exit 2) that names the cure; at least
    one of them notices; no traceback. Then ``searchkit index --rebuild`` brings everything back.

    The engine's files carry no checksums: damage is found when a read trips over it, and a query
    that never touches the damaged part may still answer."""
    seeds, base = small_index
    index_dir = tmp_path / "index"
    shutil.copytree(base, index_dir)
    DAMAGE[damage](index_dir)
    noticed = []
    for command in (["query", EVERYONE], ["query", marker(3)], ["query", "--sort", "newest", EVERYONE],
                    ["stats"], ["show", "a00001"]):
        done = run_cli(*command, "--index", str(index_dir))
        assert "Traceback" not in done.stderr, f"{command}: {done.stderr}"
        if done.returncode == 2:
            first = done.stderr.splitlines()[0]
            assert first.startswith("error: ") and "searchkit index --rebuild" in first, done.stderr
            noticed.append(command[0])
        else:
            assert done.returncode == 0, (command, done.returncode, done.stderr)
    assert noticed, "no command noticed the damage"
    run_cli("index", "--rebuild", "--seeds", str(seeds), "--index", str(index_dir), check=0)
    index = searchkit.open_index(index_dir)
    assert index.search(EVERYONE, limit=0).total == 140
    assert index.stats().articles == 140
    index.close()


def test_missing_index_is_a_clear_error(tmp_path: Path) -> None:
    done = run_cli("stats", "--index", str(tmp_path / "none"), check=2)
    assert done.stderr == f"error: no index at {tmp_path / 'none'}: run 'searchkit index' to build it\n"


# --------------------------------------------------------------------------------------------------
# Writers that die: the lock goes with them


def _index_files(pid: int, index_dir: Path) -> set[str]:
    """The files of the index that process ``pid`` has open, other than the lock files."""
    try:
        links = {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
    except OSError:
        return set()
    return {link for link in links
            if link.startswith(str(index_dir)) and not link.endswith(("WRITELOCK", LOCK_NAME))}


def _writing(pid: int, indexer: int, index_dir: Path) -> bool:
    """True when worker ``pid`` has a file of the index open that the indexer has not: one it opened
    itself for its segment, which it does only after its start-up armed its death signal.

    A forked worker holds copies of the indexer's open files (its segment, Whoosh's lock) from the
    instant of the fork. Counting those froze workers anywhere in their start-up, even before they had
    dropped their copy of the write lock or armed the death signal, and a SIGSTOP keeps them in that
    state for good, which no real run does (the start-up test below lets them run on).
    """
    return bool(_index_files(pid, index_dir) - _index_files(indexer, index_dir))


def _states(pids: list[int]) -> list[str]:
    """``pid state command`` of each process, for a failure message."""
    found = []
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        found.append(f"{pid} {stat.rsplit(')', 1)[1].split()[0]} {command.strip()}")
    return found


def _kill_indexer_leaving_workers(process: subprocess.Popen, ready: Callable[[int], bool]) -> list[int]:
    """Once every worker process (at least two) is ``ready``, freeze them (as a busy machine may leave
    them) and SIGKILL the indexer alone, as the OOM killer or ``kill -9 PID`` does; returns the workers."""
    def workers_ready() -> bool:
        workers = [pid for pid in group_alive(process.pid) if pid != process.pid]
        return len(workers) >= 2 and all(ready(pid) for pid in workers)

    assert wait_for(lambda: workers_ready() or process.poll() is not None, 60)
    assert process.poll() is None, (
        f"the build should still be running, with worker processes (exit {process.returncode}; "
        f"stderr: {process.stderr.read() if process.stderr else ''!r})")
    workers = [pid for pid in group_alive(process.pid) if pid != process.pid]
    for pid in workers:
        os.kill(pid, signal.SIGSTOP)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    return workers


@pytest.mark.skipif(ENGINE.name != "whoosh", reason="only the Whoosh engine builds in worker processes")
def test_killed_full_build_leaves_no_lock_behind_even_with_workers_alive(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    write_corpus(seeds, range(1500), words=60)
    index_dir = tmp_path / "index"
    process = start_cli("index", "--seeds", str(seeds), "--index", str(index_dir))
    try:
        _kill_indexer_leaving_workers(process, lambda pid: _writing(pid, process.pid, index_dir))
        done = run_cli("index", "--seeds", str(seeds), "--index", str(index_dir))
        assert done.returncode == 0, done.stderr
        assert wait_for(lambda: not group_alive(process.pid), 3), (
            f"the workers outlived the indexer: {_states(group_alive(process.pid))}")
    finally:
        kill_group(process)
    index = searchkit.open_index(index_dir)
    assert index.search(EVERYONE, limit=0).total == 1500
    index.close()


@pytest.mark.skipif(ENGINE.name != "whoosh", reason="only the Whoosh engine builds in worker processes")
def test_killed_big_update_leaves_no_lock_behind_even_with_workers_alive(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    write_corpus(seeds, range(100), words=60)
    index_dir = tmp_path / "index"
    run_cli("index", "--seeds", str(seeds), "--index", str(index_dir), check=0)
    write_corpus(seeds, range(100, 1300), words=60, batch=1)  # enough new files for a parallel update
    process = start_cli("index", "--seeds", str(seeds), "--index", str(index_dir))
    try:
        _kill_indexer_leaving_workers(process, lambda pid: _writing(pid, process.pid, index_dir))
        # The workers must die with the indexer (they hold Whoosh's own lock inside the live generation).
        assert wait_for(lambda: not group_alive(process.pid), 3), (
            f"the workers outlived the indexer: {_states(group_alive(process.pid))}")
        done = run_cli("index", "--seeds", str(seeds), "--index", str(index_dir))
        assert "Traceback" not in done.stderr, done.stderr
        assert done.returncode == 0, done.stderr
    finally:
        kill_group(process)
    index = searchkit.open_index(index_dir)
    assert index.search(EVERYONE, limit=0).total == 1300
    index.close()


@pytest.mark.skipif(ENGINE.name != "whoosh", reason="only the Whoosh engine builds in worker processes")
def test_workers_killed_with_the_indexer_while_starting_exit_once_they_run(tmp_path: Path) -> None:
    """Workers frozen as soon as they exist, some before they dropped their copy of the write lock or
    armed their death signal, then the indexer SIGKILLed: once they run again (a busy machine only delays
    them), they exit at once (``_die_with`` finds their parent gone), and the next ``searchkit index``
    finds the lock free."""
    seeds = tmp_path / "seeds"
    write_corpus(seeds, range(1500), words=60)
    index_dir = tmp_path / "index"
    process = start_cli("index", "--seeds", str(seeds), "--index", str(index_dir))
    try:
        for pid in _kill_indexer_leaving_workers(process, lambda pid: True):
            with contextlib.suppress(ProcessLookupError):  # already killed by its death signal
                os.kill(pid, signal.SIGCONT)
        assert wait_for(lambda: not group_alive(process.pid), 3), (
            f"the workers outlived the indexer: {_states(group_alive(process.pid))}")
        done = run_cli("index", "--seeds", str(seeds), "--index", str(index_dir))
        assert done.returncode == 0, done.stderr
    finally:
        kill_group(process)
    index = searchkit.open_index(index_dir)
    assert index.search(EVERYONE, limit=0).total == 1500
    index.close()


@pytest.mark.skipif(ENGINE.name != "whoosh", reason="only the Whoosh engine builds in worker processes")
def test_a_killed_worker_fails_the_build_instead_of_hanging_it(tmp_path: Path) -> None:
    """The OOM killer picks one worker of a parallel build: the indexer must not wait for it for ever
    (holding the write lock), but stop with one error line, commit nothing, and leave the lock free."""
    seeds = tmp_path / "seeds"
    write_corpus(seeds, range(1500), words=60)
    index_dir = tmp_path / "index"
    process = start_cli("index", "--seeds", str(seeds), "--index", str(index_dir))
    try:
        writing: list[int] = []

        def spot_a_writer() -> bool:
            """Remember the first worker seen writing its segment (asking twice could miss it between a
            temporary file closed and the next opened)."""
            workers = [pid for pid in group_alive(process.pid) if pid != process.pid]
            writing.extend(pid for pid in workers if _writing(pid, process.pid, index_dir))
            return bool(writing) or process.poll() is not None

        assert wait_for(spot_a_writer, 60)
        assert writing, f"the build ended before a worker wrote (exit {process.poll()})"
        os.kill(writing[0], signal.SIGKILL)
        assert wait_for(lambda: process.poll() is not None, 30), "the indexer hangs after losing a worker"
        stderr = process.stderr.read() if process.stderr else ""
        assert process.returncode == 2, stderr
        assert "Traceback" not in stderr, stderr
        last = stderr.splitlines()[-1]
        assert last.startswith("error: a worker process of the parallel build died"), stderr
        assert wait_for(lambda: not group_alive(process.pid), 5), _states(group_alive(process.pid))
        done = run_cli("index", "--seeds", str(seeds), "--index", str(index_dir))
        assert done.returncode == 0, done.stderr
    finally:
        kill_group(process)
    index = searchkit.open_index(index_dir)
    assert index.search(EVERYONE, limit=0).total == 1500
    index.close()


def test_lock_left_by_a_killed_writer_is_taken_over(tmp_path: Path) -> None:
    """A process takes the write lock and is SIGKILLed: the kernel drops the flock, the holder record it
    left names a dead process, and the next writer takes over at once."""
    seeds = tmp_path / "seeds"
    write_corpus(seeds, range(20))
    index_dir = tmp_path / "index"
    index_dir.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pathlib import Path; from searchkit.index.lock import WriteLock\n"
         "WriteLock(Path(sys.argv[1]), purpose='update').acquire(); print('held', flush=True)\n"
         "time.sleep(600)", str(index_dir)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        busy = run_cli("index", "--seeds", str(seeds), "--index", str(index_dir), check=2)
        assert f"is locked by process {holder.pid} on " in busy.stderr
        holder.kill()
        holder.wait(timeout=10)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    record = json.loads((index_dir / LOCK_NAME).read_bytes())
    assert record["pid"] == holder.pid  # the dead holder's record is still there...
    run_cli("index", "--seeds", str(seeds), "--index", str(index_dir), "--wait", "0", check=0)  # ...ignored
    lock = WriteLock(index_dir)
    lock.acquire()
    lock.release()
    assert (index_dir / LOCK_NAME).read_bytes() == b""
