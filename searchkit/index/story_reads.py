"""The story side of reading: which articles are versions of one story, from the story labels.

Each function reads one commit (an :class:`OpenReader`) with the labels searchkit keeps for it, so
``Index.duplicates``, ``Index.story_of`` and ``Index.story`` agree with the collapsing of search results.
"""

from __future__ import annotations

from typing import Optional

from searchkit.articles import Article
from searchkit.errors import ArticleNotFoundError
from searchkit.index.readers import OpenReader
from searchkit.news.collapse import LabelCache
from searchkit.results import DuplicateGroup, Story


def duplicates(opened: OpenReader, labels: LabelCache, limit: Optional[int]) -> list[DuplicateGroup]:
    """The stories with more than one version, largest first (the ``limit`` largest), each oldest first."""
    found = []
    members = labels.labels(opened.generation.folder).members.values()
    for ids in sorted(members, key=lambda ids: (-len(ids), ids[0]))[:limit]:
        articles = [article for article in map(opened.reader.get, ids) if article is not None]
        if len(articles) > 1:
            found.append(DuplicateGroup(tuple(sorted(articles, key=lambda a: (a.date, a.id)))))
    return found


def other_versions(opened: OpenReader, labels: LabelCache, article_id: str) -> tuple[str, ...]:
    """The ids of the other versions of ``article_id``'s story; raises :class:`ArticleNotFoundError`."""
    if opened.reader.get(article_id) is None:
        raise ArticleNotFoundError(article_id)
    known = labels.labels(opened.generation.folder)
    story = known.by_id.get(article_id)
    if story is None:
        return ()
    return tuple(i for i in known.members[story] if i != article_id)


def story(opened: OpenReader, labels: LabelCache, article: Article) -> Story:
    """Every version of ``article``'s story in date order, each with what changed since the one before."""
    from searchkit.news import versions  # the word diff: only a story page needs it

    known = labels.labels(opened.generation.folder)
    label = known.by_id.get(article.id)
    ids = known.members[label] if label is not None else (article.id,)
    found = [other for other in map(opened.reader.get, ids) if other is not None]
    return versions.story_of(found or [article])
