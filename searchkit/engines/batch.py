"""The bookkeeping of one write batch that every engine's writer needs: the puts and deletes of the
batch, last change per id winning, held until the commit applies them; and the ids written in bulk
from seed files, which may not change again in the same batch (see ``EngineWriter.put_seeds``)."""

from __future__ import annotations

from typing import Callable, Iterable, Iterator, Optional

from searchkit.articles import Article, Fingerprint

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
