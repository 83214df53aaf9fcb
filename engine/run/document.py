"""An answers document decoded and checked within the input limits, before any answer is read.

JSON for ``*.json``, strict YAML (``engine.safe_yaml``) otherwise; then a walk that refuses what no answers
document holds (deep nesting, non-text keys, NaN, control characters). Separate from validating the answers
against the rules (``engine.run.answers``) because it knows nothing of the rules, and the answers upgrade
reads documents it must not validate against the current questions.
"""

from __future__ import annotations

import json
import math
from typing import Any

import yaml

from engine import safe_yaml
from engine.errors import InputError
from engine.i18n import _
from engine.limits import ANSWER_MAX_CHARS, ANSWERS_MAX_BYTES, DOCUMENT_MAX_DEPTH, NUMBER_MAX_DIGITS
from engine.safe_text import unsafe_problem


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
