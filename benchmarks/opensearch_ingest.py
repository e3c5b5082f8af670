"""Ingest into OpenSearch: searchkit's full build against the raw baseline, in one run on one cluster.

    python benchmarks/opensearch_ingest.py                      # Reuters (../shared/corpora/reuters21578)
    python benchmarks/opensearch_ingest.py --seeds /tmp/c100k/seeds --label scale-100000
    python benchmarks/opensearch_ingest.py --before e1d6da9    # also the build of an older commit
    python benchmarks/opensearch_ingest.py --sweep              # bulk sizes x streams, searchkit only

The cluster is ``SEARCHKIT_OPENSEARCH_URL`` (``tests/cluster/run up``). Each build runs in a fresh
process and is timed from its start to its index being searchable with every replica (green):

- **baseline**: opensearch-py's ``helpers.parallel_bulk`` (4 threads, 500 documents a bulk) of the same
  articles, read by searchkit's own seed parser, into an index with OpenSearch's ``english`` analyzer on
  headline and body, the same shards and replicas, loaded with no replicas and no refresh, then given its
  replica and waited for green: the bulk-loading practice, with OpenSearch doing all the analysis.
- **searchkit**: ``searchkit index --rebuild --engine opensearch`` (the manifest, the stories' sketches
  and the index folder included).
- **before** (with ``--before REV``): the same command from a checkout of REV.

Builds alternate (baseline, searchkit, before, baseline, ...) so that a busy machine slows each alike;
the report gives each one's median articles/s and searchkit's ratio to the baseline and to before.
Results: ``benchmarks/results/opensearch-ingest-<label>.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Optional

if __package__ in (None, ""):  # run as a script: import this folder as the `benchmarks` package
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.measure import machine_info  # noqa: E402
from benchmarks.systems import REPO_ROOT  # noqa: E402

RESULTS = REPO_ROOT / "benchmarks" / "results"
DEFAULT_SEEDS = REPO_ROOT.parent / "shared" / "corpora" / "reuters21578"
SHARDS, REPLICAS = 2, 1
BASELINE_THREADS, BASELINE_CHUNK = 4, 500
SWEEP_DOCS = (500, 1000, 2000)
SWEEP_STREAMS = (1, 3)


# -- the cluster ---------------------------------------------------------------------------------

def cluster_url() -> str:
    url = os.environ.get("SEARCHKIT_OPENSEARCH_URL", "").split(",")[0].rstrip("/")
    if not url:
        sys.exit("set SEARCHKIT_OPENSEARCH_URL (tests/cluster/run up starts a cluster)")
    return url


def http(method: str, path: str, body: Optional[dict] = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(cluster_url() + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=600) as answer:
        return json.loads(answer.read() or b"{}")


def delete_index(name: str) -> None:
    try:
        http("DELETE", f"/{name}")
    except urllib.error.HTTPError:
        pass


# -- the baseline, in a child process ---------------------------------------------------------------

def baseline_child(seeds: Path, name: str) -> None:
    """Load ``seeds`` into index ``name`` with parallel_bulk; prints the count."""
    from opensearchpy import OpenSearch, helpers

    from searchkit.articles import read_seed, scan_seeds

    client = OpenSearch(hosts=os.environ["SEARCHKIT_OPENSEARCH_URL"].split(","), timeout=600)
    text = {"type": "text", "analyzer": "english"}
    client.indices.create(index=name, body={
        "settings": {"index": {"number_of_shards": SHARDS, "number_of_replicas": 0,
                               "refresh_interval": "-1"}},
        "mappings": {"properties": {"id": {"type": "keyword"}, "date": {"type": "date"},
                                    "headline": text, "body": text, "path": {"type": "keyword"}}}})
    found, _ = scan_seeds(seeds)

    def actions() -> Any:
        for seed in found:
            article, _digest = read_seed(seed, max_bytes=10 << 20)
            yield {"_index": name, "_id": article.id, "_source": {
                "id": article.id, "date": article.date.isoformat(), "headline": article.headline,
                "body": article.body, "path": article.path or ""}}

    for ok, item in helpers.parallel_bulk(client, actions(), thread_count=BASELINE_THREADS,
                                          chunk_size=BASELINE_CHUNK, raise_on_error=True):
        assert ok, item
    client.indices.put_settings(index=name, body={"index": {"number_of_replicas": REPLICAS}})
    # (the wait in the path: the client takes a "timeout" parameter as its own request timeout)
    http("GET", f"/_cluster/health/{name}?wait_for_status=green&timeout=600s")
    client.indices.refresh(index=name)
    print(client.count(index=name)["count"])


def sweep_child(seeds: Path, folder: Path, name: str, docs: int, streams: int) -> None:
    """A searchkit rebuild with the bulk size and streams given; prints the count."""
    import searchkit
    from searchkit.engines.opensearch import bulk

    bulk.CHUNK_DOCS, bulk.STREAMS = docs, streams
    with searchkit.Index(folder, engine="opensearch", engine_options={"index_name": name}) as index:
        index.rebuild(seeds)
        print(index.stats().articles)


# -- measuring ---------------------------------------------------------------------------------------

def timed(command: list[str], pythonpath: Path) -> tuple[float, int]:
    """Seconds, and the number the command printed last (-1: none); its failure stops the run."""
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    started = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=pythonpath)
    seconds = time.monotonic() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    words = done.stdout.split()
    return seconds, int(words[-1]) if words and words[-1].isdigit() else -1


def searchkit_build(checkout: Path, seeds: Path, work: Path, name: str) -> tuple[float, int]:
    folder = work / name
    seconds, _ = timed([sys.executable, "-m", "searchkit", "index", "--rebuild", "--engine", "opensearch",
                        "--index-name", name, "--seeds", str(seeds), "--index", str(folder)], checkout)
    count = int(http("GET", f"/{name}/_count")["count"])
    for physical in http("GET", f"/_alias/{name}"):
        delete_index(physical)
    return seconds, count


def baseline_build(seeds: Path, name: str) -> tuple[float, int]:
    try:
        return timed([sys.executable, str(Path(__file__).resolve()), "--child-baseline", str(seeds), name],
                     REPO_ROOT)
    finally:
        delete_index(name)


def checkout_of(rev: str, work: Path) -> Path:
    where = work / f"checkout-{rev}"
    subprocess.run(["git", "-C", str(REPO_ROOT), "worktree", "add", "--detach", str(where), rev],
                   check=True, capture_output=True)
    return where


def measure(seeds: Path, rounds: int, before: Optional[str], work: Path) -> dict[str, Any]:
    from searchkit.articles import scan_seeds

    articles = len(scan_seeds(seeds)[0])
    old = checkout_of(before, work) if before else None
    runs: dict[str, list[float]] = {"baseline": [], "searchkit": [], **({"before": []} if old else {})}
    try:
        for round_number in range(1, rounds + 1):
            builds = [("baseline", lambda n: baseline_build(seeds, n)),
                      ("searchkit", lambda n: searchkit_build(REPO_ROOT, seeds, work, n))]
            if old is not None:
                builds.append(("before", lambda n: searchkit_build(old, seeds, work, n)))
            for kind, build in builds:
                seconds, count = build(f"ingest-bench-{kind}-{round_number}")
                if count != articles:
                    sys.exit(f"{kind} round {round_number}: {count} articles on the cluster, not {articles}")
                runs[kind].append(seconds)
                print(f"round {round_number} {kind}: {seconds:.1f} s, {articles / seconds:,.0f} articles/s",
                      file=sys.stderr, flush=True)
    finally:
        if old is not None:
            subprocess.run(["git", "-C", str(REPO_ROOT), "worktree", "remove", "--force", str(old)],
                           capture_output=True)
    rates = {kind: articles / statistics.median(seconds) for kind, seconds in runs.items()}
    return {"articles": articles, "seeds": str(seeds), "rounds": rounds, "before": before,
            "seconds": runs, "articles_per_second": rates,
            "vs_baseline": rates["searchkit"] / rates["baseline"],
            "vs_before": rates["searchkit"] / rates["before"] if "before" in rates else None}


def sweep(seeds: Path, work: Path) -> dict[str, Any]:
    from searchkit.articles import scan_seeds

    articles = len(scan_seeds(seeds)[0])
    rows = []
    for docs in SWEEP_DOCS:
        for streams in SWEEP_STREAMS:
            name = f"ingest-sweep-{docs}-{streams}"
            seconds, count = timed([sys.executable, str(Path(__file__).resolve()), "--child-sweep",
                                    str(seeds), str(work / name), name, str(docs), str(streams)], REPO_ROOT)
            for physical in http("GET", f"/_alias/{name}"):
                delete_index(physical)
            if count != articles:
                sys.exit(f"sweep {docs} x {streams}: {count} articles, not {articles}")
            rows.append({"docs": docs, "streams": streams, "seconds": seconds, "rate": articles / seconds})
            print(f"{docs} docs x {streams} streams: {seconds:.1f} s, {articles / seconds:,.0f} articles/s",
                  file=sys.stderr, flush=True)
    return {"articles": articles, "seeds": str(seeds), "sweep": rows}


def report(label: str, result: dict[str, Any]) -> str:
    machine = result["machine"]
    lines = [f"# OpenSearch ingest: {label}", "",
             f"{result['articles']:,} articles from `{result['seeds']}`; {machine.get('cpu', '')}; "
             f"searchkit commit {machine.get('git_commit', '?')}; {machine.get('date', '')}. Generated by "
             "`benchmarks/opensearch_ingest.py` (its docstring says what is measured).", ""]
    if "sweep" in result:
        lines += ["| docs per bulk | streams | s | articles/s |", "|---|---|---|---|"]
        lines += [f"| {row['docs']} | {row['streams']} | {row['seconds']:.1f} | {row['rate']:,.0f} |"
                  for row in result["sweep"]]
        return "\n".join(lines) + "\n"
    lines += ["| build | runs (s) | median articles/s |", "|---|---|---|"]
    for kind, seconds in result["seconds"].items():
        shown = ", ".join(f"{value:.1f}" for value in seconds)
        lines.append(f"| {kind} | {shown} | {result['articles_per_second'][kind]:,.0f} |")
    lines += ["", f"searchkit / baseline: **{result['vs_baseline']:.2f}x**"]
    if result.get("vs_before"):
        lines.append(f"; searchkit / before ({result['before']}): **{result['vs_before']:.2f}x**")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child-baseline"]:
        return baseline_child(Path(argv[1]), argv[2])
    if argv[:1] == ["--child-sweep"]:
        return sweep_child(Path(argv[1]), Path(argv[2]), argv[3], int(argv[4]), int(argv[5]))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    parser.add_argument("--label", default="reuters")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--before", default=None, help="also build with this commit's searchkit")
    parser.add_argument("--sweep", action="store_true", help="bulk sizes x streams instead")
    args = parser.parse_args(argv)
    cluster_url()
    with tempfile.TemporaryDirectory(prefix="searchkit-ingest-") as work:
        result = sweep(args.seeds, Path(work)) if args.sweep else \
            measure(args.seeds, args.rounds, args.before, Path(work))
    result["machine"] = machine_info()
    label = f"{args.label}-sweep" if args.sweep else args.label
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"opensearch-ingest-{label}.json").write_text(json.dumps(result, indent=2) + "\n")
    text = report(label, result)
    (RESULTS / f"opensearch-ingest-{label}.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main(sys.argv[1:])
