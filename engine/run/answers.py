"""Read an institution's answers file and validate it against the rules into a ``Submission``.

The document is decoded and checked by ``engine.run.document``, the institution's fields read by
``engine.run.institution`` and each answer put in its declared type by ``engine.run.normalise``; this module
joins them, names the file and key of anything wrong, tells a file written for another release to be upgraded,
and sets aside the answers the rules do not read ("don't know", questions the other answers skip).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.errors import InputError, did_you_mean
from engine.i18n import _
from engine.limits import ANSWERS_MAX_BYTES, INSTITUTION_NAME_MAX_CHARS
from engine.rules.aliases import replaced_by, replaced_message
from engine.rules.branching import branching_order, skipped_questions, split_skipped
from engine.rules.model import Institution, Ruleset, Submission
from engine.run.document import check_document, decode_document
from engine.run.institution import parse_public, parse_state, parse_types
from engine.run.normalise import normalise_answer
from engine.vocabulary import UNNAMED_INSTITUTION


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
            name=" ".join(str(inst.get("name") or "").split()) or UNNAMED_INSTITUTION,
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
    # Imported here: only a choice answer that fails needs the upgrade's registry, so a start-up never loads it.
    from engine.run.upgrade import is_released, load_registry

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


def submission_to_document(submission: Submission, rules_version: str | None = None) -> dict[str, Any]:
    """The SPEC answers document for a submission (what 'save answers' writes), with the rules version it fits."""
    document: dict[str, Any] = {"rules_version": rules_version} if rules_version else {}
    document["institution"] = submission.institution.to_dict()
    document["answers"] = {**submission.answers, **submission.undecided}
    return document
