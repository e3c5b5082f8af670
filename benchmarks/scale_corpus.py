"""Generate a large news-like corpus of seed files from a source corpus's own statistics.

    python benchmarks/scale_corpus.py 1000000            # -> benchmarks/.work/scale/corpus-1000000-s1987
    python benchmarks/scale_corpus.py 10000 --source seeds/ --out /tmp/c10k

Nothing of the source's text is kept in the repository: every statistic is derived at generation time.
The model (``SourceModel``, in ``scale_model.py``) holds, from the source's seed files: a word-to-next-
word table for body sentences and one for headlines (whitespace tokens, so case, numbers and punctuation
come along, and the unigram frequencies follow), and the distributions of headline length, sentence
length, sentences per paragraph and paragraphs per article. On top of that:

- dates run from 1987 to 2026 with a realistic daily volume: weekdays heavier than weekends, volume
  growing about threefold over the years, day-to-day noise; articles are written in date order;
- a small share of tokens are new words (names) drawn from an open-ended Zipf vocabulary, so the number
  of distinct words grows with the corpus (Heaps' law) as a real archive's does;
- about 5% of articles are near-duplicate rewrites of a story of the last two days (a new lead, changed
  figures, a paragraph dropped or added), as wire services publish; ``rewrites/`` lists them (for
  measuring duplicate detection, benchmarks/duplicates.py);
- about 0.1% are untidy files (byte-order mark, CRLF line ends, leading blank lines, trailing spaces).

Layout of the output folder (``seeds/`` is what gets indexed)::

    corpus.json            written last: parameters and counts; its presence means "complete"
    seeds/00000/00000000.txt ...   N articles, at most 1,000 per sub-folder
    extra/00010/00010000.txt ...   1% more (the newest), for the "+1% new files" measurement
    rewrites/seeds/00000.tsv ...   the rewrites of each sub-folder and the article each rewrites

The corpus is written into ``<out>.partial`` and renamed when complete, so an interrupted run never
looks complete; a complete corpus with the same parameters is reused, not regenerated. Generation is
deterministic: each sub-folder has its own random generator derived from the seed, so worker processes
may write them in any order.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import json
import os
import random
import re
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Optional

if __package__ in (None, ""):  # run as a script: import this folder as the `benchmarks` package
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.scale_model import Chain, CorpusError, SourceModel, build_model, source_files  # noqa: E402

__all__ = ["CorpusError", "Plan", "generate", "read_marker", "space_needed", "source_files"]

FORMAT = 2  # 2: rewrites follow their story within days, and are listed
SHARD_FILES = 1000
FIRST_DAY, LAST_DAY = dt.date(1987, 1, 1), dt.date(2026, 12, 31)
WEEKDAY_VOLUME = (1.0, 1.05, 1.05, 1.0, 0.95, 0.35, 0.3)  # Monday .. Sunday
GROWTH = 3.0              # daily volume in the last year / in the first
REWRITE_SHARE = 0.05      # near-duplicate rewrites of a recent story
REWRITE_DAYS = 2          # a rewrite follows its story within this many days (a wire's same-day update)
REWRITES = "rewrites"     # <part>/<shard>.tsv: "index<TAB>index of the story it rewrites", the known pairs
ODD_SHARE = 0.001         # untidy files
NEW_WORD_SHARE = 0.02     # tokens replaced by a word of the open vocabulary
NEW_WORD_EXPONENT = 1.2   # Zipf exponent of the open vocabulary (distinct words ~ draws ** (1 / 1.2))
EXTRA_PERCENT = 1.0
BLOCK_BYTES = 4096        # a small file takes a block on most file systems
MARKER = "corpus.json"
OWNER = ".made-by-scale-corpus"  # in every folder this script writes, so it only ever deletes its own
DEFAULT_SOURCE = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "reuters21578"
DEFAULT_WORK = Path(__file__).resolve().parent / ".work" / "scale"

_SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
_UPDATE_MARKS = ("UPDATE 1-", "UPDATE 2-", "REFILE-", "CORRECTED-", "WRAPUP 1-")


# ------------------------------------------------------------------------------------------------
# Dates


def daily_counts(total: int, seed: int) -> list[int]:
    """How many of ``total`` articles fall on each day from :data:`FIRST_DAY` to :data:`LAST_DAY`."""
    rng = random.Random(f"{seed}:days")
    days = (LAST_DAY - FIRST_DAY).days + 1
    weights = []
    for offset in range(days):
        day = FIRST_DAY + dt.timedelta(days=offset)
        trend = 1.0 + (GROWTH - 1.0) * offset / (days - 1)
        weights.append(WEEKDAY_VOLUME[day.weekday()] * trend * rng.lognormvariate(0.0, 0.25))
    scale, running, placed, counts = total / sum(weights), 0.0, 0, []
    for weight in weights:  # cumulative rounding: the counts add up to ``total`` exactly
        running += weight * scale
        upto = min(total, round(running))
        counts.append(upto - placed)
        placed = upto
    counts[-1] += total - placed
    return counts


class Calendar:
    """The date of the ``i``-th article, in date order."""

    def __init__(self, total: int, seed: int) -> None:
        self._ends: list[int] = []
        running = 0
        for count in daily_counts(total, seed):
            running += count
            self._ends.append(running)

    def date(self, index: int) -> dt.date:
        return FIRST_DAY + dt.timedelta(days=bisect.bisect_right(self._ends, index))


# ------------------------------------------------------------------------------------------------
# Articles


def new_word(rng: random.Random) -> str:
    """A word of the open vocabulary: a Zipf-distributed rank spelt in syllables (three or more)."""
    rank = min(int(rng.random() ** (-1.0 / (NEW_WORD_EXPONENT - 1.0))), 10**12)
    n, parts, base = rank + len(_SYLLABLES) ** 2 + len(_SYLLABLES), [], len(_SYLLABLES)
    while n > 0:  # bijective base-70: every rank its own spelling
        n -= 1
        parts.append(_SYLLABLES[n % base])
        n //= base
    word = "".join(parts)
    return word.capitalize() if rank % 2 else word


@dataclass
class Story:
    headline: list[str]
    paragraphs: list[list[str]]  # each a list of sentences (strings)


class Writer:
    """Writes the articles of one sub-folder."""

    def __init__(self, model: SourceModel, calendar: Calendar, seed: int) -> None:
        self.model = model
        self.calendar = calendar
        self.seed = seed

    def _tokens(self, rng: random.Random, chain: Chain, length: int) -> list[str]:
        words = self.model.words
        out = [words[t] for t in chain.walk(rng, max(1, length))]
        for at in range(len(out)):
            if rng.random() < NEW_WORD_SHARE:
                out[at] = new_word(rng)
        return out

    def _sentence(self, rng: random.Random) -> str:
        tokens = self._tokens(rng, self.model.body, rng.choice(self.model.sentence_lengths))
        if tokens[-1][-1] not in ".!?\"')":
            tokens[-1] += "."
        tokens[0] = tokens[0][:1].upper() + tokens[0][1:]
        return " ".join(tokens)

    def _paragraph(self, rng: random.Random) -> list[str]:
        return [self._sentence(rng) for _ in range(rng.choice(self.model.paragraph_sentences))]

    def story(self, rng: random.Random) -> Story:
        model = self.model
        headline = self._tokens(rng, model.headline, rng.choice(model.headline_lengths))
        paragraphs = [self._paragraph(rng) for _ in range(rng.choice(model.article_paragraphs))]
        return Story(headline, paragraphs)

    def rewrite(self, rng: random.Random, old: Story) -> Story:
        """A wire-style rewrite: a marked headline, a new lead, changed figures, a paragraph less or more."""
        headline = list(old.headline)
        if rng.random() < 0.5:
            headline[0] = rng.choice(_UPDATE_MARKS) + headline[0]
        else:
            headline[rng.randrange(len(headline))] = self._tokens(rng, self.model.headline, 1)[0]
        paragraphs = [list(p) for p in old.paragraphs]
        paragraphs.insert(0, [self._sentence(rng)])
        if len(paragraphs) > 2 and rng.random() < 0.5:
            del paragraphs[rng.randrange(1, len(paragraphs))]
        if rng.random() < 0.5:
            paragraphs.append(self._paragraph(rng))
        for paragraph in paragraphs:
            for at, sentence in enumerate(paragraph):
                if any(ch.isdigit() for ch in sentence) and rng.random() < 0.3:
                    paragraph[at] = re.sub(r"\d", lambda _: str(rng.randrange(10)), sentence, count=2)
        return Story(headline, paragraphs)

    def write_shard(self, root: Path, shard: int, first: int, last: int) -> int:
        """Write articles ``first`` to ``last - 1`` (all in sub-folder ``shard``); returns their bytes."""
        rng = random.Random(f"{self.seed}:shard:{shard}")
        folder = root / f"{shard:05d}"
        folder.mkdir(parents=True, exist_ok=True)
        recent: list[tuple[Story, dt.date, int]] = []
        rewrites: list[str] = []
        written = 0
        for index in range(first, last):
            date = self.calendar.date(index)
            sources = [r for r in recent[-50:] if (date - r[1]).days <= REWRITE_DAYS]
            if sources and rng.random() < REWRITE_SHARE:
                source, _, source_index = rng.choice(sources)
                story = self.rewrite(rng, source)
                rewrites.append(f"{index}\t{source_index}\n")
            else:
                story = self.story(rng)
            recent.append((story, date, index))
            text = (f"date {date.isoformat()} {' '.join(story.headline)}\n"
                    + "\n".join(" ".join(paragraph) for paragraph in story.paragraphs) + "\n")
            data = _untidy(rng, text) if rng.random() < ODD_SHARE else text.encode("utf-8")
            with open(folder / f"{index:08d}.txt", "wb") as handle:
                handle.write(data)
            written += len(data)
        truth = root.parent / REWRITES / root.name
        truth.mkdir(parents=True, exist_ok=True)
        (truth / f"{shard:05d}.tsv").write_text("".join(rewrites), encoding="utf-8")
        return written


def _untidy(rng: random.Random, text: str) -> bytes:
    kind = rng.randrange(4)
    if kind == 0:
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    if kind == 1:
        return text.replace("\n", "\r\n").encode("utf-8")
    if kind == 2:
        return ("\n  " + text).encode("utf-8")
    return text.replace("\n", "   \n").encode("utf-8")


# ------------------------------------------------------------------------------------------------
# The whole corpus


@dataclass(frozen=True)
class Plan:
    """What to generate: ``articles`` seeds plus ``extra`` newer ones, from ``source`` with ``seed``."""

    articles: int
    seed: int
    source: Path
    extra_percent: float = EXTRA_PERCENT

    @property
    def extra(self) -> int:
        return int(self.articles * self.extra_percent / 100 + 0.5)

    def shards(self) -> Iterator[tuple[str, int, int, int]]:
        """``(part, shard, first, last)`` for every sub-folder: seeds first, then the extras."""
        total = self.articles + self.extra
        for part, start, end in (("seeds", 0, self.articles), ("extra", self.articles, total)):
            index = start
            while index < end:
                shard = index // SHARD_FILES
                last = min(end, (shard + 1) * SHARD_FILES)
                yield part, shard, index, last
                index = last


def source_fingerprint(source: Path) -> dict[str, int]:
    """How many seed files the source holds and their bytes: a changed source means a new corpus."""
    files = source_files(source)
    return {"files": len(files), "bytes": sum(p.stat().st_size for p in files)}


def corpus_params(plan: Plan) -> dict[str, object]:
    return {"format": FORMAT, "articles": plan.articles, "extra": plan.extra, "seed": plan.seed,
            "source": str(plan.source.resolve()), "source_fingerprint": source_fingerprint(plan.source)}


def read_marker(out: Path) -> Optional[dict]:
    """The completion marker of the corpus at ``out``, or ``None`` when it is not complete."""
    try:
        value = json.loads((out / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def space_needed(articles: int, mean_bytes: float) -> int:
    """Bytes a corpus of ``articles`` (plus its extras) takes on disk, with a 10% margin."""
    per_file = (int(mean_bytes * 1.15) // BLOCK_BYTES + 1) * BLOCK_BYTES  # generated text runs longer
    return int((articles * (1 + EXTRA_PERCENT / 100) + articles / SHARD_FILES) * per_file * 1.1)


def check_space(folder: Path, needed: int, what: str) -> None:
    """Raise :class:`CorpusError` when the disk holding ``folder`` has less than ``needed`` bytes free."""
    probe = folder
    while not probe.exists():
        probe = probe.parent
    free = shutil.disk_usage(probe).free
    if free < needed:
        raise CorpusError(f"{what} needs about {needed / 1e9:.1f} GB free in {probe}, "
                          f"but only {free / 1e9:.1f} GB is free")


_MODEL: Optional[SourceModel] = None
_CALENDAR: Optional[Calendar] = None


def _write_job(job: tuple[Path, int, int, int, int]) -> tuple[int, int]:
    root, seed, shard, first, last = job
    assert _MODEL is not None and _CALENDAR is not None
    return last - first, Writer(_MODEL, _CALENDAR, seed).write_shard(root, shard, first, last)


def generate(plan: Plan, out: Path, *, workers: Optional[int] = None,
             log: Callable[[str], None] = lambda _: None) -> dict:
    """Generate the corpus at ``out`` (reusing a complete one with the same parameters); returns its
    marker. Raises :class:`CorpusError` for a bad source or too little disk space."""
    global _MODEL, _CALENDAR
    if plan.articles < 1:
        raise CorpusError("the corpus needs at least one article")
    params = corpus_params(plan)
    marker = read_marker(out)
    if marker is not None and {k: marker.get(k) for k in params} == params:
        log(f"reusing the complete corpus at {out}")
        return marker
    started = time.monotonic()
    model = build_model(plan.source)
    log(f"model from {model.articles:,} source articles: {len(model.words):,} distinct tokens "
        f"({time.monotonic() - started:.1f} s)")
    check_space(out.parent, space_needed(plan.articles, model.mean_article_bytes),
                f"a corpus of {plan.articles:,} articles")
    partial = out.with_name(out.name + ".partial")
    for stale in (partial, out):  # an interrupted run, or a corpus with other parameters
        if stale.exists():
            if not (stale / OWNER).exists():
                raise CorpusError(f"refusing to replace {stale}: it was not written by scale_corpus.py")
            shutil.rmtree(stale)
    partial.mkdir(parents=True)
    (partial / OWNER).write_text("written by benchmarks/scale_corpus.py\n", encoding="utf-8")
    _MODEL, _CALENDAR = model, Calendar(plan.articles + plan.extra, plan.seed)
    jobs = [(partial / part, plan.seed, shard, first, last) for part, shard, first, last in plan.shards()]
    workers = workers or min(4, os.cpu_count() or 1)
    done = written = 0
    try:
        if workers > 1 and len(jobs) > 1:
            import multiprocessing

            with multiprocessing.get_context("fork").Pool(workers) as pool:
                for count, size in pool.imap_unordered(_write_job, jobs, chunksize=4):
                    done, written = done + count, written + size
                    if done % 100_000 < count:
                        log(f"  {done:,} articles written")
        else:
            for job in jobs:
                count, size = _write_job(job)
                done, written = done + count, written + size
    finally:
        _MODEL = _CALENDAR = None
    marker = {**params, "bytes": written, "generated_at": dt.datetime.now(dt.timezone.utc).isoformat(
        timespec="seconds"), "seconds": round(time.monotonic() - started, 1)}
    (partial / MARKER).write_text(json.dumps(marker, indent=1) + "\n", encoding="utf-8")
    os.replace(partial, out)
    log(f"wrote {plan.articles:,} + {plan.extra:,} articles ({written / 1e6:,.0f} MB) to {out} "
        f"in {marker['seconds']} s")
    return marker


def default_out(articles: int, seed: int) -> Path:
    return DEFAULT_WORK / f"corpus-{articles}-s{seed}"


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("articles", type=int, help="how many articles (plus 1%% extra for the update run)")
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE,
                        help="seeds folder whose statistics to use (default ../shared/corpora/reuters21578)")
    parser.add_argument("--seed", type=int, default=1987, help="random seed (default 1987)")
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default benchmarks/.work/scale/corpus-N-sSEED)")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: one per core, max 4)")
    args = parser.parse_args(argv)
    out = (args.out or default_out(args.articles, args.seed)).resolve()
    try:
        generate(Plan(args.articles, args.seed, args.source), out, workers=args.workers,
                 log=lambda message: print(message, file=sys.stderr, flush=True))
    except CorpusError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
