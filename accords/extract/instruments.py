"""Instrument names: the nouns that name an agreement, and the kind each one gives.

Shared by entity extraction (an instrument's own name, "three Memoranda of Understanding (MOUs)",
is never an organization) and agreement extraction (the trigger nouns it scans
sentences for, annex and enumerated lists, item kinds).
Pure functions over strings; no other extraction module is imported here.
"""

from __future__ import annotations

import re

# Longest forms first so "Memorandum of Understanding" wins over "Memorandum". Each maps to the
# GUIDELINES kind vocabulary.
_HEADS: tuple[tuple[str, str], ...] = (
    (r"memorand(?:um|a|ums)\s+of\s+understanding", "memorandum_of_understanding"),
    (r"mou?s?|mous", "memorandum_of_understanding"),
    (r"memorand(?:um|a|ums)\s+of\s+(?:cooperation|agreement|arrangement)", "memorandum_of_understanding"),
    (r"enhanced\s+memorandum|memorand(?:um|a|ums)", "memorandum_of_understanding"),
    (r"letters?\s+of\s+intent", "letter_of_intent"),
    (r"exchanges?\s+of\s+(?:letters|notes)", "other"),
    (r"joint\s+(?:statements?|communiqu[eé]s?)", "joint_statement"),
    (r"(?:joint\s+)?declarations?", "declaration"),
    (r"treat(?:y|ies)|conventions?", "treaty"),
    (r"protocols?", "protocol"),
    (r"(?:executive\s+)?programmes?(?:\s+of\s+cooperation)?|work\s+plans?|plans?\s+of\s+action", "programme"),
    (r"agreements?|accords?|pacts?|arrangements?", "agreement"),
    (r"roadmaps?|frameworks?|charters?", "other"),
    (r"contracts?", "contract"),
)
HEAD = re.compile(r"\b(?:" + "|".join(f"(?P<k{i}>{p})" for i, (p, _) in enumerate(_HEADS)) + r")\b", re.I)
_KINDS = {f"k{i}": kind for i, (_, kind) in enumerate(_HEADS)}
# Short forms that are instrument heads only in capitals ("MOU"), never the word "mou" in prose.
_UPPER_ONLY = re.compile(r"mou?s?|mous", re.I)
# Organisations whose proper name holds an instrument noun (GUIDELINES lists GATT as a body).
_ORG_NAMES = re.compile(
    r"\bGeneral\s+Agreement\s+on\s+Tariffs|\bSecretariat\b|\bOrgani[sz]ation\b|\bCouncil\b|"
    r"\bCommission\b|\bAuthority\b|\bBank\b|\bAgency\b|\bOffice\b",
    re.I,
)


def kind_of(head: str) -> str:
    """GUIDELINES kind of an instrument head noun ("MOUs" -> memorandum_of_understanding)."""
    m = HEAD.fullmatch(head.strip())
    if not m or m.lastgroup is None:
        return "other"
    return _KINDS[m.lastgroup]


def heads(text: str) -> list[re.Match[str]]:
    """Instrument head nouns in ``text``, with the all-capitals rule for "MOU"."""
    return [
        m
        for m in HEAD.finditer(text)
        if not (_UPPER_ONLY.fullmatch(m.group()) and not m.group()[:2].isupper())
    ]


def is_instrument_name(name: str) -> bool:
    """True when an organization-like name is really an instrument's ("Memoranda of Understanding (MOUs)").

    The name must be headed by an instrument noun: the noun opens the name or ends its capitalised
    run ("Green Economy Framework Agreement"); bodies that carry such a noun in their own name
    ("General Agreement on Tariffs and Trade", "ASEAN Secretariat") are kept.
    """
    if _ORG_NAMES.search(name):
        return False
    hs = heads(name)
    if not hs:
        return False
    first = hs[0]
    lead = name[: first.start()].split()
    # Up to four capitalised modifiers before the head: "Singapore-Australia Green Economy Agreement".
    return len(lead) <= 4 and all(w[:1].isupper() or w[:1].isdigit() for w in lead)


_ISO3 = re.compile(r"[A-Z]{3}")
# Kind classes as the scorer and the merge rules compare them: MoU-like, statement-like, or
# agreement (every other kind).
KIND_CLASS = {
    "memorandum_of_understanding": "mou",
    "letter_of_intent": "mou",
    "joint_statement": "statement",
    "declaration": "statement",
}
NUMBER_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12,
}  # fmt: skip
# A plural head: the mention counts a group of instruments ("signed three MOUs").
PLURAL_HEAD = re.compile(
    r"\b(?:MOUs|MoUs|Memorand(?:a|ums)|agreements|treaties|instruments|documents)\b", re.I
)


def is_iso3(party: str) -> bool:
    """True for a country party (an ISO3 code), not an organisation or company name."""
    return bool(_ISO3.fullmatch(party))


def clean_parties(parties: list[str], pair: tuple[str, str] | None) -> list[str]:
    """Parties without instrument names; a lone side of the article's bilateral pair gets the other.

    "three Memoranda of Understanding (MOUs)" is never a party. When what is left names at most one
    country of a bilateral article and no other body, the instrument is between the pair
    (GUIDELINES: a government-to-government MoU is between the two countries).
    """
    out = [p for p in parties if not is_instrument_name(p)]
    if pair is None:
        return out
    countries = [p for p in out if is_iso3(p)]
    others = [p for p in out if not is_iso3(p)]
    if not others and len(countries) <= 1 and (not countries or countries[0] in pair):
        return list(pair) if not countries else countries + [c for c in pair if c != countries[0]]
    return out


_TITLE_TAIL = re.compile(r"(?:on|for|concerning|regarding)\s+(?:the\s+)?$", re.I)


def in_instrument_title(before: str) -> bool:
    """True when ``before`` ends inside an instrument's title: "... Agreement on the " + topic."""
    m = _TITLE_TAIL.search(before)
    if not m:
        return False
    hs = heads(before[: m.start()])
    return bool(hs) and not before[hs[-1].end() : m.start()].strip() and hs[-1].group()[:1].isupper()


# The instrument nouns the agreement extractor looks for in a sentence: one named group per kind
# (``KIND_OF_GROUP``); ``CANDIDATE`` is the cheap lower-case prefilter for their first letters.
TRIGGER = re.compile(
    r"""\b(?:
      (?P<mou>memorand(?:um|a)\s+of\s+understanding|(?-i:MOUs?|MoUs?)|memorand(?:um|a))
    | (?P<loi>(?:joint\s+)?(?:letters?|declarations?)\s+of\s+intent(?:ion)?|(?-i:LOIs?))
    | (?P<js>joint\s+(?:press\s+|leaders['’]?\s+|ministerial\s+)?(?:statements?|communiqu[eé]s?))
    | (?P<decl>(?:joint\s+)?declarations?(?!\s+of\s+intent))
    | (?P<treaty>treat(?:y|ies))
    | (?P<protocol>protocols?)
    | (?P<contract>contracts?)
    | (?P<prog>(?:programmes?|programs?)\s+of\s+(?:[a-z]+,?\s+){0,4}?(?:cooperation|action|exchanges?)
        |(?:cooperation|exchange|executive|work)\s+(?:programmes?|programs?)
        |action\s+plans?|plans?\s+of\s+action|work\s+plans?|road\s?maps?)
    | (?P<agr>agreements?|accords?|pacts?|deals?|arrangements?|accommodation
        |exchanges?\s+of\s+(?:notes|letters))
    | (?P<minutes>agreed\s+minutes|records?\s+of\s+discussions?)
    | (?P<docs>documents|instruments(?!\s+of\s+ratification))
    )\b""",
    re.IGNORECASE | re.VERBOSE,
)
CANDIDATE = re.compile(
    r"\b(?:agree|accord|pact|deal|treat|memorand|mou|loi|letter|joint|declar|protocol|contract|program|action"
    r"|plan|work|cooperation|exchange|executive|road|arrangement|accommodation|documents|instruments|record)"
)
KIND_OF_GROUP = {
    "mou": "memorandum_of_understanding",
    "loi": "letter_of_intent",
    "js": "joint_statement",
    "decl": "declaration",
    "treaty": "treaty",
    "protocol": "protocol",
    "contract": "contract",
    "prog": "programme",
    "agr": "agreement",
    "docs": "other",
    "minutes": "other",  # "Agreed Minutes" of a joint commission: a signed instrument of no set kind
}


def singular(word: str) -> str:
    """Singular of a plural trigger ("MoUs", "memoranda of understanding", "treaties")."""
    word = re.sub(r"(?i)ies\b", "y", word, count=1)
    word = re.sub(r"(?i)(?<=[a-z])s\b", "", word, count=1)
    return re.sub(r"[Mm]emorand(?:a|ums)\b", lambda m: m.group()[0] + "emorandum", word)


def final_kind(kind: str, commercial: bool, parties: list[str] | None = None) -> str:
    """The reported kind: an agreement between companies only (no country party) is a contract."""
    if commercial and kind == "agreement" and not any(is_iso3(p) for p in parties or []):
        return "contract"
    return kind
