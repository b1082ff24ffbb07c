"""Reads an article's sentences into encounters, one cue at a time (see ``meetings`` for the rules).

For each cue the people before it are the subject (a pronoun or a bare clause falls back to the
protagonist, the people the previous encounter was about) and the people after it, up to the next
cue, the objects; the cue's form says how to combine them.
"""

from __future__ import annotations

import re

from accords.extract.context import Doc, Ent, mentions_in, place_in
from accords.extract.encounter_facts import (
    Encounter,
    first_country,
    first_day,
    gazetteer_country,
    is_past,
    main_pair,
    offset_of,
    persons_in,
    same_encounter,
    same_person,
)  # fmt: skip
from accords.extract.encounters import (
    ACCOMPANIED,
    GUEST_WORDS,
    INVITATION_BY,
    OBJECT_STOP,
    PRONOUN,
    TWO_LEADERS,
    Cue,
    background,
    cues,
    gathering_name,
    has_keyword,
    is_multilateral,
    planned,
)  # fmt: skip


class Reader:
    """Reads one article's sentences into encounters."""

    def __init__(self, doc: Doc, title: str | None) -> None:
        self.doc = doc
        self.title = title or ""
        self.out: list[Encounter] = []
        people = sorted(
            (e for e in doc.ents.values() if e.type == "PERSON"), key=lambda e: (-e.count, e.first)
        )
        self.protagonist: list[Ent] = people[:1]
        self.leaders = main_pair(people)

    def add(self, m: Encounter) -> None:
        """Keep ``m`` unless it repeats an encounter already read (then fill what that one lacks)."""
        if m.kind != "visit" and len(m.people) < (1 if m.kind == "summit" else 2):
            return
        for old in self.out:
            if same_encounter(old, m):
                for p in m.people:
                    if not any(same_person(p, q) for q in old.people):
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
        if dest:
            # "Visit of X to K": the destination; a country named before "to" is the visitor's
            host = next(
                (
                    c
                    for n, c in self.doc.country_names.items()
                    if c not in own and re.search(rf"\b{re.escape(n)}\b", dest.group(1))
                ),
                None,
            )
            host = host or gazetteer_country(t[dest.start(1) :], own)
        else:
            # "Visit of X, Foreign Minister of K": K is the visitor's; the host is the other main country
            named = {c for n, c in self.doc.country_names.items() if re.search(rf"\b{re.escape(n)}\b", low)}
            host = next((c for c in self.doc.main_countries if c not in own and c not in named), None)
        if host is None:
            host = next((c for c in self.doc.main_countries if c not in own), None)
        span = next(
            ((a, b) for a, b in sentences if any(v in persons_in(self.doc, a, b) for v in visitors)), None
        )
        if host is None or span is None:
            return
        when = first_day(self.doc, t, -1, self.doc.published)
        # The title does not say whether the visit is over: the text's own visit sentence decides,
        # else the dates (a visit that starts after publication is planned).
        status = "planned" if _after_publication(self.doc, when) else "held"
        self.protagonist = list(visitors)
        self.add(
            Encounter(
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
        low = sent.lower()
        lead = persons_in(self.doc, s0, s1)
        if lead and ("accompan" in low or "joined by" in low or "delegation" in low):
            if ACCOMPANIED.search(sent) and not is_past(self.doc, s0, s1):
                self._accompany(s0, s1, sent)
        # A cue needs people: named in the sentence, or told by pronoun, honorific or "the two leaders".
        found = cues(sent) if (lead or _PEOPLE_WORDS.search(sent)) and has_keyword(low) else []
        if not found:
            lead = [p for p in lead if offset_of(self.doc, p, s0, s1) < s0 + 60]
            if lead:
                self.protagonist = lead[:1]
            return
        if is_past(self.doc, s0, s1):
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
            subj = persons_in(doc, s0 + c0, s0 + cue.start)
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
            elif GUEST_WORDS.search(pre):
                subj = self._guests()  # "His Majesty will visit the camp, hosted by Minister B"
            elif cue.form in ("gathering", "group", "visit_by"):
                subj = []
            else:
                return None
        stop = OBJECT_STOP.search(sent, cue.end, nxt)
        obj = [
            p for p in persons_in(doc, s0 + cue.start, s0 + (stop.start() if stop else nxt)) if p not in subj
        ]
        if not obj and cue.form in ("group", "pair") and TWO_LEADERS.search(sent[cue.start : nxt]):
            obj = [p for p in self.leaders if p not in subj]
        if not obj and cue.form in ("group", "pair") and GUEST_WORDS.search(sent[cue.end : nxt]):
            obj = [p for p in self._guests() if p not in subj]
        when = first_day(doc, sent, s0, doc.published)
        ahead = _after_publication(doc, when)
        status = "planned" if ahead or planned(sent[c0 : cue.end], sent[cue.end : nxt]) else "held"
        if "conference" in sent[cue.start : cue.end].lower() and not (
            "joint" in sent[cue.start : cue.end].lower() or TWO_LEADERS.search(pre)
        ):
            return None  # "told a news conference" is no encounter
        place = place_in(doc, s0, s1)
        self.protagonist = subj
        if (
            cue.form == "pair"
            and len(obj) > 1
            and re.search(r"\bby\b", sent[cue.end : offset_of(doc, obj[1], s0, s1) - s0])
        ):
            # "Call on B by A" (a caption): one encounter of both
            self.add(Encounter("meeting", status, [*subj, *obj], None, s0, s1, when, place))
        elif (
            cue.form == "pair"
            and len(obj) > 1
            and re.search(r"\bwith\b", sent[cue.end : offset_of(doc, obj[1], s0, s1) - s0])
        ):
            # "will call on B with C and D": one encounter for all
            self.add(Encounter("meeting", status, [*subj, *obj], None, s0, s1, when, place))
        elif cue.form == "pair":
            for o in obj:
                self.add(Encounter("meeting", status, [*subj, o], None, s0, s1, when, place))
            if not obj and len(subj) >= 2 and _joined(sent, pre):
                self.add(Encounter("meeting", status, subj, None, s0, s1, when, place))
        elif cue.form == "group":
            name = gathering_name(sent[cue.end : cue.end + 160], anchored=True)
            kind = "summit" if name and is_multilateral(name) else "meeting"
            self.add(Encounter(kind, status, [*subj, *obj], None, s0, s1, when, place, gathering=name))
            if re.search(r"received\s+by", sent[cue.start : cue.end]):
                self._join_visit(subj, obj)
        elif cue.form == "call":
            self.add(Encounter("call", status, [*subj, *obj], None, s0, s1, when, None))
        elif cue.form == "gathering":
            name = gathering_name(sent[cue.end :])
            if name and is_multilateral(name):
                self.add(
                    Encounter("summit", status, [*subj, *obj], None, s0, s1, when, place, gathering=name)
                )
        elif (
            cue.form == "visit"
            and re.match(r"(?i:visiting)$", sent[cue.start : cue.end])
            and _person_next(doc, s0 + cue.end)
        ):
            return None  # "the visiting minister X": the visit is told elsewhere, its host is not here
        elif cue.form == "visit":
            self._visit(s0, s1, sent, cue, subj, status, place)
        elif cue.form == "visit_by":
            to = re.search(r"\bto\b", sent[cue.end :])
            visitors = persons_in(doc, s0 + cue.end, s0 + cue.end + to.start()) if to else []
            if visitors and to:
                self._visit(
                    s0,
                    s1,
                    sent,
                    Cue(cue.form, cue.kind, cue.start, cue.end + to.start()),
                    visitors,
                    status,
                    place,
                )
        elif cue.form == "leg":
            self._legs(s0, s1, cue, subj, status)
        elif cue.form == "invite" and obj:
            status = "planned"
            host, _ = first_country(doc, s0 + cue.end, s1, {obj[0].code} if obj[0].code else set())
            host = (
                host
                or next((p.code for p in subj if p.code), None)
                or next((c for c in doc.main_countries if c != obj[0].code), None)
            )
            if host and host != obj[0].code:
                self.add(
                    Encounter("visit", status, [obj[0], *subj], host, s0, s1, None, None, visitors=[obj[0]])
                )
        return subj

    def _visit(
        self, s0: int, s1: int, sent: str, cue: Cue, subj: list[Ent], status: str, place: str | None
    ) -> None:
        own = {p.code for p in subj if p.code}
        host, city = first_country(self.doc, s0 + cue.end, s1, own)
        if host is None:
            return
        people = list(subj)
        inv = INVITATION_BY.search(sent, cue.end)
        if inv:
            people += [p for p in persons_in(self.doc, s0 + inv.end(), s1) if p not in people][:1]
        when = first_day(self.doc, sent, s0, self.doc.published)
        self.add(Encounter("visit", status, people, host, s0, s1, when, city or place, visitors=list(subj)))

    def _legs(self, s0: int, s1: int, cue: Cue, subj: list[Ent], status: str) -> None:
        # Only the visitors of a visit already read are on a tour: each country named is a leg.
        def on_tour(m: Encounter) -> bool:
            return m.kind == "visit" and any(same_person(p, v) for p in subj for v in m.visitors)

        tour = next((m for m in self.out if on_tour(m)), None)
        if tour is None:
            return
        own = {p.code for p in tour.visitors if p.code} | {tour.host}
        for _a, _b, e in mentions_in(self.doc, s0 + cue.end, s1):
            if e.type == "COUNTRY" and e.code and e.code not in own:
                own.add(e.code)
                self.add(
                    Encounter(
                        "visit", status, list(tour.visitors), e.code, s0, s1, visitors=list(tour.visitors)
                    )
                )

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
        before = persons_in(self.doc, s0, s0 + m.start())
        if before and not any(p in visit.people for p in before):
            return
        for p in persons_in(self.doc, s0 + m.end(), s1):
            if p not in visit.people:
                visit.people.append(p)

    def _join_visit(self, visitors: list[Ent], hosts: list[Ent]) -> None:
        # "He was received by President X": the receiving host takes part in the visit.
        for m in self.out:
            if m.kind == "visit" and any(v in m.visitors for v in visitors):
                m.people += [h for h in hosts if h not in m.people]


_PEOPLE_WORDS = re.compile(
    r"\b(?:he|she|they|his|her|their|him|them)\b|\b(?:two|both)\s+(?:leaders|ministers|presidents|prime|heads)"
    r"|highness|majesty|royal\s+couple|delegation",
    re.I,
)


def _after_publication(doc: Doc, day: str | None) -> bool:
    """True when ``day`` (ISO) is after the article's publication: the encounter is still ahead."""
    return bool(day and doc.published and day > doc.published.isoformat())


def _joined(sent: str, pre: str) -> bool:
    """True when the people before a bare cue are its joint subject ("A and B met"), not companions."""
    return bool(re.search(r"\band\b", pre)) and not re.search(r"\baccompan\w+|\bwith\b", pre, re.I)


def _person_next(doc: Doc, pos: int) -> bool:
    """True when a person's name starts within a few words after ``pos``."""
    return any(e.type == "PERSON" for _a, _b, e in mentions_in(doc, pos, pos + 60))
