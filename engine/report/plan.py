"""What every report on one ruleset shares, computed once per ruleset instead of once per report.

A report repeats, for each of the 60 controls, work that depends only on the rules: citation dicts, the
leaves of each condition with their question text and "needed" wording, the explanation of a control that
does not cover the institution's type, the controls of each component. Precomputing them made the explained
report about twice as cheap. ``to_pass`` (a small search over answer changes) is memoised on the answers the
control reads, because batch surveys repeat the same few answer patterns per control.

The plan is built by ``build_report_plan`` and owned by an ``Evaluator`` (engine/evaluator), which hands it to
``build_report``; nothing here is kept in a module global.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from engine.i18n import _, current_language
from engine.report.readonly import ReadOnlyDict, readonly
from engine.report.sources import as_report_citations, ranked
from engine.report.types import ReportCitation
from engine.rules import conditions
from engine.rules.conditions import Condition, Leaf
from engine.rules.memo import Memo
from engine.rules.model import Control, RollupRule, Ruleset

ANSWERED_MEMO_SIZE = 20_000


def label(ruleset: Ruleset, qid: str, value: Any) -> str:
    """An answer in words (choice labels, yes/no)."""
    question = ruleset.questions.get(qid)
    return question.label(value) if question else str(value)


@dataclass(frozen=True)
class LeafPlan:
    """One leaf of a condition with its fixed wording; only the given value changes between reports."""

    leaf: Leaf
    fact: str
    text: str
    needed: str


@dataclass(frozen=True)
class ControlPlan:
    """The fixed parts of one control's finding."""

    control: Control
    citations: tuple[dict[str, Any], ...]
    effective: ReadOnlyDict  # from, until: shared by every finding of the control
    applies_when: tuple[LeafPlan, ...]
    passing: tuple[LeafPlan, ...]
    partial: tuple[LeafPlan, ...]
    type_explanation: str  # why the control does not cover this kind of institution
    explained_by: tuple[str, ...]  # the questions its explanations read (conditions and {placeholders})
    answer_facts: tuple[tuple[str, str], ...]  # (question, "answers.<question>") for the proof tree
    # The institution fields (state, public) its scope or conditions test: only these join the memo keys, so a
    # control that never reads the state shares its explanations between institutions of every state.
    institution_fields: tuple[str, ...] = ()
    # explained_by + institution_fields, joined once: what answers_key reads for every finding of every report.
    key_fields: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key_fields", self.explained_by + self.institution_fields)


@dataclass(frozen=True)
class ReportPlan:
    """Everything a report needs from the ruleset alone."""

    controls: dict[str, ControlPlan]
    flag_citations: dict[str, tuple[dict[str, Any], ...]]  # flag rule key -> citations (state-law entries differ)
    component_scored: dict[str, tuple[str, ...]]  # the scored controls of each component (catalogue order)
    component_rules: dict[str, RollupRule]
    overall_rules: dict[str, RollupRule]
    _ranked: dict[tuple[str, str | None], tuple[ReportCitation, ...]] = field(default_factory=dict, repr=False)
    _by_types: dict[tuple[str, ...], frozenset[str]] = field(default_factory=dict, repr=False)
    _in_order: dict[frozenset[str], tuple[str, ...]] = field(default_factory=dict, repr=False)
    _others_for: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict, repr=False)
    flag_titles: dict[str, str] = field(default_factory=dict)  # flag id -> title
    _scored_for: dict[tuple[str, ...], dict[str, tuple[str, ...]]] = field(default_factory=dict, repr=False)
    _scored_ids_for: dict[tuple[str, ...], frozenset[str]] = field(default_factory=dict, repr=False)
    _asked_for: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict, repr=False)
    # (open questions, explanation, because, to_pass) of findings, by the answers they read (finding.finding_parts).
    answered: Memo = field(default_factory=lambda: Memo(ANSWERED_MEMO_SIZE), repr=False, compare=False)

    def in_order(self, ids: frozenset[str]) -> tuple[str, ...]:
        """``ids`` (control ids, e.g. an institution's core controls) in catalogue order."""
        found = self._in_order.get(ids)
        if found is None:
            found = self._in_order[ids] = tuple(cid for cid in self.controls if cid in ids)
        return found

    def scored_for(self, types: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
        """component id -> its scored controls written for ``types`` (only those can count in its tally)."""
        found = self._scored_for.get(types)
        if found is None:
            mine = self.controls_for(types)
            found = self._scored_for[types] = {
                cid: tuple(c for c in ids if c in mine) for cid, ids in self.component_scored.items()
            }
        return found

    def scored_ids_for(self, types: tuple[str, ...]) -> frozenset[str]:
        """Ids of the scored controls written for any of ``types`` (the only ones that can leave the level open)."""
        found = self._scored_ids_for.get(types)
        if found is None:
            found = self._scored_ids_for[types] = frozenset(c for ids in self.scored_for(types).values() for c in ids)
        return found

    def asked_for(self, ruleset: Ruleset, types: tuple[str, ...]) -> tuple[str, ...]:
        """Ids of the questions asked of ``types`` (``ruleset.questions_for``), in catalogue order: every report lists
        its unanswered and skipped questions from them, and ``questions_for`` copies its list on every call."""
        found = self._asked_for.get(types)
        if found is None:
            found = self._asked_for[types] = tuple(q.id for q in ruleset.questions_for(types))
        return found

    def others_for(self, types: tuple[str, ...]) -> tuple[str, ...]:
        """Ids of the controls written for none of ``types``, in catalogue order."""
        found = self._others_for.get(types)
        if found is None:
            found = self._others_for[types] = self.in_order(frozenset(self.controls) - self.controls_for(types))
        return found

    def controls_for(self, types: tuple[str, ...]) -> frozenset[str]:
        """Ids of the controls written for any of ``types`` (the others go to the report's ``other_types``)."""
        found = self._by_types.get(types)
        if found is None:
            wanted = set(types)
            found = self._by_types[types] = frozenset(
                cid for cid, c in self.controls.items() if wanted & set(c.control.applies_to)
            )
        return found

    def citations(self, key: str, state: str | None) -> list[ReportCitation]:
        """Citations of a control (or of a flag rule: key ``flag:<rule key>``) ranked for ``state``.

        The list is the caller's; the citations in it are read-only and shared by every report that cites them
        (engine.report.readonly says why).
        """
        found = self._ranked.get((key, state))
        if found is None:
            if key.startswith("flag:"):
                raw = self.flag_citations[key.removeprefix("flag:")]
            else:
                raw = self.controls[key].citations
            found = self._ranked[(key, state)] = tuple(as_report_citations(list(map(readonly, ranked(raw, state)))))
        return list(found)  # typed once, when ranked: every finding of every report asks


def _leaves(ruleset: Ruleset, cond: Condition | None) -> tuple[LeafPlan, ...]:
    if cond is None:
        return ()
    return tuple(
        LeafPlan(
            leaf,
            f"answers.{leaf.name}",
            ruleset.questions[leaf.name].text,
            conditions.needed_text(leaf, lambda q, v: label(ruleset, q, v)),
        )
        for leaf in cond.leaves()
        if leaf.subject != "institution"  # institution facts are reported by _institution_because
    )


STATE_NOTE = re.compile(r"<<([A-Z]{2}): (.+?)>>", re.S)


def localise(text: str, state: str | None) -> str:
    """Rules text may mark a sentence as one state's law: ``<<CA: Education Code 234.7 requires ...>>``. A reader in
    that state reads it as written; everyone else reads it labelled "example from another state (CA)"."""
    if "<<" not in text:
        return text
    return STATE_NOTE.sub(
        lambda m: (
            m.group(2)
            if m.group(1) == state
            else _("(Example from another state ({state}): {text})").format(state=m.group(1), text=m.group(2))
        ),
        text,
    )


def _institution_fields(control: Control) -> tuple[str, ...]:
    fields = {"public"} if control.applies_if.public is not None else set()
    if any("<<" in text for text in control.explanation.values()):
        fields.add("state")  # the explanation reads differently in the state it names
    fields |= {"state"} if control.applies_if.states else set()
    for cond in (control.applies_when, control.pass_condition, control.partial_condition):
        if cond is not None:
            fields |= {leaf.name for leaf in cond.leaves() if leaf.subject == "institution"}
    return tuple(sorted(fields))


def _explained_by(control: Control) -> tuple[str, ...]:
    placeholders = (q for t in control.explanation.values() for q in re.findall(r"\{([a-z0-9_]+)\}", t))
    return tuple(dict.fromkeys([*control.questions, *placeholders]))


def _type_explanation(ruleset: Ruleset, control: Control) -> str:
    types = ", ".join(ruleset.institution_types[t]["title"] for t in control.applies_to)
    extra = []
    if control.applies_if.public is not None:
        extra.append(_("public bodies") if control.applies_if.public else _("private bodies"))
    if control.applies_if.states:
        extra.append(_("institutions in {states}").format(states=", ".join(control.applies_if.states)))
    if extra:
        return _("This control covers {types} ({scope}), which does not describe this institution.").format(
            types=types, scope="; ".join(extra)
        )
    return _("This control covers {types}, which does not describe this institution.").format(types=types)


def build_report_plan(ruleset: Ruleset) -> ReportPlan:
    """Everything a report needs from the ruleset alone (an ``Evaluator`` builds it once and keeps it)."""
    controls = {
        c.id: ControlPlan(
            control=c,
            citations=tuple(ruleset.citations[x].to_dict() for x in c.citations),
            effective=readonly(c.effective.to_dict()),
            applies_when=_leaves(ruleset, c.applies_when),
            passing=_leaves(ruleset, c.pass_condition),
            partial=_leaves(ruleset, c.partial_condition),
            type_explanation=_type_explanation(ruleset, c),
            answer_facts=tuple((q, f"answers.{q}") for q in c.questions),
            institution_fields=_institution_fields(c),
            explained_by=_explained_by(c),
        )
        for c in ruleset.controls.values()
    }
    flag_citations = {
        key: tuple(ruleset.citations[x].to_dict() for x in flag.citations) for key, flag in ruleset.flags.items()
    }
    members = {cid: tuple(c.id for c in ruleset.controls.values() if c.component == cid) for cid in ruleset.components}
    return ReportPlan(
        controls=controls,
        flag_citations=flag_citations,
        flag_titles={f.id: f.title for f in ruleset.flags.values()},
        component_scored={cid: tuple(c for c in ids if ruleset.controls[c].scored) for cid, ids in members.items()},
        component_rules={r.id: r for r in ruleset.component_rules},
        overall_rules={r.id: r for r in ruleset.overall_rules},
    )


def answers_key(ruleset: Ruleset, cplan: ControlPlan, answers: dict[str, Any]) -> tuple[Any, ...]:
    """The part of the answers (and institution fields) a control's explanations depend on, with their types
    (1 and True differ). ``answers`` holds the institution's state and public/private, as conditions see them."""
    values = tuple(map(answers.get, cplan.key_fields))
    # The code's words in the explanations follow the run's language, which may differ from the rules' language.
    return (ruleset.text_key, current_language(), cplan.control.id, values, tuple(map(type, values)))
