"""The bounded cache of compiled rulesets (issue 22, item 2).

Every distinct set of institution types compiled about 6.5 MB of durable rules that were never freed: a 22 KB
survey naming 400 type sets peaked at 2.9 GB and the app kept it for the server's life. The backend now keeps
the ``COMPILED_TYPE_SETS_MAX`` most recently used sets, deletes the C rulesets of the others, and a batch run in
this process gives back the sets it compiled. Memory is measured with psutil.
"""

from __future__ import annotations

import datetime as dt
import gc
import itertools
import random
import threading

import psutil

from engine import parse_submission
from engine.evaluator.evaluate import evaluator_for
from engine.limits import COMPILED_TYPE_SETS_MAX
from engine.run import _durable
from engine.run.durable_backend import DurableBackend
from engine.run.oracle import derive_oracle
from engine.survey.pool import evaluate_survey, run_batch
from engine.survey.reading import read_survey

AS_OF = dt.date(2026, 11, 28)


def _submission(ruleset, types, answers=None):
    institution = {"name": "T", "type": list(types), "state": "CA"}
    return parse_submission(ruleset, {"institution": institution, "answers": answers or {}}, "test")


def _type_sets(ruleset, count: int) -> list[tuple[str, ...]]:
    types = list(ruleset.institution_types)
    sets = [c for n in (2, 3) for c in itertools.combinations(types, n)]
    return sets[:count]


def test_the_cache_keeps_the_most_recently_used_sets_and_deletes_the_rest(ruleset):
    backend = DurableBackend(ruleset, max_type_sets=3)
    sets = _type_sets(ruleset, 5)
    engines = [backend.engine_for(s) for s in sets[:3]]
    backend.engine_for(sets[0])  # used again: now the most recent
    backend.engine_for(sets[3])  # evicts sets[1], the least recently used
    assert backend.compiled_types == [frozenset(s) for s in (sets[2], sets[0], sets[3])]
    assert engines[1].closed and not engines[0].closed
    assert engines[1].compiled.name not in _durable.registered()
    # An evicted set compiles again on demand and still agrees with the oracle.
    submission = _submission(ruleset, sets[1])
    assert backend.derive(submission, AS_OF).summary() == derive_oracle(ruleset, submission, AS_OF).summary()
    backend.release_except([])
    assert backend.compiled_types == []


def test_a_ruleset_shared_by_two_backends_is_deleted_only_by_the_last(ruleset):
    one, two = DurableBackend(ruleset, max_type_sets=1), DurableBackend(ruleset, max_type_sets=1)
    sets = _type_sets(ruleset, 2)
    first = one.engine_for(sets[0])
    two.engine_for(sets[0])
    one.engine_for(sets[1])  # evicts sets[0] from `one`; `two` still holds it
    assert first.closed and first.compiled.name in _durable.registered()
    submission = _submission(ruleset, sets[0])
    assert two.derive(submission, AS_OF).summary() == derive_oracle(ruleset, submission, AS_OF).summary()
    two.release_except([])
    one.release_except([])
    assert first.compiled.name not in _durable.registered()


def test_threads_evaluating_more_type_sets_than_the_cache_holds_agree_with_the_oracle(ruleset):
    # Eviction waits for an evaluation using the set; an evaluation that finds its set dropped compiles it again.
    backend = DurableBackend(ruleset, max_type_sets=2)
    sets = _type_sets(ruleset, 6)
    problems: list[str] = []

    def work(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(15):
            submission = _submission(ruleset, rng.choice(sets))
            expected = derive_oracle(ruleset, submission, AS_OF).summary()
            if backend.derive(submission, AS_OF).summary() != expected:
                problems.append(f"mismatch for {submission.institution.types}")

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert problems == []
    assert len(backend.compiled_types) <= 2
    backend.release_except([])


def _survey(ruleset, count: int) -> bytes:
    lines = ["respondent_id,institution_name,institution_type,state"]
    lines += [f'R{i},Org {i},"{"|".join(s)}",CA' for i, s in enumerate(_type_sets(ruleset, count))]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _rss_mb() -> float:
    gc.collect()
    return psutil.Process().memory_info().rss / 1e6


def test_memory_returns_to_its_level_after_a_batch_naming_many_type_sets(ruleset, tmp_path):
    # 100 distinct type sets: about 650 MB of durable rules before, all kept for the life of the process.
    survey = tmp_path / "survey.csv"
    survey.write_bytes(_survey(ruleset, 100))
    backend = evaluator_for(ruleset).durable
    run_batch(ruleset, survey, tmp_path / "warm.csv", as_of=AS_OF)  # imports, pandas, the reader: warmed up
    kept_before = set(backend.compiled_types)
    before = _rss_mb()
    peak_sets = 0

    def watch(_done: int, _total: int) -> None:
        nonlocal peak_sets
        peak_sets = max(peak_sets, len(evaluator_for(ruleset).durable.compiled_types))

    run_batch(ruleset, survey, tmp_path / "results.csv", as_of=AS_OF, progress=watch, chunk_rows=10)
    after = _rss_mb()
    assert set(backend.compiled_types) == kept_before
    assert peak_sets <= COMPILED_TYPE_SETS_MAX
    assert after - before < 40, f"RSS grew from {before:.0f} MB to {after:.0f} MB"


def test_the_apps_batch_path_gives_back_what_it_compiled(ruleset):
    # The Batch page calls evaluate_survey in the server's own process: the same bound and the same give-back.
    data = _survey(ruleset, 45)
    evaluate_survey(ruleset, read_survey(data, ruleset), as_of=AS_OF)
    before = _rss_mb()
    result = evaluate_survey(ruleset, read_survey(data, ruleset), as_of=AS_OF)
    assert len(result.results) == 45 and not result.results["error"].any()
    assert _rss_mb() - before < 40
