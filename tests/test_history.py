"""Run history rows and reading them back."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from accords.history import RunCounts, interrupted_run_row, new_run_id, run_status


def test_run_ids_sort_by_start_and_are_unique() -> None:
    ids = {new_run_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(len(i) == 25 and i[8] == "T" and i[15] == "Z" for i in ids)
    # Starts one second to years apart, across digit-count changes (9 -> 10 h, day 9 -> 10,
    # month 9 -> 10) and a year end: sorting the ids as strings sorts the runs by start.
    base = datetime(2025, 9, 9, 9, 59, 58, tzinfo=UTC)
    steps = [timedelta(seconds=s) for s in (0, 1, 2, 61, 3600, 86_400, 30 * 86_400, 113 * 86_400,
                                            400 * 86_400, 3000 * 86_400)]
    starts = [base + step for step in steps] + [datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC),
                                               datetime(2026, 1, 1, 0, 0, 0, tzinfo=UTC)]
    by_id = {new_run_id(t): t for t in starts}
    shuffled = list(by_id)
    random.Random(17).shuffle(shuffled)
    assert [by_id[i] for i in sorted(shuffled)] == sorted(starts)


def test_interrupted_run_without_metadata_takes_its_start_from_the_run_id() -> None:
    row = interrupted_run_row({"run_id": "20260101T101010Z-0123abcd"}, "1.0.0")
    assert row["status"] == "failed" and "interrupted" in row["error"]
    assert row["started_at"].startswith("2026-01-01T10:10:10")


def test_status_reflects_errors() -> None:
    assert run_status(RunCounts()) == "completed"
    assert run_status(RunCounts(files_failed=1)) == "completed_with_errors"
    assert run_status(RunCounts(records_quarantined=2)) == "completed_with_errors"
