"""Benchmark: evaluations per second and latency, durable-rules path vs the plain-Python oracle, in one run.

Generates synthetic K-12 answer sets from the ruleset's own questionnaire (some questions left blank),
evaluates each through both paths on one core, checks that they agree, and prints the figures.

    python bench/engine_benchmark.py            # 3,000 school answer sets
    python bench/engine_benchmark.py -n 500 --type jail --full-report

``--full-report`` times the complete explained report (because, to_pass, proof tree) on top of the
derivation; without it the benchmark times what the rules engine itself does.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine import evaluate, load_ruleset, parse_submission
from engine.run.derive import derive_oracle, durable_backend

AS_OF = dt.date(2026, 11, 28)


def synthetic_submissions(ruleset, institution_type: str, count: int, seed: int) -> list:
    """Random but valid answer sets for one institution type (about 10% of questions unanswered)."""
    rng = random.Random(seed)
    questions = ruleset.questions_for([institution_type])
    out = []
    for i in range(count):
        answers = {}
        for q in questions:
            if rng.random() < 0.1:
                continue
            if q.type == "boolean":
                answers[q.id] = rng.random() < 0.6
            elif q.type == "choice":
                answers[q.id] = rng.choice(list(q.choices))
            else:
                answers[q.id] = rng.randint(0, 4)
        institution = {
            "name": f"Synthetic {i}",
            "type": institution_type,
            "state": rng.choice(["CA", "TX", "IL", "FL", "NY", "OH", "WA"]),
            "public": rng.random() < 0.8,
        }
        out.append(parse_submission(ruleset, {"institution": institution, "answers": answers}, "synthetic"))
    return out


def timed(fn, items) -> list[float]:
    latencies = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        latencies.append(time.perf_counter() - start)
    return latencies


def describe(name: str, latencies: list[float]) -> dict[str, float]:
    total = sum(latencies)
    ordered = sorted(latencies)
    figures = {
        "evals_per_s": len(latencies) / total,
        "p50_ms": 1000 * statistics.median(ordered),
        "p95_ms": 1000 * ordered[int(0.95 * (len(ordered) - 1))],
        "p99_ms": 1000 * ordered[int(0.99 * (len(ordered) - 1))],
    }
    print(
        f"{name:<28} {figures['evals_per_s']:>10.0f} evals/s   p50 {figures['p50_ms']:6.2f} ms   "
        f"p95 {figures['p95_ms']:6.2f} ms   p99 {figures['p99_ms']:6.2f} ms"
    )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=3000, help="answer sets (default 3000)")
    parser.add_argument("--type", default="k12_school", help="institution type (default k12_school)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--full-report", action="store_true", help="also time the full explained report")
    args = parser.parse_args()

    ruleset = load_ruleset()
    submissions = synthetic_submissions(ruleset, args.type, args.n, args.seed)
    backend = durable_backend(ruleset)
    controls = len(ruleset.controls_for([args.type]))
    print(
        f"ruleset {ruleset.id} {ruleset.version}: {len(ruleset.controls)} controls ({controls} for {args.type}), "
        f"{len(backend.compiled.rules)} compiled rules; {args.n} synthetic answer sets; Python {sys.version.split()[0]}"
    )

    for s in submissions[:50]:  # warm-up, and a correctness check before timing
        backend.derive(s, AS_OF)
    mismatches = sum(
        backend.derive(s, AS_OF).summary() != derive_oracle(ruleset, s, AS_OF).summary() for s in submissions
    )
    durable = describe("durable-rules derivation", timed(lambda s: backend.derive(s, AS_OF), submissions))
    oracle = describe("plain-Python oracle", timed(lambda s: derive_oracle(ruleset, s, AS_OF), submissions))
    if args.full_report:
        describe("durable + full report", timed(lambda s: evaluate(ruleset, s, as_of=AS_OF), submissions))
        describe(
            "durable + batch report", timed(lambda s: evaluate(ruleset, s, as_of=AS_OF, detail=False), submissions)
        )
    print(
        f"oracle / durable speed ratio: {oracle['evals_per_s'] / durable['evals_per_s']:.1f}x; "
        f"mismatches between the two: {mismatches} of {len(submissions)}"
    )
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
