"""Placeholder for the meeting extractor (visits, meetings, calls, summits).

This file is replaced by the real meeting extractor; until then no meetings are found.
"""

from __future__ import annotations

from datetime import date
from typing import Any


def extract_meetings(
    text: str, title: str | None, published: date | None, entities: list[dict[str, Any]],
    mentions: list[dict[str, Any]], agreements: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Meetings of one article and its agreements (with ``meeting_id``); a stub: none found.

    Replaced by the meeting extractor, which returns meeting dicts shaped like
    ``schemas/meeting.schema.json`` and the agreements with the id of the meeting at which each
    was signed.
    """
    return [], agreements
