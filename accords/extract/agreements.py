"""Rule-based agreement extraction: treaties, MoUs, accords, joint statements, contracts.

Pipeline for one article:

1. a cheap regex finds instrument nouns ("agreement", "MoU", "joint statement", "pact", ...);
   only sentences containing one are looked at further;
2. each instrument mention gets a kind, a status (signed / agreed / planned) from the verbs
   around it, and is dropped when it is background ("under the 1994 treaty", "signed last
   July"), hedged ("renewal is uncertain") or a mere anaphor ("the accord") of an earlier mention;
3. parties come from the entity mentions of the clause around the noun, falling back to the
   article's main countries when the text says "the two sides" / "both countries";
4. fields come from a keyword table (``data/agreement_fields.json``) applied to the instrument's
   topic ("MoU on maritime cooperation"), else to its clause;
5. mentions that refer to the same instrument are merged, so each agreement is one record.

Decisions worth knowing: "action plan" / "programme of cooperation" -> kind ``programme``;
unindividuated "cooperation documents" / "a package of documents, including agreements and
memoranda on A, B" -> one record of kind ``other``; "Agreed Minutes" -> ``other``; "declaration of
intent" -> ``letter_of_intent``; "Exchange of Notes" -> ``agreement``; an accord / deal /
agreement whose parties are companies or banks -> ``contract`` with the companies as parties and
no countries.

Press-release conventions handled explicitly:

* lists: a header ("the following acts were signed:", "witnessed the signing of the following:")
  opens a list even without an instrument noun; items may be numbered, bulleted or bare lines
  that start with the instrument's name; items share the header's status and parties (or the
  visit's two countries), never the previous item's;
* parties: ministries stand for their country; public institutes, academies and research or
  development bodies too, in cooperation instruments; in a commercial deal (a company party) or a
  loan / credit instrument with a bank, fund or agency, the utility / lender is a party by name
  ("Full Name (Brand)" when the text gives both); public bodies named in the instrument's topic
  ("on increasing the capital of the X Fund") are its subject, not parties;
* status: "expedite / work towards the (early) conclusion of", "will be / is expected to be
  signed" after the noun -> planned; "agreed that" / "noted that" governs the clause, so the
  nearest cue after it decides.

This module is the entry point: it walks the sentences and serialises the records. The steps
live in their own modules: ``trigger_filter`` (which nouns count), ``instrument_spans`` (topic,
name, clause), ``status_cues``, ``parties`` / ``party_names`` / ``companies``, ``signatories``,
``agreement_fields``, ``agreement_sentence`` (one sentence's mentions), ``listed_agreements``
(annex and enumerated lists) and ``agreement_records`` (records and their merging).
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import date
from typing import Any

from accords.extract.agreement_records import build_agreement_doc
from accords.extract.agreement_sentence import analyse_sentence
from accords.extract.annex import find_inline_lists, find_lists
from accords.extract.instrument_spans import ENUM
from accords.extract.instruments import CANDIDATE, PLURAL_HEAD, TRIGGER
from accords.extract.listed_agreements import add_listed, bare_header, item_line
from accords.extract.mentions_merge import merge_mentions
from accords.extract.parties import bilateral_pair
from accords.extract.sentences import split_sentences
from accords.ids import stable_id


def extract_agreements(
    text: str,
    title: str | None,
    published: date | None,
    entities: list[dict],
    mentions: list[dict],
) -> list[dict]:
    """Extract the agreements an article reports as signed, agreed or planned.

    ``entities`` / ``mentions`` come from ``extract_entities``; mention offsets index ``text``.
    Returns one dict per distinct instrument with kind, name, status, parties (ISO3 codes,
    organisation short names or company names), signatories, fields, date, location and the
    evidence sentence with its offsets.
    """
    if not text:
        return []
    # A case-sensitive literal scan of the lower-cased text is ~10x faster than the full trigger
    # regex; the full regex then only runs at candidate word starts.
    low = text.lower()
    trig_starts = [m.start() for m in CANDIDATE.finditer(low) if TRIGGER.match(text, m.start())]
    if not trig_starts:
        return []
    doc = build_agreement_doc(text, title, published, entities, mentions)
    list_ctx: dict[str, Any] | None = None
    sentences = split_sentences(text)
    blocks = find_lists(text, sentences) + find_inline_lists(text, sentences)
    listed = sorted((i.start, i.end) for b in blocks for i in b.items)
    headers = [(b.header_start, b.header_end) for b in blocks]
    for blk in blocks:
        add_listed(doc, blk)
    for s0, s1 in sentences:
        if any(a < s1 and s0 < b for a, b in listed):
            continue  # a list's header or item: one record per listed instrument, added above
        if list_ctx is not None and not (ENUM.match(text, s0) or item_line(text, s0, s1, trig_starts)):
            list_ctx = None
        k = bisect_left(trig_starts, s0)
        if k == len(trig_starts) or trig_starts[k] >= s1:
            if text[s0:s1].rstrip().endswith(":"):
                list_ctx = bare_header(doc, s0, s1)
            continue
        opened = analyse_sentence(doc, s0, s1, list_ctx)
        if opened is not None:
            list_ctx = opened
    # A list's header counts the listed instruments ("the following MOUs were exchanged"): only
    # an instrument it names itself ("signed the Declaration of X, and the following ...") stays.
    doc.records.sort(key=lambda r: r.start)  # list items were added first: text order again
    records = [
        r
        for r in doc.records
        if r.extra.get("item")
        or not any(a <= r.start < b for a, b in headers)
        or not (r.extra.get("package") or PLURAL_HEAD.search(r.name or doc.text[r.start : r.end]))
    ]
    if sum(1 for r in records if r.extra.get("item")) >= 2:
        # The article individuates the signed instruments in a list: a summary "signed four
        # cooperation instruments" is the same set, not one more (GUIDELINES: one per instrument).
        records = [r for r in records if not (r.extra.get("package") and r.status == "signed")]
    out: list[dict] = []
    seen: set[str] = set()
    for r in records:
        aid = stable_id(r.kind, str(r.start), str(r.end), r.name or "")
        if aid in seen:
            continue
        seen.add(aid)
        out.append(
            {
                "agreement_id": aid,
                "kind": r.kind,
                "name": r.name,
                "status": r.status,
                "parties": r.parties,
                "signatories": r.signatories,
                "fields": r.fields,
                "date": r.date,
                "location": r.location,
                "evidence": text[r.start : r.end],
                "evidence_start": r.start,
                "evidence_end": r.end,
            }
        )
    persons = [n for e in entities if e["type"] == "PERSON" for n in [e["name"], *(e.get("aliases") or [])]]
    return merge_mentions(out, bilateral_pair(doc), persons)
