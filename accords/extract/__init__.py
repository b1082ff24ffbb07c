"""Extraction stage: article text -> entities, mentions, agreements and meetings (pure functions).

``extract`` is the single entry point the pipeline calls. Bump ``EXTRACTOR_VERSION`` whenever
extraction behaviour changes: ``accords reprocess`` uses it to find stale rows.
"""

from __future__ import annotations

from datetime import date

from accords.records import Extraction

EXTRACTOR_VERSION = "0.8.0"


def extract(text: str, title: str | None = None, published: date | None = None) -> Extraction:
    """Extract entities, mentions, agreements and meetings from one article.

    Offsets in mentions and in agreement and meeting evidence index into ``text`` (the stored
    article text). Agreements signed at a meeting of the article carry its ``meeting_id``.
    The title, when given, is only a hint (e.g. for the topic); it is not indexed.
    """
    from accords.extract.agreements import extract_agreements
    from accords.extract.entities import extract_entities
    from accords.extract.meetings import extract_meetings

    entities, mentions = extract_entities(text, title)
    agreements = extract_agreements(text, title, published, entities, mentions)
    meetings, agreements = extract_meetings(text, title, published, entities, mentions, agreements)
    return Extraction(entities=entities, mentions=mentions, agreements=agreements, meetings=meetings)
