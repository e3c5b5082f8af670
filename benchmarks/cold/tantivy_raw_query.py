"""The minimal raw-Tantivy search a cold `searchkit query` on the Tantivy engine is compared with.

Usage: python tantivy_raw_query.py INDEX_DIR QUERY
"""

import sys

import tantivy

index_dir, text = sys.argv[1], sys.argv[2]
index = tantivy.Index.open(index_dir)
searcher = index.searcher()
query = index.parse_query(text, ["headline", "body"], conjunction_by_default=True)
for _score, address in searcher.search(query, 10).hits:
    print(searcher.doc(address)["headline"][0])
