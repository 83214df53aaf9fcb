"""Bring answers written for an earlier release of the questions up to the current questions.

Every question id, text and choice value ever released is listed in ``released_questions.yaml`` beside the
rules (built from git history by ``scripts/released_questions.py``). The current catalogue says how each
retired id or value is read now: ``replaces:`` on the question that took over a retired id (a rename
carries every old answer over; ``{id, answers}`` carries over only the listed ones), ``aliases:`` for old
choice values that still mean one choice, and ``retired_answers:`` for old values that no longer decide the
question. Whatever cannot be carried over unambiguously is left blank and listed, never guessed.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.errors import InputError
from engine.i18n import _
from engine.rules.aliases import answer_key
from engine.rules.model import Question, Ruleset
from engine.rules.parsing import read_yaml
from engine.run.document import check_document, decode_document
from engine.run.normalise import FALSE_WORDS, TRUE_WORDS, is_blank, normalise_answer

REGISTRY_FILE = "released_questions.yaml"


@dataclass(frozen=True)
class Registry:
    """Every question id ever released: id -> {type: [...], texts: [...], choices: {id: [labels]}}."""

    questions: dict[str, dict[str, Any]] = field(default_factory=dict)
    releases: tuple[dict[str, Any], ...] = ()


@functools.lru_cache(maxsize=8)
def _read_registry(path: str, mtime: float) -> Registry:
    data = read_yaml(Path(path), path) or {}
    return Registry(questions=dict(data.get("questions") or {}), releases=tuple(data.get("releases") or ()))


def load_registry(ruleset: Ruleset) -> Registry:
    """The registry beside the rules; empty for a rules copy without one (only ``replaces``/aliases then)."""
    path = Path(ruleset.root) / REGISTRY_FILE
    if not path.is_file():
        return Registry()
    return _read_registry(str(path), path.stat().st_mtime)


@dataclass(frozen=True)
class Change:
    """One thing the upgrade did, in words a person reads, with the ids involved."""

    kind: str  # renamed | mapped | left_blank | value | removed
    old: str
    new: str | None
    message: str


@dataclass
class Upgrade:
    """The upgraded answers (question id -> answer, in the file's order) and what changed."""

    answers: dict[str, Any]
    changes: list[Change]

    @property
    def left_blank(self) -> list[Change]:
        """Questions the upgrade could not answer from the old file: the person must answer them again."""
        return [c for c in self.changes if c.kind == "left_blank"]

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def _old_key(raw: Any, old_spec: Mapping[str, Any] | None) -> str | None:
    """An old answer as the key ``replaces.answers`` uses: "yes"/"no" or an old choice id; None if blank."""
    if is_blank(raw):
        return None
    types = list((old_spec or {}).get("type") or [])
    if isinstance(raw, bool):
        return "yes" if raw else "no"
    word = answer_key(str(raw))
    if "boolean" in types or not types:
        if word in TRUE_WORDS:
            return "yes"
        if word in FALSE_WORDS:
            return "no"
    for cid, labels in ((old_spec or {}).get("choices") or {}).items():
        if word in {answer_key(cid), answer_key(cid.replace("_", " ")), *(answer_key(x) for x in labels)}:
            return cid
    return word


def _successors(ruleset: Ruleset, old: str) -> list[Question]:
    return [q for q in ruleset.questions.values() if old in q.replaces]


def _retired_choice(question: Question, raw: Any, registry: Registry) -> str | None:
    """The retired choice id an answer names (by id or any released label), if the question retired it."""
    if not question.retired_answers or not isinstance(raw, str):
        return None
    word = answer_key(raw)
    released = (registry.questions.get(question.id) or {}).get("choices") or {}
    for old in question.retired_answers:
        spellings = {answer_key(old), answer_key(old.replace("_", " "))}
        spellings |= {answer_key(label) for label in released.get(old, [])}
        if word in spellings:
            return old
    return None


def _released_label(question: Question, raw: Any, registry: Registry) -> str | None:
    """The current choice an earlier release's label names (labels are reworded too), or None."""
    if question.type != "choice" or not isinstance(raw, str):
        return None
    word = answer_key(raw)
    released = (registry.questions.get(question.id) or {}).get("choices") or {}
    found = {cid for cid, labels in released.items() if word in {answer_key(x) for x in labels}}
    found = {question.aliases.get(answer_key(c), c) for c in found}
    found &= set(question.choices)
    return found.pop() if len(found) == 1 else None


def is_released(ruleset: Ruleset, registry: Registry, qid: str, raw: Any) -> bool:
    """True when an answer uses a question id or value of an earlier release that the upgrade reads."""
    question = ruleset.questions.get(qid)
    if question is None:
        return bool(_successors(ruleset, qid))
    if _retired_choice(question, raw, registry) is not None:
        return True
    return not _current_spelling(question, raw) and _released_label(question, raw, registry) is not None


def upgrade_answers(ruleset: Ruleset, answers: Mapping[str, Any], registry: Registry | None = None) -> Upgrade:
    """Read answers written for any earlier release as answers to the current questions.

    Current answers are kept as they are written; retired ids and values are rewritten or left blank.

    Raises:
        InputError: an id no release ever had, or a value no release of that question accepted.
    """
    registry = registry if registry is not None else load_registry(ruleset)
    out: dict[str, Any] = {}
    changes: list[Change] = []
    given = {str(k) for k in answers}
    for qid, raw in answers.items():
        qid = str(qid)
        question = ruleset.questions.get(qid)
        if question is not None:
            retired = _retired_choice(question, raw, registry)
            if retired is not None:
                out[qid] = None
                changes.append(Change("left_blank", qid, qid, f"{qid}: {question.retired_answers[retired]}"))
                continue
            try:
                value = normalise_answer(question, raw)
            except InputError as exc:
                value = _released_label(question, raw, registry)
                if value is None:
                    raise InputError(f"answers.{exc}") from None
            if question.type == "choice" and value is not None and not _current_spelling(question, raw):
                out[qid] = value
                changes.append(
                    Change(
                        "value",
                        qid,
                        qid,
                        _("{question}: the old answer {old} is now {new}.").format(
                            question=qid, old=_words(raw), new=value
                        ),
                    )
                )
            else:
                out.setdefault(qid, raw)
            continue
        successors = _successors(ruleset, qid)
        if not successors:
            if qid in registry.questions:
                problem = _(
                    "answers.{question}: a question id that an earlier release had, and no current question "
                    "replaces it."
                )
            else:
                problem = _(
                    "answers.{question}: a question id that no release of these rules had, and no current question "
                    "replaces it."
                )
            raise InputError(problem.format(question=qid))
        old_spec = registry.questions.get(qid)
        for new in successors:
            if new.id in given:
                changes.append(
                    Change(
                        "removed",
                        qid,
                        new.id,
                        _("{old}: removed; the file already answers {new}, kept as it is.").format(old=qid, new=new.id),
                    )
                )
                continue
            value, why = _carry_over(new, qid, raw, old_spec)
            if value is None:
                if out.get(new.id) is None:
                    out[new.id] = None
                    changes.append(Change("left_blank", qid, new.id, f"{new.id}: {why}"))
                continue
            if out.get(new.id) not in (None, value):
                out[new.id] = None
                changes.append(
                    Change(
                        "left_blank",
                        qid,
                        new.id,
                        _("{question}: old answers disagree about it; answer it again.").format(question=new.id),
                    )
                )
                continue
            out[new.id] = value
            kind = "renamed" if qid not in new.replaces_answers else "mapped"
            message = _("{old}: {old_answer} is now {new}: {new_answer}.").format(
                old=qid, old_answer=_words(raw), new=new.id, new_answer=_words(value)
            )
            changes.append(Change(kind, qid, new.id, message))
    # A question left blank by one old id and answered by another keeps the answer.
    changes = [c for c in changes if not (c.kind == "left_blank" and out.get(c.new or "") is not None)]
    return Upgrade(out, changes)


def _words(value: Any) -> str:
    """An answer as a person reads it in a message: yes/no for booleans, quoted text otherwise."""
    if isinstance(value, bool):
        return '"{word}"'.format(word=_("yes") if value else _("no"))
    return f'"{value}"'


def _current_spelling(question: Question, raw: Any) -> bool:
    """True when a choice answer is written as a current choice id or label (not an old alias or yes/no)."""
    if not isinstance(raw, str):
        return False
    word = answer_key(raw)
    return any(
        word in (answer_key(c), answer_key(c.replace("_", " ")), answer_key(lb)) for c, lb in question.choices.items()
    )


def _carry_over(new: Question, old: str, raw: Any, old_spec: Mapping[str, Any] | None) -> tuple[Any, str]:
    """(the answer ``new`` gets from the old answer, or None) and why it got none."""
    text = " ".join(((old_spec or {}).get("texts") or [old])[-1:])
    if is_blank(raw):
        return None, _("the old question {old} was not answered; answer this one.").format(old=old)
    table = new.replaces_answers.get(old)
    if table is None:  # a rename: the old answer is read as an answer to the new question
        try:
            return normalise_answer(new, raw), ""
        except InputError:
            return None, _("the old answer {answer} to {old} does not fit this question; answer it again.").format(
                answer=_words(raw), old=old
            )
    key = _old_key(raw, old_spec)
    if old_spec:
        valid = {"yes", "no"} if "boolean" in (old_spec.get("type") or []) else set()
        valid |= set(old_spec.get("choices") or {})
        if "number" not in (old_spec.get("type") or []) and key not in valid:
            raise InputError(
                _("answers.{question}: {answer} was not an answer to this question in any release.").format(
                    question=old, answer=repr(raw)
                )
            )
    if key in table:
        return table[key], ""
    return None, _('the old answer {answer} to "{text}" does not say how to answer this one; answer it again.').format(
        answer=_words(raw), text=text
    )


@dataclass
class UpgradedDocument:
    """An answers file's upgraded text, what changed, and whether anything needed writing."""

    text: str
    upgrade: Upgrade
    needed: bool  # False when the file already fits the current questions and names this rules version


def upgrade_document(ruleset: Ruleset, text: str | bytes, source: str = "answers") -> UpgradedDocument:
    """Upgrade an answers file's text (YAML keeps its comments and layout; JSON is rewritten indented).

    The file is checked like any answers file first (size, encoding, nesting, control characters).

    Raises:
        InputError: the file is not an answers document, or names an id or value no release had.
    """
    data = decode_document(text, source)
    check_document(data, source)
    if not isinstance(data, dict) or not isinstance(data.get("answers") or {}, dict):
        raise InputError(_("{source}: expected a mapping with 'institution' and 'answers'.").format(source=source))
    try:
        upgrade = upgrade_answers(ruleset, data.get("answers") or {})
    except InputError as exc:
        raise InputError(f"{source}: {exc}") from None
    needed = upgrade.changed or str(data.get("rules_version")) != ruleset.version
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8-sig")
    if not needed:
        return UpgradedDocument(text, upgrade, False)
    if source.lower().endswith(".json"):
        import json

        document = {"rules_version": ruleset.version, **{k: v for k, v in data.items() if k != "rules_version"}}
        document["answers"] = upgrade.answers
        return UpgradedDocument(json.dumps(document, indent=2, ensure_ascii=False) + "\n", upgrade, True)
    return UpgradedDocument(_rewrite_yaml(text, ruleset.version, upgrade), upgrade, True)


def _rewrite_yaml(text: str, version: str, upgrade: Upgrade) -> str:
    """Apply an upgrade to YAML text with ruamel.yaml's round trip, so comments and order survive."""
    import io

    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    round_trip = YAML(typ="rt")  # round trip: builds no Python objects, like a safe loader
    round_trip.preserve_quotes = True
    round_trip.width = 4096  # never re-wrap a long answer or comment
    doc = round_trip.load(text.removeprefix("\ufeff"))
    answers = doc.get("answers")
    if not isinstance(answers, CommentedMap):
        answers = CommentedMap(answers or {})
        doc["answers"] = answers
    blank_notes = {c.new: c.message for c in upgrade.left_blank}
    old_keys = list(answers.keys())
    position = 0
    for key in old_keys:
        if key in upgrade.answers:  # a current question: keep it where it is, with a new value if it changed
            if upgrade.answers[key] != answers[key] and not (upgrade.answers[key] is None and answers[key] is None):
                answers[key] = upgrade.answers[key]
            position = list(answers.keys()).index(key) + 1
            continue
        position = list(answers.keys()).index(key)
        del answers[key]
        for new_id, value in upgrade.answers.items():
            if new_id not in answers and any(c.old == key and c.new == new_id for c in upgrade.changes):
                answers.insert(position, new_id, value)
                position += 1
    for blank_id, note in blank_notes.items():
        if blank_id in answers:
            note_text = note.split(": ", 1)[-1]
            answers.yaml_add_eol_comment(_("left blank by sanctuary upgrade: {note}").format(note=note_text), blank_id)
    if "rules_version" in doc:
        doc["rules_version"] = version
    else:
        doc.insert(0, "rules_version", version)
    out = io.StringIO()
    round_trip.dump(doc, out)
    return out.getvalue()
