"""Helpers shared by the renderers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.i18n import N_, _
from engine.report.types import Because, Component, Finding, Flag, LawRow, Overall, Report, Step
from engine.vocabulary import BOUND_WORDS, LEVEL_WORDS, OUTCOME_WORDS, institution_name


def level_words(overall: Overall) -> str:
    """'Developing — at least' for a level the open questions could still raise; '(provisional)' while a core
    control is open."""
    words = LEVEL_WORDS[overall["level"]]
    bound = overall.get("bound")
    if bound:
        words = _("{level} — {bound}").format(level=words, bound=BOUND_WORDS[bound])
    if overall.get("provisional") and overall["level"] != "incomplete":
        words = _("{words} (provisional)").format(words=words)
    return words


def relevant_findings(report: Report) -> list[Finding]:
    """Findings worth showing: everything except controls that do not apply."""
    return [f for f in report["findings"] if f["outcome"] != "not_applicable"]


def findings_by_component(report: Report) -> list[tuple[Component, list[Finding]]]:
    """(component, its relevant findings) in component order, skipping empty components."""
    findings = relevant_findings(report)
    out = []
    for component in report["components"]:
        rows = [f for f in findings if f["component"] == component["id"]]
        if rows:
            out.append((component, rows))
    return out


def because_line(item: Because) -> str:
    """One 'because' item in words."""
    if item["fact"].startswith("answers."):
        given = item["given"] if item["given"] is not None else _("not answered")
        if item.get("role") == "partial":
            return _("{question} — answered: {given} (this earns the partial credit)").format(
                question=item["text"], given=given
            )
        mark = {True: _("met"), False: _("not met"), None: _("unknown")}[item["met"]]
        if item.get("role") == "applies_when":
            line = _("{question} — answered: {given}; needed to apply: {needed} ({mark})")
        else:
            line = _("{question} — answered: {given}; needed for a pass: {needed} ({mark})")
        return line.format(question=item["text"], given=given, needed=item["needed"], mark=mark)
    return _("{fact}: {given} (needed {needed})").format(fact=item["fact"], given=item["given"], needed=item["needed"])


def institution_line(report: Report) -> str:
    """'Name (K-12 school or district; New Mexico; public body)': words, never ids (older reports: the raw fields)."""
    if report.get("institution_label"):
        return str(report["institution_label"])
    inst = report["institution"]
    types = inst["type"] if isinstance(inst["type"], str) else ", ".join(inst["type"])
    public = {True: _("public"), False: _("private"), None: _("public/private not given")}[inst["public"]]
    state = inst["state"] or _("state not given")
    return _("{name} ({types}; {state}; {public})").format(
        name=institution_name(inst["name"]), types=types, state=state, public=public
    )


def finding_words(finding: Finding | Component) -> str:
    """'Pass', or 'Partial — at least' for a bounded finding."""
    words = OUTCOME_WORDS[finding["outcome"]]
    bound = finding.get("bound")
    return _("{outcome} — {bound}").format(outcome=words, bound=BOUND_WORDS[bound]) if bound else words


def open_texts(finding: Finding) -> list[str]:
    """The text of each open question of a finding (its id when the report carries no 'because' detail)."""
    texts = {b.get("question"): b.get("text") for b in finding.get("because", []) if b.get("question")}
    return [texts.get(q) or q for q in finding.get("open_questions", [])]


def finding_marks(finding: Finding) -> list[str]:
    """Markers shown beside a finding: core control, informational (not scored)."""
    marks = []
    if finding.get("core"):
        marks.append(_("core"))
    if finding.get("scored") is False:
        marks.append(_("informational, not scored"))
    return marks


def component_words(component: Component) -> str:
    """'Partial — at least (provisional) · 3 of 5 decided · core' for the component tables."""
    words = finding_words(component)
    if component.get("provisional"):
        words = _("{words} (provisional)").format(words=words)
    coverage = component.get("coverage")
    if coverage and coverage["applicable"]:
        words += " · " + _("{decided} of {applicable} decided").format(**coverage)
    if component.get("core"):
        words += " · " + _("core")
    return words


def caps_lines(report: Report) -> list[str]:
    """One line per cap that limited the level."""
    return [c["explanation"] for c in report["overall"].get("caps", [])]


# How a source that is not the primary text is described beside its title.
QUALITY_NOTES = {
    "secondary": N_("secondary source"),
    "mirror": N_("mirror source"),
    "unverified": N_("unverified source"),
}


def source_notes(citation: Mapping[str, Any]) -> list[str]:
    """What a reader needs beside a source's title: its quality (unless primary), where it comes from
    (an example from another state, say) and how it was checked, all in words."""
    notes = []
    if citation.get("quality", "primary") != "primary":
        quality = citation["quality"]
        notes.append(
            _(QUALITY_NOTES[quality]) if quality in QUALITY_NOTES else _("{quality} source").format(quality=quality)
        )
    if citation.get("label"):
        notes.append(citation["label"])
    notes.append(citation.get("checked_text") or _("last verified {date}").format(date=citation.get("last_verified")))
    return notes


def flag_sources_line(flag: Flag) -> str:
    """A flag's sources in one line, federal law first, each with its label ('' when it cites nothing)."""
    cites = flag.get("citations") or []
    return "; ".join(c["title"] + (f" ({c['label']})" if c.get("label") else "") for c in cites)


STATE_LAW_TITLE = N_("State law stands in the way")  # message ids: _() them where they are shown
STATE_LAW_INTRO = N_(
    "These changes would close a gap, but a state law in force forbids them or may forbid them. Do not make them "
    "without counsel. Each names the law, what breaking it exposes people to, and what remains lawful; its model "
    "clause is left out of the draft policy."
)


def state_law_note(report: Report) -> str:
    """The report's sentence on whether the state's law was checked ('' for reports made before it existed)."""
    return str((report.get("state_law") or {}).get("note") or "")


def step_outcome(step: Step) -> str:
    """'Fail', 'Partial' or 'Partial, at most': a step keeps its finding's bound."""
    words = step.get("outcome_words") or OUTCOME_WORDS[step["outcome"]].lower()
    return words[:1].upper() + words[1:]


def law_lines(law: LawRow) -> list[str]:
    """A law standing in a step's way, in plain sentences: the conflict, the exposure, what remains lawful."""
    if law.get("may_apply"):
        answer = _(" and ").join(f"“{a}”" for a in law.get("answer") or [])
        head = _("Changing this may conflict with {law}: may apply, answer {answer}.").format(
            law=law["title"], answer=answer
        )
    else:
        head = _("Changing this would conflict with {law}.").format(law=law["title"])
    return [
        head,
        _("Exposure: {exposure}").format(exposure=law["exposure"]),
        _("What remains lawful: {still_lawful}").format(still_lawful=law["still_lawful"]),
    ]


def step_risks(step: Step) -> list[str]:
    """The legal risks of a lawful step (a state-law step lists its laws with law_lines instead)."""
    return [] if step.get("laws") else list(step.get("risks") or [])


def clause_line(step: Step) -> str:
    """'Clause to adopt: <title> (in the draft policy)', or why the draft leaves it out ('' without a clause)."""
    clause = step.get("clause")
    if not clause:
        return ""
    if clause.get("left_out"):
        return _("Model clause: {title} (left out of the draft policy, because state law forbids it)").format(
            title=clause["title"]
        )
    return _("Clause to adopt: {title} (in the draft policy)").format(title=clause["title"])
