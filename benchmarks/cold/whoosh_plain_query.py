"""The minimal plain-Whoosh search a cold `searchkit query` is compared with.

Usage: python whoosh_plain_query.py INDEX_DIR QUERY
"""

import sys

from whoosh.index import open_dir
from whoosh.qparser import MultifieldParser

index_dir, text = sys.argv[1], sys.argv[2]
ix = open_dir(index_dir)
with ix.searcher() as searcher:
    query = MultifieldParser(["headline", "body"], ix.schema).parse(text)
    for hit in searcher.search(query, limit=10):
        print(hit["headline"])
