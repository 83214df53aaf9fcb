"""Splitting a list of institution types in one pass (issue 22, item 1).

The splitter joined every run of pieces back together to look for titles that hold commas: cubic in the number of
pieces, so a 9,999-character type list kept ``evaluate`` busy for hours. It now joins at most as many pieces as a
title or alias can span. The old algorithm is kept here as the reference: on lists short enough for it, both
must give the same types (or the same refusal).
"""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.errors import InputError
from engine.limits import INSTITUTION_MAX_TYPES
from engine.run.institution import parse_types
from engine.run.spellings import fold, type_lookup, type_spellings


def _reference_split(ruleset, raw: str) -> list[str]:
    """The splitter before issue 22 (correct, cubic): longest run of pieces that joins back into a spelling."""
    parts = [p.strip() for p in re.split(r"[,;|]", raw)]
    if len(parts) == 1:
        return parts
    spellings = type_lookup(ruleset)
    items, i = [], 0
    while i < len(parts):
        for j in range(len(parts), i + 1, -1):
            joined = ", ".join(parts[i:j])
            if fold(joined) in spellings:
                items.append(joined)
                i = j
                break
        else:
            items.append(parts[i])
            i += 1
    return [item for item in items if item]


def _outcome(call):
    try:
        return call()
    except InputError as exc:
        return ("refused", str(exc).split(":")[0])


def _spellings(ruleset) -> list[str]:
    return sorted({s for names in type_spellings(ruleset).values() for s in names})


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_the_one_pass_splitter_agrees_with_the_reference(ruleset, data):
    pieces = data.draw(
        st.lists(st.sampled_from([*_spellings(ruleset), "", " ", "nope", "Jail", "sheriff or corrections"]), max_size=8)
    )
    separators = data.draw(st.lists(st.sampled_from([",", ", ", ";", "|", " , "]), min_size=len(pieces)))
    raw = "".join(p + s for p, s in zip(pieces, separators, strict=False)).strip(",;| ")
    if not raw:
        return
    expected = _outcome(lambda: _reference_types(ruleset, raw))
    assert _outcome(lambda: parse_types(ruleset, raw)) == expected


def _reference_types(ruleset, raw):
    items = _reference_split(ruleset, raw)
    if len(items) > INSTITUTION_MAX_TYPES:
        raise InputError("institution.type: more than the limit")
    return parse_types(ruleset, items)


@pytest.mark.parametrize(
    "raw",
    [
        "a," * 4_999 + "a",
        "Jail, sheriff or corrections, " * 330,
        ",;|" * 3_333,
        "x" * 9_999,
        ("library, " * 20)[:-2],
    ],
    ids=["5,000 unknown pieces", "330 titles with commas", "separators only", "one long word", "20 types"],
)
def test_long_type_lists_take_milliseconds(ruleset, raw):
    start = time.perf_counter()
    _outcome(lambda: parse_types(ruleset, raw))
    assert time.perf_counter() - start < 2.0  # generous: each takes well under 10 ms
