"""Gazetteer and phrase lookups (accords.extract.seg_lookup), on sentences written here."""

from __future__ import annotations

from accords.extract.lexicon import COUNTRY, LOCATION, lexicon
from accords.extract.scan import prepare, tokens
from accords.extract.seg_lookup import gaz_at, key_of, phrase_at


def _toks(text: str) -> list:
    scan = prepare(text)
    return tokens(scan, 0, len(scan))


def test_the_longest_gazetteer_phrase_wins() -> None:
    toks = _toks("South Africa Trade Board")
    hit = gaz_at(lexicon(), toks, 0)
    assert hit is not None and hit[0] == 2 and hit[1].kind == COUNTRY


def test_a_dateline_in_capitals_is_looked_up_title_cased() -> None:
    hit = gaz_at(lexicon(), _toks("KUALA LUMPUR Talks"), 0)
    assert hit is not None and hit[0] == 2 and hit[1].kind == LOCATION


def test_a_connector_starts_no_phrase() -> None:
    assert gaz_at(lexicon(), _toks("Bank of Chile"), 1) is None


def test_phrase_at_finds_a_multiword_role() -> None:
    lex = lexicon()
    toks = _toks("Prime Minister Erna Vik")
    assert phrase_at(lex, toks, 0, lex.roles, lex.max_role_len) == 2
    assert key_of(toks[:2]) == "Prime Minister"
