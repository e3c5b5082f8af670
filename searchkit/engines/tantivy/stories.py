"""The Tantivy engine's copy of the stories: the articles that have near-duplicates, indexed again with
their story number, so that collapsing asks Tantivy instead of reading labels.

Collapsing a query needs how many of its matches share a story, and the story of each hit shown. From
searchkit's labels that means reading every labelled article's label and restricting the query to a term
set of their ids, a cost that grows with the index whatever the query. Tantivy cannot add a field to a
document in place, and the stories are known only once every article is indexed, so the labelled
articles go into a small second index, ``stories-index/`` in the generation folder: the main index's
schema (the same field numbers, so one compiled query runs on both) plus :data:`STORY_FIELD`, with only
the fields a query reads. Asking it costs a column read per matching labelled article, far less than a
term set of them all (docs/duplicates.md, "Measurements behind the design").

Each story also has a *whole-story document* there, holding every word of its members' headlines and
bodies, with :data:`WHOLE_STORY_FIELD` and no id. A query that matches exactly the documents holding one
of its words (a word, a prefix, ``a OR b``: :attr:`Compiled.any_word`) matches a story's whole document
exactly when it matches one of its members, so how many matches collapse away is two counts Tantivy
makes, not a bucket per story turned into Python values.

``stories-index/FOR`` names the main commit the copy is for. A writer removes it before changing the
copy and writes it once the copy is committed; a reader reads it before and after opening the copy, and
uses the copy only if both name its own commit. A copy out of step is never used: collapsing then reads
searchkit's labels as for any engine, until the next write makes the copy again.
"""

from __future__ import annotations

import shutil
from collections import Counter, defaultdict
from pathlib import Path
from typing import Callable, Collection, Iterator, Mapping, Optional, Sequence

import tantivy
from tantivy import Query

from searchkit.engines.base import PageStories, Progress
from searchkit.engines.files import write_atomically
from searchkit.engines.seeding import chunks, in_workers, worker_count
from searchkit.engines.tantivy import STORIES_FOLDER, STORIES_FOR_FILE, STORIES_FORMAT, commit_token
from searchkit.engines.tantivy import stories_kept_for as _kept_for
from searchkit.engines.tantivy.schema import (
    KEY_FIELD,
    LANGUAGE_FIELD,
    STORY_FIELD,
    WHOLE_STORY_FIELD,
    build_schema,
    id_key,
    ids_by_key,
    language_of,
    open_index,
    stored_text,
)
from searchkit.text.multilingual import analyzer_for

FOLDER, FOR_FILE = STORIES_FOLDER, STORIES_FOR_FILE
#: Articles per task when analysing in worker processes.
_CHUNK = 500
#: Articles read back from the main index per opening of it (see ``_stored_texts``).
_READ_BATCH = 4_000
_WRITER_HEAP_BYTES = 64_000_000
#: Queries whose collapsed count a reader of the copy keeps.
_HIDDEN_KEPT = 64
#: The stories a query matches more than once, with how often (at most Tantivy's 65,000 buckets).
_SHARED = {"shared": {"terms": {"field": STORY_FIELD, "size": 65_000, "min_doc_count": 2}}}

#: The copy's articles, not its whole-story documents.
_MEMBERS = Query.exists_query(STORY_FIELD)
#: Its whole-story documents.
_WHOLE_STORIES = Query.exists_query(WHOLE_STORY_FIELD)

#: An article as the stories index needs it: id, date (ordinal), analysed headline and body.
Words = tuple[str, int, str, str, str]  # id, date, headline words, body words, language


def keep(folder: Path, labels: Callable[[], Mapping[str, int]], *, since: Optional[str],
         changed: Collection[str], progress: Optional[Progress] = None) -> None:
    """Bring the copy in ``folder`` in step with the main index's latest commit and its ``labels()``
    (see :meth:`searchkit.engines.base.Engine.keep_stories`): by the changes since ``since`` when the
    copy was in step with it, else made again."""
    side = folder / FOLDER
    kept_for = _kept_for(folder)
    (side / FOR_FILE).unlink(missing_ok=True)  # out of step from here until the copy is committed
    index = None if since is None or kept_for != since else _open(side)
    current = _labels_in(index) if index is not None else None
    if index is None or current is None:
        shutil.rmtree(side, ignore_errors=True)
        side.mkdir()
        index = tantivy.Index(build_schema(with_story=True), path=str(side))
        current = {}
    wanted = labels()
    stale = [i for i, story in current.items() if wanted.get(i) != story or i in changed]
    new = {i: story for i, story in wanted.items() if current.get(i) != story or i in changed}
    # The stories whose members change get their whole-story documents written again, from every member.
    touched = {current[i] for i in stale} | set(new.values())
    size = Counter(wanted.values())
    needed = sorted((i for i, story in wanted.items() if story in touched), key=lambda i: (wanted[i], i))
    writer = index.writer(heap_size=_WRITER_HEAP_BYTES, num_threads=1)
    writer.garbage_collect_files()  # a killed writer's files (see TantivyWriter)
    try:
        for article_id in stale:
            writer.delete_documents_by_term("id", article_id)
        if touched:  # by query: tantivy-py deletes no unsigned term
            whole = Query.term_set_query(index.schema, WHOLE_STORY_FIELD, sorted(touched))
            writer.delete_documents_by_query(whole)
        pending: dict[int, list[Words]] = defaultdict(list)  # stories some of whose members are read
        for words in _analysed(folder, needed, progress):
            article_id, date, headline, body, language = words
            story = wanted[article_id]
            if article_id in new:
                writer.add_document(_member(article_id, date, headline, body, language, story))
            pending[story].append(words)
            if len(pending[story]) == size[story]:
                writer.add_document(_whole_story(story, pending.pop(story)))
        for story, members in pending.items():  # members the main index no longer holds
            writer.add_document(_whole_story(story, members))
        writer.commit()
    except BaseException as error:
        writer.rollback()
        if isinstance(error, ValueError):  # Tantivy's I/O errors (a full disk): the copy stays out of step
            raise OSError(f"the stories' copy could not be written: {error}") from error
        raise
    finally:
        writer.wait_merging_threads()
    write_atomically(side / FOR_FILE, f"{STORIES_FORMAT} {commit_token(folder)}".encode("ascii"))


def _member(article_id: str, date: int, headline: str, body: str, language: str,
            story: int) -> tantivy.Document:
    """An article of story ``story`` as the copy holds it (its words analysed)."""
    doc = tantivy.Document()
    doc.add_text("id", article_id)
    doc.add_text(LANGUAGE_FIELD, language)
    doc.add_text("headline", headline)
    doc.add_text("body", body)
    doc.add_integer("date", date)
    doc.add_unsigned(KEY_FIELD, id_key(article_id))
    doc.add_unsigned(STORY_FIELD, story)
    return doc


def _whole_story(story: int, members: Sequence[Words]) -> tantivy.Document:
    """The whole-story document of ``story``: its members' words, headlines with headlines and bodies with
    bodies (no id, date or language: only queries of words count it)."""
    doc = tantivy.Document()
    doc.add_text("headline", " ".join(headline for _, _, headline, _, _ in members))
    doc.add_text("body", " ".join(body for _, _, _, body, _ in members))
    doc.add_unsigned(WHOLE_STORY_FIELD, story)
    return doc


def _open(side: Path) -> Optional[tantivy.Index]:
    """The copy's index, or ``None`` when it cannot be opened (it is then made again)."""
    try:
        return tantivy.Index.open(str(side))
    except ValueError:
        return None


def _labels_in(index: tantivy.Index) -> Optional[dict[str, int]]:
    """``{id: story}`` of every article in the copy; ``None`` when it cannot be read (damaged)."""
    try:
        index.reload()
        searcher = index.searcher()
        if not searcher.num_docs:
            return {}
        addresses = [address for _, address in searcher.search(_MEMBERS, searcher.num_docs).hits]
        stories = searcher.fast_field_values(STORY_FIELD, addresses)
        return {searcher.doc(address)["id"][0]: int(story or 0)
                for address, story in zip(addresses, stories, strict=True)}
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException:  # Tantivy raises ValueError for some damage and panics for other
        return None


def _analysed(folder: Path, ids: Sequence[str], progress: Optional[Progress]) -> Iterator[Words]:
    """Each of ``ids`` read back from the main index and analysed, in worker processes when many.

    This process reads and the workers only analyse: a worker that opened the index itself could hang
    for ever on Tantivy's lock file, held through a descriptor it inherited from a fork made while one
    of this process's Tantivy threads held it."""
    from concurrent.futures.process import BrokenProcessPool  # writes only: a slow import for a cold query

    if not ids:
        return
    jobs = chunks(_stored_texts(folder, ids), _CHUNK)
    workers = worker_count(None, len(ids))
    done = 0
    try:
        for part in map(_analyse, jobs) if workers == 1 else in_workers(_analyse, jobs, workers):
            yield from part
            done += len(part)
            if progress is not None:
                progress(done, len(ids))
    except BrokenProcessPool:
        raise OSError("a worker process analysing articles for the stories' copy died (killed, or out of "
                      "memory?)") from None


def _stored_texts(folder: Path, ids: Sequence[str]) -> Iterator[Words]:
    """The id, date, headline, body and language of each of ``ids`` found in the main index in ``folder``.

    The index is opened again for every :data:`_READ_BATCH` articles: its stored text is memory-mapped,
    and every page read stays in this process's resident memory until the index is closed: through one
    opening, the pages of every labelled article read back would stay, and raise a big build's peak
    memory by far more than the copy needs."""
    for batch in chunks(ids, _READ_BATCH):
        main = open_index(folder)
        main.config_reader("manual")
        searcher = main.searcher()
        for _, address in searcher.search(Query.term_set_query(main.schema, "id", batch), len(batch)).hits:
            doc = searcher.doc(address)
            headline, body = stored_text(doc, "headline_text"), stored_text(doc, "body_text")
            yield doc["id"][0], doc["date"][0], headline, body, language_of(doc)
        del searcher, main  # unmapped before the next batch maps its own pages


def _analyse(texts: list[Words]) -> list[Words]:
    """Headlines and bodies analysed as the main index's are (in a worker process, or not)."""
    analysed = []
    for article_id, date, headline, body, language in texts:
        words = analyzer_for(language).words
        analysed.append((article_id, date, " ".join(words(headline)), " ".join(words(body)), language))
    return analysed


class KeptStories:
    """The copy as one reader sees it: pinned to the state it had when the reader's commit was current."""

    def __init__(self, index: tantivy.Index) -> None:
        self._schema = index.schema
        self._searcher = index.searcher()
        # The collapsed count of the last queries (by the compiled query, which the reader keeps per
        # query): the next page of a query, or the same query again, counts the copy's stories once.
        self._hidden_of: dict[int, tuple[Query, int]] = {}

    @classmethod
    def open(cls, folder: Path, commit: str) -> Optional["KeptStories"]:
        """The copy for main commit ``commit``, or ``None`` when it is out of step or cannot be opened."""
        if _kept_for(folder) != commit:
            return None
        index = _open(folder / FOLDER)
        if index is None:
            return None
        try:
            index.config_reader("manual")
            index.reload()
            kept = cls(index)
        except ValueError:
            return None
        # Opened before a writer removed FOR_FILE, or after it wrote it again for this commit: in step.
        return kept if _kept_for(folder) == commit else None

    def tell(self, query: Query, hit_ids: Sequence[str], *, count: bool,
             any_word: bool = False) -> PageStories:
        """The stories of ``hit_ids`` (matches of ``query``) and their members that ``query`` matches; with
        ``count``, how many of all its matches collapse away (counted by Tantivy, see :meth:`_hidden`;
        ``any_word``: ``query`` matches the documents holding one of its terms). Only the members of the
        hits' stories are read, by a search restricted to those stories."""
        of_hits = self._stories_of(hit_ids)
        shown = set(of_hits.values())
        hidden = self._hidden_once(query, any_word) if count else None
        members = self._members(query, shown) if shown else []
        matching: dict[int, list[str]] = defaultdict(list)
        if members:
            for address, story in zip(members, self._searcher.fast_field_values(STORY_FIELD, members),
                                      strict=True):
                matching[int(story or 0)].append(self._searcher.doc(address)["id"][0])
        return PageStories(of_hits, {story: tuple(sorted(ids)) for story, ids in matching.items()}, hidden)

    def _members(self, query: Query, shown: Collection[int]) -> list[tantivy.DocAddress]:
        """The articles of stories ``shown`` that ``query`` matches."""
        should = tantivy.Occur.Should
        among = Query.boolean_query([(should, Query.term_query(self._schema, STORY_FIELD, number))
                                     for number in shown])
        both = Query.boolean_query([(tantivy.Occur.Must, query), (tantivy.Occur.Must, among)])
        found = int(self._searcher.search(both, 1, count=True).count or 0)  # type: ignore[attr-defined]
        if not found:
            return []
        return [address for _, address in self._searcher.search(both, found, count=False).hits]

    def _stories_of(self, article_ids: Sequence[str]) -> dict[str, int]:
        """The story of each of ``article_ids`` that the copy holds."""
        if not article_ids:
            return {}
        # One term query per id: Tantivy's term set query costs about a millisecond here whatever its size.
        either = Query.boolean_query([(tantivy.Occur.Should, Query.term_query(self._schema, "id", article_id))
                                      for article_id in article_ids])
        found = [address for _, address in self._searcher.search(either, len(article_ids), count=False).hits]
        if not found:
            return {}
        by_key = ids_by_key(article_ids)
        keys = self._searcher.fast_field_values(KEY_FIELD, found)
        stories = self._searcher.fast_field_values(STORY_FIELD, found)
        return {by_key[int(key or 0)]: int(story or 0) for key, story in zip(keys, stories, strict=True)}

    def _hidden_once(self, query: Query, any_word: bool) -> int:
        kept = self._hidden_of.get(id(query))
        if kept is not None and kept[0] is query:
            return kept[1]
        hidden = self._hidden(query, any_word)
        if len(self._hidden_of) >= _HIDDEN_KEPT:
            del self._hidden_of[next(iter(self._hidden_of))]  # the oldest
        self._hidden_of[id(query)] = (query, hidden)  # the query kept too: its id is not reused meanwhile
        return hidden

    def _hidden(self, query: Query, any_word: bool) -> int:
        """How many matches of ``query`` in the copy share a story with another. For a query of
        ``any_word``, its matching members less the whole-story documents it matches (one per story
        matched), two counts; else a terms aggregation over the story column keeping the stories matched
        more than once (Tantivy counts, Python sees only those stories, not every match), or listed match
        by match when it has too many stories for one."""
        if any_word:
            matched = self._count(query)  # members and whole stories
            wholes = self._count(Query.boolean_query([(tantivy.Occur.Must, query),
                                                      (tantivy.Occur.Must, _WHOLE_STORIES)]))
            return matched - 2 * wholes
        try:
            answer = self._searcher.aggregate(query, _SHARED)["shared"]
        except ValueError:  # more buckets than Tantivy's aggregation limit
            answer = None
        if answer is not None and not answer.get("sum_other_doc_count"):
            return sum(bucket["doc_count"] - 1 for bucket in answer["buckets"])
        listed = self._addresses(query)
        stories = self._searcher.fast_field_values(STORY_FIELD, listed) if listed else []
        return len(stories) - len(set(stories))

    def _addresses(self, query: Query) -> list[tantivy.DocAddress]:
        """Every article of the copy that ``query`` matches."""
        members = Query.boolean_query([(tantivy.Occur.Must, query), (tantivy.Occur.Must, _MEMBERS)])
        matches = self._count(members)
        if not matches:
            return []
        return [address for _, address in self._searcher.search(members, matches, count=False).hits]

    def _count(self, query: Query) -> int:
        return int(self._searcher.search(query, 1, count=True).count or 0)  # type: ignore[attr-defined]
