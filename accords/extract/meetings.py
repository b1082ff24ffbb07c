"""Who met whom: visits, meetings, calls and summits reported in an article (GUIDELINES "Meetings").

For each sentence with an encounter cue (``encounters``), the people before the cue are its
subject (a pronoun or a bare sentence falls back to the article's protagonist, the person the
previous encounter was about) and the people after it its objects; the cue's form says how to
combine them: one meeting per named counterpart ("met B and C"), one encounter for all ("hosted
to lunch by B and C"), a visit to the country after the cue, an invited visit, a call, or a named
summit. Each side's country is the person's own, else the article's main country the other side
lacks. The same encounter reported twice (same kind and people; same visitor and host; same
gathering) is one record. A visit named only in the title cites the text's first sentence about
the visitor. Agreements signed at an encounter get its ``meeting_id``.
"""

from __future__ import annotations

from datetime import date

from accords.extract.context import build_doc
from accords.extract.encounter_facts import Encounter, countries_of, fill_from_paragraph, fill_places
from accords.extract.encounter_reader import Reader
from accords.extract.encounters import has_keyword
from accords.extract.sentences import split_sentences
from accords.ids import stable_id


def _link(agreements: list[dict], records: list[tuple[Encounter, str]]) -> list[dict]:
    """``meeting_id`` on each agreement signed at an encounter of the same article."""
    sites = [(m, mid) for m, mid in records if m.kind in ("meeting", "summit")]
    out = []
    for a in agreements:
        mid = None
        if a.get("status") == "signed" and sites:
            s, e = a.get("evidence_start", -1), a.get("evidence_end", -1)
            inside = [x for m, x in sites if m.start <= s and e <= m.end]
            sig = set(a.get("signatories") or [])
            by_sig = [
                x for m, x in sites if sig and sig <= {n for p in m.people for n in [p.name, *p.aliases]}
            ]
            held = [x for m, x in sites if m.status == "held"]
            mid = (inside or by_sig or (held if len(held) == 1 else [None]))[0]
        out.append({**a, "meeting_id": mid})
    return out


def extract_meetings(
    text: str,
    title: str | None,
    published: date | None,
    entities: list[dict],
    mentions: list[dict],
    agreements: list[dict],
) -> tuple[list[dict], list[dict]]:
    """Extract the encounters an article reports; link its agreements to the one they were signed at.

    ``entities`` / ``mentions`` come from ``extract_entities`` (offsets index ``text``) and
    ``agreements`` from ``extract_agreements``. Returns ``(meetings, agreements)``: one dict per
    encounter (meeting_id, kind, status, participants, participant_ids, countries, location,
    date, evidence and its offsets) and the agreements with a ``meeting_id`` (or None) each.
    """
    # Most wire copy names no encounter: a substring scan of the text (and title) decides cheaply.
    if (
        not text
        or not any(e.get("type") == "PERSON" for e in entities)
        or not (has_keyword(text.lower()) or has_keyword((title or "").lower()))
    ):
        return [], [{**a, "meeting_id": None} for a in agreements]
    doc = build_doc(text, title, published, entities, mentions)
    reader = Reader(doc, title)
    sentences = split_sentences(text)
    reader.read_title(sentences)
    for s0, s1 in sentences:
        reader.read(s0, s1)
    fill_from_paragraph(doc, reader.out)
    fill_places(doc, reader.out)
    records: list[tuple[Encounter, str]] = []
    ids: set[str] = set()
    out: list[dict] = []
    for m in reader.out:
        countries = countries_of(doc, m)
        if m.kind != "visit" and len(countries) < 2 or (m.kind == "visit" and not m.host):
            continue
        names = [p.name for p in m.people]
        mid = stable_id(m.kind, str(m.start), str(m.end), *sorted(names), m.host or "")
        if mid in ids:
            continue
        ids.add(mid)
        records.append((m, mid))
        out.append({
            "meeting_id": mid, "kind": m.kind, "status": m.status, "participants": names,
            "participant_ids": [p.id for p in m.people], "countries": countries,
            "location": m.location, "date": m.date, "evidence": text[m.start : m.end],
            "evidence_start": m.start, "evidence_end": m.end,
        })  # fmt: skip
    return out, _link(agreements, records)
