"""The roll-up part of the report: open questions and bounds, components with coverage, the level and its caps."""

from __future__ import annotations

from typing import Any

from engine.report.plan import report_plan
from engine.rules.model import LEVEL_RANK, Control, Ruleset, Submission
from engine.rules.wording import fill
from engine.run.derive import Derivation
from engine.run.tally import COUNTED, capping_flag_ids, decided, kind_of

BOUND_WORDS = {"at_least": "at least", "at_most": "at most"}


# What to ask for when a control's answer conditions test an institution field that was not given
# (XC-AC-LOG tests public/private, LE-AX-TRUST the state): plain words, as the question texts are.
INSTITUTION_ASKS = {
    "public": "Whether the institution is a public body (say so in the institution details)",
    "state": "Which state the institution is in (say so in the institution details)",
}


def open_questions(control: Control, answers: dict[str, Any], reason: str) -> list[str]:
    """The blank questions that would settle a finding the answers leave open (empty when it is decided).

    For 'at least partial' only the pass condition is open; for 'at most partial' only the partial one; for an
    undecided control, whether it applies (when that is open), else both conditions.
    """
    seen: dict[str, None] = {}
    for cond in _open_conditions(control, answers, reason):
        for q in cond.references():
            if q not in answers:
                seen.setdefault(q, None)
    return list(seen)


def open_institution_asks(
    control: Control, institution: dict[str, Any], answers: dict[str, Any], reason: str
) -> list[str]:
    """What to say about the institution (public body? which state?) to settle an open finding, in plain words.

    ``institution`` holds the known fields (state, public); a field the open conditions test but that is
    missing is asked for, so an open finding never says "still to answer" with nothing after it.
    """
    fields: dict[str, None] = {}
    for cond in _open_conditions(control, answers, reason):
        for leaf in cond.leaves():
            if leaf.subject == "institution" and institution.get(leaf.name) is None:
                fields.setdefault(leaf.name, None)
    return [INSTITUTION_ASKS[f] for f in fields if f in INSTITUTION_ASKS]


def _open_conditions(control: Control, answers: dict[str, Any], reason: str) -> list[Any]:
    if reason == "at_least":
        conds = [control.pass_condition]
    elif reason == "at_most":
        conds = [control.partial_condition]
    elif reason == "unanswered":
        applies = control.applies_when
        if applies is not None and applies.evaluate(answers) is None:
            conds = [applies]
        else:
            conds = [control.pass_condition, control.partial_condition]
    else:
        return []
    return [cond for cond in conds if cond is not None]


def bound_explanation(
    ruleset: Ruleset, bound: str, questions: list[str], asks: tuple[str, ...] | list[str] = ()
) -> str:
    """Plain words for a bounded finding, naming the questions (and institution details) that would settle it."""
    texts = " / ".join([*(ruleset.questions[q].text for q in questions), *asks]) or "the institution details"
    if bound == "at_least":
        return (
            "At least partial: the answers given already earn partial credit and rule out a fail; "
            f"it passes or stays partial depending on: {texts}"
        )
    return (
        f"At most partial: the answers given already rule out a pass; it partly passes or fails depending on: {texts}"
    )


def components_section(
    ruleset: Ruleset, derivation: Derivation, core_components: frozenset[str], types: tuple[str, ...]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(components, their derivations): verdict, coverage, provisional mark and core marker per component.

    ``types``: the institution's types (the other types' controls never count, so are not looked at).
    """
    components, derivations = [], []
    plan = report_plan(ruleset)
    members = plan.scored_for(types)
    for cid, meta in ruleset.components.items():
        verdict = derivation.components[cid]
        rule = plan.component_rules[verdict["rule"]]
        tally = dict(verdict["tally"])
        provisional = bool(verdict.get("provisional"))
        explanation = fill(rule.explanation, tally)
        if provisional:
            explanation += " Provisional: too few of its controls (or a core control) are decided yet."
        components.append(
            {
                "id": cid,
                "title": meta["title"],
                "outcome": verdict["outcome"],
                "explanation": explanation,
                "coverage": {"decided": tally["decided"], "applicable": tally["applicable"]},
                "provisional": provisional,
                "core": cid in core_components and verdict["outcome"] != "not_applicable",
                "rule": rule.id,
                "counts": tally,
            }
        )
        derivations.append(
            {
                "id": f"component:{cid}",
                "rule": f"COMPONENT:{rule.id}",
                "from": [f"finding:{c}" for c in members[cid] if derivation.findings[c]["outcome"] in COUNTED],
            }
        )
    return components, derivations


def _cap_items(
    ruleset: Ruleset,
    behind: str,
    derivation: Derivation,
    core_kinds: dict[str, str],
    core_components: frozenset[str],
) -> list[dict[str, Any]]:
    if behind == "core_fail":
        return [
            {"control": cid, "title": ruleset.controls[cid].title, "id": cid}
            for cid, kind in core_kinds.items()
            if kind == "fail"
        ]
    if behind == "core_components":
        return [
            {"component": cid, "title": ruleset.components[cid]["title"], "id": cid}
            for cid, v in derivation.components.items()
            if cid in core_components and v["outcome"] in ("partial", "fail")
        ]
    if behind == "core_undecided":
        return [
            {"control": cid, "title": ruleset.controls[cid].title, "id": cid}
            for cid, kind in core_kinds.items()
            if kind not in ("pass", "partial", "fail", "excluded")
        ]
    titles = report_plan(ruleset).flag_titles
    return [{"flag": fid, "title": titles[fid], "id": fid} for fid in capping_flag_ids(ruleset, derivation.flags)]


def overall_section(
    ruleset: Ruleset,
    submission: Submission,
    derivation: Derivation,
    core: tuple[frozenset[str], frozenset[str]],
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(overall, cap derivations): the level, its explanation, and every cap that limited it.

    ``core``: the institution's (core controls, core components), ``ruleset.core_for(institution)``.
    """
    core_controls, core_components = core
    findings = derivation.findings
    # Read by the caps and by the open core controls: each core control's kind, once, in catalogue order.
    core_kinds = {cid: kind_of(findings[cid]) for cid in report_plan(ruleset).in_order(core_controls)}
    level = derivation.overall["level"]
    rule = report_plan(ruleset).overall_rules[derivation.overall["rule"]]
    tally = dict(derivation.overall["tally"])
    caps, derivations = [], []
    for cap in ruleset.level_caps:
        if cap.id not in derivation.caps:
            continue
        items = _cap_items(ruleset, cap.behind, derivation, core_kinds, core_components)
        derivations.append(
            {
                "id": f"cap:{cap.id}",
                "rule": f"CAP:{cap.id}",
                "from": [
                    f"{'finding' if 'control' in i else 'component' if 'component' in i else 'flag'}:{i['id']}"
                    for i in items
                ],
            }
        )
        # A cap limited the level when the level sits at it. While the level is incomplete, the caps resting on
        # certain facts (a failed core control, a raised flag) already bound what answering the rest can earn; a
        # core component's verdict may still change, so it is not listed then.
        # An 'incomplete' cap (an open core control) limits only an incomplete level.
        if level == "incomplete" and cap.behind == "core_components":
            continue
        if level != "incomplete" and (cap.level == "incomplete" or LEVEL_RANK[level] != cap.rank):
            continue
        for item in items:
            caps.append(
                {
                    "cap": cap.id,
                    "level": cap.level,
                    **{k: v for k, v in item.items() if k != "id"},
                    "explanation": fill(cap.explanation, {**tally, "title": item["title"], "id": item["id"]}),
                }
            )
    caps_text = ""
    if caps:
        by_level: dict[str, list[str]] = {}
        for c in caps:
            if c["level"] == "incomplete":  # named with their open questions in core_open below
                continue
            short = (
                f"“{c['title']}” fails"
                if "control" in c
                else f"the {c['title']} component does not pass"
                if "component" in c
                else f"{c['title']} ({c['flag']})"
            )
            by_level.setdefault(c["level"], []).append(short)
        caps_text = " ".join(f"Capped at {lvl}: {'; '.join(items)}." for lvl, items in by_level.items())
        if caps_text:
            caps_text = (" Already known: " if level == "incomplete" else " ") + caps_text
    core_open = [cid for cid, kind in core_kinds.items() if not decided(kind) and kind != "excluded"]
    core_open_text = ""
    if core_open:
        parts = []
        known = {"state": submission.institution.state, "public": submission.institution.public}
        for cid in core_open:
            reason = findings[cid]["reason"]
            control = ruleset.controls[cid]
            qs = open_questions(control, submission.answers, reason)
            asks = open_institution_asks(control, known, submission.answers, reason)
            texts = " / ".join([*(ruleset.questions[q].text for q in qs), *asks]) or "the institution details"
            parts.append(f"“{ruleset.controls[cid].title}” (open: {texts})")
        if parts:
            core_open_text = ", including core control(s) " + "; ".join(parts)
    text = fill(rule.explanation, {**tally, "caps_text": caps_text, "core_open": core_open_text})  # collapsed
    if level == "incomplete" and caps_text:
        text = " ".join((text + caps_text).split())
    overall = {
        "level": level,
        "explanation": text,
        "rule": rule.id,
        "caps": caps,
        "counts": tally,
    }
    derivations.append(
        {
            "id": "overall",
            "rule": f"OVERALL:{rule.id}",
            "from": [f"component:{c}" for c in ruleset.components] + [f"cap:{c}" for c in derivation.caps],
        }
    )
    return overall, derivations
