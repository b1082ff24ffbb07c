"""Meeting extraction (accords.extract.meetings), one test per rule family, on sentences written here."""

from __future__ import annotations

from datetime import date

from accords.extract import extract

PUB = date(2025, 3, 4)


def _meetings(text: str, title: str | None = None, published: date | None = PUB) -> list[dict]:
    return extract(text, title, published).meetings


def _summary(ms: list[dict]) -> list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]:
    return [(m["kind"], m["status"], tuple(m["participants"]), tuple(sorted(m["countries"]))) for m in ms]


VISIT = (
    "Portuguese Prime Minister Rui Tavares Mendes is on an Official Visit to Chile from 3 to 5 March 2025. "
    "He was received by Chilean President Camila Rojas Fuentes at La Moneda Palace in Santiago on 4 March."
)


def test_visit_in_progress_dated_by_its_first_day_with_the_receiving_host() -> None:
    ms = _meetings(VISIT)
    visit = next(m for m in ms if m["kind"] == "visit")
    assert visit["status"] == "held"
    assert visit["date"] == "2025-03-03"
    assert sorted(visit["countries"]) == ["CHL", "PRT"]
    # "was received by" makes the host part of the visit and is itself a meeting
    assert visit["participants"] == ["Rui Tavares Mendes", "Camila Rojas Fuentes"]
    meeting = next(m for m in ms if m["kind"] == "meeting")
    assert meeting["participants"] == ["Rui Tavares Mendes", "Camila Rojas Fuentes"]
    assert meeting["location"] == "La Moneda Palace"
    assert meeting["date"] == "2025-03-04"


def test_met_two_counterparts_gives_one_meeting_each() -> None:
    text = VISIT + " Prime Minister Mendes also met Chilean Foreign Minister Tomas Vidal Soto and Chilean " \
        "Finance Minister Elena Paz Ortega."  # fmt: skip
    pairs = [m["participants"] for m in _meetings(text) if m["kind"] == "meeting"]
    assert ["Rui Tavares Mendes", "Tomas Vidal Soto"] in pairs
    assert ["Rui Tavares Mendes", "Elena Paz Ortega"] in pairs


def test_same_people_later_in_the_future_is_another_encounter() -> None:
    text = VISIT + " Prime Minister Mendes will be hosted to dinner by President Rojas Fuentes this evening."
    meetings = [m for m in _meetings(text) if m["kind"] == "meeting"]
    assert [m["status"] for m in meetings] == ["held", "planned"]


def test_the_same_encounter_told_twice_is_one_record() -> None:
    text = VISIT + (
        " At the meeting hosted by President Rojas Fuentes, both sides were received by the press."
        " The meeting between the two leaders lasted two hours."
    )
    assert len([m for m in _meetings(text) if m["kind"] == "meeting"]) == 1


def test_an_invitation_is_a_planned_visit_of_the_invitee_to_the_inviter() -> None:
    text = VISIT + " Prime Minister Mendes invited President Rojas Fuentes to make a State Visit to Portugal."
    invited = [m for m in _meetings(text) if m["kind"] == "visit" and m["status"] == "planned"]
    assert len(invited) == 1
    assert invited[0]["participants"][0] == "Camila Rojas Fuentes"
    assert sorted(invited[0]["countries"]) == ["CHL", "PRT"]


def test_background_encounters_are_not_meetings() -> None:
    text = (
        "Norwegian Foreign Minister Ingrid Halvorsen Dahl and Kenyan Foreign Minister Peter Otieno Kamau "
        "last met in 2019. Since President Amina Wairimu visited Norway in 2021, trade has doubled. "
        "Officials of both sides met in Geneva. The minister looked forward to meeting her counterpart soon."
    )
    assert _meetings(text, published=date(2025, 6, 1)) == []


def test_a_past_dated_sentence_is_background() -> None:
    text = "Norwegian Foreign Minister Ingrid Halvorsen Dahl visited Kenya on 3 January 2024 to open a hall."
    assert _meetings(text, published=date(2025, 6, 1)) == []


def test_future_framing_makes_it_planned() -> None:
    text = (
        "Norwegian Foreign Minister Ingrid Halvorsen Dahl will visit Kenya from 10 to 12 June 2025. She is "
        "scheduled to meet Kenyan Foreign Minister Peter Otieno Kamau in Nairobi."
    )
    ms = _meetings(text, published=date(2025, 6, 1))
    assert {(m["kind"], m["status"]) for m in ms} == {("visit", "planned"), ("meeting", "planned")}
    visit = next(m for m in ms if m["kind"] == "visit")
    assert visit["date"] == "2025-06-10"


def test_named_summit_attended_is_a_summit_with_a_second_side() -> None:
    text = VISIT + " Prime Minister Mendes will attend the 12th Pacific Alliance Summit in Valparaiso."
    summit = next(m for m in _meetings(text) if m["kind"] == "summit")
    assert summit["status"] == "planned"
    assert summit["participants"] == ["Rui Tavares Mendes"]
    assert len(summit["countries"]) == 2


def test_a_bilateral_named_meeting_is_a_meeting_not_a_summit() -> None:
    text = (
        "Canadian Prime Minister Louise Tremblay Roy and Mexican President Diego Salgado Ibarra held the 4th "
        "Canada-Mexico Annual Leaders' Meeting in Ottawa today."
    )
    assert _summary(_meetings(text)) == [
        ("meeting", "held", ("Louise Tremblay Roy", "Diego Salgado Ibarra"), ("CAN", "MEX"))
    ]


def test_co_chairing_a_multilateral_ministerial_meeting_is_a_summit() -> None:
    text = (
        "Thai Foreign Minister Somchai Rattanakul will co-chair the ASEAN-Canada Foreign Ministers' "
        "Meeting in Bangkok with Canadian Foreign Minister Louise Tremblay Roy."
    )
    kinds = {m["kind"] for m in _meetings(text)}
    assert kinds == {"summit"}


def test_a_phone_call_is_a_call() -> None:
    text = "Kenyan President Amina Wairimu held a telephone call with Norwegian Premier Lars Eide Holm."
    expected = [("call", "held", ("Amina Wairimu", "Lars Eide Holm"), ("KEN", "NOR"))]
    assert _summary(_meetings(text)) == expected


def test_a_news_conference_alone_is_no_meeting_but_a_joint_one_is() -> None:
    told = "Kenyan Finance Minister Peter Otieno Kamau told a news conference that Norway Prime Minister " \
        "Lars Eide Holm was right."  # fmt: skip
    assert _meetings(told) == []
    joint = "Kenyan President Amina Wairimu and Norwegian Prime Minister Lars Eide Holm gave a joint press " \
        "conference in Oslo."  # fmt: skip
    assert [m["kind"] for m in _meetings(joint)] == ["meeting"]


def test_pronoun_subject_is_the_previous_person() -> None:
    text = (
        "Norwegian Prime Minister Lars Eide Holm arrived in Nairobi on Monday. He called on Kenyan "
        "President Amina Wairimu at State House."
    )
    pairs = [m["participants"] for m in _meetings(text) if m["kind"] == "meeting"]
    assert pairs == [["Lars Eide Holm", "Amina Wairimu"]]


def test_a_title_visit_cites_the_first_sentence_about_the_visitor() -> None:
    text = "Portuguese Prime Minister Rui Tavares Mendes received a ceremonial welcome at the palace."
    title = "Official Visit of Prime Minister Rui Tavares Mendes to Chile, 4 to 6 March 2025"
    ms = _meetings(text, title=title)
    assert len(ms) == 1
    visit = ms[0]
    assert (visit["kind"], visit["status"], visit["date"]) == ("visit", "held", "2025-03-04")
    assert sorted(visit["countries"]) == ["CHL", "PRT"]
    assert text[visit["evidence_start"] : visit["evidence_end"]] == visit["evidence"]


def test_companions_travel_with_the_visitor() -> None:
    text = VISIT + " Prime Minister Mendes is accompanied by Portuguese Economy Minister Joana Serra Lopes."
    visit = next(m for m in _meetings(text) if m["kind"] == "visit")
    assert "Joana Serra Lopes" in visit["participants"]


def test_honorific_guest_resolves_to_the_visitor() -> None:
    text = (
        "Thai Crown Prince Somchai Rattanakul will make an Official Visit to Canada from 8 to 9 March 2025. "
        "Canadian Prime Minister Louise Tremblay Roy will host His Royal Highness to lunch."
    )
    lunch = [m for m in _meetings(text) if m["kind"] == "meeting"]
    assert [m["participants"] for m in lunch] == [["Louise Tremblay Roy", "Somchai Rattanakul"]]


def test_agreement_signed_at_the_meeting_links_to_it() -> None:
    text = VISIT + (
        " Following their talks, President Rojas Fuentes and Prime Minister Mendes witnessed the signing "
        "of a Memorandum of Understanding on Cooperation in Renewable Energy between Chile and Portugal."
    )
    result = extract(text, None, PUB)
    ids = {m["meeting_id"] for m in result.meetings if m["kind"] == "meeting"}
    signed = [a for a in result.agreements if a["status"] == "signed"]
    assert signed and all(a["meeting_id"] in ids for a in signed)


def test_ids_are_deterministic_and_evidence_is_the_text() -> None:
    a, b = _meetings(VISIT), _meetings(VISIT)
    assert [m["meeting_id"] for m in a] == [m["meeting_id"] for m in b]
    assert len({m["meeting_id"] for m in a}) == len(a)
    for m in a:
        assert VISIT[m["evidence_start"] : m["evidence_end"]] == m["evidence"]
        assert len(m["participant_ids"]) == len(m["participants"])


def test_no_people_no_meetings() -> None:
    assert _meetings("The two countries will hold talks on trade next week.") == []
    assert _meetings("") == []


def test_negated_or_hedged_encounters() -> None:
    text = (
        "There are no plans for Kenyan Finance Minister Peter Otieno Kamau to meet Norwegian Prime Minister "
        "Lars Eide Holm. Kenyan President Amina Wairimu did not meet Norwegian Minister Ingrid Halvorsen "
        "Dahl."
    )
    assert _meetings(text) == []
    likely = "Norwegian Prime Minister Lars Eide Holm is likely to visit Kenya soon for talks on trade."
    assert [(m["kind"], m["status"]) for m in _meetings(likely)] == [("visit", "planned")]


def test_objects_end_with_their_clause() -> None:
    text = (
        "Kenyan Trade Minister Peter Otieno Kamau met Norwegian Prime Minister Lars Eide Holm last week, "
        "and that Kenyan President Amina Wairimu will travel later."
    )
    pairs = [m["participants"] for m in _meetings(text) if m["kind"] == "meeting"]
    assert pairs == [["Peter Otieno Kamau", "Lars Eide Holm"]]


def test_companions_before_a_bare_cue_are_no_meeting() -> None:
    text = "Kenyan President Amina Wairimu, accompanied by Minister Peter Otieno Kamau, met only officials."
    assert [m for m in _meetings(text) if m["kind"] == "meeting"] == []


def test_active_reception_and_courtesy_calls_are_meetings() -> None:
    text = (
        "Kenyan President Amina Wairimu received Norwegian Foreign Minister Ingrid Halvorsen Dahl at "
        "State House. Kenyan Finance Minister Peter Otieno Kamau received a courtesy call from Norwegian "
        "Minister Lars Eide Holm."
    )
    pairs = [m["participants"] for m in _meetings(text) if m["kind"] == "meeting"]
    expected = [["Amina Wairimu", "Ingrid Halvorsen Dahl"], ["Peter Otieno Kamau", "Lars Eide Holm"]]
    assert pairs == expected


def test_the_visit_of_someone_to_a_country() -> None:
    text = "The State Visit of Kenyan President Amina Wairimu to Norway began in Oslo on 3 March 2025."
    visit = _meetings(text)[0]
    assert (visit["kind"], visit["participants"], sorted(visit["countries"])) == (
        "visit", ["Amina Wairimu"], ["KEN", "NOR"])  # fmt: skip


def test_a_call_by_telephone() -> None:
    text = "Kenyan President Amina Wairimu spoke to Norwegian Premier Lars Eide Holm by telephone today."
    assert [m["kind"] for m in _meetings(text)] == ["call"]


def test_captions_audiences_and_joint_meetings() -> None:
    caption = "Photo Caption: Call on Kenyan President Amina Wairimu by Norwegian Premier Lars Eide Holm"
    assert [m["participants"] for m in _meetings(caption)] == [["Amina Wairimu", "Lars Eide Holm"]]
    audience = "Norwegian Premier Lars Eide Holm will have an audience with Thai King Somchai Rattanakul."
    assert [(m["kind"], m["status"]) for m in _meetings(audience)] == [("meeting", "planned")]
    joint = "Kenyan President Amina Wairimu and Norwegian Premier Lars Eide Holm had a meeting in Oslo today."
    assert [m["participants"] for m in _meetings(joint)] == [["Amina Wairimu", "Lars Eide Holm"]]
    photo = "Kenyan President Amina Wairimu meeting Norwegian Premier Lars Eide Holm, 3 March 2025"
    assert [m["kind"] for m in _meetings(photo)] == ["meeting"]


def test_hosted_to_a_meal_by_several_words() -> None:
    text = "Kenyan President Amina Wairimu was hosted to a state banquet by Norwegian Premier Lars Eide Holm."
    assert [m["participants"] for m in _meetings(text)] == [["Amina Wairimu", "Lars Eide Holm"]]


def test_legs_of_a_tour_under_way_are_visits() -> None:
    text = (
        "Kenyan Finance Minister Peter Otieno Kamau visited Washington last week to explain the debt plan. "
        "This week he sought support in Norway, Sweden and Denmark."
    )
    hosts = sorted(c for m in _meetings(text) if m["kind"] == "visit" for c in m["countries"] if c != "KEN")
    assert hosts == ["DNK", "NOR", "SWE", "USA"]
    # without a tour there are no legs: talks "in" a country are not a visit by themselves
    alone = "Kenyan Finance Minister Peter Otieno Kamau sought support in Norway for the debt plan."
    assert _meetings(alone) == []


def test_an_undated_meeting_takes_the_day_its_paragraph_set() -> None:
    text = (
        "Chilean Foreign Minister Tomas Vidal Soto is visiting Lisbon, Portugal from 1 to 4 March 2025.\n"
        "On 2 March, Minister Vidal met Portuguese Foreign Minister Ana Lobo Reis. "
        "Minister Vidal also met Portuguese Finance Minister Rui Sousa Pinto.\n"
        "Minister Vidal called on Portuguese President Marta Cunha Alves."
    )
    by_host = {m["participants"][-1]: m["date"] for m in _meetings(text) if m["kind"] == "meeting"}
    assert by_host["Ana Lobo Reis"] == "2025-03-02"
    assert by_host["Rui Sousa Pinto"] == "2025-03-02"  # same paragraph: same day
    assert by_host["Marta Cunha Alves"] is None  # a new paragraph sets no day


def test_this_morning_dates_the_paragraph_to_publication_and_a_city_state_is_its_place() -> None:
    text = (
        "Chilean President Camila Rojas Fuentes received a ceremonial welcome in Singapore this morning. "
        "President Rojas called on Singapore Prime Minister Daniel Koh Wei Ming."
    )
    ms = _meetings(text, "State Visit of President Camila Rojas Fuentes to Singapore, 3 to 5 March 2025", PUB)
    meeting = next(m for m in ms if m["kind"] == "meeting")
    assert meeting["date"] == PUB.isoformat()
    visit = next(m for m in ms if m["kind"] == "visit")
    assert visit["location"] == "Singapore"
    assert meeting["location"] == "Singapore"


def test_an_unplaced_meeting_takes_the_place_its_paragraph_named() -> None:
    text = (
        "Chilean President Camila Rojas Fuentes arrived at the Belem Palace in Lisbon, Portugal, on 3 March. "
        "President Rojas called on Portuguese President Marta Cunha Alves.\n"
        "President Rojas later met Portuguese Prime Minister Rui Sousa Pinto."
    )
    places = {m["participants"][-1]: m["location"] for m in _meetings(text) if m["kind"] == "meeting"}
    assert places["Marta Cunha Alves"] == "Lisbon"  # the last place named before it in its paragraph


def test_meetings_ahead_in_a_visit_under_way_take_its_place() -> None:
    text = (
        "Chilean Foreign Minister Camila Rojas Fuentes is on an Official Visit to Lisbon, Portugal, from 3 "
        "to 6 March 2025.\nMinister Rojas will meet Portuguese Foreign Minister Rui Sousa Pinto and "
        "Portuguese Minister of Health Marta Cunha Alves."
    )
    ms = _meetings(text)
    assert next(m for m in ms if m["kind"] == "visit")["status"] == "held"
    planned = [m for m in ms if m["kind"] == "meeting"]
    assert planned and all(m["status"] == "planned" and m["location"] == "Lisbon" for m in planned)
