"""The writer's fast paths (plain-text shortcut, per-write memo, joined rows) write exactly what the rules say.

The rule is the regex ``_TRIGGER_AT_LINE_START``: an apostrophe before ``= + - @ TAB CR`` at the start of the
cell or after any CR or LF inside it. Whatever shortcut the writer takes, its cells must equal that regex and its
records what the csv module writes for them.
"""

from __future__ import annotations

import io

from hypothesis import example, given
from hypothesis import strategies as st

from engine.csv_safe import _TRIGGER_AT_LINE_START, neutralise_cell, safe_writer, write_safe_rows

# Text built mostly from the characters that matter, so triggers after line breaks come up often.
_RISKY = st.text(alphabet=st.sampled_from(["=", "+", "-", "@", "\t", "\r", "\n", "a", " ", "'", '"', ","]))
# ... and without LF, where only a CR can put a trigger at a line start.
_CR_ONLY = st.text(alphabet=st.sampled_from(["=", "-", "@", "\t", "\r", "a", " "]))
_ANY_TEXT = st.one_of(st.text(), _RISKY, _CR_ONLY)
_CELL = st.one_of(_ANY_TEXT, st.none(), st.integers(), st.floats(allow_nan=False), st.booleans())


def _by_the_rule(value: object) -> str:
    text = "" if value is None else str(value)
    return _TRIGGER_AT_LINE_START.sub("'", text)


@given(_ANY_TEXT)
@example("a\r=b")
@example("a\n+b")
@example("\r")
@example("pass")
def test_neutralise_cell_equals_the_regex_for_any_text(text):
    assert neutralise_cell(text) == _by_the_rule(text)


@given(st.lists(st.lists(_CELL, max_size=8), max_size=12))
def test_written_rows_equal_rows_neutralised_one_cell_at_a_time(rows):
    # Repeated cells exercise the memo; 1, 1.0, True and "1" are equal or alike as keys but written differently.
    # A lone empty cell, no cells, and cells the csv module must quote are written by csv itself.
    rows = [
        *rows,
        [1, 1.0, True, "1", "True", "=1"],
        ["1", True, 1.0, 1, "=1", "=1"],
        [""],
        [],
        ["", ""],
        ['a"', "b,c"],
    ]
    fast = io.StringIO(newline="")
    write_safe_rows(fast, rows)
    slow = io.StringIO(newline="")
    writer = safe_writer(slow)
    for row in rows:
        writer.writerow([_by_the_rule(cell) for cell in row])
    assert fast.getvalue() == slow.getvalue()


def test_a_formula_after_many_plain_cells_is_still_neutralised():
    # The memo must never hand back a plain word for a hostile cell, however many plain cells came first.
    rows = [["pass", "fail", f"name {i}"] for i in range(5000)] + [["pass", "=cmd()", "ok\n@x"]]
    out = io.StringIO(newline="")
    write_safe_rows(out, rows)
    assert out.getvalue().endswith("pass,'=cmd(),\"ok\n'@x\"\r\n")


def test_unhashable_cells_are_written_as_their_text():
    out = io.StringIO(newline="")
    write_safe_rows(out, [["a", ["=x"]]])
    assert out.getvalue() == "a,['=x']\r\n"
