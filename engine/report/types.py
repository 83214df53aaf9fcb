"""The report's shape as types: what ``evaluate()`` returns and every format reads.

These are ``TypedDict``s, so a report is still a plain ``dict`` at run time (``json.dumps`` gives the same bytes as
before they existed); the types only let mypy check the code that builds and reads reports, and
``engine.report.schema`` turns them into the JSON Schema that ``sanctuary schema`` prints (the contract in
docs/SPEC.md). A key that a report may leave out is ``NotRequired``; a key that is always there but may be
``null`` has ``| None``. Keys named with Python keywords (``from``) use the functional form.

This module sits at the bottom of the report layer: it imports nothing from the engine, so any module may use it.
"""

from typing import Literal, NotRequired, TypedDict

# The words the rules and reports use for verdicts (docs/SPEC.md, "Vocabulary"): the values of engine.rules.model's
# Outcome and Level enums, spelled out because a type checker reads only literals (tests/test_report_schema.py
# keeps them equal); engine.vocabulary holds what each one reads as in a sentence.
OutcomeWord = Literal["pass", "partial", "fail", "not_answered", "not_applicable", "not_in_force"]
BoundWord = Literal["at_least", "at_most"]
LevelWord = Literal["strong", "developing", "weak", "incomplete"]
FlagKind = Literal["risk", "info"]
Priority = Literal["core", "risk", "other"]
Relevance = Literal["federal", "own_state", "own_state_local", "other_state"]
# An answer as the report holds it: a yes/no, a choice id or a number (never a free-text field).
AnswerValue = bool | str | int | float


class RulesetInfo(TypedDict):
    id: str
    version: str
    hash: NotRequired[str]  # the first 16 hex digits of the rules' content hash (the goldens leave it out)


class InstitutionInfo(TypedDict):
    name: str
    type: str | list[str]  # one type as a string, several (a county running a jail and clinics) as a list
    state: str | None
    public: bool | None


class ReportCitation(TypedDict):
    """A source as a report cites it: the register's entry, ranked and labelled for the reader's state."""

    id: str
    title: str
    url: str
    publisher: str
    publisher_kind: str
    jurisdiction: str
    published: str | None
    last_verified: str | None  # the date of a live check; null, since no source has been checked live
    checked: str
    checked_on: str | None
    checked_text: str
    quality: str
    note: str
    role: str  # "supports" or "contrary_law"
    relevance: NotRequired[Relevance]  # per report: where the source stands from the reader's state
    label: NotRequired[str]  # e.g. "example from another state (CA)"; empty for federal and own-state sources


# One answer or derived fact a finding used (``role``: applies_to, applies_if, applies_when, pass, partial,
# effective). Answer rows also carry the question, its text and the raw value.
class Because(TypedDict):
    fact: str
    question: NotRequired[str]
    text: NotRequired[str]
    given: AnswerValue | None
    value: NotRequired[AnswerValue | None]
    needed: str | dict[str, str | None]  # the effective window for role "effective"
    met: bool | None
    role: str


# One answer change of a finding's ``to_pass``: from the given answer (in words) to the one that passes.
AnswerChange = TypedDict(
    "AnswerChange",
    {"question": str, "text": str, "from": str | None, "to": str, "value": AnswerValue},
)

EffectiveWindow = TypedDict("EffectiveWindow", {"from": str | None, "until": str | None})


class RecommendedClause(TypedDict):
    id: str
    title: str
    text: str  # empty without detail (batch rows)


class ProvidedBy(TypedDict):
    law: str
    title: str


class Finding(TypedDict):
    control: str
    title: str
    component: str
    outcome: OutcomeWord
    bound: BoundWord | None
    open_questions: list[str]
    core: bool
    scored: bool
    explanation: str
    because: list[Because]
    trace: list[str]
    to_pass: list[AnswerChange] | None
    recommended_clause: RecommendedClause | None
    citations: list[ReportCitation]
    provided_by: NotRequired[ProvidedBy]
    flags: list[str]
    effective: EffectiveWindow


class OutcomeRange(TypedDict):
    lowest: str
    highest: str


class Coverage(TypedDict):
    decided: int
    applicable: int


class Component(TypedDict):
    id: str
    title: str
    outcome: OutcomeWord
    bound: BoundWord | None
    range: OutcomeRange
    explanation: str
    coverage: Coverage
    provisional: bool
    core: bool
    rule: str
    counts: dict[str, int]


class Cap(TypedDict):
    """One cap that limited the overall level, and the control, component or flag behind it."""

    cap: str
    level: str
    title: str
    explanation: str
    control: NotRequired[str]
    component: NotRequired[str]
    flag: NotRequired[str]


class LevelRange(TypedDict):
    lowest: LevelWord
    highest: LevelWord


class Overall(TypedDict):
    level: LevelWord
    bound: Literal["at_least"] | None
    range: LevelRange
    provisional: bool
    headline: str
    decided_by: list[str]
    explanation: str
    rule: str
    caps: list[Cap]
    counts: dict[str, int]


class OtherTypes(TypedDict):
    controls: list[str]
    rule: str
    explanation: str


class Flag(TypedDict):
    id: str
    kind: FlagKind
    title: str
    explanation: str
    controls: list[str]
    rules: list[str]
    citations: list[ReportCitation]
    status: NotRequired[Literal["may_apply"]]  # a conflict that an open answer decides
    questions: NotRequired[list[str]]  # the answers that decide a may-apply conflict


# One step of the proof tree: a derived fact, the rule that derived it and the facts it came from.
DerivationStep = TypedDict("DerivationStep", {"id": str, "rule": str, "from": list[str]})


class LawRow(TypedDict):
    """A state law as a report names it: on a held step, in the state-law section."""

    id: str
    title: str
    exposure: str
    still_lawful: str
    may_apply: bool
    answer: list[str]  # the open answers (in words) that decide whether it applies
    questions: list[str]


class StateLaw(TypedDict):
    state: str | None
    name: str | None
    researched: bool
    researched_on: str | None
    note: str
    laws: list[LawRow]


StepChange = TypedDict("StepChange", {"question": str, "from": str | None, "to": str})


class StepClause(TypedDict):
    id: str
    title: str
    left_out: bool  # a state law in force forbids adopting it


class Step(TypedDict):
    step: int
    control: str
    title: str
    component: str
    outcome: OutcomeWord
    bound: BoundWord | None
    outcome_words: str
    priority: Priority
    priority_words: str
    core: bool
    why: str
    change: list[StepChange]
    change_text: str
    conflicts_with: list[str]
    laws: list[LawRow]
    risks: list[str]
    clause: StepClause | None  # the model clause that closes the gap, when the control has one
    reported_laws: NotRequired[list[str]]  # laws reported but not read in their text


class RiskNote(TypedDict):
    id: str
    title: str
    explanation: str


class ActionPlan(TypedDict):
    summary: str
    steps: list[Step]
    state_law_steps: list[Step]
    risks: list[RiskNote]
    unanswered: int


class AnswerNote(TypedDict):
    """An answer the report sets aside: "don't know - ask counsel", or given to a question the answers skip."""

    question: str
    text: str
    answer: str
    note: NotRequired[str]


class Report(TypedDict):
    """The report of one institution (docs/SPEC.md, "Report")."""

    schema_version: int
    ruleset: RulesetInfo
    institution: InstitutionInfo
    institution_label: str
    as_of: str
    overall: Overall
    components: list[Component]
    findings: list[Finding]
    other_types: OtherTypes | None
    flags: list[Flag]
    unanswered_questions: list[str]
    skipped_questions: list[str]
    answers: dict[str, AnswerValue]
    derivations: list[DerivationStep]
    disclaimer: str
    state_law: StateLaw
    action_plan: ActionPlan | None  # null without detail (batch rows)
    ask_counsel: NotRequired[list[AnswerNote]]
    ignored_answers: NotRequired[list[AnswerNote]]


class BatchOutcomes(TypedDict):
    """The decisions of one batch results row, read from the derivation without building a report."""

    level: str  # a level word, or at_least_<level> when the open questions could still raise it
    components: dict[str, str]  # component id -> outcome cell (at_least_partial / at_most_partial when bounded)
    provisional: list[str]
    flags: list[str]
    findings: dict[str, str]  # control id -> outcome cell


class DraftWarning(TypedDict):
    law: str
    title: str
    exposure: str
    may_apply: bool | None


class DraftSource(TypedDict):
    id: str
    title: str
    url: str
    role: str


class DraftClause(TypedDict):
    id: str
    control: str
    controls: list[str]
    title: str
    component: str
    text: str
    sources: list[DraftSource]


class LeftOutClause(TypedDict):
    id: str
    control: str
    controls: list[str]
    title: str
    laws: list[str]
    why: str


class DraftJSON(TypedDict):
    """``sanctuary draft --format json``: the clauses, those a state law keeps out, and the warnings."""

    institution: InstitutionInfo
    as_of: str
    ruleset: RulesetInfo
    state_law: str
    warnings: list[DraftWarning]
    clauses: list[DraftClause]
    left_out: list[LeftOutClause]
    without_clause: list[str]
    not_answered: list[str]


__all__ = [
    "ActionPlan",
    "AnswerChange",
    "AnswerNote",
    "AnswerValue",
    "BatchOutcomes",
    "Because",
    "BoundWord",
    "Cap",
    "Component",
    "Coverage",
    "DerivationStep",
    "DraftJSON",
    "EffectiveWindow",
    "Finding",
    "Flag",
    "FlagKind",
    "InstitutionInfo",
    "LawRow",
    "LevelWord",
    "OutcomeWord",
    "Overall",
    "Priority",
    "Report",
    "ReportCitation",
    "StateLaw",
    "Step",
]
