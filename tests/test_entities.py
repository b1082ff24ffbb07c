"""Behaviour of the entity extractor on small invented press-release style texts."""

from __future__ import annotations

import pytest

from accords.extract.entities import extract_entities
from accords.ids import entity_id

STATE_VISIT = (
    "Chilean President Tomas Arriagada Vial held talks with Argentine President Mercedes Quiroga in Mendoza "
    "on Thursday, and the two presidents agreed to widen the Chile-Argentina partnership.\n"
    "Arriagada came to the Argentine wine city for an official visit and for the summit of the Andean "
    "Water Council (AWC). Quiroga said Argentina values its ties with Chile.\n"
    "During the summit, Arriagada also spoke with Peruvian President Julio Cantuarias, Bolivian President "
    "Rosa Mamani Cruz, Uruguayan President Diego Ferreyra and Paraguayan President Hugo Benitez.\n"
    "Chile's Santiago Institute of Mining and Geology (SIMG) will open a branch in Mendoza, where "
    "SIMG will train engineers from across South America. The AWC members also reviewed "
    "the Clean Rivers Initiative."
)


def _by_type(entities: list[dict], etype: str) -> dict[str, dict]:
    return {e["name"]: e for e in entities if e["type"] == etype}


@pytest.fixture(scope="module")
def state_visit() -> tuple[list[dict], list[dict]]:
    return extract_entities(STATE_VISIT)


def test_state_visit_persons(state_visit):
    people = _by_type(state_visit[0], "PERSON")
    assert people["Tomas Arriagada Vial"]["role"] == "President"
    assert people["Tomas Arriagada Vial"]["country_code"] == "CHL"
    assert "Arriagada" in people["Tomas Arriagada Vial"]["aliases"]
    assert people["Mercedes Quiroga"]["role"] == "President"
    assert people["Mercedes Quiroga"]["country_code"] == "ARG"
    assert "Quiroga" in people["Mercedes Quiroga"]["aliases"]
    assert set(people) == {
        "Tomas Arriagada Vial",
        "Mercedes Quiroga",
        "Julio Cantuarias",
        "Rosa Mamani Cruz",
        "Diego Ferreyra",
        "Hugo Benitez",
    }
    assert people["Rosa Mamani Cruz"]["country_code"] == "BOL"


def test_state_visit_countries(state_visit):
    codes = {e["country_code"] for e in state_visit[0] if e["type"] == "COUNTRY"}
    assert codes == {"CHL", "ARG", "PER", "BOL", "URY", "PRY"}


def test_state_visit_organizations(state_visit):
    orgs = _by_type(state_visit[0], "ORGANIZATION")
    awc = orgs["Andean Water Council"]
    assert awc["acronym"] == "AWC" and "AWC" in awc["aliases"]
    assert awc["mention_count"] == 3
    simg = orgs["Santiago Institute of Mining and Geology"]
    assert simg["acronym"] == "SIMG"
    assert simg["country_code"] == "CHL"
    assert "Clean Rivers Initiative" not in orgs  # named initiatives are not organizations


def test_state_visit_locations(state_visit):
    places = _by_type(state_visit[0], "LOCATION")
    assert "Mendoza" in places and "South America" in places
    assert places["Mendoza"]["mention_count"] == 2


def test_mentions_index_the_text(state_visit):
    entities, mentions = state_visit
    ids = {e["entity_id"] for e in entities}
    for m in mentions:
        assert STATE_VISIT[m["start"] : m["end"]] == m["text"]
        assert m["entity_id"] in ids
    counts: dict[str, int] = {}
    for m in mentions:
        counts[m["entity_id"]] = counts.get(m["entity_id"], 0) + 1
    for e in entities:
        assert e["mention_count"] == counts[e["entity_id"]]


def test_ids_are_stable_across_articles(state_visit):
    chl = next(e for e in state_visit[0] if e["country_code"] == "CHL" and e["type"] == "COUNTRY")
    assert chl["entity_id"] == entity_id("COUNTRY", "CHL")
    other, _ = extract_entities("Chile and Singapore signed an agreement.")
    assert chl["entity_id"] in {e["entity_id"] for e in other}


def test_honorifics_are_not_part_of_names():
    text = (
        "His Majesty Sultan Haji Hassanal Bolkiah received H.E. Mr. Nguyen Xuan Phuc at Istana Nurul Iman. "
        "Prime Minister Datuk Seri Anwar Ibrahim later met Sheikh Mohamed bin Zayed Al Nahyan. "
        "Singapore's Foreign Minister Vivian Balakrishnan also attended."
    )
    people = _by_type(extract_entities(text)[0], "PERSON")
    assert "Hassanal Bolkiah" in people
    assert "Haji Hassanal Bolkiah" in people["Hassanal Bolkiah"]["aliases"]
    assert "Nguyen Xuan Phuc" in people
    assert people["Anwar Ibrahim"]["role"] == "Prime Minister"
    assert "Mohamed bin Zayed Al Nahyan" in people
    assert people["Vivian Balakrishnan"]["role"] == "Foreign Minister"
    assert people["Vivian Balakrishnan"]["country_code"] == "SGP"


def test_chiefly_and_royal_forms_of_address_and_policy_portfolios_are_not_names():
    text = (
        "The President of Fiji Ratu Josefa Nailatikau met Che Puan Besar Aminah Binti Rahman. "
        "Coordinating Minister for Economic Policies Lim Boon Keat also attended."
    )
    people = _by_type(extract_entities(text)[0], "PERSON")
    assert {"Josefa Nailatikau", "Aminah Binti Rahman", "Lim Boon Keat"} <= set(people)
    assert people["Lim Boon Keat"]["role"] == "Coordinating Minister for Economic Policies"


def test_wire_style_persons_and_companies():
    text = (
        "Commerce Secretary Harold Pimsleur said the United States would keep its\n"
        "quotas in place, and Ivan Dorokhov, first deputy foreign trade minister\n"
        "of the Soviet Union, told reporters Moscow wanted a larger wheat contract.\n"
        "    Dorokhov said a new round was planned. <Northwind Traders Inc> and\n"
        "Contoso Corp declined comment, a Contoso spokeswoman said.\n"
    )
    entities, _ = extract_entities(text)
    people = _by_type(entities, "PERSON")
    assert people["Harold Pimsleur"]["role"] == "Commerce Secretary"
    assert "Dorokhov" in people["Ivan Dorokhov"]["aliases"]
    assert people["Ivan Dorokhov"]["mention_count"] == 2
    orgs = _by_type(entities, "ORGANIZATION")
    assert "Northwind Traders Inc" in orgs
    assert orgs["Contoso Corp"]["mention_count"] == 2
    codes = {e["country_code"] for e in entities if e["type"] == "COUNTRY"}
    assert codes == {"USA", "SUN"}
    assert "Moscow" in _by_type(entities, "LOCATION")


def test_country_inside_names():
    text = (
        "Bank of America raised its prime rate. The Indian Navy and the Philippine Coast Guard "
        "held drills in the Gulf of Mexico and the Strait of Malacca."
    )
    entities, _ = extract_entities(text)
    codes = {e["country_code"] for e in entities if e["type"] == "COUNTRY"}
    assert codes == {"IND", "PHL"}  # no USA from Bank of America, no MEX from Gulf of Mexico
    orgs = _by_type(entities, "ORGANIZATION")
    assert {"Bank of America", "Indian Navy", "Philippine Coast Guard"} <= set(orgs)
    places = _by_type(entities, "LOCATION")
    assert {"Gulf of Mexico", "Strait of Malacca"} <= set(places)


def test_historic_states_and_abbreviations():
    text = "West Germany, East Germany, the USSR, the U.K. and the UAE traded with Zaire and Yugoslavia."
    codes = {e["country_code"] for e in extract_entities(text)[0] if e["type"] == "COUNTRY"}
    assert codes == {"DEU", "DDR", "SUN", "GBR", "ARE", "COD", "YUG"}


def test_empty_text():
    assert extract_entities("") == ([], [])


# ----- press-release regressions (invented sentences) -------------------------------------------


def _names(text: str, etype: str) -> dict[str, dict]:
    return _by_type(extract_entities(text)[0], etype)


def test_lowercase_name_particles():
    text = "Egyptian President Abdel Fattah el-Sisi greeted the guests. Later, Sisi hosted a dinner."
    sisi = _names(text, "PERSON")["Abdel Fattah el-Sisi"]
    assert sisi["country_code"] == "EGY" and sisi["mention_count"] == 2
    text = "Sheikh Sabah al-Khalid al-Sabah opened the session."
    assert "Sabah al-Khalid al-Sabah" in _names(text, "PERSON")
    assert not _names(text, "LOCATION")  # "al-Sabah" is a family name, not the Malaysian state


def test_organization_country_comes_from_its_own_name():
    text = (
        "Vietnam's Ministry of Transport and the Japan International Cooperation Agency (JICA) "
        "signed the loan. JICA will also fund a port."
    )
    orgs = _names(text, "ORGANIZATION")
    assert orgs["Ministry of Transport"]["country_code"] == "VNM"
    assert orgs["Japan International Cooperation Agency"]["country_code"] == "JPN"
    assert orgs["Japan International Cooperation Agency"]["mention_count"] == 3  # name, (JICA), JICA


def test_portfolio_lists_stay_in_one_name():
    text = "The Ministry of Economy, Trade and Industry hosted a forum with the Ministry of Energy."
    assert set(_names(text, "ORGANIZATION")) == {
        "Ministry of Economy, Trade and Industry",
        "Ministry of Energy",
    }
    text = "The Ministry of Culture, Community and Youth thanked the Ministry of Energy."
    assert "Ministry of Culture, Community and Youth" in _names(text, "ORGANIZATION")
    text = "Minister for Sustainability and the Environment Kim Soo Ah and Minister Okafor spoke."
    people = _names(text, "PERSON")
    assert set(people) == {"Kim Soo Ah", "Okafor"}
    assert people["Kim Soo Ah"]["role"] == "Minister for Sustainability and the Environment"


def test_titles_do_not_yield_false_persons():
    text = (
        "As Chair of the Association of Southeast Asian Nations (ASEAN), Laos welcomed the "
        "Sultan and Yang Di-Pertuan of Brunei Darussalam, the Deputy Ruler of Abu Dhabi and the "
        "Ethiopian Minister of Trade and Regional Integration. His Excellency Tran Van Binh, "
        "President of the Socialist Republic of Viet Nam, also came."
    )
    assert set(_names(text, "PERSON")) == {"Tran Van Binh"}
    assert "Association of Southeast Asian Nations" in _names(text, "ORGANIZATION")
    assert "Abu Dhabi" in _names(text, "LOCATION")


def test_names_after_titles():
    text = (
        "Party General Secretary To Lam and National Assembly Chairman Nguyen Van Hai received "
        "Foreign Affairs Secretary Ma. Elena Cruz. Minister of Foreign Affairs Sutanto said the "
        "talks went well. King Abdullah II of Jordan and his wife Rania Yassin later joined."
    )
    people = _names(text, "PERSON")
    assert {"To Lam", "Nguyen Van Hai", "Ma. Elena Cruz", "Sutanto", "Abdullah II", "Rania Yassin"} <= set(
        people
    )
    assert people["To Lam"]["role"] == "General Secretary"
    assert "National Assembly" in _names(text, "ORGANIZATION")


def test_companies_from_context():
    text = (
        "Czech carrier Skyjet and Nordtel signed a codeshare memorandum, while Voltara signed "
        "a supply contract with Ethiopian Grid Power (EGP) and the Saltwater Oil and Gas Group "
        "(Saltgas). Saltgas will drill two wells."
    )
    orgs = _names(text, "ORGANIZATION")
    assert {"Skyjet", "Nordtel", "Voltara", "Ethiopian Grid Power", "Saltwater Oil and Gas Group"} <= set(
        orgs
    )
    assert orgs["Saltwater Oil and Gas Group"]["mention_count"] == 3


def test_place_patterns_and_credits():
    text = (
        "ASTANA, June 2 (Kazinform) -- The guests toured the Korgalzhyn Naval Base and the "
        "Government Headquarters, then the Esplanade Plaza of Kuala Lumpur, and a border post "
        "at Kordai in Kazakhstan. The Government of Kenya sent a message."
    )
    entities, _ = extract_entities(text)
    places = _by_type(entities, "LOCATION")
    assert {"Korgalzhyn Naval Base", "Government Headquarters", "Kordai"} <= set(places)
    assert not _by_type(entities, "ORGANIZATION")  # no credit line, no "Government of Kenya"
    codes = {e["country_code"] for e in entities if e["type"] == "COUNTRY"}
    assert codes == {"KAZ", "KEN"}


def test_instrument_subjects_are_not_organizations():
    text = (
        "They signed the Agreement between Japan and Canada Concerning the Status of Visiting "
        "Forces and the Foreign Investment Screening Reform (FISR) Act."
    )
    entities, _ = extract_entities(text)
    assert not _by_type(entities, "ORGANIZATION")
    assert {e["country_code"] for e in entities if e["type"] == "COUNTRY"} == {"JPN", "CAN"}


# ----- press releases from every region (invented sentences) -------------------------------


def _aliases(text: str, etype: str) -> dict[str, list[str]]:
    return {e["name"]: e["aliases"] for e in extract_entities(text)[0] if e["type"] == etype}


def test_subdivisions_state_and_lowercase_region():
    places = _aliases(
        "The refinery in Lekki, Lagos State, will supply fuel to the Sughd region and to the Great "
        "Lakes region.",
        "LOCATION",
    )
    assert {"Lekki", "Lagos State", "Sughd", "Great Lakes"} <= set(places)
    assert "Great Lakes region" in places["Great Lakes"]


def test_title_comma_name_and_demonym_body():
    text = (
        "Peru's Minister of Foreign Affairs, Teodoro Quispe Mamani, and the Chilean Ministry of "
        "Foreign Affairs signed the plan."
    )
    assert "Teodoro Quispe Mamani" in _aliases(text, "PERSON")
    orgs = _aliases(text, "ORGANIZATION")
    assert "Ministry of Foreign Affairs" in orgs["Chilean Ministry of Foreign Affairs"]


def test_family_name_in_capitals_and_later_short_form():
    people = _aliases(
        "Prior to the talks, Mr. TANAKA Hiroshi, Minister for Foreign Affairs, met the delegation. "
        "Minister Tanaka welcomed them.",
        "PERSON",
    )
    assert set(people) == {"TANAKA Hiroshi"} and "Tanaka" in people["TANAKA Hiroshi"]


def test_pairs_of_titled_people_and_regnal_numbers():
    people = _aliases(
        "Foreign Ministers Johan Lindqvist and Radomir Kowalczyk held a separate meeting. "
        "His Majesty King Faisal IV and President Ana Duarte attended.",
        "PERSON",
    )
    assert set(people) == {"Johan Lindqvist", "Radomir Kowalczyk", "Faisal IV", "Ana Duarte"}


def test_polity_noun_and_abbreviated_given_name():
    people = _aliases(
        "The President of the Andean Nation, Javier Quiroga, received his counterpart. "
        "Mr. Md. Rafiqul Islam attended.",
        "PERSON",
    )
    assert set(people) == {"Javier Quiroga", "Md. Rafiqul Islam"}


def test_company_short_name_is_not_a_place():
    text = "Southland Corp said profits rose. Southland will also sell its stores."
    assert _aliases(text, "LOCATION") == {}
    assert "Southland" in _aliases(text, "ORGANIZATION")["Southland Corp"]


# ----- names defined by an acronym, foreign names, places in lists ------------------------------


def _ent_names(text: str, etype: str) -> set[str]:
    return {e["name"] for e in extract_entities(text)[0] if e["type"] == etype}


def _ent_codes(text: str) -> set[str]:
    return {e["country_code"] for e in extract_entities(text)[0] if e["type"] == "COUNTRY"}


def test_foreign_name_with_lowercase_words_found_from_its_acronym():
    ents = extract_entities(
        "The loan from the Agence française de développement (AFD) will fund new wells. "
        "AFD staff will visit the sites."
    )[0]
    orgs = _by_type(ents, "ORGANIZATION")
    assert set(orgs) == {"Agence française de développement"}
    assert orgs["Agence française de développement"]["acronym"] == "AFD"
    assert orgs["Agence française de développement"]["mention_count"] == 3  # name, "(AFD)", "AFD"


def test_italian_connector_and_foreign_head_without_initials():
    text = "A credit line from Cassa Rurale e Artigiana (CRA) was agreed."
    assert "Cassa Rurale e Artigiana" in _ent_names(text, "ORGANIZATION")
    text = "The Société nationale des ports du Littoral (SONAP) signed a contract."
    assert _ent_names(text, "ORGANIZATION") == {"Société nationale des ports du Littoral"}


def test_acronym_after_prepositional_tail_takes_the_whole_name():
    text = "Both donate to the International Fisheries Agency for Coastal States in the South Pacific (IFA)."
    orgs = _by_type(extract_entities(text)[0], "ORGANIZATION")
    assert list(orgs) == ["International Fisheries Agency for Coastal States in the South Pacific"]
    assert orgs["International Fisheries Agency for Coastal States in the South Pacific"]["acronym"] == "IFA"


def test_forum_defining_an_acronym_is_a_body():
    assert "Gas Exporting Countries Forum" in _ent_names(
        "Both are members of the Gas Exporting Countries Forum (GECF).", "ORGANIZATION"
    )


def test_french_elision_inside_country_name():
    assert _ent_codes("The minister travelled to Côte d'Ivoire on Monday.") == {"CIV"}


def test_antarctica_is_a_location_not_a_country():
    text = "Chile and Norway will cooperate on research in Antarctica."
    assert _ent_codes(text) == {"CHL", "NOR"}
    assert "Antarctica" in _ent_names(text, "LOCATION")


def test_bare_the_ends_a_place_name():
    text = "The Prime Minister received at Villa Rosa Palace the President of Ghana, John Mahama."
    assert "Villa Rosa Palace" in _ent_names(text, "LOCATION")
    assert "John Mahama" in _ent_names(text, "PERSON")


def test_portfolio_list_with_research_stays_one_ministry():
    text = "It was signed with the Ministry of Higher Education, Research and Innovation of Mali."
    assert "Ministry of Higher Education, Research and Innovation of Mali" in _ent_names(text, "ORGANIZATION")


def test_places_in_a_list_after_departments_of():
    text = "The programme reaches the departments of Ixtalpa, Coruna Baja and Tezmel."
    assert {"Ixtalpa", "Coruna Baja", "Tezmel"} <= _ent_names(text, "LOCATION")


def test_cue_town_followed_by_a_known_city():
    text = "New flights will link Punta Arenas and Hobart next year."
    assert "Punta Arenas" in _ent_names(text, "LOCATION")


def test_place_name_does_not_span_on():
    locs = _ent_names("Work began on the Tolkar Dam on the Vakhsh River in May.", "LOCATION")
    assert "Vakhsh River" in locs
    assert not any(" on " in name for name in locs)


def test_signing_persons_are_not_companies():
    text = (
        "President Ana Lindqvist met President Omar Haddadi. "
        "Ana Lindqvist and Omar Haddadi signed a joint statement."
    )
    assert _ent_names(text, "ORGANIZATION") == set()
    assert _ent_names(text, "PERSON") == {"Ana Lindqvist", "Omar Haddadi"}


def test_senator_and_minister_titles_name_one_person():
    text = "Senator Jane Cooper, the trade minister, arrived on Monday. Minister Cooper met exporters."
    assert _ent_names(text, "PERSON") == {"Jane Cooper"}


def test_capitals_only_sign_off_lines_yield_the_ministry():
    text = ("Foreign Minister Ana Ruiz met her Fijian counterpart in Suva on Monday.\n"
            "MINISTRY OF FOREIGN AFFAIRS\nREPUBLIC OF PALAU\n3 MAY 2024")
    ents, ments = extract_entities(text)
    orgs = {e["name"] for e in ents if e["type"] == "ORGANIZATION"}
    assert "Ministry of Foreign Affairs" in orgs
    # Mentions still quote the stored text, in capitals.
    assert any(m["text"] == "MINISTRY OF FOREIGN AFFAIRS" for m in ments)


def test_an_instrument_named_with_an_acronym_is_no_organization():
    text = ("Prime Minister Tavita and President Ochoa witnessed the signing of three Memoranda of "
            "Understanding (MOUs) on fisheries, ports and schools in Lima.")
    ents, ments = extract_entities(text)
    assert not [e for e in ents if e["type"] == "ORGANIZATION" and "Memorand" in e["name"]]
    assert all("Memorand" not in m["text"] for m in ments)


def test_a_sign_off_body_followed_by_its_country_is_also_the_body_alone():
    text = "President Lopez met Minister Tan in Lima.\nMINISTRY OF FOREIGN AFFAIRS SINGAPORE\n3 MARCH 2025"
    orgs = _by_type(extract_entities(text)[0], "ORGANIZATION")
    assert "Ministry of Foreign Affairs" in orgs["Ministry of Foreign Affairs Singapore"]["aliases"]
    office = "President Lopez met Minister Tan in Lima.\nPRIME MINISTER’S OFFICE PERU\n3 MARCH 2025"
    orgs = _by_type(extract_entities(office)[0], "ORGANIZATION")
    assert "Prime Minister’s Office" in orgs["Prime Minister’s Office Peru"]["aliases"]


def test_a_hyphenated_country_inside_a_hyphen_compound_stays_whole():
    text = "Ministers launched the Chile-Guinea-Bissau Readiness Support package in Santiago."
    countries = {e["name"] for e in extract_entities(text)[0] if e["type"] == "COUNTRY"}
    assert countries == {"Chile", "Guinea-Bissau"}


def test_division_and_unit_end_an_organization_name():
    text = "He met officials of the Public Service Division and of the Trade Policy Support Unit in Lima."
    orgs = {e["name"] for e in extract_entities(text)[0] if e["type"] == "ORGANIZATION"}
    assert {"Public Service Division", "Trade Policy Support Unit"} <= orgs
