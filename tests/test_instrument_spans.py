"""Tests for the words around an instrument noun: modifiers, topic, clause, list items (invented text)."""

from __future__ import annotations

from accords.extract.instrument_spans import clause_bounds, item_text, modifiers_before, split_items, topic_of


def test_modifiers_and_determiner_before_the_noun() -> None:
    sent = "They signed a new maritime MoU"
    assert modifiers_before(sent, sent.index("MoU")) == ("maritime", "")  # "new" is no anaphor
    sent = "Officials praised the accord"
    assert modifiers_before(sent, sent.index("accord")) == ("", "the")


def test_topic_stops_before_the_parties() -> None:
    assert topic_of(" on fisheries cooperation between the two sides.") == "on fisheries cooperation"
    assert topic_of(" was signed on Monday.") == ""


def test_clause_and_list_items() -> None:
    sent = "Officials said that Freedonia and Ruritania signed a pact, which takes effect in May."
    c0, c1 = clause_bounds(sent, sent.index("pact"), sent.index("pact") + 4)
    assert sent[c0:c1] == " Freedonia and Ruritania signed a pact"
    assert item_text("(b) a Memorandum of Understanding on Tourism; and") == (
        "Memorandum of Understanding on Tourism"
    )
    items = split_items("on tourism, on fisheries and on health", 3)
    assert items == ["on tourism", "on fisheries", "on health"]


def test_semicolon_titles_and_the_in_continuation_of_a_topic() -> None:
    from accords.extract.instrument_spans import semicolon_titles, topic_continuation

    assert semicolon_titles(" on Solar Energy; Youth Scholarships; and Port Safety.") == [
        "Solar Energy", "Youth Scholarships", "Port Safety"]
    assert semicolon_titles(" on solar energy; it was signed.") == []
    sent = "They signed a MOU on cooperation in AI between the two offices."
    assert topic_continuation(sent, "on cooperation", sent.index("MOU") + 3) == "AI"
