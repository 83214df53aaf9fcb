"""Branching questions: ``ask_when`` in the question catalogue, and which questions a set of answers skips.

A question may declare ``ask_when``, a condition over other answers in the language controls use
(``{question: sc_has_school_police, equals: true}``). It is *skipped* when that condition is certainly false
for the answers given, or when a question it depends on is itself skipped. While the condition is unknown (the
earlier question is blank or "don't know") the question is still asked, so nothing is hidden on a guess.

A skipped question is not shown, not counted as unanswered and not asked in survey guidance; an answer given to
it anyway is left out of the evaluation and noted in the report (``ignored_answers``). The rules data must make
that harmless: every control reading a skipped question does not apply (a Hypothesis test checks it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from engine.errors import RulesetError
from engine.i18n import _
from engine.rules import conditions
from engine.rules.model import Institution, Question, Ruleset


def parse_ask_when(
    questions: dict[str, Question], raw: dict[str, Any], check_question: Any, check_institution: Any
) -> dict[str, Question]:
    """Attach each question's parsed ``ask_when`` and refuse cycles.

    Args:
        questions: the catalogue, every question already checked.
        raw: question id -> (where, ask_when data) for the questions that declare one.
        check_question / check_institution: the literal checks controls use (engine.rules.questions).

    Raises:
        RulesetError: naming the file, the question and the key, with a suggestion where one applies.
    """
    parsed: dict[str, conditions.Condition] = {}
    for qid, (where, data) in raw.items():
        w = f"{where}: {qid}.ask_when"
        cond = conditions.parse(data, w, "question", questions, check_question, check_institution)
        conditions.check_limits(cond, w)
        refs = set(cond.references())
        if qid in refs:
            raise RulesetError(
                _("{where}: the question depends on its own answer; name an earlier question instead.").format(where=w)
            )
        parsed[qid] = cond
    _check_cycles(questions, parsed)
    return {qid: dataclasses.replace(q, ask_when=parsed[qid]) if qid in parsed else q for qid, q in questions.items()}


def _check_cycles(questions: dict[str, Question], parsed: dict[str, conditions.Condition]) -> None:
    """Refuse ``ask_when`` chains that loop (a -> b -> a): no order could ask them."""
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(qid: str, path: list[str]) -> None:
        if state.get(qid) == 2 or qid not in parsed:
            return
        if state.get(qid) == 1:
            loop = [*path[path.index(qid) :], qid]
            raise RulesetError(
                _(
                    "{source}: {qid}.ask_when: the questions' ask_when conditions depend on "
                    "each other in a loop ({loop}), so none of them could be asked first; "
                    "make one of them depend only on questions outside the loop."
                ).format(source=questions[path[path.index(qid)]].source, qid=qid, loop=" -> ".join(loop))
            )
        state[qid] = 1
        for ref in parsed[qid].references():
            visit(ref, [*path, qid])
        state[qid] = 2

    for qid in parsed:
        visit(qid, [])


def branching_order(ruleset: Ruleset) -> tuple[tuple[str, conditions.Condition, frozenset[str]], ...]:
    """(question, ask_when, the questions it reads) for every branching question, parents before children."""
    return ruleset.memo.get("branching_order", lambda: _branching_order(ruleset))


def _branching_order(ruleset: Ruleset) -> tuple[tuple[str, conditions.Condition, frozenset[str]], ...]:
    branching = {q.id: q.ask_when for q in ruleset.questions.values() if q.ask_when is not None}
    ordered: list[str] = []

    def place(qid: str) -> None:
        if qid in ordered or qid not in branching:
            return
        for ref in branching[qid].references():
            place(ref)
        ordered.append(qid)

    for qid in branching:
        place(qid)
    return tuple((qid, branching[qid], frozenset(branching[qid].references())) for qid in ordered)


def skipped_questions(
    ruleset: Ruleset, answers: Mapping[str, Any], institution: Institution | None = None
) -> frozenset[str]:
    """The questions the answers skip: ``ask_when`` certainly false, or a question it reads is skipped.

    Args:
        answers: question id -> normalised answer (blank and "don't know" answers left out).
        institution: gives ``{institution: public|state}`` leaves their values (unknown when None).
    """
    order = branching_order(ruleset)
    if not order:
        return frozenset()
    values: dict[str, Any] = {}
    for _qid, _cond, parents in order:
        for parent in parents:
            value = answers.get(parent)
            # "Don't know - ask counsel" decides nothing here either: the follow-up stays asked.
            if value is not None and value not in ruleset.questions[parent].unordered:
                values[parent] = value
    if institution is not None:
        values["state"], values["public"] = institution.state, institution.public
    skipped: set[str] = set()
    for qid, cond, parents in order:
        if parents & skipped or cond.evaluate(values) is False:
            skipped.add(qid)
    return frozenset(skipped)


def split_skipped(
    ruleset: Ruleset, answers: dict[str, Any], institution: Institution | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(answers the rules may read, answers given to skipped questions) for a submission's answers."""
    if not branching_order(ruleset):
        return answers, {}
    skipped = skipped_questions(ruleset, answers, institution)
    if not skipped & answers.keys():
        return answers, {}
    kept = {q: v for q, v in answers.items() if q not in skipped}
    return kept, {q: v for q, v in answers.items() if q in skipped}


def ask_when_text(ruleset: Ruleset, question: Question) -> str:
    """When the question is asked, in words: 'only if "Does the district have ...?" is answered Yes'."""
    if question.ask_when is None:
        return ""
    return _("only if {condition}").format(condition=_words(ruleset, question.ask_when))


def _quote(text: str) -> str:
    return f"\u201c{text}\u201d"


def _words(ruleset: Ruleset, cond: conditions.Condition) -> str:
    if isinstance(cond, conditions.Not):
        return _("not ({condition})").format(condition=_words(ruleset, cond.child))
    if isinstance(cond, conditions.All | conditions.Any_):
        joiner = _(" and ") if isinstance(cond, conditions.All) else _(" or ")
        return joiner.join(_words(ruleset, child) for child in cond.children)
    leaf = cond
    if leaf.subject == "institution":
        if leaf.name == "public":
            if leaf.value:
                return _("the institution is a public body")
            return _("the institution is a private organisation")
        states = leaf.value if isinstance(leaf.value, tuple) else (leaf.value,)
        return _("the institution is in {states}").format(states=_(" or ").join(states))
    question = ruleset.questions[leaf.name]
    asked = _quote(question.text)
    if leaf.op == "answered":
        return (_("{question} is answered") if leaf.value else _("{question} is left blank")).format(question=asked)

    def label(value: Any) -> str:
        return _("Yes") if value is True else _("No") if value is False else question.label(value)

    needed = conditions.needed_text(leaf, lambda _name, value: _quote(label(value)))
    return _("{question} is answered {needed}").format(question=asked, needed=needed)
