"""Fill roll-up explanation templates with counts, in grammatical English.

Templates are rules data (``ruleset.yaml``), so plurals are written there too: a field with a format
spec containing ``|`` picks the singular or the plural wording by its value, and the wording may use
other fields, e.g. ``{fail} {fail:control fails|controls fail}`` or
``{applicable:The one applicable control passes|All {applicable} applicable controls pass}``.
"""

from __future__ import annotations

import string
from functools import lru_cache
from typing import Any


class _PluralFormatter(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> str:
        if "|" in format_spec:
            singular, plural = format_spec.split("|", 1)
            return singular if value == 1 else plural
        return super().format_field(value, format_spec)


_FORMATTER = _PluralFormatter()


def fill(template: str, values: dict[str, Any]) -> str:
    """``template`` with its fields filled from ``values`` (whitespace collapsed)."""
    fields = _fields(template)
    if not all(f in values for f in fields):
        return _fill(template, values)  # raises the KeyError that names the missing field
    try:
        return _fill_memo(template, tuple((f, values[f], type(values[f])) for f in fields))
    except TypeError:  # an unhashable value: fill it directly
        return _fill(template, values)


def _fill(template: str, values: dict[str, Any]) -> str:
    return " ".join(_FORMATTER.vformat(template, (), values).split())


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
def _fill_memo(template: str, items: tuple[tuple[str, Any, type], ...]) -> str:
    return _fill(template, {k: v for k, v, _ in items})
