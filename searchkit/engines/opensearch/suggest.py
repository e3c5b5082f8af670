""""Did you mean" on OpenSearch: the headline words near a misspelt one, and articles per word.

Candidates are listed by one terms aggregation per word (its first letter and a length window as a
Lucene regular expression) and kept when within ``MAX_EDITS`` edits; articles per word are filter
aggregations, all in one request. OpenSearch's own term suggester ranks by another similarity; the rule
is searchkit's (``searchkit/index/suggestions.py``), the same on every engine.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

from searchkit.engines.opensearch.compile import lucene_regex
from searchkit.engines.opensearch.schema import VOCABULARY_FIELD
from searchkit.engines.rules import MAX_EDITS
from searchkit.text.edits import within_edits

#: At most this many candidate words per unknown word (a headline vocabulary per first letter is smaller).
MAX_CANDIDATES = 20_000

Search = Callable[[dict[str, Any]], dict[str, Any]]


def spelling_candidates(search: Search, words: Sequence[str]) -> dict[str, list[str]]:
    """For each folded word, the headline words sharing its first letter within ``MAX_EDITS`` edits."""
    asked = [word for word in words if word]
    if not asked:
        return {}
    aggs: dict[str, Any] = {}
    for number, word in enumerate(asked):
        lowest, highest = max(0, len(word) - 1 - MAX_EDITS), len(word) - 1 + MAX_EDITS
        aggs[f"near{number}"] = {"terms": {
            "field": VOCABULARY_FIELD, "include": f"{lucene_regex(word[0])}.{{{lowest},{highest}}}",
            "size": MAX_CANDIDATES}}
    answer = search({"size": 0, "track_total_hits": False, "aggs": aggs}).get("aggregations", {})
    return {word: within_edits(word, MAX_EDITS, (b["key"] for b in answer[f"near{number}"]["buckets"]))
            for number, word in enumerate(asked)}


def document_frequencies(search: Search, field: str, words: Sequence[str]) -> Mapping[str, int]:
    if not words:
        return {}
    aggs = {f"w{number}": {"filter": {"term": {field: word}}} for number, word in enumerate(words)}
    answer = search({"size": 0, "track_total_hits": False, "aggs": aggs}).get("aggregations", {})
    return {word: int(answer[f"w{number}"]["doc_count"]) for number, word in enumerate(words)}
