"""Agreement events: the reports of one real-world instrument grouped into its lifecycle.

Pure functions, no I/O (``accords.eventstore`` reads and writes the tables). An agreement row is
one article's report of an instrument; the same treaty is announced ("will sign"), reported
signed and mentioned again later, each time in another article. ``group`` links such reports:

1. Blocking: a report can only join reports of the same kind class (``KIND_CLASSES``) that share
   a pair of parties (a block key ``class|A|B`` per pair, see ``block_keys``).
2. Matching (``match``): party sets equal, or one a subset of the other for a multilateral
   instrument with a named match; instrument names similar (``accords.event_names``: tokens
   without the parties' own country names and generic words, acronyms expanded), or, for
   unnamed reports, the same fields reported within ``UNNAMED_WINDOW_DAYS``; no conflicting
   signing dates; a renewal only joins renewals.
3. Grouping: reports in a canonical order (first reported, then article_id and agreement_id:
   all content-derived) join the best-matching earlier event; so the same set of reports gives
   the same events and ids whatever order or batches they came in. ``event_id`` is the
   ``stable_id`` of the event's first member.

Every joined report gets a link row saying which member it matched and why.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from itertools import combinations
from typing import Any

from accords.event_names import name_tokens
from accords.ids import stable_id

# Kinds that may be the same instrument in different reports ("deal" one day, "accord" the next;
# the extractor also calls some government agreements contracts).
KIND_CLASSES: dict[str, str] = {
    "memorandum_of_understanding": "mou", "letter_of_intent": "mou",
    "joint_statement": "statement", "declaration": "statement",
    "treaty": "agreement", "agreement": "agreement", "protocol": "agreement", "contract": "agreement",
    "programme": "agreement", "other": "agreement",
}
STAGES = ("planned", "agreed", "signed")  # in lifecycle order: the furthest is the last reached
NAME_THRESHOLD = 0.6  # token Jaccard of two names for a named match
SAME_ARTICLE_THRESHOLD = 0.8  # two reports in one article: only near-identical names join
NAMED_WINDOW_DAYS = 3 * 365  # reports further apart than this are never one instrument
UNNAMED_WINDOW_DAYS = 14
SIGNED_DATE_TOLERANCE_DAYS = 7  # an instrument is signed once: two signing dates further apart differ
LATE_PLAN_DAYS = 30  # "will sign" reported this long after a signing is another instrument
# A report naming fewer than two parties says little about which instrument it is ("a merger
# agreement"): it joins only a near-identical name reported within a month, and never without a party.
FEW_PARTIES_THRESHOLD = 0.8
FEW_PARTIES_WINDOW_DAYS = 30
_NO_DATE = date.max

_RENEWAL = re.compile(r"\brenew(?:ed|al|s|ing)?\b", re.IGNORECASE)


@dataclass(frozen=True)
class Report:
    """One agreement row with what matching needs (its article's date as ``reported``)."""

    agreement_id: str
    article_id: str
    kind: str
    status: str
    parties: tuple[str, ...]  # sorted, unique
    fields: tuple[str, ...]  # sorted, unique
    name: str | None = None
    date: date | None = None
    reported: date | None = None
    renewal: bool = False

    @property
    def kind_class(self) -> str:
        """The blocking class of the report's kind."""
        return KIND_CLASSES.get(self.kind, "agreement")

    @property
    def day(self) -> date:
        """When it was reported (the article's date, else the agreement's), for ordering."""
        return self.reported or self.date or _NO_DATE

    @property
    def sort_key(self) -> tuple[date, str, str]:
        """The canonical, content-derived order of reports."""
        return (self.day, self.article_id, self.agreement_id)


def _as_date(value: Any) -> date | None:
    """A date from a date, a datetime (its day) or an ISO string; None stays None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def is_renewal(name: str | None, evidence: str | None) -> bool:
    """True when the report calls the instrument a renewal ("renewed MOU", "to renew the ...")."""
    return bool(_RENEWAL.search(name or "") or _RENEWAL.search(evidence or ""))


def report_from_row(row: dict[str, Any], published: Any = None) -> Report:
    """A ``Report`` from an agreements-table row (or a link row) and its article's published date."""
    return Report(
        agreement_id=row["agreement_id"], article_id=row["article_id"], kind=row["kind"],
        status=row["status"], parties=tuple(sorted(set(row.get("parties") or []))),
        fields=tuple(sorted(set(row.get("fields") or []))), name=row.get("name") or None,
        date=_as_date(row.get("date")), reported=_as_date(published if published is not None
                                                          else row.get("reported")),
        renewal=bool(row["renewal"]) if "renewal" in row and row["renewal"] is not None
        else is_renewal(row.get("name"), row.get("evidence")),
    )


def block_keys(report: Report) -> list[str]:
    """The report's blocking keys: its kind class with each pair of its parties (sorted)."""
    cls = report.kind_class
    if len(report.parties) >= 2:
        return [f"{cls}|{a}|{b}" for a, b in combinations(report.parties, 2)]
    return [f"{cls}|{report.parties[0] if report.parties else '-'}"]


def name_similarity(a: Report, b: Report) -> float | None:
    """Token Jaccard of two reports' names (acronyms expanded both ways); None if one is unnamed."""
    parties = tuple(sorted(set(a.parties) | set(b.parties)))
    ta, tb = name_tokens(a.name, parties, b.name), name_tokens(b.name, parties, a.name)
    if not ta or not tb:
        return None
    return len(ta & tb) / len(ta | tb)


@dataclass(frozen=True)
class Match:
    """Why two reports are one instrument: a score (higher: closer) and a readable reason."""

    score: float
    reason: str
    named: bool = True  # False: joined on parties, fields and dates only (see ``group``)


def conflict(a: Report, b: Report) -> str | None:
    """A reason two reports can never be one instrument (checked against every member), or None."""
    if a.kind_class != b.kind_class:
        return "kind class"
    if a.renewal != b.renewal:
        return "renewal"
    if a.status == b.status == "signed" and a.date and b.date:
        if abs((a.date - b.date).days) > SIGNED_DATE_TOLERANCE_DAYS:
            return "signing dates"
    if a.day != _NO_DATE and b.day != _NO_DATE and abs((a.day - b.day).days) > NAMED_WINDOW_DAYS:
        return "years apart"
    if a.article_id == b.article_id:
        # One article names each of its instruments once: two reports in it are one instrument
        # only when the extractor wrote the same name twice.
        sim = name_similarity(a, b)
        if sim is None or sim < SAME_ARTICLE_THRESHOLD:
            return "same article"
    early, late = sorted((a, b), key=lambda r: r.sort_key)
    if early.status == "signed" and late.status == "planned" and late.day != _NO_DATE \
            and early.day != _NO_DATE and (late.day - early.day).days > LATE_PLAN_DAYS:
        return "planned after signing"
    return None


def match(a: Report, b: Report) -> Match | None:
    """Whether report ``b`` reports the same instrument as ``a``: the match, or None."""
    if conflict(a, b) is not None:
        return None
    pa_, pb = set(a.parties), set(b.parties)
    equal = pa_ == pb
    smaller, larger = sorted((pa_, pb), key=len)
    subset = not equal and len(smaller) >= 2 and len(larger) >= 3 and smaller < larger
    if not (equal or subset):
        return None
    sim = name_similarity(a, b)
    if not a.parties or not b.parties:
        return None
    days = abs((a.day - b.day).days) if _NO_DATE not in (a.day, b.day) else None
    if len(smaller) < 2 and (sim is None or sim < FEW_PARTIES_THRESHOLD or days is None
                             or days > FEW_PARTIES_WINDOW_DAYS):
        return None
    fields_equal = bool(a.fields) and a.fields == b.fields
    fields_overlap = bool(set(a.fields) & set(b.fields))
    parts = ["parties equal" if equal else "parties subset (multilateral, one report misses a party)"]
    if sim is not None:
        if sim < NAME_THRESHOLD:
            return None
        if a.fields and b.fields and not fields_overlap:
            return None  # same words, different subjects
        parts.insert(0, f"name {sim:.2f}")
        score = 1.0 + sim
    else:
        # Unnamed (or a name of generic words only): same parties, same fields, days apart.
        if not equal or not fields_equal:
            return None
        if days is None or days > UNNAMED_WINDOW_DAYS:
            return None
        parts.insert(0, "unnamed")
        score = 0.5
    if fields_overlap:
        parts.append("fields equal" if a.fields == b.fields else "fields overlap")
        score += 0.2 if a.fields == b.fields else 0.1
    if a.date and b.date:
        parts.append("dates agree")
        score += 0.1
    if days is not None:
        parts.append(f"{days} days apart")
    return Match(round(score, 4), "; ".join(parts), named=sim is not None)


@dataclass
class _Cluster:
    event_id: str
    members: list[Report]
    links: list[tuple[str | None, Match | None]]  # per member: (linked_to, match)


def group(reports: list[Report]) -> list[_Cluster]:
    """Group reports into events, the same way whatever order ``reports`` come in.

    Reports are taken in canonical order; each joins the earlier event holding its best match
    (ties: the earlier event) unless a member conflicts with it; otherwise it starts an event.
    A report matching an event only as unnamed (parties, fields, dates) must match every member,
    so such matches cannot chain along a run of days.
    """
    unique = {r.agreement_id: r for r in reports}
    clusters: list[_Cluster] = []
    by_key: dict[str, list[int]] = {}
    for rep in sorted(unique.values(), key=lambda r: r.sort_key):
        keys = block_keys(rep)
        candidates = sorted({i for k in keys for i in by_key.get(k, ())})
        best: tuple[float, int, Report, Match] | None = None
        for i in candidates:
            members = clusters[i].members
            if any(conflict(m, rep) is not None for m in members):
                continue
            found_all = [(m, match(m, rep)) for m in members]
            named = any(f is not None and f.named for _, f in found_all)
            if not named and any(f is None for _, f in found_all):
                continue  # joined on fields and dates alone: only when it matches every member
            for m, found in found_all:
                if found is not None and (best is None or found.score > best[0]):
                    best = (found.score, i, m, found)
        if best is None:
            idx = len(clusters)
            clusters.append(_Cluster(stable_id("agreement_event", rep.agreement_id), [rep], [(None, None)]))
        else:
            idx = best[1]
            clusters[idx].members.append(rep)
            clusters[idx].links.append((best[2].agreement_id, best[3]))
        for k in keys:
            if idx not in by_key.setdefault(k, []):
                by_key[k].append(idx)
    return clusters


def _best_name(members: list[Report]) -> str | None:
    """The name most members give; ties: the name of the furthest stage, then the longest."""
    names = Counter(m.name for m in members if m.name)
    if not names:
        return None
    stage = {n: max(STAGES.index(m.status) for m in members if m.name == n) for n in names}
    return min(names, key=lambda n: (-names[n], -stage[n], -len(n), n))


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def event_row(cluster: _Cluster) -> dict[str, Any]:
    """The ``agreement_events`` row of one grouped event (without run_id and schema_version)."""
    members = cluster.members  # in canonical order: the first report of each stage comes first
    row: dict[str, Any] = {"event_id": cluster.event_id}
    kinds = Counter(m.kind for m in members)
    row["kind"] = min(kinds, key=lambda k: (-kinds[k], k))
    row["kind_class"] = members[0].kind_class
    row["name"] = _best_name(members)
    row["parties"] = sorted({p for m in members for p in m.parties})
    row["fields"] = sorted({f for m in members for f in m.fields})
    reached = [s for s in STAGES if any(m.status == s for m in members)]
    row["status"] = reached[-1]
    for stage in STAGES:
        first = next((m for m in members if m.status == stage), None)
        row[f"{stage}_reported"] = _iso(first.reported or first.date) if first else None
        row[f"{stage}_article_id"] = first.article_id if first else None
    signed_on = [m.date for m in members if m.status == "signed" and m.date]
    row["signed_on"] = _iso(min(signed_on)) if signed_on else None
    days = [m.day for m in members if m.day != _NO_DATE]
    row["first_reported"] = _iso(min(days)) if days else None
    row["last_reported"] = _iso(max(days)) if days else None
    row["article_count"] = len({m.article_id for m in members})
    row["agreement_count"] = len(members)
    row["agreement_ids"] = [m.agreement_id for m in members]
    row["renewal"] = members[0].renewal
    row["renews_event_id"] = None
    return row


def link_rows(cluster: _Cluster) -> list[dict[str, Any]]:
    """The ``agreement_event_links`` rows of one event: one per member, with why it joined."""
    rows = []
    for rep, (linked_to, found) in zip(cluster.members, cluster.links, strict=True):
        rows.append({
            "event_id": cluster.event_id, "agreement_id": rep.agreement_id, "article_id": rep.article_id,
            "linked_to": linked_to, "reason": found.reason if found else "first report",
            "score": found.score if found else 0.0, "blocks": block_keys(rep), "kind": rep.kind,
            "name": rep.name, "status": rep.status, "parties": list(rep.parties),
            "fields": list(rep.fields), "date": _iso(rep.date), "reported": _iso(rep.reported),
            "renewal": rep.renewal,
        })
    return rows


def _link_renewals(clusters: list[_Cluster], rows: list[dict[str, Any]]) -> None:
    """Point each renewal event at the earlier instrument it renews, when that is among them.

    Candidates: earlier non-renewal events of the same kind class sharing a party; the one with
    the most similar name wins (unnamed: sharing a field), ties going to the most recent.
    """
    for cluster, row in zip(clusters, rows, strict=True):
        if not row["renewal"]:
            continue
        first = cluster.members[0]
        best: tuple[float, tuple[date, str, str], str] | None = None
        for other, orow in zip(clusters, rows, strict=True):
            old = other.members[0]
            if orow["renewal"] or old.kind_class != first.kind_class or old.sort_key >= first.sort_key:
                continue
            if not set(old.parties) & set(first.parties):
                continue
            sims = [s for m in other.members if (s := name_similarity(m, first)) is not None]
            if sims:
                score = max(sims)
                if score < NAME_THRESHOLD:
                    continue
            elif set(row["fields"]) & set(orow["fields"]):
                score = 0.3
            else:
                continue
            if best is None or (score, old.sort_key) > best[:2]:
                best = (score, old.sort_key, other.event_id)
        row["renews_event_id"] = best[2] if best else None


def build_events(reports: list[Report]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Events and link rows for a closed set of reports (every report of the blocks they touch)."""
    clusters = group(reports)
    events = [event_row(c) for c in clusters]
    _link_renewals(clusters, events)
    links = [row for c in clusters for row in link_rows(c)]
    order = sorted(range(len(events)), key=lambda i: events[i]["event_id"])
    return [events[i] for i in order], sorted(links, key=lambda r: (r["event_id"], r["agreement_id"]))

