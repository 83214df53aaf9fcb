"""Fill roll-up explanation templates with counts, in grammatical English.

Templates are rules data (``ruleset.yaml``), so plurals are written there too: a field with a format
spec containing ``|`` picks the singular or the plural wording by its value, and the wording may use
other fields, e.g. ``{fail} {fail:control fails|controls fail}`` or
``{applicable:The one applicable control passes|All {applicable} applicable controls pass}``. Three wordings,
``zero|one|many``, give zero its own (``{at_most:|, {at_most} at most partial|, {at_most} at most partial}``
says nothing of a count of none).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from functools import lru_cache
from typing import Any


class _PluralFormatter(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> str:
        if "|" in format_spec:
            forms = format_spec.split("|", 2)
            if len(forms) == 3:  # zero|one|many
                return forms[0] if value == 0 else forms[1] if value == 1 else forms[2]
            singular, plural = forms[0], "|".join(forms[1:])
            return singular if value == 1 else plural
        return super().format_field(value, format_spec)


_FORMATTER = _PluralFormatter()


def fill(template: str, values: Mapping[str, Any]) -> str:
    """``template`` with its fields filled from ``values`` (whitespace collapsed)."""
    fields = _fields(template)
    try:
        given = tuple(map(values.__getitem__, fields))
    except KeyError:
        return reference_fill(template, values)  # raises the KeyError that names the missing field
    try:
        return _fill_memo(template, given, tuple(map(type, given)))
    except TypeError:  # an unhashable value: fill it directly
        return _fill(template, values)


def _fill(template: str, values: Mapping[str, Any]) -> str:
    parts = _compile(template)
    text = _FORMATTER.vformat(template, (), values) if parts is None else _render(parts, values)
    return " ".join(text.split())


def reference_fill(template: str, values: Mapping[str, Any]) -> str:
    """``fill`` by ``string.Formatter`` alone (the compiled path must always agree with it; tests check)."""
    return " ".join(_FORMATTER.vformat(template, (), values).split())


# A compiled template: literal text, a field name (str(value)), or (name, singular parts, plural parts).
_Parts = tuple[Any, ...]


def _render(parts: _Parts, values: Mapping[str, Any]) -> str:
    out = []
    for part in parts:
        if part.__class__ is _Literal:
            out.append(part.text)
        elif part.__class__ is str:
            out.append(str(values[part]))
        else:
            name, zero, singular, plural = part
            value = values[name]
            out.append(_render(zero if value == 0 else singular if value == 1 else plural, values))
    return "".join(out)


class _Literal:
    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _split_plural(spec: str) -> tuple[str, str, str] | None:
    """A plural spec as (zero, one, many) wordings, split at '|' outside nested braces; None when it has none.
    ``one|many`` uses the plural for zero; ``zero|one|many`` gives zero its own wording (often empty, so a
    count of nothing is left unsaid)."""
    depth, cuts = 0, []
    for i, char in enumerate(spec):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == "|" and depth == 0:
            cuts.append(i)
    if not cuts:
        return None
    if len(cuts) == 1:
        return spec[cuts[0] + 1 :], spec[: cuts[0]], spec[cuts[0] + 1 :]
    return spec[: cuts[0]], spec[cuts[0] + 1 : cuts[1]], spec[cuts[1] + 1 :]


@lru_cache(maxsize=1024)
def _compile(template: str) -> _Parts | None:
    """The template as parts rendered without ``string.Formatter`` (which parses it again on every call and was
    most of the cost of a report's roll-up texts); None for anything beyond plain fields and plural wordings,
    which then go through ``string.Formatter``."""
    parts: list[Any] = []
    for literal, name, spec, conversion in _FORMATTER.parse(template):
        if literal:
            parts.append(_Literal(literal))
        if name is None:
            continue
        if not name or not name.isidentifier() or conversion:
            return None
        if not spec:
            parts.append(name)
            continue
        split = _split_plural(spec)
        if split is None:
            return None
        zero, singular, plural = (_compile(side) for side in split)
        if zero is None or singular is None or plural is None:
            return None
        parts.append((name, zero, singular, plural))
    return tuple(parts)


@lru_cache(maxsize=1024)
def _fields(template: str) -> tuple[str, ...]:
    """The fields a template reads, including those nested in a plural wording's format spec."""
    names: list[str] = []

    def walk(text: str) -> None:
        for _, name, spec, _ in _FORMATTER.parse(text):
            if name:
                names.append(name.split(".")[0].split("[")[0])
            if spec:
                walk(spec)

    walk(template)
    return tuple(dict.fromkeys(names))


# Every report fills the same few roll-up templates with counts that repeat from report to report; the string
# formatter was about a tenth of building a report. The key is the value (with its type: 1 and True differ) of
# each field the template reads, not the whole tally, so reports that differ elsewhere share an entry.
@lru_cache(maxsize=8192)
def _fill_memo(template: str, given: tuple[Any, ...], types: tuple[type, ...]) -> str:
    return _fill(template, dict(zip(_fields(template), given, strict=True)))
