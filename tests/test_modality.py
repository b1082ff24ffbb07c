from accords.extract.modality import concluded_talks, future_framing


def test_future_and_hoped_for_signings():
    for s in (
        "The leaders will witness the signing of a treaty on border rivers.",
        "Both sides looked forward to the early conclusion of the pact.",
        "The ministers are expected to sign an accord on fisheries.",
        "Officials are working towards the signing of a visa agreement.",
        "Two MOUs will be signed during the visit.",
        "Minister Oduya is scheduled to attend the signing of a grant agreement.",
    ):
        assert future_framing(s), s


def test_past_signings_are_not_future():
    for s in (
        "The leaders witnessed the signing of a treaty on border rivers.",
        "The ministers signed an accord on fisheries.",
        "The two sides exchanged notes on the agreement.",
    ):
        assert not future_framing(s), s


def test_concluded_negotiations():
    assert concluded_talks("They welcomed the conclusion of negotiations on a digital economy agreement.")
    assert concluded_talks("The FTA was substantially concluded last month.")
    assert not concluded_talks("They welcomed the conclusion of the digital economy agreement.")
