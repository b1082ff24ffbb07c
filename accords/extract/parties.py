"""Parties of an instrument mention: the entities of its clause, or the article's main countries.

``parties_of`` reads the clause around an instrument noun: countries, government bodies (as their
country), companies and lenders by name; "the two sides" / "the three ministers" fall back on the
article's main countries. ``list_parties`` does the same for the header of a list of instruments.
"""

from __future__ import annotations

import re

from accords.extract.agreement_records import AgreementDoc
from accords.extract.companies import (
    INSTRUMENT_ACRONYM,
    INSTRUMENT_ACRONYM_BEFORE,
    ROLE_GROUP,
    subject_names,
    text_companies,
)
from accords.extract.context import mentions_in
from accords.extract.instruments import NUMBER_WORDS, TRIGGER, is_iso3
from accords.extract.party_names import (
    COMPANY_MARK,
    INTL_ORGS,
    MINISTRY,
    is_company,
    is_government,
    party_name,
    person_like,
)

_TWO_SIDES = re.compile(
    r"\b(?:(?:the\s+)?(?:two|both)\s+(?:sides|countries|nations|leaders|governments|parties|states|"
    r"presidents|prime\s+ministers|ministers|delegations|heads\s+of\s+state)|each\s+side|bilateral\w*|"
    r"their\s+(?:talks|meeting)|the\s+leaders)\b",
    re.IGNORECASE,
)
_PRONOUN_SUBJ = re.compile(
    r"^\s*(?:it|they|we)\s+(?:and\b|(?:\w+\s+){0,2}(?:sign|ink|conclud|reach|agree|enter|initial|seal)\w*)",
    re.IGNORECASE,
)
# A loan / credit / financing instrument: the lending bank, fund or agency is a party by name.
LENDING = re.compile(r"\b(?:loans?|credit|financing|grant)\b", re.I)
_LENDER = re.compile(r"\b(?:bank|fund|agency|agence|eximbank|development|finance\s+corporation)\b", re.I)
_NOT_PARTY_BEFORE = re.compile(
    r"\b(?:within|across|throughout|among|outside|chair\s+of|framework\s+of|auspices\s+of)\s+(?:the\s+)?$",
    re.I,
)
# A country as the subject of the signing verb: its government is a party, even to a bank deal.
_SIGNS_AFTER = re.compile(
    r"\s+(?:has\s+|have\s+|had\s+)?(?:also\s+|jointly\s+)?(?:signed|inked|sealed|clinched|concluded)\b"
)
_WITNESS_SIGNING = re.compile(r"\bwitness(?:es|ed|ing)?\s+(?:the\s+)?(?:signing|exchange)\b", re.I)
_NOT_PARTY_AFTER = re.compile(r"^\s*(?:summit|meeting|ministers|leaders|chair|member)", re.I)
_GOV_OF = re.compile(r"\b(?:government|republic)\s+of\s+(?:the\s+)?$", re.I)


def parties_of(
    doc: AgreementDoc,
    s0: int,
    sent: str,
    c0: int,
    c1: int,
    seg: str,
    pos: int | None = None,
    lending: bool = False,
    skip: tuple[int, int] | None = None,
) -> tuple[list[str], bool, bool]:
    """Parties for a mention: (parties, weak, commercial).

    ``weak`` is True when the parties are a fallback (article main countries or nothing), which
    lets a later mention merge into an earlier, better-attributed one. ``pos`` (the trigger's
    offset in ``sent``) enables the search for untagged company subjects. ``lending``: a loan /
    credit instrument, whose lender is a party by name. ``skip``: the instrument's topic span
    (relative to ``sent``); public bodies named there are its subject, not parties ("an agreement
    on increasing the capital of the X Development Fund").
    """
    text = doc.text
    ents = []
    brand: dict[str, str] = {}
    gov_countries: set[str] = set()
    not_parties: set[str] = set()
    prev_end = -1
    # Bodies named before "witness(ed) the signing of" are the witnesses' business ("attend the
    # ceremony for the X Link project and witness the signing"), not the signers.
    wit = max(_WITNESS_SIGNING.finditer(sent, c0, pos), key=lambda x: x.end(), default=None) if pos else None
    for a, b, e in mentions_in(doc, s0 + c0, s0 + c1):
        if wit and e.type == "ORGANIZATION" and a - s0 < wit.start() and not is_company(e):
            not_parties.add(e.id)
            continue
        if skip and e.type == "ORGANIZATION" and skip[0] <= a - s0 < skip[1] and not is_company(e):
            continue
        if (
            e.type == "ORGANIZATION" and ents and ents[-1].type == "PERSON" and prev_end >= a - 6
            and re.fullmatch(r"\s+(?:and|&)\s+", text[prev_end:a]) and person_like(e)
        ):  # fmt: skip
            continue  # "Mondino and Ramírez Lezcano signed": a second signatory mis-tagged as org
        if e.type == "ORGANIZATION" and TRIGGER.match(text, a):
            continue  # an instrument name mis-tagged as an organisation
        if e.type == "ORGANIZATION":
            # An instrument's own acronym ("... Partnership Agreement (CEPA)") is no party, nor is
            # an organisation mentioned as a place or an event ("within ASEAN", "ASEAN summit").
            if INSTRUMENT_ACRONYM_BEFORE.search(text[max(0, a - 30) : a]) or INSTRUMENT_ACRONYM.fullmatch(
                text[a:b]
            ):
                continue
            if (
                (e.id in not_parties and text[max(0, a - 1) : a] == "(")
                or _NOT_PARTY_BEFORE.search(text[max(0, a - 25) : a])
                or _NOT_PARTY_AFTER.match(text[b : b + 12])
            ):
                not_parties.add(e.id)  # nor is its "(ACR)" right after
                continue
            alias_of_prev = bool(ents) and text[max(0, a - 2) : a] == " (" and ents[-1].type == e.type
            if COMPANY_MARK.fullmatch(text[a:b]) or (alias_of_prev and prev_end >= a - 3):
                continue  # a legal form or bracketed alias of the previous name: "PT X (Persero)"
            # "Viet Nam Oil and Gas Group (Petrovietnam)": the bracketed brand is the usual name.
            bm = re.match(r"\s*\(([A-Z][\w-]+)\)", text[b : b + 40])
            if (
                bm and not is_government(e) and not COMPANY_MARK.fullmatch(bm.group(1))
                and (len(bm.group(1)) >= 5 or not bm.group(1).isupper())
            ):  # fmt: skip
                brand[e.id] = bm.group(1)
        elif e.type == "COUNTRY" and (
            _GOV_OF.search(text[max(0, a - 20) : a]) or _SIGNS_AFTER.match(text, b, b + 30)
        ):
            gov_countries.add(e.id)  # "the Government of X", "Malawi has signed a deal with X Bank"
        ents.append(e)
        prev_end = b
    if _PRONOUN_SUBJ.match(sent[c0:c1]) and c0 > 0:
        # "X said it (and Y) will sign ..." -> the speaker is a party.
        ents = [m[2] for m in mentions_in(doc, s0, s0 + c0) if m[2].type == "ORGANIZATION"] + ents
    commercial = any(is_company(e) for e in ents)
    if lending and any(
        e.type == "ORGANIZATION"
        and (_LENDER.search(e.name) or not is_government(e))  # the lender: "Cassa Depositi e Prestiti"
        and not MINISTRY.search(e.name)
        and e.name.casefold() not in INTL_ORGS
        for e in ents
    ):
        commercial = True
    extra = subject_names(doc, s0, sent, c0, pos, c1) if pos is not None else []
    if extra:
        commercial = True
    if not any(e.type == "ORGANIZATION" for e in ents) and not extra and not not_parties:
        # Entity tagging can miss companies in lower-case wire text: look for company names by form.
        clause = sent[wit.end() if wit else c0 : c1]
        if skip and c0 <= skip[0] < c1:
            # The instrument's topic names what it is about, not who signs it.
            clause = sent[wit.end() if wit else c0 : skip[0]] + " ; " + sent[skip[1] : c1]
        names = text_companies(clause)
        if names:
            gov = [e.code for e in ents if e.id in gov_countries and e.code and e.code not in names]
            return names + gov, False, True
    if commercial:
        # Company deal: the organisations and no bare country mentions. A government body stays
        # (as its country): "a loan agreement between X Bank and the Government of Y".
        ents = [e for e in ents if e.type == "ORGANIZATION" or e.id in gov_countries]
    out: list[str] = list(extra)
    for e in ents:
        p = party_name(e, doc, commercial)
        if p and e.id in brand and not is_iso3(p) and brand[e.id] not in p:
            p = f"{p} ({brand[e.id]})"  # "Viet Nam Oil and Gas Group (Petrovietnam)"
        if p and p not in out:
            out.append(p)
    weak = False
    if not commercial:
        for code in _paired_countries(doc, sent[c0:c1]):
            if code not in out:
                out.append(code)
        countries = [p for p in out if is_iso3(p)]
        pair = bilateral_pair(doc)
        n_multi = _multilateral_count(seg)
        if n_multi and len(countries) < n_multi <= len(doc.main_countries):
            # "the three Foreign Ministers signed", "a quadrilateral agreement": the article's
            # N main countries.
            out = [p for p in out if not ROLE_GROUP.fullmatch(p)]
            for c in doc.main_countries[:n_multi]:
                if c not in out:
                    out.append(c)
        elif len(countries) < 2 and _TWO_SIDES.search(seg):
            # "Marcos held talks with Gusmao, and the two countries signed": the sides the sentence
            # names come before the article's main pair.
            sides = [e for _a, _b, e in mentions_in(doc, s0, s0 + c1) if e.type in ("PERSON", "COUNTRY")]
            named = list(dict.fromkeys(e.code for e in sides if e.code))
            for c in (named if len(named) == 2 else doc.main_countries[:2]):
                if c not in out:
                    out.append(c)
            # "each side" in a company story means the companies: stay weak (inherit) there.
            weak = len(countries) == 0 and (pair is None or all(r.commercial for r in doc.records))
        elif len(countries) == 1 and len(out) == 1 and pair and countries[0] in pair and _G2G.search(seg):
            # "a MoU between the Department of Agriculture and Canada's ministry": the government
            # body without a country is the other side of a bilateral visit.
            out.append(pair[1] if countries[0] == pair[0] else pair[0])
        if not out:
            weak = True
    return out, weak, commercial


_PAIR = re.compile(r"\b([A-Z][\w.'’]*(?:\s[A-Z][\w'’]*)?)\s?[-–/]\s?([A-Z][\w.'’]*(?:\s[A-Z][\w'’]*)?)")


def _paired_countries(doc: AgreementDoc, clause: str) -> list[str]:
    """Countries of a hyphenated pair ("the Canada-Guyana Air Transport Agreement").

    The entity tagger may see only the first half of such a compound; both halves are parties.
    """
    if "-" not in clause and "–" not in clause and "/" not in clause:
        return []
    out: list[str] = []
    for m in _PAIR.finditer(clause):
        codes = []
        for g in m.groups():
            words = g.split()
            # "Guyana Air" -> "Guyana": the longest leading words that name a country.
            code = next(
                (doc.country_names.get(" ".join(words[:k]).casefold()) for k in range(len(words), 0, -1)
                 if " ".join(words[:k]).casefold() in doc.country_names),
                None,
            )  # fmt: skip
            if code is None:
                code = next((doc.country_names.get(" ".join(words[k:]).casefold()) for k in range(len(words))
                             if " ".join(words[k:]).casefold() in doc.country_names), None)  # fmt: skip
            codes.append(code)
        if all(codes) and codes[0] != codes[1]:
            out += [c for c in codes if c and c not in out]
    return out


_MULTI = re.compile(
    r"\b(?:(?:all\s+)?(?P<n>three|four|five|six)\s+(?:\w+\s+)?(?:sides|countries|nations|leaders|presidents|"
    r"ministers|governments|parties|states|delegations|heads\s+of\s+state)|(?P<adj>trilateral|quadrilateral))\b",
    re.I,
)


def _multilateral_count(seg: str) -> int:
    """Number of parties a clause announces ("the three foreign ministers", "trilateral"), or 0."""
    m = _MULTI.search(seg)
    if not m:
        return 0
    if m.group("adj"):
        return 3 if m.group("adj").lower() == "trilateral" else 4
    return NUMBER_WORDS[m.group("n").lower()]


_G2G = re.compile(r"\b(?:between|with|ministr\w*|department|agency|government|coast\s+guard|customs)\b", re.I)


def bilateral_pair(doc: AgreementDoc) -> tuple[str, str] | None:
    """The article's two main countries when it is about a bilateral relationship."""
    if len(doc.main_countries) < 2:
        return None
    c = {e.code: e.count for e in doc.ents.values() if e.type == "COUNTRY"}
    top, second = c.get(doc.main_countries[0], 0), c.get(doc.main_countries[1], 0)
    third = c.get(doc.main_countries[2], 0) if len(doc.main_countries) > 2 else 0
    if second >= 0.4 * top and second > third:
        return doc.main_countries[0], doc.main_countries[1]
    return None


def list_parties(doc: AgreementDoc, s0: int, sent: str) -> list[str]:
    """Parties of a list header: its entity mentions, completed by the article's bilateral pair."""
    parties_ctx, _, commercial_ctx = parties_of(doc, s0, sent, 0, len(sent), sent)
    pair = bilateral_pair(doc)
    if not commercial_ctx and pair and sum(1 for p in parties_ctx if is_iso3(p)) < 2:
        parties_ctx = [*parties_ctx, *(c for c in pair if c not in parties_ctx)]
    return parties_ctx
