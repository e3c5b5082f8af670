"""How the CLI shows things: human text (with bold matches on a terminal) and JSON for scripts."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import click

from searchkit.articles import Article
from searchkit.errors import QuerySyntaxError, SearchkitError, shown_path
from searchkit.index.stats import Stats
from searchkit.results import DuplicateGroup, Edit, Explanation, Facets, Histogram, Hit, Results, Story
from searchkit.text.languages import DEFAULT_LANGUAGE, UNDETERMINED

if TYPE_CHECKING:  # not loaded by a query (tests/test_imports.py)
    from searchkit.reports import AlertMatch, SavedSearch, UpdateReport

_MARK = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)


def to_json(value: Any) -> str:
    """One JSON document, dates as YYYY-MM-DD."""
    return json.dumps(value, ensure_ascii=False, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def results_json(results: Results) -> dict[str, Any]:
    """The ``--json`` shape of a search: query, total (articles), stories (when collapsed, else null),
    offset, hits (each with ``similar``: the ids collapsed under it), suggestion, corrected (true when
    nothing matched the query as typed and the hits are the suggestion's); when nothing matched
    because the query's dates lie outside the index's, ``index_dates`` (``{"first", "last"}``); and when
    a histogram was asked for, ``histogram`` (``[{"start", "count"}]``) and ``histogram_interval``; with
    facets, ``facets`` (``{"years": [{"value": "1987", "count"}], "months": [{"value": "1987-03", ...}],
    "languages": [{"value": "de", "name": "German", "count"}], "index_languages": 2}``: each year's or
    month's value is what ``since``/``until`` take to narrow to it, each language's what ``lang`` takes;
    ``index_languages`` is how many languages the index holds, ``und`` not counted)."""
    value = {
        "query": results.query,
        "total": results.total,
        "stories": results.stories,
        "offset": results.offset,
        "hits": [hit_json(hit) for hit in results.hits],
        "suggestion": results.suggestion,
        "corrected": results.corrected,
    }
    if results.index_dates is not None:
        value["index_dates"] = {"first": results.index_dates[0].isoformat(),
                                "last": results.index_dates[1].isoformat()}
    if results.histogram is not None:
        value["histogram"] = [{"start": bucket.start.isoformat(), "count": bucket.count}
                              for bucket in results.histogram]
        value["histogram_interval"] = results.histogram.interval
    if results.facets is not None:
        value["facets"] = {"years": [{"value": f"{bucket.start:%Y}", "count": bucket.count}
                                     for bucket in results.facets.years],
                           "months": [{"value": f"{bucket.start:%Y-%m}", "count": bucket.count}
                                      for bucket in results.facets.months],
                           "languages": [{"value": language.code, "name": language.name,
                                          "count": language.count} for language in results.facets.languages],
                           "index_languages": results.facets.index_languages}
    return value


def error_json(error: SearchkitError) -> dict[str, Any]:
    """The JSON shape of an error, shared by ``--json`` and the HTTP API: the one-line message and, for
    a query syntax error, the ``position`` of the problem, counted from 1 as in the message (else
    ``null``)."""
    position = error.position if isinstance(error, QuerySyntaxError) else None
    return {"error": str(error), "position": position}


def hit_json(hit: Hit) -> dict[str, Any]:
    return {
        "id": hit.id,
        "date": hit.date.isoformat(),
        "headline": hit.headline,
        "score": hit.score,
        "snippet": hit.snippet,
        "path": hit.path,
        "similar": list(hit.similar),
    }


def results_text(results: Results, *, color: bool) -> str:
    """Human output: "showing 1-10 of 243", then headline, date and id, and snippet per hit."""
    if results.total == 0:
        lines = ["no articles matched"]
        if results.index_dates is not None:
            earliest, latest = results.index_dates
            lines[0] += f": the index holds articles dated {earliest.isoformat()} to {latest.isoformat()}"
        if results.suggestion:
            lines.append(f"did you mean: {results.suggestion}")
        return "\n".join(lines)
    of = count_text(results)
    if not results.hits:
        if results.offset == 0:  # limit 0: only the count (and a histogram) asked for
            return f"{of} matched"
        return f"showing none of {of} (page past the last hit)"
    first = results.offset + 1
    last = results.offset + len(results.hits)
    lines = [f"showing {first:,}-{last:,} of {of}"]
    if results.corrected:
        lines[:0] = [f"no articles matched {results.query}; showing results for: {results.suggestion}",
                     "(search for the query as typed with --no-autocorrect)", ""]
    for number, hit in enumerate(results.hits, start=first):
        headline = click.style(hit.headline, bold=True) if color else hit.headline
        lines.append("")
        lines.append(f"{number}. {headline or '(no headline)'}")
        lines.append(f"   {hit.date.isoformat()}  {hit.id}")
        if hit.snippet:
            lines.append("   " + mark_snippet(hit.snippet, color=color))
        if hit.similar:
            lines.append(f"   +{len(hit.similar)} similar: {', '.join(hit.similar)}")
    return "\n".join(lines)


def count_text(results: Results) -> str:
    """``243`` or, when results are collapsed and some rewrites were, ``243 articles, 198 stories``
    (the page counts stories then)."""
    if results.stories is None or results.stories == results.total:
        return f"{results.total:,}"
    articles = "article" if results.total == 1 else "articles"
    stories = "story" if results.stories == 1 else "stories"
    return f"{results.total:,} {articles}, {results.stories:,} {stories}"


#: Eighths of a character cell, for bars drawn to within 1/8 of a cell.
_EIGHTHS = " ▏▎▍▌▋▊▉█"


def duplicates_json(groups: Sequence[DuplicateGroup]) -> dict[str, Any]:
    """``searchkit duplicates --json``: how many stories and articles, and each story's articles."""
    return {
        "stories": len(groups),
        "articles": sum(len(group) for group in groups),
        "groups": [{"size": len(group), "articles": [
            {"id": a.id, "date": a.date.isoformat(), "headline": a.headline, "path": a.path or None}
            for a in group]} for group in groups],
    }


def duplicates_text(groups: Sequence[DuplicateGroup]) -> str:
    """Each story published more than once: its size and headline, then its articles, oldest first."""
    if not groups:
        return "no near-duplicates: every article is a story of its own"
    articles = sum(len(group) for group in groups)
    lines = [f"{len(groups):,} stories published more than once ({articles:,} articles)"]
    for group in groups:
        lines.append("")
        lines.append(f"{len(group)} articles: {group.articles[-1].headline or '(no headline)'}")
        for article in group:
            lines.append(f"   {article.date.isoformat()}  {article.id}  {article.headline}")
    return "\n".join(lines)


def facets_text(facets: Facets) -> str:
    """Matches per year, per month and per language, one line each (``1987: 1,234``, ``German (de): 12``),
    for ``query --facets``."""
    years = "  ".join(f"{bucket.start:%Y}: {bucket.count:,}" for bucket in facets.years)
    months = "  ".join(f"{bucket.start:%Y-%m}: {bucket.count:,}" for bucket in facets.months)
    languages = "  ".join(f"{language.name} ({language.code}): {language.count:,}"
                          for language in facets.languages)
    return f"matches per year      {years}\nmatches per month     {months}\nmatches per language  {languages}"


def story_json(story: Story) -> dict[str, Any]:
    """``searchkit story --json``: the story's id (its first version's) and every version in date order,
    each with ``changes`` since the one before (``null`` for the first): the headline's and body's runs
    of ``{"op": "equal" | "insert" | "delete", "text"}``."""
    return {
        "id": story.id,
        "versions": [{**article_json(version.article), "changes": None if version.changes is None else {
            "headline": edits_json(version.changes.headline), "body": edits_json(version.changes.body)}}
            for version in story],
    }


def edits_json(edits: Sequence[Edit]) -> list[dict[str, str]]:
    return [{"op": edit.op, "text": edit.text} for edit in edits]


#: Kept words shown either side of a change in ``searchkit story``'s text.
CHANGE_CONTEXT_WORDS = 6


def story_text(story: Story) -> str:
    """Each version, oldest first: date, id, headline; under each later one what changed, as wdiff
    marks it (``[-dropped-]``, ``{+added+}``) with a few kept words around each change."""
    count = f"{len(story)} versions" if len(story) != 1 else "1 version (no near-duplicate rewrites)"
    lines = [f"story {story.id}: {count}"]
    for number, version in enumerate(story, start=1):
        article = version.article
        headline = article.headline or "(no headline)"
        lines += ["", f"{number}. {article.date.isoformat()}  {article.id}  {headline}"]
        if version.changes is None:
            continue
        changes = version.changes
        if not any(edit.op != "equal" for edit in changes.headline + changes.body):
            lines.append("   no change in headline or body")
            continue
        lines.append(f"   {_words(changes.words_added, '+')}, {_words(changes.words_dropped, '-')}")
        for name, edits in (("headline", changes.headline), ("body", changes.body)):
            lines += [f"   {name}: {passage}" for passage in changed_passages(edits)]
    return "\n".join(lines)


def _words(count: int, sign: str) -> str:
    return f"{sign}{count:,} word{'' if count == 1 else 's'}"


def changed_passages(edits: Sequence[Edit], context: int = CHANGE_CONTEXT_WORDS) -> list[str]:
    """Each change of ``edits`` on one line in wdiff's marks, with ``context`` kept words either side
    (changes closer together share a line)."""
    marked: list[tuple[bool, str]] = []  # (changed, word or mark), line breaks as spaces
    for edit in edits:
        words = edit.text.split()
        if edit.op == "equal":
            marked += [(False, word) for word in words]
        elif words:
            opening, closing = ("{+", "+}") if edit.op == "insert" else ("[-", "-]")
            marked.append((True, opening + " ".join(words) + closing))
    changed = [at for at, (is_change, _) in enumerate(marked) if is_change]
    passages: list[list[int]] = []
    for at in changed:
        if passages and at - passages[-1][-1] <= 2 * context:
            passages[-1].append(at)
        else:
            passages.append([at])
    shown = []
    for passage in passages:
        start, end = max(0, passage[0] - context), min(len(marked), passage[-1] + context + 1)
        text = " ".join(word for _, word in marked[start:end])
        shown.append(("... " if start else "") + text + (" ..." if end < len(marked) else ""))
    return shown


def histogram_text(histogram: Histogram, *, width: int = 80, unicode: bool = True) -> str:
    """A bar chart, one line per bucket: its label, a bar scaled to the largest bucket (fitting in
    ``width`` columns), and the count. Without ``unicode``, bars are whole ``#`` characters."""
    if not histogram.buckets:
        return "histogram: nothing to chart"
    labels = [bucket_label(bucket.start, histogram.interval) for bucket in histogram]
    counts = [f"{bucket.count:,}" for bucket in histogram]
    label_width, count_width = max(map(len, labels)), max(map(len, counts))
    bar_width = max(10, width - label_width - count_width - 4)
    most = max(bucket.count for bucket in histogram) or 1
    lines = [f"matches per {histogram.interval}" + (" (weeks start on Monday)" if histogram.interval == "week"
                                                     else "")]
    for label, count, bucket in zip(labels, counts, histogram, strict=True):
        bar = _bar(bucket.count / most * bar_width, unicode)
        lines.append(f"{label:<{label_width}}  {bar:<{bar_width}}  {count:>{count_width}}".rstrip())
    return "\n".join(lines)


def bucket_label(start: dt.date, interval: str) -> str:
    """``1987-03-02`` (a day or the Monday of a week), ``1987-03``, ``1987-Q1`` or ``1987``."""
    if interval == "month":
        return f"{start.year:04d}-{start.month:02d}"
    if interval == "quarter":
        return f"{start.year:04d}-Q{(start.month - 1) // 3 + 1}"
    if interval == "year":
        return f"{start.year:04d}"
    return start.isoformat()


def _bar(cells: float, unicode: bool) -> str:
    """A bar ``cells`` character cells long; any non-zero length shows at least a sliver."""
    if not unicode:
        whole = round(cells)
        return "#" * (whole or (1 if cells > 0 else 0))
    eighths = round(cells * 8) or (1 if cells > 0 else 0)
    return _EIGHTHS[8] * (eighths // 8) + (_EIGHTHS[eighths % 8] if eighths % 8 else "")


def mark_snippet(snippet: str, *, color: bool) -> str:
    """Turn ``**match**`` markers into bold on a terminal, or drop them elsewhere."""
    if color:
        return _MARK.sub(lambda m: click.style(m.group(1), bold=True), snippet)
    return _MARK.sub(lambda m: m.group(1), snippet)


def article_json(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "date": article.date.isoformat(),
        "headline": article.headline,
        "body": article.body,
        "path": article.path,
    }


def article_text(article: Article) -> str:
    """The whole article, as the seed file has it plus its id and path."""
    head = [f"{article.headline}", f"{article.date.isoformat()}  {article.id}"]
    if article.path:
        head.append(article.path)
    return "\n".join(head) + "\n\n" + article.body


def stats_json(stats: Stats) -> dict[str, Any]:
    value = dataclasses.asdict(stats)
    value["per_year"] = {str(year): count for year, count in stats.per_year.items()}
    return value


def stats_text(stats: Stats) -> str:
    span = (
        f"{stats.first_date.isoformat()} to {stats.last_date.isoformat()}"
        if stats.first_date and stats.last_date
        else "none"
    )
    lines = [
        f"articles      {stats.articles:,}",
        f"dates         {span}",
        f"index         {stats.index_dir} ({_size(stats.size_bytes)}, {stats.engine} engine)",
        f"seeds         {stats.seeds_dir or 'none (articles added through the API)'}",
        f"last update   {stats.last_update or 'never'}",
        f"languages     {', '.join(f'{code} {count:,}' for code, count in stats.languages.items()) or 'none'}"
        f" ({'all ' + stats.language if stats.language else 'detected'} unless a file says)",
    ]
    if stats.languages.get(UNDETERMINED):
        lines.append(f"undetected    {stats.languages[UNDETERMINED]:,} (language not detected: analysed as "
                     f"{DEFAULT_LANGUAGE}; lang:{UNDETERMINED} finds them)")
    if stats.per_year:
        lines.append("per year")
        lines.extend(f"  {year}  {count:,}" for year, count in stats.per_year.items())
    return "\n".join(lines)


def report_json(report: UpdateReport) -> dict[str, Any]:
    return {
        "added": report.added,
        "updated": report.updated,
        "removed": report.removed,
        "unchanged": report.unchanged,
        "skipped": [{"path": shown_path(e.path), "reason": e.reason} for e in report.skipped],
        "seconds": round(report.seconds, 3),
        "rebuilt": report.rebuilt,
        "lost": report.lost,
        "alerts": {name: [alert_match_json(m) for m in found] for name, found in report.alerts.items()},
        "alerts_problem": report.alerts_problem,
        "stories_problem": report.stories_problem,
    }


def alert_match_json(match: AlertMatch) -> dict[str, Any]:
    return {"id": match.id, "date": match.date.isoformat(), "headline": match.headline, "found": match.found}


def saved_search_json(saved: SavedSearch) -> dict[str, Any]:
    return {"name": saved.name, "query": saved.query, "plain": saved.plain, "created": saved.created}


#: Headlines listed per saved search after an update (all of them with --json or 'alert check').
ALERT_HEADLINES = 5


def alerts_text(alerts: Mapping[str, Sequence[AlertMatch]], *, every: bool = False) -> str:
    """Per saved search, how many new matches and their headlines (the first few unless ``every``)."""
    lines = []
    for name, found in alerts.items():
        lines.append(f"alert {name}: {len(found):,} new match{'es' if len(found) != 1 else ''}")
        shown = found if every else found[:ALERT_HEADLINES]
        lines.extend(f"  {m.date.isoformat()}  {m.headline or '(no headline)'}  [{m.id}]" for m in shown)
        if len(found) > len(shown):
            lines.append(f"  ... and {len(found) - len(shown):,} more ('searchkit alert check' lists them)")
    return "\n".join(lines)


def explanation_text(explanation: Explanation) -> str:
    lines = [f"query tree:   {explanation.tree}", f"engine query: {explanation.engine_query}"]
    if explanation.date_filter:
        lines.append(f"date filter:  {explanation.date_filter}")
    if explanation.ranking:
        lines.append(f"ranking:      {explanation.ranking}")
    return "\n".join(lines)


def _size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:,.1f} {unit}" if unit != "B" else f"{size:,} B"
        value /= 1024
    return f"{size:,} B"
