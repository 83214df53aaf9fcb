"""Sources ranked for the reader, and the sources register as a table.

A report is read by someone in one state. Federal law binds them, their own state's law binds them, and
everything else is an example of what another state (or a city elsewhere) chose to do. So every list of
sources puts federal law first, then the reader's state, then the reader's own cities and counties, then
other states, each group strongest source first, and labels the last two groups in words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, cast

from engine.errors import InputError, did_you_mean
from engine.i18n import _
from engine.report.types import ReportCitation
from engine.rules.model import Ruleset
from engine.rules.references import Citation

QUALITY_ORDER = ("primary", "secondary", "mirror", "unverified")
RELEVANCE_ORDER = ("federal", "own_state", "own_state_local", "other_state")


def relevance(jurisdiction: str, state: str | None) -> str:
    """Where a source stands for a reader in ``state``: federal, own_state, own_state_local or other_state."""
    if jurisdiction == "US":
        return "federal"
    where = jurisdiction.removeprefix("local:")
    if state and where == state:
        return "own_state_local" if jurisdiction.startswith("local:") else "own_state"
    return "other_state"


def relevance_label(jurisdiction: str, state: str | None) -> str:
    """The words shown beside a source ('' for federal law and the reader's own state law)."""
    where = jurisdiction.removeprefix("local:")
    kind = relevance(jurisdiction, state)
    if kind == "own_state_local":
        return _("local example from your state ({state})").format(state=where)
    if kind == "other_state":
        # Without the reader's state nothing is "another" state, but it is still only one state's rule.
        if state:
            return _("example from another state ({state})").format(state=where)
        return _("example from one state ({state})").format(state=where)
    return ""


def _quality_rank(quality: str) -> int:
    return QUALITY_ORDER.index(quality) if quality in QUALITY_ORDER else len(QUALITY_ORDER)


def ranked(citations: Iterable[Mapping[str, Any]], state: str | None) -> list[dict[str, Any]]:
    """Citation dicts ordered for the reader and labelled (``relevance``, ``label``); the order is stable."""
    out: list[dict[str, Any]] = []
    for citation in citations:
        jurisdiction = str(citation.get("jurisdiction") or "US")
        out.append(
            {
                **citation,
                "relevance": relevance(jurisdiction, state),
                "label": relevance_label(jurisdiction, state),
            }
        )
    return sorted(out, key=lambda c: (RELEVANCE_ORDER.index(c["relevance"]), _quality_rank(c.get("quality", ""))))


def cited(ruleset: Ruleset, ids: Iterable[str], state: str | None) -> list[ReportCitation]:
    """The register entries ``ids`` as report dicts, ranked and labelled for a reader in ``state``."""
    return as_report_citations(ranked((ruleset.citations[c].to_dict() for c in ids), state))


def as_report_citations(rows: list[dict[str, Any]]) -> list[ReportCitation]:
    """``ranked`` rows of register entries as the report types them: ``Citation.to_dict()`` (the rules layer,
    untyped) gives every key of a ``ReportCitation`` but the two ``ranked`` adds, so this is the one place the
    report takes the rules' word for it."""
    return cast(list[ReportCitation], rows)


def age_warning(citation: Citation, as_of: dt.date, days: int) -> str:
    """Why the source may be out of date on ``as_of`` ('' when it is not).

    Two rules, both with a window of ``days`` (a year by default): the last check (live or against the
    knowledge base) is older than the window, or the source is a summary (secondary or unverified) published
    before the window. A statute's or ruling's own text does not age by its publication date (it stays the
    law until changed, which a check catches); commentary does, because the law it describes may have moved.
    """
    reasons = []
    if (as_of - dt.date.fromisoformat(citation.checked_on)).days > days:
        reasons.append(
            _("last checked {checked}, more than a year before {day}").format(
                checked=citation.checked_on, day=as_of.isoformat()
            )
        )
    if (
        citation.published
        and citation.quality in ("secondary", "unverified")
        and (as_of - dt.date.fromisoformat(citation.published)).days > days
    ):
        reasons.append(
            _("a summary published {published}; the law it describes may have changed since").format(
                published=citation.published
            )
        )
    return "; ".join(reasons)


def list_sources(ruleset: Ruleset, state: str | None = None, as_of: dt.date | None = None) -> list[dict[str, Any]]:
    """Every citation with its quality, dates, jurisdiction and users, ranked for a reader in ``state``.

    Raises ``InputError`` for a ``state`` that is not a two-letter code. With ``state`` only federal sources
    and that state's own (state and local) sources are listed. Each row says which controls and flags cite
    it (state-law flags by their law id) and, when ``as_of`` is given, carries a ``warning`` for a source
    older than the ruleset's ``stale_after_days`` (a year by default; ``age_warning`` says what "older" means).
    """
    if state is not None:
        from engine.rules.parsing import US_STATES

        if state not in US_STATES:
            raise InputError(
                _("state {state} is not a two-letter state code (e.g. NM, CA).{suggestion}").format(
                    state=repr(state), suggestion=did_you_mean(state, US_STATES)
                )
            )
    used_by_controls: dict[str, list[str]] = {}
    for control in ruleset.controls.values():
        for cid in control.citations:
            used_by_controls.setdefault(cid, []).append(control.id)
    used_by_flags: dict[str, list[str]] = {}
    for flag in ruleset.flags.values():
        for cid in flag.citations:
            users = used_by_flags.setdefault(cid, [])
            if flag.id not in users:
                users.append(flag.id)
    days = ruleset.citation_policy.stale_after_days
    rows = []
    for citation in ruleset.citations.values():
        kind = relevance(citation.jurisdiction, state)
        if state and kind == "other_state":
            continue
        row = citation.to_dict()
        row["established"] = ruleset.citation_policy.is_established(citation)
        row["controls"] = used_by_controls.get(citation.id, [])
        row["flags"] = used_by_flags.get(citation.id, [])
        row["warning"] = age_warning(citation, as_of, days) if as_of is not None else ""
        rows.append(row)
    return ranked(rows, state)
