"""Tests for the status and background cues of instrument mentions (invented sentences)."""

from __future__ import annotations

from accords.extract.status_cues import background_cue, nearest_status, status_of


def test_status_from_the_first_context_with_a_cue() -> None:
    assert status_of("The two ministers signed the memorandum on Tuesday.") == "signed"
    assert status_of("The sides hope to sign a trade pact") == "planned"
    assert status_of("", "They reached an accord") == "agreed"  # an empty context is skipped
    assert status_of("", "") is None


def test_nearest_cue_governs_a_reported_clause() -> None:
    assert nearest_status("agreed that the two countries will begin negotiations on a ") == "planned"
    assert nearest_status("the foreign ministers signed a ") == "signed"


def test_background_cues_except_a_welcomed_signing() -> None:
    assert background_cue("under the existing ")
    assert not background_cue("welcomed the signing of the ")
    assert not background_cue("the two sides signed a new ")


def test_background_window_reaches_past_a_long_name_but_not_into_it() -> None:
    from accords.extract.status_cues import background_window, future_frame_governs

    sent = "Milestones such as the entry into force of the Ruritania-Freedonia Digital Economy Agreement."
    a = sent.index("Agreement")
    mods = "Ruritania-Freedonia Digital Economy"
    assert background_cue(background_window(sent, 0, a, mods))
    sent2 = "They are working towards a legally binding Implementation Agreement."
    a2 = sent2.index("Agreement")
    assert "Implementation" not in background_window(sent2, 0, a2, "legally binding Implementation")
    assert future_frame_governs("He will visit Lima to attend the opening and witness the signing of a ")
    assert not future_frame_governs("He will visit Lima. They witnessed the signing of a ")
