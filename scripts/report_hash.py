"""Fingerprint of the engine's reports: the sha256 of many deterministic synthetic reports as JSON.

A restructuring of the engine (moving modules, an object owning compiled state) must change no report. This
script evaluates ``--count`` synthetic submissions (every institution type in turn, every seventh one a mix of
two or three types, random answers with some left blank, a fixed seed and a fixed date) and prints one sha256
over all their JSON reports. Run it before and after a change; the two hashes must be equal.

It uses only the engine's public names, so it runs against any checkout::

    python scripts/report_hash.py                                  # this checkout, 2,100 reports
    python scripts/report_hash.py --checkout /path/to/other/checkout
    python scripts/report_hash.py --count 300                      # the sample tests/test_report_hash.py uses

Every fifth report is the batch report (``detail=False``), so both report shapes are covered.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The answers generator is shared with bench/engine_benchmark.py. ROOT goes after this script's own folder and
# before the installed packages; --checkout later puts another checkout's engine in front of it.
if str(ROOT) not in sys.path:
    sys.path.insert(1, str(ROOT))

from bench.synthetic import synthetic_answers  # noqa: E402

AS_OF = dt.date(2026, 11, 28)
DEFAULT_COUNT = 2100
DEFAULT_SEED = 20261208


def synthetic_document(ruleset: Any, index: int, rng: random.Random) -> dict[str, Any]:
    """One answers document: the index picks the institution type(s), the generator the answers."""
    types = sorted(ruleset.institution_types)
    chosen = [types[index % len(types)]]
    if index % 7 == 6:  # a mixed institution now and then (a school that runs a clinic)
        chosen += rng.sample([t for t in types if t != chosen[0]], k=rng.choice([1, 2]))
    answers = synthetic_answers(ruleset.questions_for(chosen), rng, blank_share=0.12, largest_number=5)
    institution = {
        "name": f"Synthetic {index}",
        "type": chosen if len(chosen) > 1 else chosen[0],
        "state": rng.choice([None, "CA", "TX", "IL", "FL", "NY", "OH", "WA", "GA"]),
        "public": rng.choice([None, True, True, False]),
    }
    return {"institution": {k: v for k, v in institution.items() if v is not None}, "answers": answers}


def report_hash(count: int = DEFAULT_COUNT, seed: int = DEFAULT_SEED) -> str:
    """The sha256 (hex) of ``count`` synthetic reports rendered as JSON, in order."""
    import engine

    ruleset = engine.load_ruleset()
    rng = random.Random(seed)
    digest = hashlib.sha256()
    for index in range(count):
        submission = engine.parse_submission(ruleset, synthetic_document(ruleset, index, rng), f"synthetic-{index}")
        report = engine.evaluate(ruleset, submission, as_of=AS_OF, detail=index % 5 != 4)
        digest.update(engine.render_report(report, "json").encode("utf-8"))
    return digest.hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT, help=f"reports (default {DEFAULT_COUNT})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--checkout", type=Path, default=ROOT, help="the checkout whose engine to run")
    args = parser.parse_args()
    sys.path.insert(0, str(args.checkout.resolve()))
    start = time.perf_counter()
    value = report_hash(args.count, args.seed)
    print(value)
    engine_dir = Path(sys.modules["engine"].__file__).parent
    seconds = time.perf_counter() - start
    print(f"{args.count} reports, seed {args.seed}, engine {engine_dir}, {seconds:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
