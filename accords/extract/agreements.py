"""Rule-based agreement extraction: treaties, MoUs, accords, joint statements, contracts.

Pipeline for one article:

1. a cheap regex finds instrument nouns ("agreement", "MoU", "joint statement", "pact", ...);
   only sentences containing one are looked at further;
2. each instrument mention gets a kind, a status (signed / agreed / planned) from the verbs
   around it, and is dropped when it is background ("under the 1994 treaty", "signed last
   July"), hedged ("renewal is uncertain") or a mere anaphor ("the accord") of an earlier mention;
3. parties come from the entity mentions of the clause around the noun, falling back to the
   article's main countries when the text says "the two sides" / "both countries";
4. fields come from a keyword table (``data/agreement_fields.json``) applied to the instrument's
   topic ("MoU on maritime cooperation"), else to its clause;
5. mentions that refer to the same instrument are merged, so each agreement is one record.

Decisions worth knowing: "action plan" / "programme of cooperation" -> kind ``programme``;
unindividuated "cooperation documents" / "a package of documents, including agreements and
memoranda on A, B" -> one record of kind ``other``; "Agreed Minutes" -> ``other``; "declaration of
intent" -> ``letter_of_intent``; "Exchange of Notes" -> ``agreement``; an accord / deal /
agreement whose parties are companies or banks -> ``contract`` with the companies as parties and
no countries.

Press-release conventions handled explicitly:

* lists: a header ("the following acts were signed:", "witnessed the signing of the following:")
  opens a list even without an instrument noun; items may be numbered, bulleted or bare lines
  that start with the instrument's name; items share the header's status and parties (or the
  visit's two countries), never the previous item's;
* parties: ministries stand for their country; public institutes, academies and research or
  development bodies too, in cooperation instruments; in a commercial deal (a company party) or a
  loan / credit instrument with a bank, fund or agency, the utility / lender is a party by name
  ("Full Name (Brand)" when the text gives both); public bodies named in the instrument's topic
  ("on increasing the capital of the X Fund") are its subject, not parties;
* status: "expedite / work towards the (early) conclusion of", "will be / is expected to be
  signed" after the noun -> planned; "agreed that" / "noted that" governs the clause, so the
  nearest cue after it decides.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from datetime import date
from typing import Any

from accords.extract.agreement_fields import (
    FIELD_RES,
    PROVIDES,
    PURPOSE,
    SALE,
    STATEMENT_SCOPE,
    fields_of,
    strip_mentions,
)
from accords.extract.agreement_records import (
    AgreementDoc,
    AgreementRecord,
    add_record,
    build_agreement_doc,
    company_deal,
)
from accords.extract.annex import ListBlock, find_lists
from accords.extract.context import day_in, is_old, mentions_in, place_in
from accords.extract.instrument_spans import (
    DEFINITE,
    ENUM,
    LEAD_VERB,
    TRAILING_JUNK,
    clause_bounds,
    item_text,
    modifiers_before,
    split_items,
    title_topic,
    topic_of,
)
from accords.extract.instruments import (
    CANDIDATE,
    KIND_CLASS,
    KIND_OF_GROUP,
    NUMBER_WORDS,
    PLURAL_HEAD,
    TRIGGER,
    final_kind,
    is_iso3,
    singular,
)
from accords.extract.mentions_merge import merge_mentions
from accords.extract.parties import LENDING, bilateral_pair, list_parties, parties_of
from accords.extract.party_names import INTL_ORGS, body_names, is_company, party_name
from accords.extract.sentences import split_sentences
from accords.extract.signatories import signatories_of
from accords.extract.status_cues import (
    BACKGROUND,
    COORDINATED,
    HEDGE,
    ISSUED,
    ONGOING_SINCE,
    PASSIVE,
    RATIFIED_BEFORE,
    REPORTED,
    background_cue,
    nearest_status,
    status_of,
)
from accords.ids import stable_id

_ORG_INSIDE_NAME = re.compile(r"\bGeneral\s+Agreements?\s+on\s+Tariffs", re.IGNORECASE)
_NON_NOUN_BEFORE = frozenset("to will would can could must should great good in own".split())
_DESCRIBES = re.compile(
    r"^\s*(?:\w+\s+)?(?:involv|cover|provid|includ|aim|call|envisag|focus|concern|allow|enabl|seek|"
    r"stipulat|deal|set|establish|commit|oblig|grant)\w*",
    re.IGNORECASE,
)
_NOT_AN_INSTRUMENT_BEFORE = re.compile(r"\b(?:repurchase|buy-?back|futures|options|forward)\s+$", re.I)
_VERB_DEAL_AFTER = re.compile(r"\s+(?:in|with)\b", re.I)
_QUANTIFIER = re.compile(
    r"\b(?:\d+|"
    + "|".join(NUMBER_WORDS)
    + r"|several|numerous|various|multiple|a\s+(?:number|series|package|set|range|host|raft|slew)\s+of)\b",
    re.I,
)
# Instrument nouns that only detail an unindividuated package of documents.
_PACKAGE_DETAIL = re.compile(r"\b(?:including|includ(?:es|ed)|such\s+as|among\s+them|comprising)\b", re.I)
_AMENDED = re.compile(
    r"\b(?:amending|amend|amends|to\s+upgrade|upgrading|upgrade\s+of|review\s+of|revising)\s+(?:the\s+)?"
    r"(?:[\w'’-]+\s+){0,8}$",
    re.I,
)
_NEW_INSTRUMENT = re.compile(
    r"\b(?:and|or|while|also|as\s+well\s+as|plus|sign\w*|ink\w*|conclu\w*|exchang\w*|reach\w*|agree\w*)\b|[;:]",
    re.I,
)


def _kept_triggers(doc: AgreementDoc, s0: int, s1: int) -> list[re.Match[str]]:
    """The instrument nouns of sentence ``text[s0:s1]`` that name an instrument (offsets in the sentence).

    Dropped: nouns inside an organisation name, verbs ("to deal", "will contract"), a bare
    internal "memorandum", the details of a package of documents, an instrument being amended
    and a joint statement's own content ("which sets out a roadmap").
    """
    text = doc.text
    sent = text[s0:s1]
    trigs = [m for m in TRIGGER.finditer(sent)]
    if not trigs:
        return []
    # An "organisation" that starts with the instrument noun is a mis-tagged instrument name
    # ("Joint Declaration on the Establishment ..."): the noun still counts.
    org_spans = [
        (a - s0, b - s0)
        for a, b, e in mentions_in(doc, s0, s1)
        if e.type == "ORGANIZATION" and not TRIGGER.match(text, a)
    ]
    kept: list[re.Match[str]] = []
    for m in trigs:
        a, b = m.span()
        if kept and kept[-1].lastgroup == "docs" and _PACKAGE_DETAIL.search(sent, kept[-1].end(), a):
            continue  # "a package of documents, including agreements and memoranda on A, B": one record
        if any(x <= a and b <= y for x, y in org_spans) or _ORG_INSIDE_NAME.match(sent, max(0, a - 8)):
            continue
        if _ORG_INSIDE_NAME.search(sent[max(0, a - 8) : b + 20]):
            continue
        prev_word = re.findall(r"[\w']+", sent[max(0, a - 20) : a])
        pw = prev_word[-1].lower() if prev_word else ""
        group = m.lastgroup or "agr"
        if group == "agr" and pw in _NON_NOUN_BEFORE:
            continue
        if group in ("contract", "protocol") and pw in {"to", "of", "will", "would"}:
            continue
        if (
            group == "mou"
            and m.group().lower().startswith("memorand")
            and "understanding" not in m.group().lower()
        ):
            # A bare "memorandum" is often an internal memo; keep it only with a topic or parties.
            if not re.match(r"\s+(?:on|of|between|for|with|to)\b", sent[b:]):
                continue
        if m.group().lower() == "accommodation" and not re.search(
            r"\b(?:reach\w*|f[io]und|find)\b", sent, re.I
        ):
            continue
        if kept and _AMENDED.search(sent, kept[-1].end(), a):
            continue  # the instrument being amended / upgraded is background, not a new one
        if (
            kept and KIND_CLASS.get(KIND_OF_GROUP[kept[-1].lastgroup or "agr"]) == "statement"
            and group == "prog" and STATEMENT_SCOPE.search(sent, kept[-1].end(), a)
        ):  # fmt: skip
            continue  # "the X Declaration, which sets out a roadmap for ...": its content, not a new one
        kept.append(m)
    return kept


def _analyse_sentence(
    doc: AgreementDoc, s0: int, s1: int, list_ctx: dict[str, Any] | None
) -> dict[str, Any] | None:
    """Find instruments in one sentence; return a list context if the sentence opens a list."""
    text = doc.text
    sent = text[s0:s1]
    kept = _kept_triggers(doc, s0, s1)
    if not kept:
        return None
    names_in_sent = sorted(
        (text[x:y] for x, y, e in mentions_in(doc, s0, s1) if e.type in ("ORGANIZATION", "PERSON")),
        key=len,
        reverse=True,
    )
    em = ENUM.match(sent)
    lead = sent[em.end() if em else 0 : kept[0].start()]
    # An item names its instrument up front ("(ii) an Arrangement on ..."); a numbered paragraph
    # ("6. Both sides also agreed to ...") is running text.
    lead_ok = len(lead.split()) <= 6 and "," not in lead and not LEAD_VERB.search(lead)
    # Inside a list, an unnumbered line that starts with the instrument's name is an item too
    # ("Power Purchase Agreement between X and Y" on its own line).
    is_item = lead_ok and (em is not None or list_ctx is not None)
    # A list header ("The following documents were signed and exchanged:") opens a list whose
    # items inherit its status and parties.
    header = sent.rstrip().endswith(":")
    opened: dict[str, Any] | None = None
    n_before = len(doc.records)
    for i, m in enumerate(kept):
        group = m.lastgroup or "agr"
        kind = KIND_OF_GROUP[group]
        a, b = m.span()
        word = m.group()
        # Number of the head noun: "memoranda of understanding", "programme of youth exchanges".
        words = word.lower().split()
        head = words[0] if "of" in words else words[-1]
        plural = head.endswith("s") and not head.endswith("ss") or head == "memoranda"
        if header and plural and ":" not in sent[b:].rstrip()[:-1]:
            continue  # the header noun itself
        seg0 = kept[i - 1].end() if i else 0
        seg1 = kept[i + 1].start() if i + 1 < len(kept) else len(sent)
        pre, post = sent[seg0:a], sent[b:seg1]
        mods, det = modifiers_before(sent, a)
        topic = topic_of(post)
        if word[:1].isupper():
            topic = title_topic(post) or topic  # a proper name: "the Agreement between X and Y on Z"
        near_pre = pre[-90:]
        rep_m = max(REPORTED.finditer(near_pre), key=lambda x: x.end(), default=None)
        if rep_m:
            # "agreed that an MoU ... will be signed": the verb governs the clause, not the noun.
            near_pre = near_pre[rep_m.end() :]
        cls = KIND_CLASS.get(kind, "agreement")
        # Status: a passive participle right after the noun, then the nearest segment text, then
        # the whole sentence, then an enclosing list header.
        pm = PASSIVE.match(post)
        strong = pm is not None and pm.group("s") is not None
        if pm:
            status = "signed" if pm.group("s") else "agreed"
        else:
            status = status_of(near_pre[-50:], near_pre, post[:200]) or (
                None if rep_m else nearest_status(sent[:a])
            )
            if status is None and i + 1 < len(kept) and COORDINATED.search(post):
                # "an agreement on X and an MoU on Y are under negotiation": a shared predicate.
                status = status_of(sent[kept[i + 1].end() :][:200])
        if status is None and list_ctx is not None and is_item:
            status = list_ctx["status"]
        if cls == "statement" and status == "agreed" and ISSUED.search(sent):
            status = "signed"  # a joint statement adopted / issued by both sides is concluded
        # Generic "documents"/"instruments" only count when signed or exchanged.
        if group == "docs" and not re.search(
            r"\b(?:sign\w*|exchang\w*|ink\w*|conclu\w*|adopt\w*)\b", sent, re.I
        ):
            continue
        # A list header ("... signed the following documents:") is not itself an instrument.
        if post.lstrip().startswith(":"):
            items_text = post.split(":", 1)[1]
            if plural and status and not items_text.strip():
                opened = {"status": status}
                continue
            if plural and i + 1 < len(kept):
                continue
        elif plural and i + 1 < len(kept) and ":" in post:
            continue  # "a package of two documents was signed: an Agreement on ..., and a MoU on ..."
        if det in {"any", "no"} or _NOT_AN_INSTRUMENT_BEFORE.search(pre):
            continue  # "any agreement would ...", money-market "repurchase pacts", traded contracts
        if group == "agr" and word.lower().startswith("deal") and not det and _VERB_DEAL_AFTER.match(post):
            continue  # the verb: "to underwrite and deal in securities"
        if plural and not det and not _QUANTIFIER.search(pre[-60:]):
            # Bare plurals are usually generic ("profitable contracts") unless directly signed.
            if not re.search(r"\b(?:sign\w*|ink\w*|exchang\w*|conclu\w*)\s+(?:\w+\s+){0,3}$", pre, re.I):
                continue
        anaphor = det in DEFINITE and not topic and not mods
        if anaphor:
            # "the agreement" / "the accord": refers back to the latest instrument mention. It
            # adds detail to a kept record and never creates one, unless the article has no
            # earlier mention and this one is explicitly signed ("The MoU was signed by ...").
            if BACKGROUND.search(pre[-45:]) and not re.search(
                r"\bunder\s+the\s+(?:terms\s+of\s+the\s+)?$", pre, re.I
            ):
                continue
            if is_old(doc, s0 + max(seg0, a - 60), s0 + min(seg1, b + 70)):
                continue
            if doc.records and doc.last_kept:
                last = doc.records[-1]
                if KIND_CLASS.get(last.kind, "agreement") == cls and not plural:
                    # Only descriptive sentences ("the agreement covers ...", "Under the
                    # agreement, ...") add topics.
                    extra: list[str] = []
                    if cls != "statement" and (
                        _DESCRIBES.match(post)
                        or re.search(r"\bunder\s+(?:the\s+terms\s+of\s+)?the\s+$", pre, re.I)
                    ):
                        extra = fields_of(post[:120])
                    last.fields = [f for f, _ in FIELD_RES if f in set(last.fields) | set(extra)]
                    if strong and last.status != "signed":
                        last.status = "signed"
                continue
            if doc.records or doc.seen_mention or plural or not strong:
                doc.seen_mention = True
                continue
        doc.seen_mention = True
        hedge_win = near_pre[-60:]
        if status is None:
            # Non-event mention: only a definite instrument with its own topic that opens the
            # sentence, in an article that already reports a deal, counts (as "agreed").
            if doc.records and det in DEFINITE and topic and a - seg0 < 8 and not plural:
                status = "agreed"
            else:
                doc.last_kept = False
                continue
        if not strong and (HEDGE.search(hedge_win) or HEDGE.search(post[:25])):
            doc.last_kept = False
            continue
        # Background cues before a comma that follows another instrument belong to that one:
        # "upgrade the X Agreement, in force since 2013, into a Y Agreement".
        cut = pre.rfind(",")
        own0 = seg0 + cut + 1 if cut >= 0 and TRIGGER.search(sent, 0, seg0 + cut) else seg0
        bg_win = sent[max(own0, a - 45) : a]
        # The date window covers the topic and a participle after it: "the agreement on the
        # delimitation of the zones signed between the two countries in 2020".
        old_end = min(seg1, b + max(70, len(topic) + 60))
        ratified = RATIFIED_BEFORE.search(pre) is not None  # ratification exchanged now: current
        # "under discussion since 2023": an old date of the talks, not of a done instrument.
        ongoing = ONGOING_SINCE.search(sent, b, old_end) is not None
        if not ratified and (
            background_cue(bg_win) or (not ongoing and is_old(doc, s0 + max(own0, a - 60), s0 + old_end))
        ):
            doc.last_kept = False
            continue
        c0, c1 = clause_bounds(sent, a, b)
        if c0 > a:
            c0 = 0
        lending = bool(LENDING.search(f"{mods} {word}"))
        skip = None
        if topic and not re.match(r"(?:between|with|among)\b", topic, re.I):
            t0 = sent.find(topic, b)
            t1 = t0 + len(re.split(r"\s(?:between|with)\s", topic, maxsplit=1)[0])
            skip = (t0, t1) if t0 >= 0 else None
        parties, weak, commercial = parties_of(doc, s0, sent, c0, c1, sent[c0:c1], a, lending, skip)
        in_list = list_ctx is not None and is_item
        if (
            weak
            and doc.records
            and not in_list  # list items share the header's parties, not the previous item's
            and not (
                company_deal(doc.records[-1])
                and bilateral_pair(doc)
                and not all(company_deal(r) for r in doc.records)
            )
        ):
            # "the deal" / "an accord would be reached" in a one-deal story: inherit parties (but
            # not a sideline company deal's parties in a state-visit story).
            last = doc.records[-1]
            if last.parties:
                parties, commercial = list(last.parties), last.commercial
        elif weak and not parties and bilateral_pair(doc):
            parties = list(bilateral_pair(doc) or ())
        elif weak and not parties:
            parties = doc.main_countries[:1]
            if in_list and not (list_ctx and list_ctx.get("parties")):
                parties = doc.main_countries[:2]  # a list of signed instruments: the visit's two sides
            elif len(doc.main_countries) > 1:
                c = {e.code: e.count for e in doc.ents.values() if e.type == "COUNTRY"}
                top = c.get(doc.main_countries[0], 0)
                if c.get(doc.main_countries[1], 0) >= 0.5 * top:
                    parties = doc.main_countries[:2]
        if in_list and list_ctx and list_ctx.get("parties"):
            n_countries = sum(1 for p in parties if is_iso3(p))
            if weak or not parties or (not commercial and n_countries < 2):
                parties, weak = list(list_ctx["parties"]), False
        kind = final_kind(kind, commercial, parties)
        # Fields: the instrument's own topic; otherwise its clause (not for joint statements,
        # which cover everything discussed).
        # Organisation and person names say nothing about the topic ("Ministry of Industry and
        # Trade" in "MoU on energy between the Ministry of ... and ...").
        topic_f = topic
        for n in names_in_sent:
            topic_f = topic_f.replace(n, " ")
        if not topic and cls != "statement":
            purpose = PURPOSE.search(sent, b, seg1)
            if purpose:
                topic_f = purpose.group()  # "a loan agreement ... to finance rural roads"
        scope = " ".join(x for x in (mods, word, topic_f) if x)
        flds = fields_of(scope)
        if not flds and skip:
            # The topic named only by a (mis-tagged) organisation: "Agreement on the Promotion and
            # Protection of Investments" tagged as an org, "the capital of the X Fund".
            flds = fields_of(sent[skip[0] : skip[1]])
        if not flds and not topic and cls != "statement":
            # The clause around the noun, but not a preceding instrument's topic ("an agreement on
            # defence and an MoU between the academies ...").
            flds = fields_of(sent[a if i else c0 : seg1])
        if not flds and cls != "statement" and group != "docs":
            pm2 = PROVIDES.search(post, 0, 200)
            if pm2:
                # "the Treaty on Allied Relations ..., which provides for cooperation in defence"
                flds = fields_of(post[pm2.end() : pm2.end() + 150])
        if cls == "statement":
            dm = STATEMENT_SCOPE.search(post)
            if dm:
                # "a joint declaration ..., which covers energy, climate and culture"
                flds = [f for f, _ in FIELD_RES if f in {*flds, *fields_of(post[dm.end() :])}]
        if group == "docs":
            flds = fields_of(sent[seg0:seg1])  # unindividuated documents: every field listed
        if commercial and not {"investment", "trade"} & set(flds) and SALE.search(sent[seg0:seg1]):
            flds = [f for f, _ in FIELD_RES if f in {*flds, "investment"}]
        name = None
        if topic or mods:
            name = re.sub(r"\s+", " ", " ".join(x for x in (mods, word, topic) if x)).strip()
        if is_item and len(kept) == 1:
            name = item_text(sent)[:200] or name
            flds = fields_of(item_text(strip_mentions(doc, s0, s1, ("ORGANIZATION", "PERSON")))) or flds
            if not flds and skip:
                flds = fields_of(sent[skip[0] : skip[1]])
        if not flds and cls != "statement" and not commercial:
            # An MoU between two agencies says no more than their names: "Ports Authority",
            # "Foreign Service Academy" (ministries are too general to tell).
            flds = fields_of(" ; ".join(body_names(doc, s0 + a, s0 + min(seg1, max(c1, b)))))
        elif name:
            name = TRAILING_JUNK.sub("", name)
        if (
            len(doc.records) > n_before and not topic and i and not plural
            and KIND_CLASS.get(doc.records[-1].kind, "agreement") == cls
            and not _NEW_INSTRUMENT.search(sent, kept[i - 1].end(), a)
        ):  # fmt: skip
            continue  # an appositive repeat: "signed the X Agreement in Y, the first such deal"
        sigs = signatories_of(doc, s0, sent, c0, a, parties)
        rec = AgreementRecord(
            kind=kind, status=status, parties=parties, weak_parties=weak, signatories=sigs,
            fields=flds, name=name, date=day_in(doc, s0, s1), location=place_in(doc, s0, s1),
            start=s0, end=s1, commercial=commercial,
        )  # fmt: skip
        if group == "docs":
            rec.extra["package"] = True  # unindividuated documents absorb no later instrument
        if in_list:
            rec.extra["item"] = True
        doc.last_kept = True
        # "signed three MoUs: on A, on B and on C" -> one record per listed instrument.
        count = 0
        if plural:
            for tok in reversed(re.findall(r"[\w-]+", sent[max(0, a - 60) : a])[-4:]):
                tok = tok.lower()
                if tok.isdigit() and len(tok) <= 2 or tok in NUMBER_WORDS:
                    count = int(tok) if tok.isdigit() else NUMBER_WORDS[tok]
                    break
        items_src = post.split(":", 1)[1] if ":" in post[:3] else (topic[:] if topic else "")
        if plural and count >= 2 and items_src and group != "docs":
            items = split_items(items_src, count)
            if len(items) == count:
                for it in items:
                    it = TRAILING_JUNK.sub("", topic_of(" on " + it) or it)
                    it = re.sub(r"^(?:(?:covering|on|in|for|of)\s+)+", "", it, flags=re.I)
                    one = singular(word)
                    sub = AgreementRecord(
                        **{**rec.__dict__, "fields": fields_of(it), "name": f"{one} on {it}".strip()}
                    )
                    sub.extra = {}
                    doc.records.append(sub)
                continue
        add_record(doc, rec, anaphor)
    if header and opened is None:
        st = status_of(sent) or list_ctx and list_ctx.get("status")
        if st:
            opened = {"status": st}
    if opened is not None:
        opened["parties"] = list_parties(doc, s0, sent)
    return opened


def _add_listed(doc: AgreementDoc, blk: ListBlock) -> None:
    """One record per instrument of a list, with the status of the sentence that introduced it.

    Parties are the countries the item's own name gives ("between the Ministry of Education of
    Singapore and ..."): ministries and agencies stand for their country; the article's bilateral
    pair fills a missing side. Fields come from the instrument's own name.
    """
    h0, h1 = blk.header_start, blk.header_end
    header = doc.text[h0:h1]
    status = status_of(header) or "signed"
    date_ = day_in(doc, h0, h0 + len(header))
    place = place_in(doc, h0, h0 + len(header))
    for it in blk.items:
        parties: list[str] = []
        ents = [e for _a, _b, e in mentions_in(doc, it.start, it.end)]
        # "Power Purchase Agreement between X Power and Y Lighting Company": a company deal,
        # whose parties are the companies; otherwise bodies stand for their countries.
        commercial = KIND_CLASS.get(it.kind) != "mou" and any(is_company(e) for e in ents)
        for e in ents:
            p = party_name(e, doc, commercial)
            keep = (
                commercial
                and e.type == "ORGANIZATION"
                or bool(p)
                and (is_iso3(p or "") or p in INTL_ORGS.values())
            )
            if p and keep and p not in parties:
                parties.append(p)
        if not parties:
            # A list under a bilateral visit's release: between the article's two main countries.
            parties = list(bilateral_pair(doc) or doc.main_countries[:2])
        fields = (
            fields_of(strip_mentions(doc, it.start, it.end, ("ORGANIZATION", "PERSON")))
            or fields_of(" ; ".join(body_names(doc, it.start, it.end)))
            or fields_of(it.name)
        )
        doc.records.append(
            AgreementRecord(
                kind=final_kind(it.kind, commercial, parties),
                status=status,
                commercial=commercial,
                parties=parties,
                weak_parties=not parties,
                signatories=[],
                fields=fields,
                name=it.name,
                date=date_,
                location=place,
                start=it.start,
                end=it.end,
                extra={"item": True},
            )
        )


# A list header without an instrument noun: "the following acts were signed:", "witnessed the
# signing of the following:".
_BARE_HEADER = re.compile(
    r"\b(?:sign\w*|exchang\w*|conclu\w*|ink(?:ed|ing)?|initial\w*|adopt\w*)\b[^.;]*:\s*$", re.I
)


def _bare_header(doc: AgreementDoc, s0: int, s1: int) -> dict[str, Any] | None:
    """A list context for a header sentence that names no instrument (items carry the nouns)."""
    sent = doc.text[s0:s1]
    if not _BARE_HEADER.search(sent) or HEDGE.search(sent):
        return None
    st = status_of(sent)
    if st is None:
        return None
    return {"status": st, "parties": list_parties(doc, s0, sent)}


def _item_line(text: str, s0: int, s1: int, trig_starts: list[int]) -> bool:
    """A sentence that starts with an instrument name ("Memorandum of ...", "Power Purchase Agreement")."""
    k = bisect_left(trig_starts, s0)
    if k == len(trig_starts) or trig_starts[k] >= s1:
        return False
    lead = text[s0 : trig_starts[k]]
    return len(lead.split()) <= 6 and "," not in lead and not LEAD_VERB.search(lead)


def extract_agreements(
    text: str,
    title: str | None,
    published: date | None,
    entities: list[dict],
    mentions: list[dict],
) -> list[dict]:
    """Extract the agreements an article reports as signed, agreed or planned.

    ``entities`` / ``mentions`` come from ``extract_entities``; mention offsets index ``text``.
    Returns one dict per distinct instrument with kind, name, status, parties (ISO3 codes,
    organisation short names or company names), signatories, fields, date, location and the
    evidence sentence with its offsets.
    """
    if not text:
        return []
    # A case-sensitive literal scan of the lower-cased text is ~10x faster than the full trigger
    # regex; the full regex then only runs at candidate word starts.
    low = text.lower()
    trig_starts = [m.start() for m in CANDIDATE.finditer(low) if TRIGGER.match(text, m.start())]
    if not trig_starts:
        return []
    doc = build_agreement_doc(text, title, published, entities, mentions)
    list_ctx: dict[str, Any] | None = None
    sentences = split_sentences(text)
    blocks = find_lists(text, sentences)
    listed = sorted((i.start, i.end) for b in blocks for i in b.items)
    headers = [(b.header_start, b.header_end) for b in blocks]
    for blk in blocks:
        _add_listed(doc, blk)
    for s0, s1 in sentences:
        if any(a < s1 and s0 < b for a, b in listed):
            continue  # a list's header or item: one record per listed instrument, added above
        if list_ctx is not None and not (ENUM.match(text, s0) or _item_line(text, s0, s1, trig_starts)):
            list_ctx = None
        k = bisect_left(trig_starts, s0)
        if k == len(trig_starts) or trig_starts[k] >= s1:
            if text[s0:s1].rstrip().endswith(":"):
                list_ctx = _bare_header(doc, s0, s1)
            continue
        opened = _analyse_sentence(doc, s0, s1, list_ctx)
        if opened is not None:
            list_ctx = opened
    # A list's header counts the listed instruments ("the following MOUs were exchanged"): only
    # an instrument it names itself ("signed the Declaration of X, and the following ...") stays.
    doc.records.sort(key=lambda r: r.start)  # list items were added first: text order again
    records = [
        r
        for r in doc.records
        if r.extra.get("item")
        or not any(a <= r.start < b for a, b in headers)
        or not (r.extra.get("package") or PLURAL_HEAD.search(r.name or doc.text[r.start : r.end]))
    ]
    if sum(1 for r in records if r.extra.get("item")) >= 2:
        # The article individuates the signed instruments in a list: a summary "signed four
        # cooperation instruments" is the same set, not one more (GUIDELINES: one per instrument).
        records = [r for r in records if not (r.extra.get("package") and r.status == "signed")]
    out: list[dict] = []
    seen: set[str] = set()
    for r in records:
        aid = stable_id(r.kind, str(r.start), str(r.end), r.name or "")
        if aid in seen:
            continue
        seen.add(aid)
        out.append(
            {
                "agreement_id": aid,
                "kind": r.kind,
                "name": r.name,
                "status": r.status,
                "parties": r.parties,
                "signatories": r.signatories,
                "fields": r.fields,
                "date": r.date,
                "location": r.location,
                "evidence": text[r.start : r.end],
                "evidence_start": r.start,
                "evidence_end": r.end,
            }
        )
    persons = [n for e in entities if e["type"] == "PERSON" for n in [e["name"], *(e.get("aliases") or [])]]
    return merge_mentions(out, bilateral_pair(doc), persons)
