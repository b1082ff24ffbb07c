"""Party labels of entities: which organisations are governments, companies or international bodies.

``party_name`` gives the label an agreement reports for an entity (ISO3 for a country or a
government body, the short name of an international organisation, the name of a company);
``is_government`` / ``is_company`` classify organisations by their names.
"""

from __future__ import annotations

import re

from accords.extract.context import Doc, Ent, mentions_in

COMMERCIAL = re.compile(
    r"\b(?:corp(?:oration)?|co|inc|ltd|plc|llc|group|bank|banca|banco|banque|bancorp|petroleum|petroleos|"
    r"petrobras|oil|motors?|airlines?|airways|holdings?|gmbh|ag|s\.?a|n\.?v|company|companies|industries|"
    r"mining|steel|chemicals?|electric|energy|resources|telecom\w*|securities|capital|partners|"
    r"mediocredito|gosbank|vneshtorgbank|enterprises?|manufacturing|technologies|systems|limited|"
    r"jsc|pjsc|ojsc|tbk|bhd|berhad|pte|soci[eé]t[eé]|sociedad|empresa|compa[nñ][ií]a|companhia|spa|srl)\b",
    re.IGNORECASE,
)
GOVERNMENT = re.compile(
    r"\b(?:ministry|ministries|department|government|agency|authority|council|commission|office|navy|"
    r"army|police|coast\s+guard|parliament|congress|senate|treasury|customs|board|bureau|administration|"
    r"state|national|federal|central\s+bank\s+of|embassy|secretariat)\b",
    re.IGNORECASE,
)
# International organisations, reported by their short name (GUIDELINES: "EU", "OPEC", ...).
INTL_ORGS = {
    "european union": "EU", "eu": "EU", "european community": "EC", "european communities": "EC",
    "ec": "EC", "eec": "EEC", "european economic community": "EEC",
    "association of southeast asian nations": "ASEAN", "asean": "ASEAN",
    "organization of petroleum exporting countries": "OPEC", "opec": "OPEC",
    "international monetary fund": "IMF", "imf": "IMF", "world bank": "World Bank",
    "united nations": "UN", "un": "UN", "world trade organization": "WTO", "wto": "WTO",
    "general agreement on tariffs and trade": "GATT", "gatt": "GATT",
    "shanghai cooperation organization": "SCO", "shanghai cooperation organisation": "SCO", "sco": "SCO",
    "asia-pacific economic cooperation": "APEC", "apec": "APEC", "asian development bank": "ADB",
    "adb": "ADB", "asian infrastructure investment bank": "AIIB", "aiib": "AIIB",
    "gulf cooperation council": "GCC", "gcc": "GCC", "african union": "AU", "au": "AU",
    "mercosur": "MERCOSUR", "mercosul": "MERCOSUR", "north atlantic treaty organization": "NATO",
    "nato": "NATO", "international coffee organization": "ICO", "ico": "ICO",
    "international cocoa organization": "ICCO", "icco": "ICCO", "paris club": "Paris Club",
    "eurasian economic union": "EAEU", "eaeu": "EAEU", "brics": "BRICS", "g20": "G20",
    "organisation of islamic cooperation": "OIC", "oic": "OIC", "comecon": "COMECON",
    "inter-american development bank": "IADB", "iadb": "IADB", "idb": "IADB",
    "islamic development bank": "IsDB", "commonwealth of independent states": "CIS",
}  # fmt: skip


def party_name(e: Ent, doc: Doc | None = None, commercial: bool = False) -> str | None:
    """Party label of an entity: ISO3 for countries and government bodies, short name for orgs.

    In a commercial deal (``commercial``) only ministries and the like stand for their country;
    a state utility, port authority or lending agency is a party under its own name.
    """
    if e.type == "COUNTRY":
        return e.code
    if e.type != "ORGANIZATION":
        return None
    for n in [e.name, e.acronym or "", *e.aliases]:
        short = INTL_ORGS.get(n.casefold().strip())
        if short:
            return short
    if e.department_of:
        return e.department_of  # "Natural Resources Canada" stands for Canada, like a ministry
    if is_government(e) and not (commercial and not MINISTRY.search(e.name)):
        # A ministry / customs service / coast guard stands for its country (GUIDELINES: "most
        # specific sensible level"); without a known country it is dropped, and the caller falls
        # back on the article's main countries.
        return e.code or (_country_in_name(e.name, doc.country_names) if doc else None)
    if COMPANY_MARK.fullmatch(e.name):
        # A legal form mistaken for the name ("Persero"): use the fullest other alias.
        alts = [n for n in e.aliases if not COMPANY_MARK.fullmatch(n)]
        if alts:
            return max(alts, key=len)
    short = e.acronym or ""
    if short and not COMPANY_MARK.fullmatch(short) and (len(short) >= 5 or not short.isupper()):
        # A brand-like short name ("PETRONAS", "Petrovietnam"), not an initialism: keep both forms,
        # as the text does ("Petróleos Paraguayos (Petropar)").
        return short if short.casefold() in e.name.casefold() else f"{e.name} ({short})"
    return e.name


# Government bodies that stand for their country even in a commercial deal or loan.
MINISTRY = re.compile(
    r"\b(?:ministry|ministries|department|government|treasury|embassy|cabinet|presidency|secretariat)\b", re.I
)
_GOV_HEAD = re.compile(
    r"^(?:the\s+)?(?:ministry|ministries|department|office|agency|council|commission|bureau|secretariat|"
    r"embassy|government|state\s+(?:council|committee)|federal|national\s+(?:assembly|council|committee))\b",
    re.IGNORECASE,
)
# Public research / training / development bodies: in a cooperation instrument they stand for their
# country like a ministry ("Agricultural Research Corporation", "Foreign Service Academy").
_PUBLIC_BODY = re.compile(
    r"\b(?:institute|institution|academy|university|research|cent(?:er|re)|(?:development|cooperation)\s+fund|"
    r"fund\s+for)\b",
    re.I,
)
_LEGAL_FORM = re.compile(r"\b(?:Ltd|Limited|Inc|PT|Tbk|LLC|GmbH|AG|SA|JSC|PJSC|plc|Bhd|Berhad|Pte)\b")


def is_government(e: Ent) -> bool:
    """A government body ("Ministry of Energy of X", "Singapore Customs", "Philippine Coast Guard")."""
    if _GOV_HEAD.match(e.name) or re.search(r"\bministr(?:y|ies)\b|\bdepartment\s+of\b", e.name, re.I):
        return True  # "Mauritanian Ministry of Energy and Petroleum": sector words make no company
    if _PUBLIC_BODY.search(e.name) and not _LEGAL_FORM.search(e.name):
        return True
    return bool(GOVERNMENT.search(e.name)) and not COMMERCIAL.search(e.name)


def _country_in_name(name: str, names: dict[str, str]) -> str | None:
    """ISO3 of a country named inside an organisation name ("Ministry of Health of Mauritius")."""
    low = f" {name.casefold()} "
    for n, code in names.items():
        if f" {n} " in low:
            return code
    return None


def person_like(e: Ent) -> bool:
    """An organisation name that looks like a personal name (two or three bare capitalised words)."""
    words = e.name.split()
    return (
        2 <= len(words) <= 3 and not e.acronym and all(w[:1].isupper() for w in words)
        and not (COMMERCIAL.search(e.name) or GOVERNMENT.search(e.name) or _PUBLIC_BODY.search(e.name)
                 or COMPANY_MARK.search(e.name) or e.name.casefold() in INTL_ORGS)
    )  # fmt: skip


def is_company(e: Ent) -> bool:
    """Heuristic: an organisation that is a company or bank (commercial party)."""
    if e.type != "ORGANIZATION" or e.department_of:
        return False
    names = [e.name, e.acronym or "", *e.aliases]
    if any(n.casefold().strip() in INTL_ORGS for n in names if n):
        return False
    if GOVERNMENT.search(e.name) and not re.search(r"\bbank\b", e.name, re.I) or _GOV_HEAD.match(e.name):
        return False
    if _PUBLIC_BODY.search(e.name) and not _LEGAL_FORM.search(e.name):
        return False
    return bool(COMMERCIAL.search(" ".join(names)))


def body_names(doc: Doc, start: int, end: int) -> list[str]:
    """Names of the non-ministerial public bodies mentioned in ``text[start:end]``."""
    return [
        doc.text[x:y]
        for x, y, e in mentions_in(doc, start, end)
        if e.type == "ORGANIZATION" and is_government(e) and not MINISTRY.search(e.name)
    ]


COMPANY_MARK = re.compile(
    r"\b(?:PT|Tbk|Persero|Ltd|Limited|Inc|Corp|Corporation|Group|Company|Co|JSC|PJSC|LLC|GmbH|AG|SA|Berhad|Bhd|"
    r"Holdings?|Airlines?|Airways|Bank)\b"
)
