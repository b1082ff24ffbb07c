"""Tests for date finding and resolution."""

from datetime import date

from accords.extract.dates import find_dates, resolve_date

PUB = date(2024, 7, 4)  # a Thursday


def test_weekday_resolves_to_latest_past_day() -> None:
    assert resolve_date("on Wednesday", PUB) == date(2024, 7, 3)
    assert resolve_date("on Thursday", PUB) == date(2024, 7, 4)
    assert resolve_date("last Thursday", PUB) == date(2024, 6, 27)
    assert resolve_date("next Monday", PUB) == date(2024, 7, 8)


def test_relative_days() -> None:
    assert resolve_date("yesterday", PUB) == date(2024, 7, 3)
    assert resolve_date("today", PUB) == PUB
    assert resolve_date("tomorrow", PUB) == date(2024, 7, 5)


def test_month_day_forms() -> None:
    assert resolve_date("March 3", PUB) == date(2024, 3, 3)
    assert resolve_date("3 March 2023", PUB) == date(2023, 3, 3)
    assert resolve_date("Sept. 30, 1988", PUB) == date(1988, 9, 30)
    assert resolve_date("on 12th June", PUB) == date(2024, 6, 12)
    assert resolve_date("2024-05-01", PUB) == date(2024, 5, 1)
    # Year-less dates pick the occurrence closest to publication.
    assert resolve_date("December 30", date(2025, 1, 2)) == date(2024, 12, 30)


def test_coarse_dates_are_not_day_precise() -> None:
    assert resolve_date("last July", PUB) is None
    got = find_dates("signed last July", PUB)
    assert [(d.value, d.precision) for d in got] == [(date(2023, 7, 1), "month")]
    assert [d.precision for d in find_dates("the 1994 treaty", PUB)] == ["year"]
    assert find_dates("last year", PUB)[0].value == date(2023, 1, 1)


def test_without_publication_date() -> None:
    assert resolve_date("on Wednesday", None) is None
    assert resolve_date("March 3, 2020", None) == date(2020, 3, 3)


def test_modal_may_is_not_a_month() -> None:
    assert find_dates("this may help", PUB) == []
