"""Run cutting before typing (accords.extract.seg_cuts), on sentences written here."""

from __future__ import annotations

from accords.extract.entities import extract_entities
from accords.extract.lexicon import lexicon
from accords.extract.scan import prepare, runs, tokens
from accords.extract.seg_cuts import cut_run, merge_portfolios


def _pieces(text: str) -> list[list[str]]:
    scan = prepare(text)
    out = []
    for start, end in runs(scan):
        out += [[t.text for t in part] for part in cut_run(tokens(scan, start, end), lexicon().org_legal)]
    return out


def test_a_date_word_after_a_connector_ends_the_name() -> None:
    assert ["Rabat"] in _pieces("The ministers met in Rabat on Tuesday for the Water Council.")
    assert not any("Tuesday" in p and "Rabat" in p for p in _pieces("Talks in Rabat on Tuesday began."))


def test_a_bare_the_starts_a_new_phrase() -> None:
    pieces = _pieces("He received at Casa Verde the Governor of Nariño.")
    assert ["Casa", "Verde"] in pieces
    assert any(p[:1] == ["Governor"] for p in pieces)


def test_a_comma_inside_a_portfolio_list_does_not_split_the_ministry() -> None:
    text = "The Ministry of Heritage, Tourism and Youth will help."
    scan = prepare(text)
    spans = runs(scan)
    lex = lexicon()
    merged = merge_portfolios(scan, spans, lex.role_modifiers | lex.org_company)
    assert len(merged) < len(spans)
    assert [scan[s:e] for s, e in merged] == ["The Ministry of Heritage, Tourism and Youth"]


# Moved from tests/test_entities.py: the segmenter applies these cuts.
def test_connectors_do_not_join_across_dates_or_places() -> None:
    def names(text: str, etype: str) -> set[str]:
        return {e["name"] for e in extract_entities(text)[0] if e["type"] == etype}

    text = "The delegations gathered in Samarkand on Friday for the Joint Intergovernmental Council."
    assert names(text, "LOCATION") == {"Samarkand"}
    assert names(text, "ORGANIZATION") == {"Joint Intergovernmental Council"}
    text = "The envoys met in Tashkent for the Supreme Interstate Council."
    assert names(text, "LOCATION") == {"Tashkent"}
    assert names(text, "ORGANIZATION") == {"Supreme Interstate Council"}
