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

import re
from dataclasses import dataclass, field
from datetime import date

from accords.extract.context import Doc, Ent, build_doc, day_in, mentions_in, place_in
from accords.extract.dates import find_dates, resolve_date
from accords.extract.encounters import (
    ACCOMPANIED,
    CANDIDATE,
    DAY_RANGE,
    GUEST_WORDS,
    INVITATION_BY,
    PRONOUN,
    TWO_LEADERS,
    Cue,
    background,
    cues,
    gathering_name,
    is_multilateral,
    planned,
)  # fmt: skip
from accords.extract.sentences import split_sentences
from accords.ids import stable_id


@dataclass
class _Meeting:
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


def _persons(doc: Doc, start: int, end: int) -> list[Ent]:
    """Distinct persons mentioned in ``text[start:end]``, in text order."""
    out: list[Ent] = []
    for _a, _b, e in mentions_in(doc, start, end):
        if e.type == "PERSON" and e not in out:
            out.append(e)
    return out


def _first_country(doc: Doc, start: int, end: int, exclude: set[str]) -> tuple[str | None, str | None]:
    """(ISO3, place name) of the first country or located place in ``text[start:end]`` not in ``exclude``."""
    for _a, _b, e in mentions_in(doc, start, end):
        if e.code and e.code not in exclude and e.type in ("COUNTRY", "LOCATION"):
            return e.code, (e.name if e.type == "LOCATION" else None)
    return None, None


def _countries(doc: Doc, m: _Meeting) -> list[str]:
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
    spare = [c for c in doc.main_countries if c not in codes and c != m.host]
    take = min(max(0, 2 - len(codes)), unknown)
    if m.kind == "visit":
        take = 0 if codes else 1
    elif m.kind == "summit" and len(codes) + take < 2:
        take += 1
    codes += spare[:take]
    if m.host and m.host not in codes:
        codes.append(m.host)
    return codes


def _is_past(doc: Doc, start: int, end: int) -> bool:
    """True when a date in ``text[start:end]`` lies before the news event (a week or a month back)."""
    pub = doc.published
    if pub is None:
        return False
    for d in find_dates(doc.text, pub, start, end):
        if d.value is None or d.precision == "week":
            continue
        if d.precision == "year" and d.value.year < pub.year:
            return True
        if d.precision == "month" and (d.value.year, d.value.month) < (pub.year, pub.month):
            return True
        if d.precision == "day" and (pub - d.value).days > 7:
            return True
    return False


def _gazetteer_country(text: str, exclude: set[str | None]) -> str | None:
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


def _visit_date(doc: Doc, text: str, offset: int, published: date | None) -> str | None:
    """First day of a range ("from 17 to 19 May 2023"), else the first day-precise date of ``text``."""
    m = DAY_RANGE.search(text)
    if m:
        d = resolve_date(f"{m.group(1)} {m.group(2)} {m.group(3) or ''}".strip(), published)
        if d:
            return d.isoformat()
    if offset >= 0:
        return day_in(doc, offset, offset + len(text))
    for d in find_dates(text, published):
        if d.precision == "day" and d.value is not None:
            return d.value.isoformat()
    return None


class _Reader:
    """Reads one article's sentences into encounters."""

    def __init__(self, doc: Doc, title: str | None) -> None:
        self.doc = doc
        self.title = title or ""
        self.out: list[_Meeting] = []
        people = sorted(
            (e for e in doc.ents.values() if e.type == "PERSON"), key=lambda e: (-e.count, e.first)
        )
        self.protagonist: list[Ent] = people[:1]
        self.leaders = _main_pair(people)

    def add(self, m: _Meeting) -> None:
        """Keep ``m`` unless it repeats an encounter already read (then fill what that one lacks)."""
        if m.kind != "visit" and len(m.people) < (1 if m.kind == "summit" else 2):
            return
        for old in self.out:
            if _same(old, m):
                for p in m.people:
                    if not any(_same_person(p, q) for q in old.people):
                        old.people.append(p)
                old.date = old.date or m.date
                old.location = old.location or m.location
                if old.tentative and not m.tentative:
                    old.status, old.tentative = m.status, False
                return
        self.out.append(m)

    def read_title(self, sentences: list[tuple[int, int]]) -> None:
        """A visit named in the title ("Official Visit of X to K, 9 to 11 May")."""
        t = self.title
        if not re.search(r"\bvisit\b", t, re.I):
            return
        low = t.casefold()
        visitors = [
            e
            for e in self.doc.ents.values()
            if e.type == "PERSON"
            and any(
                len(n) > 3 and re.search(rf"\b{re.escape(n.casefold())}\b", low) for n in [e.name, *e.aliases]
            )
        ]
        if not visitors:
            return
        own = {v.code for v in visitors if v.code}
        dest = re.search(r"\bto\s+(.*)", low)
        host = next(
            (
                c
                for part in ([dest.group(1)] if dest else []) + [low]
                for n, c in self.doc.country_names.items()
                if c not in own and re.search(rf"\b{re.escape(n)}\b", part)
            ),
            None,
        )
        if host is None and dest:
            host = _gazetteer_country(t[dest.start(1) :], own)
        if host is None:
            host = next((c for c in self.doc.main_countries if c not in own), None)
        span = next(
            ((a, b) for a, b in sentences if any(v in _persons(self.doc, a, b) for v in visitors)), None
        )
        if host is None or span is None:
            return
        when = _visit_date(self.doc, t, -1, self.doc.published)
        # The title does not say whether the visit is over: the text's own visit sentence decides,
        # else the dates (a visit that starts after publication is planned).
        status = (
            "planned" if when and self.doc.published and when > self.doc.published.isoformat() else "held"
        )
        self.protagonist = list(visitors)
        self.add(
            _Meeting(
                "visit",
                status,
                list(visitors),
                host,
                span[0],
                span[1],
                date=when,
                visitors=list(visitors),
                tentative=True,
            )
        )

    def read(self, s0: int, s1: int) -> None:
        """Read the encounters of sentence ``text[s0:s1]``."""
        text = self.doc.text
        sent = text[s0:s1]
        if ACCOMPANIED.search(sent) and not _is_past(self.doc, s0, s1):
            self._accompany(s0, s1, sent)
        found = cues(sent) if CANDIDATE.search(sent.lower()) else []
        if not found:
            lead = _persons(self.doc, s0, min(s1, s0 + 60))
            if lead:
                self.protagonist = lead[:1]
            return
        if _is_past(self.doc, s0, s1):
            return
        first: tuple[int, list[Ent]] | None = None  # (clause start, subject) of the clause's first cue
        for i, cue in enumerate(found):
            nxt = found[i + 1].start if i + 1 < len(found) else len(sent)
            c0 = max(sent.rfind(";", 0, cue.start), sent.rfind(":", 0, cue.start)) + 1
            subj = None
            if first and first[0] == c0:
                gap = sent[found[i - 1].end : cue.start]
                if re.search(r"\b(?:who|which|whom)\b", gap):
                    continue  # "met B, who also hosted him to lunch": the same encounter, told of B
                if re.search(r"\b(?:and|but)\s+(?:also\s+|then\s+|later\s+|will\s+|to\s+)*(?:be\s+)?$", gap):
                    subj = first[1]  # "A called on B and met C": A is still the subject
            used = self._cue(s0, s1, sent, cue, nxt, c0, subj)
            if used is not None and (not first or first[0] != c0):
                first = (c0, used)

    def _cue(
        self, s0: int, s1: int, sent: str, cue: Cue, nxt: int, c0: int, subj: list[Ent] | None
    ) -> list[Ent] | None:
        """Read one cue; returns the subject it was read with (None when it reports nothing)."""
        doc = self.doc
        pre = sent[c0 : cue.start]
        if background(pre + sent[cue.start : cue.end]):
            return None
        if subj is None:
            subj = _persons(doc, s0 + c0, s0 + cue.start)
        if not subj:
            if TWO_LEADERS.search(pre):
                subj = list(self.leaders)
            elif re.search(r"\b(?:He|She|he|she)\b", pre):
                subj = list(self.protagonist[:1])
            elif (
                PRONOUN.search(pre)
                or not pre.strip(" ,")
                or re.search(r"\b(?:also|will|then|later|today)\s*$", pre)
            ):
                subj = list(self.protagonist)
            elif cue.form in ("gathering", "group"):
                subj = []
            else:
                return None
        obj = [p for p in _persons(doc, s0 + cue.start, s0 + nxt) if p not in subj]
        if not obj and cue.form in ("group", "pair") and TWO_LEADERS.search(sent[cue.start : nxt]):
            obj = [p for p in self.leaders if p not in subj]
        if not obj and cue.form in ("group", "pair") and GUEST_WORDS.search(sent[cue.end : nxt]):
            obj = [p for p in self._guests() if p not in subj]
        when = _visit_date(doc, sent, s0, doc.published)
        ahead = bool(when and doc.published and when > doc.published.isoformat())
        status = "planned" if ahead or planned(sent[c0 : cue.end]) else "held"
        if "conference" in sent[cue.start : cue.end].lower() and not (
            "joint" in sent[cue.start : cue.end].lower() or TWO_LEADERS.search(pre)
        ):
            return None  # "told a news conference" is no encounter
        place = place_in(doc, s0, s1)
        self.protagonist = subj
        if (
            cue.form == "pair"
            and len(obj) > 1
            and re.search(r"\bwith\b", sent[cue.end : _offset(doc, obj[1], s0, s1) - s0])
        ):
            # "will call on B with C and D": one encounter for all
            self.add(_Meeting("meeting", status, [*subj, *obj], None, s0, s1, when, place))
        elif cue.form == "pair":
            for o in obj:
                self.add(_Meeting("meeting", status, [*subj, o], None, s0, s1, when, place))
            if not obj and len(subj) >= 2:
                self.add(_Meeting("meeting", status, subj, None, s0, s1, when, place))
        elif cue.form == "group":
            name = gathering_name(sent[cue.end : cue.end + 160], anchored=True)
            kind = "summit" if name and is_multilateral(name) else "meeting"
            self.add(_Meeting(kind, status, [*subj, *obj], None, s0, s1, when, place, gathering=name))
            if re.search(r"received\s+by", sent[cue.start : cue.end]):
                self._join_visit(subj, obj)
        elif cue.form == "call":
            self.add(_Meeting("call", status, [*subj, *obj], None, s0, s1, when, None))
        elif cue.form == "gathering":
            name = gathering_name(sent[cue.end :])
            if name and is_multilateral(name):
                self.add(_Meeting("summit", status, [*subj, *obj], None, s0, s1, when, place, gathering=name))
        elif cue.form == "visit":
            self._visit(s0, s1, sent, cue, subj, status, place)
        elif cue.form == "invite" and obj:
            status = "planned"
            host, _ = _first_country(doc, s0 + cue.end, s1, {obj[0].code} if obj[0].code else set())
            host = (
                host
                or next((p.code for p in subj if p.code), None)
                or next((c for c in doc.main_countries if c != obj[0].code), None)
            )
            if host and host != obj[0].code:
                self.add(
                    _Meeting("visit", status, [obj[0], *subj], host, s0, s1, None, None, visitors=[obj[0]])
                )
        return subj

    def _visit(
        self, s0: int, s1: int, sent: str, cue: Cue, subj: list[Ent], status: str, place: str | None
    ) -> None:
        own = {p.code for p in subj if p.code}
        host, city = _first_country(self.doc, s0 + cue.end, s1, own)
        if host is None:
            return
        people = list(subj)
        inv = INVITATION_BY.search(sent, cue.end)
        if inv:
            people += [p for p in _persons(self.doc, s0 + inv.end(), s1) if p not in people][:1]
        when = _visit_date(self.doc, sent, s0, self.doc.published)
        self.add(_Meeting("visit", status, people, host, s0, s1, when, city or place, visitors=list(subj)))

    def _guests(self) -> list[Ent]:
        """The visitors of the article's first visit, else its protagonist."""
        visit = next((m for m in self.out if m.kind == "visit"), None)
        return list(visit.visitors) if visit else list(self.protagonist)

    def _accompany(self, s0: int, s1: int, sent: str) -> None:
        # "PM Lee will be accompanied by Ministers A and B": they travel with the visitor.
        m = ACCOMPANIED.search(sent)
        visit = next((v for v in self.out if v.kind == "visit"), None)
        if m is None or visit is None:
            return
        before = _persons(self.doc, s0, s0 + m.start())
        if before and not any(p in visit.people for p in before):
            return
        for p in _persons(self.doc, s0 + m.end(), s1):
            if p not in visit.people:
                visit.people.append(p)

    def _join_visit(self, visitors: list[Ent], hosts: list[Ent]) -> None:
        # "He was received by President X": the receiving host takes part in the visit.
        for m in self.out:
            if m.kind == "visit" and any(v in m.visitors for v in visitors):
                m.people += [h for h in hosts if h not in m.people]


def _offset(doc: Doc, person: Ent, s0: int, s1: int) -> int:
    """Start of ``person``'s first mention inside ``text[s0:s1]`` (``s1`` when none)."""
    return next((a for a, _b, e in mentions_in(doc, s0, s1) if e is person), s1)


def _main_pair(people: list[Ent]) -> list[Ent]:
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


def _same_gathering(a: str, b: str) -> bool:
    """Two names of one gathering share a distinctive word ("MERCOSUR Summit", "63rd Summit of MERCOSUR")."""
    words = [{w for w in re.findall(r"[\w-]+", n.casefold()) if w not in _GENERIC and not w[:1].isdigit()}
             for n in (a, b)]  # fmt: skip
    return a.casefold() == b.casefold() or bool(words[0] & words[1])


def _same_person(a: Ent, b: Ent) -> bool:
    """One person under two entities ("Antony Blinken", "Antony J. Blinken"): same country, same surname."""
    return a is b or (a.code == b.code and a.name.split()[-1:] == b.name.split()[-1:]
                      and a.name.split()[:1] == b.name.split()[:1])  # fmt: skip


def _same_people(a: list[Ent], b: list[Ent]) -> bool:
    """True when every person of each list is a person of the other."""
    return all(any(_same_person(x, y) for y in b) for x in a) and all(
        any(_same_person(y, x) for x in a) for y in b
    )


def _same(a: _Meeting, b: _Meeting) -> bool:
    """True when two readings report one encounter."""
    if a.kind != b.kind:
        return False
    if a.kind == "visit":
        return a.host == b.host and any(_same_person(x, y) for x in a.visitors for y in b.visitors)
    if a.kind == "summit" and a.gathering and b.gathering:
        return _same_gathering(a.gathering, b.gathering)
    # The same people meeting again later ("will be hosted to dinner by") is another encounter.
    return a.status == b.status and _same_people(a.people, b.people)


def _link(agreements: list[dict], records: list[tuple[_Meeting, str]]) -> list[dict]:
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
    if not text or not any(e.get("type") == "PERSON" for e in entities):
        return [], [{**a, "meeting_id": None} for a in agreements]
    doc = build_doc(text, title, published, entities, mentions)
    reader = _Reader(doc, title)
    sentences = split_sentences(text)
    reader.read_title(sentences)
    for s0, s1 in sentences:
        reader.read(s0, s1)
    records: list[tuple[_Meeting, str]] = []
    out: list[dict] = []
    for m in reader.out:
        countries = _countries(doc, m)
        if m.kind != "visit" and len(countries) < 2 or (m.kind == "visit" and not m.host):
            continue
        names = [p.name for p in m.people]
        mid = stable_id(m.kind, str(m.start), str(m.end), *sorted(names), m.host or "")
        if any(mid == x for _m, x in records):
            continue
        records.append((m, mid))
        out.append({
            "meeting_id": mid, "kind": m.kind, "status": m.status, "participants": names,
            "participant_ids": [p.id for p in m.people], "countries": countries,
            "location": m.location, "date": m.date, "evidence": text[m.start : m.end],
            "evidence_start": m.start, "evidence_end": m.end,
        })  # fmt: skip
    return out, _link(agreements, records)
