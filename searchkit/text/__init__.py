"""Text analysis every engine shares, so a word finds the same articles on each.

    analysis.py  words, case, accents, Snowball stems
    snippets.py  the body's best passages with the query's words marked
    wordiff.py   word-level differences between two versions of a text
    shingles.py  word shingles and sketches: how much two texts are one text
    facts.py     the figures and names a text states: whether two alike texts are different news
"""
