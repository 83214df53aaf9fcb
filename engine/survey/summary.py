"""The --summary document: counts per level, component, control, type, state and flag."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from engine.rules.model import Level, Outcome, Ruleset
from engine.survey.layout import LIST_SEPARATOR


class SummaryBuilder:
    """Counts for the --summary JSON, fed one results row at a time (so memory stays flat)."""

    OUTCOMES = tuple(o.value for o in Outcome)
    LEVELS = (*(level.value for level in Level), "error")

    def __init__(self, ruleset: Ruleset) -> None:
        self.ruleset = ruleset
        self.components = list(ruleset.components)
        self.controls = list(ruleset.controls)
        self.total = self._group()
        self.by_type: dict[str, dict[str, Any]] = {}
        self.by_state: dict[str, dict[str, Any]] = {}
        self.control_counts = {c: dict.fromkeys((*self.OUTCOMES, "error"), 0) for c in self.controls}
        self.flags: dict[str, int] = {}
        first = 6
        self._component_slice = slice(first, first + len(self.components))
        self._flags_at = first + len(self.components)
        self._error_at = self._flags_at + 1
        self._controls_at = self._error_at + 1

    def _group(self) -> dict[str, Any]:
        return {
            "respondents": 0,
            "evaluated": 0,
            "errors": 0,
            "overall": dict.fromkeys(self.LEVELS, 0),
            "components": {c: dict.fromkeys((*self.OUTCOMES, "error"), 0) for c in self.components},
        }

    def add(self, row: list[Any]) -> None:
        """Count one results row (in ``results_columns`` order)."""
        error = bool(row[self._error_at])
        level = "error" if error else row[5]
        components = ["error"] * len(self.components) if error else row[self._component_slice]
        types = [t for t in str(row[3]).split(LIST_SEPARATOR) if t]
        if not types or any(t not in self.ruleset.institution_types for t in types):
            types = ["(invalid or missing type)"]
        state = str(row[4]) or "(no state)"
        if error and state != "(no state)" and not re.fullmatch(r"[A-Z]{2}", state):
            state = "(invalid state)"
        groups = [self.total]
        groups += [self.by_type.setdefault(t, self._group()) for t in types]
        groups.append(self.by_state.setdefault(state, self._group()))
        for group in groups:
            group["respondents"] += 1
            group["errors" if error else "evaluated"] += 1
            group["overall"][level] += 1
            for cid, outcome in zip(self.components, components, strict=True):
                group["components"][cid][outcome] += 1
        if error:
            for cid in self.controls:
                self.control_counts[cid]["error"] += 1
            return
        for cid, outcome in zip(self.controls, row[self._controls_at :], strict=True):
            self.control_counts[cid][outcome] += 1
        for flag in filter(None, str(row[self._flags_at]).split(LIST_SEPARATOR)):
            self.flags[flag] = self.flags.get(flag, 0) + 1

    def result(self, *, source: str, as_of: dt.date, problems: list[str], ignored: list[str]) -> dict[str, Any]:
        """The summary document (see the module docstring of engine.cli.batch for its shape)."""
        failed = []
        for cid, counts in self.control_counts.items():
            applicable = sum(counts[o] for o in ("pass", "partial", "fail", "not_answered"))
            if counts["fail"]:
                control = self.ruleset.controls[cid]
                failed.append(
                    {
                        "control": cid,
                        "title": control.title,
                        "component": control.component,
                        "fail": counts["fail"],
                        "partial": counts["partial"],
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
            **{k: self.total[k] for k in ("respondents", "evaluated", "errors", "overall", "components")},
            "by_institution_type": dict(sorted(self.by_type.items())),
            "by_state": dict(sorted(self.by_state.items())),
            "controls_most_failed": failed[:10],
            "flags": dict(sorted(self.flags.items(), key=lambda kv: (-kv[1], kv[0]))),
            "ignored_columns": ignored,
            "problems": problems,
        }
