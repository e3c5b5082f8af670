"""Shared helpers for the reliability suite (tests/test_reliability_*.py, issue 4).

Everything here is deterministic: generated corpora come from ``random.Random(seed)``, every article
carries a unique marker word (``mk00042x``) and the marker of the batch it belongs to (``bt003x``), and
every article holds the word ``everyone`` so that one query returns the whole index. Marker words mix
letters and digits, so the analyzer indexes them as they are (no stemming).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional, Sequence

#: Every generated article holds this word, so ``search(EVERYONE)`` lists the whole index.
EVERYONE = "everyone"

_SYLLABLES = (
    "ba be bi bo bu da de di do du fa fe fi fo fu ga ge gi go gu ka ke ki ko ku la le li lo lu ma me mi "
    "mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo vu"
).split()


def vocabulary(rng: random.Random, size: int) -> list[str]:
    """``size`` distinct pronounceable words (three or four syllables)."""
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.choice((3, 4)))))
    return sorted(words)


def marker(number: int) -> str:
    """The word only article ``number`` holds."""
    return f"mk{number:05d}x"


def batch_marker(batch: int) -> str:
    """The word every article of batch ``batch`` holds."""
    return f"bt{batch:03d}x"


def article_id(number: int) -> str:
    return f"a{number:05d}"


def write_seed(folder: Path, name: str, date: str, headline: str, body: str) -> Path:
    """Write ``folder/name.txt`` as a seed file and return its path."""
    path = folder / f"{name}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"date {date} {headline}\n{body}\n", encoding="utf-8")
    return path


def generated_text(number: int, *, seed: int = 4, words: int = 120, batch: int = 0) -> str:
    """The seed-file text of generated article ``number`` (same arguments, same text)."""
    rng = random.Random(seed * 1_000_003 + number)
    vocab = _vocab(seed)
    date = dt.date(1990, 1, 1) + dt.timedelta(days=rng.randrange(11_000))
    headline = " ".join(rng.choice(vocab) for _ in range(6))
    body_words = [rng.choice(vocab) for _ in range(words)]
    body_words[rng.randrange(len(body_words))] = marker(number)
    lines = [" ".join(body_words[i:i + 15]) + "." for i in range(0, len(body_words), 15)]
    lines.append(f"{EVERYONE} {batch_marker(batch)}")
    return f"date {date.isoformat()} {headline} {marker(number)}\n" + "\n".join(lines) + "\n"


_VOCABS: dict[int, list[str]] = {}


def _vocab(seed: int) -> list[str]:
    if seed not in _VOCABS:
        _VOCABS[seed] = vocabulary(random.Random(seed), 3000)
    return _VOCABS[seed]


def write_corpus(folder: Path, numbers: Iterable[int], *, seed: int = 4, words: int = 120,
                 batch: int = 0) -> list[str]:
    """Write the generated articles ``numbers`` into ``folder``; returns their ids."""
    folder.mkdir(parents=True, exist_ok=True)
    ids = []
    for number in numbers:
        (folder / f"{article_id(number)}.txt").write_text(
            generated_text(number, seed=seed, words=words, batch=batch), encoding="utf-8")
        ids.append(article_id(number))
    return ids


# --------------------------------------------------------------------------------------------------
# Snapshots: "nothing under the seeds folder is ever written, moved or deleted"


@dataclass(frozen=True)
class Entry:
    kind: str
    mode: int
    mtime_ns: int
    content: bytes


def snapshot(root: Path) -> dict[str, Entry]:
    """Every path under ``root`` (symlinks not followed) with its kind, mode, mtime and bytes (the link
    target for a symlink)."""
    result: dict[str, Entry] = {}
    for folder, dirs, files in os.walk(root, followlinks=False):
        for name in sorted(dirs + files):
            path = Path(folder) / name
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                entry = Entry("link", info.st_mode, info.st_mtime_ns, os.readlink(path).encode())
            elif stat.S_ISDIR(info.st_mode):
                entry = Entry("dir", info.st_mode, info.st_mtime_ns, b"")
            elif stat.S_ISREG(info.st_mode):
                entry = Entry("file", info.st_mode, info.st_mtime_ns, path.read_bytes())
            else:  # a FIFO or device: never opened
                entry = Entry("other", info.st_mode, info.st_mtime_ns, b"")
            result[str(path.relative_to(root))] = entry
    return result


# --------------------------------------------------------------------------------------------------
# The command line, as a user runs it


def cli_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "searchkit", *args]


def run_cli(*args: str, timeout: float = 120, check: Optional[int] = None) -> subprocess.CompletedProcess:
    """Run ``searchkit ARGS`` in a fresh interpreter; with ``check``, assert that exit status."""
    done = subprocess.run(cli_command(*args), capture_output=True, text=True, timeout=timeout)
    if check is not None:
        assert done.returncode == check, (
            f"searchkit {' '.join(args)} exited {done.returncode}, expected {check}\n"
            f"stdout: {done.stdout}\nstderr: {done.stderr}")
    return done


def start_cli(*args: str) -> subprocess.Popen:
    """Start ``searchkit ARGS`` in its own process group (so that a test can clean up after it)."""
    return subprocess.Popen(cli_command(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL whatever is left of ``process``'s group (children it forked) and reap it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        process.communicate(timeout=10)
    except (subprocess.TimeoutExpired, ValueError):
        pass


def group_alive(pgid: int) -> list[int]:
    """Pids still alive in process group ``pgid`` (read from /proc)."""
    alive = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            alive.append(int(entry))
    return alive


def stats_json(index_dir: Path) -> dict:
    done = run_cli("stats", "--index", str(index_dir), "--json", check=0)
    return json.loads(done.stdout)


# --------------------------------------------------------------------------------------------------
# Reading an index


def ids_for(index, query: str) -> frozenset[str]:
    """The ids of every article matching ``query`` in ``index`` (a searchkit Index)."""
    results = index.search(query, limit=100_000, snippets=False)
    assert results.total == len(results.hits), "a page must hold every hit here"
    return frozenset(hit.id for hit in results.hits)


def wait_for(predicate, timeout: float, interval: float = 0.002) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def generations(index_dir: Path) -> list[str]:
    try:
        return sorted(p.name for p in index_dir.iterdir() if p.name.startswith("gen-"))
    except FileNotFoundError:
        return []


def skipped_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("skipped ")]


def one_of(value: frozenset[str], states: Sequence[frozenset[str]]) -> bool:
    return any(value == state for state in states)
