"""Counting for the roll-up: the tallies the component, cap and overall rules read (ruleset.yaml, "Roll-up").

Python only counts here; every threshold, core set and cap is data. Both backends (durable-rules and the
oracle) use these functions, so they count alike and the rules decide alike.

How findings count (rulesets/README.md, "Roll-up"):

* pass = 1 point, partial = 1/2, fail = 0; a partial known only to be *at least* partial is scored at its
  bound (1/2; its true outcome can only be better);
* a partial known only to be *at most* partial is scored at its lower end (a fail, 0 points), so it never
  helps a verdict before its open question is answered;
* both bounds count as undecided for coverage (and, on a core control, as an open core control);
* an undecided control (not answered) is left out of the score and counts as undecided;
* controls with ``scored: false``, not applicable or not in force are not counted at all.

Scoring an 'at most' bound at 0 rather than leaving it out keeps the score monotonic: making an answer less
protective can turn a partial into 'at most partial', and dropping a half point from the score could raise
the percentage of the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.rules.model import LEVEL_RANK, Institution, Ruleset

COUNTED = ("pass", "partial", "fail", "not_answered")

# The two completions of the open questions that bound the level (corrections 2026-12b §1): every open question
# answered the least protective way ("low") or the most protective way ("high"). Verdicts are monotonic, so each
# control's outcome at a corner is an end of the interval its finding already gives (rulesets/README.md,
# "Roll-up"): 'at least partial' is [partial, pass], 'at most partial' [fail, partial], not answered [fail, pass].
# A control left open only by a context question (which has no protective direction) is scored at the same ends:
# it may also turn out not to apply, which counts between a fail and a pass in every measure.
CORNER_KINDS: dict[str, dict[str, str]] = {
    "low": {
        "pass": "pass",
        "partial": "partial",
        "fail": "fail",
        "at_least": "partial",
        "at_most": "fail",
        "not_answered": "fail",
    },
    "high": {
        "pass": "pass",
        "partial": "partial",
        "fail": "fail",
        "at_least": "pass",
        "at_most": "partial",
        "not_answered": "pass",
    },
}
CORNERS = tuple(CORNER_KINDS)
# The outcomes a finding of each kind may still take, read by the capping flags that may fire at the low corner.
POSSIBLE = {
    "pass": ("pass",),
    "partial": ("partial",),
    "fail": ("fail",),
    "at_least": ("partial", "pass"),
    "at_most": ("fail", "partial"),
    "not_answered": ("fail", "partial", "pass"),
}


def corner_kinds(kinds: dict[str, str], corner: str) -> dict[str, str]:
    """control id -> its kind at one corner ("low" or "high"): every counted control decided."""
    ends = CORNER_KINDS[corner]
    return dict(zip(kinds, map(ends.__getitem__, kinds.values()), strict=True))


def kind_of(finding: Mapping[str, Any]) -> str:
    """'pass', 'partial', 'fail', 'at_least', 'at_most', 'not_answered' or 'excluded' for one finding."""
    outcome, bound = finding["outcome"], finding.get("bound")
    if outcome not in COUNTED:
        return "excluded"
    return bound or outcome


def decided(kind: str) -> bool:
    """Counts as decided for coverage: a definite outcome, not a bound."""
    return kind in ("pass", "partial", "fail")


def _scored_components(ruleset: Ruleset) -> dict[str, str]:
    """control id -> component, for the scored controls (once per ruleset: every tally reads it)."""
    return ruleset.memo.get(
        "scored_components", lambda: {c.id: c.component for c in ruleset.controls.values() if c.scored}
    )


def counted(ruleset: Ruleset, findings: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """control id -> kind, for the scored findings that count (not 'excluded')."""
    scored = _scored_components(ruleset)
    kinds = {}
    for cid, finding in findings.items():
        outcome = finding["outcome"]
        # Most findings are not applicable (other types' controls): skip them before anything else.
        if outcome in COUNTED and cid in scored:
            kinds[cid] = finding.get("bound") or outcome
    return kinds


def _measures(values: list[str], core_kinds: list[str]) -> dict[str, int]:
    """COMPONENT_MEASURES over the kinds of one component's counted findings (and those of its core controls)."""
    n_pass, n_partial, n_fail = values.count("pass"), values.count("partial"), values.count("fail")
    at_least, at_most = values.count("at_least"), values.count("at_most")
    applicable = len(values)
    n_decided = n_pass + n_partial + n_fail
    scored = n_decided + at_least + at_most
    partial = n_partial + at_least
    return {
        "applicable": applicable,
        "decided": n_decided,
        "undecided": applicable - n_decided,
        "scored": scored,
        "pass": n_pass,
        "partial": partial,
        "fail": n_fail,
        "at_least": at_least,
        "at_most": at_most,
        "not_answered": values.count("not_answered"),
        "not_passed": scored - n_pass,
        "score_percent": (100 * (2 * n_pass + partial)) // (2 * scored) if scored else 0,
        "decided_percent": (100 * n_decided) // applicable if applicable else 100,
        "core_applicable": len(core_kinds),
        "core_fail": core_kinds.count("fail"),
        "core_partial": core_kinds.count("partial") + core_kinds.count("at_least"),
        "core_undecided": sum(not decided(k) for k in core_kinds),
    }


def component_tallies(
    ruleset: Ruleset,
    findings: Mapping[str, Mapping[str, Any]],
    core: frozenset[str],
    kinds: dict[str, str] | None = None,
) -> dict[str, dict[str, int]]:
    """component id -> its counts (COMPONENT_MEASURES), every component in catalogue order, in one pass.

    ``kinds``: ``counted(ruleset, findings)`` when the caller already has it.
    """
    scored = _scored_components(ruleset)
    values: dict[str, list[str]] = {c: [] for c in ruleset.components}
    core_kinds: dict[str, list[str]] = {c: [] for c in ruleset.components}
    for cid, kind in (counted(ruleset, findings) if kinds is None else kinds).items():
        component = scored[cid]
        values[component].append(kind)
        if cid in core:
            core_kinds[component].append(kind)
    return {c: _measures(values[c], core_kinds[c]) for c in ruleset.components}


def capping_flag_ids(ruleset: Ruleset, flags: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Distinct ids of the raised flags that count towards the level caps, sorted."""
    return sorted({ruleset.flags[key].id for key in flags if ruleset.caps_level(ruleset.flags[key].id)})


def cap_tally(
    ruleset: Ruleset,
    findings: Mapping[str, Mapping[str, Any]],
    components: dict[str, dict[str, Any]],
    flags: dict[str, list[dict[str, Any]]],
    institution: Institution,
    kinds: dict[str, str] | None = None,
    capping: int | None = None,
) -> dict[str, int]:
    """Counts over the whole institution (CAP_MEASURES), read by level_caps and overall_rules.

    ``kinds``: ``counted(ruleset, findings)`` when the caller already has it (a corner's kinds for a corner).
    ``capping``: the number of capping flags to count instead of those raised in ``flags`` (a corner's).
    """
    core_controls, core_components = ruleset.core_for(institution)
    live = {c: v for c, v in components.items() if v["outcome"] != "not_applicable"}
    comp = [v["outcome"] for v in live.values()]
    kinds = counted(ruleset, findings) if kinds is None else kinds
    values = list(kinds.values())
    applicable = len(values)
    n_decided = sum(decided(k) for k in values)
    n_pass = values.count("pass")
    partial = values.count("partial") + values.count("at_least")
    scored = n_decided + values.count("at_least") + values.count("at_most")
    core_kinds = [k for cid, k in kinds.items() if cid in core_controls]
    return {
        "components_applicable": len(comp),
        "components_pass": comp.count("pass"),
        "components_partial": comp.count("partial"),
        "components_fail": comp.count("fail"),
        "components_not_answered": comp.count("not_answered"),
        "components_provisional": sum(bool(v.get("provisional")) for v in live.values()),
        # Core components with a verdict below pass (an unanswered one blocks 'strong' through
        # components_not_answered instead: it is not known to fall short).
        "core_components_not_pass": sum(
            v["outcome"] in ("partial", "fail") for c, v in live.items() if c in core_components
        ),
        "controls_applicable": applicable,
        "controls_decided": n_decided,
        "controls_scored": scored,
        "controls_pass": n_pass,
        "controls_partial": partial,
        "controls_fail": values.count("fail"),
        "controls_undecided": applicable - n_decided,
        "score_percent": (100 * (2 * n_pass + partial)) // (2 * scored) if scored else 0,
        "undecided_percent": (100 * (applicable - n_decided)) // applicable if applicable else 100,
        "core_applicable": len(core_kinds),
        "core_fail": core_kinds.count("fail"),
        "core_partial": core_kinds.count("partial") + core_kinds.count("at_least"),
        "core_undecided": sum(not decided(k) for k in core_kinds),
        "capping_flags": len(capping_flag_ids(ruleset, flags)) if capping is None else capping,
    }


def ceiling(ruleset: Ruleset, caps: dict[str, dict[str, Any]]) -> int:
    """The lowest level rank the fired caps allow (3 = strong when none fired)."""
    # An 'incomplete' cap (an open core control) sets no ceiling; overall_rules read core_undecided for it.
    return min((LEVEL_RANK.get(c["level"], LEVEL_RANK["strong"]) for c in caps.values()), default=LEVEL_RANK["strong"])
