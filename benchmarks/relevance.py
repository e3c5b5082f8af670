"""Ranking quality on the CISI and TIME test collections: searchkit, plain Whoosh and SQLite FTS5, in one run.

    python benchmarks/relevance.py [--cisi DIR] [--time DIR | --no-time] [--queries N] [--work DIR]
                                   [--out benchmarks/results/relevance.md]

CISI (1,460 library-science abstracts, 112 queries, relevance judgements for 76 of them) becomes seed
files (``date 1980-01-01 <title>``, then the abstract; the id is the CISI number zero-padded, ``0042``);
so does TIME (423 news articles of 1963, 83 judged queries; read by ``relevance_time.py``). Every system
indexes the same titles and abstracts, and every judged query runs to depth 1,000. Reported per
collection and system: MAP, nDCG@10 (binary relevance), P@10 and recall@1000, as markdown (``--out``) and
as JSON next to it (``relevance_report.py``). Reading the collections, the metrics, the systems and the
report are separate functions, so the tests use them on hand-made collections.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import re
import shutil
import sqlite3
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

REPO_ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):  # run as a script: import this folder as the `benchmarks` package
    if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
        sys.path[0] = str(REPO_ROOT)
    else:
        sys.path.insert(0, str(REPO_ROOT))

DEFAULT_CISI = REPO_ROOT.parent / "shared" / "corpora" / "cisi"
DEFAULT_TIME = REPO_ROOT.parent / "shared" / "corpora" / "time"
DEFAULT_OUT = REPO_ROOT / "benchmarks" / "results" / "relevance.md"
DEFAULT_WORK = REPO_ROOT / "benchmarks" / ".work"
CISI_FILES = ("CISI.ALL", "CISI.QRY", "CISI.REL")
#: CISI has no dates; every document gets this one.
SEED_DATE = dt.date(1980, 1, 1)
#: Ranks beyond this count as not retrieved.
DEPTH = 1000
CUTOFF = 10
#: Sign flips in the paired randomization test against the default search.
TRIALS = 10_000
MARKER = ".made-by-benchmarks-relevance"

_FIELD_LINE = re.compile(r"^\.([A-Z])(?:\s+(.*?))?\s*$")
_WORD = re.compile(r"\w+")


class SetupError(Exception):
    """The CISI folder is missing or unreadable, or a scratch folder is not ours to delete."""


# --------------------------------------------------------------------------------------------------
# Reading CISI


@dataclass(frozen=True)
class Document:
    id: int
    title: str
    abstract: str


@dataclass(frozen=True)
class Collection:
    documents: tuple[Document, ...]
    queries: Mapping[int, str]  # query id -> text (.W)
    judgements: Mapping[int, frozenset[str]]  # query id -> keys (``doc_key``) of the relevant documents

    @property
    def judged_queries(self) -> list[int]:
        """Ids of the queries that have text and at least one relevant document, in order."""
        return sorted(q for q, relevant in self.judgements.items() if relevant and q in self.queries)


def read_records(text: str) -> list[dict[str, str]]:
    """Split SMART-format text (``.I id``, then ``.T``, ``.W``, ... field markers) into records.

    Each record maps ``"I"`` to its id and each field letter to the field's text, lines kept; a field
    given twice (CISI documents with several ``.A`` lines) has its parts joined by newlines.
    """
    records: list[dict[str, list[str]]] = []
    name = ""
    for line in text.splitlines():
        match = _FIELD_LINE.match(line)
        if match is not None:
            name, rest = match.group(1), match.group(2) or ""
            if name == "I":
                records.append({"I": [rest]})
            elif records:
                records[-1].setdefault(name, []).extend([rest] if rest else [])
        elif records and name != "I":
            records[-1].setdefault(name, []).append(line)
    return [{key: "\n".join(lines).strip() for key, lines in record.items()} for record in records]


def _record_id(record: Mapping[str, str], source: str) -> int:
    if not record["I"].isdigit():
        raise SetupError(f"{source}: '.I {record['I']}' is not a number")
    return int(record["I"])


def parse_documents(text: str) -> list[Document]:
    """CISI.ALL's documents: the title joined into one line, the abstract with its line breaks."""
    documents = []
    for record in read_records(text):
        title = " ".join(record.get("T", "").split())
        abstract = "\n".join(line.strip() for line in record.get("W", "").splitlines()).strip()
        documents.append(Document(id=_record_id(record, "CISI.ALL"), title=title, abstract=abstract))
    return documents


def parse_queries(text: str) -> dict[int, str]:
    """CISI.QRY's queries: id -> the ``.W`` text as one line."""
    return {_record_id(record, "CISI.QRY"): " ".join(record.get("W", "").split())
            for record in read_records(text)}


def parse_judgements(text: str) -> dict[int, frozenset[str]]:
    """CISI.REL (``qid docid 0 0.000000`` lines): query id -> the keys of its relevant documents."""
    relevant: dict[int, set[str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) < 2 or not (parts[0].isdigit() and parts[1].isdigit()):
            raise SetupError(f"CISI.REL line {number} is not 'query-id doc-id ...': {line.strip()!r}")
        relevant.setdefault(int(parts[0]), set()).add(doc_key(int(parts[1])))
    return {query: frozenset(docs) for query, docs in relevant.items()}


def load_collection(folder: Path) -> Collection:
    """Read CISI.ALL, CISI.QRY and CISI.REL from ``folder``; raises :class:`SetupError`."""
    if not folder.is_dir():
        raise SetupError(f"CISI folder not found: {folder} (it should hold {', '.join(CISI_FILES)}; "
                         "pass --cisi DIR)")
    missing = [name for name in CISI_FILES if not (folder / name).is_file()]
    if missing:
        raise SetupError(f"{folder} lacks {', '.join(missing)} (a CISI folder holds {', '.join(CISI_FILES)})")

    def read(name: str) -> str:
        return (folder / name).read_text(encoding="utf-8", errors="replace")

    documents = parse_documents(read("CISI.ALL"))
    if not documents:
        raise SetupError(f"{folder / 'CISI.ALL'} holds no documents ('.I id' records)")
    return Collection(tuple(documents), parse_queries(read("CISI.QRY")), parse_judgements(read("CISI.REL")))


# --------------------------------------------------------------------------------------------------
# Seed files and scratch folders


def doc_key(doc_id: int) -> str:
    """The seed id of a CISI document: its number zero-padded to four digits (42 -> ``0042``)."""
    return f"{doc_id:04d}"


def seed_text(document: Document) -> str:
    """One document in the seed format: ``date 1980-01-01 <title>``, then the abstract."""
    return f"date {SEED_DATE.isoformat()} {document.title}\n{document.abstract}\n"


def write_seeds(documents: Iterable[Document], folder: Path) -> int:
    """Write one ``<key>.txt`` seed file per document into ``folder`` (made fresh); returns how many."""
    fresh_dir(folder)
    count = 0
    for document in documents:
        (folder / f"{doc_key(document.id)}.txt").write_text(seed_text(document), encoding="utf-8")
        count += 1
    return count


def fresh_dir(path: Path) -> Path:
    """Remove and recreate a scratch folder, refusing to delete one this script did not make."""
    if path.exists():
        if not (path / MARKER).exists():
            raise SetupError(f"refusing to delete {path}: it was not made by benchmarks/relevance.py")
        shutil.rmtree(path)
    path.mkdir(parents=True)
    (path / MARKER).write_text("made by benchmarks/relevance.py; deleted and recreated on every run\n")
    return path


# --------------------------------------------------------------------------------------------------
# Metrics (binary relevance; a ranking is document keys, best first)


def average_precision(ranking: Sequence[str], relevant: frozenset[str], depth: int = DEPTH) -> float:
    """The mean, over all relevant documents, of the precision at each one's rank; a relevant document
    not in the first ``depth`` ranks counts 0."""
    if not relevant:
        return 0.0
    found, total = 0, 0.0
    for rank, key in enumerate(ranking[:depth], start=1):
        if key in relevant:
            found += 1
            total += found / rank
    return total / len(relevant)


def ndcg_at(ranking: Sequence[str], relevant: frozenset[str], k: int = CUTOFF) -> float:
    """nDCG@k with gain 1 per relevant document: DCG over the DCG of a perfect ranking."""
    if not relevant:
        return 0.0
    dcg = sum(1.0 / math.log2(rank + 1) for rank, key in enumerate(ranking[:k], start=1) if key in relevant)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(k, len(relevant)) + 1))
    return dcg / ideal


def precision_at(ranking: Sequence[str], relevant: frozenset[str], k: int = CUTOFF) -> float:
    """The share of the first ``k`` ranks (not of the hits returned) that hold relevant documents."""
    return sum(1 for key in ranking[:k] if key in relevant) / k


def recall_at(ranking: Sequence[str], relevant: frozenset[str], k: int = DEPTH) -> float:
    """The share of the relevant documents found in the first ``k`` ranks."""
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranking[:k])) / len(relevant)


@dataclass(frozen=True)
class Scores:
    """Means over the evaluated queries, and each query's average precision."""

    map: float
    ndcg10: float
    p10: float
    recall1000: float
    queries: int
    per_query_ap: Mapping[int, float] = field(default_factory=dict)


def evaluate(rankings: Mapping[int, Sequence[str]], judgements: Mapping[int, frozenset[str]]) -> Scores:
    """Score one system's ``rankings`` (query id -> keys, best first) against ``judgements``.

    Every query in ``rankings`` counts, an empty ranking too (it scores 0).
    """
    if not rankings:
        raise ValueError("no rankings to evaluate")
    per_query_ap = {q: average_precision(r, judgements.get(q, frozenset())) for q, r in rankings.items()}

    def mean(metric: Callable[[Sequence[str], frozenset[str]], float]) -> float:
        return sum(metric(r, judgements.get(q, frozenset())) for q, r in rankings.items()) / len(rankings)

    return Scores(map=sum(per_query_ap.values()) / len(rankings), ndcg10=mean(ndcg_at),
                  p10=mean(precision_at), recall1000=mean(recall_at), queries=len(rankings),
                  per_query_ap=per_query_ap)


def randomization_p(a: Sequence[float], b: Sequence[float], trials: int = TRIALS, seed: int = 1) -> float:
    """Two-sided p-value of a paired randomization test of ``mean(a) - mean(b)`` (per-query scores of
    two systems, in the same query order): how often randomly swapping each query's pair of scores gives
    a difference at least as large."""
    if len(a) != len(b):
        raise ValueError("paired scores must have the same length")
    diffs = [x - y for x, y in zip(a, b, strict=True) if x != y]
    if not diffs:
        return 1.0
    observed = abs(sum(diffs)) - 1e-12
    rng = random.Random(seed)
    extreme = sum(1 for _ in range(trials)
                  if abs(sum(d if rng.random() < 0.5 else -d for d in diffs)) >= observed)
    return (extreme + 1) / (trials + 1)


# --------------------------------------------------------------------------------------------------
# Systems: each turns query text into a ranking of document keys (at most DEPTH)


Ranker = Callable[[str], list[str]]


@dataclass(frozen=True)
class System:
    name: str
    label: str
    how: str  # one line for the report: what runs
    rank: Ranker


def query_words(text: str) -> list[str]:
    """Lower-cased ``\\w+`` runs: the words the baselines OR together (no query syntax survives)."""
    return _WORD.findall(text.lower())


def all_terms(text: str) -> list[Any]:
    """The ``Term`` of every word of ``text``, stop words included, in order: what
    ``searchkit.parse(word, plain=True)`` makes of each word on its own (a word with no letter or digit
    makes none, as in the parse of the whole text)."""
    import searchkit

    return [searchkit.parse(word, plain=True) for word in text.split() if any(c.isalnum() for c in word)]


def default_terms(text: str) -> list[Any]:
    """The ``Term`` leaves of ``searchkit.parse(text, plain=True)``, in order: the words the default search
    uses (a long query's less its stop words), so that the variants differ only in how they combine them."""
    import searchkit

    tree = searchkit.parse(text, plain=True)
    return list(tree.children) if isinstance(tree, (searchkit.And, searchkit.Or)) else [tree]


def is_long(text: str) -> bool:
    """Whether the default search ORs the words of ``text`` (more than 5 of them) rather than ANDs them."""
    from searchkit.query.parser import LONG_QUERY_WORDS

    return len(all_terms(text)) > LONG_QUERY_WORDS


def build_searchkit(seeds: Path, index_dir: Path, engine: Optional[str] = None) -> Any:
    """A searchkit index of ``seeds`` in the new folder ``index_dir``, built through the library."""
    import searchkit

    ix = searchkit.Index(index_dir, engine=engine)
    report = ix.rebuild(seeds)
    if report.skipped:
        raise RuntimeError(f"searchkit skipped {len(report.skipped)} seed file(s): {report.skipped[0]}")
    return ix


def tantivy_engine_system(seeds: Path, index_dir: Path) -> list[System]:
    """searchkit's default search on its Tantivy engine, when ``searchkit[fast]`` is installed."""
    try:
        import tantivy  # noqa: F401 - only whether the engine can run here
    except ImportError:
        return []
    return [System("searchkit_tantivy", "searchkit on Tantivy (default search)",
                   "the default search, on an index built with `engine=\"tantivy\"` (the same analysis; "
                   "Tantivy's BM25, the same headline weighting)",
                   searchkit_ranker(build_searchkit(seeds, index_dir, engine="tantivy")))]


def searchkit_ranker(ix: Any, make_query: Optional[Callable[[str], Any]] = None) -> Ranker:
    """Rank with ``ix.search``: the query text with ``plain=True``, or the tree ``make_query(text)``."""

    def rank(text: str) -> list[str]:
        query = text if make_query is None else make_query(text)
        return [hit.id for hit in ix.search(query, limit=DEPTH, plain=make_query is None, snippets=False,
                                            collapse=False)]

    return rank


def with_constant(rank: Ranker, name: str, value: float) -> Ranker:
    """``rank`` with the ranking constant ``searchkit.engines.walk.<name>`` set to ``value`` while it runs
    (an ablation)."""
    from searchkit.engines import walk

    def ranked(text: str) -> list[str]:
        kept = getattr(walk, name)
        setattr(walk, name, value)
        try:
            return rank(text)
        finally:
            setattr(walk, name, kept)

    return ranked


def without_proximity(rank: Ranker) -> Ranker:
    """``rank`` with the proximity bonus weighing nothing while it runs."""
    return with_constant(rank, "PROXIMITY_BOOST", 0.0)


def searchkit_systems(ix: Any) -> list[System]:
    """searchkit's default search, and variants built with the public query constructors."""
    import searchkit
    from searchkit import And, Or, Term
    from searchkit.engines.rules import HEADLINE_BOOST

    def any_word(text: str) -> Any:
        return Or(*all_terms(text))

    def old_rule(text: str) -> Any:
        terms = all_terms(text)
        return Or(*terms, minimum=math.ceil(round(0.6 * len(terms), 9))) if is_long(text) else And(*terms)

    def any_one(text: str) -> Any:
        terms = default_terms(text)
        return Or(*terms) if is_long(text) else And(*terms)

    def without_prose_ranking(text: str) -> Any:
        # A tree with a * beside the words is no prose query to the compiler (rules.prose_words): no word
        # weights and no proximity bonus; * matches every article and scores nothing.
        return searchkit.And(searchkit.parse(text, plain=True), searchkit.MatchAll())

    def headline_weight_1(text: str) -> Any:
        tree = searchkit.parse(text, plain=True)
        per_field = [Or(Term(t.text, "headline"), Term(t.text, "body")) for t in default_terms(text)]
        return And(*per_field) if isinstance(tree, And) else Or(*per_field)

    return [
        System("searchkit", "searchkit (default)",
               "`ix.search(text, plain=True)`: more than 5 words parse to `Or(*words)` of the words less "
               "English stop words (the parser's `STOP_WORDS`), with a minimum of one more word per 24; 5 "
               "words or fewer to `And(*words)`; from 4 words on, each word is weighted by how many bodies "
               "hold it and neighbouring words near each other in the body earn a bonus; from 6 words on "
               "(stop words left out), a word's headline and body scores combine as a dis_max, and each "
               "distinct word an article holds earns a small reward (queries of at most 20 distinct words)",
               searchkit_ranker(ix)),
        System("searchkit_no_proximity", "searchkit, no proximity bonus",
               "the default search with the proximity bonus's boost set to 0 for the run (an ablation: "
               "`searchkit.engines.walk.PROXIMITY_BOOST`)", without_proximity(searchkit_ranker(ix))),
        System("searchkit_no_coverage", "searchkit, no coverage reward",
               "the default search with the coverage reward of a long query's words set to 0 for the run "
               "(an ablation: `searchkit.engines.walk.COVERAGE_BOOST`)",
               with_constant(searchkit_ranker(ix), "COVERAGE_BOOST", 0.0)),
        System("searchkit_fields_summed", "searchkit, headline and body summed",
               "the default search with a long query's headline and body scores summed instead of their "
               "dis_max (`searchkit.engines.walk.FIELD_TIE` set to 1 for the run)",
               with_constant(searchkit_ranker(ix), "FIELD_TIE", 1.0)),
        System("searchkit_plain_bm25", "searchkit, no word weights or proximity",
               "the default's tree beside a `*` (`And(tree, MatchAll())`), which the compiler does not treat "
               "as a prose query: plain BM25 over the same words and minimum",
               searchkit_ranker(ix, without_prose_ranking)),
        System("searchkit_any_one", "searchkit, any one word",
               "the default's words as `Or(*words)` with no minimum (`And` for 5 words or fewer)",
               searchkit_ranker(ix, any_one)),
        System("searchkit_any_word", "searchkit, any word, stop words kept",
               "`Or(*words)` of every word, stop words included", searchkit_ranker(ix, any_word)),
        System("searchkit_old_rule", "searchkit, old rule: 60% of the words",
               "`Or(*words, minimum=ceil(0.6 n))` of every word, stop words included, for more than 5 "
               "words, `And(*words)` otherwise: the rule before this one, now enforced by the engine",
               searchkit_ranker(ix, old_rule)),
        System("searchkit_headline_1", "searchkit, headline weight 1",
               "the default's words as `Or(Or(Term(w, 'headline'), Term(w, 'body')), ...)` (`And` for 5 "
               "words or fewer): per-field terms, so a headline match counts like a body match instead of "
               f"{HEADLINE_BOOST:g} times as much (and without the headline-phrase bonus, which only "
               "unfielded words get)",
               searchkit_ranker(ix, headline_weight_1)),
    ]


def build_whoosh_plain(documents: Sequence[Document], index_dir: Path) -> System:
    """Baseline: stock Whoosh (BM25F, B=0.75, K1=1.2), StemmingAnalyzer on title and abstract, and its
    query parser with an OR group (an AND of a long query finds nothing)."""
    from whoosh import index as whoosh_index
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.qparser import MultifieldParser, OrGroup

    schema = Schema(id=ID(stored=True, unique=True), title=TEXT(analyzer=StemmingAnalyzer()),
                    abstract=TEXT(analyzer=StemmingAnalyzer()))
    index_dir.mkdir(parents=True)
    ix = whoosh_index.create_in(str(index_dir), schema)
    writer = ix.writer()
    for document in documents:
        writer.add_document(id=doc_key(document.id), title=document.title, abstract=document.abstract)
    writer.commit()
    searcher = ix.searcher()
    parser = MultifieldParser(["title", "abstract"], schema, group=OrGroup)

    def rank(text: str) -> list[str]:
        query = parser.parse(" ".join(query_words(text)))
        return [hit["id"] for hit in searcher.search(query, limit=DEPTH)]

    return System("whoosh_plain", "plain Whoosh BM25F, OR",
                  "`MultifieldParser(['title', 'abstract'], group=OrGroup)`, StemmingAnalyzer", rank)


FTS5_SCHEMA = ("CREATE VIRTUAL TABLE docs USING fts5(key UNINDEXED, title, abstract, "
               "tokenize='porter unicode61')")
FTS5_QUERY = "SELECT key FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?"


def build_sqlite_fts5(documents: Sequence[Document]) -> System:
    """Baseline: SQLite FTS5 in memory, porter tokenizer, ``bm25`` rank, the query's words quoted, OR-ed."""
    db = sqlite3.connect(":memory:")
    db.execute(FTS5_SCHEMA)
    db.executemany("INSERT INTO docs (key, title, abstract) VALUES (?, ?, ?)",
                   [(doc_key(d.id), d.title, d.abstract) for d in documents])
    db.commit()

    def rank(text: str) -> list[str]:
        words = query_words(text)
        if not words:
            return []
        match = " OR ".join('"' + word.replace('"', '""') + '"' for word in words)
        return [key for (key,) in db.execute(FTS5_QUERY, (match, DEPTH))]

    return System("sqlite_fts5", "SQLite FTS5 bm25, OR",
                  "`bm25(docs)`, `tokenize='porter unicode61'`, words quoted and OR-ed", rank)


@dataclass(frozen=True)
class Run:
    """One system's rankings, the errors of the queries that failed, and how long querying took."""

    rankings: dict[int, list[str]]
    errors: dict[int, str]
    seconds: float


def run_queries(system: System, queries: Mapping[int, str]) -> Run:
    """Run every query; one that raises counts as an empty ranking, and its error is kept for the report."""
    rankings: dict[int, list[str]] = {}
    errors: dict[int, str] = {}
    started = time.perf_counter()
    for query_id, text in queries.items():
        try:
            rankings[query_id] = system.rank(text)[:DEPTH]
        except Exception as error:  # reported in the table and the JSON, never swallowed
            rankings[query_id] = []
            errors[query_id] = f"{type(error).__name__}: {error}"
    return Run(rankings, errors, time.perf_counter() - started)


# --------------------------------------------------------------------------------------------------
# Command line


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--cisi", type=Path, default=DEFAULT_CISI,
                        help="folder with CISI.ALL, CISI.QRY and CISI.REL (default: ../shared/corpora/cisi)")
    parser.add_argument("--time", type=Path, default=DEFAULT_TIME,
                        help="folder with TIME.ALL, TIME.QUE and TIME.REL.ALL (default: "
                             "../shared/corpora/time)")
    parser.add_argument("--no-time", dest="time", action="store_const", const=None,
                        help="evaluate CISI only")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="markdown report (default: benchmarks/results/relevance.md); the JSON goes next "
                             "to it")
    parser.add_argument("--json", type=Path, default=None, help="JSON results (default: --out with .json)")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK,
                        help="scratch folder for the seed files and indexes (default: benchmarks/.work)")
    parser.add_argument("--queries", type=int, default=None, metavar="N",
                        help="evaluate only the first N judged queries: a quick check, not a measurement")
    args = parser.parse_args(argv)
    if args.queries is not None and args.queries < 1:
        parser.error("--queries must be at least 1")
    args.json = args.json or args.out.with_suffix(".json")
    return args


def log(message: str) -> None:
    print(f"[relevance {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main(argv: Optional[Sequence[str]] = None) -> int:
    from benchmarks.measure import machine_info
    from benchmarks.relevance_report import collection_dict, results_dict, write_reports
    from benchmarks.relevance_time import load_time

    args = parse_args(argv)
    work = args.work.resolve()
    sources = [("cisi", load_collection, args.cisi), ("time", load_time, args.time)]
    try:
        collections = {name: (load(folder), folder) for name, load, folder in sources if folder is not None}
        for name in collections:
            fresh_dir(work / f"{name}-indexes")
    except SetupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    figures = {name: evaluate_collection(name, collection, work, args.queries, collection_dict, folder)
               for name, (collection, folder) in collections.items()}
    write_reports(results_dict(figures, machine_info()), args.out, args.json)
    log(f"wrote {args.out} and {args.json}")
    return 0


def evaluate_collection(name: str, collection: Collection, work: Path, limit: Optional[int],
                        collection_dict: Callable[..., dict[str, Any]], folder: Path) -> dict[str, Any]:
    """Index ``collection`` for every system, run its judged queries (the first ``limit``), score them."""
    seeds = work / f"{name}-seeds"
    log(f"{name}: {write_seeds(collection.documents, seeds)} seed files in {seeds}")
    indexes = work / f"{name}-indexes"
    started = time.perf_counter()
    ix = build_searchkit(seeds, indexes / "searchkit")
    whoosh_plain = build_whoosh_plain(collection.documents, indexes / "whoosh")
    log(f"{name}: indexes built in {time.perf_counter() - started:.1f} s")
    query_ids = collection.judged_queries[:limit]
    queries = {q: collection.queries[q] for q in query_ids}
    systems = [*searchkit_systems(ix), *tantivy_engine_system(seeds, indexes / "searchkit-tantivy"),
               whoosh_plain, build_sqlite_fts5(collection.documents)]
    runs: dict[str, Run] = {}
    scores: dict[str, Scores] = {}
    for system in systems:
        runs[system.name] = run = run_queries(system, queries)
        scores[system.name] = score = evaluate(run.rankings, collection.judgements)
        log(f"{name}: {system.label:48} MAP {score.map:.4f}  nDCG@10 {score.ndcg10:.4f}  "
            f"P@10 {score.p10:.4f}  R@1000 {score.recall1000:.4f}  "
            f"({run.seconds:.1f} s, {len(run.errors)} errors)")
    ix.close()
    lengths = {"long_queries": sum(1 for text in queries.values() if is_long(text)),
               "median_words": statistics.median(len(all_terms(text)) for text in queries.values())}
    return collection_dict(collection, query_ids, systems, runs, scores, folder.resolve(), lengths)


if __name__ == "__main__":
    # Run as benchmarks.relevance, the module benchmarks/relevance_time.py and _report.py import, so that
    # both see one SetupError and one Collection.
    from benchmarks import relevance

    sys.exit(relevance.main())
