"""The company cue of unknown names (accords.extract.seg_company_cue), on sentences written here."""

from __future__ import annotations

from accords.extract.scan import tokens
from accords.extract.seg_company_cue import company_cue
from accords.extract.segment import Analyzer


def _cue(text: str, name: str) -> bool:
    a = Analyzer(text)
    start = text.index(name)
    return company_cue(a, tokens(a.scan, start, start + len(name)))


def test_a_lowercase_company_noun_before_the_name_marks_a_company() -> None:
    assert _cue("The Danish shipbuilder Korvexa won the order.", "Korvexa")


def test_a_name_signing_on_its_own_is_a_company() -> None:
    assert _cue("Later that day Brantelo signed a supply contract.", "Brantelo")


def test_a_name_with_a_given_name_is_no_company() -> None:
    assert not _cue("Later that day Maria Brantelo signed the letter.", "Maria Brantelo")
