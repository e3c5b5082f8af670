"""Related stories: the articles most like one article ("more like this"), on any engine.

The article's distinctive words, as its language analyses them, are picked by tf-idf: how often a word
occurs in the article (headline words count double) times how rare it is in the index (document
frequencies come from the engine, one call per field for all the candidate words). The best of them
become one OR query that must match a quarter of them, ranked by the engine as any query, among the
articles in the article's language (there is no translation). The article itself and its
near-duplicates (the other articles of its story, see :mod:`searchkit.news.stories`, and any other hit
whose word shingles resemble it as much, see :mod:`searchkit.text.shingles`) are left out: a reader
asking "what else do we have" wants other stories. Each related story is shown once, its other versions
among the matches in its hit's ``similar``, as collapsed search results show them.
"""

from __future__ import annotations

import collections
import math
from dataclasses import replace
from typing import TYPE_CHECKING, Sequence

from searchkit.articles import Article
from searchkit.query import tree as t
from searchkit.results import Hit, Results
from searchkit.text.languages import DEFAULT_LANGUAGE, UNDETERMINED, analysis_language
from searchkit.text.multilingual import analyzer_for
from searchkit.text.shingles import NEAR_DUPLICATE, article_text, jaccard, shingles

if TYPE_CHECKING:  # only for annotations: index.py imports this module
    from searchkit.index.facade import Index

#: Candidate words looked up in the index (by how often they occur in the article).
CANDIDATE_WORDS = 40
#: Distinctive words that make up the query.
QUERY_WORDS = 20
#: Headline words count this many times.
HEADLINE_WEIGHT = 2
#: Words in more than this share of the articles say little about a story ("may", "said", "two").
COMMON_SHARE = 0.1
#: Share of the query's words an article must contain.
MINIMUM_SHARE = 0.25
#: Extra hits fetched to make up for the article itself and its near-duplicates.
SLACK = 10


def distinctive_words(index: "Index", article: Article, story: Sequence[Article] = ()) -> list[str]:
    """The article's most distinctive words (as written in it, best first). ``story``: its other versions
    (near-duplicate rewrites), whose words do not make a word shared."""
    counts: collections.Counter[str] = collections.Counter()
    written: dict[str, str] = {}
    analyzer = analyzer_for(article.language)
    for text, weight in ((article.headline, HEADLINE_WEIGHT), (article.body, 1)):
        for word in analyzer.raw_words(text):
            stem = analyzer.normalize(word)
            if len(stem) < 3 or stem.isdigit():
                continue
            counts[stem] += weight
            written.setdefault(stem, word)
    articles = max(1, len(index))
    candidates = counts.most_common(CANDIDATE_WORDS)
    frequencies = index.word_frequencies([written[stem] for stem, _ in candidates], lang=article.language)
    versions = [set(analyzer.words(f"{other.headline}\n{other.body}")) for other in story]
    scored = []
    for stem, count in candidates:
        frequency = frequencies[written[stem]]
        elsewhere = frequency - 1 - sum(stem in words for words in versions)
        # A word only this story has relates it to nothing; a very common one relates it to everything.
        if elsewhere >= 1 and frequency <= COMMON_SHARE * articles:
            scored.append((count * math.log(articles / frequency), written[stem]))
    scored.sort(reverse=True)
    return [word for _, word in scored[:QUERY_WORDS]]


def related(index: "Index", article_id: str, limit: int = 10) -> Results:
    """Up to ``limit`` articles most like ``article_id``, best first, never the article itself or a near
    duplicate of it; ``total`` counts every article sharing enough of its distinctive words (itself and
    its near-duplicates among them). Raises :class:`ArticleNotFoundError` for an unknown id."""
    article = index.get(article_id)
    same_story = set(index.story_of(article_id))
    versions = list(map(index.get, sorted(same_story)))
    words = distinctive_words(index, article, versions)
    query = f"related:{article_id}"
    if not words:
        return Results(query=query, total=0, offset=0, hits=())
    minimum = max(1, math.ceil(MINIMUM_SHARE * len(words)))
    tree = t.Or(*(t.Term(word) for word in words), minimum=minimum)
    # Among the articles analysed as this one is (no translation): its language's, and for English the
    # undetected ones too, which are analysed as English.
    analysed_as = analysis_language(article.language)
    languages = [analysed_as, UNDETERMINED] if analysed_as == DEFAULT_LANGUAGE else [analysed_as]
    found = index.search(tree, limit=2 * (limit + SLACK) + len(same_story), collapse=False, lang=languages)
    own = shingles(article_text(article))
    hits: list[Hit] = []
    story_of_shown: dict[str, int] = {}  # every version of each shown hit's story -> the hit's place
    for hit in found.hits:
        if hit.id == article_id or hit.id in same_story:
            continue
        if hit.id in story_of_shown:  # another version of a story shown above: listed under it
            at = story_of_shown[hit.id]
            hits[at] = replace(hits[at], similar=(*hits[at].similar, hit.id))
            continue
        if len(hits) == limit:
            continue
        other = index.get(hit.id)
        if jaccard(own, shingles(article_text(other))) >= NEAR_DUPLICATE:
            continue
        story_of_shown.update(dict.fromkeys(index.story_of(hit.id), len(hits)))
        hits.append(replace(hit, similar=()))
    return Results(query=query, total=found.total, offset=0, hits=tuple(hits))
