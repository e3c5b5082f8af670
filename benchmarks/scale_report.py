"""The scale benchmark's report: tables per size, fitted growth exponents, targets, a log-log plot."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Optional

from benchmarks.queries import KINDS

LABELS = {"searchkit": "searchkit (Whoosh)", "searchkit_tantivy": "searchkit (Tantivy)",
          "sqlite_fts5": "SQLite FTS5"}
TARGET_SIZE = "1000000"


def exponent(points: list[tuple[float, float]]) -> Optional[float]:
    """The least-squares slope of log(y) against log(N): y grows as N ** slope."""
    points = [(n, y) for n, y in points if n > 0 and y > 0]
    if len(points) < 2:
        return None
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(y) for _, y in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var if var else None


def measured(size: dict, name: str) -> bool:
    """Whether ``name`` was measured at this size (its build may have been stopped)."""
    return name in size["build"] and not size["build"][name].get("timed_out") and name in size["queries"]


def exponents(results: dict) -> dict:
    """Per system: the exponent of build time, and of p50 and p99 of every warm kind."""
    sizes = results["sizes"]
    out: dict = {}
    for name in results["settings"]["systems"]:
        done = {n: s for n, s in sizes.items() if measured(s, name)}
        series = {"build": [(int(n), s["build"][name]["seconds"]) for n, s in done.items()]}
        for kind in KINDS:
            for pct in ("p50", "p99"):
                series[f"{kind}.{pct}"] = [(int(n), s["queries"][name][kind][pct]) for n, s in done.items()]
        out[name] = {key: exponent(points) for key, points in series.items()}
    return out


def size_label(n: int | str) -> str:
    n = int(n)
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1000}k" if n % 1000 == 0 else f"{n:,}"


def _fmt_ms(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _fmt_s(value: float) -> str:
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s" if value < 100 else f"{value:.0f} s"


def _check(ok: bool) -> str:
    return "met" if ok else "**missed**"


def targets(results: dict) -> list[tuple[str, str, str]]:
    """(target, measured, met?) for issue 11's targets, on the 1M run."""
    size = results["sizes"].get(TARGET_SIZE)
    rows: list[tuple[str, str, str]] = []
    if size is None:
        return rows
    fts = size["build"].get("sqlite_fts5")
    for name, build_s, rss_mb, quantile, limit_ms, cold_ms in (
            ("searchkit_tantivy", 180, 2000, "p99", 50, 150), ("searchkit", 900, 3000, "p50", 300, None)):
        if name not in size["build"]:
            continue
        label, build = LABELS[name], size["build"][name]
        if not measured(size, name):
            rows.append((f"{label}: full build <= {build_s // 60} min",
                         f"stopped after {build['seconds'] / 60:.0f} min, not finished", _check(False)))
            continue
        ratio = f" ({build['seconds'] / fts['seconds']:.1f}x FTS5's)" if fts else ""
        rows.append((f"{label}: full build <= {build_s // 60} min", _fmt_s(build["seconds"]) + ratio,
                     _check(build["seconds"] <= build_s)))
        rows.append((f"{label}: build peak RSS <= {rss_mb / 1000:.0f} GB", f"{build['peak_rss_mb']:,.0f} MB",
                     _check(build["peak_rss_mb"] <= rss_mb)))
        queries = size["queries"][name]
        worst = max(KINDS, key=lambda k: queries[k][quantile])
        misses = [f"{KINDS[k]} {_fmt_ms(queries[k][quantile])} ms" for k in KINDS
                  if queries[k][quantile] > limit_ms]
        rows.append((f"{label}: every warm kind {quantile} <= {limit_ms} ms",
                     f"worst {KINDS[worst]}: {_fmt_ms(queries[worst][quantile])} ms"
                     + (f"; over: {', '.join(misses)}" if misses else ""), _check(not misses)))
        no_change = size["incremental"][name]["no_change"]["seconds"]
        rows.append((f"{label}: no-change update <= 10 s", _fmt_s(no_change), _check(no_change <= 10)))
        if cold_ms is not None:
            cold = size["cold"][name]["seconds_median"] * 1000
            rows.append((f"{label}: cold query <= {cold_ms} ms", f"{cold:.0f} ms", _check(cold <= cold_ms)))
    if len(results["sizes"]) >= 2:
        fits = exponents(results)
        for name in ("searchkit_tantivy", "searchkit"):
            if name in fits:
                worst = max(KINDS, key=lambda k: fits[name][f"{k}.p50"] or 0)
                value = fits[name][f"{worst}.p50"] or 0
                rows.append((f"{LABELS[name]}: no kind's p50 grows faster than N",
                             f"steepest {KINDS[worst]}: N^{value:.2f}", _check(value <= 1.0)))
    return rows


def markdown(results: dict, plot_name: Optional[str]) -> str:
    systems = results["settings"]["systems"]
    sizes = results["sizes"]
    machine = results["machine"]
    lines = ["# Scale benchmark", "",
             "searchkit on both engines, with SQLite FTS5 as the reference, on generated corpora of growing "
             "size (`benchmarks/scale_corpus.py`, statistics of the Reuters corpus). One run per size; "
             "`python benchmarks/scale.py` (see benchmarks/README.md).", ""]
    lines += [f"Machine: {machine['cpu']}, {machine['usable_cores']} usable cores, "
              f"{machine['memory_gb']} GB, "
              f"{machine['python']}, SQLite {machine['sqlite']}, commit {machine['git_commit']}, "
              f"{machine['date']}. Load average before the run: "
              + ", ".join(f"{v:.1f}" for v in results.get("load_average_before", ())) + "."]
    if results.get("note"):
        lines += ["", f"**Note:** {results['note']}"]
    s = results["settings"]
    lines += ["", f"Settings: {s['queries_per_kind']} warm queries per kind (top 10, stored fields), "
              f"{s['cold_repeats']} cold runs (median), long-running searcher: up to {s['soak_queries']:,} "
              f"queries of every kind in turn (stopped after {s['soak_seconds']:.0f} s).", ""]
    if plot_name:
        lines += [f"![build time and warm p50/p99 against N, log-log]({plot_name})", ""]

    lines += ["## Build, update, cold query, memory", "",
              "| N | system | full build | articles/s | peak RSS | index | no-change update | +1% files "
              "| cold query | searcher RSS (open / after 1k / end, queries) |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for n, size in sizes.items():
        for name in systems:
            b = size["build"].get(name)
            if b is None or not measured(size, name):
                if b is not None:
                    lines.append(f"| {int(n):,} | {LABELS[name]} | stopped after {_fmt_s(b['seconds'])} "
                                 "(not finished) |" + " - |" * 8)
                continue
            inc = size["incremental"].get(name)
            soak = size["soak"][name]
            warm = f"{soak['rss_warm_mb']:.0f}" if soak.get("rss_warm_mb") is not None else "-"
            mapped = (f" ({soak['rss_end_file_mb']:.0f} MB of it mapped index files)"
                      if soak.get("rss_end_file_mb") else "")
            lines.append(
                f"| {int(n):,} | {LABELS[name]} | {_fmt_s(b['seconds'])} | {b['docs_per_s']:,.0f} | "
                f"{b['peak_rss_mb']:,.0f} MB | {b['index_mb']:,.0f} MB | "
                + (f"{_fmt_s(inc['no_change']['seconds'])} | {_fmt_s(inc['add_1pct']['seconds'])} | "
                   if inc else "- | - | ")
                + f"{size['cold'][name]['seconds_median'] * 1000:.0f} ms | "
                f"{soak['rss_open_mb']:.0f} / {warm} / {soak['rss_end_mb']:.0f} MB{mapped}, "
                f"{soak['queries']:,} |")
    lines += ["", "`+1% files`: a `searchkit index` after 1% newer articles were added to the seeds "
              "(each run checks the index then holds them all: "
              + "; ".join(f"{int(n):,} {LABELS[k]} {v['add_1pct']['check']}"
                          for n, size in sizes.items() for k, v in size["incremental"].items()) + ").", ""]

    lines += ["## Warm queries, p50 / p99 (ms)", ""]
    header = "| kind | " + " | ".join(f"{LABELS[name]} {size_label(n)}" for name in systems
                                      for n in sizes) + " |"
    lines += [header, "|---|" + "---|" * (len(systems) * len(sizes))]
    for kind, label in KINDS.items():
        cells = [f"{_fmt_ms(sizes[n]['queries'][name][kind]['p50'])} / "
                 f"{_fmt_ms(sizes[n]['queries'][name][kind]['p99'])}" if measured(sizes[n], name) else "-"
                 for name in systems for n in sizes]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    example = systems[-1]
    lines += ["", f"Mean exact totals (the kinds that count), {LABELS[example]} as the example: " + "; ".join(
                  f"{int(n):,}: word {size['queries'][example]['word_total']['avg_total'] or 0:,.0f}, "
                  f"phrase {size['queries'][example]['phrase_total']['avg_total'] or 0:,.0f}"
                  for n, size in sizes.items() if measured(size, example))
              + ". Query words are drawn at the same document frequency "
              "(0.5% to 5% of a sample) at every size, so matches grow in proportion to N.", ""]

    if len(sizes) >= 2:
        fits = exponents(results)
        lines += ["## Growth exponents", "",
                  "Least-squares slope of log(time) against log(N) over the sizes: time grows as N^k. "
                  "k = 1 is linear (expected where the matches grow with N); below 1, sub-linear.", "",
                  "| curve | " + " | ".join(LABELS[n] for n in systems) + " |",
                  "|---|" + "---|" * len(systems)]
        keys = ["build"] + [f"{k}.{p}" for k in KINDS for p in ("p50", "p99")]
        for key in keys:
            label = "full build" if key == "build" else f"{KINDS[key.split('.')[0]]}, {key.split('.')[1]}"
            cells = [f"{fits[n][key]:.2f}" if fits[n][key] is not None else "-" for n in systems]
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
        lines.append("")

    rows = targets(results)
    if rows:
        lines += ["## Targets (issue 11, at 1M articles)", "", "| target | measured | |", "|---|---|---|"]
        lines += [f"| {t} | {m} | {ok} |" for t, m, ok in rows]
        lines.append("")
    return "\n".join(lines)


def plot(results: dict, path: Path) -> bool:
    """A log-log PNG of build time and warm p50/p99 against N; False when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    systems = results["settings"]["systems"]
    sizes = sorted(int(n) for n in results["sizes"])
    fits = exponents(results) if len(sizes) >= 2 else {}
    columns = 2
    rows = (len(systems) + 2) // columns
    fig, grid = plt.subplots(rows, columns, figsize=(7 * columns, 5 * rows), squeeze=False)
    axes = [ax for row in grid for ax in row]
    for unused in axes[1 + len(systems):]:
        unused.set_visible(False)
    ax = axes[0]
    for name in systems:
        xs = [n for n in sizes if measured(results["sizes"][str(n)], name)]
        ys = [results["sizes"][str(n)]["build"][name]["seconds"] for n in xs]
        k = fits.get(name, {}).get("build")
        ax.plot(xs, ys, marker="o", label=f"{LABELS[name]}" + (f" (N^{k:.2f})" if k else ""))
    ax.set(xscale="log", yscale="log", xlabel="articles", ylabel="seconds", title="full build")
    ax.legend(fontsize=8)
    colours = plt.get_cmap("tab20").colors
    for ax, name in zip(axes[1:], systems, strict=False):
        for i, kind in enumerate(KINDS):
            for pct, style in (("p50", "-"), ("p99", ":")):
                xs = [n for n in sizes if measured(results["sizes"][str(n)], name)]
                ys = [results["sizes"][str(n)]["queries"][name][kind][pct] for n in xs]
                k = fits.get(name, {}).get(f"{kind}.{pct}")
                ax.plot(xs, ys, style, color=colours[i % len(colours)], marker="o" if pct == "p50" else None,
                        label=f"{KINDS[kind]} (N^{k:.2f})" if pct == "p50" and k is not None else None)
        ax.set(xscale="log", yscale="log", xlabel="articles", ylabel="ms",
               title=f"{LABELS[name]}: warm p50 (solid), p99 (dotted)")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=6, ncol=1)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def write(results: dict, out: Path) -> None:
    """``out`` (markdown), the JSON beside it, and the plot beside it (when matplotlib is installed), each
    replacing the last run's: earlier runs are kept by git history, not as numbered files."""
    if len(results["sizes"]) >= 2:
        results["exponents"] = exponents(results)
    results["targets"] = targets(results)
    png = out.with_suffix(".png")
    has_plot = plot(results, png)
    out.write_text(markdown(results, png.name if has_plot else None) + "\n", encoding="utf-8")
    out.with_suffix(".json").write_text(json.dumps(results, indent=1, default=str) + "\n", encoding="utf-8")
