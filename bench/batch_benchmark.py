"""Benchmark ``sanctuary batch``: rows/s with 1 and 2 workers, peak memory, and the oracle's rows/s.

Generates a synthetic survey from the template (every institution type, realistic answer
spellings, some blanks), runs the real command in a subprocess for each worker count while sampling
the memory of the whole process tree, then runs the same pipeline on the plain-Python oracle and
checks that both backends wrote identical results.

    /work/venv/bin/python bench/batch_benchmark.py                # 100,000 rows
    /work/venv/bin/python bench/batch_benchmark.py --rows 5000 --keep /tmp/bench
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import load_ruleset  # noqa: E402
from engine.rules.model import Ruleset  # noqa: E402
from engine.survey.template import template_header  # noqa: E402

AS_OF = "2026-11-28"
STATES = ["CA", "TX", "NY", "FL", "IL", "WA", "OR", "AZ", "GA", "NJ", "MA", "CO", "TN", "OK", "NM"]
TRUE_SPELLINGS = ["yes", "Yes", "y", "TRUE", "sí", "si"]
FALSE_SPELLINGS = ["no", "No", "n", "FALSE"]


def _answer(rng: random.Random, question) -> str:
    if rng.random() < 0.1:
        return rng.choice(["", "", "N/A"])
    if question.type == "boolean":
        return rng.choice(TRUE_SPELLINGS if rng.random() < 0.5 else FALSE_SPELLINGS)
    if question.type == "choice":
        cid = rng.choice(list(question.choices))
        return question.choices[cid] if rng.random() < 0.3 else cid
    low = int(question.minimum or 0)
    return str(rng.randint(low, low + 6))


def generate_survey(ruleset: Ruleset, rows: int, path: Path, seed: int = 7) -> None:
    """Write a synthetic survey of ``rows`` respondents with the full template header."""
    rng = random.Random(seed)
    header = template_header(ruleset, None)
    types = list(ruleset.institution_types)
    per_type = {t: {q.id for q in ruleset.questions_for([t])} for t in types}
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for n in range(rows):
            kind = rng.choice(types)
            wanted = per_type[kind]
            row = [f"R{n + 1:06d}", f"Institution {n + 1}", kind, rng.choice(STATES), rng.choice(["yes", "no", ""])]
            row += [_answer(rng, ruleset.questions[qid]) if qid in wanted else "" for qid in header[5:]]
            writer.writerow(row)


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants (Linux /proc), in kB."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
            for task in Path(f"/proc/{current}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, StopIteration, ValueError):
            continue
    return total


def run_measured(command: list[str]) -> tuple[float, int]:
    """Run a command; return (seconds, peak resident memory of its process tree in MB)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kb(process.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}): {stderr.strip()}")
    return elapsed, peak // 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--workers", default="1,2", help="worker counts to time, comma separated")
    parser.add_argument("--keep", help="directory to keep the survey and results in (default: a temp dir)")
    args = parser.parse_args()
    ruleset = load_ruleset()
    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="sanctuary-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    survey = workdir / "survey.csv"
    started = time.perf_counter()
    generate_survey(ruleset, args.rows, survey)
    print(
        f"generated {args.rows:,} rows x {len(template_header(ruleset, None))} columns "
        f"({survey.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f}s; "
        f"rules {ruleset.version}: {len(ruleset.controls)} controls, {len(ruleset.questions)} questions"
    )
    figures: dict[str, dict[str, float]] = {}
    for workers in [int(w) for w in args.workers.split(",")]:
        out = workdir / f"results-{workers}.csv"
        command = [sys.executable, "-m", "engine.cli", "batch", str(survey), "-o", str(out), "-q"]
        command += ["--workers", str(workers), "--as-of", AS_OF]
        seconds, peak = run_measured(command)
        figures[f"durable, {workers} worker(s)"] = {"seconds": seconds, "rows_per_s": args.rows / seconds, "mb": peak}
    oracle_out = workdir / "results-oracle.csv"
    oracle = (
        "import datetime, sys; from engine import load_ruleset; from engine.survey.pool import run_batch; "
        f"run_batch(load_ruleset(), sys.argv[1], sys.argv[2], as_of=datetime.date.fromisoformat('{AS_OF}'), "
        "backend='oracle')"
    )
    seconds, peak = run_measured([sys.executable, "-c", oracle, str(survey), str(oracle_out)])
    figures["oracle, 1 worker"] = {"seconds": seconds, "rows_per_s": args.rows / seconds, "mb": peak}
    for name, f in figures.items():
        print(f"{name:22} {f['seconds']:7.1f} s  {f['rows_per_s']:7.0f} rows/s  peak {f['mb']:4.0f} MB (process tree)")
    reference = (workdir / "results-1.csv").read_bytes() if (workdir / "results-1.csv").exists() else None
    for path in sorted(workdir.glob("results-*.csv")):
        if reference is not None and path.read_bytes() != reference:
            print(f"MISMATCH: {path.name} differs from results-1.csv")
            return 1
    print("all results files are identical (workers and backends agree)")
    (workdir / "figures.json").write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
