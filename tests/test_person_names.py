"""Person names (accords.extract.person_names), on sentences written here."""

from __future__ import annotations

from accords.extract.entities import extract_entities
from accords.extract.lexicon import lexicon
from accords.extract.person_names import clean_name, name_like, name_tail
from accords.extract.scan import tokens
from accords.extract.segment import Analyzer


def _persons(text: str) -> list[str]:
    return [e["name"] for e in extract_entities(text)[0] if e["type"] == "PERSON"]


def test_name_like_words() -> None:
    lex = lexicon()
    plain = set("the minister spoke about growth".split())

    def common(w: str) -> bool:
        return w.lower() in plain

    assert name_like("Tandberg", lex, common)
    assert name_like("el-Sisi", lex, common)
    assert not name_like("Minister", lex, common)  # a title
    assert not name_like("Growth", lex, common)  # used in lower case in the article
    assert not name_like("Integration", lex, common)  # an abstract noun


def test_name_tail_and_clean_name_of_a_titled_run() -> None:
    text = "Foreign Minister Haji Omar Tandberg arrived."
    a = Analyzer(text)
    toks = tokens(a.scan, 0, text.index(" arrived"))
    i = name_tail(a, toks)
    assert [t.text for t in toks[i:]] == ["Haji", "Omar", "Tandberg"]
    assert clean_name(a, toks[i:]) == ("Omar Tandberg", "Haji Omar Tandberg", ("Omar Tandberg",))


# Moved from tests/test_persons.py.
def test_an_initialled_honorific_is_a_title_not_part_of_the_name() -> None:
    # "H.E." looks like initials ("A.W."), but it is the honorific: the name after it is a person.
    assert _persons("The minister will meet H.E. Tomas Vidal Soto in Lima.") == ["Tomas Vidal Soto"]
    assert _persons("The envoy greeted H.E. Amina Wairimu and H.E. Lars Eide Holm.") == [
        "Amina Wairimu", "Lars Eide Holm"]  # fmt: skip


def test_initials_inside_a_name_still_count() -> None:
    assert _persons("Kenyan Minister Peter J. Kamau spoke.") == ["Peter J. Kamau"]


def test_royal_patronymics_keep_the_fathers_title_inside_the_name() -> None:
    assert _persons("Tunku Hamid ibni Sultan Yusof will visit Oslo.") == ["Hamid ibni Sultan Yusof"]
    assert _persons("His Highness Hamid Ibni Sultan Yusof will visit Oslo.") == ["Hamid Ibni Sultan Yusof"]
