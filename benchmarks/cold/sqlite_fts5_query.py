"""The minimal SQLite FTS5 search a cold `searchkit query` is compared with.

Usage: python sqlite_fts5_query.py DATABASE WORD
"""

import sqlite3
import sys

database, word = sys.argv[1], sys.argv[2]
conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
rows = conn.execute(
    "SELECT headline FROM articles WHERE articles MATCH ? ORDER BY bm25(articles, 0, 3.0, 1.0, 0) LIMIT 10",
    ('"' + word.replace('"', '""') + '"',),
)
for (headline,) in rows:
    print(headline)
