"""Run history rows and reading them back."""

from __future__ import annotations

from accords.history import RunCounts, interrupted_run_row, new_run_id, run_status


def test_run_ids_sort_by_start_and_are_unique() -> None:
    ids = {new_run_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(len(i) == 25 and i[8] == "T" and i[15] == "Z" for i in ids)


def test_interrupted_run_without_metadata_takes_its_start_from_the_run_id() -> None:
    row = interrupted_run_row({"run_id": "20260101T101010Z-0123abcd"}, "1.0.0")
    assert row["status"] == "failed" and "interrupted" in row["error"]
    assert row["started_at"].startswith("2026-01-01T10:10:10")


def test_status_reflects_errors() -> None:
    assert run_status(RunCounts()) == "completed"
    assert run_status(RunCounts(files_failed=1)) == "completed_with_errors"
    assert run_status(RunCounts(records_quarantined=2)) == "completed_with_errors"
