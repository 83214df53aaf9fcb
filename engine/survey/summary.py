"""The --summary document: counts per level, component, control, type, state and flag."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from typing import Any

from engine.i18n import N_
from engine.report.cells import BOUNDED_CELLS
from engine.rules.model import Level, Outcome, Ruleset
from engine.survey.layout import LIST_SEPARATOR, results_columns

# The groups of rows with no usable type or state. Their keys are data (the summary's JSON keeps these English words
# in every language); they are message ids, so a summary sheet titles the group in its reader's language.
NO_TYPE = N_("(invalid or missing type)")
NO_STATE = N_("(no state)")
BAD_STATE = N_("(invalid state)")


class SummaryBuilder:
    """Counts for the --summary JSON, fed one results row at a time (so memory stays flat).

    ``add`` only counts, in Counters (mostly in C): rows by (error?, level, institution types, state), component
    and control outcomes by (id, outcome); the per-group tables are built from those counts in ``result``.
    Filling nested per-group dicts row by row cost as much as reading the row. Every key is bounded by the
    ruleset's types, states and outcomes, never by the number of rows.
    """

    OUTCOMES = tuple(o.value for o in Outcome)
    # A control's cell may also hold a bound (``outcome_cell``): counted apart from the decided partials.
    CONTROL_CELLS = (*OUTCOMES, *BOUNDED_CELLS)
    APPLICABLE = ("pass", "partial", "fail", "not_answered", *BOUNDED_CELLS)
    # A level that the open questions could still raise is counted apart (``at_least_developing``), like a bound.
    LEVELS = (*(level.value for level in Level), "at_least_weak", "at_least_developing", "error")
    COMPONENT_CELLS = (*OUTCOMES, *BOUNDED_CELLS)

    def __init__(self, ruleset: Ruleset) -> None:
        self.ruleset = ruleset
        self.components = list(ruleset.components)
        self.controls = list(ruleset.controls)
        # (error?, level, (type groups, state group)) -> rows
        self._levels: Counter[tuple[bool, str, tuple[tuple[str, ...], str]]] = Counter()
        # (type groups, state group) -> (component, outcome) -> evaluated rows
        self._component_outcomes: defaultdict[tuple[tuple[str, ...], str], Counter[tuple[str, str]]] = defaultdict(
            Counter
        )
        # (type groups, state group) -> component -> evaluated rows where its verdict is provisional
        self._provisional: defaultdict[tuple[tuple[str, ...], str], Counter[str]] = defaultdict(Counter)
        self._control_outcomes: Counter[tuple[str, str]] = Counter()  # (control, outcome) -> evaluated rows
        self._flags: Counter[str] = Counter()
        self._places: dict[tuple[Any, Any], tuple[tuple[str, ...], str]] = {}  # memo of _place for evaluated rows
        # Where each field sits in a results row: read from the layout, so a new column is added in one place.
        at = {name: i for i, name in enumerate(results_columns(ruleset))}
        self._type_at, self._state_at, self._level_at = at["institution_type"], at["state"], at["overall_level"]
        first = at["overall_level"] + 1  # the components follow the level
        self._component_slice = slice(first, first + len(self.components))
        self._provisional_at, self._flags_at, self._error_at = at["provisional"], at["flags"], at["error"]
        self._controls_at = at["duplicate_of"] + 1  # the controls follow the error and duplicate_of

    def _group(self) -> dict[str, Any]:
        return {
            "respondents": 0,
            "evaluated": 0,
            "errors": 0,
            "overall": dict.fromkeys(self.LEVELS, 0),
            "components": {c: dict.fromkeys((*self.COMPONENT_CELLS, "error"), 0) for c in self.components},
            # Evaluated rows whose verdict on the component (or, under "overall", the level) is provisional.
            "provisional": dict.fromkeys((*self.components, "overall"), 0),
        }

    def _place(self, error: bool, type_text: Any, state_text: Any) -> tuple[tuple[str, ...], str]:
        """The by-type groups and the by-state group a row is counted in."""
        types = tuple(t for t in str(type_text).split(LIST_SEPARATOR) if t)
        if not types or any(t not in self.ruleset.institution_types for t in types):
            types = (NO_TYPE,)
        state = str(state_text) or NO_STATE
        if error and state != NO_STATE and not re.fullmatch(r"[A-Z]{2}", state):
            state = BAD_STATE
        return types, state

    def add(self, row: list[Any]) -> None:
        """Count one results row (in ``results_columns`` order)."""
        self.add_rows([row])

    def add_rows(self, rows: list[list[Any]]) -> None:
        """Count a chunk of results rows, a column at a time.

        A batch writes chunks of rows; transposing one (``zip(*rows)``) lets a C-level Counter count each
        control's column instead of building 64 (control, outcome) pairs per row.
        """
        evaluated = []
        for row in rows:
            if row[self._error_at]:  # rare: it counts only by type and state, as an error
                self._levels[True, "error", self._place(True, row[self._type_at], row[self._state_at])] += 1
            else:
                evaluated.append(row)
        if not evaluated:
            return
        columns = list(zip(*evaluated, strict=True))
        # Type and state text: few distinct pairs in evaluated rows.
        types, states, levels = columns[self._type_at], columns[self._state_at], columns[self._level_at]
        for (type_text, state_text, level), count in Counter(zip(types, states, levels, strict=True)).items():
            self._levels[False, level, self._evaluated_place(type_text, state_text)] += count
        for at, cid in enumerate(self.components, start=self._component_slice.start):
            counted = Counter(zip(types, states, columns[at], strict=True))
            for (type_text, state_text, outcome), count in counted.items():
                self._component_outcomes[self._evaluated_place(type_text, state_text)][cid, outcome] += count
        for at, cid in enumerate(self.controls, start=self._controls_at):
            for outcome, count in Counter(columns[at]).items():
                self._control_outcomes[cid, outcome] += count
        for (type_text, state_text, ids), count in Counter(
            zip(types, states, columns[self._provisional_at], strict=True)
        ).items():
            for cid in filter(None, str(ids).split(LIST_SEPARATOR)) if ids else ():
                self._provisional[self._evaluated_place(type_text, state_text)][cid] += count
        for flags, count in Counter(columns[self._flags_at]).items():
            for flag in filter(None, str(flags).split(LIST_SEPARATOR)) if flags else ():
                self._flags[flag] += count

    def _evaluated_place(self, type_text: Any, state_text: Any) -> tuple[tuple[str, ...], str]:
        place = self._places.get((type_text, state_text))
        if place is None:
            place = self._places[type_text, state_text] = self._place(False, type_text, state_text)
        return place

    def _groups(self) -> tuple[dict[str, Any], dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
        """The totals, the groups by institution type and the groups by state, from the counts."""
        total = self._group()
        by_type: dict[str, dict[str, Any]] = {}
        by_state: dict[str, dict[str, Any]] = {}

        def groups(place: tuple[tuple[str, ...], str]) -> list[dict[str, Any]]:
            types, state = place
            return [
                total,
                *(by_type.setdefault(t, self._group()) for t in types),
                by_state.setdefault(state, self._group()),
            ]

        for (error, level, place), count in self._levels.items():
            for group in groups(place):
                group["respondents"] += count
                group["errors" if error else "evaluated"] += count
                group["overall"][level] += count
                if error:  # a row that could not be evaluated counts as an error in every component
                    for cid in self.components:
                        group["components"][cid]["error"] += count
        for place, outcomes in self._component_outcomes.items():
            for group in groups(place):
                for (cid, outcome), count in outcomes.items():
                    group["components"][cid][outcome] += count
        for place, provisional in self._provisional.items():
            for group in groups(place):
                for cid, count in provisional.items():
                    group["provisional"][cid] += count
        return total, by_type, by_state

    def result(self, *, source: str, as_of: dt.date, problems: list[str], ignored: list[str]) -> dict[str, Any]:
        """The summary document (see the module docstring of engine.cli.batch for its shape)."""
        total, by_type, by_state = self._groups()
        errors = total["errors"]
        control_counts = {c: dict.fromkeys((*self.CONTROL_CELLS, "error"), 0) for c in self.controls}
        for (cid, outcome), count in self._control_outcomes.items():
            control_counts[cid][outcome] += count
        for counts in control_counts.values():
            counts["error"] += errors
        failed: list[dict[str, Any]] = []
        for cid, counts in control_counts.items():
            applicable = sum(counts[o] for o in self.APPLICABLE)
            if counts["fail"]:
                control = self.ruleset.controls[cid]
                failed.append(
                    {
                        "control": cid,
                        "title": control.title,
                        "component": control.component,
                        "fail": counts["fail"],
                        "partial": counts["partial"],
                        # Bounds are not decided partials: "at most partial" may still be a fail.
                        **{cell: counts[cell] for cell in BOUNDED_CELLS},
                        "applicable": applicable,
                        "fail_percent": round(100 * counts["fail"] / applicable, 1),
                    }
                )
        failed.sort(key=lambda item: (-item["fail"], -item["partial"], item["control"]))
        return {
            "schema_version": 1,
            "source": source,
            "ruleset": {"id": self.ruleset.id, "version": self.ruleset.version, "hash": self.ruleset.content_hash},
            "as_of": as_of.isoformat(),
            **{k: total[k] for k in ("respondents", "evaluated", "errors", "overall", "components", "provisional")},
            "by_institution_type": dict(sorted(by_type.items())),
            "by_state": dict(sorted(by_state.items())),
            "controls_most_failed": failed[:10],
            "flags": dict(sorted(self._flags.items(), key=lambda kv: (-kv[1], kv[0]))),
            "ignored_columns": ignored,
            "problems": problems,
        }
