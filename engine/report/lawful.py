"""Advice that is lawful where the institution stands: state law checked against what a step or clause would do.

The flags compiled from ``states.yaml`` answer one question, for the practice the institution has today. A
report must also answer two more before it tells anyone to change anything:

* would the *target* of a step (a control passing, as its change or its clause would make it) conflict with a
  state law in force on the as-of date? Such a step goes to "State law stands in the way", never among the
  steps to take first, and a draft leaves its clause out;
* does an open question decide whether a law applies at all (a Texas police agency that may be a county
  sheriff)? Then the law "may apply", and the report says which answer decides it.

It also says, for every report, whether the institution's state was researched for the state-law table at all:
"no legal risks" from an unresearched state means nothing was checked, not that nothing conflicts.

Everything here reads the ``LawEntry`` data the loader kept from ``states.yaml``; there is no per-state code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from engine.i18n import N_, _, current_language, ngettext
from engine.report.types import ActionPlan, Flag, LawRow, Report
from engine.report.types import StateLaw as StateLawSection
from engine.rules.model import Control, LawEntry, Ruleset, StateLaw, Submission
from engine.vocabulary import institution_name

_GAPS = ("fail", "partial")
PUBLIC_ASK = N_("Is the institution a public body?")  # message ids: _() them where they are shown
COUNSEL_MUST_ADVISE = N_("The sources the tool holds do not show what remains lawful; counsel must advise.")


def _types(institution: Mapping[str, Any]) -> tuple[str, ...]:
    kind = institution.get("type") or institution.get("types") or ()
    return (kind,) if isinstance(kind, str) else tuple(kind)


def _applies(
    entry: LawEntry, institution: Mapping[str, Any], facts: Mapping[str, Any], as_of: dt.date
) -> tuple[bool | None, list[str]]:
    """(True / None / False, the open questions that decide it) for an entry and an institution on a date."""
    if not entry.window.contains(as_of):
        return False, []
    filt = entry.institution
    if filt.types and not set(filt.types) & set(_types(institution)):
        return False, []
    open_asks: list[str] = []
    public = institution.get("public")
    if filt.public is not None:
        if public is None:
            open_asks.append("public")
        elif public is not filt.public:
            return False, []
    if entry.applies_when is not None:
        decided = entry.applies_when.evaluate(facts)
        if decided is False:
            return False, []
        if decided is None:
            open_asks += [leaf.name for leaf in entry.applies_when.leaves() if facts.get(leaf.name) is None]
    return (None if open_asks else True), open_asks


def _conflicts(ruleset: Ruleset) -> dict[tuple[str, str, str], tuple[tuple[StateLaw, LawEntry], ...]]:
    """(state, control, outcome) -> the conflict entries that forbid it, in table order; built once per ruleset
    (every gap of every report asks, and for most states and controls the answer is none)."""
    return ruleset.memo.get("lawful.conflicts", lambda: _conflicts_index(ruleset))


def _conflicts_index(ruleset: Ruleset) -> dict[tuple[str, str, str], tuple[tuple[StateLaw, LawEntry], ...]]:
    index: dict[tuple[str, str, str], list[tuple[StateLaw, LawEntry]]] = {}
    for law in ruleset.state_laws.values():
        for entry in law.entries:
            if entry.kind == "conflicts":
                for control in entry.controls:
                    for outcome in entry.outcomes:
                        index.setdefault((law.state, control, outcome), []).append((law, entry))
    return {k: tuple(v) for k, v in index.items()}


def _forbidden_controls(ruleset: Ruleset, state: str | None) -> frozenset[str]:
    """The controls whose pass some law of ``state`` may forbid (most states: none)."""
    return ruleset.memo.get(
        ("lawful.forbidden", state),
        lambda: frozenset(c for (st, c, o) in _conflicts(ruleset) if st == state and o == "pass"),
    )


def _openable(ruleset: Ruleset, state: str | None) -> tuple[tuple[StateLaw, LawEntry], ...]:
    """The conflict entries of ``state`` that an answer or the public/private field can leave open."""
    return ruleset.memo.get(
        ("lawful.openable", state),
        lambda: tuple(
            (law, entry)
            for law in laws_of(ruleset, state)
            for entry in law.entries
            if entry.kind == "conflicts" and (entry.applies_when is not None or entry.institution.public is not None)
        ),
    )


def laws_of(ruleset: Ruleset, state: str | None) -> list[StateLaw]:
    """The laws of the state-law table for ``state`` (none for an unresearched or unknown state)."""
    info = ruleset.states.get(state or "")
    return [ruleset.state_laws[law] for law in info.laws if law in ruleset.state_laws] if info else []


def _ask_text(ruleset: Ruleset, ask: str) -> str:
    if ask == "public":
        return _(PUBLIC_ASK)
    question = ruleset.questions.get(ask)
    return question.text if question else ask


def _law_row(ruleset: Ruleset, law: StateLaw, asks: list[str]) -> LawRow:
    asks = list(dict.fromkeys(asks))
    return {
        "id": law.id,
        "title": law.title,
        "exposure": law.exposure
        or _("The tool does not hold the consequences of breaking this law; counsel must advise."),
        "still_lawful": law.still_lawful or _(COUNSEL_MUST_ADVISE),
        "may_apply": bool(asks),
        "answer": [_ask_text(ruleset, a) for a in asks],
        "questions": [a for a in asks if a != "public"],
    }


def facts_of(report_or_answers: Mapping[str, Any], institution: Mapping[str, Any]) -> dict[str, Any]:
    """Answers with the institution fields a condition may test (as conditions see them)."""
    facts = dict(report_or_answers)
    for key in ("state", "public"):
        if institution.get(key) is not None:
            facts[key] = institution[key]
    return facts


def forbidding_laws(
    ruleset: Ruleset,
    institution: Mapping[str, Any],
    answers: Mapping[str, Any],
    as_of: dt.date,
    control: str,
    outcome: str = "pass",
) -> list[LawRow]:
    """The laws in force on ``as_of`` that forbid ``control`` reaching ``outcome`` for this institution.

    Each row names the law, its exposure and what stays lawful; ``may_apply`` rows are decided by open answers
    (listed under ``answer``). Laws that certainly do not apply are left out.
    """
    entries = _conflicts(ruleset).get((str(institution.get("state") or ""), control, outcome))
    if not entries:  # the usual case: no law of this state forbids this control
        return []
    facts = facts_of(answers, institution)
    found: dict[str, list[str]] = {}
    certain: set[str] = set()
    for law, entry in entries:
        applies, asks = _applies(entry, institution, facts, as_of)
        if applies is False:
            continue
        found.setdefault(law.id, []).extend(asks)
        if applies:
            certain.add(law.id)
    return [_law_row(ruleset, ruleset.state_laws[lid], [] if lid in certain else asks) for lid, asks in found.items()]


def _clause_controls(ruleset: Ruleset) -> dict[tuple[str, bool], tuple[Control, ...]]:
    """(clause id, private body?) -> the controls that recommend it; built once per ruleset."""
    return ruleset.memo.get("lawful.clause_controls", lambda: _clause_controls_index(ruleset))


def _clause_controls_index(ruleset: Ruleset) -> dict[tuple[str, bool], tuple[Control, ...]]:
    index: dict[tuple[str, bool], list[Control]] = {}
    for control in ruleset.controls.values():
        for private in (False, True):
            clause = control.clause_for(False if private else None)
            if clause:
                index.setdefault((clause, private), []).append(control)
    return {k: tuple(v) for k, v in index.items()}


def clause_laws(
    ruleset: Ruleset, institution: Mapping[str, Any], answers: Mapping[str, Any], as_of: dt.date, clause: str
) -> tuple[list[str], list[LawRow]]:
    """(the controls whose pass a law forbids, those laws) for adopting ``clause``.

    A clause's text implements every control of this kind of institution that recommends it, not only the gap it
    was drafted for: the no-detainer clause also bars transfers, so a North Carolina jail that already releases on
    time still may not adopt it.
    """
    types = set(_types(institution))
    barred: list[str] = []
    laws: dict[str, LawRow] = {}
    for control in _clause_controls(ruleset).get((clause, institution.get("public") is False), ()):
        if not types & set(control.applies_to):
            continue
        found = forbidding_laws(ruleset, institution, answers, as_of, control.id)
        if found:
            barred.append(control.id)
            for law in found:
                laws.setdefault(law["id"], law)
    return barred, list(laws.values())


def may_apply_flags(ruleset: Ruleset, report: Report, answers: Mapping[str, Any], as_of: dt.date) -> list[Flag]:
    """Conflict flags that open answers decide: the current practice would conflict if the answer goes one way.

    A raised flag already says "This practice conflicts with ..."; these say "may apply" and name the question.
    A finding bounded 'at most partial' is left out like in the raised flags: its known answers are already the
    unprotective ones, so no conflict rests on them.
    """
    institution = report["institution"]
    candidates = [
        (law, entry)
        for law, entry in _openable(ruleset, institution.get("state"))
        if entry.applies_when is not None or institution.get("public") is None
    ]
    if not candidates:  # nothing an open answer could decide
        return []
    facts = facts_of(answers, institution)
    raised = {f["id"] for f in report.get("flags", [])}
    outcomes = {f["control"]: f for f in report["findings"]}
    rows: dict[str, Flag] = {}
    for law, entry in candidates:
        if f"RISK-STATE-CONFLICT:{law.id}" in raised:
            continue
        controls = [
            c
            for c in entry.controls
            if c in outcomes and outcomes[c]["outcome"] in entry.outcomes and outcomes[c].get("bound") != "at_most"
        ]
        if not controls:
            continue
        applies, asks = _applies(entry, institution, facts, as_of)
        if applies is not None:
            continue
        law_row = _law_row(ruleset, law, asks)
        row = rows.setdefault(
            law.id,
            {
                "id": f"RISK-STATE-CONFLICT-MAY-APPLY:{law.id}",
                "kind": "risk",
                "status": "may_apply",
                "title": _("May apply: this practice would conflict with {law}; answer {answer}").format(
                    law=law.title, answer=_(" and ").join(f"“{a}”" for a in law_row["answer"])
                ),
                "explanation": entry.explanation,
                "controls": [],
                "rules": [f"states.yaml: {law.id}"],
                "questions": law_row["questions"],
                "citations": [],
            },
        )
        row["controls"] += [c for c in controls if c not in row["controls"]]
    return list(rows.values())


def rules_date(ruleset: Ruleset) -> str:
    """The date the rules' state law was last researched: the latest ``researched_on`` of the state table, or
    (before the table carried those dates) the latest date a state source was checked."""
    return ruleset.memo.get("lawful.rules_date", lambda: _rules_date(ruleset))


def _rules_date(ruleset: Ruleset) -> str:
    dates = [s.researched_on for s in ruleset.states.values() if s.researched_on]
    if not dates:
        dates = [c.checked_on for c in ruleset.citations.values() if c.state and c.checked_on]
    return max(dates, default="") or ruleset.version


def state_name(ruleset: Ruleset, state: str | None) -> str | None:
    """A state's name from the table, or from the list of US states and territories."""
    if not state:
        return None
    info = ruleset.states.get(state)
    if info:
        return info.name
    from engine.run.spellings import states

    return dict(states()).get(state, state)


def state_law_section(
    ruleset: Ruleset, institution: Mapping[str, Any], answers: Mapping[str, Any], as_of: dt.date
) -> StateLawSection:
    """The report's top-level ``state_law``: whether the state was researched, and in words what that means, with
    the laws in force that restrict this kind of institution (``laws``: each with its exposure).

    It depends only on the institution, the date and the few answers the state's entries test, which batch runs
    and repeated evaluations share, so it is built once per such key; each report gets its own copy.
    """
    state = institution.get("state")
    asked = tuple(
        q for _, entry in _openable(ruleset, state) if entry.applies_when for q in entry.applies_when.references()
    )
    key = (
        current_language(),  # the section's note and rows are sentences in the run's language
        state,
        _types(institution),
        institution.get("public"),
        as_of,
        tuple(answers.get(q) for q in asked),
    )
    sections = ruleset.memo.bounded("lawful.state_law_section", 4096)
    found: StateLawSection | None = sections.get(key)
    if found is None:
        found = _state_law_section(ruleset, institution, answers, as_of)
        sections.put(key, found)
    # The report's own copy: a few small rows, so copying is cheaper than making every level read-only.
    laws: list[LawRow] = [
        {**row, "answer": list(row["answer"]), "questions": list(row["questions"])} for row in found["laws"]
    ]
    return {**found, "laws": laws}


def _state_law_section(
    ruleset: Ruleset, institution: Mapping[str, Any], answers: Mapping[str, Any], as_of: dt.date
) -> StateLawSection:
    state = institution.get("state")
    name = state_name(ruleset, state)
    info = ruleset.states.get(state or "")
    when = rules_date(ruleset)
    bearing: list[LawRow] = []
    facts = facts_of(answers, institution)
    types = set(_types(institution))
    if info:
        for law in laws_of(ruleset, state):
            asks: list[str] = []
            applies = _warns(law, institution, as_of)
            for entry in law.entries if not applies else ():
                if entry.kind != "conflicts" or not any(
                    types & set(ruleset.controls[c].applies_to) for c in entry.controls if c in ruleset.controls
                ):
                    continue  # a mandate, or a conflict over controls this kind of institution does not have
                decided, open_asks = _applies(entry, institution, facts, as_of)
                if decided is True:
                    applies, asks = True, []
                    break
                if decided is None:
                    applies = True
                    asks += open_asks
            if applies:
                bearing.append(_law_row(ruleset, law, asks))
    if not state:
        note = _(
            "No state was given, so no state's law was checked; name the institution's state to see the state-law "
            "flags, and have counsel check your state's law."
        )
    elif info:
        note = _checked_note(ruleset, info, name or "", when, as_of)
    else:
        note = _(
            "State law for {state} has not been checked by this tool (rules of {when}); have counsel check it."
        ).format(state=name, when=when)
    return {
        "state": state,
        "name": name,
        # A row whose only findings are claims nobody read in a primary text was not checked in any useful sense.
        "researched": info is not None and not (info.not_verified and not info.laws),
        "researched_on": (info.researched_on or when) if info else None,
        "note": note,
        "laws": bearing,
    }


def _warns(law: StateLaw, institution: Mapping[str, Any], as_of: dt.date) -> bool:
    """True when ``law`` binds this kind of institution whatever its answers (``warn_types``), on ``as_of``."""
    return (
        bool(set(law.warn_types) & set(_types(institution)))
        and law.effective.contains(as_of)
        and institution.get("public") is not False
    )


def _claim_name(claim: Mapping[str, str]) -> str:
    return claim.get("short") or claim["claim"]


def _checked_note(ruleset: Ruleset, info: Any, name: str, when: str, as_of: dt.date) -> str:
    """What the table holds for a researched row, in words: the laws read in their text, and any reported laws that
    were not (which must never read as "no conflicts")."""
    if info.researched_on:
        researched = _(" on {date}").format(date=info.researched_on)
    else:
        researched = _(" (rules of {when})").format(when=when)
    unread = ""
    if info.not_verified:
        unread = _(
            "State law for {state} has not been checked by this tool against the text of these reported laws "
            "(rules of {when}): {laws}; have counsel check them."
        ).format(state=name, when=when, laws="; ".join(_claim_name(c) for c in info.not_verified))
    if not info.laws:
        searched = " " + _("Searched{researched}, no primary text of a statewide law on the subject was found.").format(
            researched=researched
        )
        if unread:
            return unread + searched
        return _(
            "State law for {state} was checked by this tool{researched}: no statewide law on the subject was found, "
            "applied as of {date}. The table may not hold every law; have counsel confirm it."
        ).format(state=name, researched=researched, date=as_of.isoformat())
    titles = "; ".join(ruleset.state_laws[law].title for law in info.laws if law in ruleset.state_laws)
    count = ngettext("{n} law read in its text", "{n} laws read in their text", len(info.laws)).format(n=len(info.laws))
    checked = _(
        "State law for {state} was checked by this tool{researched}: {count} ({laws}), applied as of {date}."
    ).format(state=name, researched=researched, count=count, laws=titles, date=as_of.isoformat())
    closing = _("The table may not hold every law; have counsel confirm it.")
    return " ".join(p for p in (checked, unread, closing) if p)


def reported_law_notes(ruleset: Ruleset, plan: ActionPlan, state: str | None) -> None:
    """Mark each lawful step whose control a reported-but-unread law names (``not_verified[*].controls``): no
    conflict is asserted and nothing is held back, but the step says counsel should check that law first."""
    info = ruleset.states.get(state or "") or ruleset.unresearched_states.get(state or "")
    named: dict[str, list[str]] = {}
    for claim in info.not_verified if info else ():
        for control in claim.get("controls") or ():
            named.setdefault(control, []).append(_claim_name(claim))
    if not named:
        return
    for step in plan["steps"]:
        claims = named.get(step["control"])
        if claims:
            step["reported_laws"] = claims
            step["risks"] = [
                *step["risks"],
                *(
                    _(
                        "A reported law may stand in the way: {law}. This tool has not read its text; have counsel "
                        "check it before changing this."
                    ).format(law=c)
                    for c in claims
                ),
            ]


def step_laws(ruleset: Ruleset, report: Report, as_of: dt.date) -> dict[str, list[LawRow]]:
    """control -> the state laws in force that forbid (or may forbid) the pass its step aims at, judged on the
    answers as the step's change would leave them."""
    barred = _forbidden_controls(ruleset, report["institution"].get("state"))
    if not barred:
        return {}
    found = {}
    for finding in report["findings"]:
        if finding["outcome"] not in _GAPS or finding["control"] not in barred:
            continue
        trial = {**report["answers"], **{c["question"]: c["value"] for c in finding.get("to_pass") or []}}
        laws = forbidding_laws(ruleset, report["institution"], trial, as_of, finding["control"])
        if laws:
            found[finding["control"]] = laws
    return found


def institution_label(ruleset: Ruleset, submission: Submission) -> str:
    """'Name (K-12 school or district; New Mexico; public body)': the institution in words, no ids."""
    inst = submission.institution
    labels = ruleset.memo.bounded("lawful.institution_label", 4096)
    key = (inst.types, inst.state, inst.public, current_language())
    words = labels.get(key)
    if words is None:
        kinds = _(" and ").join(
            ruleset.institution_types[t]["title"] for t in inst.types if t in ruleset.institution_types
        )
        public = {True: _("public body"), False: _("private body"), None: _("public or private not given")}[inst.public]
        state = state_name(ruleset, inst.state) or _("state not given")
        words = " " + _("({types}; {state}; {public})").format(types=kinds, state=state, public=public)
        labels.put(key, words)
    return institution_name(inst.name) + words


def barred_clauses(ruleset: Ruleset, report: Report, as_of: dt.date) -> set[str]:
    """The recommended clauses of the report's gaps that the draft leaves out (``clause_laws`` finds a law)."""
    if not report["state_law"]["laws"]:  # no law in force restricts this institution: nothing to leave out
        return set()
    clauses = {clause["id"] for f in report["findings"] if (clause := f.get("recommended_clause"))}
    answers = report["answers"]
    return {c for c in clauses if clause_laws(ruleset, report["institution"], answers, as_of, c)[1]}
