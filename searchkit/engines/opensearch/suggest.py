""""Did you mean" on OpenSearch: the nearest headline word, by edit distance, then by frequency.

The same rule as on Tantivy: a word not among the headline words is replaced by the headline word at
most :data:`MAX_EDITS` edits away that shares its first letter, the nearest first, then the one in most
articles, then the first in order. OpenSearch's own term suggester ranks by another similarity, so the
candidates are listed by one terms aggregation per word (first letter and a length window as a Lucene
regular expression) and ranked here.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Sequence

from searchkit.engines.opensearch.compile import lucene_regex
from searchkit.engines.opensearch.schema import VOCABULARY_FIELD
from searchkit.engines.rules import MAX_EDITS, edit_distance
from searchkit.text.analysis import fold

#: At most this many candidate words per unknown word (a headline vocabulary per first letter is smaller).
MAX_CANDIDATES = 20_000

Search = Callable[[dict[str, Any]], dict[str, Any]]


def suggest(search: Search, words: Sequence[str]) -> Optional[str]:
    """``words`` with each unknown one replaced by its nearest headline word, or ``None`` if none is."""
    normals = [fold(word) for word in words]
    asked = sorted({normal for normal in normals if normal.isalpha()})
    if not asked:
        return None
    aggs: dict[str, Any] = {}
    for number, normal in enumerate(asked):
        lowest, highest = max(0, len(normal) - 1 - MAX_EDITS), len(normal) - 1 + MAX_EDITS
        aggs[f"known{number}"] = {"filter": {"term": {VOCABULARY_FIELD: normal}}}
        aggs[f"near{number}"] = {"terms": {
            "field": VOCABULARY_FIELD, "include": f"{lucene_regex(normal[0])}.{{{lowest},{highest}}}",
            "size": MAX_CANDIDATES}}
    answer = search({"size": 0, "track_total_hits": False, "aggs": aggs}).get("aggregations", {})
    nearest: dict[str, Optional[str]] = {}
    for number, normal in enumerate(asked):
        if answer[f"known{number}"]["doc_count"] > 0:
            nearest[normal] = None
            continue
        candidates = []
        for bucket in answer[f"near{number}"]["buckets"]:
            distance = edit_distance(normal, bucket["key"])
            if distance <= MAX_EDITS:
                candidates.append((distance, -int(bucket["doc_count"]), bucket["key"]))
        nearest[normal] = min(candidates)[2] if candidates else None
    out = [nearest.get(normal) or word for word, normal in zip(words, normals, strict=True)]
    return " ".join(out) if out != list(words) else None
