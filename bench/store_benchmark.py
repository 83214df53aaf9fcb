"""Benchmark the coalition store: build a store of N waves of R respondents, then time its queries.

The store is filled with *synthetic* rows inserted directly (SQLAlchemy Core, the same tables and migrations as
``sanctuary batch --wave``), not by evaluating surveys: evaluating a million rows would take hours and measure the
rules engine, which ``bench/batch_benchmark.py`` already does. The rows look like real ones: every institution
answers in every wave (2% of them twice, with one answer changed), about a fifth change some controls from one
wave to the next, levels drift, and each row carries about 30 answers, 64 control codes, flags and a county.

Then it times, on each database, what a coalition's data person runs: ``compare`` of the last two waves (the
aim: under 5 s on 2 cores), ``consistency`` of the last wave, and the map queries (institutions per state and
level; per county). Each figure is wall time and this process's CPU time; for PostgreSQL the server's CPU time
is printed too (its processes, from psutil). The load average shows how busy the shared machine was.

    python bench/store_benchmark.py                                   # 10 waves x 100,000 rows, SQLite only
    python bench/store_benchmark.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/bench
    python bench/store_benchmark.py --rows 20000 --waves 3            # a quicker run
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.docs_block import recorded_from_argv  # noqa: E402
from engine import load_ruleset  # noqa: E402
from engine.store import compare_waves, disagreements, level_counts, migrate, open_store  # noqa: E402
from engine.store.record import institution_key  # noqa: E402
from engine.store.schema import respondents, waves  # noqa: E402

STATES = ["CA", "TX", "NY", "FL", "IL", "WA", "OR", "AZ", "GA", "NJ", "MA", "CO", "TN", "OK", "NM", "PA", "OH", "MI"]
LEVELS = ["strong", "developing", "weak", "incomplete"]
CODES = "PpFLMNAX"
INSERT_ROWS = 5000


def _variants(rng: random.Random, ruleset: Any) -> tuple[list[str], list[str], list[str]]:
    """Pools of control-code strings, answer documents and flag lists to draw rows from (cheap to generate)."""
    width = len(ruleset.controls)
    controls = ["".join(rng.choice(CODES) for _ in range(width)) for _ in range(800)]
    questions = list(ruleset.questions)
    answers = []
    for _ in range(400):
        picked = rng.sample(questions, 30)
        answers.append(json.dumps({q: rng.choice([True, False]) for q in picked}, separators=(",", ":")))
    flags = list(ruleset.flags)
    flag_sets = ["|".join(sorted(rng.sample(flags, rng.randint(0, 4)))) for _ in range(200)]
    return controls, answers, flag_sets


def build(url: str, ruleset: Any, rows: int, wave_count: int, seed: int = 11) -> float:
    """Fill an empty store at ``url``; returns the seconds it took."""
    from sqlalchemy import insert

    rng = random.Random(seed)
    controls, answers, flag_sets = _variants(rng, ruleset)
    institutions = [
        (f"Institution {i:06d}", rng.choice(list(ruleset.institution_types)), rng.choice(STATES)) for i in range(rows)
    ]
    state_of = [rng.randrange(len(controls)) for _ in range(rows)]
    level_of = [rng.randrange(4) for _ in range(rows)]
    twice = set(rng.sample(range(rows), rows // 50))
    started = time.perf_counter()
    with open_store(url, create=True) as store:
        migrate(store, "base", down=True)
        migrate(store, "head")
        for w in range(wave_count):
            name = f"{2017 + w}"
            with store.engine.begin() as connection:
                wave_id = connection.execute(
                    insert(waves)
                    .values(
                        name=name,
                        stored_at=dt.datetime.now(dt.UTC),
                        as_of=dt.date(2017 + w, 6, 1),
                        rules_id=ruleset.id,
                        rules_version=str(ruleset.version),
                        rules_hash=ruleset.content_hash,
                        source_name=f"synthetic-{name}.csv",
                        source_hash=f"{w:064x}",
                        controls=json.dumps(list(ruleset.controls)),
                        components=json.dumps(list(ruleset.components)),
                        id_column=None,
                        county_column="County",
                        respondents=0,
                        evaluated=0,
                        errors=0,
                    )
                    .returning(waves.c.id)
                ).scalar_one()
                batch: list[dict[str, Any]] = []
                line = 1
                for i, (inst, kind, state) in enumerate(institutions):
                    if rng.random() < 0.2:  # a fifth change from one wave to the next
                        state_of[i] = rng.randrange(len(controls))
                        level_of[i] = max(0, min(3, level_of[i] + rng.choice((-1, 1))))
                    copies = 2 if i in twice else 1
                    for copy in range(copies):
                        line += 1
                        answer = answers[(state_of[i] + copy) % len(answers)]
                        batch.append(
                            {
                                "wave_id": wave_id,
                                "line": line,
                                "respondent_id": f"R{i}-{copy}",
                                "institution_key": institution_key(inst, kind, state),
                                "institution_id": None,
                                "institution_name": inst,
                                "institution_type": kind,
                                "state": state,
                                "county": f"{i % 40:03d}",
                                "public": True,
                                "level": LEVELS[level_of[i]],
                                "components": controls[state_of[i]][: len(ruleset.components)],
                                "controls": controls[state_of[i]],
                                "provisional": "",
                                "flags": flag_sets[state_of[i] % len(flag_sets)],
                                "error": "",
                                "answers": answer,
                            }
                        )
                    if len(batch) >= INSERT_ROWS:
                        connection.execute(insert(respondents), batch)
                        batch = []
                if batch:
                    connection.execute(insert(respondents), batch)
            print(f"  wave {name}: {line - 1:,} rows, {time.perf_counter() - started:.0f} s so far", flush=True)
        if store.dialect == "postgresql":  # as WaveRecorder does after each wave
            with store.engine.connect() as connection:
                connection.exec_driver_sql("ANALYZE respondents")
                connection.commit()
    return time.perf_counter() - started


def _server_cpu() -> float:
    """CPU seconds used so far by the PostgreSQL server processes on this machine (0 when psutil is missing)."""
    try:
        import psutil
    except ImportError:
        return 0.0
    total = 0.0
    for proc in psutil.process_iter(["name", "cpu_times"]):
        if proc.info["name"] and proc.info["name"].startswith("postgres") and proc.info["cpu_times"]:
            total += proc.info["cpu_times"].user + proc.info["cpu_times"].system
    return total


def timed(label: str, run: Any, postgres: bool) -> tuple[str, float, float, float]:
    server = _server_cpu() if postgres else 0.0
    cpu, wall = time.process_time(), time.perf_counter()
    result = run()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    server = (_server_cpu() - server) if postgres else 0.0
    print(f"  {label:<34} {wall:6.2f} s wall  {cpu:6.2f} s CPU here  {server:6.2f} s CPU server  ({result})")
    return label, wall, cpu, server


def measure(url: str, wave_count: int) -> list[tuple[str, float, float, float]]:
    postgres = url.startswith("postgresql")
    a, b = f"{2017 + wave_count - 2}", f"{2017 + wave_count - 1}"
    figures = []
    with open_store(url) as store:

        def compare() -> str:
            s = compare_waves(store, a, b)["summary"]
            return f"{s['matched']:,} matched, {s['dropped']:,} dropped, {s['improved']:,} improved"

        def consistency() -> str:
            s = disagreements(store, b)["summary"]
            return (
                f"{s['institutions_answering_more_than_once']:,} answered twice, {s['disagreements']:,} disagreements"
            )

        figures.append(timed(f"compare {a} {b}", compare, postgres))
        figures.append(timed(f"consistency --wave {b}", consistency, postgres))
        figures.append(timed("map query by state", lambda: f"{len(level_counts(store, b)):,} groups", postgres))
        figures.append(
            timed("map query by county", lambda: f"{len(level_counts(store, b, by='county')):,} groups", postgres)
        )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="institutions per wave (default 100,000)")
    parser.add_argument("--waves", type=int, default=10, help="waves (default 10)")
    parser.add_argument("--sqlite", help="SQLite file to build (default: a temporary file, removed afterwards)")
    parser.add_argument("--postgres", help="also build and measure this PostgreSQL database (it is emptied first)")
    parser.add_argument("--no-sqlite", action="store_true", help="measure PostgreSQL only")
    parser.add_argument("--reuse", action="store_true", help="measure the stores as they are (built by an earlier run)")
    args = parser.parse_args()
    if args.waves < 2:
        parser.error("--waves must be at least 2 (compare needs two)")
    ruleset = load_ruleset()
    targets = []
    with tempfile.TemporaryDirectory() as folder:
        if not args.no_sqlite:
            targets.append(f"sqlite:///{args.sqlite or Path(folder) / 'bench.db'}")
        if args.postgres:
            targets.append(args.postgres)
        now = f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
        print(f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f} at start; {now}")
        for url in targets:
            kind = url.split(":")[0]
            if args.reuse:
                print(f"\n{kind}: measuring the store as built before")
                seconds = 0.0
            else:
                print(f"\n{kind}: building {args.waves} waves x {args.rows:,} institutions (2% answer twice)")
                seconds = build(url, ruleset, args.rows, args.waves)
            with open_store(url) as store, store.engine.connect() as connection:
                from sqlalchemy import func, select

                total = connection.execute(select(func.count()).select_from(respondents)).scalar_one()
            print(f"  built {total:,} rows in {seconds:.0f} s; load average {os.getloadavg()[0]:.2f}")
            figures = measure(url, args.waves)
            compare_wall = figures[0][1]
            print(
                f"  compare aim < 5 s: {'met' if compare_wall < 5 else 'NOT met'} ({compare_wall:.2f} s); "
                f"load average {os.getloadavg()[0]:.2f}"
            )
    return 0


if __name__ == "__main__":
    # --write-docs: also put what this prints in docs/benchmarks.md (bench/docs_block.py)
    with recorded_from_argv("bench/store_benchmark.py", "store"):
        code = main()
    raise SystemExit(code)
