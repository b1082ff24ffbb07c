from accords.extract.instruments import clean_parties, is_instrument_name, kind_of


def test_instrument_names_are_recognised():
    assert is_instrument_name("Memoranda of Understanding (MOUs)")
    assert is_instrument_name("Coastal Shipping Framework Agreement")
    assert is_instrument_name("Joint Statement on Rail Links")


def test_bodies_with_an_instrument_noun_are_not_instruments():
    assert not is_instrument_name("General Agreement on Tariffs and Trade")
    assert not is_instrument_name("Treaty Organization of the North")
    assert not is_instrument_name("Ministry of Fisheries")
    assert not is_instrument_name("Port Authority of Valdora")


def test_kind_of_heads():
    assert kind_of("MOUs") == "memorandum_of_understanding"
    assert kind_of("Joint Communique") == "joint_statement"
    assert kind_of("Treaty") == "treaty"
    assert kind_of("Roadmap") == "other"
    assert kind_of("Agreement") == "agreement"


def test_clean_parties_drops_instrument_names_and_fills_the_pair():
    assert clean_parties(["Memoranda of Understanding (MOUs)"], ("NZL", "PER")) == ["NZL", "PER"]
    assert clean_parties(["PER"], ("NZL", "PER")) == ["PER", "NZL"]
    # Three countries or a company party: left alone.
    assert clean_parties(["NZL", "PER", "CHL"], ("NZL", "PER")) == ["NZL", "PER", "CHL"]
    assert clean_parties(["Andes Copper Ltd"], ("NZL", "PER")) == ["Andes Copper Ltd"]
    # A country outside the pair is not completed with it.
    assert clean_parties(["FRA"], ("NZL", "PER")) == ["FRA"]
    assert clean_parties([], None) == []


def test_in_instrument_title():
    from accords.extract.instruments import in_instrument_title

    assert in_instrument_title("the leaders signed the Agreement on the ")
    assert in_instrument_title("a Memorandum of Understanding for ")
    assert not in_instrument_title("the leaders discussed cooperation on the ")
    assert not in_instrument_title("an agreement on the ")  # lower case: prose, not a title


def test_trigger_nouns_their_kind_and_singular():
    from accords.extract.instruments import KIND_OF_GROUP, TRIGGER, final_kind, singular

    m = TRIGGER.search("The ministers inked two memoranda of understanding.")
    assert m is not None and m.group() == "memoranda of understanding"
    assert KIND_OF_GROUP[m.lastgroup] == "memorandum_of_understanding"
    assert singular(m.group()) == "memorandum of understanding"
    assert singular("treaties") == "treaty"
    assert final_kind("agreement", True, ["Zentara Shipping Corp"]) == "contract"
    assert final_kind("agreement", True, ["FRE"]) == "agreement"
