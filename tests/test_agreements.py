"""Tests for the rule-based agreement extractor (invented press-release style fixtures)."""

from __future__ import annotations

from datetime import date

from accords.extract.agreements import extract_agreements
from tests.agreement_helpers import tag

# surface form -> (type, canonical name, country code, role)
SPEC: dict[str, tuple[str, str, str | None, str | None]] = {
    "Singapore": ("COUNTRY", "Singapore", "SGP", None),
    "Singaporean": ("COUNTRY", "Singapore", "SGP", None),
    "Vietnam": ("COUNTRY", "Vietnam", "VNM", None),
    "Vietnamese": ("COUNTRY", "Vietnam", "VNM", None),
    "China": ("COUNTRY", "China", "CHN", None),
    "Chinese": ("COUNTRY", "China", "CHN", None),
    "Kazakhstan": ("COUNTRY", "Kazakhstan", "KAZ", None),
    "Kazakh": ("COUNTRY", "Kazakhstan", "KAZ", None),
    "Malaysia": ("COUNTRY", "Malaysia", "MYS", None),
    "Ruritania": ("COUNTRY", "Ruritania", "RUR", None),
    "Freedonia": ("COUNTRY", "Freedonia", "FRE", None),
    "Xi Jinping": ("PERSON", "Xi Jinping", "CHN", "President"),
    "Kassym-Jomart Tokayev": ("PERSON", "Kassym-Jomart Tokayev", "KAZ", "President"),
    "Tokayev": ("PERSON", "Kassym-Jomart Tokayev", "KAZ", "President"),
    "Xi": ("PERSON", "Xi Jinping", "CHN", "President"),
    "Tran Van Luong": ("PERSON", "Tran Van Luong", "VNM", "President"),
    "Tran": ("PERSON", "Tran Van Luong", "VNM", "President"),
    "Daniel Koh": ("PERSON", "Daniel Koh", "SGP", "Prime Minister"),
    "Koh": ("PERSON", "Daniel Koh", "SGP", "Prime Minister"),
    "Astana": ("LOCATION", "Astana", None, None),
    "Hanoi": ("LOCATION", "Hanoi", None, None),
    "Acme Steel Corp": ("ORGANIZATION", "Acme Steel Corp", None, None),
    "Borealis Bank": ("ORGANIZATION", "Borealis Bank", None, None),
    "European Union": ("ORGANIZATION", "European Union", None, None),
    "Ruritanian": ("COUNTRY", "Ruritania", "RUR", None),
    "Freedonian": ("COUNTRY", "Freedonia", "FRE", None),
    "Ruritanian Institute of Marine Research": (
        "ORGANIZATION",
        "Ruritanian Institute of Marine Research",
        "RUR",
        None,
    ),
    "Freedonia Ports Authority": ("ORGANIZATION", "Freedonia Ports Authority", "FRE", None),
    "Ruritania Grid Company Limited": ("ORGANIZATION", "Ruritania Grid Company Limited", "RUR", None),
    "Ruritania Development Agency": ("ORGANIZATION", "Ruritania Development Agency", "RUR", None),
    "Ruritanian-Freedonian Development Fund": (
        "ORGANIZATION",
        "Ruritanian-Freedonian Development Fund",
        None,
        None,
    ),
    "Freedonia Oil Corporation": ("ORGANIZATION", "Freedonia Oil Corporation", "FRE", None),
    "Ruritanian Ministry of Energy and Petroleum": (
        "ORGANIZATION",
        "Ruritanian Ministry of Energy and Petroleum",
        "RUR",
        None,
    ),
    "Ramon Estevez": ("ORGANIZATION", "Ramon Estevez", None, None),  # a person mis-tagged by the tagger
}
# Instrument titles mis-tagged as organisations by the entity tagger.
for _title in ("Promotion and Protection of Investments", "Joint Declaration on Strategic Partnership"):
    SPEC[_title] = ("ORGANIZATION", _title, None, None)


def entities_for(text: str) -> tuple[list[dict], list[dict]]:
    """Build entity and mention lists by exact surface matching (longest first)."""
    return tag(text, SPEC)


def run(text: str, published: date | None = date(2024, 7, 4), title: str | None = None) -> list[dict]:
    ents, ments = entities_for(text)
    out = extract_agreements(text, title, published, ents, ments)
    for a in out:
        assert text[a["evidence_start"] : a["evidence_end"]] == a["evidence"]
    return out


def test_list_of_instruments_in_one_sentence() -> None:
    text = (
        "The Prime Minister of Singapore met the Prime Minister of Vietnam in Hanoi on Wednesday. "
        "The two sides signed three MoUs: on maritime cooperation, on education, and on health."
    )
    out = run(text)
    assert len(out) == 3
    assert all(a["kind"] == "memorandum_of_understanding" for a in out)
    assert all(a["status"] == "signed" for a in out)
    assert all(set(a["parties"]) == {"SGP", "VNM"} for a in out)
    assert [a["fields"] for a in out] == [["maritime"], ["education"], ["health"]]
    assert len({a["agreement_id"] for a in out}) == 3


def test_enumerated_documents_after_header() -> None:
    text = (
        "Singapore and Vietnam held talks on Tuesday.\n"
        "The leaders witnessed the exchange of the following documents:\n"
        "(i) Memorandum of Understanding between Singapore and Vietnam on Cooperation in Digital Economy;\n"
        "(ii) Agreement on Air Services between Singapore and Vietnam; and\n"
        "(iii) Protocol on Customs Cooperation.\n"
        "The leaders then held a press conference."
    )
    out = run(text)
    kinds = [a["kind"] for a in out]
    assert kinds == ["memorandum_of_understanding", "agreement", "protocol"]
    assert all(a["status"] == "signed" for a in out)
    assert all(set(a["parties"]) == {"SGP", "VNM"} for a in out)
    assert out[0]["fields"] == ["digital"]  # "digital economy" is one digital term
    assert out[1]["fields"] == ["aviation"]
    assert out[2]["fields"] == ["trade"]


def test_joint_statement_and_unindividuated_documents() -> None:
    text = (
        "Vietnamese President Tran Van Luong received Singaporean Prime Minister Daniel Koh in Hanoi "
        "on Friday. At the close of the meeting the two leaders signed a joint statement, then "
        "witnessed the exchange of several cooperation documents covering trade, aviation, aerospace "
        "and media. "
        "Koh said Singapore prizes its friendship with Vietnam. Tran agreed."
    )
    out = run(text)
    assert len(out) == 2
    js, docs = out
    assert js["kind"] == "joint_statement"
    assert set(js["parties"]) == {"SGP", "VNM"}
    assert set(js["signatories"]) == {"Tran Van Luong", "Daniel Koh"}
    assert js["status"] == "signed"
    assert js["fields"] == []
    assert docs["kind"] == "other"
    assert set(docs["parties"]) == {"SGP", "VNM"}
    assert set(docs["fields"]) == {"trade", "aviation", "space", "media"}


def test_background_treaty_excluded() -> None:
    text = (
        "Ruritania and Freedonia held talks on border issues under the 1994 treaty of friendship. "
        "The ministers recalled the agreement signed in 2001 and agreed to deepen cooperation."
    )
    assert run(text) == []


def test_status_signed_agreed_planned() -> None:
    signed = run("Ruritania and Freedonia signed an agreement on tourism cooperation on Monday.")
    assert [a["status"] for a in signed] == ["signed"]
    agreed = run("Ruritania and Freedonia reached an agreement on fisheries quotas.")
    assert [a["status"] for a in agreed] == ["agreed"]
    planned = run("Ruritania and Freedonia are expected to sign a free trade agreement next month.")
    assert [a["status"] for a in planned] == ["planned"]
    assert planned[0]["fields"] == ["trade"]
    talks = run("Ruritania and Freedonia opened talks on a defence cooperation agreement.")
    assert [(a["status"], a["fields"]) for a in talks] == [("planned", ["defence"])]


def test_vague_intention_excluded() -> None:
    assert run("Singapore and Malaysia agreed to deepen cooperation in the digital economy.") == []


def test_coreferent_mentions_are_one_record() -> None:
    text = (
        "Ruritania signed a trade pact with Freedonia on Tuesday. "
        "The pact will cut tariffs on textiles. Officials said the agreement takes effect in May."
    )
    out = run(text)
    assert len(out) == 1
    assert set(out[0]["parties"]) == {"RUR", "FRE"}


def test_company_deal_is_contract() -> None:
    text = "Acme Steel Corp said it will sign a joint venture agreement with Borealis Bank on March 17."
    out = run(text, published=date(2024, 3, 12))
    assert len(out) == 1
    a = out[0]
    assert a["kind"] == "contract"
    assert a["status"] == "planned"
    assert set(a["parties"]) == {"Acme Steel Corp", "Borealis Bank"}
    assert a["date"] == "2024-03-17"
    assert "investment" in a["fields"]


def test_international_organization_short_name() -> None:
    out = run("Vietnam and the European Union signed a partnership and cooperation agreement on Friday.")
    assert len(out) == 1
    assert set(out[0]["parties"]) == {"VNM", "EU"}


def test_date_and_location() -> None:
    text = "Singapore and Vietnam signed an MoU on energy cooperation in Hanoi on Wednesday."
    out = run(text, published=date(2024, 7, 4))
    assert out[0]["date"] == "2024-07-03"
    assert out[0]["location"] == "Hanoi"


def test_no_trigger_fast_path() -> None:
    assert extract_agreements("The leaders discussed regional issues.", None, None, [], []) == []


# ---------------------------------------------------------------------------------------------
# Press-release regressions (invented sentences)
# ---------------------------------------------------------------------------------------------
def test_colon_list_of_memoranda_gives_one_record_per_item() -> None:
    text = (
        "President Xi Jinping received the Prime Minister of Malaysia in Beijing. "
        "China and Malaysia signed four memoranda of understanding: on cyber security, on solar power, "
        "on youth affairs, and on television broadcasting."
    )
    out = run(text)
    assert len(out) == 4
    assert [a["fields"] for a in out] == [["security"], ["energy"], ["culture"], ["media"]]
    assert all(set(a["parties"]) == {"CHN", "MYS"} and a["status"] == "signed" for a in out)
    assert out[0]["name"] == "memorandum of understanding on cyber security"


def test_documents_signed_include_several_instruments() -> None:
    text = (
        "Singapore and Vietnam held their annual consultations on Monday. The documents signed include "
        "an MoU on digital payments, an agreement on air services and a protocol on customs cooperation."
    )
    out = run(text)
    assert [a["kind"] for a in out] == ["memorandum_of_understanding", "agreement", "protocol"]
    assert [a["name"] for a in out] == [
        "MoU on digital payments",
        "agreement on air services",
        "protocol on customs cooperation",
    ]
    assert [a["fields"] for a in out] == [["finance", "digital"], ["aviation"], ["trade"]]


def test_names_are_cut_before_next_instrument_place_and_day() -> None:
    text = (
        "Malaysia and Vietnam signed a defence cooperation agreement in Hanoi on Thursday. The leaders also "
        "witnessed the signing of a Memorandum of Understanding on Energy Cooperation and an Agreement on "
        "Visa Exemption. They issued a joint statement on strategic partnership and the governments "
        "exchanged notes on other matters."
    )
    out = run(text)
    names = [a["name"] for a in out]
    assert names == [
        "defence cooperation agreement",
        "Memorandum of Understanding on Energy Cooperation",
        "Agreement on Visa Exemption",
        "joint statement on strategic partnership",
    ]
    assert out[3]["status"] == "signed" and out[3]["fields"] == []  # issued jointly -> concluded


def test_lettered_and_numbered_items_after_header() -> None:
    text = (
        "The Prime Minister of Malaysia received the President of Vietnam in Putrajaya.\n"
        "2. At the end of the visit, the Leaders witnessed the exchange of the following documents:\n"
        "a. Memorandum of Understanding on Cooperation in Rice Production;\n"
        "b. Programme of Youth Exchanges for the Period 2024-2026; and\n"
        "c. Line of Credit Agreement between Borealis Bank and the Government of Vietnam for rural roads.\n"
        "3. The two sides also agreed to conclude an agreement on labour mobility, which remains under "
        "discussion."
    )
    out = run(text)
    assert [a["kind"] for a in out] == ["memorandum_of_understanding", "programme", "agreement", "agreement"]
    assert [a["status"] for a in out] == ["signed", "signed", "signed", "planned"]
    assert set(out[0]["parties"]) == {"MYS", "VNM"} and out[0]["fields"] == ["agriculture"]
    assert out[1]["fields"] == ["culture"]
    assert out[2]["parties"] == ["Borealis Bank", "VNM"]  # a loan: the bank and the borrower state
    assert set(out[2]["fields"]) == {"finance", "transport"}
    assert out[3]["name"] == "agreement on labour mobility" and out[3]["fields"] == ["labour"]


def test_unindividuated_documents_stay_one_record() -> None:
    text = (
        "After the talks, Singapore and Vietnam witnessed the exchange of seven cooperation documents in the "
        "fields of defence industry, justice, education and health."
    )
    out = run(text)
    assert len(out) == 1
    assert out[0]["kind"] == "other"
    assert out[0]["fields"] == ["education", "health", "defence", "law_justice"]


def test_upgraded_and_background_instruments_are_excluded() -> None:
    text = (
        "Malaysia and Vietnam agreed that they will begin negotiations next year to upgrade the "
        "Malaysia-Vietnam Preferential Trade Agreement, in force since 2013, into a Comprehensive Economic "
        "Partnership Agreement. They agreed to deepen cooperation in tourism under the 2015 agreement on "
        "border trade."
    )
    out = run(text, published=date(2025, 3, 1))
    assert len(out) == 1
    assert out[0]["name"] == "Comprehensive Economic Partnership Agreement"
    assert out[0]["status"] == "planned" and out[0]["fields"] == ["trade"]


def test_untagged_companies_on_the_sidelines_and_later_state_agreement() -> None:
    text = (
        "Kazakh President Kassym-Jomart Tokayev held talks with Chinese President Xi Jinping in Astana. "
        "Kazakhstan and China signed an agreement on visa exemption. "
        "On the sidelines, Nordwind and Acme Steel Corp signed a memorandum of understanding on a wind farm. "
        "The Presidents instructed their governments to prepare an Air Services Agreement."
    )
    out = run(text)
    assert out[1]["parties"] == ["Nordwind", "Acme Steel Corp"] and out[1]["fields"] == ["energy"]
    assert set(out[2]["parties"]) == {"KAZ", "CHN"} and out[2]["status"] == "planned"


def test_concluded_negotiations_are_agreed_not_signed() -> None:
    text = (
        "Singapore and Vietnam welcomed the conclusion of negotiations on an Agreement on Visa Exemption for "
        "Holders of Official Passports, which is expected to be signed at an early date."
    )
    out = run(text)
    assert len(out) == 1 and out[0]["status"] == "agreed" and out[0]["fields"] == ["consular"]


def test_bare_header_and_unnumbered_instrument_lines() -> None:
    text = (
        "Ruritania and Freedonia held talks on Monday.\n"
        "The following acts were signed:\n"
        "Agreement on the Mutual Recognition of Driving Licences\n"
        "Memorandum of Understanding between the Ruritanian Institute of Marine Research and the Freedonia "
        "Ports Authority on Oceanographic Surveys\n"
        "Power Purchase Agreement between Ruritania Grid Company Limited and Freedonia Ports Authority\n"
        "The leaders then visited the harbour."
    )
    out = run(text)
    assert [a["kind"] for a in out] == ["agreement", "memorandum_of_understanding", "contract"]
    assert all(a["status"] == "signed" for a in out)
    assert set(out[0]["parties"]) == {"RUR", "FRE"} and out[0]["fields"] == ["transport"]
    assert set(out[1]["parties"]) == {"RUR", "FRE"}  # public bodies stand for their countries
    # a commercial deal: a state utility or port authority is a party under its own name
    assert out[2]["parties"] == ["Ruritania Grid Company Limited", "Freedonia Ports Authority"]
    assert out[2]["fields"] == ["energy"]


def test_planned_phrasings() -> None:
    text = (
        "Ruritania and Freedonia held talks on Monday. Both sides agreed to expedite the conclusion of a "
        "memorandum of understanding on the use of river ports. The ministers noted that an agreement on "
        "defence cooperation and a memorandum of understanding between the two diplomatic "
        "academies are at an advanced stage of negotiation. Both sides agreed that a treaty on extradition, "
        "whose text has been finalised by the experts, will be signed next month."
    )
    out = run(text)
    assert [a["status"] for a in out] == ["planned"] * 4
    mou = "memorandum_of_understanding"
    assert [a["kind"] for a in out] == [mou, "agreement", mou, "treaty"]
    assert out[1]["fields"] == ["defence"]
    assert set(out[2]["fields"]) == {"education", "diplomacy"}


def test_lender_is_party_by_name_and_topic_bodies_are_not_parties() -> None:
    text = (
        "Ruritania and Freedonia held talks on Monday. "
        "The Ruritania Development Agency and the Government of Freedonia signed a loan agreement for a "
        "hydropower plant. Ruritania and Freedonia also signed an agreement on increasing the capital of "
        "the Ruritanian-Freedonian Development Fund."
    )
    out = run(text)
    assert out[0]["kind"] == "agreement" and out[0]["parties"] == ["Ruritania Development Agency", "FRE"]
    assert set(out[0]["fields"]) == {"finance", "energy"}
    assert set(out[1]["parties"]) == {"RUR", "FRE"}


def test_document_package_and_later_planned_agreement() -> None:
    text = (
        "Ruritania and Freedonia held talks on Monday. A package of documents was also signed, including "
        "agreements and memoranda on trade, tourism and health. The two sides will launch negotiations on a "
        "free trade agreement."
    )
    out = run(text)
    assert [(a["kind"], a["status"]) for a in out] == [("other", "signed"), ("agreement", "planned")]
    assert set(out[0]["fields"]) == {"trade", "tourism", "health"}


def test_statement_scope_and_new_instrument_kinds() -> None:
    text = (
        "Ruritania and Freedonia held talks on Monday. The leaders adopted a joint declaration, which covers "
        "energy, climate and culture. The ministers signed a declaration of intent on missile defence "
        "procurement, exchanged notes on a grant for a bridge, and signed the Agreed Minutes of the "
        "joint commission."
    )
    out = run(text)
    assert out[0]["kind"] == "declaration" and set(out[0]["fields"]) == {"energy", "environment", "culture"}
    assert out[1]["kind"] == "letter_of_intent" and out[1]["fields"] == ["defence"]
    assert out[-1]["kind"] == "other" and out[-1]["status"] == "signed"
    text2 = (
        "Ruritania and Freedonia held talks. They signed an Exchange of Notes concerning a grant for a road."
    )
    out2 = run(text2)
    assert len(out2) == 1 and out2[0]["kind"] == "agreement" and out2[0]["status"] == "signed"


def test_brand_names_and_mis_tagged_person_conjunct() -> None:
    text = (
        "Ruritania and Freedonia held talks on Monday. Freedonia Oil Corporation (Fredoil) and Acme Steel "
        "Corp signed a supply contract for diesel. Xi Jinping and Ramon Estevez signed an agreement on "
        "border and customs controls."
    )
    out = run(text)
    assert out[0]["kind"] == "contract" and out[0]["fields"] == ["energy"]
    assert out[0]["parties"] == ["Freedonia Oil Corporation (Fredoil)", "Acme Steel Corp"]
    assert "Ramon Estevez" not in out[1]["parties"] and out[1]["fields"] == ["trade"]


def test_instrument_titles_mis_tagged_as_organisations() -> None:
    text = (
        "Ruritania and Freedonia held talks on Monday. The leaders signed a Joint Declaration on Strategic "
        "Partnership.\nThe leaders then witnessed the signing of the following:\n"
        "- Agreement on the Promotion and Protection of Investments;\n"
        "- Memorandum of Understanding on Tourism."
    )
    out = run(text)
    assert [a["kind"] for a in out] == ["declaration", "agreement", "memorandum_of_understanding"]
    assert all(set(a["parties"]) == {"RUR", "FRE"} for a in out)
    assert out[1]["fields"] == ["investment"] and out[1]["status"] == "signed"


def test_joint_declaration_of_intent_is_a_letter_of_intent() -> None:
    text = (
        "Ruritania and Freedonia held talks. The ministers signed a Joint Declaration of Intent on green "
        "hydrogen."
    )
    out = run(text)
    assert [a["kind"] for a in out] == ["letter_of_intent"]
    assert "energy" in out[0]["fields"]


def test_opening_negotiations_is_planned_and_occasion_to_sign_is_signed() -> None:
    text = (
        "Ruritania and Freedonia held talks on Monday. The two sides agreed to open negotiations on an "
        "agreement on mutual legal assistance."
    )
    assert [a["status"] for a in run(text)] == ["planned"]
    text = (
        "Ruritania and Freedonia held talks on Monday. Acme Steel Corp used the occasion to sign a supply "
        "contract with Borealis Bank."
    )
    out = run(text)
    assert [a["status"] for a in out] == ["signed"] and out[0]["kind"] == "contract"


def test_ratification_exchange_is_current_not_background() -> None:
    text = (
        "Ruritania and Freedonia held talks on 2 July 2024. The presidents exchanged the instruments of "
        "ratification of the Agreement on Air Services, signed in Astana in 2022."
    )
    out = run(text)
    assert [(a["kind"], a["status"]) for a in out] == [("agreement", "signed")]
    assert set(out[0]["parties"]) == {"RUR", "FRE"} and out[0]["fields"] == ["aviation"]


def test_old_instrument_named_with_long_topic_is_background() -> None:
    text = (
        "Ruritania and Freedonia held talks on Monday. The leaders underlined the value of the agreement "
        "on the delimitation of the exclusive economic zones signed between the two countries in 2019. "
        "They also discussed expanding the Astana Accords."
    )
    assert run(text) == []


def test_todays_agreement_refers_back() -> None:
    text = (
        "Ruritania and Freedonia held talks on Monday. The ministers signed an agreement on air services. "
        '"Today\'s agreement will bring our peoples closer," the minister said.'
    )
    out = run(text)
    assert len(out) == 1 and set(out[0]["parties"]) == {"RUR", "FRE"}


def test_declaration_scope_and_provides_for_clause() -> None:
    text = (
        "Ruritania and Freedonia held talks on Monday. The leaders signed the Astana Declaration, which sets "
        "out a roadmap for cooperation in energy and defence, and a Treaty on Good Neighbourliness, which "
        "provides for regular cooperation in security."
    )
    out = run(text)
    assert [a["kind"] for a in out] == ["declaration", "treaty"]
    assert out[0]["fields"] == ["energy", "defence"]
    assert out[1]["fields"] == ["security"]


def test_summary_count_dropped_when_list_individuates() -> None:
    text = (
        "Ruritania and Freedonia held talks on Monday and the ministers signed four cooperation "
        "instruments.\n"
        "The instruments signed are:\n"
        "1. Memorandum of understanding on tourism.\n"
        "2. Agreement on air services.\n"
    )
    out = run(text)
    assert [a["kind"] for a in out] == ["memorandum_of_understanding", "agreement"]


def test_multilateral_parties_from_count_words() -> None:
    text = (
        "The foreign ministers of Ruritania, Freedonia and Malaysia met in Astana. Ruritania hosted "
        "Freedonia and Malaysia. At the close, the three Foreign Ministers signed the Astana Declaration. "
        "They also agreed to prepare a trilateral agreement on transit transport."
    )
    out = run(text)
    assert [a["kind"] for a in out] == ["declaration", "agreement"]
    assert all(set(a["parties"]) == {"RUR", "FRE", "MYS"} for a in out)


def test_ministry_with_sector_words_stands_for_its_country() -> None:
    text = (
        "Ruritania and Freedonia held talks on Monday. The Ruritanian Ministry of Energy and Petroleum and "
        "the Freedonia Ports Authority signed a memorandum of understanding on solar power."
    )
    out = run(text)
    assert len(out) == 1 and set(out[0]["parties"]) == {"RUR", "FRE"}


def test_lender_without_bank_word_and_societe_are_named_parties() -> None:
    text = (
        "Ruritania and Freedonia held talks on Monday.\nThe following documents were signed:\n"
        "- a loan agreement between Cassa Rurale di Prestiti (CRP) and the Government of Freedonia for "
        "irrigation;\n"
        "- a memorandum of understanding between Acme Steel Corp and the Société Freedonienne des Mines on "
        "ore exports.\n"
    )
    ents, ments = entities_for(text)
    for surface in ("Cassa Rurale di Prestiti", "Société Freedonienne des Mines"):
        start = text.index(surface)
        eid = f"ORGANIZATION:{surface}"
        ents.append({"entity_id": eid, "type": "ORGANIZATION", "name": surface, "aliases": [],
                     "country_code": None, "role": None, "acronym": None})  # fmt: skip
        ments.append({"entity_id": eid, "start": start, "end": start + len(surface), "text": surface})
    ments.sort(key=lambda m: m["start"])
    out = extract_agreements(text, None, date(2024, 7, 4), ents, ments)
    assert {"Cassa Rurale di Prestiti (CRP)", "Cassa Rurale di Prestiti"} & set(out[0]["parties"])
    assert "FRE" in out[0]["parties"]
    assert set(out[1]["parties"]) == {"Acme Steel Corp", "Société Freedonienne des Mines"}


def test_department_named_by_portfolio_and_country_stands_for_it() -> None:
    from accords.extract import extract

    text = ("Canadian and Philippine officials met in Manila on Tuesday. Natural Resources Canada and "
            "the Philippine Department of Energy signed a memorandum of understanding on clean energy.")
    assert [(a["kind"], sorted(a["parties"])) for a in extract(text).agreements] == [
        ("memorandum_of_understanding", ["CAN", "PHL"])]
    deal = ("Canadian and Philippine officials met in Manila on Tuesday. Air Canada and Philippine "
            "Airlines signed a codeshare agreement on flights between Vancouver and Manila.")
    assert [sorted(a["parties"]) for a in extract(deal).agreements] == [["Air Canada", "Philippine Airlines"]]


def test_talks_running_since_an_old_year_do_not_make_the_instrument_background() -> None:
    from accords.extract import extract

    pub = date(2026, 3, 2)
    planned = ("Thai and Vietnamese leaders met in Hanoi on Monday. The two sides agreed to soon conclude "
               "negotiations on an agreement on the mutual recognition of driving licences, which has been "
               "under discussion since 2021.")
    assert [(a["status"], a["parties"]) for a in extract(planned, published=pub).agreements] == [
        ("planned", ["THA", "VNM"])]
    old = ("Thai and Vietnamese leaders met in Hanoi on Monday. They reviewed the agreement on the mutual "
           "recognition of driving licences, which has been in force since 2021.")
    assert extract(old, published=pub).agreements == []


def test_welcoming_the_signing_reports_the_signing() -> None:
    text = (
        "The Prime Minister of Singapore met the Prime Minister of Vietnam in Hanoi. "
        "The Prime Ministers welcomed the signing of the Memorandum on Defence Exchanges."
    )
    out = run(text)
    assert [(a["kind"], a["status"], sorted(a["parties"]), a["fields"]) for a in out] == [
        ("memorandum_of_understanding", "signed", ["SGP", "VNM"], ["defence"])
    ]
    # Welcoming an instrument itself is still background.
    assert run("Ruritania and Freedonia welcomed the existing treaty of friendship.") == []


def test_a_body_whose_framework_frames_the_instrument_is_no_party() -> None:
    text = (
        "Ruritania and Freedonia signed an Agreement on Trade in Services under the framework of the "
        "European Union."
    )
    out = run(text)
    assert [sorted(a["parties"]) for a in out] == [["FRE", "RUR"]]


def test_a_future_frame_governs_every_item_of_its_list() -> None:
    text = (
        "The Prime Minister of Singapore will visit Vietnam on 11 July 2024. "
        "The two leaders will witness the signing of the following: an Agreement on Maritime Boundaries; "
        "a Treaty on Mutual Legal Assistance; "
        "and a Memorandum of Understanding on Education."
    )
    assert [(a["kind"], a["status"]) for a in run(text)] == [
        ("agreement", "planned"),
        ("treaty", "planned"),
        ("memorandum_of_understanding", "planned"),
    ]


def test_a_body_named_inside_the_instruments_topic_is_no_party() -> None:
    text = (
        "The Foreign Minister of Singapore met the Foreign Minister of Vietnam in Hanoi. "
        "The Ministers signed the renewed Agreement on the Executive Training Programme for Senior "
        "Workers Union of Vietnam (WUV) Officials from 2026 to 2028."
    )
    assert [(a["status"], sorted(a["parties"])) for a in run(text)] == [("signed", ["SGP", "VNM"])]


def test_witness_after_a_future_visit_is_planned_and_the_projects_body_no_party() -> None:
    text = (
        "Prime Minister of Singapore will visit Malaysia on 3 May 2026 to attend the opening of the "
        "Harbour Light Rail System (HLRS) project and witness the signing of a Memorandum of "
        "Understanding on the Coastal Economic Corridor."
    )
    assert [(a["status"], sorted(a["parties"])) for a in run(text)] == [("planned", ["MYS", "SGP"])]


def test_a_counted_plural_before_semicolon_items_is_their_header() -> None:
    text = (
        "The Foreign Minister of Singapore met the Foreign Minister of Oman in Muscat. Both "
        "ministers then saw the signing of two Memoranda of Understanding (MOU); a MOU on "
        "Fisheries between the Singapore Food Agency and the Ministry of Agriculture of Oman; and a "
        "MOU on Tourism between the Singapore Tourism Board and the Ministry of Heritage of Oman."
    )
    out = run(text)
    assert [(a["kind"], "agriculture" in a["fields"], "tourism" in a["fields"]) for a in out] == [
        ("memorandum_of_understanding", True, False),
        ("memorandum_of_understanding", False, True),
    ]


def test_an_example_named_before_the_instruments_long_name_is_background() -> None:
    text = (
        "The President of Singapore met the King of Norway in Oslo. Recent milestones, such as the "
        "entry into force of the Norway-Singapore Green Shipping Partnership Agreement and signing of "
        "the Memorandum of Understanding on Port Cooperation, show the depth of ties."
    )
    assert run(text) == []


def test_a_provision_or_goal_of_an_existing_instrument_is_background() -> None:
    for text in (
        "The Prime Minister of Singapore met the Prime Minister of Vietnam in Hanoi. They agreed to pursue "
        "joint projects aligned with Article 6 of the Paris Agreement.",
        "The Prime Minister of Singapore met the Prime Minister of Vietnam in Hanoi. They recognised the "
        "need to keep the temperature goal of the Paris Agreement within reach.",
    ):
        assert run(text) == []


def test_an_instruments_own_name_words_are_no_background_cue() -> None:
    text = (
        "The Prime Minister of Singapore met the Prime Minister of Vietnam in Hanoi. They are working "
        "towards signing a legally binding Implementation Agreement on carbon credits."
    )
    assert [(a["status"], sorted(a["parties"])) for a in run(text)] == [("planned", ["SGP", "VNM"])]


def test_fields_read_the_topics_in_continuation_and_carbon_credits() -> None:
    text = (
        "The Foreign Minister of Singapore met the Foreign Minister of Israel in Jerusalem. The ministers "
        "signed a MOU on cooperation in AI between the two digital offices."
    )
    assert [a["fields"] for a in run(text)] == [["digital", "science_technology"]]
    from accords.extract.agreement_fields import fields_of

    assert fields_of("an MOU on carbon credits") == ["environment"]
    assert fields_of("cooperation in football") == ["culture"]
    assert fields_of("fostering private sector partnerships") == ["economy"]


def test_inline_listed_instruments_take_the_future_of_the_sentence_before() -> None:
    text = (
        "The Prime Minister of Singapore will meet the President of Indonesia in Bintan. The Leaders "
        "will witness the signing and exchange of a set of agreements. These agreements are: an "
        "Agreement on the Flight Information Region, a Treaty for the Extradition of Fugitives, as well "
        "as an Exchange of Letters on their entry into force. The Leaders will also endorse several "
        "Memorandums of Understanding (MOU), signed ahead of the meeting, on energy."
    )
    assert [(a["kind"], a["status"], a["fields"]) for a in run(text)] == [
        ("agreement", "planned", ["aviation"]),
        ("treaty", "planned", ["law_justice"]),
        ("other", "planned", []),
        ("memorandum_of_understanding", "signed", ["energy"]),
    ]


def test_an_uncounted_plural_with_semicolon_titles_is_one_record_per_title() -> None:
    text = (
        "The Sultan of Brunei met the Prime Minister of Singapore in Singapore. Agencies of the two "
        "countries then signed Memoranda of Understanding on Cooperation in Solar Energy; Youth Exchange "
        "Scholarships; and Cooperation in Civil Service Capacity Development on the sidelines of the visit."
    )
    out = run(text)
    assert [(a["name"], a["fields"]) for a in out] == [
        ("Memorandum of Understanding on Cooperation in Solar Energy", ["energy"]),
        ("Memorandum of Understanding on Youth Exchange Scholarships", ["education", "culture"]),
        ("Memorandum of Understanding on Cooperation in Civil Service Capacity Development", ["education"]),
    ]


def test_newswire_deal_families() -> None:
    from accords.extract import extract

    def agr(text: str) -> list[tuple[str, str, list[str]]]:
        return [(a["kind"], a["status"], sorted(a["parties"])) for a in extract(text).agreements]

    ratified = "Peru's Senate on Thursday ratified an extradition treaty with Chile signed in Lima in 2025."
    assert agr(ratified) == [("treaty", "signed", ["CHL", "PER"])]
    bank = "Zambia has signed a deal with the Harbour Trade Bank to restructure its loans, officials said."
    assert [p for _k, _s, p in agr(bank)] == [["Harbour Trade Bank", "ZMB"]]
    vague = "The Peruvian minister met the Chilean minister; the two discussed a possible investment treaty."
    assert agr(vague) == []
    source = "Andes Oil Corp and Pacific Gas Ltd signed a gas contract, the companies said in a statement."
    assert [k for k, _s, _p in agr(source)] == ["contract"]


def test_the_two_countries_are_the_sides_the_sentence_names() -> None:
    from accords.extract import extract

    text = (
        "Leaders of Japan and India met on Friday. On the sidelines, Peruvian President Ana Soto "
        "held talks with Chilean President Luis Vera, and the two countries signed an agreement on visas."
    )
    assert [sorted(a["parties"]) for a in extract(text).agreements] == [["CHL", "PER"]]
