"""Tests for the party labels of entities and the government / company classification."""

from __future__ import annotations

from accords.extract.context import Ent
from accords.extract.party_names import is_company, is_government, party_name


def _ent(name: str, typ: str = "ORGANIZATION", code: str | None = None) -> Ent:
    return Ent(id=name, type=typ, name=name, code=code, role=None, acronym=None, aliases=[])


def test_party_labels() -> None:
    assert party_name(_ent("Freedonia", "COUNTRY", "FRE")) == "FRE"
    assert party_name(_ent("European Union")) == "EU"  # international bodies by their short name
    assert party_name(_ent("Ministry of Tourism", code="FRE")) == "FRE"  # a ministry stands for its country
    assert party_name(_ent("Zentara Shipping Ltd")) == "Zentara Shipping Ltd"
    assert party_name(_ent("Ana Ferrow", "PERSON")) is None


def test_government_and_company_bodies() -> None:
    assert is_government(_ent("Ministry of Tourism of Freedonia"))
    assert not is_company(_ent("Ministry of Tourism of Freedonia"))
    assert is_company(_ent("Zentara Shipping Ltd"))
    assert not is_company(_ent("Freedonia", "COUNTRY", "FRE"))
