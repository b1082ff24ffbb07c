"""The unit the run analysers emit: one typed span of the article (before entity grouping)."""

from __future__ import annotations

from dataclasses import dataclass

PERSON = "PERSON"
COUNTRY = "COUNTRY"
ORGANIZATION = "ORGANIZATION"
LOCATION = "LOCATION"
REGION_ADJ = "REGION_ADJ"  # adjective of a region; becomes a mention only if the region is named


@dataclass(slots=True)
class Item:
    """A recognised span: its type, offsets, canonical name and attributes."""

    type: str
    start: int
    end: int
    name: str  # canonical name; ISO alpha-3 for COUNTRY
    surface: str  # the alias as written (whitespace normalised)
    country: str | None = None
    role: str | None = None
    acronym: str | None = None
    aliases: tuple[str, ...] = ()  # extra alias forms (short names, name without "Haji", ...)
    company: bool = False
