"""The roll-up part of the report: open questions and bounds, components with coverage, the level and its caps."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from engine.i18n import N_, _, ngettext
from engine.report.plan import ReportPlan
from engine.report.types import Cap, Component, DerivationStep, Overall
from engine.rules.conditions import Condition
from engine.rules.model import LEVEL_RANK, Control, Ruleset, Submission
from engine.rules.wording import fill
from engine.run.derive import Derivation, corner_capping_ids
from engine.run.tally import CORNER_KINDS, COUNTED, decided, kind_of
from engine.vocabulary import LEVEL_WORDS

# A component whose verdict the open questions can still move: what they can still make of it.
COMPONENT_RANGE_WORDS = {
    ("partial", "pass"): N_(
        "It partly passes at least, and passes if its open questions are answered the protective way."
    ),
    ("fail", "partial"): N_(
        "The answers given already rule out a pass; the open questions decide between partial and fail."
    ),
    ("fail", "pass"): N_("The open questions decide it: it could still pass, partly pass or fail."),
}
# How many open questions a headline names by their text before it gives only the count of the rest.
HEADLINE_QUESTIONS = 5


# What to ask for when a control's answer conditions test an institution field that was not given
# (XC-AC-LOG tests public/private, LE-AX-TRUST the state): plain words, as the question texts are.
INSTITUTION_ASKS = {
    "public": N_("Whether the institution is a public body (say so in the institution details)"),
    "state": N_("Which state the institution is in (say so in the institution details)"),
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
    return [_(INSTITUTION_ASKS[f]) for f in fields if f in INSTITUTION_ASKS]


def _open_conditions(control: Control, answers: dict[str, Any], reason: str) -> list[Any]:
    conds: list[Condition | None]
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
    texts = " / ".join([*(ruleset.questions[q].text for q in questions), *asks]) or _("the institution details")
    if bound == "at_least":
        return _(
            "At least partial: the answers given already earn partial credit and rule out a fail; "
            "it passes or stays partial depending on: {questions}"
        ).format(questions=texts)
    return _(
        "At most partial: the answers given already rule out a pass; it partly passes or fails depending on: "
        "{questions}"
    ).format(questions=texts)


def components_section(
    ruleset: Ruleset,
    derivation: Derivation,
    core_components: frozenset[str],
    types: tuple[str, ...],
    plan: ReportPlan,
) -> tuple[list[Component], list[DerivationStep]]:
    """(components, their derivations): verdict, coverage, provisional mark and core marker per component.

    ``types``: the institution's types (the other types' controls never count, so are not looked at).
    """
    components: list[Component] = []
    derivations: list[DerivationStep] = []
    members = plan.scored_for(types)
    for cid, meta in ruleset.components.items():
        verdict = derivation.components[cid]
        rule = plan.component_rules[verdict["rule"]]
        tally = dict(verdict["tally"])
        provisional = bool(verdict.get("provisional"))
        explanation = fill(rule.explanation, tally)
        bound = verdict.get("bound")
        span = verdict.get("range") or {"lowest": verdict["outcome"], "highest": verdict["outcome"]}
        if bound or (verdict["outcome"] == "not_answered" and span["lowest"] != span["highest"]):
            explanation += " " + _(COMPONENT_RANGE_WORDS[(span["lowest"], span["highest"])])
        if provisional:
            explanation += " " + _("Provisional: too few of its controls (or a core control) are decided yet.")
        components.append(
            {
                "id": cid,
                "title": meta["title"],
                "outcome": verdict["outcome"],
                "bound": bound,
                "range": {"lowest": span["lowest"], "highest": span["highest"]},
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
    plan: ReportPlan,
) -> list[dict[str, Any]]:
    # The caps listed are those of the high corner: they hold whatever the open questions say.
    if behind in ("core_fail", "core_partial"):
        wanted = behind.removeprefix("core_")
        return [
            {"control": cid, "title": ruleset.controls[cid].title, "id": cid}
            for cid, kind in core_kinds.items()
            if CORNER_KINDS["high"].get(kind) == wanted
        ]
    if behind == "core_components":
        return [
            {"component": cid, "title": ruleset.components[cid]["title"], "id": cid}
            for cid, v in derivation.corners["high"]["components"].items()
            if cid in core_components and v["outcome"] in ("partial", "fail")
        ]
    if behind == "core_undecided":
        return [
            {"control": cid, "title": ruleset.controls[cid].title, "id": cid}
            for cid, kind in core_kinds.items()
            if kind not in ("pass", "partial", "fail", "excluded")
        ]
    titles = plan.flag_titles
    high = corner_capping_ids(ruleset, derivation.findings, derivation.flags, None, {}, None)["high"]
    return [{"flag": fid, "title": titles[fid], "id": fid} for fid in sorted(high)]


def overall_section(
    ruleset: Ruleset,
    submission: Submission,
    derivation: Derivation,
    core: tuple[frozenset[str], frozenset[str]],
    plan: ReportPlan,
    opened: Mapping[str, list[str]] | None = None,
) -> tuple[Overall, list[DerivationStep]]:
    """(overall, cap derivations): the level with its range and bound, its explanation, and every cap that limits it.

    ``core``: the institution's (core controls, core components), ``ruleset.core_for(institution)``.
    ``opened``: control id -> its finding's open questions, where the report already has them (not found again).
    The level is the low corner's (every open question answered the least protective way); the caps listed are
    the high corner's that sit at the highest level still reachable: they hold whatever the open questions say.
    """
    core_controls, core_components = core
    findings = derivation.findings
    # Read by the caps and by the open core controls: each core control's kind, once, in catalogue order.
    core_kinds = {cid: kind_of(findings[cid]) for cid in plan.in_order(core_controls)}
    verdict = derivation.overall
    level, bound, span = verdict["level"], verdict["bound"], verdict["range"]
    rule = plan.overall_rules[verdict["rule"]]
    tally = dict(verdict["tally"])
    highest_rank = LEVEL_RANK.get(span["highest"], LEVEL_RANK["strong"])
    caps: list[Cap] = []
    derivations: list[DerivationStep] = []
    for cap in ruleset.level_caps:
        if cap.id not in derivation.caps:
            continue
        items = _cap_items(ruleset, cap.behind, derivation, core_kinds, core_components, plan)
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
        # A cap limits the level when the highest level still reachable sits at it (a lower cap, such as two
        # failing core controls, is listed in its place).
        if cap.level == "incomplete" or cap.rank != highest_rank:
            continue
        for item in items:
            # The item's control, component or flag key and its title, spread between level and explanation.
            entry = {
                "cap": cap.id,
                "level": cap.level,
                **{k: v for k, v in item.items() if k != "id"},
                "explanation": fill(
                    cap.explanation, {**verdict["tally_high"], "title": item["title"], "id": item["id"]}
                ),
            }
            caps.append(cast(Cap, entry))
    caps_text = "".join(f" {c['explanation']}" for c in caps)
    scored = plan.scored_ids_for(tuple(submission.institution.types))
    open_ids = _open_level_questions(ruleset, submission, derivation, core_kinds, scored, opened or {})
    headline = _headline(ruleset, level, bound, span, open_ids, verdict["provisional"], core_kinds)
    body = fill(rule.explanation, {**tally, "caps_text": caps_text, "core_open": ""})
    if level == "incomplete":
        text = headline
    else:
        text = " ".join(part for part in (headline, body) if part)
        if open_ids:
            text += " " + _("These figures count each open question at its least protective answer.")
    overall: Overall = {
        "level": level,
        "bound": bound,
        "range": {"lowest": span["lowest"], "highest": span["highest"]},
        "provisional": verdict["provisional"],
        "headline": headline,
        "decided_by": open_ids if span["lowest"] != span["highest"] else [],
        "explanation": " ".join(text.split()),
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


def _open_level_questions(
    ruleset: Ruleset,
    submission: Submission,
    derivation: Derivation,
    core_kinds: dict[str, str],
    scored: frozenset[str],
    opened: Mapping[str, list[str]],
) -> list[str]:
    """The open questions of the scored controls the open answers can still move, core controls first.

    ``scored``: the scored controls written for the institution's types (the others' findings are excluded, so
    cannot move), looked up before a finding's kind because most findings are of controls for other types.
    """
    findings = derivation.findings
    moving = [cid for cid, kind in core_kinds.items() if kind in ("at_least", "at_most", "not_answered")]
    moving += [
        cid
        for cid, finding in findings.items()
        if cid in scored and cid not in core_kinds and kind_of(finding) in ("at_least", "at_most", "not_answered")
    ]
    seen: dict[str, None] = {}
    for cid in moving:
        known = opened.get(cid)
        asks = (
            known
            if known is not None
            else open_questions(ruleset.controls[cid], submission.answers, findings[cid]["reason"])
        )
        for q in asks:
            seen.setdefault(q, None)
    return list(seen)


def _question_list(ruleset: Ruleset, ids: list[str]) -> str:
    texts = [f"“{ruleset.questions[q].text}”" for q in ids[:HEADLINE_QUESTIONS]]
    rest = len(ids) - len(texts)
    more = ngettext(
        "; and {n} more (listed under each open control)", "; and {n} more (listed under each open control)", rest
    )
    return "; ".join(texts) + (more.format(n=rest) if rest > 0 else "")


def _headline(
    ruleset: Ruleset,
    level: str,
    bound: str | None,
    span: dict[str, str],
    open_ids: list[str],
    provisional: bool,
    core_kinds: dict[str, str],
) -> str:
    """The level in one sentence, true of this report: what the open questions can and cannot change."""
    n = len(open_ids)
    if level == "incomplete":
        if not n:
            return _("The open details decide the level: it could be anything from weak to strong.")
        return ngettext(
            "The open questions decide the level: answered the least protective way they give weak, answered the "
            "most protective way strong. Answer this question first: {questions}.",
            "The open questions decide the level: answered the least protective way they give weak, answered the "
            "most protective way strong. Answer these {n} questions first: {questions}.",
            n,
        ).format(n=n, questions=_question_list(ruleset, open_ids))
    words = _level_name(level).capitalize()
    if bound == "at_least":
        reach = _level_name(span["highest"])
        if not n:
            return _("{level} at least — {reach} once the institution details are given.").format(
                level=words, reach=reach
            )
        return ngettext(
            "{level} at least — {reach} if this question is answered the protective way: {questions}.",
            "{level} at least — {reach} if these {n} questions are answered the protective way: {questions}.",
            n,
        ).format(level=words, reach=reach, n=n, questions=_question_list(ruleset, open_ids))
    if not n:
        return ""
    text = ngettext(
        "{level} whatever the open question says.", "{level} whatever the {n} open questions say.", n
    ).format(level=words, n=n)
    if provisional:
        open_core = [ruleset.controls[c].title for c, k in core_kinds.items() if not decided(k) and k != "excluded"]
        text += " " + _("Provisional while a core protection is not settled: {controls}.").format(
            controls="; ".join(f"“{t}”" for t in open_core)
        )
    return text


def _level_name(level: str) -> str:
    """A level as a word inside a sentence ('strong'); an unknown id as it is."""
    return LEVEL_WORDS[level].lower() if level in ("strong", "developing", "weak") else level
