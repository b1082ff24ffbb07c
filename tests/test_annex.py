from accords.extract.annex import find_inline_lists, find_lists, item_of
from accords.extract.sentences import split_sentences

ANNEX = (
    "The two ministers witnessed the exchange of four instruments. The list is at Annex.\n"
    "OFFICE OF THE SPOKESPERSON\n"
    "Annex\n"
    "a) Harbour Safety Framework Agreement\n"
    "b) MOU on Cooperation in the Field of Rice Research between the Ministry of Farming of Laos "
    "and the Ministry of Agriculture of Ghana, which covers seed banks and training\n"
    "c) Joint Statement on Clean Water\n"
    "d) Letter of Intent on Museum Loans\n"
)


def _items(text):
    return [(i.kind, i.name) for b in find_lists(text, split_sentences(text)) for i in b.items]


def test_annex_lines_are_one_item_each_with_their_kind():
    items = _items(ANNEX)
    assert [k for k, _ in items] == [
        "agreement",
        "memorandum_of_understanding",
        "joint_statement",
        "letter_of_intent",
    ]
    assert items[0][1] == "Harbour Safety Framework Agreement"
    # The description after ", which" is not part of the name.
    assert items[1][1].endswith("Ministry of Agriculture of Ghana")


def test_the_header_sentence_is_the_one_that_introduced_the_list():
    (block,) = find_lists(ANNEX, split_sentences(ANNEX))
    assert "witnessed the exchange" in ANNEX[block.header_start : block.header_end]


def test_colon_header_with_unnumbered_lines():
    text = (
        "The delegations signed the following documents:\n"
        "Memorandum of Understanding on Tourism\n"
        "Protocol on Veterinary Certificates\n"
        "The visit ended on Friday."
    )
    assert [k for k, _ in _items(text)] == ["memorandum_of_understanding", "protocol"]


def test_prose_lines_are_not_items():
    assert item_of("The MOU on tourism will help small hotels.", 0, 42) is None
    text = "Agreements reached so far:\nThe Agreement was welcomed by both sides and is in force."
    assert _items(text) == []


def test_lines_without_a_header_are_not_a_list():
    text = "Harbour Safety Framework Agreement\nMOU on Cooperation in Fisheries\n"
    assert _items(text) == []


def test_inline_list_pointing_back_at_the_sentence_before() -> None:
    text = (
        "The two leaders will witness the signing of a set of agreements. These agreements are: an "
        "Agreement on Air Services, a Treaty on Mutual Legal Assistance, as well as an Exchange of "
        "Letters on their entry into force."
    )
    blocks = find_inline_lists(text, split_sentences(text))
    assert [(i.kind, i.name) for b in blocks for i in b.items] == [
        ("agreement", "Agreement on Air Services"),
        ("treaty", "Treaty on Mutual Legal Assistance"),
        ("other", "Exchange of Letters on their entry into force"),
    ]
    assert text[blocks[0].header_start : blocks[0].header_end].startswith("The two leaders will witness")
