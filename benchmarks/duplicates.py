"""How well duplicate wires are found: precision and recall on generated rewrites, and Reuters' groups.

    python benchmarks/duplicates.py                    # 50,000 generated articles, then Reuters
    python benchmarks/duplicates.py --articles 200000 --sample 30

1. A corpus from ``benchmarks/scale_corpus.py`` lists every rewrite it wrote and the story it rewrites
   (about 5% of articles, within two days of their story). The true stories are those pairs joined up;
   the found ones are ``Index.duplicates()`` after ``searchkit index``. Pairs of articles in one story
   are counted: precision is the share of found pairs that are true, recall the share of true pairs
   found. Rewrites whose text is less than 0.4 alike (word shingles, exactly) cannot be found by
   definition; recall is given over all true pairs and over those alike enough, and the pairs alike
   enough whose figures or names disagree (``searchkit/text/facts.py``) are counted by the reason.
2. Reuters: its groups are printed, a seeded sample of them with the start of each text, for checking by
   eye (the verdicts go in docs/duplicates.md by hand: nothing here can judge them).

Also says what the signatures cost at index time: the build with stories against the time the stories
took (signatures are made where files are read, in the engine's worker processes).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):
    sys.path[0:0] = [str(REPO_ROOT)]

import searchkit  # noqa: E402
from benchmarks import scale_corpus  # noqa: E402
from benchmarks.measure import machine_info  # noqa: E402
from searchkit.news.stories import MAX_DAYS_APART, connected  # noqa: E402
from searchkit.text.facts import contradiction, facts  # noqa: E402
from searchkit.text.shingles import NEAR_DUPLICATE, article_text, jaccard, shingles  # noqa: E402

DEFAULT_REUTERS = REPO_ROOT.parent / "shared" / "corpora" / "reuters21578"
WORK = REPO_ROOT / "benchmarks" / ".work" / "duplicates"


def true_stories(corpus: Path) -> list[set[str]]:
    """The generated rewrites joined up with the stories they rewrite (ids as the index has them)."""
    def article_id(index: int) -> str:
        return f"{index // scale_corpus.SHARD_FILES:05d}/{index:08d}"

    links: list[tuple[str, str]] = []
    for table in sorted((corpus / scale_corpus.REWRITES / "seeds").glob("*.tsv")):
        for line in table.read_text(encoding="utf-8").splitlines():
            rewrite, source = line.split("\t")
            links.append((article_id(int(rewrite)), article_id(int(source))))
    return [set(group) for group in connected(links)]


def pairs(groups: list[set[str]]) -> set[tuple[str, str]]:
    return {pair for group in groups for pair in itertools.combinations(sorted(group), 2)}


def measure_generated(articles: int, engine: str, seed: int) -> dict[str, Any]:
    corpus = WORK / f"corpus-{articles}-s{seed}"
    plan = scale_corpus.Plan(articles, seed, scale_corpus.DEFAULT_SOURCE)
    scale_corpus.generate(plan, corpus, log=lambda line: print(f"[corpus] {line}", file=sys.stderr))
    index = searchkit.Index(WORK / f"index-{articles}-{engine}", engine=engine)
    started = time.perf_counter()
    report = index.rebuild(corpus / "seeds")
    build = time.perf_counter() - started
    print(f"[duplicates] {engine}: {report.summary()}", file=sys.stderr)
    found_groups = [{article.id for article in group} for group in index.duplicates()]
    truth = true_stories(corpus)
    true_pairs, found_pairs = pairs(truth), pairs(found_groups)
    alike = {pair for pair in true_pairs if _findable(index, pair)}
    told_apart: dict[str, int] = defaultdict(int)
    for pair in sorted(alike):
        left, right = (index.get(article_id) for article_id in pair)
        reason = contradiction(facts(left.headline, left.body), facts(right.headline, right.body))
        if reason is not None:
            told_apart[reason] += 1
    hit = true_pairs & found_pairs
    wrong = sorted(found_pairs - true_pairs)
    index.close()
    return {
        "articles": articles, "engine": engine, "build_seconds": round(build, 1),
        "true_stories": len(truth), "true_pairs": len(true_pairs), "findable_pairs": len(alike),
        "findable_told_apart_by_facts": dict(sorted(told_apart.items())),
        "found_stories": len(found_groups), "found_pairs": len(found_pairs), "correct_pairs": len(hit),
        "precision": len(hit) / len(found_pairs) if found_pairs else 1.0,
        "recall": len(hit) / len(true_pairs) if true_pairs else 1.0,
        "recall_findable": len(hit & alike) / len(alike) if alike else 1.0,
        "wrong_pairs_sample": wrong[:10],
    }


def _findable(index: searchkit.Index, pair: tuple[str, str]) -> bool:
    """Whether a true pair is alike enough to be found: dated close enough, texts alike enough (exactly)."""
    left, right = (index.get(article_id) for article_id in pair)
    close = abs((left.date - right.date).days) <= MAX_DAYS_APART
    return close and jaccard(shingles(article_text(left)), shingles(article_text(right))) >= NEAR_DUPLICATE


def reuters_sample(seeds: Path, engine: str, sample: int, seed: int) -> dict[str, Any]:
    index = searchkit.Index(WORK / f"reuters-{engine}", engine=engine)
    index.update(seeds)
    groups = index.duplicates()
    rng = random.Random(seed)
    chosen = rng.sample(groups, min(sample, len(groups)))
    shown = [[{"id": a.id, "date": a.date.isoformat(), "headline": a.headline,
               "start": " ".join(a.body.split())[:160]} for a in group] for group in chosen]
    sizes: dict[int, int] = defaultdict(int)
    for group in groups:
        sizes[len(group)] += 1
    index.close()
    return {"stories": len(groups), "articles": sum(map(len, groups)), "sizes": dict(sorted(sizes.items())),
            "sample": shown}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--engine", default="tantivy")
    parser.add_argument("--reuters", type=Path, default=DEFAULT_REUTERS)
    parser.add_argument("--sample", type=int, default=40, help="Reuters groups to show (default 40)")
    parser.add_argument("--seed", type=int, default=1987)
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "benchmarks" / "results" / "duplicates.json")
    args = parser.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"generated": measure_generated(args.articles, args.engine, args.seed),
                               "cpus": os.cpu_count(), "load": os.getloadavg()[0], "machine": machine_info()}
    if args.reuters.is_dir():
        results["reuters"] = reuters_sample(args.reuters, args.engine, args.sample, args.seed)
    args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in results["generated"].items()}, indent=1))
    if "reuters" in results:
        print(json.dumps({k: v for k, v in results["reuters"].items() if k != "sample"}))
        for group in results["reuters"]["sample"]:
            print("---")
            for article in group:
                print(f"  {article['date']} {article['id']}  {article['headline']}\n      {article['start']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
