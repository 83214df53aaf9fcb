"""JSON Schemas (draft 2020-12) of the report and of an answers file: ``sanctuary schema [--answers]``.

The report's schema is generated from its types (engine/report/types.py), so the contract and the code that
builds reports cannot drift apart: the tests validate every sample report and Hypothesis-generated ones against
it. The answers schema is generated from the ruleset (question ids, answer types, choice ids, institution types).

A small generator instead of a library: the report needs only TypedDicts, lists, string-keyed dicts, Literals,
unions and the JSON scalars, and pydantic (the usual choice) would add a compiled dependency for one command.
"""

from __future__ import annotations

import types
import typing
from typing import Any, Literal, NotRequired, Required, Union, get_args, get_origin, get_type_hints, is_typeddict

from engine.limits import INSTITUTION_MAX_TYPES, INSTITUTION_NAME_MAX_CHARS
from engine.report.types import Report
from engine.rules.model import Question, Ruleset
from engine.run.spellings import states

DRAFT = "https://json-schema.org/draft/2020-12/schema"
_SCALARS: dict[Any, str] = {str: "string", int: "integer", float: "number", bool: "boolean", type(None): "null"}

JSONSchema = dict[str, Any]


class _Generator:
    """Turns a Python type into JSON Schema, each TypedDict once under ``$defs`` (referenced by name)."""

    def __init__(self) -> None:
        self.defs: dict[str, JSONSchema] = {}

    def schema(self, tp: Any) -> JSONSchema:
        origin = get_origin(tp)
        if tp is Any:
            return {}
        if tp in _SCALARS:
            # JSON has one number type; an int is a valid float (Python's json writes 1.0 as 1.0, 1 as 1).
            return {"type": "number"} if tp is float else {"type": _SCALARS[tp]}
        if is_typeddict(tp):
            return self._typed_dict(tp)
        if origin is Literal:
            return {"enum": list(get_args(tp))}
        if origin in (Union, types.UnionType):
            options = [self.schema(arg) for arg in get_args(tp)]
            return {"anyOf": options}
        if origin is list:
            (item,) = get_args(tp)
            return {"type": "array", "items": self.schema(item)}
        if origin is dict:
            key, value = get_args(tp)
            if key is not str:
                raise TypeError(f"JSON object keys are strings, not {key!r}")
            return {"type": "object", "additionalProperties": self.schema(value)}
        raise TypeError(f"no JSON Schema for {tp!r}")

    def _typed_dict(self, tp: Any) -> JSONSchema:
        name = tp.__name__
        if name not in self.defs:
            self.defs[name] = {}  # reserved first, so a type that refers to itself stops here
            hints = get_type_hints(tp, include_extras=True)
            properties = {key: self.schema(_unwrap(hint)) for key, hint in hints.items()}
            body: JSONSchema = {
                "type": "object",
                "properties": properties,
                "required": [key for key, hint in hints.items() if _required(tp, key, hint)],
                # Closed: a key the code adds without adding it to the types fails the schema tests.
                "additionalProperties": False,
            }
            doc = typing.cast(str | None, tp.__doc__)
            if doc and not doc.startswith(f"{name}("):  # not the signature Python writes for an undocumented one
                body = {"description": " ".join(doc.split()), **body}
            self.defs[name] = body
        return {"$ref": f"#/$defs/{name}"}


def _required(tp: Any, key: str, hint: Any) -> bool:
    """Whether a TypedDict key is required. The marker on the hint wins over ``__required_keys__``, which misses
    ``NotRequired`` when annotations are strings (``from __future__ import annotations``) on Python 3.11."""
    if get_origin(hint) is NotRequired:
        return False
    return get_origin(hint) is Required or key in tp.__required_keys__


def _unwrap(hint: Any) -> Any:
    """The type inside ``NotRequired[...]`` / ``Required[...]`` (the TypedDict's required keys say which)."""
    while get_origin(hint) in (NotRequired, Required):
        (hint,) = get_args(hint)
    return hint


def schema_of(tp: Any, title: str) -> JSONSchema:
    """The JSON Schema of ``tp`` (a TypedDict or any type the generator knows) as one self-contained document."""
    generator = _Generator()
    root = generator.schema(tp)
    return {"$schema": DRAFT, "title": title, **root, "$defs": dict(sorted(generator.defs.items()))}


def report_schema() -> JSONSchema:
    """The schema of a report (``sanctuary evaluate --format json``; ``evaluate()`` in Python)."""
    return schema_of(Report, "Sanctuary Policy Evaluator report")


def _answer_schema(question: Question) -> JSONSchema:
    blank: JSONSchema = {"type": "null"}  # blank = unanswered, as in the loader
    if question.type == "boolean":
        value: JSONSchema = {"type": "boolean"}
    elif question.type == "choice":
        value = {"oneOf": [{"const": cid, "title": label} for cid, label in question.choices.items()]}
    else:
        value = {"type": "number"}
        if question.minimum is not None:
            value["minimum"] = question.minimum
        if question.maximum is not None:
            value["maximum"] = question.maximum
    return {"description": question.text, "anyOf": [value, blank]}


def answers_schema(ruleset: Ruleset) -> JSONSchema:
    """The schema of an answers file for ``ruleset``, in the form the app saves and ``sanctuary upgrade`` writes:
    booleans, choice ids, numbers, state codes and type ids. The loader also takes spellings this schema does not
    list (yes/no words, choice labels, older choice ids, state names, type aliases) and says which it read."""
    type_ids = list(ruleset.institution_types)
    one_type: JSONSchema = {
        "oneOf": [{"const": t, "title": str(meta.get("title", t))} for t, meta in ruleset.institution_types.items()]
    }
    institution: JSONSchema = {
        "type": "object",
        "properties": {
            "name": {"type": ["string", "null"], "maxLength": INSTITUTION_NAME_MAX_CHARS},
            "type": {
                "description": "One institution type, or a list for a body with several roles: " + ", ".join(type_ids),
                "anyOf": [
                    one_type,
                    {
                        "type": "array",
                        "items": one_type,
                        "minItems": 1,
                        "maxItems": INSTITUTION_MAX_TYPES,
                        "uniqueItems": True,
                    },
                ],
            },
            "state": {"description": "Two-letter code of a state, DC or territory", "enum": [*_codes(), None]},
            "public": {"description": "true for a public body, false for a private one", "type": ["boolean", "null"]},
        },
        "required": ["type"],
        "additionalProperties": False,
    }
    answers: JSONSchema = {
        "description": "Question id -> answer; a question left out (or null) is unanswered.",
        "type": ["object", "null"],
        "properties": {qid: _answer_schema(q) for qid, q in ruleset.questions.items()},
        "additionalProperties": False,
    }
    return {
        "$schema": DRAFT,
        "title": f"Sanctuary Policy Evaluator answers file (rules {ruleset.version})",
        "type": "object",
        "properties": {
            "rules_version": {
                "description": "The rules release the file was written for",
                "type": ["string", "number", "null"],
            },
            "institution": institution,
            "answers": answers,
        },
        "required": ["institution"],
        "additionalProperties": False,
    }


def _codes() -> list[str]:
    return sorted(code for code, _name in states())
