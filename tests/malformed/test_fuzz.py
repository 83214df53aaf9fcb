"""Fuzzing the two readers of user files: nothing but InputError ever comes out, and no respondent is lost.

* answers reader (``parse_submission`` on bytes, text and decoded structures);
* survey reader (``read_survey`` on bytes; on any CSV that parses, one result row per record, each with
  its own respondent id, in order; a stray quote costs one error row and nobody else).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import InputError, evaluate_survey, parse_submission, read_survey
from tests.malformed.survey_cases import HEADER

AS_OF = dt.date(2026, 11, 28)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
structures = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10) | st.integers(), inner, max_size=4)
    ),
    max_leaves=20,
)
QUESTIONS = ["q_policy", "q_published", "q_entry", "q_staff_trained", "q_block", "nope"]
answer_documents = st.fixed_dictionaries(
    {
        "institution": st.fixed_dictionaries(
            {},
            optional={
                "name": scalars | structures,
                "type": st.sampled_from(["library", "Jail, sheriff or corrections", "jail, library", "x"]) | structures,
                "state": st.sampled_from(["CA", "ZZ", "ca", ""]) | scalars,
                "public": scalars,
            },
        ),
        "answers": st.dictionaries(st.sampled_from(QUESTIONS), scalars | structures, max_size=5),
    }
)


def _only_input_errors(ruleset, data, source: str) -> None:
    with contextlib.suppress(InputError):  # anything else fails the test
        parse_submission(ruleset, data, source)


@FUZZ
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".yaml", ".json"]))
def test_answers_reader_on_arbitrary_bytes(mini_ruleset, data, suffix):
    _only_input_errors(mini_ruleset, data, "fuzz" + suffix)


@FUZZ
@given(text=st.text(max_size=300), suffix=st.sampled_from([".yaml", ".json"]))
def test_answers_reader_on_arbitrary_text(mini_ruleset, text, suffix):
    _only_input_errors(mini_ruleset, text, "fuzz" + suffix)


@FUZZ
@given(document=structures | answer_documents)
def test_answers_reader_on_arbitrary_structures(mini_ruleset, document):
    _only_input_errors(mini_ruleset, document, "fuzz")


# Explicit tags reach PyYAML's builders with any text (random bytes almost never spell one): `!!int abc`,
# `!!bool ""` and `!!seq key:` once raised bare ValueError, KeyError, IndexError or TypeError.
TAGS = [
    "!!int",
    "!!float",
    "!!bool",
    "!!null",
    "!!str",
    "!!seq",
    "!!map",
    "!!set",
    "!!omap",
    "!!pairs",
    "!!binary",
    "!!timestamp",
    "!!merge",
    "!!value",
    "!!python/tuple",
    "!local",
]
tag_text = st.text(st.characters(codec="ascii", exclude_categories=["Cc"]), max_size=8).map(
    lambda t: t if t.strip() == t and not t.startswith(("#", "&", "*", "!", "|", ">", "%", "@", "`")) else repr(t)
)
tagged = st.builds(lambda tag, text: f"{tag} {text}", st.sampled_from(TAGS), tag_text)
tagged_documents = st.builds(
    lambda place, value: {
        "value": f"institution:\n  name: A\n  type: library\nanswers:\n  q_policy: {value}\n",
        "key": f"institution:\n  name: A\n  type: library\nanswers:\n  {value}: x\n",
        "item": f"institution:\n  name: A\n  type: [{value}]\nanswers: {{}}\n",
        "top": f"{value}\n",
    }[place],
    st.sampled_from(["value", "key", "item", "top"]),
    tagged,
)


@FUZZ
@given(text=tagged_documents)
def test_answers_reader_on_explicit_tags(mini_ruleset, text):
    _only_input_errors(mini_ruleset, text, "fuzz.yaml")


@FUZZ
@given(text=tagged_documents)
def test_rules_reader_on_explicit_tags(text):
    from engine.rules.parsing import load_strict

    with contextlib.suppress(yaml.YAMLError):  # a rules file's reader turns these into a one-line RulesetError
        load_strict(text)


@FUZZ
@given(data=st.binary(max_size=600))
def test_survey_reader_on_arbitrary_bytes(mini_ruleset, data):
    try:
        survey = read_survey(HEADER_BYTES + data, mini_ruleset)
    except InputError:
        return
    assert len(survey.frame) == len(survey.lines)


HEADER_BYTES = (",".join(HEADER) + "\r\n").encode()
# Printable text plus the characters that break naive readers; a file made mostly of control characters
# is refused as binary, which the corpus tests on its own ("control characters").
cells = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=12) | st.sampled_from(
    [
        "library",
        "employer",
        "CA",
        "yes",
        "written",
        '"',
        "\r",
        "\n",
        "\x00",
        ",",
        "=1+2",
        "Jail, sheriff or corrections",
    ]
)


def _records(draw_rows: list[list[str]]) -> tuple[str, list[str]]:
    ids = [f"R{i}" for i in range(1, len(draw_rows) + 1)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for rid, cells_ in zip(ids, draw_rows, strict=True):
        writer.writerow([rid, *cells_])
    return buffer.getvalue(), ids


@FUZZ
@given(rows=st.lists(st.lists(cells, min_size=0, max_size=len(HEADER) - 1), min_size=1, max_size=8))
def test_any_csv_that_parses_keeps_every_respondent(mini_ruleset, rows):
    text, ids = _records(rows)
    survey = read_survey(text.encode("utf-8"), mini_ruleset)
    results = evaluate_survey(mini_ruleset, survey, as_of=AS_OF, backend="oracle").results
    assert results["respondent_id"].tolist() == ids


plain_cells = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"], exclude_characters=',"'), max_size=12
)


@FUZZ
@given(
    rows=st.lists(st.lists(plain_cells, min_size=len(HEADER) - 1, max_size=len(HEADER) - 1), min_size=2, max_size=8),
    target=st.integers(0, 7),
    column=st.integers(1, len(HEADER) - 1),
)
def test_a_stray_quote_costs_one_row_and_nobody_else(mini_ruleset, rows, target, column):
    ids = [f"R{i}" for i in range(1, len(rows) + 1)]
    lines = [[rid, *r] for rid, r in zip(ids, rows, strict=True)]
    target %= len(rows)
    lines[target][column] = '"' + lines[target][column]  # a quote opened and never closed
    text = ",".join(HEADER) + "\r\n" + "".join(",".join(line) + "\r\n" for line in lines)
    survey = read_survey(text.encode("utf-8"), mini_ruleset)
    results = evaluate_survey(mini_ruleset, survey, as_of=AS_OF, backend="oracle").results
    assert results["respondent_id"].tolist() == ids
    errors = results["error"].tolist()
    assert _quote_error(errors[target])
    # The others are read as written: a quote problem appears on no other row (an error on another row may still
    # quote that row's own text, which can hold the word "quote": the fuzzer found one).
    assert not any(_quote_error(e) for i, e in enumerate(errors) if i != target)


def _quote_error(error: str) -> bool:
    """True for the reader's own quote errors (engine/survey/records.py), not for a message that echoes a cell."""
    return any(p in error for p in ('quote (")', "a quote is never closed", "follows a closing quote"))
