"""Read and normalise an institution's answers to the declared question types.

durable-rules compares mixed types as strings (``"4" > 10`` is true), so every answer is turned
into its declared type here, before it reaches any engine: booleans from yes/no spellings in
English and Spanish, choices by id or by label, numbers from numeric text. Blank means
unanswered. Anything else is an ``InputError`` that names the question and what is allowed.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from engine import safe_yaml
from engine.errors import InputError, did_you_mean
from engine.i18n import _
from engine.limits import (
    ANSWER_MAX_CHARS,
    ANSWERS_MAX_BYTES,
    DOCUMENT_MAX_DEPTH,
    INSTITUTION_MAX_TYPES,
    INSTITUTION_NAME_MAX_CHARS,
    NUMBER_MAX_DIGITS,
)
from engine.rules.aliases import answer_key, replaced_by, replaced_message
from engine.rules.branching import branching_order, skipped_questions, split_skipped
from engine.rules.model import Institution, Question, Ruleset, Submission
from engine.run.spellings import fold, state_code, type_lookup
from engine.safe_text import shown, unsafe_problem
from engine.vocabulary import strip_accents

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


def is_blank(raw: Any) -> bool:
    """True for values that mean 'not answered' (None, NaN, blank text, 'N/A', "don't know")."""
    if raw is None:
        return True
    if isinstance(raw, float) and math.isnan(raw):
        return True
    return isinstance(raw, str) and answer_key(raw) in BLANK_WORDS


def _alias(question: Question, raw: Any) -> str | None:
    """The choice an older answer stands for (rulesets/README.md, "Aliases"), or None."""
    if isinstance(raw, bool):
        keys = ["yes" if raw else "no"]
    elif isinstance(raw, str):
        word = answer_key(raw)
        keys = [word]
        # "yes"/"no" aliases accept every yes/no spelling a yes/no question accepts.
        if word in TRUE_WORDS or strip_accents(word) in TRUE_WORDS:
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
    # An alias may look blank ("none" was a choice id of the first release): aliases come before blank words.
    if question.aliases and isinstance(raw, str) and answer_key(raw) in question.aliases:
        return question.aliases[answer_key(raw)]
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
        word = answer_key(str(raw))
        if word in TRUE_WORDS or strip_accents(word) in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise InputError(
            _("{question}: {answer} is not a yes/no answer; use yes or no (sí/no, true/false).").format(
                question=question.id, answer=shown(raw)
            )
        )
    if question.type == "choice":
        if isinstance(raw, bool):
            raise InputError(
                _("{question}: {answer} is not one of the choices: {choices}.").format(
                    question=question.id, answer=repr(raw), choices=", ".join(question.choices)
                )
            )
        text = str(raw).strip()
        if text in question.choices:
            return text
        folded = answer_key(text)
        for cid, label in question.choices.items():
            if folded in (cid, answer_key(label), cid.replace("_", " ")):
                return cid
        translated = question.translated_labels.get(answer_key(text))  # the label in the rules' other language
        if translated is not None:
            return translated
        raise InputError(
            _("{question}: {answer} is not one of the choices: {choices}.").format(
                question=question.id, answer=shown(raw), choices=", ".join(question.choices)
            )
            + did_you_mean(text, question.choices)
        )
    # number
    if isinstance(raw, bool):
        raise InputError(
            _("{question}: expected a number, got {answer}.").format(question=question.id, answer=repr(raw))
        )
    if isinstance(raw, int | float):
        value: float | int = raw
    else:
        text = str(raw).strip().replace(",", "")
        try:
            value = float(text)
        except ValueError:
            raise InputError(
                _("{question}: {answer} is not a number.").format(question=question.id, answer=shown(raw))
            ) from None
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        raise InputError(
            _("{question}: {answer} is not a finite number.").format(question=question.id, answer=repr(raw))
        )
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if question.minimum is not None and value < question.minimum:
        raise InputError(
            _("{question}: {value} is below the minimum {minimum}.").format(
                question=question.id, value=value, minimum=question.minimum
            )
        )
    if question.maximum is not None and value > question.maximum:
        raise InputError(
            _("{question}: {value} is above the maximum {maximum}.").format(
                question=question.id, value=value, maximum=question.maximum
            )
        )
    return value


def _type_key(spellings: Mapping[str, str], item: str) -> str:
    """The type id for an id, a title or an alias (any case), else the folded text."""
    return spellings.get(fold(item)) or answer_key(item).replace(" ", "_").replace("-", "_")


def _split_types(ruleset: Ruleset, raw: str, where: str) -> list[str]:
    """Split a list of types at , ; or |, but never inside a title that holds a comma ("Jail, sheriff or ...").

    Linear in the text: a title or alias spans at most ``_spelling_parts`` pieces, so only that many are ever
    joined back to look one up (joining every run of pieces made a 10,000-character list cost hours).
    """
    parts = [p.strip() for p in re.split(r"[,;|]", raw)]
    if len(parts) == 1:
        return parts
    spellings = type_lookup(ruleset)
    widest = _spelling_parts(spellings)
    if sum(1 for p in parts if p) > INSTITUTION_MAX_TYPES * widest:
        raise _too_many_types(where)
    items: list[str] = []
    i = 0
    while i < len(parts):
        if not parts[i]:  # ",," or a trailing separator: no title starts with an empty piece
            i += 1
            continue
        # Longest run of parts that, joined back with commas, is a type's title or alias.
        for j in range(min(len(parts), i + widest), i + 1, -1):
            joined = ", ".join(parts[i:j])
            if fold(joined) in spellings:
                items.append(joined)
                i = j
                break
        else:
            items.append(parts[i])
            i += 1
    return [item for item in items if item]


def _spelling_parts(spellings: Mapping[str, str]) -> int:
    """The most pieces a type's title or alias splits into at , ; or | (folding keeps no punctuation, so count
    the words: a piece holds at least one)."""
    return max(len(s.split()) for s in spellings) if spellings else 1


def _too_many_types(where: str) -> InputError:
    return InputError(
        _("{where}: more than {count} institution types listed; give the few that describe it.").format(
            where=where, count=INSTITUTION_MAX_TYPES
        )
    )


def parse_types(ruleset: Ruleset, raw: Any, where: str = "institution.type") -> tuple[str, ...]:
    """Institution types from a string, a list, or text separated by commas, semicolons or '|'."""
    if is_blank(raw):
        raise _missing_type(ruleset, where)
    if isinstance(raw, str):
        items = _split_types(ruleset, raw, where)
    elif isinstance(raw, list | tuple):
        items = [str(p).strip() for p in raw]
    else:
        raise InputError(
            _("{where}: expected a type or a list of types, got {value}.").format(where=where, value=shown(repr(raw)))
        )
    if len(items) > INSTITUTION_MAX_TYPES:
        raise _too_many_types(where)
    types: list[str] = []
    spellings = type_lookup(ruleset)  # ids, titles and the aliases in ruleset.yaml
    for item in items:
        key = _type_key(spellings, item)
        if key not in ruleset.institution_types:
            hint = did_you_mean(key, ruleset.institution_types) if len(key) <= 100 else ""
            raise InputError(
                _("{where}: unknown institution type {value}.").format(where=where, value=shown(item))
                + hint
                + " "
                + _("Types: {types}.").format(types=", ".join(ruleset.institution_types))
            )
        if key not in types:
            types.append(key)
    if not types:
        raise _missing_type(ruleset, where)
    return tuple(types)


def _missing_type(ruleset: Ruleset, where: str) -> InputError:
    return InputError(
        _("{where}: missing; give one of {types}.").format(where=where, types=", ".join(ruleset.institution_types))
    )


def parse_state(raw: Any, where: str = "institution.state") -> str | None:
    """The two-letter code of a state given by name or code; None when blank."""
    if is_blank(raw):
        return None
    if not isinstance(raw, str | int):
        raise InputError(_("{where}: expected a state name or code, got {value}.").format(where=where, value=repr(raw)))
    code = state_code(raw)  # a name ("New Mexico") or a code, through the maintained `us` list
    if code is None:
        raise InputError(
            _("{where}: {value} is not a US state or territory; give its name or code, such as CA or Texas.").format(
                where=where, value=shown(raw)
            )
        )
    return code


def parse_public(raw: Any, where: str = "institution.public") -> bool | None:
    """True for a public body, False for a private one, None when not said."""
    if is_blank(raw):
        return None
    if isinstance(raw, bool):
        return raw
    word = answer_key(str(raw))
    if word in TRUE_WORDS | {"public", "público", "publico"}:
        return True
    if word in FALSE_WORDS | {"private", "privado"}:
        return False
    raise InputError(_("{where}: {value} is not yes/no (or public/private).").format(where=where, value=shown(raw)))


def parse_submission(ruleset: Ruleset, data: Any, source: str = "answers") -> Submission:
    """Validate a decoded answers document (the SPEC answers format) against the ruleset.

    Args:
        data: the decoded document, or the file's text or bytes (decoded by ``decode_document``).

    Raises:
        InputError: naming ``source`` and the key that is wrong.
    """
    if isinstance(data, str | bytes | bytearray):
        data = decode_document(data, source)
    check_document(data, source)
    if not isinstance(data, dict):
        raise InputError(_("{source}: expected a mapping with 'institution' and 'answers'.").format(source=source))
    unknown = set(data) - {"rules_version", "institution", "answers"}
    if unknown:
        key = sorted(unknown)[0]
        raise InputError(
            _("{source}: unknown top-level key {key}.").format(source=source, key=repr(key))
            + did_you_mean(key, ["rules_version", "institution", "answers"])
        )
    written_for = data.get("rules_version")
    if written_for is not None and not isinstance(written_for, str | int | float):
        raise InputError(
            _("{source}: rules_version: expected a version such as {version}.").format(
                source=source, version=repr(ruleset.version)
            )
        )
    inst = data.get("institution")
    if not isinstance(inst, dict):
        raise InputError(_("{source}: institution: missing; give at least its name and type.").format(source=source))
    bad = set(inst) - {"name", "type", "state", "public"}
    if bad:
        key = sorted(bad)[0]
        raise InputError(
            _("{source}: institution.{key}: unknown key.").format(source=source, key=key)
            + did_you_mean(key, ["name", "type", "state", "public"])
        )
    if not isinstance(inst.get("name"), str | None):
        raise InputError(
            _("{source}: institution.name: expected text, got {value}; quote it.").format(
                source=source, value=repr(inst["name"])
            )
        )
    if len(inst.get("name") or "") > INSTITUTION_NAME_MAX_CHARS:
        raise InputError(
            _(
                "{source}: institution.name: {chars:,} characters; at most {limit} "
                "(a report title and a Word document's properties hold no more); shorten it."
            ).format(source=source, chars=len(inst["name"]), limit=INSTITUTION_NAME_MAX_CHARS)
        )
    try:
        institution = Institution(
            # Runs of spaces and line breaks become one space: a name is one line in every report and heading.
            name=" ".join(str(inst.get("name") or "").split()) or "Unnamed institution",
            types=parse_types(ruleset, inst.get("type")),
            state=parse_state(inst.get("state")),
            public=parse_public(inst.get("public")),
        )
    except InputError as exc:
        raise InputError(_("{source}: {exc}").format(source=source, exc=exc)) from None
    raw_answers = data.get("answers") or {}
    if not isinstance(raw_answers, dict):
        raise InputError(_("{source}: answers: expected a mapping of question id -> answer.").format(source=source))
    answers: dict[str, Any] = {}
    for qid, raw in raw_answers.items():
        question = ruleset.questions.get(str(qid))
        if question is None and replaced_message(ruleset.questions, str(qid)):
            names = _(" and ").join(replaced_by(ruleset.questions, str(qid)))
            what = _("{question} was replaced by {names}").format(question=qid, names=names)
            raise InputError(_earlier_release(ruleset, source, written_for, what))
        if (
            question is None
            and written_for is not None
            and _version_key(str(written_for)) > _version_key(ruleset.version)
        ):
            what = _("{question} is not a question of this release").format(question=qid)
            raise InputError(_earlier_release(ruleset, source, written_for, what))
        if question is None:
            raise InputError(
                _("{source}: answers.{question}: unknown question id.").format(source=source, question=qid)
                + did_you_mean(str(qid), ruleset.questions)
                + " "
                + _("Run 'sanctuary questions' for the list.")
            )
        if isinstance(raw, dict | list):
            raise InputError(
                _("{source}: answers.{qid}: expected one answer, got a {value}.").format(
                    source=source, qid=qid, value=type(raw).__name__
                )
            )
        try:
            value = normalise_answer(question, raw)
        except InputError as exc:
            if question.type == "choice" and _retired(ruleset, question.id, raw):
                raise InputError(
                    _earlier_release(
                        ruleset,
                        source,
                        written_for,
                        _("{question}: {answer} is an answer it no longer takes").format(
                            question=qid, answer=repr(raw)
                        ),
                    )
                ) from None
            raise InputError(_("{source}: answers.{exc}").format(source=source, exc=exc)) from None
        if value is not None:
            answers[question.id] = value
    answers, undecided, ignored = split_answers(ruleset, answers, institution)
    return Submission(institution=institution, answers=answers, source=source, undecided=undecided, ignored=ignored)


def split_answers(
    ruleset: Ruleset, answers: dict[str, Any], institution: Institution | None = None
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(answers the rules read, "don't know" answers, answers to questions the other answers skip).

    A skipped question (its ``ask_when`` is false for these answers) is ignored whatever was answered, "don't
    know" included: the rules never read it and the report notes it (engine/rules/branching.py).
    """
    answers, undecided = split_undecided(ruleset, answers)
    answers, ignored = split_skipped(ruleset, answers, institution)
    if undecided and branching_order(ruleset):
        skipped = skipped_questions(ruleset, answers, institution)
        ignored.update({q: v for q, v in undecided.items() if q in skipped})
        undecided = {q: v for q, v in undecided.items() if q not in skipped}
    return answers, undecided, ignored


def _retired(ruleset: Ruleset, qid: str, raw: Any) -> bool:
    from engine.run.upgrade import is_released, load_registry  # upgrade reads answers through this module

    return is_released(ruleset, load_registry(ruleset), qid, raw)


def _earlier_release(ruleset: Ruleset, source: str, written_for: Any, what: str) -> str:
    """The one line for a file that uses a retired question or answer: say to upgrade it, not each value."""
    if written_for is not None and _version_key(str(written_for)) > _version_key(ruleset.version):
        return _(
            "{source}: was written for rules {written_for}, later than this tool's {version} ({what}); "
            "update the Sanctuary Policy Evaluator to read it."
        ).format(source=source, written_for=written_for, version=ruleset.version, what=what)
    if written_for is not None:
        return _(
            "{source}: was written for rules {written_for} ({what}); run `sanctuary upgrade {source}` to bring it "
            "up to date."
        ).format(source=source, written_for=written_for, what=what)
    return _(
        "{source}: was written for an earlier release of the questions ({what}); run `sanctuary upgrade {source}` "
        "to bring it up to date."
    ).format(source=source, what=what)


def _version_key(version: str) -> tuple[int, ...]:
    """'2026.12.0' -> (2026, 12, 0); text parts count as 0, so a malformed version never raises."""
    return tuple(int(part) if part.isdigit() else 0 for part in version.split("."))


def _undecidable(ruleset: Ruleset) -> tuple[tuple[str, tuple[Any, ...]], ...]:
    """(question, its unordered choices) of every question that has some."""
    return ruleset.memo.get(
        "undecidable", lambda: tuple((q.id, tuple(q.unordered)) for q in ruleset.questions.values() if q.unordered)
    )


def split_undecided(ruleset: Ruleset, answers: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Separate answers that decide nothing ("don't know - ask counsel", a question's ``unordered``).

    Returns:
        (answers the rules may read, the undecided answers kept for the report).
    """
    # Only a few questions offer such an answer: check those first, and split only when one was given.
    if not any(answers.get(qid) in unordered for qid, unordered in _undecidable(ruleset)):
        return dict(answers), {}
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
        if path.is_dir():
            raise InputError(
                _("{path}: is a directory; give the path of an answers file (.yaml or .json).").format(path=path)
            )
        with path.open("rb") as handle:  # read at most one byte past the limit: a pipe has no size to check first
            data = handle.read(ANSWERS_MAX_BYTES + 1)
        if len(data) > ANSWERS_MAX_BYTES:
            raise InputError(
                _("{path}: larger than {limit:,} bytes, too large to be an answers file.").format(
                    path=path, limit=ANSWERS_MAX_BYTES
                )
            )
    except FileNotFoundError:
        hint = " " + _("(to read standard input, give /dev/stdin)") if str(path) == "-" else ""
        raise InputError(_("{path}: no such file{hint}.").format(path=path, hint=hint)) from None
    except OSError as exc:
        raise InputError(
            _("{path}: cannot read the file ({strerror}).").format(path=path, strerror=exc.strerror)
        ) from None
    return parse_submission(ruleset, data, str(path))


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > NUMBER_MAX_DIGITS:
        raise ValueError(_("a number with more than {limit} digits").format(limit=NUMBER_MAX_DIGITS))
    return int(text)


def _json_constant(name: str) -> Any:
    raise ValueError(_("{name} is not a number an answer can have").format(name=name))


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(_("duplicate key {key}; remove one of them").format(key=repr(key)))
        result[key] = value
    return result


def decode_document(text: str | bytes | bytearray, source: str) -> Any:
    """Decode an answers document: JSON for *.json, else strict YAML (engine.safe_yaml), within the input limits.

    Raises:
        InputError: too large, not UTF-8, malformed, or beyond a limit (one line naming ``source``).
    """
    if isinstance(text, bytes | bytearray):
        if len(text) > ANSWERS_MAX_BYTES:
            raise InputError(
                _("{source}: larger than {limit:,} bytes, too large to be an answers file.").format(
                    source=source, limit=ANSWERS_MAX_BYTES
                )
            )
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InputError(
                _("{source}: not UTF-8 text; save the answers file as UTF-8 (.yaml or .json).").format(source=source)
            ) from None
    if len(text) > ANSWERS_MAX_BYTES:
        raise InputError(
            _("{source}: larger than {limit:,} characters, too large to be an answers file.").format(
                source=source, limit=ANSWERS_MAX_BYTES
            )
        )
    text = text.removeprefix("\ufeff")
    if source.lower().endswith(".json"):
        try:
            return json.loads(text, object_pairs_hook=_json_object, parse_int=_json_int, parse_constant=_json_constant)
        except json.JSONDecodeError as exc:
            raise InputError(
                _("{source}: line {lineno}: malformed JSON: {msg}.").format(
                    source=source, lineno=exc.lineno, msg=exc.msg
                )
            ) from None
        except ValueError as exc:
            raise InputError(_("{source}: malformed JSON: {exc}.").format(source=source, exc=exc)) from None
        except RecursionError:
            raise InputError(
                _("{source}: nested more than {limit} levels deep.").format(source=source, limit=DOCUMENT_MAX_DEPTH)
            ) from None
    try:
        return safe_yaml.parse(text)
    except yaml.YAMLError as exc:
        where, problem = safe_yaml.describe(exc)
        raise InputError(
            _("{source}:{where}: malformed YAML: {problem}.").format(source=source, where=where, problem=problem)
        ) from None
    except ValueError as exc:  # a YAML scalar Python cannot convert (e.g. a float with 5,000 digits)
        raise InputError(_("{source}: malformed YAML: {exc}.").format(source=source, exc=exc)) from None


def check_document(data: Any, source: str, path: str = "", depth: int = 0) -> None:
    """Reject what no answers document holds: deep nesting, non-text keys, NaN/infinity, control characters.

    Raises:
        InputError: naming ``source`` and the key path.
    """
    where = f"{source}: {path}" if path else source
    if depth > DOCUMENT_MAX_DEPTH:
        raise InputError(
            _("{where}: nested more than {limit} levels deep.").format(where=where, limit=DOCUMENT_MAX_DEPTH)
        )
    if isinstance(data, dict):
        for key, value in data.items():
            if not isinstance(key, str):
                raise InputError(_("{where}: key {key} is not text; quote it.").format(where=where, key=repr(key)))
            problem = unsafe_problem(key)
            if problem:
                raise InputError(_("{where}: a key {problem}").format(where=where, problem=problem))
            check_document(value, source, f"{path}.{key}" if path else key, depth + 1)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            check_document(value, source, f"{path}[{i}]", depth + 1)
    elif isinstance(data, float) and not math.isfinite(data):
        raise InputError(
            _("{where}: {data} is not a number an answer can have; give a finite number.").format(
                where=where, data=repr(data)
            )
        )
    elif isinstance(data, str):
        if len(data) > ANSWER_MAX_CHARS:
            raise InputError(
                _("{where}: text longer than {limit:,} characters.").format(where=where, limit=ANSWER_MAX_CHARS)
            )
        problem = unsafe_problem(data)
        if problem:
            raise InputError(_("{where}: {problem}").format(where=where, problem=problem))
    elif data is not None and not isinstance(data, bool | int | float):
        # YAML's safe loader also makes bytes (!!binary) and sets (!!set); neither is an answer.
        raise InputError(
            _("{where}: a {value} value is not an answer; write text, a number or yes/no.").format(
                where=where, value=type(data).__name__
            )
        )


def submission_to_document(submission: Submission, rules_version: str | None = None) -> dict[str, Any]:
    """The SPEC answers document for a submission (what 'save answers' writes), with the rules version it fits."""
    document: dict[str, Any] = {"rules_version": rules_version} if rules_version else {}
    document["institution"] = submission.institution.to_dict()
    document["answers"] = {**submission.answers, **submission.undecided}
    return document
