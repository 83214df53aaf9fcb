"""No restructuring of the engine changes a report: the hash of 300 synthetic reports is the stored one.

``scripts/report_hash.py`` prints the same hash for 2,100 reports (about a minute); this test takes a
smaller sample of the same sequence. After an intended change to what reports say, rewrite the stored hash
with ``pytest tests/test_report_hash.py --update-golden`` and say why in the commit.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "report_hash.txt"
SAMPLE = 300


def _script():
    spec = importlib.util.spec_from_file_location("report_hash", ROOT / "scripts" / "report_hash.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_synthetic_reports_hash_to_the_stored_value(update_golden: bool) -> None:
    script = _script()
    found = script.report_hash(SAMPLE, script.DEFAULT_SEED)
    if update_golden:
        GOLDEN.write_text(found + "\n")
    assert GOLDEN.read_text().strip() == found, "a report changed; if intended, rerun with --update-golden"


def test_the_hash_sees_a_changed_report(monkeypatch) -> None:
    """The fingerprint is not blind: one changed character in one report changes it."""
    import engine

    script = _script()
    before = script.report_hash(12, script.DEFAULT_SEED)
    real = engine.render_report
    calls = iter(range(10**6))

    def render_with_one_change(report, fmt, detail=False):
        text = real(report, fmt, detail)
        return text + " " if next(calls) == 7 else text

    monkeypatch.setattr(engine, "render_report", render_with_one_change)
    assert script.report_hash(12, script.DEFAULT_SEED) != before
