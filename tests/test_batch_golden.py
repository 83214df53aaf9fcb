"""Golden files for the sample survey, evaluated with the real rules on a fixed date.

``sample_policies/surveys/mixed_institutions.csv`` has 44 respondents across all eleven institution
types, with the problems a real export has (a Spanish 'sí', 'N/A', an invalid value, an unknown
type, a duplicate respondent id). Its results must equal ``tests/golden/`` exactly, with one worker
and with two. After an intended change, rewrite and review the diff like code:

    /work/venv/bin/pytest tests/test_batch_golden.py --update-golden
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from engine.survey.pool import run_batch

ROOT = Path(__file__).resolve().parent.parent
SURVEY = "sample_policies/surveys/mixed_institutions.csv"
GOLDEN = ROOT / "tests" / "golden"
RESULTS_GOLDEN = GOLDEN / "mixed_institutions.results.csv"
SUMMARY_GOLDEN = GOLDEN / "mixed_institutions.summary.json"
AS_OF = dt.date(2026, 11, 28)


def _run(ruleset, tmp_path: Path, workers: int) -> tuple[bytes, str]:
    out = tmp_path / f"results-{workers}.csv"
    summary = run_batch(ruleset, ROOT / SURVEY, out, workers=workers, as_of=AS_OF, name=SURVEY)
    # The content hash changes with every edit of any rule file; the golden tracks outcomes, not bytes of rules.
    summary["ruleset"].pop("hash")
    return out.read_bytes(), json.dumps(summary, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("workers", [1, 2])
def test_sample_survey_matches_the_golden_files(ruleset, tmp_path, update_golden, workers):
    results, summary = _run(ruleset, tmp_path, workers)
    if update_golden and workers == 1:
        GOLDEN.mkdir(exist_ok=True)
        RESULTS_GOLDEN.write_bytes(results)
        SUMMARY_GOLDEN.write_text(summary, encoding="utf-8")
    assert results == RESULTS_GOLDEN.read_bytes(), (
        f"results differ from {RESULTS_GOLDEN.relative_to(ROOT)}; if the change is intended, rerun with "
        "--update-golden and review the diff"
    )
    assert summary == SUMMARY_GOLDEN.read_text(encoding="utf-8")


def test_sample_survey_covers_every_type_and_its_planted_problems():
    lines = RESULTS_GOLDEN.read_text(encoding="utf-8-sig").splitlines()
    text = "\n".join(lines)
    summary = json.loads(SUMMARY_GOLDEN.read_text(encoding="utf-8"))
    assert summary["respondents"] >= 40 and summary["errors"] == 2
    named = set(summary["by_institution_type"]) - {"(invalid or missing type)"}
    assert named == {
        "law_enforcement",
        "jail",
        "local_government",
        "k12_school",
        "university",
        "congregation",
        "employer",
        "health_facility",
        "library",
        "shelter",
        "courthouse",
    }
    assert len(summary["by_state"]) >= 15
    assert "xc_complaint_channel: 'maybe' is not a yes/no answer" in text
    assert "unknown institution type 'public library district'" in text
    assert any("'SURV-039' is used on lines" in p for p in summary["problems"])
    assert "'@Home Family Shelter Network" in text  # neutralised against CSV injection
    assert "jail|law_enforcement" in text
