"""Frozen data classes for the loaded ruleset, an institution's submission and the report."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from engine.rules.conditions import Condition


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
            return "not answered"
        if self.type == "boolean":
            return "yes" if value else "no"
        if self.type == "choice":
            return self.choices.get(value, str(value))
        return str(value)


CHECKED_KINDS = ("knowledge_base", "live", "stored_copy")
# What a source is to the sanctuary practices: authority for them, or a law (or a ruling upholding one) that
# forbids them. Contrary law is cited only by state-law notes and flags, never as a control's or clause's source.
CITATION_ROLES = ("supports", "contrary_law")


@dataclass(frozen=True)
class Citation:
    """One source in the citation register.

    ``checked`` says how the source was last checked: ``live`` (someone opened the live page on
    ``checked_on``), ``knowledge_base`` (read from the project's knowledge base, not re-checked) or
    ``stored_copy`` (read in a stored copy of the page on ``checked_on``, not against the live page).
    ``last_verified`` keeps its old meaning, a live check, so it is only set for ``live``.
    """

    id: str
    title: str
    url: str
    publisher: str
    jurisdiction: str
    checked: str
    checked_on: str
    quality: str = "primary"
    publisher_kind: str = "unknown"
    published: str | None = None
    note: str = ""
    role: str = "supports"

    @property
    def last_verified(self) -> str | None:
        """The date of the last live check, or None when the source was never checked live."""
        return self.checked_on if self.checked == "live" else None

    @property
    def checked_text(self) -> str:
        """How the source was checked, in words (reports show this, never a bare date)."""
        if self.checked == "live":
            return f"last verified against the live source on {self.checked_on}"
        if self.checked == "stored_copy":
            return f"read in a stored copy of the page on {self.checked_on}, not checked against the live page"
        return f"from the project's knowledge base, not re-checked since {self.checked_on}"

    @property
    def state(self) -> str | None:
        """The state whose law or practice the source describes (None for federal sources)."""
        return None if self.jurisdiction == "US" else self.jurisdiction.removeprefix("local:")

    def to_dict(self) -> dict[str, Any]:
        """The citation as it appears in reports (``last_verified`` is null unless checked live)."""
        return {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "publisher": self.publisher,
            "publisher_kind": self.publisher_kind,
            "jurisdiction": self.jurisdiction,
            "published": self.published,
            "last_verified": self.last_verified,
            "checked": self.checked,
            "checked_on": self.checked_on,
            "checked_text": self.checked_text,
            "quality": self.quality,
            "note": self.note,
            "role": self.role,
        }


@dataclass(frozen=True)
class BannedSource:
    """One class of site the citation register refuses (citation_policy.yaml)."""

    cls: str
    reason: str
    host: re.Pattern[str] | None = None
    path: re.Pattern[str] | None = None

    def matches(self, host: str, path: str) -> bool:
        """True when the address's host (fully) and path (anywhere) match the given patterns."""
        return (self.host is None or bool(self.host.fullmatch(host))) and (
            self.path is None or bool(self.path.search(path))
        )


@dataclass(frozen=True)
class CitationPolicy:
    """Which sources the register accepts and which count as established (citation_policy.yaml)."""

    banned: tuple[BannedSource, ...] = ()
    publisher_kinds: dict[str, str] = field(default_factory=dict)
    established_secondary: tuple[str, ...] = ()
    primary_publishers: tuple[str, ...] = ()
    stale_after_days: int = 365

    def banned_by(self, url: str) -> BannedSource | None:
        """The first banned class the address belongs to, or None."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().rstrip(".").removeprefix("www.")
        return next((b for b in self.banned if b.matches(host, parts.path.lower())), None)

    def is_established(self, citation: Citation) -> bool:
        """Primary, or a secondary source from a named publisher of an established kind."""
        if citation.quality == "primary":
            return True
        return (
            citation.quality == "secondary"
            and citation.publisher_kind in self.established_secondary
            and bool(citation.publisher)
        )


@dataclass(frozen=True)
class Clause:
    """A recommended policy clause (model text with placeholders)."""

    id: str
    title: str
    text: str
    based_on: tuple[str, ...] = ()
    source: str = ""
    # The text split at its placeholders, once: joining the parts is several times cheaper than replacing in
    # a clause of 1-2 KB, and every gap of every report renders one.
    _parts: tuple[str, ...] = field(init=False, repr=False, compare=False)

    _possessive: bool = field(init=False, repr=False, compare=False)  # the text says "{institution}'s"

    def __post_init__(self) -> None:
        object.__setattr__(self, "_parts", tuple(self.text.split("{institution}")))
        object.__setattr__(self, "_possessive", "{institution}'s" in self.text)

    def render(self, institution_name: str | None) -> str:
        """Fill ``{institution}`` with the institution's name (or a bracketed placeholder), possessives done right."""
        name = institution_name or "[institution name]"
        if self._possessive:
            return fill_institution(self.text, name)
        return name.join(self._parts)


@functools.lru_cache(maxsize=1024)
def possessive(name: str) -> str:
    """'Lincoln Valley Public Schools' -> 'Lincoln Valley Public Schools'', 'Saint Mark' -> 'Saint Mark's'."""
    return name + ("'" if name.rstrip().lower().endswith("s") else "'s")


def fill_institution(template: str, name: str) -> str:
    """A clause template with ``{institution}`` filled in: "{institution}'s" becomes the name's possessive
    ("Schools'", never "Schools's")."""
    return template.replace("{institution}'s", possessive(name)).replace("{institution}", name)


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
