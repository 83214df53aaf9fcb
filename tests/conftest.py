"""Shared fixtures: the bundled ruleset, the mini fixture ruleset, and the --update-golden option."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import load_ruleset

ROOT = Path(__file__).resolve().parent.parent
MINI_RULES = ROOT / "tests" / "fixtures" / "mini"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files instead of comparing")


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def ruleset():
    return load_ruleset()


@pytest.fixture(scope="session")
def mini_ruleset():
    return load_ruleset(MINI_RULES)
