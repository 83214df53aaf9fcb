"""Every roll-up sentence is true of the report it is in (corrections 2026-12b §1).

Two checks:

* Each claim a roll-up template can make (``CLAIMS``: a phrase and the tally facts that make it true) holds
  whenever the rule or cap whose template says it fires, on random tallies (Hypothesis), with the caps
  computed by the ruleset's own cap rules. A template sentence that makes a claim not in ``CLAIMS`` fails the
  test, so a new sentence needs its condition written here.
* On real reports (every sample, and random answer sets), the phrases appear only when the report's own
  findings make them true: "every core protection fully holds" only when every core control passes; the
  headline's "whatever the open questions say", "at least" and "decide the level" only with the matching range.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import evaluate
from engine.rules.rollup import CAP_MEASURES
from engine.run.answers import load_submission
from engine.run.tally import ceiling
from tests.engine.test_rollup_properties import AS_OF, RULESET, submissions

# claim phrase (lower case) -> what the tally must say for it to be true
CLAIMS = {
    "every core protection fully holds": lambda t: (
        t["core_fail"] == 0 and t["core_partial"] == 0 and t["core_components_not_pass"] == 0
    ),
    "no component fails": lambda t: t["components_fail"] == 0,
    "two failing core protections": lambda t: t["core_fail"] >= 2,
    # A cap's own sentence: the item it names is core (or a capping flag) by how the report picks it (checked on
    # real reports below); the ceiling is the claim a tally can make.
    "at most developing": lambda t: t["ceiling"] <= 2,
}
# Sentences that only report counts or name the item a cap is about (filled from the same tally or item).
COUNT_SENTENCE = re.compile(r"\{[a-z_]+(:[^}]*)?\}")

SAMPLES = sorted((Path(__file__).resolve().parents[2] / "sample_policies" / "answers").glob("*.yaml"))


def tallies() -> st.SearchStrategy[dict[str, int]]:
    small = st.integers(0, 4)
    return st.fixed_dictionaries(
        {
            **{m: small for m in CAP_MEASURES},
            "score_percent": st.integers(0, 100),
        }
    )


@given(tallies())
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_each_overall_and_cap_template_claims_only_what_its_condition_guarantees(tally: dict[str, int]) -> None:
    caps = {cap.id: {"level": cap.level} for cap in RULESET.level_caps if cap.condition.evaluate(tally) is True}
    full = {**tally, "ceiling": ceiling(RULESET, caps)}
    templates = [r.explanation for r in RULESET.overall_rules if r.condition.evaluate(full) is True]
    templates += [cap.explanation for cap in RULESET.level_caps if cap.id in caps]
    for text in templates:
        lowered = text.lower()
        for phrase, holds in CLAIMS.items():
            if phrase in lowered:
                assert holds(full), f"{phrase!r} is said but the tally {full} does not make it true"


def test_every_claim_in_a_roll_up_template_has_its_condition_written_down() -> None:
    """A sentence with no placeholder is a claim; it must be one of CLAIMS (or contain one)."""
    texts = [r.explanation for r in RULESET.overall_rules] + [c.explanation for c in RULESET.level_caps]
    unknown = []
    for text in texts:
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            if COUNT_SENTENCE.search(sentence) or not sentence.strip():
                continue
            if not any(phrase in sentence.lower() for phrase in CLAIMS):
                unknown.append(sentence)
    assert not unknown, f"claims without a written condition: {unknown}"


def _check_report(report: dict[str, Any]) -> None:
    overall = report["overall"]
    text = overall["explanation"].lower()
    core = [f for f in report["findings"] if f.get("core")]
    if "every core protection fully holds" in text:
        assert all(f["outcome"] == "pass" and not f.get("bound") for f in core), text
        assert all(c["outcome"] == "pass" for c in report["components"] if c.get("core")), text
    span = overall["range"]
    if "whatever the" in text:
        assert span["lowest"] == span["highest"] and overall["bound"] is None, text
    if " at least —" in overall["headline"].lower():
        assert overall["bound"] == "at_least" and span["lowest"] != span["highest"]
    if "decide the level" in text or "too many questions" in text:
        assert overall["level"] == "incomplete"
    for cap in overall["caps"]:
        if "control" in cap:
            finding = next(f for f in report["findings"] if f["control"] == cap["control"])
            if cap["cap"] == "CAP-CORE-PARTIAL":  # "does not fully hold": partial, or at most partial
                assert finding["outcome"] == "partial" and finding.get("bound") in (None, "at_most"), cap
            else:  # "fails": a decided fail
                assert finding["outcome"] == "fail" and not finding.get("bound"), cap


def test_sentences_in_every_sample_report_are_true_of_it() -> None:
    for path in SAMPLES:
        _check_report(evaluate(RULESET, load_submission(RULESET, path), as_of=AS_OF))


@given(submissions(blanks=0.3))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_sentences_in_random_reports_are_true_of_them(submission: Any) -> None:
    _check_report(evaluate(RULESET, submission, as_of=AS_OF))
