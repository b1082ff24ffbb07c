"""And-splitting: whether "<X> and <Y>" inside a run names two entities or one, and the cut.

"Xi and Tokayev", "Indian Navy and the Philippine Coast Guard", "Football Association of X and
the Y Football Association" are two; "Ministry of Trade and Industry", "Merrill Lynch and Co",
"Minister for Sustainability and the Environment Grace Fu" are one. ``split_and`` decides and,
when it cuts, segments both sides (the possessor of the run owns the left side only).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accords.extract.items import LOCATION, ORGANIZATION
from accords.extract.lexicon import COUNTRY as GAZ_COUNTRY
from accords.extract.lexicon import DEMONYM
from accords.extract.person_names import REGNAL
from accords.extract.scan import Tok
from accords.extract.seg_acronyms import ACRONYM_AFTER

if TYPE_CHECKING:
    from accords.extract.analyzer import Analyzer


def split_and(a: Analyzer, toks: list[Tok], owner: str | None) -> bool:
    """Cut "Xi and Tokayev", "Indian Navy and the Philippine Coast Guard"; keep "Trade and Industry"."""
    lex = a.lex
    last = toks[-1].text
    org_shaped = (
        last in lex.org_suffix
        or last in lex.loc_suffix
        or toks[0].text in lex.org_head
        or toks[0].text in lex.org_foreign
    )
    m = ACRONYM_AFTER.match(a.scan, toks[-1].end)
    acro = m.group(1) if m else ""
    for idx, t in enumerate(toks):
        if not (t.conn and t.text in ("and", "&")) or idx == 0 or idx == len(toks) - 1:
            continue
        if any((h := a.gaz_at(toks, s)) and h[0] > idx for s in range(max(0, idx - 4), idx)):
            continue
        nxt = idx + 1
        while nxt < len(toks) and toks[nxt].conn:
            nxt += 1
        if nxt >= len(toks):
            continue
        word = toks[nxt].text
        if acro and acro[0] == toks[0].text[0] and word[0] in acro[1:]:
            continue  # "Ethiopian Shipping and Logistics Services Enterprise (ESL)"
        if word in lex.role_modifiers and a.role_at(toks, nxt) == nxt and _portfolio_title(a, toks, idx):
            continue  # "Minister for Sustainability and the Environment Grace Fu"
        right_hit = a.gaz_at(toks, nxt)
        if (
            right_hit
            and (
                right_hit[1].kind in (GAZ_COUNTRY, DEMONYM)
                or (right_hit[1].kind == ORGANIZATION and right_hit[0] == len(toks))
            )
            or (word in lex.org_head and nxt + 1 < len(toks) and toks[nxt + 1].conn)
        ):
            # "... and Vietnam's Ministry of ...", "... and the Ministry of Trade and Industry"
            a.segment(toks[:idx], owner)
            a.segment(toks[idx + 1 :], None)  # "Viet Nam's X and Y": the possessor owns X only
            return True
        if _two_bodies(a, toks[:idx], toks[nxt:], toks[idx + 1].text == "the"):
            # "Football Association of X and the Y Football Association", "... of Singapore and Z"
            a.segment(toks[:idx], owner)
            a.segment(toks[idx + 1 :], None)
            return True
        if a.name_like(toks[idx - 1]) and any(a.role_at(toks, p) > p for p in range(idx - 1)):
            pass  # "Party General Secretary To Lam and ...": a titled person ends the left side
        elif org_shaped:
            left, right = toks[:idx], toks[nxt:]
            left_end = left[-1].text
            left_gaz = a.gaz_at(left, 0)
            if not (
                len(left) >= 2
                and (
                    left_end in lex.org_suffix
                    or left_end in lex.loc_suffix
                    or " ".join(t.text for t in left[-2:]) in lex.loc_suffix
                )
                and left_end not in lex.org_legal
            ) and not (
                left_gaz
                and left_gaz[0] == len(left)
                and (
                    left_gaz[1].kind == ORGANIZATION
                    or (left_gaz[1].kind == LOCATION and last in lex.loc_suffix)
                )
            ):  # "ACWA Power and China Energy ...", "East Africa and the Indian Ocean"
                continue
            if all(r.text in lex.org_suffix for r in right):
                continue  # "Merrill Lynch and Co"
        elif not _complete_left(a, toks[:idx]):
            continue  # "Minister for Trade and Industry ...", "National Investment and ..."
        a.segment(toks[:idx], owner)
        a.segment(toks[idx + 1 :], None)  # "Viet Nam's X and Y": the possessor owns X only
        return True
    return False


def _body_like(a: Analyzer, toks: list[Tok]) -> bool:
    """True if ``toks`` has a named body's shape: "X Association", "Institute of X", "X School of Y"."""
    lex = a.lex
    if len(toks) < 2:
        return False
    if toks[-1].text in lex.org_suffix or (toks[0].text in lex.org_head and toks[1].conn):
        return True
    return any(
        t.text in lex.org_suffix and nxt.conn and nxt.text in ("of", "for", "on")
        for t, nxt in zip(toks, toks[1:], strict=False)
    )


def _two_bodies(a: Analyzer, left: list[Tok], right: list[Tok], article: bool) -> bool:
    """True when "<left> and [the] <right>" joins two bodies rather than naming one.

    With "and the", two complete body shapes are two bodies. Without the article only a left
    side closed by its country ("... of the Republic of Singapore") or a long body followed
    by an acronym ("... School of Public Policy and HCMA") is cut: "Ministry of Trade and
    Industry" names one body.
    """
    if not _body_like(a, left):
        return False
    if article:
        return _body_like(a, right)
    last = a.gaz_at(left, len(left) - 1)
    closed = bool(last and last[1].kind == GAZ_COUNTRY and len(left) >= 3 and left[-2].conn)
    acronym = len(right) == 1 and right[0].text.isupper() and len(right[0].text) >= 2 and len(left) >= 3
    return (closed and not right[0].conn and right[0].text[:1].isupper()) or acronym


def _portfolio_title(a: Analyzer, toks: list[Tok], idx: int) -> bool:
    """True if a role followed by of/for ("Minister of Trade") starts before ``idx``."""
    for p in range(idx):
        r = a.role_at(toks, p)
        if p < r < idx and toks[r].conn and toks[r].text in ("of", "for"):
            return True
    return False


def _complete_left(a: Analyzer, left: list[Tok]) -> bool:
    """True if ``left`` could end an entity of its own (a name, a known phrase, an organization)."""
    last = left[-1]
    if a.name_like(last) or last.text in a.lex.org_suffix:
        return True
    if last.text in REGNAL and len(left) > 1 and a.name_like(left[-2]):
        return True  # "King Mohammed VI and ..."

    return any(
        (h := a.gaz_at(left, s)) and h[0] == len(left) for s in range(max(0, len(left) - 4), len(left))
    )
