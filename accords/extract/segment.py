"""Run analysis: turn each capitalised run of an article into typed items.

A run such as "Kazakh President Kassym-Jomart Tokayev" or "China's Beijing Language and Culture
University" is cut at possessives, then tried against, in order: the gazetteer as a whole,
a titled person (honorific/role + name), an organization pattern, a named initiative/event
(ignored), a place pattern, a split at connectors, and finally a longest-match gazetteer walk
whose unknown leftovers may still be people ("Albert Melnikov, deputy trade representative").
Leftovers that are not recognised are kept for the alias pass (``resolve``).

This module holds the per-article state (``Analyzer``: items, acronyms, leftovers, caches) and
the order in which the rules are tried. The rules live in their own modules: ``seg_lookup``
(gazetteer/phrase lookups), ``seg_cuts`` (cutting runs), ``seg_acronyms`` ("(ACR)"
definitions), ``seg_instrument`` (instrument-title subjects), ``seg_and_split`` ("X and Y"),
``seg_walk`` (the gazetteer walk), ``seg_company_cue`` (companies from context), and
``persons``, ``organizations``, ``locations``.
"""

from __future__ import annotations

import re

from accords.extract import locations, organizations, person_names, persons, seg_lookup
from accords.extract.items import COUNTRY, LOCATION, ORGANIZATION, REGION_ADJ, Item
from accords.extract.lexicon import COUNTRY as GAZ_COUNTRY
from accords.extract.lexicon import DEMONYM, GazEntry, Lexicon, lexicon
from accords.extract.scan import NAME_CONNECTORS, Tok, lower_word_in, prepare, runs, tokens
from accords.extract.seg_acronyms import ACRONYM_AFTER, acronym_after_run, defines_acronym, emit_forced
from accords.extract.seg_and_split import split_and
from accords.extract.seg_company_cue import company_cue
from accords.extract.seg_cuts import cut_run, merge_portfolios
from accords.extract.seg_instrument import INSTRUMENT_PREPS, instrument_subject
from accords.extract.seg_walk import walk

_TICKER = re.compile(r"[A-Z][A-Z.]{0,9}")
_SPLIT_CONNS = frozenset({"and", "&", "of", "for", "on", "the", "und"})
_DIRECTIONS = frozenset(
    "East Eastern West Western North Northern South Southern Central Upper Lower Northeast Northeastern "
    "Northwest Northwestern Southeast Southeastern Southwest Southwestern".split()
)
_CURRENCY_AFTER = re.compile(r"\$|[ \t]+dollars?\b")
_CREDIT_RE = re.compile(r"\)[ \t]*(?:--|[-–—])")
# Words whose 's is part of a name, not a possessor: "National People's Congress",
# "Prime Minister's Office", "Women's University".
_NOT_POSSESSORS = frozenset({"People", "Workers", "Women", "Children", "Minister", "President", "Premier"})
# Single words that name a specific body when capitalised on their own.
_SINGLE_ORGS = frozenset(
    {"Congress", "Senate", "Parliament", "Treasury", "Politburo", "Knesset", "Duma", "Bundestag"}
)


def norm_ws(s: str) -> str:
    """Collapse whitespace (line breaks inside names) to single spaces."""
    return " ".join(s.split())


class Analyzer:
    """Per-article state: the scan text, emitted items, acronym definitions, leftovers."""

    def __init__(self, text: str) -> None:
        self.lex: Lexicon = lexicon()
        self.text = text
        self.scan = prepare(text)
        self._common: dict[str, bool] = {}
        self.items: list[Item] = []
        self.leftovers: list[tuple[int, int, str, bool]] = []  # start, end, text, after "the"
        self.org_cued: list[tuple[int, int, str]] = []  # leftovers that context marks as companies
        self.acronyms: dict[str, Item | None] = {}
        self._namelike: dict[str, bool] = {}
        self.bracketed: list[tuple[int, int]] = []
        self.org_short: dict[str, Item] = {}
        self._portfolio_words = self.lex.role_modifiers | self.lex.org_company

    # ----- lookups -------------------------------------------------------------------------
    def gaz_at(self, toks: list[Tok], i: int) -> tuple[int, GazEntry] | None:
        """Longest gazetteer phrase starting at token ``i``: (end index, best entry)."""
        return seg_lookup.gaz_at(self.lex, toks, i)

    def phrase_at(self, toks: list[Tok], i: int, table: frozenset[str], max_len: int) -> int:
        """End index of the longest phrase of ``table`` starting at ``i`` (``i`` if none)."""
        return seg_lookup.phrase_at(self.lex, toks, i, table, max_len)

    def hon_at(self, toks: list[Tok], i: int) -> int:
        """End of an honorific starting at ``i`` (``i`` if none)."""
        return self.phrase_at(toks, i, self.lex.honorifics, self.lex.max_hon_len)

    def role_at(self, toks: list[Tok], i: int) -> int:
        """End of a role title starting at ``i`` (``i`` if none)."""
        return self.phrase_at(toks, i, self.lex.roles, self.lex.max_role_len)

    def common(self, word: str) -> bool:
        """The word also occurs in lower case in this article (so it is an ordinary word)."""
        lw = word.lower()
        hit = self._common.get(lw)
        if hit is None:
            hit = self._common[lw] = lower_word_in(self.scan, lw)
        return hit

    def name_like(self, tok: Tok) -> bool:
        """True if this token could be part of a person's name."""
        if tok.conn:
            return False
        cached = self._namelike.get(tok.text)
        if cached is None:
            cached = person_names.name_like(tok.text, self.lex, self.common)
            self._namelike[tok.text] = cached
        return cached

    # ----- emission ------------------------------------------------------------------------
    def span_text(self, start: int, end: int) -> str:
        """Whitespace-normalised text of a span."""
        return norm_ws(self.scan[start:end])

    def emit(self, item: Item) -> Item:
        """Record an item; remember the short forms of organizations for later runs."""
        if item.type == COUNTRY and _CURRENCY_AFTER.match(self.scan, item.end):
            return item  # "US$1.9 billion", "US dollars": a currency, not a mention of the country
        self.items.append(item)
        if item.type == ORGANIZATION:
            for short in organizations.later_forms(item):
                self.org_short.setdefault(short, item)
        return item

    def emit_gaz(self, toks: list[Tok], i: int, j: int, entry: GazEntry) -> Item:
        """Record a gazetteer hit covering ``toks[i:j]``."""
        start, end = toks[i].start, toks[j - 1].end
        surface = self.span_text(start, end)
        if entry.kind in (GAZ_COUNTRY, DEMONYM):
            return self.emit(Item(COUNTRY, start, end, entry.canonical, surface, entry.canonical))
        if entry.kind == ORGANIZATION:
            return self.emit(
                Item(ORGANIZATION, start, end, entry.canonical, surface, entry.country, acronym=entry.acronym)
            )
        if entry.kind == LOCATION:
            return self.emit(Item(LOCATION, start, end, entry.canonical, surface, entry.country))
        return self.emit(Item(REGION_ADJ, start, end, entry.canonical, surface))

    def leftover(self, toks: list[Tok]) -> None:
        """Keep an unrecognised piece for the alias pass."""
        toks = [t for t in toks if not t.conn or t.text in NAME_CONNECTORS]
        while toks and toks[0].conn:
            toks = toks[1:]
        while toks and toks[-1].conn:
            toks = toks[:-1]
        if not toks:
            return
        start, end = toks[0].start, toks[-1].end
        after_the = self.scan[max(0, start - 4) : start].lower() == "the "
        text = self.span_text(start, end)
        self.leftovers.append((start, end, text, after_the))
        if len(toks) <= 4 and company_cue(self, toks):
            self.org_cued.append((start, end, text))

    # ----- driver --------------------------------------------------------------------------
    def run(self) -> None:
        """Analyse every capitalised run of the article."""
        scan = self.scan
        self.bracketed = organizations.bracketed_spans(scan)
        spans = merge_portfolios(scan, runs(scan), self._portfolio_words)
        forced = organizations.acronym_spans(self, spans)
        if forced:
            spans = emit_forced(self, spans, forced)
        for start, end in spans:
            toks = tokens(scan, start, end)
            if not toks:
                continue
            if self.bracketed and self._in_bracket(toks):
                continue
            if _CREDIT_RE.match(scan, end) and scan[start - 1 : start] == "(":
                continue  # news-agency credit of a dateline: "BEIJING, May 3 (Xinhua) --"
            for part in cut_run(toks, self.lex.org_legal):
                if part[0].text in INSTRUMENT_PREPS:
                    # "... Canada Regarding the Status of Visiting Forces": the subject of an
                    # instrument's title is not an entity; only countries named in it count.
                    walk(self, part[1:], None, keep_only=(COUNTRY,))
                    continue
                before = len(self.items)
                self.analyze_run(part)
                acronym_after_run(self, part, before)

    def _in_bracket(self, toks: list[Tok]) -> bool:
        """Reuters marks company names as <Name>: take the bracket as one organization."""
        s = toks[0].start
        for bs, be in self.bracketed:
            if bs <= s < be:
                if s == bs and self.scan[bs:be] not in {i.surface for i in self.items}:
                    content = self.scan[bs:be]
                    if not _TICKER.fullmatch(content):
                        self.emit(organizations.bracket_item(self, bs, be))
                return True
        return False

    def analyze_run(self, toks: list[Tok]) -> None:
        """Cut a run at possessives and analyse the pieces (the possessor gives context)."""
        owner: str | None = None
        seg: list[Tok] = []
        for idx, t in enumerate(toks):
            seg.append(t)
            if (
                t.poss
                and idx < len(toks) - 1
                and t.text not in _NOT_POSSESSORS
                and not self._poss_inside_gaz(toks, idx)
            ):
                before = len(self.items)
                self.segment(seg, owner)
                owner = self._owner(before)
                seg = []
        if seg:
            self.segment(seg, owner)

    def _poss_inside_gaz(self, toks: list[Tok], idx: int) -> bool:
        for s in range(max(0, idx - 3), idx + 1):
            hit = self.gaz_at(toks, s)
            if hit and hit[0] > idx + 1:
                return True
        return False

    def _owner(self, before: int) -> str | None:
        """Country of the possessor just analysed ("Singapore's", "China's")."""
        new = self.items[before:]
        if new and new[-1].type == COUNTRY:
            return new[-1].name
        if new and new[-1].type == ORGANIZATION:
            return new[-1].country
        return None

    def strip(self, toks: list[Tok]) -> list[Tok]:
        """Drop leading sentence words ("The", "However") and dangling connectors."""
        stop = self.lex.stopwords
        while toks and (toks[0].conn or (toks[0].text in stop and not self.gaz_at(toks, 0))):
            toks = toks[1:]
        while toks and toks[-1].conn:
            toks = toks[:-1]
        return toks

    def segment(self, toks: list[Tok], owner: str | None) -> None:
        """Analyse one possessive-free piece of a run."""
        toks = self.strip(toks)
        if not toks:
            return
        key = seg_lookup.key_of(toks)
        if key in self.acronyms:
            target = self.acronyms[key]
            if target is not None:
                self.emit(Item(target.type, toks[0].start, toks[-1].end, target.name, key, target.country))
            return
        hit = self.gaz_at(toks, 0)
        if hit and hit[0] == len(toks):
            self.emit_gaz(toks, 0, len(toks), hit[1])
            return
        if len(toks) >= 2 and toks[0].text in _DIRECTIONS and not toks[1].conn:
            rest = self.gaz_at(toks, 1)
            if rest and rest[0] == len(toks) and rest[1].kind == LOCATION:
                # "Eastern Mediterranean", "Northern Europe": a part of a known region is a place.
                surface = self.span_text(toks[0].start, toks[-1].end)
                self.emit(Item(LOCATION, toks[0].start, toks[-1].end, surface, surface, rest[1].country))
                return
        cut = instrument_subject(self, toks)
        if cut:
            # "Joint Declaration on the Parana Waterway", "X Authority on the Use of Lamu Port":
            # the subject of an instrument is no part of the name before it.
            if cut[2]:
                walk(self, toks[: cut[0]], owner, keep_only=(COUNTRY, ORGANIZATION))
            else:
                self.segment(toks[: cut[0]], owner)
            self.segment(toks[cut[1] :], owner)
            return
        known = self.org_short.get(key)
        if known is not None:
            surface = self.span_text(toks[0].start, toks[-1].end)
            self.emit(Item(ORGANIZATION, toks[0].start, toks[-1].end, known.name, surface, known.country))
            return
        if split_and(self, toks, owner):
            return
        if hit and hit[1].kind in (GAZ_COUNTRY, LOCATION) and toks[hit[0]].text in ("for", "on"):
            # "Tashkent for the Supreme Council": a place never heads a name joined by for/on.
            self.emit_gaz(toks, 0, hit[0], hit[1])
            self.segment(toks[hit[0] :], owner)
            return
        if persons.titled_person(self, toks, owner):
            return
        j = self.role_at(toks, 0)
        if j > 0 and j < len(toks) and toks[j].conn:
            self.segment(toks[j:], owner)  # "Chairman of the Federal Reserve Board"
            return
        if organizations.org_pattern(self, toks, owner):
            return
        acro = ACRONYM_AFTER.match(self.scan, toks[-1].end) if toks[-1].text == "Forum" else None
        if acro and organizations.initials_match(acro.group(1), self.span_text(toks[0].start, toks[-1].end)):
            organizations.emit_org(self, toks, owner)  # "Gas Exporting Countries Forum (GECF)": a body
            return
        if toks[0].text in self.lex.blockers or toks[-1].text in self.lex.blockers:
            walk(self, toks, owner, keep_only=(COUNTRY, ORGANIZATION))
            return
        if locations.loc_pattern(self, toks):
            return
        if len(toks) >= 2 and defines_acronym(self, toks):
            organizations.emit_org(self, toks, owner)  # "Ethiopian Electric Power (EEP)"
            return
        if any(t.conn and t.text in _SPLIT_CONNS for t in toks):
            piece: list[Tok] = []
            for t in toks + [Tok("and", -1, -1, conn=True)]:
                if t.conn and t.text in _SPLIT_CONNS:
                    if piece:
                        self.segment(piece, owner)
                        if t.text in ("and", "&"):
                            owner = None  # the possessor owns the first conjunct only
                    piece = []
                else:
                    piece.append(t)
            return
        if len(toks) == 1 and toks[0].text in _SINGLE_ORGS:
            organizations.emit_org(self, toks, owner)
            return
        walk(self, toks, owner)


def analyze(text: str) -> Analyzer:
    """Run the analysis over ``text`` and return the analyser with its items and leftovers."""
    a = Analyzer(text)
    a.run()
    return a
