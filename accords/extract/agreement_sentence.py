"""One sentence's instrument mentions turned into agreement records.

For each instrument noun kept by ``trigger_filter``: its status, whether it is background, an
anaphor or hedged, its parties, signatories, fields and name; the record is then added or merged
(``agreement_records.add_record``). A sentence that opens a list returns the list's context.
"""

from __future__ import annotations

import re
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
from accords.extract.agreement_records import AgreementDoc, AgreementRecord, add_record, company_deal
from accords.extract.context import day_in, is_old, mentions_in, place_in
from accords.extract.instrument_spans import (
    DEFINITE,
    ENUM,
    LEAD_VERB,
    OCCASION_TAIL,
    TRAILING_JUNK,
    clause_bounds,
    item_text,
    modifiers_before,
    semicolon_titles,
    split_items,
    title_topic,
    topic_continuation,
    topic_of,
)
from accords.extract.instruments import (
    KIND_CLASS,
    KIND_OF_GROUP,
    NUMBER_WORDS,
    TRIGGER,
    final_kind,
    is_iso3,
    singular,
)
from accords.extract.parties import LENDING, bilateral_pair, list_parties, parties_of
from accords.extract.party_names import body_names
from accords.extract.signatories import signatories_of
from accords.extract.status_cues import (
    BACKGROUND,
    CO_BACKGROUND,
    COORDINATED,
    COUNT_THEN_ITEMS,
    HEDGE,
    ISSUED,
    ONGOING_SINCE,
    PASSIVE,
    RATIFIED_BEFORE,
    REPORTED,
    background_cue,
    background_window,
    future_frame_governs,
    nearest_status,
    status_of,
)
from accords.extract.trigger_filter import kept_triggers

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
_NEW_INSTRUMENT = re.compile(
    r"\b(?:and|or|while|also|as\s+well\s+as|plus|sign\w*|ink\w*|conclu\w*|exchang\w*|reach\w*|agree\w*)\b|[;:]",
    re.I,
)


# Words that end the noun phrase before a plural instrument noun when counting back to a number.
_NOT_IN_NOUN_PHRASE = frozenset(
    "countries sides leaders parties governments ministers nations then also".split()
)


def analyse_sentence(
    doc: AgreementDoc, s0: int, s1: int, list_ctx: dict[str, Any] | None
) -> dict[str, Any] | None:
    """Find instruments in one sentence; return a list context if the sentence opens a list."""
    text = doc.text
    sent = text[s0:s1]
    kept = kept_triggers(doc, s0, s1)
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
    bg_end: int | None = None  # end of the last instrument dropped as background
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
        pm = PASSIVE.match(sent[b : b + 120])  # past the next trigger: "MOUs (MOU), signed ahead"
        strong = pm is not None and pm.group("s") is not None
        if pm:
            status = "signed" if pm.group("s") else "agreed"
        else:
            status = status_of(near_pre[-50:], near_pre, post[:200]) or (
                None if rep_m else nearest_status(sent[:a])
            )
            if status == "signed" and future_frame_governs(pre):
                status = "planned"  # "will visit X to attend Y and witness the signing of"
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
        if i and sent[kept[i - 1].end() : a].strip() == "(" and sent[b : b + 2].startswith(")"):
            continue  # the bracketed short form of the instrument just named: "two MOUs (MOU)"
        elif plural and i + 1 < len(kept) and (":" in post or COUNT_THEN_ITEMS.match(sent, b)):
            # "a package of two documents was signed: an Agreement on ..., and a MoU on ...",
            # "two Memoranda of Understanding (MOU); a MOU on X ...; and a MOU on Y"
            continue
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
        bg_win = background_window(sent, own0, a, mods)
        # The date window covers the topic and a participle after it: "the agreement on the
        # delimitation of the zones signed between the two countries in 2020".
        old_end = min(seg1, b + max(70, len(topic) + 60))
        ratified = RATIFIED_BEFORE.search(pre) is not None  # ratification exchanged now: current
        # "under discussion since 2023": an old date of the talks, not of a done instrument.
        ongoing = ONGOING_SINCE.search(sent, b, old_end) is not None
        if not ratified and (
            background_cue(bg_win)
            or (not ongoing and is_old(doc, s0 + max(own0, a - 60), s0 + old_end))
            or (bg_end is not None and CO_BACKGROUND.fullmatch(sent, bg_end, a - len(mods)))
        ):
            doc.last_kept = False
            bg_end = b  # "such as the X Agreement and the signing of the Y MOU": Y is an example too
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
        topic_f = f"{topic} {topic_continuation(sent, topic, b)}"  # "a MOU on cooperation in AI"
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
                if tok.endswith("ed") or tok in _NOT_IN_NOUN_PHRASE:
                    break  # "the two countries then signed MOUs": the number counts the signers
                if tok.isdigit() and len(tok) <= 2 or tok in NUMBER_WORDS:
                    count = int(tok) if tok.isdigit() else NUMBER_WORDS[tok]
                    break
        items_src = post.split(":", 1)[1] if ":" in post[:3] else (topic[:] if topic else "")
        titles = semicolon_titles(post) if plural and not count and group != "docs" else []
        if titles:  # "signed Memoranda of Understanding on A; B; and C": one per ";" title
            count, items_src = len(titles), "; ".join(titles)
        if plural and count >= 2 and items_src and group != "docs":
            items = split_items(items_src, count)
            if len(items) == count:
                for it in items:
                    # A ";" title is whole ("Cooperation in X"): only a trailing occasion is cut.
                    cut = OCCASION_TAIL.sub("", it) if titles else topic_of(" on " + it) or it
                    it = cut if titles else TRAILING_JUNK.sub("", cut)
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
