"""Agreement records being built: the record, the article index holding them, and their merging.

``add_record`` appends a new mention's record or merges it into an earlier record of the same
instrument (same kind class, compatible name and parties), so that each agreement is one record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from accords.extract.agreement_fields import FIELD_RES
from accords.extract.context import Doc, build_doc
from accords.extract.instruments import KIND_CLASS, is_iso3
from accords.extract.status_cues import STATUS_RANK


@dataclass
class AgreementRecord:
    """An agreement being built (before dedupe and serialisation)."""

    kind: str
    status: str
    parties: list[str]
    weak_parties: bool
    signatories: list[str]
    fields: list[str]
    name: str | None
    date: str | None
    location: str | None
    start: int
    end: int
    commercial: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class AgreementDoc(Doc):
    """The shared article index plus the agreements being built."""

    records: list[AgreementRecord] = field(default_factory=list)
    last_kept: bool = False  # whether the latest non-anaphoric instrument mention was kept
    seen_mention: bool = False


def build_agreement_doc(
    text: str, title: str | None, published: date | None, entities: list[dict], mentions: list[dict]
) -> AgreementDoc:
    """Index entities and mentions for the agreement pass (see ``context.build_doc``)."""
    return build_doc(text, title, published, entities, mentions, AgreementDoc)


def company_deal(r: AgreementRecord) -> bool:
    """A record between companies (no country among its parties)."""
    return r.commercial or (bool(r.parties) and not any(is_iso3(p) for p in r.parties))


def _names_compatible(a: str, b: str) -> bool:
    """Two instrument names may denote the same instrument (one's words contain the other's)."""
    wa, wb = set(re.findall(r"\w+", a.casefold())), set(re.findall(r"\w+", b.casefold()))
    return wa <= wb or wb <= wa


def add_record(doc: AgreementDoc, rec: AgreementRecord, anaphor: bool) -> None:
    """Append ``rec`` or merge it into an earlier record that describes the same instrument."""
    cls = KIND_CLASS.get(rec.kind, "agreement")
    for old in reversed(doc.records):
        if KIND_CLASS.get(old.kind, "agreement") != cls or (old.extra.get("package") and not anaphor):
            continue
        if rec.name and old.name and not _names_compatible(rec.name, old.name):
            continue
        same_parties = (
            rec.weak_parties or not rec.parties or set(rec.parties) <= set(old.parties)
            or set(old.parties) <= set(rec.parties)
        )  # fmt: skip
        if not same_parties:
            continue
        if not anaphor and not set(rec.fields) <= set(old.fields):
            continue
        if STATUS_RANK[rec.status] > STATUS_RANK[old.status] and rec.status == "signed":
            old.status = rec.status
        if anaphor:
            old.fields = [f for f, _ in FIELD_RES if f in set(old.fields) | set(rec.fields)]
        if old.weak_parties and not rec.weak_parties and rec.parties:
            old.parties, old.weak_parties = rec.parties, False
        return
    if not anaphor:
        doc.records.append(rec)
