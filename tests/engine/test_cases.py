"""Every case file beside every control, through durable-rules and the oracle."""

from __future__ import annotations

import datetime as dt

import pytest

from engine import load_ruleset
from engine.checks.cases import load_cases, run_case
from tests.conftest import MINI_RULES

AS_OF = dt.date(2026, 11, 28)
RULESETS = {name: load_ruleset(path) for name, path in {"sanctuary": None, "mini": MINI_RULES}.items()}
CASES = [(name, case) for name, ruleset in RULESETS.items() for case in load_cases(ruleset)]


@pytest.mark.parametrize(("rules", "case"), CASES, ids=[f"{n}:{c.control}:{c.name}" for n, c in CASES])
def test_case(rules: str, case) -> None:
    result = run_case(RULESETS[rules], case, AS_OF)
    assert result.ok, f"{case.file} -> {case.name}: " + "; ".join(result.problems)
