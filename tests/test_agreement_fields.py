"""Tests for the agreement field keyword table and its longest-keyword rule."""

from __future__ import annotations

from accords.extract.agreement_fields import fields_of


def test_fields_keyword_table() -> None:
    assert fields_of("cooperation in outer space and aerospace") == ["space"]
    assert fields_of("debt rescheduling") == ["finance"]
    assert fields_of("visa exemption") == ["consular"]
    assert fields_of("counter-terrorism and narcotics control") == ["security"]
    assert fields_of("people-to-people exchanges") == ["culture"]
    assert fields_of("political consultations") == ["diplomacy"]
    assert fields_of("customs cooperation") == ["trade"]


def test_fields_prefer_the_longest_keyword() -> None:
    assert fields_of("Comprehensive Economic Partnership Agreement") == ["trade"]
    assert fields_of("cooperation in food security") == ["agriculture"]
    assert fields_of("power purchase agreement") == ["energy"]
    assert fields_of("critical raw materials") == ["other"]


def test_roadmap_is_not_a_road() -> None:
    assert fields_of("a roadmap for cooperation in energy") == ["energy"]
    assert fields_of("an agreement on roads and roadways") == ["transport"]


def test_strip_mentions_blanks_names_so_they_give_no_field() -> None:
    from accords.extract.agreement_fields import strip_mentions
    from tests.agreement_helpers import doc_for

    text = "an MoU on ports between Freedonia and the Ruritanian Ministry of Tourism"
    doc = doc_for(text)
    stripped = strip_mentions(doc, 0, len(text), ("ORGANIZATION",))
    assert len(stripped) == len(text) and "Tourism" not in stripped
    assert fields_of(text) == ["transport", "maritime", "tourism"]
    assert fields_of(stripped) == ["transport", "maritime"]
