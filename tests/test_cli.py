"""The accords command line: exit codes, summaries, and docs that mention every command."""

from __future__ import annotations

import re

import pytest

from accords.cli import build_parser, main
from tests.conftest import ROOT


def _commands() -> set[str]:
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    return set(sub.choices)


def test_readme_mentions_every_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = {c for c in _commands() if not re.search(rf"accords {c}\b", readme)}
    assert not missing


def test_ingest_without_prefect_prints_summary_and_runs_lists_it(settings, capsys, monkeypatch) -> None:
    monkeypatch.setenv("ACCORDS_SETTLE_SECONDS", "0")
    args = ["--raw", str(settings.raw_dir), "--warehouse", str(settings.warehouse_dir)]
    assert main(["ingest", "--no-prefect", *args]) == 0
    out = capsys.readouterr().out
    assert "completed" in out and "4 articles" in out and "3 new" in out
    assert main(["runs", "--warehouse", str(settings.warehouse_dir)]) == 0
    table = capsys.readouterr().out
    assert "run_id" in table.splitlines()[0] and "completed" in table


def test_failed_run_exits_non_zero(tmp_path, capsys) -> None:
    args = ["--raw", str(tmp_path / "nope"), "--warehouse", str(tmp_path / "wh")]
    code = main(["ingest", "--no-prefect", *args])
    assert code == 1
    assert "does not exist" in capsys.readouterr().out


def test_bad_setting_is_a_clear_error(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("ACCORDS_BATCH_SIZE", "lots")
    assert main(["runs", "--warehouse", str(tmp_path)]) == 2
    assert "ACCORDS_BATCH_SIZE" in capsys.readouterr().err


@pytest.mark.usefixtures("prefect_harness")
def test_ingest_and_reprocess_through_prefect(settings, capsys, monkeypatch) -> None:
    monkeypatch.setenv("ACCORDS_SETTLE_SECONDS", "0")
    wh = ["--warehouse", str(settings.warehouse_dir)]
    assert main(["ingest", "--raw", str(settings.raw_dir), *wh]) == 0
    assert "4 articles" in capsys.readouterr().out
    assert main(["reprocess", *wh]) == 0
    assert "completed" in capsys.readouterr().out
    assert main(["compact", *wh]) == 0
    assert "files per table now" in capsys.readouterr().out


def test_warehouse_uri_on_the_command_line(settings, s3_bucket, capsys, monkeypatch) -> None:
    monkeypatch.setenv("ACCORDS_SETTLE_SECONDS", "0")
    wh = ["--warehouse", f"{s3_bucket}/warehouse"]
    assert main(["ingest", "--no-prefect", "--raw", str(settings.raw_dir), *wh]) == 0
    assert "4 articles" in capsys.readouterr().out
    assert main(["query", *wh, "--csv", "select count(*) as n from articles"]) == 0
    assert capsys.readouterr().out.split() == ["n", "4"]
    assert main(["runs", *wh]) == 0
    assert "completed" in capsys.readouterr().out


def test_options_in_a_uri_are_a_clear_error(capsys) -> None:
    assert main(["runs", "--warehouse", "s3://bucket/wh?endpoint_override=x"]) == 2
    assert "AWS_ENDPOINT_URL" in capsys.readouterr().err


def test_ingest_writes_meetings_end_to_end(settings, capsys, monkeypatch) -> None:
    from accords.extract import meetings as meetings_mod
    from tests.conftest import meetings_from_persons

    monkeypatch.setattr(meetings_mod, "extract_meetings", meetings_from_persons)
    monkeypatch.setenv("ACCORDS_SETTLE_SECONDS", "0")
    monkeypatch.setenv("ACCORDS_WORKERS", "1")
    wh = ["--warehouse", str(settings.warehouse_dir)]
    assert main(["ingest", "--no-prefect", "--raw", str(settings.raw_dir), *wh]) == 0
    written = re.search(r"(\d+) meetings", capsys.readouterr().out)
    assert written and int(written.group(1)) >= 2
    sql = "select count(*) as n, count(distinct meeting_id) as ids from meetings"
    assert main(["query", sql, *wh, "--csv"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == f"{written.group(1)},{written.group(1)}"
    assert main(["runs", *wh]) == 0
    assert "meetings_written" in capsys.readouterr().out.splitlines()[0]
