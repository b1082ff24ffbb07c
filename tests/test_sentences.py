"""Tests for the rule-based sentence splitter."""

from accords.extract.sentences import split_sentences


def _sents(text: str) -> list[str]:
    spans = split_sentences(text)
    for a, b in spans:
        assert text[a:b] == text[a:b].strip()
    return [text[a:b] for a, b in spans]


def test_abbreviations_and_decimals() -> None:
    text = (
        "Mr. Tan met U.S. officials on Jan. 5 to discuss a 2.5 billion dlr loan. "
        "Dr. Lim of Acme Corp. attended. The talks ended."
    )
    assert _sents(text) == [
        "Mr. Tan met U.S. officials on Jan. 5 to discuss a 2.5 billion dlr loan.",
        "Dr. Lim of Acme Corp. attended.",
        "The talks ended.",
    ]


def test_company_suffix_can_end_sentence() -> None:
    text = "It sold the unit to Blue River Corp. The sale closed on Monday."
    assert _sents(text) == ["It sold the unit to Blue River Corp.", "The sale closed on Monday."]


def test_initials_do_not_split() -> None:
    text = 'Chairman J.R. Doe said, "We expect a deal." He added nothing.'
    assert _sents(text) == ['Chairman J.R. Doe said, "We expect a deal."', "He added nothing."]


def test_wrapped_wire_text() -> None:
    text = (
        "Ruritania said it signed a trade pact with\n"
        "Freedonia on Tuesday covering textiles, machinery\n"
        "and farm goods worth 300 mln dlrs a year.\n"
        "    The pact runs for three years and may be\n"
        "renewed if both governments agree to extend it\n"
        "    Officials said talks on a shipping accord would follow.\n"
    )
    sents = _sents(text)
    assert len(sents) == 3
    assert sents[0].startswith("Ruritania") and sents[0].endswith("a year.")
    assert sents[1].endswith("extend it")
    assert sents[2].startswith("Officials")


def test_headings_and_lines_are_sentences() -> None:
    text = (
        "Leaders Hold Talks in the Capital\n"
        "The Prime Minister welcomed the President at the Istana. They held talks.\n"
        "Cooperation in Energy\n"
        "Both sides signed an MoU."
    )
    assert _sents(text) == [
        "Leaders Hold Talks in the Capital",
        "The Prime Minister welcomed the President at the Istana.",
        "They held talks.",
        "Cooperation in Energy",
        "Both sides signed an MoU.",
    ]


def test_empty() -> None:
    assert split_sentences("") == []
    assert split_sentences("   \n ") == []


def test_line_enumerator_period_does_not_split() -> None:
    text = "The following were signed:\n1. MoU on health;\nb. Programme of Youth Exchanges.\nHe said 5. Then"
    spans = [text[a:b] for a, b in split_sentences(text)]
    assert spans == [
        "The following were signed:",
        "1. MoU on health;",
        "b. Programme of Youth Exchanges.",
        "He said 5.",
        "Then",
    ]
