"""Frozen data classes for the loaded ruleset, an institution's submission and the report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

from engine.i18n import _
from engine.rules.conditions import Condition
from engine.rules.memo import RulesetMemo
from engine.rules.references import Citation, CitationPolicy, Clause


class Outcome(StrEnum):
    """The verdict on one control (and, by roll-up, on one component)."""

    PASS = "pass"
    PARTIAL = "partial"
    FAIL = "fail"
    NOT_ANSWERED = "not_answered"
    NOT_APPLICABLE = "not_applicable"
    NOT_IN_FORCE = "not_in_force"


class Level(StrEnum):
    """The overall level of an institution."""

    STRONG = "strong"
    DEVELOPING = "developing"
    WEAK = "weak"
    INCOMPLETE = "incomplete"


QUESTION_TYPES = ("boolean", "choice", "number")


@dataclass(frozen=True)
class Question:
    """One question of the catalogue."""

    id: str
    text: str
    type: str
    help: str = ""
    who_knows: str = ""
    aspect: str = "policy"
    choices: dict[str, str] = field(default_factory=dict)
    minimum: float | None = None
    maximum: float | None = None
    # Which answer is more protective (rulesets/README.md, "Direction"): True/False for yes/no questions,
    # tiers of choice ids (most protective first) for choices, "higher"/"lower" for numbers, "none" for
    # context and informational questions.
    more_protective: bool | str | tuple[tuple[str, ...], ...] = "none"
    # Choices outside the protection order ("don't know - ask counsel"): they decide nothing and are
    # treated as unanswered when the rules are evaluated.
    unordered: tuple[str, ...] = ()
    # Older answers that still mean one choice (engine/rules/aliases.py): answer_key(alias) -> choice id.
    aliases: dict[str, str] = field(default_factory=dict)
    # Retired question ids this question took over (a rename or a split), so old files get a clear message.
    replaces: tuple[str, ...] = ()
    # Retired id -> {old answer (answer_key) -> this question's answer} where only some old answers carry
    # over (a split, or a question turned round); a retired id absent here is a rename (all carry over).
    replaces_answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Old choice ids that no longer decide the question -> what to answer instead (sanctuary upgrade).
    retired_answers: dict[str, str] = field(default_factory=dict)
    # The question and its choice labels in the rules' other languages (a bilingual ruleset), so a survey headed
    # or answered in Spanish reads the same whatever language the rules are loaded in: the other texts, and
    # answer_key(label) -> choice id.
    translated_texts: tuple[str, ...] = ()
    translated_labels: dict[str, str] = field(default_factory=dict)
    # Branching (``ask_when``): the question is asked only while this condition over other answers is not
    # certainly false (engine/rules/branching.py); None for a question everyone of its types is asked.
    ask_when: Condition | None = None
    source: str = ""

    def tiers(self) -> tuple[tuple[Any, ...], ...]:
        """Answer values from most to least protective, ties grouped; () when there is no finite order."""
        if self.type == "boolean" and isinstance(self.more_protective, bool):
            return ((self.more_protective,), (not self.more_protective,))
        if self.type == "choice" and isinstance(self.more_protective, tuple):
            return self.more_protective
        return ()

    def less_protective(self, value: Any) -> tuple[Any, ...]:
        """The answers one tier less protective than ``value`` (() at the bottom, or without an order)."""
        tiers = self.tiers()
        for i, tier in enumerate(tiers):
            if value in tier:
                return tiers[i + 1] if i + 1 < len(tiers) else ()
        return ()

    def label(self, value: Any) -> str:
        """Render an answer for people: choice labels, yes/no for booleans."""
        if value is None:
            return _("not answered")
        if self.type == "boolean":
            return _("yes") if value else _("no")
        if self.type == "choice":
            return self.choices.get(value, str(value))
        return str(value)


@dataclass(frozen=True)
class Effective:
    """A half-open date window [start, end) in which a control or law is in force."""

    start: dt.date | None = None
    end: dt.date | None = None

    def contains(self, day: dt.date) -> bool:
        """True when ``day`` is inside the window."""
        return (self.start is None or day >= self.start) and (self.end is None or day < self.end)

    def to_dict(self) -> dict[str, str | None]:
        """ISO strings for reports."""
        return {
            "from": self.start.isoformat() if self.start else None,
            "until": self.end.isoformat() if self.end else None,
        }


@dataclass(frozen=True)
class InstitutionFilter:
    """Institution-level applicability: types, public/private, states (any may be open)."""

    types: tuple[str, ...] = ()
    public: bool | None = None
    states: tuple[str, ...] = ()


@dataclass(frozen=True)
class Provision:
    """A state law that itself gives a control's protection (states.yaml ``provides``)."""

    state: str
    law: str
    title: str
    explanation: str
    citations: tuple[str, ...]
    condition: Condition  # institution, dates and 'unless': true when the statute decides the pass


@dataclass(frozen=True)
class Control:
    """One control: conditions for pass and partial, explanations, clause and citations."""

    id: str
    title: str
    component: str
    applies_to: tuple[str, ...]
    pass_condition: Condition
    explanation: dict[str, str]
    citations: tuple[str, ...]
    recommended_clause: str | None = None
    # The clause for a private body where its advice differs (a congregation reports to its own board rather
    # than publishing a log that could expose its members); the recommended clause serves everyone else.
    private_clause: str | None = None

    def clause_for(self, public: bool | None) -> str | None:
        """The clause id to recommend to a public (True), private (False) or unstated (None) institution."""
        return self.private_clause if public is False and self.private_clause else self.recommended_clause

    partial_condition: Condition | None = None
    applies_if: InstitutionFilter = field(default_factory=InstitutionFilter)
    applies_when: Condition | None = None
    effective: Effective = field(default_factory=Effective)
    when_unanswered: Outcome = Outcome.NOT_ANSWERED
    # False for informational controls (shown in the report, never counted in a component or the level).
    scored: bool = True
    source: str = ""
    # State laws that themselves give this protection (states.yaml ``provides``): the pass condition already
    # includes each one's institution and date test; the report names the law when it decided the pass.
    provided_by: tuple[Provision, ...] = ()

    @cached_property
    def questions(self) -> tuple[str, ...]:
        """Every question the control reads, in order of first use."""
        seen: dict[str, None] = {}
        for cond in (self.applies_when, self.pass_condition, self.partial_condition):
            if cond is not None:
                for q in cond.references():
                    seen.setdefault(q, None)
        return tuple(seen)

    @cached_property
    def outcome_questions(self) -> tuple[str, ...]:
        """Questions read by the pass/partial conditions (what an institution can change)."""
        seen: dict[str, None] = {}
        for cond in (self.pass_condition, self.partial_condition):
            if cond is not None:
                for q in cond.references():
                    seen.setdefault(q, None)
        return tuple(seen)


@dataclass(frozen=True)
class FlagRule:
    """A legal-risk or information flag: fires when all its parts are certainly true."""

    id: str
    kind: str
    title: str
    explanation: str
    citations: tuple[str, ...]
    answers: Condition | None = None
    finding_controls: tuple[str, ...] = ()
    finding_outcomes: tuple[str, ...] = ()
    institution: InstitutionFilter = field(default_factory=InstitutionFilter)
    effective: Effective = field(default_factory=Effective)
    concerns: tuple[str, ...] = ()
    source: str = ""
    # True for state-law conflicts: a finding bounded 'at most partial' does not raise it, since its known answers
    # are already the unprotective ones and no conflict rests on them.
    skip_at_most: bool = False


@dataclass(frozen=True)
class RollupRule:
    """A component or overall rule over a tally of findings."""

    id: str
    outcome: str
    condition: Condition
    explanation: str


@dataclass(frozen=True)
class CoreRule:
    """Core controls and components for the institutions an institution filter matches (ruleset.yaml ``core``)."""

    institution: InstitutionFilter
    controls: tuple[str, ...] = ()
    components: tuple[str, ...] = ()

    def matches(self, institution: Institution) -> bool:
        """True when the filter certainly matches (an unknown public/state never makes a control core)."""
        filt = self.institution
        if filt.types and not set(filt.types) & set(institution.types):
            return False
        if filt.public is not None and institution.public is not filt.public:
            return False
        return not (filt.states and institution.state not in filt.states)


LEVEL_RANK = {"weak": 1, "developing": 2, "strong": 3}


@dataclass(frozen=True)
class LevelCap:
    """A ceiling on the overall level (ruleset.yaml ``level_caps``): fires when its condition over the overall
    tally holds; ``behind`` says which findings or flags to name ("core_fail", "core_components", "flags")."""

    id: str
    level: str
    condition: Condition
    behind: str
    explanation: str

    @property
    def rank(self) -> int:
        """The ceiling's rank; an 'incomplete' cap (an open core control) is no ceiling: 3."""
        return LEVEL_RANK.get(self.level, LEVEL_RANK["strong"])


@dataclass(frozen=True)
class LawEntry:
    """One ``conflicts`` or ``mandates`` entry of a state law, kept for questions the flags cannot answer: would
    a step's target outcome conflict with the law, and does an open question decide whether it applies?"""

    kind: str  # conflicts | mandates
    controls: tuple[str, ...]
    institution: InstitutionFilter
    outcomes: tuple[str, ...]
    window: Effective
    applies_when: Condition | None = None
    explanation: str = ""

    def forbids(self, control: str, outcome: str) -> bool:
        """True when this entry is a conflict that names ``control`` with ``outcome`` among those it forbids."""
        return self.kind == "conflicts" and control in self.controls and outcome in self.outcomes


@dataclass(frozen=True)
class StateLaw:
    """One law of the state-law table: what it is, when it applies, where it was read, and its entries (kept for
    the report's questions the flags cannot answer)."""

    id: str
    state: str
    title: str
    kind: str  # protective | restrictive
    effective: Effective
    citations: tuple[str, ...]
    quote: str
    quote_source: str  # the citation whose address the quote was read at
    entries: tuple[LawEntry, ...] = ()
    exposure: str = ""  # restrictive laws: what breaking it can cost (removal, penalty, felony, lost funds)
    still_lawful: str = ""  # what stays lawful under it, where the sources say so (empty: counsel must advise)
    summary: str = ""
    # Institution types whose report and draft carry this law's warning whatever the answers (a Tennessee council).
    warn_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class StateInfo:
    """One row of the state-law table."""

    code: str
    name: str
    direction: str
    summary: str
    laws: tuple[str, ...]
    researched_on: str = ""  # when the state's laws were last researched for the table (ISO date)
    # What was searched when no statewide law was found in a primary text ("" when the state has laws).
    no_law_found: str = ""
    # Claims seen only in secondary sources: left out of the rules, listed for readers ({claim, seen, why}, and
    # optionally short, the note's name for it, and controls, the steps marked "a reported law may stand in the way").
    not_verified: tuple[dict[str, Any], ...] = ()
    law_details: tuple[StateLaw, ...] = ()


@dataclass(frozen=True)
class Ruleset:
    """Everything loaded from a rules directory, cross-checked."""

    id: str
    title: str
    version: str
    content_hash: str
    disclaimer: str
    institution_types: dict[str, dict[str, Any]]
    components: dict[str, dict[str, str]]
    questions: dict[str, Question]
    citations: dict[str, Citation]
    clauses: dict[str, Clause]
    controls: dict[str, Control]
    flags: dict[str, FlagRule]
    component_rules: tuple[RollupRule, ...]
    overall_rules: tuple[RollupRule, ...]
    states: dict[str, StateInfo]
    core: tuple[CoreRule, ...] = ()
    level_caps: tuple[LevelCap, ...] = ()
    capping_flags: tuple[str, ...] = ()  # flag ids (or "PREFIX:*" families) that the caps count
    provisional: Condition | None = None  # over a component tally: when its verdict rests on too little
    state_laws: dict[str, StateLaw] = field(default_factory=dict)  # law id -> law (states.yaml)
    root: str = ""
    citation_policy: CitationPolicy = field(default_factory=CitationPolicy)
    # Rows of states.yaml marked `researched: false`: shown in the state table as not researched, never in `states`,
    # so anything that asks "was this state checked?" of `states` hears no.
    unresearched_states: dict[str, StateInfo] = field(default_factory=dict)
    # The language of the texts (the conditions, ids and content hash are the same in every language), and the
    # languages the rules are written in.
    lang: str = "en"
    languages: tuple[str, ...] = ("en",)
    _questions_cache: dict[Any, list[Question]] = field(default_factory=dict, compare=False, repr=False)
    # Not __init__ arguments, so dataclasses.replace (other caps or core rules) starts with empty caches.
    _caps_cache: dict[str, bool] = field(default_factory=dict, init=False, compare=False, repr=False)
    # core_for by (types, public, state), all that CoreRule.matches reads: asked several times per evaluation.
    _core_cache: dict[Any, tuple[frozenset[str], frozenset[str]]] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )
    # Indexes other layers compute from this ruleset (state-law conflicts, branching order, ...), kept with it.
    memo: RulesetMemo = field(default_factory=RulesetMemo, init=False, compare=False, repr=False)

    @property
    def text_key(self) -> str:
        """A cache key for anything built from the texts: the content hash and the language."""
        return f"{self.content_hash}:{self.lang}"

    def core_for(self, institution: Institution) -> tuple[frozenset[str], frozenset[str]]:
        """(core control ids, core component ids) for an institution: the union over matching core rules."""
        # The type of 'public' too: CoreRule.matches tests it by identity, so 1 and True differ there.
        key = (tuple(institution.types), institution.public, type(institution.public), institution.state)
        found = self._core_cache.get(key)
        if found is None:
            if len(self._core_cache) > 10_000:
                self._core_cache.clear()
            found = self._core_cache[key] = self._core_for(institution)
        return found

    def _core_for(self, institution: Institution) -> tuple[frozenset[str], frozenset[str]]:
        controls: set[str] = set()
        components: set[str] = set()
        for rule in self.core:
            if rule.matches(institution):
                controls.update(rule.controls)
                components.update(rule.components)
        return frozenset(controls), frozenset(components)

    def caps_level(self, flag_id: str) -> bool:
        """True when a raised flag with this id counts towards the level caps."""
        found = self._caps_cache.get(flag_id)  # every derivation asks for each raised flag
        if found is None:
            found = self._caps_cache[flag_id] = any(
                flag_id == pattern or (pattern.endswith(":*") and flag_id.startswith(pattern[:-1]))
                for pattern in self.capping_flags
            )
        return found

    def controls_for(self, types: tuple[str, ...] | list[str]) -> list[Control]:
        """Controls that apply to any of ``types`` (by type only)."""
        wanted = set(types)
        return [c for c in self.controls.values() if wanted & set(c.applies_to)]

    def questions_for(self, types: tuple[str, ...] | list[str] | None = None) -> list[Question]:
        """Questions read by the controls of ``types`` (all questions when None), catalogue order."""
        key = None if types is None else tuple(sorted(types))
        if key not in self._questions_cache:
            self._questions_cache[key] = self._questions_for(types)
        return list(self._questions_cache[key])

    def _questions_for(self, types: tuple[str, ...] | list[str] | None) -> list[Question]:
        controls = list(self.controls.values()) if types is None else self.controls_for(types)
        used = {q for c in controls for q in c.questions}
        # Questions read only by flags (e.g. "are staff told to block officers?") are asked too, when the
        # flag concerns a control of these types or names one of the types.
        ids = {c.id for c in controls}
        for flag in self.flags.values():
            if flag.answers is None:
                continue
            if types is not None and flag.institution.types and not set(flag.institution.types) & set(types):
                # A flag that can never fire for these types must not put its questions in front of them
                # (RISK-PLYLER concerns XC-CF-MINCOLLECT but only fires for K-12 schools).
                continue
            relevant = types is None or bool(ids & set(flag.concerns)) or bool(set(flag.institution.types) & set(types))
            if relevant or not (flag.concerns or flag.institution.types):
                used |= set(flag.answers.references())
        return [q for q in self.questions.values() if q.id in used]

    def question_types(self, question_id: str) -> tuple[str, ...]:
        """Institution types whose controls read the question."""
        types: dict[str, None] = {}
        for control in self.controls.values():
            if question_id in control.questions:
                for t in control.applies_to:
                    types.setdefault(t, None)
        return tuple(types)

    def question_component(self, question_id: str) -> str | None:
        """The component of the first control that reads the question (for grouping in forms).

        A question only a flag reads goes with the first control the flag concerns ("does the policy forbid
        blocking officers?" sits beside the warrant-triage control it is shown with); None when no flag that
        reads it concerns a control (state-law context such as "is this a county sheriff's office?").
        """
        for control in self.controls.values():
            if question_id in control.questions:
                return control.component
        for flag in self.flags.values():
            if flag.answers is not None and question_id in flag.answers.references():
                for control_id in flag.concerns:
                    if control_id in self.controls:
                        return self.controls[control_id].component
        return None

    def question_controls(self, question_id: str) -> tuple[str, ...]:
        """Ids of the controls that read the question."""
        return tuple(c.id for c in self.controls.values() if question_id in c.questions)


@dataclass(frozen=True)
class Institution:
    """Who is being assessed."""

    name: str
    types: tuple[str, ...]
    state: str | None = None
    public: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        """The SPEC shape: a single type as a string, several as a list."""
        return {
            "name": self.name,
            "type": self.types[0] if len(self.types) == 1 else list(self.types),
            "state": self.state,
            "public": self.public,
        }


@dataclass(frozen=True)
class Submission:
    """An institution and its answers, already validated and normalised to declared types."""

    institution: Institution
    answers: dict[str, Any]
    source: str = ""
    # Answers given as an unordered choice ("don't know - ask counsel"): kept for the report, left out of
    # ``answers`` so every part of the engine treats the question as unanswered.
    undecided: dict[str, Any] = field(default_factory=dict)
    # Answers given to questions the other answers skip (``ask_when`` false): kept for the report's note,
    # left out of ``answers`` so no rule reads them.
    ignored: dict[str, Any] = field(default_factory=dict)
