"""A story's versions: an article and its near-duplicate rewrites in date order, each with what changed
since the version before (a word-level diff of headline and body, :mod:`searchkit.text.wordiff`)."""

from __future__ import annotations

from typing import Iterable

from searchkit.articles import Article
from searchkit.results import Changes, Story, Version
from searchkit.text.wordiff import word_diff


def story_of(articles: Iterable[Article]) -> Story:
    """The story told by ``articles`` (one or more): oldest first, each later version diffed against the
    one before it."""
    ordered = sorted(articles, key=lambda article: (article.date, article.id))
    if not ordered:
        raise ValueError("a story needs at least one article")
    versions = [Version(ordered[0], None)]
    for before, after in zip(ordered, ordered[1:], strict=False):
        changes = Changes(word_diff(before.headline, after.headline), word_diff(before.body, after.body))
        versions.append(Version(after, changes))
    return Story(tuple(versions))
