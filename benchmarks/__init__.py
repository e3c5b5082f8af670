"""Reproducible benchmarks: searchkit side by side with plain Whoosh and SQLite FTS5 (see README.md)."""
