"""Any one value of a rules or rule-case file replaced by a value of another shape gives a RulesetError, never a
traceback.

The named cases in ``rules_cases.py`` pin the messages; this property walks the space around them: every file
of the mini rules, every line holding a value, and values of every YAML shape (text, numbers, yes/no, null,
lists, mappings, bytes through an explicit tag), in place of a whole value or of one literal inside a
condition. A list where an id or a choice was expected once raised TypeError.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import InputError, RulesetError, evaluate, load_ruleset, parse_submission, render_report
from engine.checks.cases import load_cases

MINI = Path(__file__).resolve().parent.parent / "fixtures" / "mini"
FILES = sorted(MINI.rglob("*.yaml"))  # the rules and their case files
# `key: value`, `- key: value` and `- item` lines: the value is what gets replaced.
VALUE_LINE = re.compile(r"^(\s*(?:- )?[A-Za-z_][\w-]*:\s|\s*- )(.+)$")
AS_OF = dt.date(2026, 11, 28)
ANSWERS = {
    "institution": {"name": "A", "type": "library", "state": "CA", "public": True},
    "answers": {"q_policy": "written", "q_published": True, "q_staff_trained": 3, "q_entry": "refused"},
}
# `key: value` inside `{...}` on one line (condition leaves, institution filters): a literal in a condition.
INNER_VALUE = re.compile(r"([\w-]+): ([^,{}\[\]]+)(?=[,}])")
SHAPES = [
    "[]",
    "{}",
    "~",
    '""',
    "-1",
    "1.5",
    "99999999999999999999",
    "yes",
    ".nan",
    "2026-01-01",
    "[a, [b]]",
    "{a: {b: c}}",
    "[{}]",
    "!!binary aGVsbG8=",
    "!!int x",
]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_one_replaced_value_gives_a_rules_error(data) -> None:
    path = data.draw(st.sampled_from(FILES), label="file")
    lines = path.read_text(encoding="utf-8").splitlines()
    at = data.draw(st.sampled_from([i for i, line in enumerate(lines) if VALUE_LINE.match(line)]), label="line")
    value = data.draw(st.sampled_from(SHAPES) | st.from_regex(r"[A-Za-z0-9_ -]{0,12}", fullmatch=True), label="value")
    inner = list(INNER_VALUE.finditer(lines[at]))
    if inner and data.draw(st.booleans(), label="inner"):  # a literal inside a flow mapping: {equals: refused}
        m = data.draw(st.sampled_from(inner), label="which")
        lines[at] = lines[at][: m.start(2)] + value + lines[at][m.end(2) :]
    else:
        lines[at] = VALUE_LINE.sub(lambda m: m.group(1) + value, lines[at])
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "mini"
        shutil.copytree(MINI, copy)
        (copy / path.relative_to(MINI)).write_text("\n".join(lines) + "\n", encoding="utf-8")
        try:
            ruleset = load_ruleset(copy)
            load_cases(ruleset)  # the case files are read by `sanctuary rules check`
        except RulesetError:
            return  # anything else fails the test
        # Rules that load must also evaluate: a minimum written as text once loaded and then failed mid-report.
        # The answers may no longer fit the changed questions (InputError), or the changed roll-up rules may miss
        # these answers' tallies (RulesetError naming ruleset.yaml): both are one-line errors, not tracebacks.
        with contextlib.suppress(InputError, RulesetError):
            submission = parse_submission(ruleset, ANSWERS, "answers.yaml")
            for backend in ("durable", "oracle"):
                render_report(evaluate(ruleset, submission, as_of=AS_OF, backend=backend), "text")
