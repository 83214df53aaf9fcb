"""Every input limit's maximum ends in seconds (issue 22, item 1): each input path is linear in its size.

Each case of limit_cases runs in its own process with a generous bound (a minute; the cases take well under five
seconds each on a quiet machine, see bench/limits_benchmark.py). Before issue 22 a 9,999-character type list kept
``evaluate`` busy for hours and one 8 KB type cell cost over two minutes per batch run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tests.conftest import MINI_RULES, ROOT
from tests.malformed.limit_cases import CASES, argv

BOUND_SECONDS = 60


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_each_limit_at_its_maximum_ends_within_a_generous_bound(case, tmp_path):
    path = case.write(tmp_path)
    command = [sys.executable, "-m", "engine.cli", "--rules", str(MINI_RULES), *argv(case, path, tmp_path / "out")]
    start = time.monotonic()
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=BOUND_SECONDS,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{case.id}: still running after {BOUND_SECONDS} s")
    assert done.returncode in (0, 2), done.stderr
    assert "Traceback" not in done.stderr
    assert all(len(line) < 5_000 for line in done.stderr.splitlines()), "a message quoted a whole input"
    assert time.monotonic() - start < BOUND_SECONDS
