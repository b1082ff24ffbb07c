"""Entity extraction entry point: persons, countries, organizations and locations.

Rule and gazetteer based, offline and deterministic. ``segment`` turns the article's
capitalised runs into typed items, ``resolve`` groups them into one entity per real-world
entity and adds short-form mentions. Mentions index ``text``; the title is not indexed.
"""

from __future__ import annotations

import re

from accords.extract.instruments import in_instrument_title, is_instrument_name
from accords.extract.items import REGION_ADJ
from accords.extract.resolve import attach_leftovers, group, to_records
from accords.extract.segment import analyze


def extract_entities(text: str, title: str | None = None) -> tuple[list[dict], list[dict]]:
    """Extract entities and their mentions from an article.

    Returns ``(entities, mentions)``: entity dicts (entity_id, type, name, aliases,
    country_code, role, acronym, mention_count) and mention dicts (entity_id, start, end, text)
    with ``text == article_text[start:end]``. ``title`` is accepted for the interface; it is
    a hint only and is not indexed.
    """
    if not text:
        return [], []
    analyzer = analyze(_caps_lines_titled(text))
    ents = group(analyzer.items)
    region_adjs = [i for i in analyzer.items if i.type == REGION_ADJ]
    attach_leftovers(ents, analyzer.leftovers, region_adjs, analyzer.org_cued)
    return _without_instruments(*to_records(ents, text), text)


def _without_instruments(
    entities: list[dict], mentions: list[dict], text: str
) -> tuple[list[dict], list[dict]]:
    # An instrument's own name, often defined with an acronym ("two Memoranda of Understanding
    # (MOUs)"), looks like an organization by form; it is no body and must never become a party.
    # Nor is the topic of a title ("Agreement on the Promotion and Protection of Investments").
    dropped = {
        e["entity_id"] for e in entities if e["type"] == "ORGANIZATION" and is_instrument_name(e["name"])
    }
    spans: dict[str, list[int]] = {}
    for m in mentions:
        spans.setdefault(m["entity_id"], []).append(m["start"])
    for e in entities:
        starts = spans.get(e["entity_id"], [])
        if (
            e["type"] == "ORGANIZATION"
            and starts
            and all(in_instrument_title(text[max(0, s - 50) : s]) for s in starts)
        ):
            dropped.add(e["entity_id"])
    if not dropped:
        return entities, mentions
    return (
        [e for e in entities if e["entity_id"] not in dropped],
        [m for m in mentions if m["entity_id"] not in dropped],
    )


# A short line in capitals only: a press release's sign-off ("MINISTRY OF FOREIGN AFFAIRS") or a
# heading. Capitals hide which words are names, so such lines are read in title case.
_CAPS_LINE = re.compile(r"^(?=[^a-z\n]*[A-Z]{2})[^a-z\n]{3,80}$", re.M)
_SMALL = frozenset("of and the for in on at to de du la".split())


def _title_word(m: re.Match[str]) -> str:
    w = m.group()
    return w.lower() if w.lower() in _SMALL and m.start() > 0 else w[:1] + w[1:].lower()


def _caps_lines_titled(text: str) -> str:
    """``text`` with all-capitals lines in title case (same length, so offsets still hold)."""
    if not _CAPS_LINE.search(text):
        return text
    return _CAPS_LINE.sub(lambda m: re.sub(r"[A-Z][A-Z'’]+", _title_word, m.group()), text)
