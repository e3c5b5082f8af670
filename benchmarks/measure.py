"""Measuring: timed fresh processes (wall, CPU, peak memory), warm query latencies, percentiles, and the
facts about the machine that a reader of the numbers needs."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import signal
import sqlite3
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from benchmarks.queries import KINDS, QuerySpec
from benchmarks.systems import REPO_ROOT, child_env

TIMED_RUN = Path(__file__).resolve().parent / "timed_run.py"


class MeasurementError(RuntimeError):
    """A measured command failed; the message names it and quotes its last error lines."""


class MeasurementTimeout(MeasurementError):
    """A measured command ran longer than it was allowed to and was stopped."""


def run_timed(command: list[str], logs: Path, label: str, ok: tuple[int, ...] = (0,),
              timeout: float | None = None) -> dict:
    """Run ``command`` in a fresh process under a small helper; return its ``seconds``, ``cpu_seconds``,
    ``peak_rss_mb``, ``returncode`` and ``stdout``. Its output is kept in ``logs/<label>.out`` and ``.err``.
    An exit status outside ``ok`` raises :class:`MeasurementError`; running past ``timeout`` seconds
    stops the command and all its processes and raises :class:`MeasurementTimeout`."""
    logs.mkdir(parents=True, exist_ok=True)
    out, err = logs / f"{label}.out", logs / f"{label}.err"
    helper = [sys.executable, "-I", "-S", str(TIMED_RUN), str(out), str(err), "--", *command]
    with subprocess.Popen(helper, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env(),
                          cwd=REPO_ROOT, stdin=subprocess.DEVNULL, start_new_session=True) as popen:
        try:
            stdout, stderr = popen.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(popen.pid, signal.SIGKILL)  # the helper and the command it started
            popen.communicate()
            raise MeasurementTimeout(f"{label}: stopped after {timeout:.0f} s: {' '.join(command)}") from None
    proc = subprocess.CompletedProcess(helper, popen.returncode, stdout, stderr)
    if proc.returncode != 0:
        raise MeasurementError(f"{label}: the timing helper failed: {proc.stderr.strip()}")
    result = json.loads(proc.stdout)
    if result["returncode"] not in ok:
        tail = "\n    ".join(err.read_text(errors="replace").strip().splitlines()[-8:])
        raise MeasurementError(
            f"{label}: {' '.join(command)}\n"
            f"  exited with status {result['returncode']}; end of {err}:\n    {tail}"
        )
    return {
        "seconds": result["seconds"],
        "cpu_seconds": result["cpu_seconds"],
        "peak_rss_mb": result["peak_rss_kb"] / 1024,
        "returncode": result["returncode"],
        "stdout": out.read_text(errors="replace"),
    }


def percentile(values: list[float], pct: float) -> float:
    """The ``pct`` percentile of ``values``, interpolating linearly between the nearest ranks."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("percentile of no values")
    rank = (len(ordered) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: list[float]) -> float:
    return percentile(values, 50)


class QueryFailed(MeasurementError):
    """A system raised on a warm query; the message names the system, the kind and the query."""


class QueryProcess:
    """One system answering warm queries in a process of its own (``benchmarks.worker queries``)."""

    def __init__(self, name: str, index_path: Path, snippets: bool) -> None:
        self.name = name
        command = [sys.executable, "-m", "benchmarks.worker", "queries", name, str(index_path)]
        self._proc = subprocess.Popen(command + (["--snippets"] if snippets else []), stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, text=True, env=child_env(), cwd=REPO_ROOT)

    def run(self, kind: str, specs: list[QuerySpec]) -> dict:
        from benchmarks.worker import encode_spec

        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write(json.dumps({"kind": kind, "queries": [encode_spec(s) for s in specs]}) + "\n")
        self._proc.stdin.flush()
        line = self._proc.stdout.readline()
        if not line:
            raise QueryFailed(f"{self.name}: the query process exited (status {self._proc.wait()})")
        answer = json.loads(line)
        if "error" in answer:
            raise QueryFailed(f"{self.name} failed on a '{kind}' query {answer['query']}: {answer['error']}")
        return answer

    def close(self) -> None:
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        self._proc.wait(timeout=60)


def time_queries(
    processes: dict[str, QueryProcess], queries: dict[str, list[QuerySpec]], warmup: bool = True
) -> dict:
    """Warm latencies: after a warm-up pass over every query, each kind's queries run on one system after
    the other (so a noisy moment hits all systems alike), each system in a process of its own. Returns per
    system and kind the summary."""
    if warmup:
        for process in processes.values():
            for kind in KINDS:
                process.run(kind, queries[kind])
    summary: dict[str, dict[str, dict]] = {name: {} for name in processes}
    for kind in KINDS:
        for name, process in processes.items():
            answer = process.run(kind, queries[kind])
            millis, hits = answer["millis"], answer["hits"]
            totals = [t for t in answer["totals"] if t is not None]
            summary[name][kind] = {
                "n": len(millis),
                "p50": percentile(millis, 50),
                "p90": percentile(millis, 90),
                "p99": percentile(millis, 99),
                "mean": sum(millis) / len(millis),
                "avg_hits": sum(hits) / len(hits),
                "zero_hit_queries": sum(1 for h in hits if h == 0),
                "avg_total": (sum(totals) / len(totals)) if totals else None,
            }
    return summary


def disk_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _first_line_value(path: str, key: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _git(*args: str) -> str | None:
    try:
        proc = subprocess.run(["git", *args], capture_output=True, text=True, cwd=REPO_ROOT, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


def machine_info() -> dict:
    import whoosh

    mem_kb = _first_line_value("/proc/meminfo", "MemTotal")
    commit = _git("rev-parse", "--short", "HEAD")
    dirty = _git("status", "--porcelain", "--untracked-files=no")
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {
        "cpu": _first_line_value("/proc/cpuinfo", "model name") or platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "memory_gb": round(int(mem_kb.split()[0]) / 1024 / 1024, 1) if mem_kb else None,
        "os": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "whoosh": _version("whoosh-reloaded") or _version("whoosh") or whoosh.versionstring(),
        "sqlite": sqlite3.sqlite_version,
        "searchkit": _version("searchkit"),
        "git_commit": (commit + ("+dirty" if dirty else "")) if commit else None,
        "date": dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="seconds"),
    }
