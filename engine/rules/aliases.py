"""Choice aliases: older answers that still mean one choice (``aliases`` on a choice question).

When a yes/no question becomes a choice, surveys and answers files written for the old question
still say yes or no. Where such an answer maps to exactly one choice (for example "yes" to "the
policy has a savings clause"), the question lists it as data::

    aliases:
      included: ["yes"]
      not_included: ["no"]

``normalise_answer`` accepts an alias wherever it accepts a choice id or label (answers files and
survey cells alike). The aliases "yes" and "no" also accept every yes/no spelling a yes/no question
accepts (sí, true, 1, ...). Where an old answer could mean several choices, no alias is given and it
stays an error that names the choices, so nobody's answer is silently guessed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from engine.errors import RulesetError, did_you_mean
from engine.i18n import _, ngettext
from engine.vocabulary import answer_key

ID_SHAPE = re.compile(r"^[a-z][a-z0-9_]*$")


def parse_aliases(spec: dict[str, Any], qtype: str, choices: dict[str, str], where: str) -> dict[str, str]:
    """Check a question's ``aliases`` (choice id -> list of old answers).

    Returns:
        answer_key(alias) -> choice id.

    Raises:
        RulesetError: naming ``where`` and the key, with what to write instead.
    """
    raw = spec.get("aliases")
    w = f"{where}.aliases"
    if raw is None:
        return {}
    if qtype != "choice":
        raise RulesetError(_("{where}: only choice questions have aliases; remove the key.").format(where=w))
    if not isinstance(raw, dict) or not raw:
        raise RulesetError(
            _('{where}: expected a mapping of choice id -> list of old answers, such as included: ["yes"].').format(
                where=w
            )
        )
    # An alias must never shadow what people already type for a choice: its id (with or without
    # underscores) or its label.
    taken = {}
    for cid, label in choices.items():
        for spelling in (cid, cid.replace("_", " "), label):
            taken[answer_key(spelling)] = cid
    aliases: dict[str, str] = {}
    for cid, spellings in raw.items():
        if not isinstance(cid, str) or cid not in choices:
            raise RulesetError(
                _("{where}: {cid!r} is not a choice.{suggestion}").format(
                    where=w, cid=cid, suggestion=did_you_mean(str(cid), choices)
                )
            )
        if not isinstance(spellings, list) or not spellings:
            raise RulesetError(
                _('{where}.{cid}: expected a non-empty list of old answers, such as ["yes"].').format(where=w, cid=cid)
            )
        for alias in spellings:
            if not isinstance(alias, str):
                raise RulesetError(
                    _("{where}.{cid}: {alias!r} was read as {kind}; quote it (YAML reads yes/no as booleans).").format(
                        where=w, cid=cid, alias=alias, kind=type(alias).__name__
                    )
                )
            key = answer_key(alias)
            if not key:
                raise RulesetError(_("{where}.{cid}: an alias cannot be blank.").format(where=w, cid=cid))
            if key in taken:
                raise RulesetError(
                    _(
                        "{where}.{cid}: {alias!r} is already the id or label of choice "
                        "{taken!r}; an alias may not collide with a choice."
                    ).format(where=w, cid=cid, alias=alias, taken=taken[key])
                )
            if key in aliases:
                raise RulesetError(
                    _(
                        "{where}.{cid}: {alias!r} is already an alias of {aliases!r}; an old "
                        "answer must mean one choice."
                    ).format(where=w, cid=cid, alias=alias, aliases=aliases[key])
                )
            aliases[key] = cid
    return aliases


def parse_replaces(
    spec: dict[str, Any], where: str, qtype: str = "boolean", choices: Mapping[str, str] | None = None
) -> tuple[tuple[str, ...], dict[str, dict[str, Any]]]:
    """Check a question's ``replaces`` (retired question ids it took over by a rename or a split).

    Each entry is a retired id, whose old answers carry over as answers to this question (a rename), or
    ``{id: old_id, answers: {old answer: new answer}}``, where only the listed old answers decide this
    question and any other is left blank by ``sanctuary upgrade`` (a split, or a question turned round).
    Old answers are written "yes"/"no" for an old yes/no question, or an old choice id.

    Returns:
        (the retired ids, retired id -> {answer_key(old answer): new answer} for the restricted entries).
    """
    raw = spec.get("replaces")
    if raw is None:
        return (), {}
    w = f"{where}.replaces"
    example = _("{renamed} or {mapped}").format(
        renamed="[old_question_id]", mapped='[{id: old_question_id, answers: {"yes": true}}]'
    )
    if not isinstance(raw, list) or not raw:
        raise RulesetError(
            _("{where}: expected a list of retired question ids, such as {example}.").format(where=w, example=example)
        )
    ids: list[str] = []
    maps: dict[str, dict[str, Any]] = {}
    for entry in raw:
        if isinstance(entry, dict):
            if set(entry) != {"id", "answers"}:
                raise RulesetError(
                    _("{where}: a mapping entry has exactly the keys id and answers, such as {example}.").format(
                        where=w, example=example
                    )
                )
            old, answers = entry["id"], entry["answers"]
            if not isinstance(answers, dict):  # {} = no old answer decides this question
                raise RulesetError(
                    _("{where}.{old}.answers: expected a mapping of old answer -> new answer.").format(where=w, old=old)
                )
            table: dict[str, Any] = {}
            for key, value in answers.items():
                if not isinstance(key, str) or not key.strip():
                    raise RulesetError(
                        _(
                            '{where}.{old}.answers: old answer {key!r} must be quoted text ("yes", '
                            '"no" or a choice id).'
                        ).format(where=w, old=old, key=key)
                    )
                table[answer_key(key)] = _new_answer(value, qtype, choices or {}, f"{w}.{old}.answers.{key}")
            maps[str(old)] = table
        else:
            old = entry
        if not isinstance(old, str) or not ID_SHAPE.match(old):
            raise RulesetError(
                _("{where}: expected a list of retired question ids, such as {example}.").format(
                    where=w, example=example
                )
            )
        ids.append(old)
    if len(set(ids)) != len(ids):
        raise RulesetError(_("{where}: a retired id is listed twice.").format(where=w))
    return tuple(ids), maps


def _new_answer(value: Any, qtype: str, choices: Mapping[str, str], where: str) -> Any:
    if qtype == "boolean" and isinstance(value, bool):
        return value
    if qtype == "choice" and isinstance(value, str) and value in choices:
        return value
    if qtype == "boolean":
        allowed = _("true or false")
    elif choices:
        allowed = _("one of {choices}").format(choices=", ".join(choices))
    else:
        allowed = _("a number")
    raise RulesetError(
        _("{where}: {value!r} is not an answer to this question; write {allowed}.").format(
            where=where, value=value, allowed=allowed
        )
    )


def parse_retired_answers(spec: dict[str, Any], qtype: str, choices: Mapping[str, str], where: str) -> dict[str, str]:
    """Check ``retired_answers``: old choice values that no longer decide the question, each with a note.

    ``sanctuary upgrade`` leaves such an answer blank and shows the note (what to answer instead).
    """
    raw = spec.get("retired_answers")
    if raw is None:
        return {}
    w = f"{where}.retired_answers"
    if qtype != "choice":
        raise RulesetError(_("{where}: only choice questions have retired answers; remove the key.").format(where=w))
    if not isinstance(raw, dict) or not raw:
        raise RulesetError(_("{where}: expected a mapping of old choice id -> what to answer instead.").format(where=w))
    out: dict[str, str] = {}
    for old, note in raw.items():
        if not isinstance(old, str) or not ID_SHAPE.match(old):
            raise RulesetError(
                _("{where}: {old!r} is not a choice id (snake_case); quote it.").format(where=w, old=old)
            )
        if old in choices:
            raise RulesetError(
                _("{where}.{old}: is still a choice; only retired answers go here.").format(where=w, old=old)
            )
        if not isinstance(note, str) or not note.strip():
            raise RulesetError(_("{where}.{old}: say in words what to answer instead.").format(where=w, old=old))
        out[old] = " ".join(note.split())
    return out


def check_replaced(questions: Mapping[str, Any]) -> None:
    """A retired id must not still be a question (its answers would be read twice, or never)."""
    for question in questions.values():
        for old in question.replaces:
            if old in questions:
                raise RulesetError(
                    _("{source}: {id}.replaces: {old!r} is still a question; only retired ids go here.").format(
                        source=question.source, id=question.id, old=old
                    )
                )


def replaced_by(questions: Mapping[str, Any], old: str) -> list[str]:
    """The questions that took over a retired id (several after a split), in catalogue order."""
    return [q.id for q in questions.values() if old in q.replaces]


def replaced_message(questions: Mapping[str, Any], old: str) -> str | None:
    """One sentence for an answer or column that uses a retired question id, or None if it never existed."""
    new = replaced_by(questions, old)
    if not new:
        return None
    return ngettext(
        "this question was replaced by {names}; answer it instead.",
        "this question was replaced by {names}; answer them instead.",
        len(new),
    ).format(names=_(" and ").join(new))
