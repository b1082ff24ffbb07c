"""The article as the event extractors see it: entities indexed by offset, main countries, places, dates.

Agreements and meetings both read an article through this index, so a person's country, the
article's main pair, "in <place>" and the sentence's date are resolved one way for both.
Pure functions; imports only the date and lexicon modules.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TypeVar

from accords.extract.dates import find_dates


@dataclass
class Ent:
    """What the extractors need to know about one entity."""

    id: str
    type: str
    name: str
    code: str | None
    role: str | None
    acronym: str | None
    aliases: list[str]
    count: int = 0
    first: int = 1 << 30
    department_of: str | None = None  # ISO3 of a department named "<portfolio> <country>"


@dataclass
class Doc:
    """Per-article context shared by all mentions."""

    text: str
    published: date | None
    ents: dict[str, Ent]
    mentions: list[tuple[int, int, Ent]]
    main_countries: list[str]
    country_names: dict[str, str] = field(default_factory=dict)  # casefolded name/alias -> ISO3
    starts: list[int] = field(default_factory=list)  # mention start offsets, built lazily
    issuer: str | None = None  # ISO3 of the country in a sign-off ("MINISTRY OF FOREIGN AFFAIRS / SINGAPORE")


D = TypeVar("D", bound=Doc)


def portfolio_department(name: str, names: dict[str, str]) -> str | None:
    """ISO3 of a department named by its portfolio and its country ("Natural Resources Canada").

    Every word before the country name is a portfolio word (the lexicon's role modifiers:
    Agriculture, Natural, Resources ...), so "Air Canada" or "Bank of Canada" do not qualify.
    """
    from accords.extract.lexicon import lexicon

    words = name.split()
    for cut in range(len(words) - 1, 0, -1):
        code = names.get(" ".join(words[cut:]).casefold())
        if code:
            return code if lexicon().portfolio_phrase(words[:cut]) else None
    return None


def build_doc(
    text: str,
    title: str | None,
    published: date | None,
    entities: list[dict],
    mentions: list[dict],
    factory: type[D] = Doc,  # type: ignore[assignment]
) -> D:
    """Index entities and mentions; rank the article's main countries (title mentions count double)."""
    ents: dict[str, Ent] = {}
    for e in entities:
        ents[e["entity_id"]] = Ent(
            id=e["entity_id"], type=str(e.get("type") or ""), name=str(e.get("name") or ""),
            code=e.get("country_code"), role=e.get("role"), acronym=e.get("acronym"),
            aliases=[a for a in (e.get("aliases") or []) if a],
        )  # fmt: skip
    ms: list[tuple[int, int, Ent]] = []
    for m in mentions:
        ent = ents.get(m.get("entity_id", ""))
        if ent is None:
            continue
        ms.append((int(m["start"]), int(m["end"]), ent))
        ent.count += 1
        ent.first = min(ent.first, int(m["start"]))
    ms.sort(key=lambda x: x[0])
    country_names = {
        n.casefold(): e.code
        for e in ents.values() if e.type == "COUNTRY" and e.code
        for n in [e.name, *e.aliases] if len(n) > 3
    }  # fmt: skip
    for e in ents.values():
        if e.type == "ORGANIZATION":
            e.department_of = portfolio_department(e.name, country_names)
    title_l = (title or "").casefold()
    scored = []
    for e in ents.values():
        if e.type != "COUNTRY" or not e.code:
            continue
        boost = 2 if title_l and any(n and n.casefold() in title_l for n in [e.name, *e.aliases]) else 0
        scored.append((-(max(e.count, 1) + boost), e.first, e.code))
    main: list[str] = []
    for _, _, code in sorted(scored):
        if code not in main:
            main.append(code)
    return factory(
        text=text, published=published, ents=ents, mentions=ms, main_countries=main,
        country_names=country_names, issuer=_issuer(text, country_names),
    )  # fmt: skip


# A press release's sign-off: the issuing body in capitals, then its country on the next line.
_SIGN_OFF = re.compile(
    r"^[ \t]*(?:MINISTRY|OFFICE|EMBASSY|HIGH COMMISSION|PRIME MINISTER|PRESIDENT|DEPARTMENT)\b[^\n]{0,60}\n"
    r"[ \t]*([A-Z][A-Z .'’-]{2,40}?)[ \t]*$",
    re.M,
)


def _issuer(text: str, country_names: dict[str, str]) -> str | None:
    """ISO3 of the country a sign-off names, if the text has one."""
    if "\n" not in text:
        return None
    for m in _SIGN_OFF.finditer(text):
        code = country_names.get(m.group(1).strip().casefold())
        if code:
            return code
    return None


def mentions_in(doc: Doc, start: int, end: int) -> list[tuple[int, int, Ent]]:
    """Entity mentions fully inside ``[start, end)`` (binary search: long articles stay linear)."""
    if not doc.starts:
        doc.starts = [m[0] for m in doc.mentions]
    i = bisect_left(doc.starts, start)
    out = []
    for m in doc.mentions[i:]:
        if m[0] >= end:
            break
        if m[1] <= end:
            out.append(m)
    return out


def is_old(doc: Doc, start: int, end: int, days: int = 31, month_slack: int = 40) -> bool:
    """True when a date expression in ``text[start:end]`` lies clearly before publication.

    Clearly: a year before publication's, a month starting more than ``month_slack`` days before
    publication's month, a day more than ``days`` days before publication (weeks never count).
    """
    if doc.published is None:
        return False
    pub = doc.published
    for d in find_dates(doc.text, pub, start, end):
        if d.value is None:
            continue
        if d.precision == "year":
            if d.value.year < pub.year:
                return True
        elif d.precision == "month":
            if d.value < date(pub.year, pub.month, 1) - timedelta(days=month_slack):
                return True
        elif d.precision == "week":
            continue
        elif d.value < pub - timedelta(days=days):
            return True
    return False


IN_AT = re.compile(r"\b(?:in|at)\s+(?:the\s+)?$")


def place_in(doc: Doc, start: int, end: int) -> str | None:
    """The first LOCATION mentioned after "in"/"at" inside ``text[start:end]``."""
    for a, _b, e in mentions_in(doc, start, end):
        if e.type == "LOCATION" and IN_AT.search(doc.text, max(start, a - 12), a):
            return e.name
    return None


def day_in(doc: Doc, start: int, end: int) -> str | None:
    """The first day-precise date inside ``text[start:end]``, resolved against publication."""
    for d in find_dates(doc.text, doc.published, start, end):
        if d.precision == "day" and d.value is not None:
            return d.value.isoformat()
    return None
