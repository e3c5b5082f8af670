"""News features above the engine seam, the same on every engine.

    stories.py   near-duplicate wires grouped into stories (stories.sqlite)
    collapse.py  one hit per story, its rewrites named under it
    recency.py   relevance blended with freshness (sort "recent")
    timeline.py  per-day counts -> histogram bars
    related.py   more like this
    versions.py  a story's versions in date order, each diffed against the one before
    alerts.py    saved searches, checked when saved, matched against each new article (query/matching.py)
    alert_file.py  where they are kept on an engine that keeps none itself: alerts.sqlite
"""
