"""The README's examples run, and it documents every command and option."""

from __future__ import annotations

import re
import shutil

from searchkit.cli.commands import main

from conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_readme_library_example_runs(tmp_path, monkeypatch):
    (block,) = re.findall(r"```python\n(.*?)```", README, re.DOTALL)
    shutil.copytree(REPO / "seeds", tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102 - our own documentation
    results = namespace["results"]
    assert results.total == 1  # the shipped seed holds the phrase "everybody hurts"


def test_readme_mentions_every_option_of_every_command():
    for name, command in main.commands.items():
        for param in command.params:
            for option in getattr(param, "opts", []):
                if option.startswith("--") and option != "--help":
                    assert option in README, f"searchkit {name} {option} is not in the README"


def test_readme_first_screen_has_the_two_newcomer_commands():
    first_screen = "\n".join(README.splitlines()[:20])
    assert 'searchkit query "Everybody Hurts"' in first_screen
    assert "python -m pytest" in first_screen
