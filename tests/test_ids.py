"""Deterministic ids."""

from __future__ import annotations

from accords import ids


def test_article_id_ignores_line_endings_and_trailing_space() -> None:
    assert ids.article_id("A\r\nB  \r\n") == ids.article_id("A\nB")
    assert ids.article_id("A\nB") != ids.article_id("A\nC")
    assert len(ids.article_id("x")) == 64


def test_entity_id_stable_and_normalised() -> None:
    a = ids.entity_id("PERSON", "Kassym-Jomart Tokayev")
    assert a == ids.entity_id("person", "kassym jomart  tokayev")
    assert a != ids.entity_id("ORGANIZATION", "Kassym-Jomart Tokayev")
    assert ids.entity_id("PERSON", "José Martí") == ids.entity_id("PERSON", "Jose Marti")


def test_stable_id_unambiguous_join() -> None:
    assert ids.stable_id("ab", "c") != ids.stable_id("a", "bc")


def test_scope_to_article_scopes_agreement_and_meeting_ids() -> None:
    from accords.ids import scope_to_article, stable_id
    from accords.records import Extraction

    meeting = {"meeting_id": "abcdef0123456789", "kind": "visit"}
    signed_there = {"agreement_id": "0123456789abcdef", "meeting_id": "abcdef0123456789"}
    unattached = {"agreement_id": "1123456789abcdef", "meeting_id": None}
    older = {"agreement_id": "2123456789abcdef"}  # from an extractor without meetings
    result = Extraction(agreements=[signed_there, unattached, older], meetings=[meeting])
    a, b = scope_to_article("a" * 64, result), scope_to_article("b" * 64, result)
    assert a.meetings[0]["meeting_id"] == stable_id("a" * 64, "abcdef0123456789")
    assert a.meetings[0]["meeting_id"] != b.meetings[0]["meeting_id"]  # same wording, two articles
    assert [g["meeting_id"] for g in a.agreements[:2]] == [a.meetings[0]["meeting_id"], None]
    assert "meeting_id" not in a.agreements[2]
    assert a.agreements[0]["agreement_id"] == stable_id("a" * 64, "0123456789abcdef")
    assert result.meetings[0]["meeting_id"] == "abcdef0123456789"  # the input is left as it was
