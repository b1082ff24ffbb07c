"""Listed instruments: one record per item of an annex or enumerated list, and bare list headers.

The lists themselves are found by ``annex.find_lists``; here each item becomes a record with the
status of the sentence that introduced it, and a header that names no instrument ("the following
were signed:") becomes the list context its enumerated lines inherit.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import Any

from accords.extract.agreement_fields import fields_of, strip_mentions
from accords.extract.agreement_records import AgreementDoc, AgreementRecord
from accords.extract.annex import ListBlock
from accords.extract.context import day_in, mentions_in, place_in
from accords.extract.instrument_spans import LEAD_VERB
from accords.extract.instruments import KIND_CLASS, final_kind, is_iso3
from accords.extract.parties import bilateral_pair, list_parties
from accords.extract.party_names import INTL_ORGS, body_names, is_company, party_name
from accords.extract.status_cues import HEDGE, status_of


def add_listed(doc: AgreementDoc, blk: ListBlock) -> None:
    """One record per instrument of a list, with the status of the sentence that introduced it.

    Parties are the countries the item's own name gives ("between the Ministry of Education of
    Singapore and ..."): ministries and agencies stand for their country; the article's bilateral
    pair fills a missing side. Fields come from the instrument's own name.
    """
    h0, h1 = blk.header_start, blk.header_end
    header = doc.text[h0:h1]
    status = status_of(header) or "signed"
    date_ = day_in(doc, h0, h0 + len(header))
    place = place_in(doc, h0, h0 + len(header))
    for it in blk.items:
        parties: list[str] = []
        ents = [e for _a, _b, e in mentions_in(doc, it.start, it.end)]
        # "Power Purchase Agreement between X Power and Y Lighting Company": a company deal,
        # whose parties are the companies; otherwise bodies stand for their countries.
        commercial = KIND_CLASS.get(it.kind) != "mou" and any(is_company(e) for e in ents)
        for e in ents:
            p = party_name(e, doc, commercial)
            keep = (
                commercial
                and e.type == "ORGANIZATION"
                or bool(p)
                and (is_iso3(p or "") or p in INTL_ORGS.values())
            )
            if p and keep and p not in parties:
                parties.append(p)
        if not parties:
            # A list under a bilateral visit's release: between the article's two main countries.
            parties = list(bilateral_pair(doc) or doc.main_countries[:2])
        fields = (
            fields_of(strip_mentions(doc, it.start, it.end, ("ORGANIZATION", "PERSON")))
            or fields_of(" ; ".join(body_names(doc, it.start, it.end)))
            or fields_of(it.name)
        )
        doc.records.append(
            AgreementRecord(
                kind=final_kind(it.kind, commercial, parties),
                status=status,
                commercial=commercial,
                parties=parties,
                weak_parties=not parties,
                signatories=[],
                fields=fields,
                name=it.name,
                date=date_,
                location=place,
                start=it.start,
                end=it.end,
                extra={"item": True},
            )
        )


# A list header without an instrument noun: "the following acts were signed:", "witnessed the
# signing of the following:".
_BARE_HEADER = re.compile(
    r"\b(?:sign\w*|exchang\w*|conclu\w*|ink(?:ed|ing)?|initial\w*|adopt\w*)\b[^.;]*:\s*$", re.I
)


def bare_header(doc: AgreementDoc, s0: int, s1: int) -> dict[str, Any] | None:
    """A list context for a header sentence that names no instrument (items carry the nouns)."""
    sent = doc.text[s0:s1]
    if not _BARE_HEADER.search(sent) or HEDGE.search(sent):
        return None
    st = status_of(sent)
    if st is None:
        return None
    return {"status": st, "parties": list_parties(doc, s0, sent)}


def item_line(text: str, s0: int, s1: int, trig_starts: list[int]) -> bool:
    """A sentence that starts with an instrument name ("Memorandum of ...", "Power Purchase Agreement")."""
    k = bisect_left(trig_starts, s0)
    if k == len(trig_starts) or trig_starts[k] >= s1:
        return False
    lead = text[s0 : trig_starts[k]]
    return len(lead.split()) <= 6 and "," not in lead and not LEAD_VERB.search(lead)
