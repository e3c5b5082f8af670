"""Turning a run's measurements into ``results/run.json`` and the ``results/run.md`` tables.

Ratios compare searchkit with each baseline measured in the same run on the same articles; they survive
a noisy machine better than absolute numbers. "x faster" = baseline time / searchkit time (or searchkit
docs/s / baseline docs/s): above 1 means searchkit is ahead. Memory and size ratios are searchkit /
baseline: below 1 means searchkit uses less.
"""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.queries import KINDS
from benchmarks.systems import BASELINES, SYSTEM_NAMES

LABELS = {"searchkit": "searchkit", "searchkit_tantivy": "searchkit (Tantivy)",
          "searchkit_opensearch": "searchkit (OpenSearch)",
          "whoosh_plain": "plain Whoosh", "sqlite_fts5": "SQLite FTS5", "tantivy_raw": "raw Tantivy"}


#: Written by hand from profiles (``run.py --profile KIND``) and appended to every report.
ANALYSIS = Path(__file__).with_name("results") / "analysis.md"


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def _get(results: dict, *keys):
    node = results
    for key in keys:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def compute_ratios(results: dict) -> dict:
    out: dict[str, dict] = {}
    for base in BASELINES:
        r = {
            "build_docs_per_s_x": ratio(_get(results, "build", "searchkit", "docs_per_s"),
                                        _get(results, "build", base, "docs_per_s")),
            "build_peak_memory": ratio(_get(results, "build", "searchkit", "peak_rss_mb"),
                                       _get(results, "build", base, "peak_rss_mb")),
            "index_size": ratio(_get(results, "build", "searchkit", "index_mb"),
                                _get(results, "build", base, "index_mb")),
            "cold_seconds_x": ratio(_get(results, "cold", base, "seconds_median"),
                                    _get(results, "cold", "searchkit", "seconds_median")),
            "cold_peak_memory": ratio(_get(results, "cold", "searchkit", "peak_rss_mb_median"),
                                      _get(results, "cold", base, "peak_rss_mb_median")),
            "query_p50_x": {
                kind: ratio(_get(results, "queries", base, kind, "p50"),
                            _get(results, "queries", "searchkit", kind, "p50"))
                for kind in KINDS
            },
        }
        out[base] = r
    return out


def compute_targets(results: dict) -> list[dict]:
    """The issue's targets, each with what was measured and whether it holds (None: not measured)."""
    vs_whoosh = results["ratios"]["whoosh_plain"]
    targets = []

    def add(target: str, value: float | None, fmt: str, ok) -> None:
        targets.append({
            "target": target,
            "measured": None if value is None else fmt.format(value),
            "value": value,
            "pass": None if value is None else bool(ok(value)),
        })

    add("full build >= 3x plain Whoosh docs/s", vs_whoosh["build_docs_per_s_x"], "{:.2f}x", lambda v: v >= 3)
    add("no-change `searchkit index` <= 2% of a full build",
        _get(results, "incremental", "no_change", "pct_of_full"), "{:.1f}%", lambda v: v <= 2)
    add("+100 articles <= 10% of a full build",
        _get(results, "incremental", "add_100", "pct_of_full"), "{:.1f}%", lambda v: v <= 10)
    per_kind = {k: v for k, v in vs_whoosh["query_p50_x"].items() if v is not None}
    worst = min(per_kind.items(), key=lambda kv: kv[1]) if per_kind else None
    targets.append({
        "target": "every warm query kind at p50 >= plain Whoosh speed",
        "measured": None if worst is None else f"worst: {KINDS[worst[0]]} {worst[1]:.2f}x",
        "value": None if worst is None else worst[1],
        "pass": None if worst is None else worst[1] >= 1,
    })
    add("word + date range p50 <= 1.5x one word p50",
        ratio(_get(results, "queries", "searchkit", "word_date", "p50"),
              _get(results, "queries", "searchkit", "word", "p50")),
        "{:.2f}x", lambda v: v <= 1.5)
    add("cold `searchkit query` wall time <= minimal plain-Whoosh script",
        ratio(_get(results, "cold", "searchkit", "seconds_median"),
              _get(results, "cold", "whoosh_plain", "seconds_median")),
        "{:.2f}x the script's", lambda v: v <= 1)
    add("cold `searchkit query` peak memory <= minimal plain-Whoosh script",
        vs_whoosh["cold_peak_memory"], "{:.2f}x the script's", lambda v: v <= 1)
    return targets


def compute_tantivy_targets(results: dict) -> list[dict]:
    """Issue 10's targets for the Tantivy engine (None: a system was not measured)."""
    engine, raw, fts5 = "searchkit_tantivy", "tantivy_raw", "sqlite_fts5"
    targets = []

    def add(target: str, value: float | None, fmt: str, ok) -> None:
        targets.append({"target": target, "measured": None if value is None else fmt.format(value),
                        "value": value, "pass": None if value is None else bool(ok(value))})

    add("full build >= 15,000 articles/s", _get(results, "build", engine, "docs_per_s"), "{:,.0f}/s",
        lambda v: v >= 15_000)
    add("index size <= 1.2x raw Tantivy's", ratio(_get(results, "build", engine, "index_mb"),
                                                  _get(results, "build", raw, "index_mb")),
        "{:.2f}x", lambda v: v <= 1.2)
    for base, limit, label in ((fts5, 1.0, "faster than SQLite FTS5"), (raw, 1.5, "within 1.5x raw Tantivy")):
        per_kind = {kind: ratio(_get(results, "queries", engine, kind, "p50"),
                                _get(results, "queries", base, kind, "p50")) for kind in KINDS}
        measured = {k: v for k, v in per_kind.items() if v is not None}
        worst = max(measured.items(), key=lambda kv: kv[1]) if measured else None
        targets.append({
            "target": f"every warm kind at p50 {label}",
            "measured": None if worst is None else f"worst: {KINDS[worst[0]]} {worst[1]:.2f}x its time",
            "value": None if worst is None else worst[1],
            "pass": None if worst is None else worst[1] < limit if limit == 1.0 else worst[1] <= limit,
        })
    add("word + date range p50 <= 1.2x one word", ratio(_get(results, "queries", engine, "word_date", "p50"),
                                                       _get(results, "queries", engine, "word", "p50")),
        "{:.2f}x", lambda v: v <= 1.2)
    add("exact total p50 <= 1.2x top-10 only", ratio(_get(results, "queries", engine, "word_total", "p50"),
                                                    _get(results, "queries", engine, "word", "p50")),
        "{:.2f}x", lambda v: v <= 1.2)
    add("cold query <= 1.5x the minimal FTS5 script", ratio(_get(results, "cold", engine, "seconds_median"),
                                                           _get(results, "cold", fts5, "seconds_median")),
        "{:.2f}x", lambda v: v <= 1.5)
    add("cold query peak <= 40 MB", _get(results, "cold", engine, "peak_rss_mb_median"), "{:.0f} MB",
        lambda v: v <= 40)
    return targets


def _num(value, fmt: str = "{:.2f}", missing: str = "-") -> str:
    return missing if value is None else fmt.format(value)


def _x(value) -> str:
    return _num(value, "{:.2f}x")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def render_markdown(results: dict) -> str:
    systems = [s for s in SYSTEM_NAMES if s in results["settings"]["systems"]]
    baselines = [b for b in BASELINES if b in systems]
    has_sk = "searchkit" in systems
    machine, corpus, settings = results["machine"], results["corpus"], results["settings"]
    md = [
        "# searchkit benchmark results",
        "",
        "Generated by `python benchmarks/run.py"
        + (" --quick" if settings["quick"] else "") + "`; see `benchmarks/README.md` for what is measured.",
        "Ratios compare systems measured in this same run: **x faster** = baseline time / searchkit time "
        "(above 1: searchkit is faster); memory and size ratios = searchkit / baseline "
        "(below 1: searchkit uses less).",
        "",
        "## Machine and corpus",
        "",
    ]
    md += _table(["", ""], [
        ["CPU", f"{machine['cpu']} ({machine['cores']} cores, {machine['usable_cores']} usable)"],
        ["memory", _num(machine["memory_gb"], "{} GB")],
        ["OS", machine["os"]],
        ["Python", machine["python"]],
        ["whoosh", str(machine["whoosh"])],
        ["SQLite", machine["sqlite"]],
        ["searchkit", f"{machine['searchkit'] or 'not installed (from the repo)'}, "
                      f"commit {machine['git_commit']}"],
        ["date", machine["date"]],
        ["corpus", f"`{corpus['seeds']}`: {corpus['docs']:,} articles, {corpus['bytes'] / 1e6:.1f} MB"
                   + (f" (first {corpus['limit_docs']:,} files)" if corpus["limit_docs"] else "")],
        ["queries", f"{settings['queries_per_kind']} per kind, random seed {settings['seed']}, "
                    f"top 10 with {'snippets' if settings['snippets'] else 'stored fields'}; "
                    f"cold start: median of {settings['cold_repeats']}"],
    ])
    if not has_sk:
        md += ["", "**searchkit was not measured in this run** (`--systems` left it out); "
                   "only the baselines are shown."]

    md += ["", "## Full build", "",
           "Each build runs in a fresh process (searchkit: `searchkit index --rebuild`).", ""]
    rows = []
    for name in systems:
        b = results["build"][name]
        rows.append([LABELS[name], _num(b["seconds"]), _num(b["docs_per_s"], "{:,.0f}"), _num(b["mb_per_s"]),
                     _num(b["peak_rss_mb"], "{:.0f}"), _num(b["index_mb"], "{:.1f}")])
    md += _table(["system", "wall s", "docs/s", "MB/s", "peak MB", "index MB"], rows)
    if has_sk:
        md += [""]
        md += _table(
            ["searchkit vs", "docs/s (x faster)", "peak memory", "index size"],
            [[LABELS[b], _x(results["ratios"][b]["build_docs_per_s_x"]),
              _x(results["ratios"][b]["build_peak_memory"]), _x(results["ratios"][b]["index_size"])]
             for b in baselines],
        )

    if has_sk and results.get("incremental"):
        inc = results["incremental"]
        md += ["", "## Incremental `searchkit index` (on a copy of the seeds)", ""]
        md += _table(["run", "wall s", "% of full build", "peak MB", "check"], [
            ["no change", _num(inc["no_change"]["seconds"]), _num(inc["no_change"]["pct_of_full"], "{:.1f}%"),
             _num(inc["no_change"]["peak_rss_mb"], "{:.0f}"), "-"],
            [f"+{inc['add_100']['added']} new articles", _num(inc["add_100"]["seconds"]),
             _num(inc["add_100"]["pct_of_full"], "{:.1f}%"), _num(inc["add_100"]["peak_rss_mb"], "{:.0f}"),
             inc["add_100"]["check"]],
        ])

    md += ["", "## Warm queries: p50 latency (ms)", ""]
    header = ["kind"] + [LABELS[s] for s in systems]
    if has_sk:
        header += [f"x faster vs {LABELS[b]}" for b in baselines]
    rows = []
    for kind, label in KINDS.items():
        row = [label] + [_num(results["queries"][s][kind]["p50"]) for s in systems]
        if has_sk:
            row += [_x(results["ratios"][b]["query_p50_x"][kind]) for b in baselines]
        rows.append(row)
    md += _table(header, rows)

    md += ["", "### All percentiles (ms) and hits returned", "",
           "`avg hits` is the mean number of top-10 hits returned; `empty` counts queries with none. "
           "Different tokenizers and stemmers make these differ a little between systems; a large gap "
           "means the systems are not doing the same work.", ""]
    rows = []
    for kind, label in KINDS.items():
        for s in systems:
            q = results["queries"][s][kind]
            rows.append([label, LABELS[s], _num(q["p50"]), _num(q["p90"]), _num(q["p99"]), _num(q["mean"]),
                         _num(q["avg_hits"], "{:.1f}"), str(q["zero_hit_queries"]),
                         _num(q["avg_total"], "{:,.0f}")])
    md += _table(["kind", "system", "p50", "p90", "p99", "mean", "avg hits", "empty", "avg exact total"],
                 rows)

    md += ["", "## Cold start: one whole query process", "",
           "searchkit: `searchkit query WORD --limit 10`; baselines: the minimal scripts in "
           "`benchmarks/cold/`. Median over the runs; the OS file cache is warm.", ""]
    rows = []
    for name in systems:
        c = results["cold"][name]
        row = [LABELS[name], _num(c["seconds_median"] * 1000, "{:.0f}"),
               _num(c["peak_rss_mb_median"], "{:.1f}")]
        rows.append(row)
    md += _table(["system", "wall ms", "peak MB"], rows)
    if has_sk:
        md += [""]
        md += _table(["searchkit vs", "wall (x faster)", "peak memory"],
                     [[LABELS[b], _x(results["ratios"][b]["cold_seconds_x"]),
                       _x(results["ratios"][b]["cold_peak_memory"])]
                      for b in baselines])

    if has_sk:
        md += ["", "## Targets (issue 5)", ""]
        verdict = {True: "met", False: "**missed**", None: "not measured"}
        md += _table(["target", "measured", "result"],
                     [[t["target"], t["measured"] or "-", verdict[t["pass"]]] for t in results["targets"]])

    if results.get("tantivy_targets") and "searchkit_tantivy" in systems:
        md += ["", "## Targets for the Tantivy engine (issue 10)", ""]
        verdict = {True: "met", False: "**missed**", None: "not measured"}
        md += _table(["target", "measured", "result"],
                     [[t["target"], t["measured"] or "-", verdict[t["pass"]]]
                      for t in results["tantivy_targets"]])

    if has_sk and ANALYSIS.exists():  # hand-written from profiles: what dominates each figure
        md += ["", ANALYSIS.read_text(encoding="utf-8").rstrip()]

    md += ["", "## Example queries (searchkit syntax)", ""]
    md += _table(["kind", "examples"], [
        [label, "; ".join(f"`{q}`" for q in results["query_examples"][kind])] for kind, label in KINDS.items()
    ])
    return "\n".join(md) + "\n"


def write(results: dict, md_path: Path, json_path: Path) -> None:
    md_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    md_path.write_text(render_markdown(results), encoding="utf-8")
