"""Encounter cues and their predicates (accords.extract.encounters), on phrases written here."""

from __future__ import annotations

import pytest

from accords.extract.encounters import background, cues, gathering_name, is_multilateral, planned


@pytest.mark.parametrize(
    ("sentence", "form"),
    [
        ("The minister met her counterpart.", "pair"),
        ("The minister called on the President.", "pair"),
        ("The minister will have separate meetings with the two ministers.", "pair"),
        ("The envoy was received by the King.", "group"),
        ("The envoy was hosted to lunch by the Mayor.", "group"),
        ("The Mayor hosted the envoy to a dinner.", "group"),
        ("The two sides co-chaired the Joint Commission.", "group"),
        ("The ministers held talks with the delegation.", "group"),
        ("The minister is on an official visit to Peru.", "visit"),
        ("The minister will visit Peru next week.", "visit"),
        ("The minister concluded his State Visit to Peru.", "visit"),
        ("During her trip to Peru the minister spoke.", "visit"),
        ("The minister invited her counterpart to make an Official Visit to Peru.", "invite"),
        ("The two leaders held a telephone call.", "call"),
        ("The leaders spoke by phone on Monday.", "call"),
        ("The minister will attend the summit.", "gathering"),
        ("They met on the sidelines of the forum.", "pair"),
    ],
)
def test_first_cue_form(sentence: str, form: str) -> None:
    assert cues(sentence)[0].form == form


def test_cues_are_in_text_order_with_spans() -> None:
    s = "The envoy called on the King and met the Prime Minister."
    found = cues(s)
    assert [c.form for c in found] == ["pair", "pair"]
    assert [s[c.start : c.end] for c in found] == ["called on", "met"]


def test_no_cue_in_plain_text() -> None:
    assert cues("Exports of coffee rose by four percent in the first quarter.") == []


def test_planned() -> None:
    assert planned("The minister will")
    assert planned("The minister is scheduled to")
    assert planned("She invited him to")
    assert not planned("The minister yesterday")


def test_background() -> None:
    assert background("The two leaders last met")
    assert background("Since they first met")
    assert background("He looked forward to meeting")
    assert not background("The minister also met")


def test_gathering_name_and_class() -> None:
    assert gathering_name("the 12th Pacific Alliance Summit in Lima") == "12th Pacific Alliance Summit"
    assert gathering_name("a delegation meeting") is None
    assert gathering_name("with the minister; the Peru-Chile Joint Commission", anchored=True) is None
    assert is_multilateral("12th Pacific Alliance Summit")
    assert is_multilateral("ASEAN-Canada Foreign Ministers' Meeting")
    assert not is_multilateral("4th Canada-Mexico Annual Leaders' Meeting")
    assert not is_multilateral("Peru-Chile Joint Commission")
