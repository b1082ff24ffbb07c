"""Facts about one encounter: its sides and their countries, dates, places, and when two readings match.

The encounter reader (``encounter_reader``) builds ``Encounter`` records from cues; these small
functions answer the questions every cue form asks (who is in this span, which country does each
side stand for, is this sentence background, which day does a range start) and merge repeats.
Pure functions over the shared article index (``context``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from accords.extract.context import IN_AT, Doc, Ent, day_in, is_old, mentions_in
from accords.extract.dates import find_dates, resolve_date
from accords.extract.encounters import DAY_RANGE


@dataclass
class Encounter:
    """An encounter being built (before dedupe and serialisation)."""

    kind: str
    status: str
    people: list[Ent]
    host: str | None
    start: int
    end: int
    date: str | None = None
    location: str | None = None
    gathering: str | None = None
    visitors: list[Ent] = field(default_factory=list)
    tentative: bool = False  # status guessed (a title's visit), the text's own report overrides it


def persons_in(doc: Doc, start: int, end: int) -> list[Ent]:
    """Distinct persons mentioned in ``text[start:end]``, in text order."""
    out: list[Ent] = []
    for _a, _b, e in mentions_in(doc, start, end):
        if e.type == "PERSON" and e not in out:
            out.append(e)
    return out


def first_country(doc: Doc, start: int, end: int, exclude: set[str]) -> tuple[str | None, str | None]:
    """(ISO3, place name) of the first country or located place in ``text[start:end]`` not in ``exclude``."""
    for _a, _b, e in mentions_in(doc, start, end):
        if e.code and e.code not in exclude and e.type in ("COUNTRY", "LOCATION"):
            return e.code, (e.name if e.type == "LOCATION" else None)
    return None, None


def countries_of(doc: Doc, m: Encounter) -> list[str]:
    """ISO3 of every side: each person's own country, else main countries no other side has.

    Press releases leave the home side's people unmarked ("Minister Balakrishnan"): they stand
    for the main countries the marked sides lack. A visit's sides are the visitors' and the host;
    a summit needs a second side (its host) even when all named people are from one.
    """
    people = m.visitors if m.kind == "visit" and m.visitors else m.people
    codes: list[str] = []
    for p in people:
        if p.code and p.code not in codes:
            codes.append(p.code)
    unknown = sum(1 for p in people if not p.code)
    # The issuing country of a press release (its sign-off) is the unmarked home side first.
    ranked = [doc.issuer, *doc.main_countries] if doc.issuer else doc.main_countries
    spare = list(dict.fromkeys(c for c in ranked if c and c not in codes and c != m.host))
    take = min(max(0, 2 - len(codes)), unknown)
    if m.kind == "visit":
        take = 0 if codes else 1
    elif m.kind == "summit" and len(codes) + take < 2:
        take += 1
    codes += spare[:take]
    if m.host and m.host not in codes:
        codes.append(m.host)
    return codes


def is_past(doc: Doc, start: int, end: int) -> bool:
    """True when a date in ``text[start:end]`` lies before the news event: a week, or a month, back.

    Stricter than an agreement's background (``context.is_old``): an encounter is news only if
    it is about as recent as the article.
    """
    return is_old(doc, start, end, days=7, month_slack=0)


def gazetteer_country(text: str, exclude: set[str | None]) -> str | None:
    """ISO3 of the first country or known place named in ``text`` (a title is not in the entity index)."""
    from accords.extract.lexicon import lexicon, phrase_key

    lex = lexicon()
    words = re.findall(r"[\w’'.-]+", text)
    for i in range(len(words)):
        for n in range(min(lex.max_gaz_len, len(words) - i), 0, -1):
            for entry in lex.gazetteer.get(phrase_key(" ".join(words[i : i + n])), []):
                code = entry.canonical if entry.kind == "COUNTRY" else entry.country
                if code and code not in exclude and entry.kind in ("COUNTRY", "LOCATION"):
                    return code
    return None


def first_day(doc: Doc, text: str, offset: int, published: date | None) -> str | None:
    """First day of a range ("from 17 to 19 May 2023"), else the first day-precise date of ``text``.

    ``offset`` is where ``text`` starts in the article (-1: a text outside it, such as the title).
    """
    m = DAY_RANGE.search(text)
    if m:
        d = resolve_date(f"{m.group(1)} {m.group(2)} {m.group(3) or ''}".strip(), published)
        if d:
            return d.isoformat()
    if offset >= 0:
        return day_in(doc, offset, offset + len(text))
    d = resolve_date(text, published)
    return d.isoformat() if d else None


def offset_of(doc: Doc, person: Ent, s0: int, s1: int) -> int:
    """Start of ``person``'s first mention inside ``text[s0:s1]`` (``s1`` when none)."""
    return next((a for a, _b, e in mentions_in(doc, s0, s1) if e is person), s1)


def main_pair(people: list[Ent]) -> list[Ent]:
    """The two most-mentioned persons of different countries ("the two leaders")."""
    if not people:
        return []
    first = people[0]
    other = next((p for p in people[1:] if p.code != first.code or not p.code), None)
    return [first, other] if other else [first]


_GENERIC = frozenset(
    "the of and on for in at summit meeting conference forum session dialogue ministerial ministers heads "
    "state states government leaders annual special inaugural associate council".split()
)


def same_gathering(a: str, b: str) -> bool:
    """Two names of one gathering share a distinctive word ("MERCOSUR Summit", "63rd Summit of MERCOSUR")."""
    words = [{w for w in re.findall(r"[\w-]+", n.casefold()) if w not in _GENERIC and not w[:1].isdigit()}
             for n in (a, b)]  # fmt: skip
    return a.casefold() == b.casefold() or bool(words[0] & words[1])


def same_person(a: Ent, b: Ent) -> bool:
    """One person under two entities ("Antony Blinken", "Antony J. Blinken"): same country, same surname."""
    return a is b or (a.code == b.code and a.name.split()[-1:] == b.name.split()[-1:]
                      and a.name.split()[:1] == b.name.split()[:1])  # fmt: skip


def same_people(a: list[Ent], b: list[Ent]) -> bool:
    """True when every person of each list is a person of the other."""
    return all(any(same_person(x, y) for y in b) for x in a) and all(
        any(same_person(y, x) for x in a) for y in b
    )


def same_encounter(a: Encounter, b: Encounter) -> bool:
    """True when two readings report one encounter."""
    if a.kind != b.kind:
        return False
    if a.kind == "visit":
        return a.host == b.host and any(same_person(x, y) for x in a.visitors for y in b.visitors)
    if a.kind == "summit" and a.gathering and b.gathering:
        return same_gathering(a.gathering, b.gathering)
    # The same people meeting again later ("will be hosted to dinner by") is another encounter.
    return a.status == b.status and same_people(a.people, b.people)


def fill_places(doc: Doc, found: list[Encounter]) -> None:
    """Fill missing places from the visit: its city, and the place of encounters held during it.

    A visit's city is the first place in its host country the article names; a meeting during the
    visit (the host's country among its sides, same status) took place there too.
    """
    visits = [m for m in found if m.kind == "visit"]
    if not visits:
        return
    visit = visits[0]
    if visit.location is None:
        cities = sorted(
            (e.first, e.name) for e in doc.ents.values() if e.type == "LOCATION" and e.code == visit.host
        )
        # A city-state is its own city: a visit to Singapore took place in Singapore.
        visit.location = cities[0][1] if cities else CITY_STATES.get(visit.host or "")
    for m in found:
        if m.location is not None or m.kind not in ("meeting", "call"):
            continue
        # The visit it belongs to: one of the same status, or one under way ("is visiting") whose
        # programme is still ahead ("will meet").
        during = next(
            (v for v in visits if v.status == m.status and v.location),
            next((v for v in visits if v.status == "held" and m.status == "planned" and v.location), None),
        )
        if during is not None and during.host in countries_of(doc, m):
            m.location = during.location


# Countries that are one city: the place of a visit there when the article names no other.
CITY_STATES = {"SGP": "Singapore", "MCO": "Monaco", "VAT": "Vatican City", "HKG": "Hong Kong", "MAC": "Macao"}
# "this morning" / "this afternoon": the day of publication, like "today" (which find_dates reads).
_SAME_DAY = re.compile(
    r"\b(?:this|earlier\s+this|later\s+this)\s+(?:morning|afternoon|evening)\b|\btonight\b", re.I
)


def fill_from_paragraph(doc: Doc, found: list[Encounter]) -> None:
    """Give an undated or unplaced encounter the day and place its paragraph has set before it.

    Statements tell a programme day by day: "On 16 November, A met B. A also met C." - C's
    meeting is on 16 November too; "A received a welcome at the Palace this morning. A called on
    B." - the call is at the Palace, on the publication day. Only what comes earlier in the same
    paragraph counts; a day only when it fits the status (a held encounter is not after
    publication, a planned one not before); a place only when it is in a country of the encounter.
    """
    text = doc.text
    for m in found:
        if m.kind == "visit" or (m.date is not None and m.location is not None):
            continue
        p0 = text.rfind("\n", 0, m.start) + 1
        if m.date is None:
            m.date = _paragraph_day(doc, m, p0)
        if m.location is None and m.kind != "call":
            sides = set(countries_of(doc, m))
            places = [
                e for a, _b, e in mentions_in(doc, p0, m.start)
                if e.type == "LOCATION" and IN_AT.search(text, max(p0, a - 12), a)
                and (e.code is None or e.code in sides)
            ]  # fmt: skip
            m.location = places[-1].name if places else None


def _paragraph_day(doc: Doc, m: Encounter, p0: int) -> str | None:
    """The last day named in ``text[p0:m.start]`` ("this morning" is publication), if it fits."""
    found_days = find_dates(doc.text, doc.published, p0, m.start)
    days = [d.value for d in found_days if d.precision == "day" and d.value]
    day = days[-1] if days else None
    if day is None and doc.published and _SAME_DAY.search(doc.text, p0, m.end):
        day = doc.published
    if day is None or doc.published is None:
        return None
    if (m.status == "held" and day <= doc.published) or (m.status == "planned" and day >= doc.published):
        return day.isoformat()
    return None
