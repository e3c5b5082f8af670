"""The statistics a scale corpus is generated from, derived from a source corpus at generation time.

Nothing of the source's text is kept: the model holds token tables and length distributions in memory
only for as long as a generation runs (see ``scale_corpus.py``).
"""

from __future__ import annotations

import os
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

_HEADER = re.compile(r"date\s+(\d{4}-\d{2}-\d{2})(?:\s+(.*\S))?\s*\Z")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"(])")


class CorpusError(Exception):
    """The corpus cannot be generated (bad source, too little disk); the message is one line."""


@dataclass
class Chain:
    """A word-to-next-word table over token ids: ``follow[t]`` lists every token seen after ``t``
    (with repeats, so a uniform pick is a pick by frequency); ``starts`` lists the first tokens."""

    starts: list[int] = field(default_factory=list)
    follow: list[list[int]] = field(default_factory=list)
    every: list[int] = field(default_factory=list)  # all tokens: the unigram distribution

    def add(self, tokens: list[int]) -> None:
        if not tokens:
            return
        while len(self.follow) <= max(tokens):
            self.follow.append([])
        self.starts.append(tokens[0])
        self.every.extend(tokens)
        for before, after in zip(tokens, tokens[1:], strict=False):
            self.follow[before].append(after)

    def walk(self, rng: random.Random, length: int) -> list[int]:
        """``length`` tokens: a sentence start, then a next word after each."""
        rnd = rng.random
        starts, follow, every = self.starts, self.follow, self.every
        token = starts[int(rnd() * len(starts))]
        out = [token]
        for _ in range(length - 1):
            nexts = follow[token] if token < len(follow) else None
            pool = nexts if nexts else every
            token = pool[int(rnd() * len(pool))]
            out.append(token)
        return out


@dataclass
class SourceModel:
    """Everything the generator knows about the source corpus (see the module docstring)."""

    words: list[str]
    body: Chain
    headline: Chain
    headline_lengths: list[int]
    sentence_lengths: list[int]
    paragraph_sentences: list[int]
    article_paragraphs: list[int]
    articles: int
    source_bytes: int

    @property
    def mean_article_bytes(self) -> float:
        return self.source_bytes / max(1, self.articles)


def source_files(source: Path) -> list[Path]:
    """The ``*.txt`` files under ``source`` (recursively, hidden folders skipped), sorted; raises
    :class:`CorpusError` for a missing, unreadable or empty folder."""
    if not source.is_dir():
        raise CorpusError(f"source folder not found: {source}")
    found: list[Path] = []
    try:
        for folder, dirs, files in os.walk(source, onerror=_raise):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            found.extend(Path(folder) / name for name in files if name.endswith(".txt"))
    except OSError as error:
        raise CorpusError(f"cannot read source folder {source}: {error.strerror or error}") from None
    if not found:
        raise CorpusError(f"source folder {source} holds no *.txt seed files")
    return sorted(found)


def _raise(error: OSError) -> None:
    raise error


def build_model(source: Path) -> SourceModel:
    """Read every seed file under ``source`` and derive the model; raises :class:`CorpusError` when no
    file can be read as an article."""
    files = source_files(source)
    ids: dict[str, int] = {}
    words: list[str] = []

    def encode(tokens: list[str]) -> list[int]:
        out = []
        for token in tokens:
            number = ids.get(token)
            if number is None:
                number = ids[token] = len(words)
                words.append(token)
            out.append(number)
        return out

    body, headline = Chain(), Chain()
    headline_lengths: list[int] = []
    sentence_lengths: list[int] = []
    paragraph_sentences: list[int] = []
    article_paragraphs: list[int] = []
    articles = source_bytes = 0
    for path in files:
        try:
            data = path.read_bytes()
            text = data.decode("utf-8-sig")
        except (OSError, UnicodeDecodeError):
            continue
        lines = text.replace("\r\n", "\n").replace("\r", "\n").strip().split("\n")
        match = _HEADER.match(lines[0].strip()) if lines else None
        if match is None or not match.group(2):
            continue
        paragraphs = [line.strip() for line in lines[1:] if line.strip()]
        if not paragraphs:
            continue
        articles += 1
        source_bytes += len(data)
        head = match.group(2).split()
        headline_lengths.append(len(head))
        headline.add(encode(head))
        article_paragraphs.append(len(paragraphs))
        for paragraph in paragraphs:
            sentences = [s.split() for s in _SENTENCE_END.split(paragraph)]
            sentences = [s for s in sentences if s]
            paragraph_sentences.append(len(sentences))
            for sentence in sentences:
                sentence_lengths.append(len(sentence))
                body.add(encode(sentence))
    if not articles:
        raise CorpusError(f"source folder {source} holds no readable seed articles "
                          "('date YYYY-MM-DD <headline>' then a body)")
    for chain in (body, headline):
        while len(chain.follow) < len(words):
            chain.follow.append([])
    return SourceModel(words, body, headline, headline_lengths, sentence_lengths, paragraph_sentences,
                       article_paragraphs, articles, source_bytes)
