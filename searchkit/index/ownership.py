"""Who owns an article's id: a seed file (the manifest lists it) or the library (``Index.add``).

The rule keeps every user's article: ``add()`` of an id a seed file owns is refused
(:class:`SeedOwnedArticleError`: the file is the article's source, and the next update would read it
back), and a seed file whose id a library article holds is skipped with a line in the report, the
library article kept, on an update and a rebuild alike. A rebuild carries the library articles over,
and never loses one silently.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Collection, Optional

from searchkit.articles import Article, SeedFile
from searchkit.engines import DEFAULT_ENGINE, get_engine
from searchkit.errors import (
    LIBRARY_ID_REASON,
    ArticlesWouldBeLostError,
    EngineNotAvailableError,
    IndexCorruptError,
    SearchkitError,
    SeedError,
    SeedOwnedArticleError,
    UnknownEngineError,
)
from searchkit.index import generations, storage

if TYPE_CHECKING:
    from pathlib import Path


def check_not_seed_owned(generation: generations.Generation, manifest: storage.Manifest,
                         articles: list[Article]) -> None:
    """Raise :class:`SeedOwnedArticleError` if a seed file owns the id of one of ``articles``."""
    owned = manifest.stamps().keys() & {article.id for article in articles}
    if owned:
        first = min(owned)
        raise SeedOwnedArticleError(first, _stored_path(generation, first))


def _stored_path(generation: generations.Generation, article_id: str) -> Optional[str]:
    reader = generation.engine.open_reader(generation.folder)
    try:
        stored = reader.get(article_id)
        return stored.path if stored is not None else None
    finally:
        reader.close()


def keep_library_ids(found: list[SeedFile], library: Collection[str]
                     ) -> tuple[list[SeedFile], list[SeedError]]:
    """The seed files to read, less those whose id is a library article's, which the library keeps:
    each of those is a skipped file of the report, never a silent overwrite."""
    if not library:
        return found, []
    kept = [seed for seed in found if seed.id not in library]
    skipped = [SeedError(seed.path, LIBRARY_ID_REASON.format(id=seed.id))
               for seed in found if seed.id in library]
    return kept, skipped


def library_ids(generation: generations.Generation, manifest: storage.Manifest, new: list[str]) -> set[str]:
    """The ids among ``new`` (files an update reads for the first time) that library articles hold."""
    if not new or manifest.library_articles == 0:
        return set()
    reader = generation.engine.open_reader(generation.folder)
    try:
        return {article_id for article_id in new if reader.get(article_id) is not None}
    finally:
        reader.close()


def library_articles(index_dir: "Path", *, discard_unreadable: bool) -> tuple[list[Article], Optional[int]]:
    """The live generation's library articles, to carry over, and how many are lost: 0, or with
    ``discard_unreadable`` the number that could not be read (``None`` if unknown). Without it,
    articles that cannot be read raise :class:`ArticlesWouldBeLostError`: losing them is never silent."""
    name = storage.current_generation(index_dir)
    if name is None:
        return [], 0
    folder = index_dir / name
    if not folder.is_dir():  # nothing of the old index is left to read, so a rebuild loses nothing
        return [], 0
    engine_name = generations.engine_name_of(index_dir)
    try:
        # Best effort even across a schema change: stored articles usually still read.
        engine = get_engine(engine_name or DEFAULT_ENGINE)
        reader = engine.open_reader(folder)
        try:
            return list(reader.articles_without_seed()), 0
        finally:
            reader.close()
    except (IndexCorruptError, UnknownEngineError, EngineNotAvailableError) as error:
        failure: SearchkitError = error
    # The manifest counts them at every write (only a writer killed between its commit and its
    # manifest leaves the count behind).
    manifest = storage.Manifest.load(folder)
    known = manifest.library_articles if manifest is not None else None
    if known == 0:
        return [], 0
    if not discard_unreadable:
        reason = failure.reason if isinstance(failure, IndexCorruptError) else str(failure)
        raise ArticlesWouldBeLostError(index_dir, known, reason) from failure
    return [], known
