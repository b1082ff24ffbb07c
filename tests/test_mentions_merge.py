from accords.extract.mentions_merge import merge_mentions


def _rec(kind, evidence, parties, status="signed", fields=()):
    return {
        "kind": kind,
        "evidence": evidence,
        "parties": list(parties),
        "status": status,
        "fields": list(fields),
    }


def test_caption_repeating_a_signing_folds_into_it():
    out = merge_mentions(
        [
            _rec(
                "memorandum_of_understanding",
                "Minister Tano signed an MOU on sport with Minister Ruiz.",
                ["FJI", "ESP"],
            ),
            _rec(
                "memorandum_of_understanding",
                "Photo caption: Minister Tano signs the MOU on sport.",
                ["FJI", "ESP"],
            ),
        ],
        ("FJI", "ESP"),
        [],
    )
    assert len(out) == 1


def test_definite_reference_to_a_single_instrument_folds_and_adds_fields():
    out = merge_mentions(
        [
            _rec(
                "memorandum_of_understanding",
                "Both ministers signed a new MOU on teacher exchanges.",
                ["FJI", "ESP"],
                fields=["education"],
            ),
            _rec(
                "memorandum_of_understanding",
                "The MOU on teacher exchanges also covers sport.",
                ["FJI", "ESP"],
                status="agreed",
                fields=["culture"],
            ),
        ],
        ("FJI", "ESP"),
        [],
    )
    assert len(out) == 1 and out[0]["status"] == "signed" and out[0]["fields"] == ["education", "culture"]


def _group_of_two_then(*references):
    group = _rec(
        "memorandum_of_understanding", "The leaders witnessed the signing of two MOUs.", ["FJI", "ESP"]
    )
    refs = [_rec("memorandum_of_understanding", ev, ["FJI", "ESP"], status="agreed") for ev in references]
    return merge_mentions([group, *refs], ("FJI", "ESP"), [])


def test_definite_reference_individuates_a_counted_group_and_takes_its_status():
    out = _group_of_two_then("The MOU on ports will cut red tape.")
    assert len(out) == 2 and out[1]["status"] == "signed"


def test_person_names_and_instrument_names_are_not_parties():
    out = merge_mentions(
        [
            _rec(
                "agreement",
                "Minister Ana Tuilagi and her counterpart signed the agreement.",
                ["Affairs Ana Tuilagi", "Memoranda of Understanding (MOUs)", "ESP"],
            ),
        ],
        ("FJI", "ESP"),
        ["Ana Tuilagi", "Tuilagi"],
    )
    assert out[0]["parties"] == ["ESP", "FJI"]


def test_a_counted_group_named_in_full_is_no_record_of_its_own():
    out = _group_of_two_then("The MOU on ports will cut red tape.", "The MOU on schools adds teachers.")
    assert [r["evidence"][:14] for r in out] == ["The MOU on por", "The MOU on sch"]
    assert all(r["status"] == "signed" for r in out)
