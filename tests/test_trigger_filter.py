"""Tests for which instrument nouns of a sentence count as mentions (invented sentences)."""

from __future__ import annotations

from accords.extract.trigger_filter import kept_triggers
from tests.agreement_helpers import doc_for


def _kept(sent: str) -> list[str]:
    return [m.group() for m in kept_triggers(doc_for(sent), 0, len(sent))]


def test_verbs_and_organisation_names_are_no_instruments() -> None:
    assert _kept("Freedonia agreed to deal in bonds and signed a trade agreement.") == ["agreement"]
    assert _kept("The General Agreement on Tariffs and Trade welcomed the treaty.") == ["treaty"]
    assert _kept("The two ministers discussed regional security.") == []
