"""Load on ``searchkit serve`` over loopback: concurrent clients, a rebuild under them, and --watch latency.

    python benchmarks/serve_load.py                 # Reuters, 20 clients, 30 s quiet + 30 s with rebuilds
    python benchmarks/serve_load.py --engine tantivy --clients 20 --seconds 30

Three phases against one server (``searchkit serve --watch`` in its own process, on a copy of the seeds):
1. quiet: CLIENTS threads, each on its own keep-alive connection, send the benchmark's queries (every
   kind of ``benchmarks/run.py``) to ``/api/search`` for SECONDS;
2. rebuilding: the same load while ``searchkit index --rebuild`` runs back to back in another process
   (the atomic swap must not fail a single request);
3. watch: new seed files written one at a time; the time from the write to the first search that finds
   the article.
With ``--facets-only`` it measures instead what facets cost: the results page (``/?q=``) and
``/api/search`` with facets on and off, the same queries from CLIENTS clients for SECONDS each, and
writes ``serve-facets-ENGINE.md``; the page may take at most FACETS_BUDGET times as long with them.
A failed request is a connection error or any status but 200. Writes ``benchmarks/results/serve.md`` and
``serve.json`` (``--out``); the clients share the machine's cores with the server, so latency includes
queueing.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable
from urllib.parse import urlencode, urlsplit

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from benchmarks.corpus import copy_seeds, seed_files  # noqa: E402
from benchmarks.measure import machine_info, percentile  # noqa: E402
from benchmarks.queries import KINDS, generate  # noqa: E402
from benchmarks.run import default_seeds, display_path, fresh_dir, log  # noqa: E402
from benchmarks.systems import child_env  # noqa: E402
from benchmarks.systems.searchkit_system import query_string  # noqa: E402

WATCH_ARTICLES = 10
#: The most the facets (timeline and year/month counts) may multiply a page's p50 and p99 by.
FACETS_BUDGET = 1.5
#: --facets-only takes turns at its phases this many times.
FACET_ROUNDS = 5
#: What --facets-only measures: a name, and the request path for a query and sort.
FACET_PHASES = {
    "page, facets off": lambda text, sort: "/?" + urlencode({"q": text, "sort": sort, "facets": "0"}),
    "page, facets on": lambda text, sort: "/?" + urlencode({"q": text, "sort": sort}),
    "API, facets off": lambda text, sort: api_path(text, sort),
    "API, facets on": lambda text, sort: "/api/search?" + urlencode({"q": text, "sort": sort, "limit": 10,
                                                                    "facets": "true"}),
}


class Server:
    """``searchkit serve --watch`` in a child process."""

    def __init__(self, index_dir: Path, seeds_dir: Path, logs: Path) -> None:
        self._log = open(logs, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "searchkit", "serve", "--index", str(index_dir), "--seeds", str(seeds_dir),
             "--port", "0", "--watch"],
            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=child_env())
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self._log.write(line)
            found = re.search(r"at (http://\S+) \(Ctrl-C stops\)", line)
            if found:
                self.url = found.group(1)
                break
        else:
            raise SystemExit(f"searchkit serve did not start; see {logs}")
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self._log.write(line)
            self._log.flush()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self._log.close()


def api_path(text: str, sort: str) -> str:
    return "/api/search?" + urlencode({"q": text, "sort": sort, "limit": 10})


def load(url: str, queries: list[tuple[str, str]], clients: int, seconds: float, seed: int,
         path_for: Callable[[str, str], str] = api_path) -> dict:
    """CLIENTS threads querying for SECONDS; latencies in ms and the failures, by reason."""
    latencies, failures = timed_requests(url, queries, clients, seconds, seed, path_for)
    return summary(latencies, failures, seconds)


def summary(latencies: list[float], failures: dict[str, int], seconds: float) -> dict:
    return {
        "requests": len(latencies), "failed": sum(failures.values()), "failures": failures,
        "per_second": round(len(latencies) / seconds, 1),
        "p50_ms": round(percentile(latencies, 50), 2), "p90_ms": round(percentile(latencies, 90), 2),
        "p99_ms": round(percentile(latencies, 99), 2), "max_ms": round(max(latencies), 2),
    }


def timed_requests(url: str, queries: list[tuple[str, str]], clients: int, seconds: float, seed: int,
                   path_for: Callable[[str, str], str]) -> tuple[list[float], dict[str, int]]:
    split = urlsplit(url)
    stop_at = time.monotonic() + seconds
    latencies: list[float] = []
    failures: dict[str, int] = {}
    lock = threading.Lock()

    def client(number: int) -> None:
        rng = random.Random(seed + number)
        connection = http.client.HTTPConnection(split.hostname, split.port, timeout=60)
        mine: list[float] = []
        while time.monotonic() < stop_at:
            text, sort = rng.choice(queries)
            path = path_for(text, sort)
            started = time.perf_counter()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                reason = None if response.status == 200 else f"HTTP {response.status}"
            except (OSError, http.client.HTTPException) as error:
                reason = type(error).__name__
                connection.close()
                connection = http.client.HTTPConnection(split.hostname, split.port, timeout=60)
            mine.append((time.perf_counter() - started) * 1000)
            if reason:
                with lock:
                    failures[reason] = failures.get(reason, 0) + 1
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, failures


def rebuild_loop(index_dir: Path, seeds_dir: Path, stop: threading.Event, done: list[float]) -> None:
    while not stop.is_set():
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "searchkit", "index", "--rebuild", "--wait", "60",
             "--index", str(index_dir), "--seeds", str(seeds_dir)],
            env=child_env(), capture_output=True, text=True)
        if result.returncode not in (0, 3):
            raise SystemExit(f"rebuild failed: {result.stderr}")
        done.append(time.monotonic() - started)


def watch_latency(url: str, seeds_dir: Path, count: int) -> dict:
    """Seconds from writing a new seed file to the first search that finds it."""
    split = urlsplit(url)
    connection = http.client.HTTPConnection(split.hostname, split.port, timeout=60)
    seconds = []
    for number in range(count):
        word = f"zqwatch{number}x"
        path = seeds_dir / f"zz_watch_{number}.txt"
        written = time.monotonic()
        path.write_text(f"date 2026-01-01 Watch probe {word}\nThe probe word is {word}.\n", encoding="utf-8")
        while True:
            connection.request("GET", "/api/search?" + urlencode({"q": word}))
            if json.loads(connection.getresponse().read())["total"]:
                break
            if time.monotonic() - written > 60:
                raise SystemExit(f"{path.name} was not searchable after 60 s")
            time.sleep(0.01)
        seconds.append(time.monotonic() - written)
        time.sleep(0.5)  # one file at a time, not a burst
    return {"files": count, "p50_s": round(percentile(seconds, 50), 3), "max_s": round(max(seconds), 3)}


def report(result: dict) -> str:
    machine = result["machine"]
    lines = [
        "# searchkit serve under load",
        "",
        f"Measured {result['date']} by `python benchmarks/serve_load.py` on {result['articles']:,} articles "
        f"({result['seeds']}), engine **{result['engine']}**, {result['clients']} concurrent clients on "
        f"loopback for {result['seconds']:g} s per phase. The clients run on the same "
        f"{machine.get('cores', '?')} cores as the server, so latency includes queueing behind "
        f"them. Load average when the run started: {result['load_average']} (other work on the machine "
        "shows here).",
        "",
        f"Machine: {machine.get('cpu')}, {machine.get('usable_cores')} usable cores, "
        f"{machine.get('python')}, commit {machine.get('git_commit')}.",
        "",
        "| phase | requests | per second | failed | p50 ms | p90 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name in ("quiet", "rebuilding"):
        phase = result[name]
        lines.append(f"| {name} | {phase['requests']:,} | {phase['per_second']:,} | {phase['failed']} | "
                     f"{phase['p50_ms']} | {phase['p90_ms']} | {phase['p99_ms']} | {phase['max_ms']} |")
    rebuilds = result["rebuilds"]
    watch = result["watch"]
    lines += [
        "",
        f"While rebuilding, `searchkit index --rebuild` ran {len(rebuilds)} time(s) back to back "
        f"({', '.join(f'{s:.1f} s' for s in rebuilds)}); every swap happened under the load above.",
        f"Failures by reason: quiet {result['quiet']['failures'] or 'none'}, "
        f"rebuilding {result['rebuilding']['failures'] or 'none'}.",
        "",
        f"**--watch**: {watch['files']} new seed files written one at a time were searchable "
        f"{watch['p50_s']} s (median) and at most {watch['max_s']} s after the write (target: 2 s).",
        "",
        "For comparison, the same query kinds in-process (`Index.search`, no HTTP) are in "
        "[run.md](run.md); a whole `searchkit query` process costs the cold-start figure there.",
        "",
    ]
    return "\n".join(lines)


def facets_report(result: dict) -> str:
    machine, phases = result["machine"], result["phases"]
    lines = [
        "# What facets cost on `searchkit serve`",
        "",
        f"Measured {result['date']} by `python benchmarks/serve_load.py --facets-only --engine "
        f"{result['engine']}` on {result['articles']:,} articles ({result['seeds']}), engine "
        f"**{result['engine']}**, {result['clients']} concurrent clients on loopback for "
        f"{result['seconds']:g} s per phase (in {FACET_ROUNDS} turns taken in rotation), the benchmark's "
        "queries (every kind) in every phase. "
        "Facets on: the page's timeline and per-year and per-month counts (the default); the API's "
        f"`facets=true`. Load average when the run started: {result['load_average']}.",
        "",
        f"Machine: {machine.get('cpu')}, {machine.get('usable_cores')} usable cores, "
        f"{machine.get('python')}, commit {machine.get('git_commit')}.",
        "",
        "| phase | requests | per second | failed | p50 ms | p90 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, phase in phases.items():
        lines.append(f"| {name} | {phase['requests']:,} | {phase['per_second']:,} | {phase['failed']} | "
                     f"{phase['p50_ms']} | {phase['p90_ms']} | {phase['p99_ms']} |")
    lines += ["", "The same requests one at a time through the app in the benchmark's process (FastAPI's "
              "TestClient: no sockets, no other client), every query in every phase "
              f"{FACET_ROUNDS} times, phases in turn: what the server itself spends.", "",
              "| phase | requests | p50 ms | p99 ms |", "|---|---:|---:|---:|"]
    for name, phase in result["in_process"].items():
        lines.append(f"| {name} | {phase['requests']:,} | {phase['p50_ms']} | {phase['p99_ms']} |")
    lines.append("")
    for label, measured in (("under load", phases), ("one at a time", result["in_process"])):
        for what in ("page", "API"):
            off, on = measured[f"{what}, facets off"], measured[f"{what}, facets on"]
            p50, p99 = on["p50_ms"] / off["p50_ms"], on["p99_ms"] / off["p99_ms"]
            verdict = "within" if max(p50, p99) <= FACETS_BUDGET else "**over**"
            lines.append(f"- {what}, {label}: facets on / off = {p50:.2f}x at p50, {p99:.2f}x at p99 "
                         f"({verdict} the {FACETS_BUDGET}x budget).")
    lines.append("")
    return "\n".join(lines)


def measure_facets(server_url: str, queries: list[tuple[str, str]], args: argparse.Namespace) -> dict:
    """Every phase for SECONDS in all, in FACET_ROUNDS turns taken in rotation (so a change in the
    machine's other load falls on every phase alike)."""
    latencies: dict[str, list[float]] = {name: [] for name in FACET_PHASES}
    failures: dict[str, dict[str, int]] = {name: {} for name in FACET_PHASES}
    for round_number in range(FACET_ROUNDS):
        for number, (name, path_for) in enumerate(FACET_PHASES.items()):
            found, failed = timed_requests(server_url, queries, args.clients, args.seconds / FACET_ROUNDS,
                                           args.seed + 100 * round_number + number, path_for)
            latencies[name] += found
            for reason, count in failed.items():
                failures[name][reason] = failures[name].get(reason, 0) + count
    phases = {name: summary(latencies[name], failures[name], args.seconds) for name in FACET_PHASES}
    for name, phase in phases.items():
        log(f"{name}: {phase}")
    return phases


def in_process(index_dir: Path, queries: list[tuple[str, str]]) -> dict:
    """Each phase's requests one at a time through the app in this process (no sockets, no other
    client): what facets cost the server itself. FACET_ROUNDS passes over the queries, phases in turn."""
    from fastapi.testclient import TestClient

    import searchkit
    from searchkit.serve import create_app

    latencies: dict[str, list[float]] = {name: [] for name in FACET_PHASES}
    index = searchkit.open_index(index_dir)
    with TestClient(create_app(index)) as client:
        for text, sort in queries:  # warm up: every query once
            client.get(FACET_PHASES["page, facets on"](text, sort))
        for _ in range(FACET_ROUNDS):
            for name, path_for in FACET_PHASES.items():
                for text, sort in queries:
                    started = time.perf_counter()
                    client.get(path_for(text, sort))
                    latencies[name].append((time.perf_counter() - started) * 1000)
    index.close()
    return {name: {"requests": len(found), "p50_ms": round(percentile(found, 50), 2),
                   "p99_ms": round(percentile(found, 99), 2)} for name, found in latencies.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=Path, default=default_seeds())
    parser.add_argument("--engine", default="whoosh")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--limit-docs", type=int)
    parser.add_argument("--seed", type=int, default=1987)
    parser.add_argument("--work", type=Path, default=REPO_ROOT / "benchmarks" / ".work")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--facets-only", action="store_true",
                        help="measure the page and API with facets on and off, not rebuilds and --watch")
    args = parser.parse_args(argv)
    results_dir = REPO_ROOT / "benchmarks" / "results"
    if args.out is None:
        args.out = results_dir / (f"serve-facets-{args.engine}.md" if args.facets_only else "serve.md")

    load_average = " / ".join(f"{value:.1f}" for value in os.getloadavg())
    work = fresh_dir(args.work / "serve")
    files = seed_files(args.seeds, args.limit_docs)
    seeds, index_dir = work / "seeds-copy", work / "index"
    copy_seeds(files, seeds)
    log(f"building a {args.engine} index of {len(files):,} articles")
    subprocess.run([sys.executable, "-m", "searchkit", "index", "--engine", args.engine, "--index",
                    str(index_dir), "--seeds", str(seeds)], env=child_env(), check=False, capture_output=True)
    specs = generate(files, per_kind=20, seed=args.seed)
    queries = [query_string(spec) for kind in KINDS for spec in specs.queries.get(kind, [])]
    server = Server(index_dir, seeds, work / "server.log")
    if args.facets_only:
        try:
            phases = measure_facets(server.url, queries, args)
        finally:
            server.stop()
        log("the same requests one at a time, in-process")
        alone = in_process(index_dir, queries)
        log(f"in-process: {alone}")
        facet_result = {
            "date": time.strftime("%Y-%m-%d"), "engine": args.engine, "articles": len(files),
            "seeds": display_path(args.seeds), "clients": args.clients, "seconds": args.seconds,
            "phases": phases, "in_process": alone, "machine": machine_info(), "load_average": load_average,
        }
        args.out.write_text(facets_report(facet_result), encoding="utf-8")
        args.out.with_suffix(".json").write_text(json.dumps(facet_result, indent=2) + "\n", encoding="utf-8")
        log(f"wrote {display_path(args.out)} and its JSON")
        return
    try:
        log(f"serving at {server.url}; quiet phase, {args.clients} clients for {args.seconds:g} s")
        quiet = load(server.url, queries, args.clients, args.seconds, args.seed)
        log(f"quiet: {quiet}; now the same load with rebuilds running")
        stop, rebuilds = threading.Event(), []
        rebuilder = threading.Thread(target=rebuild_loop, args=(index_dir, seeds, stop, rebuilds))
        rebuilder.start()
        rebuilding = load(server.url, queries, args.clients, args.seconds, args.seed + 1000)
        stop.set()
        rebuilder.join()
        log(f"rebuilding: {rebuilding}; {len(rebuilds)} rebuild(s); now --watch latency")
        watch = watch_latency(server.url, seeds, WATCH_ARTICLES)
        log(f"watch: {watch}")
    finally:
        server.stop()
    result = {
        "date": time.strftime("%Y-%m-%d"), "engine": args.engine, "articles": len(files),
        "seeds": display_path(args.seeds), "clients": args.clients, "seconds": args.seconds,
        "quiet": quiet, "rebuilding": rebuilding, "rebuilds": [round(s, 2) for s in rebuilds],
        "watch": watch, "machine": machine_info(), "load_average": load_average,
    }
    args.out.write_text(report(result), encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    log(f"wrote {display_path(args.out)} and its JSON")


if __name__ == "__main__":
    main()
