"""The state-law table as readers see it: ``sanctuary states`` and the app's Rules page both print these rows.

One row per state and the District of Columbia, in code order, with when it was researched, each law's kind,
dates, citations (with their quality) and the quote a reviewer can check at its source. ``coverage_markdown``
writes the coverage paragraph (docs/what-it-evaluates.md) and "not verified" table from the same rows, so no
count is kept by hand.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from engine.i18n import _
from engine.rules.model import Ruleset
from engine.rules.states import STATES_AND_DC

# Said beside a quote shown in translation (gettext will carry it with the other code strings).
TRANSLATED_QUOTE_NOTE = {
    "es": "Traducción no oficial; las palabras de la ley, en inglés, están en la dirección indicada.",
}


def _citation(ruleset: Ruleset, cid: str) -> dict[str, Any]:
    c = ruleset.citations[cid]
    return {
        "id": cid,
        "title": c.title,
        "url": c.url,
        "publisher": c.publisher,
        "publisher_kind": c.publisher_kind,
        "quality": c.quality,
        "checked_on": c.checked_on,
    }


def state_table(ruleset: Ruleset, as_of: dt.date | None = None) -> list[dict[str, Any]]:
    """Every state and DC with its researched date and laws; ``in_force`` says whether a law applies at ``as_of``."""
    rows = []
    for code in STATES_AND_DC:
        info = ruleset.states.get(code)
        if info is None:  # not searched (researched: false) or no row at all: say so rather than show nothing
            pending = ruleset.unresearched_states.get(code)
            rows.append(
                {
                    "code": code,
                    "name": pending.name if pending else code,
                    "researched": False,
                    "researched_on": None,
                    "direction": "none",
                    "summary": pending.summary if pending else "",
                    "no_law_found": None,
                    "not_verified": [dict(item) for item in pending.not_verified] if pending else [],
                    "laws": [],
                }
            )
            continue
        laws = []
        for law in info.law_details:
            window = law.effective
            laws.append(
                {
                    "id": law.id,
                    "title": law.title,
                    "kind": law.kind,
                    "effective": {
                        "from": window.start.isoformat() if window.start else None,
                        "to": window.end.isoformat() if window.end else None,
                    },
                    "in_force": window.contains(as_of) if as_of else None,
                    "citations": [_citation(ruleset, c) for c in law.citations],
                    "quote": law.quote,
                    "quote_source": {"id": law.quote_source, "url": ruleset.citations[law.quote_source].url},
                    "exposure": law.exposure or None,
                    "still_lawful": law.still_lawful or None,
                }
            )
            if ruleset.lang in TRANSLATED_QUOTE_NOTE:
                # A quote in another language than the law's is our translation, never the law's own words.
                laws[-1]["quote_note"] = TRANSLATED_QUOTE_NOTE[ruleset.lang]
        rows.append(
            {
                "code": code,
                "name": info.name,
                "researched": True,
                "researched_on": info.researched_on or None,
                "direction": info.direction,
                "summary": info.summary,
                "no_law_found": {"searched": info.no_law_found} if info.no_law_found else None,
                "not_verified": [dict(item) for item in info.not_verified],
                "laws": laws,
            }
        )
    return rows


def coverage_markdown(rows: list[dict[str, Any]]) -> str:
    """The coverage block of docs/what-it-evaluates.md: a coverage paragraph and the "not verified" table, generated
    from the rows."""
    researched = [r for r in rows if r["researched_on"]]
    with_laws = [r for r in rows if r["laws"]]
    laws = [law for r in rows for law in r["laws"]]
    protective = sum(1 for law in laws if law["kind"] == "protective")
    none_found = [r["code"] for r in rows if r["no_law_found"]]
    pending = [r["code"] for r in rows if not r["researched_on"]]
    dates = sorted({r["researched_on"] for r in researched})
    claims = [(r["code"], c) for r in rows for c in r["not_verified"]]
    sentences = [
        _(
            "The state-law table covers {researched} of the {total} jurisdictions (the 50 states and DC), "
            "researched on {dates}."
        ).format(researched=len(researched), total=len(rows), dates=", ".join(dates) if dates else _("no date")),
        _(
            "{with_laws} have at least one law read in a primary text ({laws} laws: {protective} protective, "
            "{restrictive} restrictive); for {none_found} no statewide law was found in a primary text "
            "({none_codes}), and each says what was searched."
        ).format(
            with_laws=len(with_laws),
            laws=len(laws),
            protective=protective,
            restrictive=len(laws) - protective,
            none_found=len(none_found),
            none_codes=", ".join(none_found),
        ),
    ]
    if pending:
        sentences.append(
            _(
                "Not yet searched ({count}): {codes}; these rows stay out of the researched table that reports "
                "consult, so no report reads them as checked."
            ).format(count=len(pending), codes=", ".join(pending))
        )
    sentences.append(
        _(
            "The table is not exhaustive: laws seen only in secondary sources are left out of the rules and listed "
            "below ({count} claims), so they raise no flag."
        ).format(count=len(claims))
    )
    lines = [
        " ".join(sentences),
        "",
        "| " + _("State") + " | " + _("Claim left out") + " | " + _("Why") + " |",
        "|---|---|---|",
    ]
    for code, claim in claims:
        cells = [code, claim["claim"], claim["why"]]
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines) + "\n"
