"""Plain record types passed between stages.

Stages exchange these small dataclasses (parse -> extract) and plain dicts shaped by the JSON
Schemas in ``schemas/`` (extract -> validate -> write). Nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Article:
    """One article parsed from a raw file (a .jsonl file yields one per line)."""

    text: str
    source_path: str  # POSIX, relative to raw/; "file.jsonl#<line>" for JSON Lines
    title: str | None = None
    published: date | None = None
    url: str | None = None
    source: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class ParseProblem:
    """A part of a file that could not be parsed (e.g. one bad line of a .jsonl file)."""

    source_path: str
    error: str


@dataclass
class ParseResult:
    """What parsing one file produced: its articles and the problems met on the way."""

    articles: list[Article] = field(default_factory=list)
    problems: list[ParseProblem] = field(default_factory=list)


@dataclass
class Extraction:
    """Extractor output for one article.

    Plain dicts shaped like the entity, mention, agreement and meeting schemas, without the
    bookkeeping columns (article_id, run_id, versions) that the pipeline adds.
    """

    entities: list[dict[str, Any]] = field(default_factory=list)
    mentions: list[dict[str, Any]] = field(default_factory=list)
    agreements: list[dict[str, Any]] = field(default_factory=list)
    meetings: list[dict[str, Any]] = field(default_factory=list)
