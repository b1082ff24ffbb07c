"""Word lists and gazetteers behind the entity extractor, loaded once at import.

Everything comes from the files in ``accords/extract/data`` (each cites its source) plus
pycountry for ISO 3166 names and first-level subdivisions. Lookups are plain dicts keyed by
the space-joined surface tokens of a phrase, so the extractor can try the longest phrase at
each token of a capitalised run with a handful of dict probes.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pycountry

DATA = Path(__file__).resolve().parent / "data"

# Country kinds: a proper name of the state vs an adjective/demonym ("Kazakh").
COUNTRY = "COUNTRY"
DEMONYM = "DEMONYM"
LOCATION = "LOCATION"
ORGANIZATION = "ORGANIZATION"
REGION_ADJ = "REGION_ADJ"  # "Latin American", "Central Asian": a region's adjective, never a country


@dataclass(frozen=True)
class GazEntry:
    """One gazetteer phrase: what it denotes and the canonical entity it belongs to."""

    kind: str  # COUNTRY | DEMONYM | LOCATION | ORGANIZATION | REGION_ADJ
    canonical: str  # ISO alpha-3 for COUNTRY/DEMONYM, canonical name otherwise
    country: str | None = None  # alpha-3 of a place/organization when known
    acronym: str | None = None


def fold(text: str) -> str:
    """Strip accents (NFKD, drop combining marks): "Hà Nội" -> "Ha Noi"."""
    s = unicodedata.normalize("NFKD", text)
    return "".join(c for c in s if not unicodedata.combining(c))


def _rows(name: str) -> list[list[str]]:
    """Non-comment, non-empty lines of a data file split on tabs."""
    out = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        out.append([c.strip() for c in line.split("\t")])
    return out


def _words(name: str) -> frozenset[str]:
    """One-per-line word list."""
    return frozenset(r[0] for r in _rows(name))


_KEY_LOWER = frozenset(
    {"Of", "And", "The", "For", "De", "Del", "Da", "Di", "Des", "Du", "La", "Le", "On", "Y"}
)


def phrase_key(phrase: str) -> str:
    """Gazetteer key: tokens joined by one space, apostrophes unified, inner connectors lower-cased.

    "Petroleos De Venezuela" and "Ministry Of Foreign Affairs" (title-cased copy) then find
    their gazetteer entries.
    """
    words = phrase.replace("’", "'").split()
    return " ".join(w.lower() if i and w in _KEY_LOWER else w for i, w in enumerate(words))


_key = phrase_key


# pycountry short forms that are ambiguous or that the guidelines map elsewhere.
# Antarctica has an ISO code but is a continent (a location), not a state.
_SKIP_PYCOUNTRY = {
    "Congo",
    "Georgia",
    "Jersey",
    "Guernsey",
    "Jordan",
    "Chad",
    "Niger",
    "Turkey",
    "Antarctica",
}
_HISTORIC_OK = {"SUN", "DDR", "CSK", "YUG"}


# Gazetteer keys that come only from world_places.tsv: places that may also be given names or
# surnames elsewhere in the world ("Vladimir"), so they never veto a person reading.
_WEAK_PLACES: set[str] = set()


def _build_gazetteer() -> dict[str, list[GazEntry]]:
    gaz: dict[str, list[GazEntry]] = {}

    def add(phrase: str, entry: GazEntry) -> None:
        for variant in {_key(phrase), _key(fold(phrase))}:
            if variant and entry not in gaz.setdefault(variant, []):
                gaz[variant].append(entry)

    for row in _rows("countries.tsv"):
        code = row[0]
        for alias in filter(None, (row[1] if len(row) > 1 else "").split("|")):
            add(alias, GazEntry(COUNTRY, code, code))
        for dem in filter(None, (row[2] if len(row) > 2 else "").split("|")):
            add(dem, GazEntry(DEMONYM, code, code))
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            name = getattr(c, attr, None)
            if name and "," not in name and "(" not in name and name not in _SKIP_PYCOUNTRY:
                add(name, GazEntry(COUNTRY, c.alpha_3, c.alpha_3))
    for row in _rows("locations.tsv"):
        name, code = row[0], (row[1] if len(row) > 1 and row[1] else None)
        entry = GazEntry(LOCATION, name, code)
        add(name, entry)
        for alias in filter(None, (row[2] if len(row) > 2 else "").split("|")):
            add(alias, entry)
    for name, code in _subdivisions():
        if _key(name) not in gaz:
            add(name, GazEntry(LOCATION, name, code))
    # World cities and subdivisions come last: they never override a country, organization or
    # hand-listed place, and a name is added only where no entry has that key yet.
    taken = set(gaz)
    weak = set()
    for name, code, tier, _kind, aliases in _world_places():
        if tier != "gaz":
            continue
        entry = GazEntry(LOCATION, name, code)
        for alias in (name, *aliases):
            for variant in {_key(alias), _key(fold(alias))}:
                if variant not in taken:
                    gaz.setdefault(variant, []).append(entry)
                    weak.add(variant)
    _WEAK_PLACES.clear()
    _WEAK_PLACES.update(weak)
    for row in _rows("organizations.tsv"):
        name = row[0]
        aliases = [a for a in (row[1] if len(row) > 1 else "").split("|") if a]
        code = row[2] if len(row) > 2 and row[2] else None
        acronym = next((a for a in aliases if a.replace(".", "").isupper()), None)
        entry = GazEntry(ORGANIZATION, name, code, acronym)
        add(name, entry)
        for alias in aliases:
            add(alias, entry)
    for row in _rows("region_adjectives.tsv"):
        add(row[0], GazEntry(REGION_ADJ, row[1]))
    return gaz


# Subdivision name decorations that are not part of the English name.
_SUBDIV_STRIP = (
    " Sheng",
    " Shi",
    " Zizhiqu",
    " Huizu",
    " Zhuangzu",
    " Uygur",
    " SAR",
    " oblysy",
    "Wilayah Persekutuan ",
)
_SUBDIV_COUNTRIES = ("US", "CA", "AU", "JP", "MY", "IN", "CN", "VN", "TH", "PH", "KR", "DE", "BR", "MX", "GB")


def _subdivisions() -> list[tuple[str, str]]:
    """First-level subdivisions of selected countries, cleaned to their usual English form."""
    out: list[tuple[str, str]] = []
    for cc in _SUBDIV_COUNTRIES:
        country = pycountry.countries.get(alpha_2=cc)
        for sub in pycountry.subdivisions.get(country_code=cc) or []:
            if sub.parent_code is not None:
                continue
            name = sub.name.split(" (")[0]
            for deco in _SUBDIV_STRIP:
                name = name.replace(deco, "")
            name = name.strip()
            # Very short names ("Nan", "Tak") are too often ordinary words or given names.
            if len(name) < 4 or name in _SKIP_PYCOUNTRY or "," in name:
                continue
            out.append((name, country.alpha_3))
    return out


@lru_cache(maxsize=1)
def _world_places() -> tuple[tuple[str, str, str, str, tuple[str, ...]], ...]:
    """Rows of world_places.tsv: (name, alpha3, tier, kind, aliases)."""
    out = []
    for row in _rows("world_places.tsv"):
        aliases = tuple(a for a in (row[4] if len(row) > 4 else "").split("|") if a)
        out.append((row[0], row[1], row[2], row[3], aliases))
    return tuple(out)


def _org_words() -> dict[str, frozenset[str]]:
    classes: dict[str, set[str]] = {}
    for row in _rows("org_words.tsv"):
        classes.setdefault(row[1], set()).add(row[0])
    return {k: frozenset(v) for k, v in classes.items()}


def _loc_words() -> dict[str, frozenset[str]]:
    classes: dict[str, set[str]] = {}
    for row in _rows("location_words.tsv"):
        classes.setdefault(row[1], set()).add(row[0])
    return {k: frozenset(v) for k, v in classes.items()}


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The process-wide lexicon (built on first use, then shared)."""
    return Lexicon()


class Lexicon:
    """All word lists used by the extractor."""

    def __init__(self) -> None:
        self.gazetteer = _build_gazetteer()
        self.weak_places = frozenset(_WEAK_PLACES)
        # Preferred English short name of each country: the first alias in countries.tsv.
        self.country_names = {r[0]: r[1].split("|")[0] for r in _rows("countries.tsv") if len(r) > 1 and r[1]}
        self.subdivision_names = frozenset(name for name, _ in _subdivisions()) | frozenset(
            r[0] for r in _world_places() if r[3] == "subdivision"
        )
        # Smaller towns and name-like cities: places only with a locative cue ("in Moyale").
        self.cue_places: dict[str, tuple[str, str]] = {}
        for name, code, tier, _kind, _aliases in _world_places():
            if tier == "ctx":
                for variant in (_key(name), _key(fold(name))):
                    self.cue_places.setdefault(variant, (name, code))
        self.honorifics = frozenset(_key(w) for w in _words("honorifics.txt"))
        self.roles = frozenset(_key(w) for w in _words("roles.txt"))
        self.first_names = _words("first_names.txt")
        self.stopwords = _words("stopwords.txt")
        self.role_modifiers = _words("role_modifiers.txt")
        ow = _org_words()
        self.org_legal = ow.get("legal", frozenset())
        self.org_suffix = ow.get("suffix", frozenset()) | self.org_legal
        self.org_head = ow.get("head", frozenset())
        self.org_gov = ow.get("gov", frozenset())
        self.org_foreign = ow.get("foreign", frozenset())
        self.org_company = ow.get("company", frozenset())
        self.blockers = ow.get("block", frozenset())
        lw = _loc_words()
        self.loc_suffix = lw.get("suffix", frozenset())
        self.loc_prefix = lw.get("prefix", frozenset())
        # Longest phrase (in tokens) of each lookup table, to bound the longest-match probes.
        self.max_gaz_len = max(len(k.split()) for k in self.gazetteer)
        self.max_hon_len = max(len(k.split()) for k in self.honorifics)
        self.max_role_len = max(len(k.split()) for k in self.roles)
        # First word of every gazetteer phrase -> longest phrase length starting with it.
        self.gaz_first: dict[str, int] = {}
        for k in self.gazetteer:
            words = k.split()
            self.gaz_first[words[0]] = max(self.gaz_first.get(words[0], 0), len(words))
        self.phrase_first = frozenset(k.split()[0] for k in self.honorifics | self.roles)
        self.org_words = self.org_suffix | self.org_head | self.org_foreign | self.org_company

    def portfolio_phrase(self, words: list[str]) -> bool:
        """True when every word names a portfolio ("Agriculture and Agri-Food", "Global Affairs").

        "and" joins portfolios; a hyphenated word counts when any part is a portfolio word.
        """
        mods = self.role_modifiers
        return bool(words) and all(
            w == "and" or w in mods or any(part in mods for part in w.split("-")) for w in words
        )
