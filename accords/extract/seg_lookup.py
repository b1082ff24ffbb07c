"""Gazetteer and phrase lookups over a token sequence (no article state).

``gaz_at`` finds the longest gazetteer phrase starting at a token (with ALL-CAPS datelines and
headings title-cased: "KUALA LUMPUR"), ``phrase_at`` the longest phrase of a word table such
as the honorifics or roles, ``key_of`` the lookup key of tokens. The analyser's ``gaz_at``,
``hon_at`` and ``role_at`` call these with the article's lexicon.
"""

from __future__ import annotations

from accords.extract.items import LOCATION, ORGANIZATION, REGION_ADJ
from accords.extract.lexicon import COUNTRY as GAZ_COUNTRY
from accords.extract.lexicon import DEMONYM, GazEntry, Lexicon
from accords.extract.scan import Tok

# Which reading of an ambiguous gazetteer phrase wins: country, demonym, body, place, region.
KIND_PRIORITY = {GAZ_COUNTRY: 0, DEMONYM: 1, ORGANIZATION: 2, LOCATION: 3, REGION_ADJ: 4}


def key_of(toks: list[Tok]) -> str:
    """Gazetteer key of a token sequence (the last token's possessive dropped)."""
    if len(toks) == 1:
        return toks[0].key
    last = len(toks) - 1
    return " ".join(t.key + "'s" if t.poss and i < last else t.key for i, t in enumerate(toks))


def gaz_at(lex: Lexicon, toks: list[Tok], i: int) -> tuple[int, GazEntry] | None:
    """Longest gazetteer phrase starting at token ``i``: (end index, best entry)."""
    gaz = lex.gazetteer
    first = toks[i]
    if first.conn:
        return None
    span = lex.gaz_first.get(first.key)
    if span is None and first.poss:
        span = lex.gaz_first.get(first.key + "'s")
    if span is None:
        # Datelines and headings in capitals: "HANOI -", "KUALA LUMPUR".
        if len(first.text) > 3 and first.text.isupper() and first.text.isalpha():
            return _caps_gaz_at(lex, toks, i)
        return None
    for j in range(min(len(toks), i + span), i, -1):
        if toks[j - 1].conn:
            continue
        entries = gaz.get(key_of(toks[i:j]))
        if entries:
            return j, min(entries, key=lambda e: KIND_PRIORITY[e.kind])
    return None


def _caps_gaz_at(lex: Lexicon, toks: list[Tok], i: int) -> tuple[int, GazEntry] | None:
    """Gazetteer lookup of an ALL-CAPS place or country name (title-cased, up to 3 words)."""
    for j in range(min(len(toks), i + 3), i, -1):
        if not all(t.text.isupper() for t in toks[i:j]):
            continue
        entries = lex.gazetteer.get(" ".join(t.text.title() for t in toks[i:j]))
        if entries:
            best = min(entries, key=lambda e: KIND_PRIORITY[e.kind])
            if best.kind in (GAZ_COUNTRY, LOCATION):
                return j, best
    return None


def phrase_at(lex: Lexicon, toks: list[Tok], i: int, table: frozenset[str], max_len: int) -> int:
    """End index of the longest phrase of ``table`` starting at ``i`` (``i`` if none)."""
    if toks[i].key not in lex.phrase_first:
        return i
    for j in range(min(len(toks), i + max_len), i, -1):
        if key_of(toks[i:j]) in table:
            return j
    return i
