"""Baseline: raw Tantivy (the official Python bindings), used the way its documentation shows.

One schema with headline and body on Tantivy's own ``en_stem`` analysis (stored), the date as a fast
integer; one writer, every document, one ``commit()``. Queries go through ``index.parse_query`` over
headline and body (words ANDed, as the other systems do); date ranges are a range query on the date;
"newest" orders by the date field; exact totals are the search's count. Its query parser has no
trailing-``*`` prefix, so prefixes are a regex query per field (lower-cased words match its ``en_stem``
terms only where the stemmer left them whole: a floor, not a like-for-like).
"""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks.corpus import read_articles, seed_files
from benchmarks.queries import QuerySpec
from benchmarks.systems import REPO_ROOT, Answer, System, SystemUnavailable
from benchmarks.systems.whoosh_plain import parser_text


def schema():  # noqa: ANN201 - tantivy is imported lazily
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("path", stored=True, tokenizer_name="raw")
    builder.add_text_field("headline", stored=True, tokenizer_name="en_stem")
    builder.add_text_field("body", stored=True, tokenizer_name="en_stem")
    builder.add_integer_field("date", stored=True, indexed=True, fast=True)
    return builder.build()


class TantivyRaw(System):
    name = "tantivy_raw"
    label = "raw Tantivy"

    def check_available(self) -> None:
        try:
            import tantivy  # noqa: F401 - only whether it imports
        except ImportError:
            raise SystemUnavailable("tantivy is not installed: pip install 'searchkit[fast]'") from None

    def build(self, seeds_dir: Path, index_path: Path, single_process: bool = False) -> dict:
        import tantivy

        index_path.mkdir(parents=True, exist_ok=True)
        index = tantivy.Index(schema(), path=str(index_path))
        writer = index.writer()
        skipped: list[str] = []
        docs = 0
        for article in read_articles(seed_files(seeds_dir), skipped):
            writer.add_document(tantivy.Document(
                id=article.id, path=article.path, headline=article.headline, body=article.body,
                date=article.date.toordinal()))
            docs += 1
        writer.commit()
        writer.wait_merging_threads()
        return {"docs": docs, "skipped": skipped}

    def cold_command(self, index_path: Path, word: str) -> list[str]:
        script = REPO_ROOT / "benchmarks" / "cold" / "tantivy_raw_query.py"
        return [sys.executable, str(script), str(index_path), word]

    def open(self, index_path: Path, snippets: bool = False) -> None:
        import tantivy

        self._tantivy = tantivy
        self._index = tantivy.Index.open(str(index_path))
        self._searcher = self._index.searcher()
        self._snippets = snippets
        if snippets:
            schema = self._index.schema
            self._snippet_for = lambda query: tantivy.SnippetGenerator.create(
                self._searcher, query, schema, "body")

    def run_query(self, spec: QuerySpec) -> Answer:
        tv = self._tantivy
        text = parser_text(spec)
        fields = ["headline", "body"]
        if spec.kind == "prefix":  # no trailing-* prefixes in its query parser: a regex per field
            schema = self._index.schema
            regexes = [tv.Query.regex_query(schema, field, f"{spec.words[0]}.*") for field in fields]
            query = tv.Query.boolean_query([(tv.Occur.Should, regex) for regex in regexes])
        else:
            query = self._index.parse_query(text, fields, conjunction_by_default=True) if text else None
        if spec.since is not None:
            dates = tv.Query.range_query(self._index.schema, "date", tv.FieldType.Integer,
                                         spec.since.toordinal(), spec.until.toordinal())
            query = dates if query is None else tv.Query.boolean_query(
                [(tv.Occur.Must, query), (tv.Occur.Must, dates)])
        assert query is not None
        count = spec.kind in ("word_total", "phrase_total")
        if spec.kind == "newest":
            result = self._searcher.search(query, 10, count=count, order_by_field="date", order=tv.Order.Desc)
        else:
            result = self._searcher.search(query, 10, count=count)
        docs = [self._searcher.doc(address) for _, address in result.hits]
        if self._snippets:
            generator = self._snippet_for(query)
            fetched = [(doc["headline"], generator.snippet_from_doc(doc).to_html()) for doc in docs]
        else:
            fetched = [(doc["id"], doc["headline"], doc["date"]) for doc in docs]
        return Answer(hits=len(fetched), total=result.count if count else None)  # type: ignore[attr-defined]
