"""Results cells: a finding's, a component's and the overall level's outcome as one word, and the decisions a
batch results row holds, read straight from the derivation.

Separate from the report (``engine.report.build``) because a batch row needs no report: ``outcomes`` reads the
derivation alone, and the survey's rows and summary read these words without building one.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from typing import Any

from engine.report.types import BatchOutcomes
from engine.rules.model import Ruleset
from engine.run.derive import Derivation


def flag_order(row: Mapping[str, Any]) -> tuple[bool, str]:
    """The order of flags in a report and in a batch row: risks first, then by id."""
    return row["kind"] != "risk", row["id"]


BOUNDED_CELLS = ("at_least_partial", "at_most_partial")  # the only bounds the rules derive are on 'partial'


class _Cells(dict):
    """(outcome, bound) -> results cell word; filled on first sight of each pair (a handful)."""

    def __missing__(self, key: tuple[str, str | None]) -> str:
        outcome, bound = key
        self[key] = word = f"{bound}_{outcome}" if bound else outcome
        return word


_CELLS = _Cells()
_OUTCOME_AND_BOUND = operator.itemgetter("outcome", "bound")  # every finding, derived or reported, has both keys


def outcome_cell(finding: Mapping[str, Any]) -> str:
    """A finding's outcome as one word for a results cell, its bound included: ``at_least_partial`` or
    ``at_most_partial`` when blanks leave it open, so a bound is never read as a decided ``partial``."""
    return _CELLS[_OUTCOME_AND_BOUND(finding)]


def outcomes(ruleset: Ruleset, derivation: Derivation) -> BatchOutcomes:
    """The decisions a batch results row holds, read straight from the derivation (no report needed).

    ``level`` (``at_least_developing`` when the open questions could still raise it, see ``level_cell``),
    ``components`` (id -> outcome, ``at_least_partial`` / ``at_most_partial`` for a bounded verdict),
    ``provisional`` (the components whose verdict is provisional, in ruleset order, then ``overall`` while a core
    control is open), ``flags`` (ids in report order), ``findings`` (control -> ``outcome_cell``): the same values
    ``build_report`` puts in the report (tests/test_batch_bounds.py checks batch rows against reports).
    """
    # Called once per batch row: dict(zip(keys, map(itemgetter))) builds the tables in C.
    flags = {ruleset.flags[key].id: ruleset.flags[key].kind for key in derivation.flags}
    components, findings = derivation.components, derivation.findings
    overall = derivation.overall
    return {
        "level": _CELLS[(overall["level"], overall["bound"])],
        "components": dict(
            zip(components, map(_CELLS.__getitem__, map(_OUTCOME_AND_BOUND, components.values())), strict=True)
        ),
        "provisional": [cid for cid in ruleset.components if components[cid].get("provisional")]
        + (["overall"] if overall["provisional"] else []),
        "flags": sorted(flags, key=lambda f: flag_order({"id": f, "kind": flags[f]})) if len(flags) > 1 else [*flags],
        # outcome_cell for each finding, in C: 64 per batch row.
        "findings": dict(
            zip(findings, map(_CELLS.__getitem__, map(_OUTCOME_AND_BOUND, findings.values())), strict=True)
        ),
    }


def level_cell(overall: Mapping[str, Any]) -> str:
    """The overall level as one word for a results cell: ``at_least_developing`` when it is only a lower bound."""
    return _CELLS[(overall["level"], overall["bound"])]
