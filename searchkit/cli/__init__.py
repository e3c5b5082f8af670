"""The ``searchkit`` command, a thin layer of click commands over the library.

    commands.py  index, query, show, stats, serve      news.py  related, duplicates, alerts
    options.py   the options, exit codes and error reporting every command shares
    output.py    text and JSON for what the library returns (the HTTP API shares its JSON)

This ``__init__`` imports nothing, so ``searchkit.cli.output`` can be used without loading click.
"""

from __future__ import annotations


def main() -> None:
    """Run the ``searchkit`` command (the console script's entry point)."""
    from searchkit.cli.commands import main as run

    run()
