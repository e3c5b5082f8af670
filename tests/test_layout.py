"""The layout is the architecture: what a maintainer relies on in the tree (docs/architecture.md)."""

from __future__ import annotations

import ast
import datetime as dt
import importlib
from pathlib import Path

import pytest

import searchkit
from searchkit.engines import engine_names, get_engine
from searchkit.engines.base import StoryKeepingEngine, StoryKeepingReader
from searchkit.errors import IndexCorruptError

PACKAGE = Path(searchkit.__file__).parent
#: What an engine may import of searchkit: the shared values, the query language, text analysis, engines.
ENGINE_MAY_IMPORT = {"articles", "errors", "query", "reports", "results", "text", "engines"}


def searchkit_imports(path: Path) -> set[str]:
    """The searchkit modules ``path`` imports, anywhere in it (as dotted names after ``searchkit.``)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "searchkit":
                found.update(alias.name for alias in node.names)
            elif node.module.startswith("searchkit."):
                found.add(node.module.removeprefix("searchkit."))
        elif isinstance(node, ast.Import):
            found.update(alias.name.removeprefix("searchkit.") for alias in node.names
                         if alias.name.startswith("searchkit."))
    return found


ENGINE_MODULES = sorted((PACKAGE / "engines").rglob("*.py"))


@pytest.mark.parametrize("path", ENGINE_MODULES, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_an_engine_imports_only_what_lies_below_the_seam(path):
    above = {name for name in searchkit_imports(path) if name.split(".")[0] not in ENGINE_MAY_IMPORT}
    assert not above, f"{path.relative_to(PACKAGE)} imports {sorted(above)} from above the engine seam"


def test_the_top_level_keeps_few_flat_modules():
    flat = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(flat) <= 8, flat


@pytest.mark.parametrize("package", ["index", "news", "text", "cli"])
def test_a_layer_s_init_imports_nothing_of_searchkit(package):
    # A cold query pays for every module it loads: a package's __init__ must not drag its siblings in.
    body = ast.parse((PACKAGE / package / "__init__.py").read_text(encoding="utf-8")).body
    at_import = [ast.unparse(node) for node in body if isinstance(node, (ast.Import, ast.ImportFrom))
                 and "searchkit" in ast.unparse(node)]
    assert at_import == [], f"searchkit/{package}/__init__.py imports on import: {at_import}"


def test_old_import_paths_of_the_facade_and_the_command_still_work():
    from searchkit.cli import main
    from searchkit.index import Index, open_index

    assert Index is searchkit.Index and open_index is searchkit.open_index and callable(main)


def test_every_public_name_is_exported_and_every_raised_error_is_public():
    for name in searchkit.__all__:
        assert getattr(searchkit, name) is not None
    from searchkit import errors

    raised = {name for name, value in vars(errors).items()
              if isinstance(value, type) and issubclass(value, errors.SearchkitError)}
    assert raised <= set(searchkit.__all__), sorted(raised - set(searchkit.__all__))


def test_the_type_checker_sees_every_public_name_where_it_is_loaded_from():
    # searchkit imports its public names on first use; mypy reads them from the TYPE_CHECKING block, so
    # the block, the table of homes and __all__ must name the same things from the same modules.
    tree = ast.parse((PACKAGE / "__init__.py").read_text())
    block = next(node for node in tree.body
                 if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING")
    typed = {alias.name: node.module for node in block.body if isinstance(node, ast.ImportFrom)
             for alias in node.names}
    assert set(typed) == set(searchkit.__all__)
    for name, module in typed.items():
        assert searchkit._HOME_OF.get(name, "searchkit.errors") == module, name
        assert getattr(importlib.import_module(module), name) is getattr(searchkit, name)


def test_engines_without_stories_carry_no_stories_methods():
    for name in ("whoosh", "opensearch"):
        try:
            engine = get_engine(name)
        except searchkit.EngineNotAvailableError:
            continue
        assert not isinstance(engine, StoryKeepingEngine)
        assert not hasattr(engine, "keep_stories")
    assert isinstance(get_engine("memory"), StoryKeepingEngine)


def test_the_memory_engine_serves_an_application_s_tests(tmp_path):
    assert "memory" in engine_names()
    index = searchkit.open_index(tmp_path / "index", create=True, engine="memory")
    index.add_many([
        searchkit.Article("a", dt.date(2024, 5, 1), "Pink tours Europe", "The singer announced dates."),
        searchkit.Article("b", dt.date(2024, 5, 2), "Markets", "Gold rose; the singer was not asked."),
    ])
    assert [hit.id for hit in index.search("singer", sort="newest")] == ["b", "a"]
    assert [hit.id for hit in index.search("headline:pink")] == ["a"]
    assert index.get("b").headline == "Markets" and len(index) == 2
    index.delete("a")
    assert [hit.id for hit in index.search("singer")] == ["b"]
    reader = get_engine("memory").open_reader(index.path / (index.path / "CURRENT").read_text().strip())
    assert isinstance(reader, StoryKeepingReader)


def test_a_memory_index_from_another_process_says_it_holds_nothing(tmp_path):
    index = searchkit.open_index(tmp_path / "index", create=True, engine="memory")
    live = index.path / (index.path / "CURRENT").read_text().strip()
    with pytest.raises(IndexCorruptError, match="by this process"):
        type(get_engine("memory"))().open_reader(live)  # a fresh engine object stands for another process
