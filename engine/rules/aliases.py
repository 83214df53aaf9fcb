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
import unicodedata
from collections.abc import Mapping
from typing import Any

from engine.errors import RulesetError, did_you_mean

ID_SHAPE = re.compile(r"^[a-z][a-z0-9_]*$")


def answer_key(text: str) -> str:
    """The form answers are compared in: NFKC, trimmed, lower-case, runs of spaces made one."""
    return " ".join(unicodedata.normalize("NFKC", text).strip().lower().split())


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
        raise RulesetError(f"{w}: only choice questions have aliases; remove the key.")
    if not isinstance(raw, dict) or not raw:
        raise RulesetError(f'{w}: expected a mapping of choice id -> list of old answers, such as included: ["yes"].')
    # An alias must never shadow what people already type for a choice: its id (with or without
    # underscores) or its label.
    taken = {}
    for cid, label in choices.items():
        for spelling in (cid, cid.replace("_", " "), label):
            taken[answer_key(spelling)] = cid
    aliases: dict[str, str] = {}
    for cid, spellings in raw.items():
        if not isinstance(cid, str) or cid not in choices:
            raise RulesetError(f"{w}: {cid!r} is not a choice.{did_you_mean(str(cid), choices)}")
        if not isinstance(spellings, list) or not spellings:
            raise RulesetError(f'{w}.{cid}: expected a non-empty list of old answers, such as ["yes"].')
        for alias in spellings:
            if not isinstance(alias, str):
                raise RulesetError(
                    f"{w}.{cid}: {alias!r} was read as {type(alias).__name__}; quote it "
                    "(YAML reads yes/no as booleans)."
                )
            key = answer_key(alias)
            if not key:
                raise RulesetError(f"{w}.{cid}: an alias cannot be blank.")
            if key in taken:
                raise RulesetError(
                    f"{w}.{cid}: {alias!r} is already the id or label of choice {taken[key]!r}; an alias may not "
                    f"collide with a choice."
                )
            if key in aliases:
                raise RulesetError(
                    f"{w}.{cid}: {alias!r} is already an alias of {aliases[key]!r}; an old answer must mean one choice."
                )
            aliases[key] = cid
    return aliases


def parse_replaces(spec: dict[str, Any], where: str) -> tuple[str, ...]:
    """Check a question's ``replaces`` (retired question ids it took over by a rename or a split)."""
    raw = spec.get("replaces")
    if raw is None:
        return ()
    w = f"{where}.replaces"
    if not isinstance(raw, list) or not raw or not all(isinstance(v, str) and ID_SHAPE.match(v) for v in raw):
        raise RulesetError(f"{w}: expected a list of retired question ids, such as [old_question_id].")
    if len(set(raw)) != len(raw):
        raise RulesetError(f"{w}: a retired id is listed twice.")
    return tuple(raw)


def check_replaced(questions: Mapping[str, Any]) -> None:
    """A retired id must not still be a question (its answers would be read twice, or never)."""
    for question in questions.values():
        for old in question.replaces:
            if old in questions:
                raise RulesetError(
                    f"{question.source}: {question.id}.replaces: {old!r} is still a question; only retired ids go here."
                )


def replaced_by(questions: Mapping[str, Any], old: str) -> list[str]:
    """The questions that took over a retired id (several after a split), in catalogue order."""
    return [q.id for q in questions.values() if old in q.replaces]


def replaced_message(questions: Mapping[str, Any], old: str) -> str | None:
    """One sentence for an answer or column that uses a retired question id, or None if it never existed."""
    new = replaced_by(questions, old)
    if not new:
        return None
    names = " and ".join(new)
    return f"this question was replaced by {names}; answer {'them' if len(new) > 1 else 'it'} instead."
