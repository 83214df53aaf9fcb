"""Time every input limit's maximum: each file docs/input-limits.md's table allows, read by the real command.

Before issue 22 a 9,999-character ``institution.type`` kept ``sanctuary evaluate`` busy for hours (splitting a type
list was cubic) and one 8 KB type cell cost 139-166 s per batch run. Every case must now end in seconds; the
cases are in tests/malformed/limit_cases.py, and tests/malformed/test_limit_times.py checks a generous bound.

    python bench/limits_benchmark.py                 # against the bundled rules
    python bench/limits_benchmark.py --rules tests/fixtures/mini
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.docs_block import recorded_from_argv  # noqa: E402
from engine.cli import main  # noqa: E402
from tests.malformed.limit_cases import CASES, argv  # noqa: E402


def main_bench() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", default=str(ROOT / "tests" / "fixtures" / "mini"))
    args = parser.parse_args()
    print(f"{'case':<52} {'limit':<34} {'size':>11} {'exit':>4} {'seconds':>8}")
    with tempfile.TemporaryDirectory() as folder:
        for case in CASES:
            path = case.write(Path(folder))
            err = io.StringIO()
            start = time.perf_counter()
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                code = main(["--rules", args.rules, *argv(case, path, Path(folder) / "out")])
            seconds = time.perf_counter() - start
            print(f"{case.id:<52} {case.limit:<34} {path.stat().st_size:>11,} {code:>4} {seconds:>8.2f}")
    return 0


if __name__ == "__main__":
    # --write-docs: also put what this prints in docs/benchmarks.md (bench/docs_block.py)
    with recorded_from_argv("bench/limits_benchmark.py", "limits"):
        code = main_bench()
    raise SystemExit(code)
