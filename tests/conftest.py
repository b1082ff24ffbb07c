"""Shared fixtures: Prefect isolated in a temp home, small raw folders, tmp warehouses."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# Before Prefect is imported anywhere: its state in a throwaway home, no telemetry, no API logs.
_PREFECT_HOME = tempfile.mkdtemp(prefix="accords-prefect-")
atexit.register(shutil.rmtree, _PREFECT_HOME, ignore_errors=True)
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["PREFECT_LOGGING_TO_API_ENABLED"] = "false"
os.environ.pop("PREFECT_API_URL", None)
for _k in [k for k in os.environ if k.startswith("ACCORDS_")]:
    os.environ.pop(_k)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One temporary Prefect API for the whole session (starting one costs seconds)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


STATE_VISIT = (
    "Chile and Korea sign trade agreement\n\n"
    "Chilean President Gabriel Boric met South Korean President Lee Jae-myung in Seoul on Monday. "
    "The two presidents signed a free trade agreement and a memorandum of understanding on "
    "renewable energy. Boric said the deal would open Asian markets to Chilean copper.\n"
)

TRADE_JSON = {
    "title": "Egypt and Greece agree maritime accord",
    "published": "2026-02-11",
    "url": "https://example.org/a",
    "text": "Egyptian Foreign Minister Badr Abdelatty and Greek Foreign Minister George Gerapetritis "
            "signed an agreement on maritime boundaries in Cairo on Wednesday.",
}


def write_raw(raw: Path) -> Path:
    """A small raw folder in three formats, written for these tests."""
    raw.mkdir(parents=True, exist_ok=True)
    (raw / "visit.txt").write_text(STATE_VISIT, encoding="utf-8")
    (raw / "deal.json").write_text(json.dumps(TRADE_JSON), encoding="utf-8")
    lines = [
        {"title": "Brief one", "text": "Norway and Iceland signed a fisheries protocol in Oslo."},
        {"title": "Brief two", "text": "Kenyan and Ethiopian officials discussed a railway project."},
    ]
    (raw / "news").mkdir(exist_ok=True)
    (raw / "news" / "briefs.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n",
                                               encoding="utf-8")
    old = 1_600_000_000  # well past the settle time, so files count as finished
    for p in raw.rglob("*"):
        if p.is_file():
            os.utime(p, (old, old))
    return raw


def meetings_from_persons(text, title, published, entities, mentions, agreements):  # noqa: ANN001, ANN201
    """A stand-in for ``accords.extract.meetings.extract_meetings``, for tests that need meetings.

    Whatever the entity extractor found, an article naming two or more persons gets one meeting
    of them all (evidence: its first sentence), and each of its agreements is signed there. Built
    from the entities passed in, it stays consistent with the real extractors.
    """
    from accords.ids import stable_id

    people = {e["name"]: e["entity_id"] for e in entities if e.get("type") == "PERSON"}
    if len(people) < 2:
        return [], agreements
    end = text.find(". ") + 1 or len(text)
    mid = stable_id("test-meeting", text[:end])
    meeting = {
        "meeting_id": mid, "kind": "meeting", "status": "held", "participants": list(people),
        "participant_ids": list(people.values()),
        "countries": sorted({e["country_code"] for e in entities if e.get("type") == "COUNTRY"
                             and e.get("country_code")}),
        "location": None, "date": published.isoformat() if published else None,
        "evidence": text[:end], "evidence_start": 0, "evidence_end": end,
    }
    return [meeting], [{**a, "meeting_id": mid} for a in agreements]


@pytest.fixture
def raw_dir(tmp_path: Path) -> Path:
    """A raw folder with a .txt, a .json and a two-line .jsonl article file."""
    return write_raw(tmp_path / "raw")


@pytest.fixture
def settings(tmp_path: Path, raw_dir: Path):  # noqa: ANN201
    """Settings pointing at the tmp raw folder and a tmp warehouse."""
    from accords.settings import Settings

    return Settings(raw_dir=raw_dir, warehouse_dir=tmp_path / "warehouse", settle_seconds=0.0)


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A local S3 server (moto) on loopback for the session; AWS_* variables point at it."""
    import logging
    import socket

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one log line per request otherwise

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
           "AWS_EC2_METADATA_DISABLED": "true"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # spawned worker processes inherit them
    try:
        yield env["AWS_ENDPOINT_URL"]
    finally:
        server.stop()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture
def s3_bucket(s3_endpoint: str) -> str:
    """A new empty bucket on the local S3 server, as an ``s3://`` URI."""
    import uuid

    import pyarrow.fs as pafs

    name = f"accords-{uuid.uuid4().hex[:10]}"
    pafs.S3FileSystem(endpoint_override=s3_endpoint, scheme="http", region="us-east-1",
                      allow_bucket_creation=True).create_dir(name)
    return f"s3://{name}"
