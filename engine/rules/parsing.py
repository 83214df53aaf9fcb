"""Reading rules files: the strict YAML reader and the small typed readers every rules module shares.

Each reader raises ``RulesetError`` naming the file and key path, with a suggestion where one helps, so the
loader, the state table and the roll-up read their parts with the same checks and the same messages.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from engine import safe_yaml
from engine.errors import RulesetError, did_you_mean
from engine.i18n import N_, _
from engine.limits import RULES_FILE_MAX_BYTES
from engine.rules.model import Effective

US_STATES = [
    "AL",
    "AK",
    "AZ",
    "AR",
    "CA",
    "CO",
    "CT",
    "DE",
    "DC",
    "FL",
    "GA",
    "HI",
    "ID",
    "IL",
    "IN",
    "IA",
    "KS",
    "KY",
    "LA",
    "ME",
    "MD",
    "MA",
    "MI",
    "MN",
    "MS",
    "MO",
    "MT",
    "NE",
    "NV",
    "NH",
    "NJ",
    "NM",
    "NY",
    "NC",
    "ND",
    "OH",
    "OK",
    "OR",
    "PA",
    "RI",
    "SC",
    "SD",
    "TN",
    "TX",
    "UT",
    "VT",
    "VA",
    "WA",
    "WV",
    "WI",
    "WY",
    "PR",
    "GU",
    "VI",
    "AS",
    "MP",
]


# libyaml's C parser where the text allows it (engine.safe_yaml); tests set this to None to force the pure one.
_FastLoader: type | None = safe_yaml.FAST_LOADER


def load_strict(text: str) -> Any:
    """Parse one YAML document with the project's strict loader (engine.safe_yaml)."""
    return safe_yaml.parse(text, _FastLoader, aliases=True)


def read_yaml(path: Path, label: str | None = None) -> Any:
    """Read one YAML file strictly; errors name the file and line."""
    name = label or str(path)
    try:
        if path.stat().st_size > RULES_FILE_MAX_BYTES:
            raise RulesetError(
                _("{name}: the file is larger than {limit:,} bytes; split it.").format(
                    name=name, limit=RULES_FILE_MAX_BYTES
                )
            )
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesetError(_("{name}: cannot read the file ({error}).").format(name=name, error=exc)) from exc
    try:
        return load_strict(source)
    except yaml.YAMLError as exc:
        where, problem = safe_yaml.describe(exc)
        raise RulesetError(
            _("{name}:{where}: malformed YAML: {problem}.").format(name=name, where=where, problem=problem)
        ) from exc


def check_keys(data: Any, where: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict:
    if not isinstance(data, dict):
        raise RulesetError(
            _("{where}: expected a mapping with keys {value}.").format(
                where=where, value=", ".join(required + optional)
            )
        )
    allowed = set(required) | set(optional)
    for key in data:
        if key not in allowed:
            raise RulesetError(
                _("{where}: unknown key {key!r}.{suggestion} Allowed keys: {allowed}.").format(
                    where=where, key=key, suggestion=did_you_mean(key, allowed), allowed=", ".join(sorted(allowed))
                )
            )
    for key in required:
        if key not in data or data[key] in (None, ""):
            raise RulesetError(_("{where}: missing required key {key!r}.").format(where=where, key=key))
    return data


def text_field(data: dict, key: str, where: str, default: str = "") -> str:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise RulesetError(
            _("{where}.{key}: expected text, got {kind} {value!r}; quote it.").format(
                where=where, key=key, kind=type(value).__name__, value=value
            )
        )
    return value.strip()


def str_list(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RulesetError(_("{where}: expected a list of ids, got {value!r}.").format(where=where, value=value))
    return tuple(value)


def date(value: Any, where: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise RulesetError(
            _("{where}: {value!r} is not a date; write it as YYYY-MM-DD.").format(where=where, value=value)
        ) from exc


def effective(data: Any, where: str) -> Effective:
    if data is None:
        return Effective()
    check_keys(data, where, (), ("from", "until"))
    start, end = date(data.get("from"), f"{where}.from"), date(data.get("until"), f"{where}.until")
    if start and end and end <= start:
        raise RulesetError(
            _("{where}: 'until' ({end}) must be after 'from' ({start}).").format(where=where, end=end, start=start)
        )
    return Effective(start, end)


# Whole sentences for the kinds of id the rules name (a noun dropped into one sentence would not agree in Spanish).
UNKNOWN_ID = {
    "citation": N_("{where}: unknown citation {item!r}.{suggestion}"),
    "control": N_("{where}: unknown control {item!r}.{suggestion}"),
    "institution type": N_("{where}: unknown institution type {item!r}.{suggestion}"),
}


def resolve(ids: tuple[str, ...], known: dict, what: str, where: str) -> tuple[str, ...]:
    for item in ids:
        if item not in known:
            message = _(UNKNOWN_ID[what]) if what in UNKNOWN_ID else _("{where}: unknown {what} {item!r}.{suggestion}")
            raise RulesetError(message.format(where=where, what=what, item=item, suggestion=did_you_mean(item, known)))
    return ids


def known_ids(value: Any, known: dict, what: str, where: str) -> tuple[str, ...]:
    """``value`` (an id or a list of ids) checked against ``known``: the ids a rules file cites or names."""
    return resolve(str_list(value, where), known, what, where)
