"""Stop `sanctuary batch --workers 2` with a signal at a random moment, many times, and report every run that did
not end cleanly: a hang, an exit code other than 129/130/143, or more than the one line on stderr.

Not a timed test: a reproduction aid for the interrupt handling in engine/survey/lifeline.py (a worker killed
while sending its results once left about one run in a hundred waiting for ever). It is most telling with the
machine busy, e.g. a couple of `sh -c 'while :; do :; done' &` running beside it.

    python bench/interrupt_stress.py --runs 120
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_policies" / "surveys" / "mixed_institutions.csv"
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGHUP: 129}


def _survey(folder: Path, copies: int) -> Path:
    lines = SAMPLE.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    path = folder / "survey.csv"
    path.write_text(lines[0] + "".join(lines[1:]) * copies, encoding="utf-8")
    return path


def _kill_tree(pid: int) -> None:
    subprocess.run(["pkill", "-9", "-P", str(pid)], check=False)
    os.kill(pid, signal.SIGKILL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--earliest", type=float, default=1.0, help="seconds after the start (default 1.0)")
    parser.add_argument("--latest", type=float, default=3.5, help="seconds after the start (default 3.5)")
    parser.add_argument("--group-share", type=float, default=0.3, help="share of signals sent to the process group")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    bad = {"hang": 0, "exit code": 0, "extra stderr": 0, "before the handler": 0}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        survey = _survey(folder, 200)  # ~8,800 rows: still running after several seconds
        for run in range(args.runs):
            out = folder / f"out{run}.csv"
            to_group = rng.random() < args.group_share
            command = [sys.executable, "-m", "engine.cli", "batch", str(survey), "-o", str(out), "--workers", "2", "-q"]
            proc = subprocess.Popen(
                command, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT, start_new_session=to_group
            )
            delay = rng.uniform(args.earliest, args.latest)
            time.sleep(delay)
            signum = rng.choice(SIGNALS)
            if to_group:
                os.killpg(proc.pid, signum)  # as a closed terminal or `kill -<signal> -<group>` would
            else:
                proc.send_signal(signum)
            target = "group" if to_group else "batch"
            where = f"run {run}: {signal.Signals(signum).name} to the {target} at {delay:.2f} s"
            try:
                _, err = proc.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                bad["hang"] += 1
                print(f"{where}: still running 30 s later", flush=True)
                _kill_tree(proc.pid)
                proc.communicate()
                continue
            lines = err.strip().splitlines()
            if proc.returncode < 0 and not lines:
                bad["before the handler"] += 1  # killed while Python was still starting: nothing written yet
            elif proc.returncode not in (0, EXIT_CODES[signum]):
                bad["exit code"] += 1
                print(f"{where}: exit {proc.returncode}: {err!r}", flush=True)
            elif len(lines) > 1:
                bad["extra stderr"] += 1
                print(f"{where}: {len(lines)} lines on stderr: {err[:300]!r}", flush=True)
            out.unlink(missing_ok=True)
    print(f"{args.runs} runs: " + ", ".join(f"{name} {count}" for name, count in bad.items()))
    return 1 if bad["hang"] or bad["exit code"] or bad["extra stderr"] else 0


if __name__ == "__main__":
    sys.exit(main())
