"""searchkit: full-text search for news articles.

    >>> import searchkit
    >>> index = searchkit.open_index("index", create=True)
    >>> report = index.update("seeds")
    >>> for hit in index.search('"everybody hurts"'):
    ...     print(hit.date, hit.headline)

Everything public is listed in ``__all__``; the rest is private.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from searchkit.articles import Article
    from searchkit.engines.base import Progress
    from searchkit.errors import (
        AlertExistsError,
        AlertNotFoundError,
        AlertsConflictError,
        AlertStateError,
        ArticleNotFoundError,
        ArticlesWouldBeLostError,
        BuildWorkerDiedError,
        EngineNotAvailableError,
        EngineRejectedError,
        EngineUnreachableError,
        IndexCorruptError,
        IndexLockedError,
        IndexNotFoundError,
        IndexVersionError,
        InvalidArticleError,
        InvalidDateError,
        InvalidOptionError,
        LanguageSupportMissingError,
        QuerySyntaxError,
        RemovalsNotAllowedError,
        SearchkitError,
        SearchTimeoutError,
        SeedError,
        SeedOwnedArticleError,
        SeedsNotFoundError,
        StaleReaderError,
        UnknownEngineError,
        UnknownLanguageError,
        UnsupportedQueryError,
        WriterLeaseHeldError,
        WriterLeaseLostError,
    )
    from searchkit.index.facade import Index, open_index
    from searchkit.index.stats import Stats
    from searchkit.query import (
        And,
        DateRange,
        Fuzzy,
        Language,
        MatchAll,
        Node,
        Not,
        Or,
        Phrase,
        Prefix,
        Term,
        Wildcard,
        parse,
    )
    from searchkit.reports import AlertMatch, SavedSearch, UpdateReport
    from searchkit.results import (
        Bucket,
        Changes,
        DuplicateGroup,
        Edit,
        Explanation,
        Facets,
        Histogram,
        Hit,
        LanguageCount,
        Results,
        Story,
        Version,
    )

#: The module that defines each public name. Names are imported on first use (PEP 562), so that a
#: command loads only the modules it needs: a cold `searchkit query` does not pay for the writers' or
#: the alerts' classes (tests/test_imports.py checks what a query imports).
_HOMES: dict[str, tuple[str, ...]] = {
    "searchkit.articles": ("Article",),
    "searchkit.engines.base": ("Progress",),
    "searchkit.index.facade": ("Index", "open_index"),
    "searchkit.index.stats": ("Stats",),
    "searchkit.reports": ("AlertMatch", "SavedSearch", "UpdateReport"),
    "searchkit.query": ("And", "DateRange", "Fuzzy", "Language", "MatchAll", "Node", "Not", "Or", "Phrase",
                        "Prefix", "Term", "Wildcard", "parse"),
    "searchkit.results": ("Bucket", "Changes", "DuplicateGroup", "Edit", "Explanation", "Facets", "Histogram",
                          "Hit", "LanguageCount", "Results", "Story", "Version"),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}


__version__ = "0.1.0"

__all__ = [
    "Article", "Index", "open_index", "UpdateReport", "Stats", "Progress", "SavedSearch", "AlertMatch",
    "Hit", "Results", "Explanation", "Histogram", "Bucket", "Facets", "LanguageCount",
    "DuplicateGroup",
    "Story", "Version", "Changes", "Edit",
    "parse", "Node", "Term", "Phrase", "Prefix", "Wildcard", "Fuzzy", "DateRange", "Language", "MatchAll",
    "And", "Or", "Not",
    "SearchkitError", "SeedError", "SeedsNotFoundError", "IndexNotFoundError", "IndexCorruptError",
    "IndexVersionError", "IndexLockedError", "ArticleNotFoundError", "InvalidArticleError",
    "InvalidDateError", "InvalidOptionError", "QuerySyntaxError", "ArticlesWouldBeLostError",
    "EngineNotAvailableError", "UnknownEngineError", "UnsupportedQueryError", "EngineUnreachableError",
    "EngineRejectedError", "StaleReaderError", "BuildWorkerDiedError", "SearchTimeoutError",
    "AlertExistsError", "AlertNotFoundError", "AlertStateError", "AlertsConflictError",
    "RemovalsNotAllowedError",
    "UnknownLanguageError", "LanguageSupportMissingError",
    "SeedOwnedArticleError", "WriterLeaseHeldError", "WriterLeaseLostError",
]


def __getattr__(name: str) -> Any:
    module = _HOME_OF.get(name) or ("searchkit.errors" if name in __all__ else None)
    if module is None:
        raise AttributeError(f"module 'searchkit' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
