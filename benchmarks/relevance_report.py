"""The report of benchmarks/relevance.py: each collection's figures as JSON-ready values, a few sentences
written from the numbers (so that a rerun stays true), and the markdown page."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Mapping, Sequence

from benchmarks.relevance import DEPTH, TRIALS, Collection, Run, Scores, System, randomization_p


def versus(scores: Scores, baseline: Scores) -> dict[str, Any]:
    """On how many queries ``scores`` has a higher / lower average precision than ``baseline``, and the
    paired randomization test's p-value for the difference in MAP."""
    queries = sorted(baseline.per_query_ap)
    mine = [scores.per_query_ap[q] for q in queries]
    theirs = [baseline.per_query_ap[q] for q in queries]
    pairs = list(zip(mine, theirs, strict=True))
    return {"higher": sum(1 for x, y in pairs if x > y), "lower": sum(1 for x, y in pairs if x < y),
            "p": round(randomization_p(mine, theirs), 4)}


def collection_dict(collection: Collection, query_ids: Sequence[int], systems: Sequence[System],
                    runs: Mapping[str, Run], scores: Mapping[str, Scores], path: Path,
                    lengths: Mapping[str, Any]) -> dict[str, Any]:
    """What the run measured on one collection; ``lengths`` says how long its queries are."""

    def row(system: System) -> dict[str, Any]:
        score, run = scores[system.name], runs[system.name]
        compared = {} if system.name == "searchkit" else {"vs_default": versus(score, scores["searchkit"])}
        return {
            "label": system.label,
            "how": system.how,
            "map": round(score.map, 4),
            "ndcg@10": round(score.ndcg10, 4),
            "p@10": round(score.p10, 4),
            "recall@1000": round(score.recall1000, 4),
            "queries": score.queries,
            "empty_rankings": sum(1 for ranking in run.rankings.values() if not ranking),
            **compared,
            "errors": {str(q): message for q, message in run.errors.items()},
            "query_seconds": round(run.seconds, 3),
            "per_query_ap": {str(q): round(ap, 4) for q, ap in score.per_query_ap.items()},
        }

    return {
        "collection": {
            "path": str(path),
            "documents": len(collection.documents),
            "queries": len(collection.queries),
            "judged_queries": len(collection.judged_queries),
            "evaluated_queries": len(query_ids),
            "relevant_pairs": sum(len(collection.judgements[q]) for q in query_ids),
        },
        "query_lengths": dict(lengths),
        "systems": {system.name: row(system) for system in systems},
    }


def results_dict(collections: Mapping[str, Mapping[str, Any]], machine: Mapping[str, Any]) -> dict[str, Any]:
    """The whole run: each collection's :func:`collection_dict`, with its summary, and the machine."""
    return {
        "date": dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="seconds"),
        "machine": dict(machine),
        "depth": DEPTH,
        "collections": {name: {**figures, "summary": summarize(name, figures)}
                        for name, figures in collections.items()},
    }


#: How each collection is described in the report: its title and what its queries are.
DESCRIPTIONS = {
    "cisi": ("CISI", "library-science abstracts", "long library-science questions"),
    "time": ("TIME", "TIME magazine world-news articles of 1963", "news topics of a line or two"),
}


def summarize(name: str, figures: Mapping[str, Any]) -> str:
    """A few sentences on what one collection's numbers say."""
    from searchkit.engines.rules import HEADLINE_BOOST

    title, _, queries_are = DESCRIPTIONS.get(name, (name, "documents", "queries"))
    systems, lengths = figures["systems"], figures["query_lengths"]
    default = systems["searchkit"]
    evaluated = figures["collection"]["evaluated_queries"]

    def named(key: str) -> str:
        compared = systems[key].get("vs_default")
        p = f", {format_p(compared['p'])}" if compared else ""
        return f"{systems[key]['label']} ({systems[key]['map']:.3f}{p})"

    def change(choice: str, key: str) -> str:
        """What the default's ``choice`` does to MAP and nDCG@10, against variant ``key``, which lacks it."""
        row, p = systems[key], systems[key]["vs_default"]["p"]
        return (f"{choice} takes MAP from {row['map']:.3f} to {default['map']:.3f} "
                f"({default['map'] - row['map']:+.3f}, {format_p(p)}{', within noise' if p > 0.05 else ''}) "
                f"and nDCG@10 from {row['ndcg@10']:.3f} to {default['ndcg@10']:.3f}")

    long_queries = lengths["long_queries"]
    share = f"all {evaluated}" if long_queries == evaluated else f"{long_queries} of the {evaluated}"
    sentences = [
        f"{title}'s queries are {queries_are} ({share} evaluated have more than 5 words, a median of "
        f"{lengths['median_words']:g}): this measures the long-query rule and says little about searches "
        "of 5 words or fewer, which the default ANDs."]
    best = max(systems, key=lambda key: systems[key]["map"])
    baselines = " and ".join(named(key) for key in ("whoosh_plain", "sqlite_fts5") if key in systems)
    top = "the best MAP here" if best == "searchkit" else f"the best here is {named(best)}"
    sentences.append(f"searchkit's default search scores MAP {default['map']:.3f} (nDCG@10 "
                     f"{default['ndcg@10']:.3f}) against {baselines}; {top}.")
    variants = [(choice, key) for choice, key in (
        ("Weighting a prose query's words by how common they are and adding the proximity bonus",
         "searchkit_plain_bm25"),
        ("The proximity bonus", "searchkit_no_proximity"),
        ("Rewarding each distinct word of a long query an article holds", "searchkit_no_coverage"),
        ("Combining a long query's headline and body scores as a dis_max rather than a sum",
         "searchkit_fields_summed"),
        ("Asking for one more word per 24 rather than any one", "searchkit_any_one"),
        ("Dropping stop words", "searchkit_any_word"),
        (f"Weighting a headline match {HEADLINE_BOOST:g} times a body match rather than the same",
         "searchkit_headline_1"),
    ) if key in systems]
    sentences += [change(choice, key) + "." for choice, key in variants]
    if "searchkit_old_rule" in systems:
        old = systems["searchkit_old_rule"]
        nothing = (f"finds nothing for {old['empty_rankings']} of the {old['queries']} queries"
                   if old["empty_rankings"] else "finds something for every query")
        sentences.append(
            f"The old rule (at least 60% of all the words) {nothing} and scores R@1000 "
            f"{old['recall@1000']:.3f} against the default's {default['recall@1000']:.3f}, "
            f"MAP {old['map']:.3f} ({format_p(old['vs_default']['p'])}).")
    sentences.append("A difference whose p (last column) is above 0.05 is within noise.")
    return " ".join(sentences)


def format_p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _table(figures: Mapping[str, Any]) -> list[str]:
    lines = [
        "| system | MAP | nDCG@10 | P@10 | R@1000 | queries evaluated | AP vs default: higher / lower |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in figures["systems"].values():
        compared = row.get("vs_default")
        versus_text = (f"{compared['higher']} / {compared['lower']} ({format_p(compared['p'])})"
                       if compared else "")
        empty = f" ({row['empty_rankings']} found nothing)" if row["empty_rankings"] else ""
        lines.append(f"| {row['label']} | {row['map']:.4f} | {row['ndcg@10']:.4f} | {row['p@10']:.4f} | "
                     f"{row['recall@1000']:.4f} | {row['queries']}{empty} | {versus_text} |")
    return lines


def render_markdown(results: Mapping[str, Any]) -> str:
    """The report: per collection the table and the reading of it; how each system runs; the machine."""
    collections, machine = results["collections"], results["machine"]
    titles = [DESCRIPTIONS.get(name, (name,))[0] for name in collections]
    lines = [f"# Ranking quality on {' and '.join(titles)}", "",
             f"Measured {results['date']} with `python benchmarks/relevance.py`; binary relevance, rankings "
             f"cut at {results['depth']:,}.", ""]
    for name, figures in collections.items():
        title, documents_are, _ = DESCRIPTIONS.get(name, (name, "documents", ""))
        coll = figures["collection"]
        lines += [f"## {title}", "",
                  f"{coll['documents']:,} {documents_are}; {coll['evaluated_queries']} of its "
                  f"{coll['judged_queries']} judged queries evaluated ({coll['relevant_pairs']:,} relevant "
                  "pairs).", "", *_table(figures), "", figures["summary"], ""]
    first = next(iter(collections.values()))
    lines += ["## How each system runs", ""]
    lines += [f"- **{row['label']}**: {row['how']}." for row in first["systems"].values()]
    lines += [
        "",
        "searchkit indexes seed files made from each collection (`date 1980-01-01 <title>`, then the "
        "abstract; the title is the headline; a TIME article's first line is its title) with "
        "`Index.rebuild`. Its variants are trees built with the public constructors (`searchkit.Or`, "
        "`And`, `Term`) and run by the same engine, which enforces an `Or`'s `minimum`: \"the default's "
        "words\" are the `Term`s of `searchkit.parse(text, plain=True)`, \"every word\" is each word parsed "
        "on its own. The baselines index the same titles and abstracts and get the query's lower-cased "
        "`\\w+` words, so no query syntax (`?`, `AND`, `-`) changes their meaning. A query that finds "
        f"nothing scores 0 on every metric and still counts. p is a two-sided paired randomization test "
        f"({TRIALS:,} sign flips) of the difference in MAP with the default. TIME's judgements number "
        "documents by position, two of them lost after position 370 (benchmarks/relevance_time.py). "
        "Per-query average precision is in the JSON next to this file.",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
    ]
    for key in ("cpu", "cores", "memory_gb", "os", "python", "whoosh", "sqlite", "searchkit", "git_commit"):
        if machine.get(key) is not None:
            lines.append(f"| {key} | {machine[key]} |")
    errors = [(name, row["label"], query, message) for name, figures in collections.items()
              for row in figures["systems"].values() for query, message in row["errors"].items()]
    if errors:
        lines += ["", "## Errors", ""]
        lines += [f"- {name}, {label}, query {query}: {message}" for name, label, query, message in errors]
    return "\n".join(lines) + "\n"


def write_reports(results: Mapping[str, Any], out: Path, json_out: Path) -> None:
    """The markdown report at ``out``; the same figures and the summaries as JSON at ``json_out``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    json_out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_markdown(results), encoding="utf-8")
    json_out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
