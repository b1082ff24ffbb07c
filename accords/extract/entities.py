"""Entity extraction entry point: persons, countries, organizations and locations.

Rule and gazetteer based, offline and deterministic. ``segment`` turns the article's
capitalised runs into typed items, ``resolve`` groups them into one entity per real-world
entity and adds short-form mentions. Mentions index ``text``; the title is not indexed.
"""

from __future__ import annotations

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
    analyzer = analyze(text)
    ents = group(analyzer.items)
    region_adjs = [i for i in analyzer.items if i.type == REGION_ADJ]
    attach_leftovers(ents, analyzer.leftovers, region_adjs, analyzer.org_cued)
    return to_records(ents, text)
