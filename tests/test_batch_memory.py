"""A batch run's memory does not grow with the number of rows (issue 22).

The run used to remember every respondent id (to warn about ids used twice) and a digest of every row's
institution and answers (for ``duplicate_of``) in dicts: ~400 MB more at 1,000,000 rows than at 200,000. Those
indexes now live in a private temporary SQLite database (engine/survey/first_seen.py), so the peak is the same
whatever the length of the file.

Each run is a fresh process whose own peak resident memory (``ru_maxrss``, exact, not sampled) is compared.
The rows name an unknown institution type, so the rules engine rejects them at once and the test takes seconds;
the reading, the duplicate marking, the summary and the writing are the real ones, and every row still carries a
distinct id, institution and answer set, so the old dicts would hold three keys per row.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from engine.survey.first_seen import FirstSeen, RepeatedIds

ROOT = Path(__file__).resolve().parent.parent

RUN = """
import datetime, json, resource, sys
from engine import load_ruleset
from engine.survey.pool import run_batch
summary = run_batch(load_ruleset(), sys.argv[1], sys.argv[2], as_of=datetime.date(2026, 11, 28))
print(json.dumps({"peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "errors": summary["errors"],
                  "duplicates": summary["duplicates"], "problems": summary["problems"]}))
"""


def _survey(ruleset, rows: int, path: Path) -> Path:
    questions = list(ruleset.questions)[:6]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["respondent_id", "institution_name", "institution_type", "state", *questions])
        for n in range(rows):
            writer.writerow([f"R{n:07d}", f"Institution {n}", "spaceship", "CA", *(f"{n}-{q}" for q in range(6))])
        # One repeated id and one repeated institution at the end, so the run shows it still finds both.
        writer.writerow(["R0000000", "Institution 1", "spaceship", "CA", *("x" * 6)])
    return path


def _peak_mb(ruleset, rows: int, tmp_path: Path) -> tuple[float, dict]:
    import json

    survey = _survey(ruleset, rows, tmp_path / f"survey-{rows}.csv")
    done = subprocess.run(
        [sys.executable, "-c", RUN, str(survey), str(tmp_path / f"results-{rows}.csv")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return figures["peak_kb"] / 1024, figures


@pytest.mark.slow
def test_peak_memory_of_a_batch_run_does_not_grow_with_rows(ruleset, tmp_path) -> None:
    small, small_figures = _peak_mb(ruleset, 20_000, tmp_path)
    large, large_figures = _peak_mb(ruleset, 80_000, tmp_path)
    # Still exact: every row was read and rejected, the repeated institution is marked, the repeated id named.
    assert (small_figures["errors"], large_figures["errors"]) == (20_001, 80_001)
    assert small_figures["duplicates"] == large_figures["duplicates"] == 1
    assert any("'R0000000' is used on lines 2, 80002" in p for p in large_figures["problems"])
    # The dicts cost ~25 MB more at 80,000 rows than at 20,000; the on-disk indexes' page caches are at most
    # 2 x 2 MiB. The rest is noise of a few MB.
    assert large - small < 10, f"peak {small:.0f} MB at 20,000 rows but {large:.0f} MB at 80,000"


def test_first_seen_keeps_the_first_line_of_each_key() -> None:
    seen: FirstSeen[bytes] = FirstSeen()
    assert seen.firsts([b"a"]) == {}
    seen.record([(b"a", 2), (b"b", 3)])
    seen.record([(b"a", 9), (b"c", 4)])  # a key already there keeps its first line
    assert seen.firsts([b"a", b"b", b"c", b"d", b"a"]) == {b"a": 2, b"b": 3, b"c": 4}
    # More keys than one lookup statement takes.
    seen.record([(bytes([i % 256, i // 256]), i) for i in range(5, 2_000)])
    assert len(seen.firsts(bytes([i % 256, i // 256]) for i in range(2_000))) == 1_995
    seen.close()
    assert seen.firsts([b"a"]) == {}


def test_repeated_ids_are_found_across_blocks_in_file_order() -> None:
    repeats: dict[str, list[int]] = {}
    ids = RepeatedIds(repeats)
    ids.BLOCK = 3
    for line, respondent in enumerate(["a", "b", "a", "c", "b", "a", "d", "a"], start=2):
        ids.note(respondent, line)
    ids.flush()
    assert repeats == {"a": [2, 4, 7, 9], "b": [3, 6]}
    assert list(repeats) == ["a", "b"]  # in the order the repeats were met, as the warnings list them
