"""The questionnaire (``questions/*.yaml``) and the literals a condition may test.

Questions are read before controls and flags, whose conditions are checked against them here: a yes/no question
takes true or false, a choice question one of its choice ids, a number question a number; institution leaves take
a state code or true/false.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from engine.errors import RulesetError, did_you_mean
from engine.i18n import _
from engine.rules.aliases import answer_key, check_replaced, parse_aliases, parse_replaces, parse_retired_answers
from engine.rules.branching import parse_ask_when
from engine.rules.directions import parse_direction
from engine.rules.model import QUESTION_TYPES, Question
from engine.rules.parsing import US_STATES, check_keys, text_field

if TYPE_CHECKING:  # type hints only: the helpers never import the loader
    from engine.rules.source import RulesSource

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
# durable-rules gives these names meaning inside a fact (pitfalls 9 and 12 of the guide).
# The institution fields (t_<type>, state, public, as_of) and the engine's part/bucket fields share the
# answers fact with the questions.
RESERVED_NAMES = {"kind", "sid", "id", "state", "public", "as_of", "part"}


def _reserved(name: str) -> bool:
    return name in RESERVED_NAMES or name.startswith("t_") or bool(re.fullmatch(r"b\d+", name))


def load_questions(loader: RulesSource) -> dict[str, Question]:
    """Read ``questions/*.yaml``: every question checked (id, type, choices, direction, aliases) before use."""
    questions: dict[str, Question] = {}
    branching: dict[str, tuple[str, Any]] = {}  # parsed once every question id is known (forward references)
    for where, qid, spec in loader.entries("questions", "question id -> question"):
        w = f"{where}: {qid}"
        if not isinstance(qid, str) or not ID_PATTERN.match(qid) or _reserved(qid):
            raise RulesetError(
                _(
                    "{where}: question ids are snake_case (a-z, 0-9, _), do not start with "
                    "'t_' and are not one of {reserved_names} or b0, b1, ...; they become "
                    "field names in the engine's facts."
                ).format(where=w, reserved_names=sorted(RESERVED_NAMES))
            )
        if qid in questions:
            raise RulesetError(
                _("{where}: question id already defined in {source}.").format(where=w, source=questions[qid].source)
            )
        check_keys(
            spec,
            w,
            ("text", "type"),
            (
                "help",
                "who_knows",
                "aspect",
                "choices",
                "minimum",
                "maximum",
                "more_protective",
                "unordered",
                "aliases",
                "replaces",
                "retired_answers",
                "ask_when",
            ),
        )
        qtype = spec["type"]
        if qtype not in QUESTION_TYPES:
            raise RulesetError(
                _("{where}.type: {qtype!r} is not one of {question_types}.{suggestion}").format(
                    where=w,
                    qtype=qtype,
                    question_types=", ".join(QUESTION_TYPES),
                    suggestion=did_you_mean(qtype, QUESTION_TYPES),
                )
            )
        choices: dict[str, str] = {}
        if qtype == "choice":
            raw = spec.get("choices")
            if not isinstance(raw, dict) or len(raw) < 2:
                raise RulesetError(
                    _("{where}.choices: a choice question needs at least two choices (id: label).").format(where=w)
                )
            for cid, label in raw.items():
                if not isinstance(cid, str):
                    raise RulesetError(
                        _(
                            "{where}.choices: choice id {cid!r} was read as {kind}; quote it (YAML "
                            "reads yes/no/on/off as booleans)."
                        ).format(where=w, cid=cid, kind=type(cid).__name__)
                    )
                if not ID_PATTERN.match(cid):
                    raise RulesetError(_("{where}.choices.{cid}: choice ids are snake_case.").format(where=w, cid=cid))
                if not isinstance(label, str) or not label.strip():
                    raise RulesetError(
                        _("{where}.choices.{cid}: needs a label people can read.").format(where=w, cid=cid)
                    )
                choices[cid] = label.strip()
        elif "choices" in spec:
            raise RulesetError(_("{where}.choices: only 'choice' questions have choices.").format(where=w))
        bounds = {}
        for key in ("minimum", "maximum"):
            value = spec.get(key)
            if value is None:
                pass
            elif qtype != "number":
                raise RulesetError(
                    _("{where}.{key}: only number questions have a minimum or maximum.").format(where=w, key=key)
                )
            elif isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise RulesetError(
                    _(
                        "{where}.{key}: {value!r} is not a finite number; write it without quotes, e.g. {key}: 0."
                    ).format(where=w, key=key, value=value)
                )
            bounds[key] = value
        if None not in bounds.values() and bounds["minimum"] > bounds["maximum"]:
            raise RulesetError(
                _("{where}: minimum {minimum} is above maximum {maximum}.").format(
                    where=w, minimum=bounds["minimum"], maximum=bounds["maximum"]
                )
            )
        aspect = spec.get("aspect", "policy")
        if aspect not in ("policy", "practice", "context"):
            raise RulesetError(
                _("{where}.aspect: {aspect!r} is not one of policy, practice, context.").format(where=w, aspect=aspect)
            )
        more_protective, unordered = parse_direction(spec, qtype, aspect, choices, w)
        aliases = parse_aliases(spec, qtype, choices, w)
        replaces, replaces_answers = parse_replaces(spec, w, qtype, choices)
        retired_answers = parse_retired_answers(spec, qtype, choices, w)
        for old in retired_answers:
            if answer_key(old) in aliases or answer_key(old.replace("_", " ")) in aliases:
                raise RulesetError(
                    _("{where}.retired_answers.{old}: is also an alias; an old answer either maps or retires.").format(
                        where=w, old=old
                    )
                )
        questions[qid] = Question(
            id=qid,
            text=text_field(spec, "text", w),
            type=qtype,
            help=text_field(spec, "help", w),
            who_knows=text_field(spec, "who_knows", w),
            aspect=aspect,
            choices=choices,
            minimum=bounds["minimum"],
            maximum=bounds["maximum"],
            more_protective=more_protective,
            unordered=unordered,
            aliases=aliases,
            replaces=replaces,
            replaces_answers=replaces_answers,
            retired_answers=retired_answers,
            source=where,
        )
        if spec.get("ask_when") is not None:
            branching[qid] = (where, spec["ask_when"])
    if not questions:
        raise RulesetError(_("{rel}: no questions found.").format(rel=loader.rel(loader.root / "questions")))
    check_replaced(questions)
    check = functools.partial(question_check, questions)
    return parse_ask_when(questions, branching, check, institution_check)


def question_check(questions: dict[str, Question], name: str, op: str, value: Any, where: str) -> Any:
    """The literal(s) of a ``{question: name, <op>: value}`` leaf, checked against the question's type."""
    question = questions[name]
    if op in ("at_least", "at_most") and question.type != "number":
        raise RulesetError(
            _("{where}: '{op}' works only on number questions; {name} is {type}.").format(
                where=where, op=op, name=name, type=question.type
            )
        )
    return check_operator(op, value, where, lambda v: _question_literal(question, v, where))


def _question_literal(question: Question, value: Any, where: str) -> Any:
    name = question.id
    if question.type == "boolean":
        if not isinstance(value, bool):
            raise RulesetError(
                _("{where}: {name} is a yes/no question; write true or false, not {value!r}.").format(
                    where=where, name=name, value=value
                )
            )
    elif question.type == "choice":
        if isinstance(value, bool):
            raise RulesetError(
                _("{where}: {value!r} was read as a boolean; quote the choice id (one of {choices}).").format(
                    where=where, value=value, choices=", ".join(question.choices)
                )
            )
        if not isinstance(value, str) or value not in question.choices:
            raise RulesetError(
                _("{where}: {value!r} is not a choice of {name}.{suggestion} Choices: {choices}.").format(
                    where=where,
                    value=value,
                    name=name,
                    suggestion=did_you_mean(value, question.choices),
                    choices=", ".join(question.choices),
                )
            )
        if value in question.unordered:
            raise RulesetError(
                _(
                    "{where}: {value!r} is an unordered answer of {name}; the engine treats "
                    "it as unanswered, so a condition cannot test it. Test 'answered: "
                    "false' or the other choices instead."
                ).format(where=where, value=value, name=name)
            )
    elif isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        # .nan compares false with everything, so no rule of the control could fire: refuse it here.
        raise RulesetError(
            _("{where}: {name} is a number question; {value!r} is not a finite number.").format(
                where=where, name=name, value=value
            )
        )
    return value


def check_operator(op: str, value: Any, where: str, check_literal: Callable[[Any], Any]) -> Any:
    """'answered' and 'one_of' read the same for every leaf subject; single literals go to ``check_literal``."""
    if op == "answered":
        if not isinstance(value, bool):
            raise RulesetError(_("{where}: 'answered' takes true or false.").format(where=where))
        return value
    if op == "one_of":
        if not isinstance(value, list) or not value:
            raise RulesetError(_("{where}: 'one_of' takes a non-empty list.").format(where=where))
        return tuple(check_literal(v) for v in value)
    return check_literal(value)


def institution_check(name: str, op: str, value: Any, where: str) -> Any:
    """Literals of ``{institution: state|public, ...}`` leaves: state codes and true/false."""
    if op in ("at_least", "at_most"):
        raise RulesetError(
            _("{where}: '{op}' does not apply to institution.{name}; use equals or one_of.").format(
                where=where, op=op, name=name
            )
        )
    return check_operator(op, value, where, lambda v: _institution_literal(name, v, where))


def _institution_literal(name: str, value: Any, where: str) -> Any:
    if name == "public":
        if not isinstance(value, bool):
            raise RulesetError(
                _("{where}: institution.public is true (a public body) or false, not {value!r}.").format(
                    where=where, value=value
                )
            )
        return value
    if not isinstance(value, str) or value not in US_STATES:
        raise RulesetError(
            _("{where}: {value!r} is not a two-letter state code.{suggestion}").format(
                where=where, value=value, suggestion=did_you_mean(str(value), US_STATES)
            )
        )
    return value


def translated_spellings(questions: dict[str, Question], other_texts: dict[str, list[Any]]) -> dict[str, Question]:
    """The questions with their texts and choice labels in the rules' other languages attached.

    ``other_texts`` maps a rules file (path inside the rules directory) to its data in each other language; only
    the question files are read. A label that is already an answer (a choice id, an alias) keeps its meaning.
    """
    texts: dict[str, list[str]] = {}
    labels: dict[str, dict[str, str]] = {}
    for inside, versions in other_texts.items():
        if not inside.startswith("questions/"):
            continue
        for data in versions:
            for qid, spec in (data or {}).items():
                if qid not in questions or not isinstance(spec, dict):
                    continue
                if isinstance(spec.get("text"), str):
                    texts.setdefault(qid, []).append(spec["text"].strip())
                for cid, label in (spec.get("choices") or {}).items():
                    if isinstance(label, str) and cid in questions[qid].choices:
                        key = answer_key(label)
                        if key not in questions[qid].aliases:
                            labels.setdefault(qid, {}).setdefault(key, cid)
    if not texts and not labels:
        return questions
    return {
        qid: replace(q, translated_texts=tuple(texts.get(qid, ())), translated_labels=labels.get(qid, {}))
        for qid, q in questions.items()
    }
