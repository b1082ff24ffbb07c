"""Instrument-title subjects: where the subject of an agreement's title starts inside a run.

"Agreement between A and B Regarding the Status of Visiting Forces", "Joint Declaration on the
Parana Waterway": the subject after the capitalised preposition or "on the" is no part of the
name before it. ``instrument_subject`` finds that cut; ``INSTRUMENT_PREPS`` are the
prepositions that open such a subject (the run cutter and the segmenter stop names at them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accords.extract.lexicon import COUNTRY as GAZ_COUNTRY
from accords.extract.scan import Tok

if TYPE_CHECKING:
    from accords.extract.analyzer import Analyzer

# Bodies named for their subject: "Commission on Human Rights", "Panel on Climate Change".
_SUBJECT_BODIES = frozenset(
    "Commission Committee Conference Council Panel Forum Group Centre Center Court Convention Force "
    "Tribunal Board Institute Programme Program Office Subcommittee Caucus".split()
)
# Capitalised prepositions that open the subject of an instrument's title ("Agreement between
# A and B Regarding the Status of Visiting Forces"); names do not continue across them.
INSTRUMENT_PREPS = frozenset({"Regarding", "Concerning", "Relating", "Pertaining", "Respecting"})


def instrument_subject(a: Analyzer, toks: list[Tok]) -> tuple[int, int, bool] | None:
    """(end of the name, start of the subject, name is an instrument) at "... on the <Subject>"."""
    lex = a.lex
    for idx in range(1, len(toks) - 1):
        t = toks[idx]
        if not (t.conn and t.text == "on"):
            continue
        article = toks[idx + 1].text == "the"
        prev = toks[idx - 1].text
        blocker = prev in lex.blockers and article
        body = prev in lex.org_suffix and idx >= 2 and toks[-1].text not in lex.org_suffix
        if not article:
            # "Qatar Development Bank on Enterprise Digitalisation": a topic, unless the body is
            # one named for its subject ("Commission on Human Rights").
            body = body and prev not in _SUBJECT_BODIES
        country = a.gaz_at(toks, idx - 1)
        closed = bool(country and country[1].kind == GAZ_COUNTRY and idx >= 3 and toks[idx - 2].conn)
        if not blocker and not body and not closed:
            continue  # "Government of the Republic of Singapore on Cooperation ..." is closed
        hit = a.gaz_at(toks, 0)
        if hit is None or hit[0] <= idx:  # not inside a known name
            return idx, idx + (2 if article else 1), blocker
    return None
