"""One write batch, as every engine's writer keeps it: the puts and deletes of the batch, last change per
id winning, held until the commit applies them; and the ids written in bulk from seed files, which may
not change again in the same batch (see ``EngineWriter.put_seeds``).

:class:`BatchWriter` is the writer base: it implements the protocol's ``put``, ``delete``,
``put_seeds`` and ``commit`` over :class:`PendingChanges`, and an engine fills in how to tell a
committed article (:meth:`~BatchWriter.is_committed`), how to apply and commit the batch
(:meth:`~BatchWriter.apply`), and :meth:`~BatchWriter.cancel`. An engine that writes seed files in
bulk (into segments, through worker processes, in chunks to a cluster) overrides
:meth:`~BatchWriter.write_seeds`; by default they are read here, one after another, and applied with
the rest of the batch."""

from __future__ import annotations

import itertools
from abc import ABC, abstractmethod
from typing import Callable, Iterable, Iterator, Mapping, Optional, Sequence

from searchkit.articles import Article, Fingerprint, SeedFile
from searchkit.engines.base import Progress, SeedOutcome
from searchkit.engines.seeding import index_seed_files

Change = Optional[tuple[Article, Optional[Fingerprint]]]  # None: deleted


class PendingChanges:
    """One batch's changes; ``is_committed(id)`` says whether the committed state holds an article."""

    def __init__(self, is_committed: Callable[[str], bool]) -> None:
        self._is_committed = is_committed
        self._changes: dict[str, Change] = {}
        self._from_seeds: set[str] = set()

    def put(self, article: Article, fingerprint: Optional[Fingerprint] = None) -> None:
        self._refuse_if_from_seeds(article.id)
        self._changes[article.id] = (article, fingerprint)

    def delete(self, article_id: str) -> bool:
        """Record a delete; False (and nothing recorded) when there is no such article."""
        self._refuse_if_from_seeds(article_id)
        if article_id in self._changes:
            existed = self._changes[article_id] is not None
        else:
            existed = indexable_id(article_id) and self._is_committed(article_id)
        if existed:
            self._changes[article_id] = None
        return existed

    def written_from_seeds(self, article_ids: Iterable[str]) -> None:
        """Ids the engine has just written in bulk: they replace any change of theirs in this batch."""
        for article_id in article_ids:
            self._changes.pop(article_id, None)
            self._from_seeds.add(article_id)

    def items(self) -> Iterator[tuple[str, Change]]:
        """Each changed id and its last change, to apply at commit."""
        return iter(self._changes.items())

    def _refuse_if_from_seeds(self, article_id: str) -> None:
        if article_id in self._from_seeds:  # already in the engine's new segments: not every engine can undo
            raise RuntimeError(f"article {article_id!r} was written from its seed file in this batch")


def indexable_id(article_id: str) -> bool:
    """Whether an article could have this id (one typed on a terminal that is not UTF-8 cannot)."""
    try:
        article_id.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class BatchWriter(ABC):
    """The protocol's writer over one :class:`PendingChanges`; see the module docstring."""

    def __init__(self) -> None:
        self._changes = PendingChanges(self.is_committed)
        self._seeded: dict[str, Change] = {}  # seed files read by the default write_seeds

    def put(self, article: Article, fingerprint: Optional[Fingerprint] = None) -> None:
        self._changes.put(article, fingerprint)

    def delete(self, article_id: str) -> bool:
        return self._changes.delete(article_id)

    def put_seeds(
        self,
        seeds: Sequence[SeedFile],
        *,
        known_digests: Mapping[str, str],
        max_bytes: int,
        progress: Optional[Progress] = None,
        workers: Optional[int] = None,
        language: Optional[str] = None,
    ) -> SeedOutcome:
        outcome = self.write_seeds(seeds, known_digests=known_digests, max_bytes=max_bytes,
                                   progress=progress, workers=workers, language=language)
        self._changes.written_from_seeds(outcome.indexed)
        return outcome

    def commit(self) -> None:
        try:
            self.apply(itertools.chain(self._seeded.items(), self._changes.items()))
        except BaseException:
            self.cancel()  # a commit that failed half-way (a full disk) must not keep the engine's lock
            raise

    def write_seeds(self, seeds: Sequence[SeedFile], *, known_digests: Mapping[str, str], max_bytes: int,
                    progress: Optional[Progress], workers: Optional[int],
                    language: Optional[str] = None) -> SeedOutcome:
        """Read and write ``seeds`` (see ``EngineWriter.put_seeds``); by default read here, one after
        another, and held to be applied with the batch."""

        def hold(article: Article, fingerprint: Optional[Fingerprint]) -> None:
            self._seeded[article.id] = (article, fingerprint)

        return index_seed_files(hold, seeds, known_digests=known_digests, max_bytes=max_bytes,
                                progress=progress, language=language)

    @abstractmethod
    def is_committed(self, article_id: str) -> bool:
        """Whether the committed state holds the article ``article_id``."""

    @abstractmethod
    def apply(self, changes: Iterable[tuple[str, Change]]) -> None:
        """Apply each id's last change (``None``: delete) and commit the batch, atomically; on failure
        the batch is cancelled and the error propagates."""

    @abstractmethod
    def cancel(self) -> None:
        """Drop the batch (see ``EngineWriter.cancel``)."""
