"""Helpers shared by the agreement module tests: an article index built from exact surface forms."""

from __future__ import annotations

import re
from datetime import date

from accords.extract.agreement_records import AgreementDoc, build_agreement_doc

# surface form -> (type, canonical name, country code, role); invented places and people.
SPEC: dict[str, tuple[str, str, str | None, str | None]] = {
    "Freedonia": ("COUNTRY", "Freedonia", "FRE", None),
    "Ruritania": ("COUNTRY", "Ruritania", "RUR", None),
    "Ana Ferrow": ("PERSON", "Ana Ferrow", "FRE", "Minister of Tourism"),
    "Vell": ("LOCATION", "Vell", None, None),
    "Zentara Shipping Ltd": ("ORGANIZATION", "Zentara Shipping Ltd", None, None),
    "Ruritanian Ministry of Tourism": ("ORGANIZATION", "Ruritanian Ministry of Tourism", "RUR", None),
}


def tag(text: str, spec: dict[str, tuple[str, str, str | None, str | None]]) -> tuple[list[dict], list[dict]]:
    """Entity and mention lists for ``text`` by exact surface matching of ``spec`` (longest first)."""
    ents: dict[str, dict] = {}
    mentions: list[dict] = []
    taken: list[tuple[int, int]] = []
    for surface in sorted(spec, key=len, reverse=True):
        typ, name, code, role = spec[surface]
        for m in re.finditer(r"(?<!\w)" + re.escape(surface) + r"(?!\w)", text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            taken.append(m.span())
            eid = f"{typ}:{name}"
            e = ents.setdefault(eid, {"entity_id": eid, "type": typ, "name": name, "aliases": [],
                                      "country_code": code, "role": role, "acronym": None,
                                      "mention_count": 0})  # fmt: skip
            e["mention_count"] += 1
            mentions.append({"entity_id": eid, "start": m.start(), "end": m.end(), "text": m.group()})
    return list(ents.values()), sorted(mentions, key=lambda x: x["start"])


def doc_for(text: str, published: date | None = date(2024, 3, 6)) -> AgreementDoc:
    """The agreement pass's article index for ``text``, tagging every surface form of ``SPEC``."""
    ents, mentions = tag(text, SPEC)
    return build_agreement_doc(text, None, published, ents, mentions)
