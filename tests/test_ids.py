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
