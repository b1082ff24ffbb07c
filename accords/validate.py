"""Validation stage: JSON Schema checks plus cross-record rules the schema cannot express.

Pure functions; schemas are loaded once per process. ``jsonschema`` is the authority: every
error reported comes from it. Because it costs 100-350 us per record (more than extraction),
each record first goes through the same schema compiled to Python by fastjsonschema (~5 us);
only records that compiled check rejects are run through jsonschema for the full error list.
A test checks that both agree on valid and invalid records of every type.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema
import pycountry
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError as JsonSchemaError

from accords.errors import SchemaError
from accords.records import Extraction
from accords.settings import PROJECT_ROOT

SCHEMA_DIR = PROJECT_ROOT / "schemas"
RECORD_TYPES = ("article", "entity", "mention", "agreement", "meeting", "run", "ingestion", "agreement_event",
                "agreement_event_link")
# ISO 3166-1 alpha-3 plus the historical states the guidelines allow and Kosovo's user code.
HISTORICAL_CODES = frozenset({"SUN", "DDR", "YUG", "CSK", "XKX"})


@cache
def country_codes() -> frozenset[str]:
    """All accepted country codes: current ISO 3166-1 alpha-3 plus historical states."""
    return frozenset(c.alpha_3 for c in pycountry.countries) | HISTORICAL_CODES


@cache
def load_schema(record_type: str, schema_dir: Path = SCHEMA_DIR) -> dict[str, Any]:
    """Load and check one schema (``schemas/<type>.schema.json``)."""
    path = schema_dir / f"{record_type}.schema.json"
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
    except FileNotFoundError as exc:
        raise SchemaError(f"schema file missing: {path}") from exc
    except (json.JSONDecodeError, JsonSchemaError) as exc:
        raise SchemaError(f"schema {path} is not a valid JSON Schema: {exc}") from exc
    return schema


@cache
def _validator(record_type: str) -> Draft202012Validator:
    schema = load_schema(record_type)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def _is_datetime(value: str) -> bool:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return "T" in value.upper() and parsed.tzinfo is not None


@cache
def _fast(record_type: str) -> Callable[[Any], Any]:
    # Same formats as jsonschema's checker for the two we use (fastjsonschema's own are regexes).
    formats = {"date": _is_date, "date-time": _is_datetime}
    return fastjsonschema.compile(load_schema(record_type), formats=formats)


def schema_version(record_type: str = "article") -> str:
    """The version string of a record type's schema (stored with every row)."""
    return str(load_schema(record_type)["version"])


def schema_id(record_type: str) -> str:
    """The ``$id`` of a record type's schema."""
    return str(load_schema(record_type)["$id"])


def schema_errors(record_type: str, record: dict[str, Any]) -> list[dict[str, str]]:
    """Every schema violation of ``record`` as {"path", "message"}; empty when valid."""
    try:
        _fast(record_type)(record)
        return []
    except fastjsonschema.JsonSchemaException:
        pass  # rejected: ask jsonschema, the authority, for every error with its path
    errors = sorted(_validator(record_type).iter_errors(record), key=lambda e: list(e.absolute_path))
    return [
        {"path": "/" + "/".join(str(p) for p in e.absolute_path), "message": e.message} for e in errors
    ]


@dataclass
class ArticleContext:
    """What the cross-record rules need to know about one article."""

    text: str
    entity_ids: set[str] = field(default_factory=set)
    person_names: set[str] = field(default_factory=set)
    # Names, aliases and acronyms of the article's organizations: "IMF" is a valid party.
    org_names: set[str] = field(default_factory=set)
    # Ids of the article's meetings (as written, i.e. scoped to the article): an agreement's
    # meeting_id must be one of them.
    meeting_ids: set[str] = field(default_factory=set)


def article_context(text: str, result: Extraction) -> ArticleContext:
    """The rules' context for one article from its extraction (ids already scoped to the article)."""
    return ArticleContext(
        text=text,
        entity_ids={e.get("entity_id") for e in result.entities},
        person_names={e.get("name") for e in result.entities if e.get("type") == "PERSON"},
        org_names={n for e in result.entities if e.get("type") == "ORGANIZATION"
                   for n in [e.get("name"), e.get("acronym"), *(e.get("aliases") or [])] if n},
        meeting_ids={m.get("meeting_id") for m in result.meetings},
    )


def rule_errors(
    record_type: str, record: dict[str, Any], ctx: ArticleContext
) -> list[dict[str, str]]:
    """Violations of rules a schema cannot express (offsets, references, code lists)."""
    errs: list[dict[str, str]] = []

    def span_ok(start: Any, end: Any, expected: Any, what: str) -> None:
        if not isinstance(start, int) or not isinstance(end, int):
            return  # the schema reports the type error
        if not 0 <= start < end <= len(ctx.text):
            errs.append({"path": f"/{what}", "message": f"span {start}:{end} is outside the text "
                         f"(length {len(ctx.text)})"})
        elif ctx.text[start:end] != expected:
            errs.append({"path": f"/{what}", "message": f"text[{start}:{end}] is "
                         f"{ctx.text[start:end][:60]!r}, not {str(expected)[:60]!r}"})

    if record_type == "entity":
        code = record.get("country_code")
        if code is not None and code not in country_codes():
            errs.append({"path": "/country_code", "message": f"{code!r} is not a known country code"})
    elif record_type == "mention":
        span_ok(record.get("start"), record.get("end"), record.get("text"), "text")
        if record.get("entity_id") not in ctx.entity_ids:
            errs.append({"path": "/entity_id", "message": "mention refers to no entity of this article"})
    elif record_type == "agreement":
        span_ok(record.get("evidence_start"), record.get("evidence_end"), record.get("evidence"), "evidence")
        for i, party in enumerate(record.get("parties") or []):
            # Three capitals read as a country code unless the article names an organization so.
            is_code = isinstance(party, str) and len(party) == 3 and party.isupper()
            if is_code and party not in country_codes() and party not in ctx.org_names:
                errs.append({"path": f"/parties/{i}", "message": f"{party!r} is neither a known country "
                             "code nor an organization of this article"})
        for i, name in enumerate(record.get("signatories") or []):
            if isinstance(name, str) and name not in ctx.person_names and name not in ctx.text:
                errs.append({"path": f"/signatories/{i}", "message": f"signatory {name!r} is not a person "
                             "in this article"})
        meeting = record.get("meeting_id")
        if isinstance(meeting, str) and meeting not in ctx.meeting_ids:
            errs.append({"path": "/meeting_id", "message": f"{meeting!r} is no meeting of this article"})
    elif record_type == "meeting":
        span_ok(record.get("evidence_start"), record.get("evidence_end"), record.get("evidence"), "evidence")
        for i, name in enumerate(record.get("participants") or []):
            if isinstance(name, str) and name not in ctx.person_names:
                errs.append({"path": f"/participants/{i}", "message": f"participant {name!r} is not a person "
                             "of this article"})
        for i, eid in enumerate(record.get("participant_ids") or []):
            if isinstance(eid, str) and eid not in ctx.entity_ids:
                errs.append({"path": f"/participant_ids/{i}", "message": f"{eid!r} is no entity of this "
                             "article"})
        for i, code in enumerate(record.get("countries") or []):
            if isinstance(code, str) and code not in country_codes():
                errs.append({"path": f"/countries/{i}", "message": f"{code!r} is not a known country code"})
    return errs


def check(
    record_type: str, record: dict[str, Any], ctx: ArticleContext | None = None
) -> list[dict[str, str]]:
    """All errors of one record: schema first, then rules (when the article context is known)."""
    errs = schema_errors(record_type, record)
    if ctx is not None:
        errs += rule_errors(record_type, record, ctx)
    return errs


def partition(
    record_type: str, records: Iterable[dict[str, Any]], ctx: ArticleContext | None = None
) -> tuple[list[dict[str, Any]], list[tuple[dict[str, Any], list[dict[str, str]]]]]:
    """Split records into (valid, [(invalid record, its errors)])."""
    valid: list[dict[str, Any]] = []
    bad: list[tuple[dict[str, Any], list[dict[str, str]]]] = []
    for rec in records:
        errs = check(record_type, rec, ctx)
        if errs:
            bad.append((rec, errs))
        else:
            valid.append(rec)
    return valid, bad
