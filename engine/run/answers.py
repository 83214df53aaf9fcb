"""Read and normalise an institution's answers to the declared question types.

durable-rules compares mixed types as strings (``"4" > 10`` is true), so every answer is turned
into its declared type here, before it reaches any engine: booleans from yes/no spellings in
English and Spanish, choices by id or by label, numbers from numeric text. Blank means
unanswered. Anything else is an ``InputError`` that names the question and what is allowed.
"""

from __future__ import annotations

import json
import math
import unicodedata
from pathlib import Path
from typing import Any

import yaml

from engine.errors import InputError, did_you_mean
from engine.rules.aliases import answer_key, replaced_message
from engine.rules.model import Institution, Question, Ruleset, Submission
from engine.run.spellings import fold, state_code, type_lookup

TRUE_WORDS = {"yes", "y", "true", "t", "1", "si", "sí", "s", "verdadero", "x", "checked", "on"}
FALSE_WORDS = {"no", "n", "false", "f", "0", "falso", "unchecked", "off"}
BLANK_WORDS = {
    "",
    "n/a",
    "na",
    "none",
    "null",
    "-",
    "unanswered",
    "no answer",
    "sin respuesta",
    "no sé",
    "no se",
    "don't know",
    "dont know",
    "unknown",
    "not sure",
}


def _fold(text: str) -> str:
    """Lower-case, trim, and strip accents except that 'sí' stays recognisable."""
    text = unicodedata.normalize("NFKC", text).strip().lower()
    return " ".join(text.split())


def _plain(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def is_blank(raw: Any) -> bool:
    """True for values that mean 'not answered' (None, NaN, blank text, 'N/A', "don't know")."""
    if raw is None:
        return True
    if isinstance(raw, float) and math.isnan(raw):
        return True
    return isinstance(raw, str) and _fold(raw) in BLANK_WORDS


def _alias(question: Question, raw: Any) -> str | None:
    """The choice an older answer stands for (rulesets/README.md, "Aliases"), or None."""
    if isinstance(raw, bool):
        keys = ["yes" if raw else "no"]
    elif isinstance(raw, str):
        word = answer_key(raw)
        keys = [word]
        # "yes"/"no" aliases accept every yes/no spelling a yes/no question accepts.
        if word in TRUE_WORDS or _plain(word) in TRUE_WORDS:
            keys.append("yes")
        elif word in FALSE_WORDS:
            keys.append("no")
    else:
        return None
    return next((question.aliases[k] for k in keys if k in question.aliases), None)


def normalise_answer(question: Question, raw: Any) -> Any:
    """Return the answer in the question's declared type, or None when unanswered.

    Raises:
        InputError: the value does not fit the question (message names what is allowed).
    """
    # A choice id such as "none" is an answer, not a blank: match ids before blank words.
    if question.type == "choice" and isinstance(raw, str) and raw.strip() in question.choices:
        return raw.strip()
    if is_blank(raw):
        return None
    if hasattr(raw, "item") and not isinstance(raw, str | bytes):  # numpy scalars
        raw = raw.item()
    if question.aliases:
        alias = _alias(question, raw)
        if alias is not None:
            return alias
    if question.type == "boolean":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, int | float) and raw in (0, 1):
            return bool(raw)
        word = _fold(str(raw))
        if word in TRUE_WORDS or _plain(word) in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise InputError(f"{question.id}: {raw!r} is not a yes/no answer; use yes or no (sí/no, true/false).")
    if question.type == "choice":
        if isinstance(raw, bool):
            raise InputError(f"{question.id}: {raw!r} is not one of the choices: {', '.join(question.choices)}.")
        text = str(raw).strip()
        if text in question.choices:
            return text
        folded = _fold(text)
        for cid, label in question.choices.items():
            if folded in (cid, _fold(label), cid.replace("_", " ")):
                return cid
        raise InputError(
            f"{question.id}: {raw!r} is not one of the choices: {', '.join(question.choices)}."
            f"{did_you_mean(text, question.choices)}"
        )
    # number
    if isinstance(raw, bool):
        raise InputError(f"{question.id}: expected a number, got {raw!r}.")
    if isinstance(raw, int | float):
        value: float | int = raw
    else:
        text = str(raw).strip().replace(",", "")
        try:
            value = float(text)
        except ValueError:
            raise InputError(f"{question.id}: {raw!r} is not a number.") from None
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        raise InputError(f"{question.id}: {raw!r} is not a finite number.")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if question.minimum is not None and value < question.minimum:
        raise InputError(f"{question.id}: {value} is below the minimum {question.minimum}.")
    if question.maximum is not None and value > question.maximum:
        raise InputError(f"{question.id}: {value} is above the maximum {question.maximum}.")
    return value


def parse_types(ruleset: Ruleset, raw: Any, where: str = "institution.type") -> tuple[str, ...]:
    """Institution types from a string, a list, or text separated by commas, semicolons or '|'."""
    if is_blank(raw):
        raise InputError(f"{where}: missing; give one of {', '.join(ruleset.institution_types)}.")
    if isinstance(raw, str):
        items = [p.strip() for p in raw.replace(";", ",").replace("|", ",").split(",") if p.strip()]
    elif isinstance(raw, list | tuple):
        items = [str(p).strip() for p in raw]
    else:
        raise InputError(f"{where}: expected a type or a list of types, got {raw!r}.")
    types: list[str] = []
    spellings = type_lookup(ruleset)  # ids, titles and the aliases in ruleset.yaml
    for item in items:
        key = spellings.get(fold(item)) or _fold(item).replace(" ", "_").replace("-", "_")
        if key not in ruleset.institution_types:
            raise InputError(
                f"{where}: unknown institution type {item!r}.{did_you_mean(key, ruleset.institution_types)} "
                f"Types: {', '.join(ruleset.institution_types)}."
            )
        if key not in types:
            types.append(key)
    if not types:
        raise InputError(f"{where}: missing; give one of {', '.join(ruleset.institution_types)}.")
    return tuple(types)


def parse_state(raw: Any, where: str = "institution.state") -> str | None:
    """The two-letter code of a state given by name or code; None when blank."""
    if is_blank(raw):
        return None
    code = state_code(raw)  # a name ("New Mexico") or a code, through the maintained `us` list
    if code is None:
        raise InputError(
            f"{where}: {raw!r} is not a US state or territory; give its name or code, such as CA or Texas."
        )
    return code


def parse_public(raw: Any, where: str = "institution.public") -> bool | None:
    """True for a public body, False for a private one, None when not said."""
    if is_blank(raw):
        return None
    if isinstance(raw, bool):
        return raw
    word = _fold(str(raw))
    if word in TRUE_WORDS | {"public", "público", "publico"}:
        return True
    if word in FALSE_WORDS | {"private", "privado"}:
        return False
    raise InputError(f"{where}: {raw!r} is not yes/no (or public/private).")


def parse_submission(ruleset: Ruleset, data: Any, source: str = "answers") -> Submission:
    """Validate a decoded answers document (the SPEC answers format) against the ruleset.

    Raises:
        InputError: naming ``source`` and the key that is wrong.
    """
    if not isinstance(data, dict):
        raise InputError(f"{source}: expected a mapping with 'institution' and 'answers'.")
    unknown = set(data) - {"institution", "answers"}
    if unknown:
        key = sorted(unknown)[0]
        raise InputError(f"{source}: unknown top-level key {key!r}.{did_you_mean(key, ['institution', 'answers'])}")
    inst = data.get("institution")
    if not isinstance(inst, dict):
        raise InputError(f"{source}: institution: missing; give at least its name and type.")
    bad = set(inst) - {"name", "type", "state", "public"}
    if bad:
        key = sorted(bad)[0]
        raise InputError(
            f"{source}: institution.{key}: unknown key.{did_you_mean(key, ['name', 'type', 'state', 'public'])}"
        )
    try:
        institution = Institution(
            name=str(inst.get("name") or "").strip() or "Unnamed institution",
            types=parse_types(ruleset, inst.get("type")),
            state=parse_state(inst.get("state")),
            public=parse_public(inst.get("public")),
        )
    except InputError as exc:
        raise InputError(f"{source}: {exc}") from None
    raw_answers = data.get("answers") or {}
    if not isinstance(raw_answers, dict):
        raise InputError(f"{source}: answers: expected a mapping of question id -> answer.")
    answers: dict[str, Any] = {}
    for qid, raw in raw_answers.items():
        question = ruleset.questions.get(str(qid))
        if question is None and replaced_message(ruleset.questions, str(qid)):
            raise InputError(f"{source}: answers.{qid}: {replaced_message(ruleset.questions, str(qid))}")
        if question is None:
            raise InputError(
                f"{source}: answers.{qid}: unknown question id.{did_you_mean(str(qid), ruleset.questions)} "
                f"Run 'sanctuary questions' for the list."
            )
        try:
            value = normalise_answer(question, raw)
        except InputError as exc:
            raise InputError(f"{source}: answers.{exc}") from None
        if value is not None:
            answers[question.id] = value
    answers, undecided = split_undecided(ruleset, answers)
    return Submission(institution=institution, answers=answers, source=source, undecided=undecided)


def split_undecided(ruleset: Ruleset, answers: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Separate answers that decide nothing ("don't know - ask counsel", a question's ``unordered``).

    Returns:
        (answers the rules may read, the undecided answers kept for the report).
    """
    kept, undecided = {}, {}
    for qid, value in answers.items():
        question = ruleset.questions.get(qid)
        if question is not None and value in question.unordered:
            undecided[qid] = value
        else:
            kept[qid] = value
    return kept, undecided


def load_submission(ruleset: Ruleset, path: str | Path) -> Submission:
    """Read an answers file (YAML or JSON) and validate it.

    Raises:
        InputError: the file cannot be read, is malformed, or has an invalid answer.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the file as UTF-8 text ({exc.__class__.__name__}).") from None
    return parse_submission(ruleset, decode_document(text, str(path)), str(path))


def decode_document(text: str, source: str) -> Any:
    """Decode JSON or YAML text (safe loader only)."""
    if source.endswith(".json"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{source}: line {exc.lineno}: malformed JSON: {exc.msg}.") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}:" if mark else ""
        raise InputError(f"{source}:{where} malformed YAML: {getattr(exc, 'problem', None) or exc}.") from None


def submission_to_document(submission: Submission) -> dict[str, Any]:
    """The SPEC answers document for a submission (what 'save answers' writes)."""
    return {"institution": submission.institution.to_dict(), "answers": {**submission.answers, **submission.undecided}}
