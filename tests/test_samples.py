"""The sample institutions a new user opens first: each evaluates, matches its golden report, and its level
matches its name (strong / developing / weak)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from engine import evaluate, load_submission

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "sample_policies" / "answers").glob("*.yaml"))
GOLDEN = ROOT / "tests" / "golden" / "reports"
AS_OF = dt.date(2026, 11, 28)


def _stable(report: dict) -> dict:
    """The report minus the ruleset content hash, which changes with any edit to any rules file."""
    return {**report, "ruleset": {k: v for k, v in report["ruleset"].items() if k != "hash"}}


def test_there_are_three_samples_for_every_institution_type(ruleset) -> None:
    names = {p.stem for p in SAMPLES}
    for itype in ruleset.institution_types:
        for level in ("strong", "developing", "weak"):
            assert f"{itype}_{level}" in names


@pytest.mark.parametrize("path", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_sample_matches_its_golden_report(ruleset, update_golden: bool, path: Path) -> None:
    report = _stable(evaluate(ruleset, load_submission(ruleset, path), as_of=AS_OF))
    golden = GOLDEN / f"{path.stem}.json"
    text = json.dumps(report, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    if update_golden:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"no golden report for {path.name}; run pytest --update-golden and review it"
    assert json.loads(golden.read_text(encoding="utf-8")) == json.loads(text), (
        f"{path.name} no longer matches {golden.relative_to(ROOT)}; if the change is intended, "
        f"run pytest --update-golden and review the diff"
    )


@pytest.mark.parametrize("path", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_sample_level_matches_its_name(ruleset, path: Path) -> None:
    report = evaluate(ruleset, load_submission(ruleset, path), as_of=AS_OF, detail=False)
    assert report["overall"]["level"] == path.stem.rsplit("_", 1)[1], report["overall"]["explanation"]


def test_at_least_one_sample_leaves_questions_unanswered(ruleset) -> None:
    unanswered = [
        p.stem for p in SAMPLES if evaluate(ruleset, load_submission(ruleset, p), as_of=AS_OF)["unanswered_questions"]
    ]
    assert unanswered
