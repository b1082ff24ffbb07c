"""Grouping agreement reports into events (accords.events): small hand-written reports."""

from __future__ import annotations

import random
from datetime import date

from accords import validate
from accords.events import Report, block_keys, build_events, match, name_similarity, report_from_row
from accords.ids import stable_id


def rep(n: int, kind: str, status: str, parties: tuple[str, ...], name: str | None,
        fields: tuple[str, ...] = (), reported: str = "2026-01-01", art: int | None = None,
        on: str | None = None,
        renewal: bool = False) -> Report:
    """A report numbered ``n`` (its agreement id), in article ``art`` (default: its own)."""
    return Report(agreement_id=f"{n:016x}", article_id=f"{art if art is not None else n:064x}", kind=kind,
                  status=status, parties=tuple(sorted(parties)), fields=tuple(sorted(fields)), name=name,
                  date=date.fromisoformat(on) if on else None, reported=date.fromisoformat(reported),
                  renewal=renewal)


# One treaty, three articles, three wordings and stages.
TREATY = [
    rep(1, "treaty", "planned", ("ISL", "PER"), "Treaty on Extradition between Iceland and Peru",
        ("law_justice",), "2025-03-02"),
    rep(2, "agreement", "signed", ("ISL", "PER"), "Iceland-Peru Extradition Treaty", ("law_justice",),
        "2025-05-10", on="2025-05-09"),
    rep(3, "treaty", "signed", ("ISL", "PER"), "Extradition Treaty", (), "2026-01-20"),
]


def with_versions(rows: list[dict], record_type: str) -> list[dict]:
    version = validate.schema_version(record_type)
    return [{**r, "run_id": "20260101T000000Z-0123abcd", "schema_version": version} for r in rows]


def test_three_reports_of_one_instrument_are_one_event_with_its_stage_dates() -> None:
    events, links = build_events(TREATY)
    assert len(events) == 1
    ev = events[0]
    assert ev["event_id"] == stable_id("agreement_event", TREATY[0].agreement_id)
    assert ev["article_count"] == 3 and ev["agreement_count"] == 3
    assert ev["status"] == "signed"
    assert (ev["planned_reported"], ev["planned_article_id"]) == ("2025-03-02", TREATY[0].article_id)
    assert (ev["signed_reported"], ev["signed_article_id"]) == ("2025-05-10", TREATY[1].article_id)
    assert ev["agreed_reported"] is None and ev["agreed_article_id"] is None
    assert ev["signed_on"] == "2025-05-09"
    assert (ev["first_reported"], ev["last_reported"]) == ("2025-03-02", "2026-01-20")
    assert ev["parties"] == ["ISL", "PER"] and ev["fields"] == ["law_justice"]
    assert ev["kind"] == "treaty"
    by_id = {r["agreement_id"]: r for r in links}
    assert by_id[TREATY[0].agreement_id]["linked_to"] is None
    assert by_id[TREATY[1].agreement_id]["linked_to"] == TREATY[0].agreement_id
    assert "name" in by_id[TREATY[1].agreement_id]["reason"]
    assert validate.partition("agreement_event", with_versions(events, "agreement_event"))[1] == []
    assert validate.partition("agreement_event_link", with_versions(links, "agreement_event_link"))[1] == []


def test_same_day_mous_on_different_topics_stay_apart() -> None:
    named = [rep(1, "memorandum_of_understanding", "signed", ("FIN", "NZL"), "MoU on Renewable Energy",
                 ("energy",)),
             rep(2, "memorandum_of_understanding", "signed", ("FIN", "NZL"), "MoU on Health Workforce",
                 ("health",)),
             # a second article of the same day reports both again
             rep(3, "memorandum_of_understanding", "signed", ("FIN", "NZL"), "Memorandum of Understanding "
                 "on renewable energy cooperation", ("energy",)),
             rep(4, "memorandum_of_understanding", "signed", ("FIN", "NZL"), "health workforce MoU",
                 ("health",))]
    events, _ = build_events(named)
    assert sorted(sorted(e["agreement_ids"]) for e in events) == [
        [f"{1:016x}", f"{3:016x}"], [f"{2:016x}", f"{4:016x}"]]
    unnamed = [rep(1, "memorandum_of_understanding", "signed", ("FIN", "NZL"), None, ("energy",)),
               rep(2, "memorandum_of_understanding", "signed", ("FIN", "NZL"), None, ("health",))]
    assert len(build_events(unnamed)[0]) == 2
    # Two MoUs in one article are never one, even with the same fields.
    one_article = [rep(1, "memorandum_of_understanding", "signed", ("FIN", "NZL"), None, ("energy",), art=9),
                   rep(2, "memorandum_of_understanding", "signed", ("FIN", "NZL"), "MoU on hydrogen",
                       ("energy",), art=9)]
    assert len(build_events(one_article)[0]) == 2


def test_multilateral_instrument_missing_a_party_in_one_report_is_one_event() -> None:
    reports = [rep(1, "agreement", "planned", ("ARG", "BRA", "PRY", "URY", "MERCOSUR", "NOR"),
                   "MERCOSUR-Norway Free Trade Agreement", ("trade",), "2025-01-05"),
               rep(2, "agreement", "signed", ("BRA", "NOR", "URY", "MERCOSUR"),
                   "Free Trade Agreement between MERCOSUR and Norway", ("trade",), "2025-06-01")]
    events, links = build_events(reports)
    assert len(events) == 1
    assert events[0]["parties"] == ["ARG", "BRA", "MERCOSUR", "NOR", "PRY", "URY"]
    assert "subset" in links[1]["reason"] or "subset" in links[0]["reason"]
    # A bilateral report with one party in common is not the multilateral instrument.
    bilateral = rep(3, "agreement", "signed", ("NOR", "ARG"), "Norway-Argentina Tax Agreement", ("finance",))
    assert len(build_events([*reports, bilateral])[0]) == 2


def test_renewal_is_a_new_event_pointing_at_the_old_one() -> None:
    old = rep(1, "memorandum_of_understanding", "signed", ("KEN", "SGP"), "MOU on Youth Cooperation",
              ("culture",), "2020-02-01")
    new = rep(2, "memorandum_of_understanding", "signed", ("KEN", "SGP"), "renewed MOU on youth cooperation",
              ("culture",), "2025-02-01", renewal=True)
    other = rep(3, "memorandum_of_understanding", "signed", ("KEN", "SGP"), "MOU on Water", ("environment",),
                "2019-02-01")
    events, _ = build_events([new, old, other])
    by_first = {e["agreement_ids"][0]: e for e in events}
    assert len(events) == 3
    assert by_first[new.agreement_id]["renewal"] is True
    assert by_first[new.agreement_id]["renews_event_id"] == by_first[old.agreement_id]["event_id"]
    assert by_first[old.agreement_id]["renews_event_id"] is None
    # Without the old instrument in the set, the renewal points nowhere.
    alone, _ = build_events([new])
    assert alone[0]["renews_event_id"] is None


def test_renewal_is_read_from_name_or_evidence() -> None:
    row = {"agreement_id": "0" * 16, "article_id": "0" * 64, "kind": "memorandum_of_understanding",
           "status": "signed", "parties": ["SGP", "KEN"], "fields": [], "name": "MOU on Youth",
           "evidence": "The Ministers signed the renewed MOU on Youth.", "date": None}
    r = report_from_row(row, date(2026, 1, 1))
    assert r.renewal and r.parties == ("KEN", "SGP") and r.reported == date(2026, 1, 1)
    assert not report_from_row({**row, "evidence": "They signed the MOU."}, None).renewal


def test_grouping_is_independent_of_input_order() -> None:
    reports = [*TREATY,
               rep(10, "memorandum_of_understanding", "signed", ("FIN", "NZL"), "MoU on Renewable Energy",
                   ("energy",)),
               rep(11, "memorandum_of_understanding", "planned", ("FIN", "NZL"), "renewable energy MoU",
                   ("energy",), "2025-12-20"),
               rep(12, "memorandum_of_understanding", "signed", ("FIN", "NZL"), "MoU on Health", ("health",))]
    reference = build_events(reports)
    rng = random.Random(7)
    for _ in range(20):
        shuffled = reports[:]
        rng.shuffle(shuffled)
        assert build_events(shuffled) == reference


def test_conflicts_keep_reports_apart() -> None:
    a = rep(1, "agreement", "signed", ("CHL", "KOR"), "Air Services Agreement", ("aviation",),
            on="2020-01-01")
    b = rep(2, "agreement", "signed", ("CHL", "KOR"), "Air Services Agreement", ("aviation",), "2026-01-01",
            on="2025-12-30")
    assert match(a, b) is None  # signed on two dates years apart: two instruments
    c = rep(3, "memorandum_of_understanding", "signed", ("CHL", "KOR"), "Air Services Agreement")
    assert match(a, c) is None  # another kind class
    assert block_keys(a) == ["agreement|CHL|KOR"]
    assert block_keys(rep(4, "declaration", "signed", (), None)) == ["statement|-"]


def test_name_similarity_drops_country_names_and_expands_acronyms() -> None:
    a = rep(1, "agreement", "signed", ("GBR", "SGP"), "UK-Singapore Digital Economy Agreement")
    b = rep(2, "agreement", "signed", ("GBR", "SGP"), "Digital Economy Agreement (DEA)")
    assert name_similarity(a, b) == 1.0
    c = rep(3, "memorandum_of_understanding", "signed", ("GBR", "SGP"),
            "MOU on the Singapore-UK Third Country Training Programme")
    d = rep(4, "memorandum_of_understanding", "signed", ("GBR", "SGP"), "MOU on the TCTP")
    assert name_similarity(c, d) == 1.0
    assert name_similarity(a, rep(5, "agreement", "signed", ("GBR", "SGP"), "Agreement")) is None


def test_names_sharing_one_signing_body_are_not_enough() -> None:
    a = rep(1, "memorandum_of_understanding", "signed", ("NOR", "OMN"),
            "Memorandum of Understanding between the Oman Research Council and Innovation Norway",
            ("science_technology",), "2025-03-01")
    b = rep(2, "memorandum_of_understanding", "signed", ("NOR", "OMN"),
            "Memorandum of Understanding between the Norwegian Water Agency and the Oman Research Council "
            "on water innovation", ("science_technology", "environment"), "2025-05-01")
    assert match(a, b) is None
    assert len(build_events([a, b])[0]) == 2


def test_unnamed_reports_do_not_chain_and_need_two_parties() -> None:
    # Five unnamed reports, a week apart each: the first and the last are 28 days apart.
    chain = [rep(n, "agreement", "agreed", ("CAN", "MEX"), None, ("trade",), f"2025-03-{1 + 7 * n:02d}")
             for n in range(5)]
    events, _ = build_events(chain)
    assert all(e["agreement_count"] <= 3 for e in events) and len(events) >= 2
    # No party: nothing says which instrument it is. One party: only a near-identical name, days apart.
    assert match(rep(1, "agreement", "agreed", (), "merger agreement"),
                 rep(2, "agreement", "agreed", (), "merger agreement")) is None
    assert match(rep(1, "agreement", "agreed", ("MEX",), "Pemex supply contract"),
                 rep(2, "agreement", "agreed", ("MEX",), "Pemex supply contract", reported="2026-01-05"))
    late = rep(2, "agreement", "agreed", ("MEX",), "Pemex supply contract", reported="2026-06-05")
    assert match(rep(1, "agreement", "agreed", ("MEX",), "Pemex supply contract"), late) is None
