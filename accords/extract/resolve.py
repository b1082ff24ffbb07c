"""Group recognised items into one entity per real-world entity, and find short-form mentions.

Items with the same type and canonical name become one entity. A person known only by one
word ("Xi", "President Tokayev") joins the person whose full name contains it; leftover words
of the article ("Melnikov said", "BankAmerica", "the Council") become mentions of an entity
whose surname, short name or head word they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import pycountry

from accords.extract.items import COUNTRY, LOCATION, ORGANIZATION, PERSON, REGION_ADJ, Item
from accords.extract.lexicon import lexicon
from accords.extract.scan import NAME_CONNECTORS, NAME_PARTICLE_RE
from accords.ids import entity_id as _entity_id
from accords.ids import entity_key as _entity_key

_HISTORIC_NAMES = {
    "SUN": "Soviet Union",
    "DDR": "East Germany",
    "CSK": "Czechoslovakia",
    "YUG": "Yugoslavia",
}


# Names and ids repeat across articles (countries, big organizations): cache their hashing.
entity_key = lru_cache(maxsize=65536)(_entity_key)
entity_id = lru_cache(maxsize=65536)(_entity_id)


def country_name(code: str) -> str:
    """Canonical English short name of a country code."""
    if code in _HISTORIC_NAMES:
        return _HISTORIC_NAMES[code]
    preferred = lexicon().country_names.get(code)
    if preferred:
        return preferred
    c = pycountry.countries.get(alpha_3=code)
    if c is None:
        return code
    return getattr(c, "common_name", None) or c.name


@dataclass
class Entity:
    """An entity being built: attributes plus its mention spans."""

    type: str
    name: str
    country: str | None = None
    role: str | None = None
    acronym: str | None = None
    aliases: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    company: bool = False

    def add_alias(self, alias: str) -> None:
        """Add a surface form once."""
        if alias and alias not in self.aliases:
            self.aliases.append(alias)

    def absorb(self, item: Item) -> None:
        """Take an item's span, alias and attributes."""
        self.spans.append((item.start, item.end))
        self.add_alias(item.surface)
        for al in item.aliases:
            self.add_alias(al)
        self.country = self.country or item.country
        self.role = self.role or item.role
        self.acronym = self.acronym or item.acronym
        self.company = self.company or item.company

    def merge(self, other: Entity) -> None:
        """Fold another entity (a shorter form of the same one) into this one."""
        self.spans.extend(other.spans)
        for al in other.aliases:
            self.add_alias(al)
        self.country = self.country or other.country
        self.role = self.role or other.role
        self.acronym = self.acronym or other.acronym


def _words(name: str) -> list[str]:
    return [w for w in name.split() if w not in NAME_CONNECTORS]


def _folded_words(name: str) -> list[str]:
    """Name words case-folded: "ISHIBA Shigeru" contains "Ishiba"."""
    return [w.casefold() for w in _words(name)]


def _is_sub(short: list[str], full: list[str]) -> bool:
    """``short`` is a contiguous run of ``full`` (and shorter)."""
    n = len(short)
    return n < len(full) and any(full[i : i + n] == short for i in range(len(full) - n + 1))


def group(items: list[Item]) -> dict[tuple[str, str], Entity]:
    """One entity per (type, canonical key)."""
    ents: dict[tuple[str, str], Entity] = {}
    for it in items:
        if it.type == REGION_ADJ:
            continue
        if it.type == COUNTRY:
            k = (COUNTRY, it.name)
            name = country_name(it.name)
        else:
            k = (it.type, entity_key(it.name))
            name = it.name
        ent = ents.get(k)
        if ent is None:
            ent = ents[k] = Entity(it.type, name)
            if it.type == COUNTRY:
                ent.country = it.name
        ent.absorb(it)
    _merge_persons(ents)
    _merge_orgs(ents)
    _places_named_by_companies(ents)
    return ents


def _places_named_by_companies(ents: dict[tuple[str, str], Entity]) -> None:
    """A "place" that is the short name of a company of the article is that company ("Southland Corp")."""
    short: dict[str, Entity] = {}
    for e in ents.values():
        if e.type == ORGANIZATION and e.company:
            words = e.name.replace(",", " ").split()
            for form in (*_short_forms(e), words[0], " ".join(words[:2])):
                if form != e.name:
                    short.setdefault(form, e)
    if not short:
        return
    for k in [k for k in ents if k[0] == LOCATION]:
        org = short.get(ents[k].name)
        if org is not None:
            org.merge(ents.pop(k))


def _merge_persons(ents: dict[tuple[str, str], Entity]) -> None:
    """Join one-word and partial names to the fuller name ("Xi" -> "Xi Jinping")."""
    people = sorted((k for k in ents if k[0] == PERSON), key=lambda k: -len(_words(ents[k].name)))
    for k in reversed(people):
        short = _folded_words(ents[k].name)
        for full_k in people:
            if full_k == k or full_k not in ents or k not in ents:
                continue
            if not _roles_agree(ents[k].role, ents[full_k].role):
                continue  # "Sultan Ibrahim" is not "Prime Minister Anwar Ibrahim"
            if _is_sub(short, _folded_words(ents[full_k].name)):
                ents[full_k].merge(ents.pop(k))
                break


_ROLE_ABBREV = {
    "PM": "Prime Minister",
    "DPM": "Deputy Prime Minister",
    "FM": "Foreign Minister",
    "SG": "Secretary-General",
}
_ROLE_HEADS = frozenset(
    "President Minister Premier Chancellor Secretary Secretary-General Chairman Chairwoman Chair Governor "
    "Mayor Ambassador Envoy Director Director-General Sultan King Queen Emir Amir Sheikh Prince Princess "
    "Emperor Speaker Senator Commissioner Councilor Councillor Representative Spokesman Chief".split()
)


# Courtesy titles of legislators, compatible with any office the same person holds.
_LEGISLATOR_HEADS = frozenset({"Senator", "Representative"})


def _role_heads(role: str) -> set[str]:
    role = _ROLE_ABBREV.get(role, role)
    return {w for w in role.replace("-", " - ").replace(" - ", "-").split() if w in _ROLE_HEADS}


def _roles_agree(a: str | None, b: str | None) -> bool:
    """Two titles may belong to one person (same head word, or one of them unknown)."""
    if not a or not b:
        return True
    ha, hb = _role_heads(a), _role_heads(b)
    if ha <= _LEGISLATOR_HEADS or hb <= _LEGISLATOR_HEADS:
        return True  # "Senator Don Farrell" is also "Minister Farrell": legislators hold portfolios
    return not ha or not hb or bool(ha & hb)


def _merge_orgs(ents: dict[tuple[str, str], Entity]) -> None:
    """Join an organization to the one whose acronym or short name it is."""
    orgs = [k for k in ents if k[0] == ORGANIZATION]
    for k in orgs:
        if k not in ents:
            continue
        e = ents[k]
        for other_k in orgs:
            if other_k == k or other_k not in ents:
                continue
            o = ents[other_k]
            if e.name == o.acronym or e.name in o.aliases[1:] or (o.company and e.name in _short_forms(o)):
                o.merge(ents.pop(k))
                break


def _short_forms(e: Entity) -> set[str]:
    return {a for a in e.aliases if a != e.name}


def alias_index(ents: dict[tuple[str, str], Entity], common: object) -> dict[str, Entity]:
    """Short forms by which a leftover word may refer to an entity of the article."""
    index: dict[str, Entity] = {}
    ambiguous: set[str] = set()

    def put(alias: str, ent: Entity) -> None:
        if alias in index and index[alias] is not ent:
            ambiguous.add(alias)
        index[alias] = ent

    for ent in ents.values():
        if ent.type == PERSON:
            for al in ent.aliases:
                put(al, ent)  # "Sadyr Japarov signed" is the person, not a company
            words = _words(ent.name)
            if len(words) > 1:
                for w in words:
                    if len(w.rstrip(".")) > 1:
                        put(w, ent)
                for w1, w2 in zip(words[1:], words[2:], strict=False):
                    put(f"{w1} {w2}", ent)  # "Ramirez Lezcano" of "Ruben Ramirez Lezcano"
                    particle = NAME_PARTICLE_RE.match(w)
                    if particle:
                        put(w[particle.end() :], ent)  # "Sisi" for "el-Sisi"
        elif ent.type in (ORGANIZATION, LOCATION):
            for al in ent.aliases:
                put(al, ent)
            if ent.acronym:
                put(ent.acronym, ent)
            words = ent.name.replace(",", " ").split()
            if ent.type == ORGANIZATION and ent.company and len(words) > 1:
                put(words[0], ent)
                if len(words) > 2:
                    put(" ".join(words[:2]), ent)
    for al in ambiguous:
        # Prefer a person whose surname it is; otherwise drop the ambiguous alias.
        index.pop(al, None)
    return index


def head_index(ents: dict[tuple[str, str], Entity]) -> dict[str, Entity]:
    """Head words ("the Council") that are the last word of exactly one organization's name."""
    heads: dict[str, list[Entity]] = {}
    for ent in ents.values():
        if ent.type == ORGANIZATION:
            words = ent.name.split()
            if len(words) > 1:
                heads.setdefault(words[-1], []).append(ent)
    return {h: es[0] for h, es in heads.items() if len(es) == 1}


def attach_leftovers(
    ents: dict[tuple[str, str], Entity],
    leftovers: list[tuple[int, int, str, bool]],
    region_adjs: list[Item],
    org_cued: list[tuple[int, int, str]] | None = None,
) -> None:
    """Mentions by short form, head word and region adjective.

    ``org_cued`` are leftovers whose context marks them as companies ("carrier Smartwings");
    they become organizations unless they are a short form of a known entity ("Putin").
    """
    index = alias_index(ents, None)
    for _start, _end, text in org_cued or ():
        if text not in index:
            k = (ORGANIZATION, entity_key(text))
            ent = ents.get(k)
            if ent is None:
                ent = ents[k] = Entity(ORGANIZATION, text, company=True)
                ent.add_alias(text)
            index[text] = ent
    heads = head_index(ents)
    for start, end, text, after_the in leftovers:
        ent = index.get(text)
        if ent is None and after_the:
            ent = heads.get(text)
        if ent is not None:
            ent.spans.append((start, end))
            ent.add_alias(text)
    if region_adjs:
        regions = {e.name: e for e in ents.values() if e.type == LOCATION}
        for it in region_adjs:
            ent = regions.get(it.name)
            if ent is not None:
                ent.spans.append((it.start, it.end))
                ent.add_alias(it.surface)


def to_records(ents: dict[tuple[str, str], Entity], text: str) -> tuple[list[dict], list[dict]]:
    """Entity and mention dicts in the pipeline's shape."""
    entities: list[dict] = []
    mentions: list[dict] = []
    for ent in ents.values():
        key = ent.country if ent.type == COUNTRY else ent.name
        eid = entity_id(ent.type, key or ent.name)
        spans = sorted(set(ent.spans))
        aliases = [ent.name] + [a for a in ent.aliases if a != ent.name]
        entities.append(
            {
                "entity_id": eid,
                "type": ent.type,
                "name": ent.name,
                "aliases": aliases,
                "country_code": ent.country,
                "role": ent.role,
                "acronym": ent.acronym,
                "mention_count": len(spans),
            }
        )
        for s, e in spans:
            mentions.append({"entity_id": eid, "start": s, "end": e, "text": text[s:e]})
    mentions.sort(key=lambda m: (m["start"], m["end"]))
    return entities, mentions
