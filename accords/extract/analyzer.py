"""The interface the rule modules (persons, organizations, locations) see of the segmenter.

``segment.Analyzer`` implements it and calls the rule modules; they only need this view of it.
Typing them against this protocol, not the class, keeps the import graph one way
(segment -> rules), with no cycle even for type checkers.
"""

from __future__ import annotations

from typing import Protocol

from accords.extract.items import Item
from accords.extract.lexicon import GazEntry, Lexicon
from accords.extract.scan import Tok


class Analyzer(Protocol):
    """What a rule module may read and call on the article being segmented."""

    lex: Lexicon
    scan: str
    items: list[Item]
    acronyms: dict[str, Item | None]

    def gaz_at(self, toks: list[Tok], i: int) -> tuple[int, GazEntry] | None:
        """The gazetteer entry starting at token ``i``: (tokens it spans, entry), or None."""
        ...

    def hon_at(self, toks: list[Tok], i: int) -> int:
        """Number of honorific tokens starting at ``i``."""
        ...

    def role_at(self, toks: list[Tok], i: int) -> int:
        """Number of role-title tokens starting at ``i``."""
        ...

    def common(self, word: str) -> bool:
        """True for a common (dictionary) word."""
        ...

    def name_like(self, tok: Tok) -> bool:
        """True when a token can be part of a name."""
        ...

    def span_text(self, start: int, end: int) -> str:
        """The article text of a span."""
        ...

    def emit(self, item: Item) -> Item:
        """Record an item and return it."""
        ...

    def emit_gaz(self, toks: list[Tok], i: int, j: int, entry: GazEntry) -> Item:
        """Record the gazetteer item of tokens ``i..j``."""
        ...

    def leftover(self, toks: list[Tok]) -> None:
        """Keep tokens no rule claimed, for later resolution."""
        ...

    def strip(self, toks: list[Tok]) -> list[Tok]:
        """Tokens without leading and trailing connectors."""
        ...

    def segment(self, toks: list[Tok], owner: str | None) -> None:
        """Segment a run of tokens into items."""
        ...
