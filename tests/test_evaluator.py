"""The Evaluator owns a ruleset's compiled state: durable rulesets, the report plan and its memo; the public
``evaluate`` is a thin call on the ruleset's default evaluator, and no module keeps compiled state of its own."""

from __future__ import annotations

import ast
import datetime as dt
import random
from pathlib import Path

import pytest

from engine import Evaluator, InputError, evaluate, parse_submission
from engine.evaluator.evaluate import evaluator_for
from engine.run import _durable

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 28)


def _submissions(ruleset, count: int, seed: int = 5) -> list:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        kind = sorted(ruleset.institution_types)[i % len(ruleset.institution_types)]
        answers = {q.id: rng.random() < 0.5 for q in ruleset.questions_for([kind]) if q.type == "boolean"}
        institution = {"name": f"E{i}", "type": kind, "state": rng.choice(["CA", "TX", "NY"]), "public": True}
        out.append(parse_submission(ruleset, {"institution": institution, "answers": answers}, "t"))
    return out


def test_an_evaluator_gives_the_reports_of_the_public_function(ruleset) -> None:
    own = Evaluator(ruleset)
    for submission in _submissions(ruleset, 14):
        assert own.evaluate(submission, as_of=AS_OF) == evaluate(ruleset, submission, as_of=AS_OF)
        assert own.evaluate(submission, as_of=AS_OF, backend="oracle", detail=False) == evaluate(
            ruleset, submission, as_of=AS_OF, backend="oracle", detail=False
        )
    own.close()


def test_batch_gives_each_submissions_batch_report_in_order(ruleset) -> None:
    submissions = _submissions(ruleset, 12, seed=9)
    evaluator = Evaluator(ruleset)
    batch = list(evaluator.batch(submissions, as_of=AS_OF))
    assert batch == [evaluate(ruleset, s, as_of=AS_OF, detail=False) for s in submissions]
    assert [r["institution"]["name"] for r in batch] == [s.institution.name for s in submissions]
    evaluator.close()


def test_each_evaluator_owns_its_compiled_state(ruleset) -> None:
    first, second = Evaluator(ruleset), Evaluator(ruleset)
    submission = _submissions(ruleset, 1)[0]
    first.evaluate(submission, as_of=AS_OF)
    assert first.durable is not second.durable and first.plan is not second.plan
    assert second.durable.compiled_types == []  # nothing compiled until it evaluates
    assert first.durable.compiled_types == [frozenset(submission.institution.types)]
    first.close()


def test_the_default_evaluator_is_one_per_ruleset(ruleset, mini_ruleset) -> None:
    assert evaluator_for(ruleset) is evaluator_for(ruleset)
    assert evaluator_for(mini_ruleset) is not evaluator_for(ruleset)
    assert evaluator_for(ruleset).ruleset is ruleset


def test_close_deletes_the_durable_rulesets_and_the_evaluator_compiles_again_on_use(ruleset) -> None:
    evaluator = Evaluator(ruleset)
    submissions = _submissions(ruleset, 3)
    before = evaluator.evaluate(submissions[0], as_of=AS_OF)
    names = [engine.compiled.name for engine in evaluator.durable._engines.values()]
    assert names and all(_durable._HANDLES.get(n) for n in names)
    evaluator.close()
    assert evaluator.durable.compiled_types == []
    assert evaluator.evaluate(submissions[0], as_of=AS_OF) == before
    evaluator.close()


def test_the_compiled_type_sets_are_bounded_per_evaluator(ruleset) -> None:
    from engine.limits import COMPILED_TYPE_SETS_MAX

    evaluator = Evaluator(ruleset)
    types = sorted(ruleset.institution_types)
    pairs = [(a, b) for a in types for b in types if a < b][: COMPILED_TYPE_SETS_MAX + 3]
    for a, b in pairs:
        doc = {"institution": {"name": "M", "type": [a, b], "state": "CA"}, "answers": {}}
        evaluator.derive(parse_submission(ruleset, doc, "t"), AS_OF)
    assert len(evaluator.durable.compiled_types) == COMPILED_TYPE_SETS_MAX
    assert evaluator.durable.compiled_types[-1] == frozenset(pairs[-1])
    evaluator.close()


def test_an_unknown_backend_is_a_one_line_input_error(ruleset) -> None:
    with pytest.raises(InputError, match="backend: 'fast' is not one of durable, oracle"):
        Evaluator(ruleset).evaluate(_submissions(ruleset, 1)[0], backend="fast")


def test_a_changed_copy_of_a_ruleset_never_reads_the_original_memo(ruleset) -> None:
    """The ruleset's own memo (indexes other layers build from it) starts empty on a dataclasses.replace copy."""
    import dataclasses

    from engine.rules.branching import branching_order

    branching_order(ruleset)
    copy = dataclasses.replace(ruleset, controls=dict(ruleset.controls))
    assert copy.memo is not ruleset.memo and copy.memo._found == {}


# Module-level state that is allowed: the default evaluators (the one registry), durable's own handles, the
# worker process's row evaluator, and the load cache of rules directories (loading, not compiled state).
ALLOWED_MODULE_STATE = {
    ("engine/evaluator/evaluate.py", "_DEFAULT_EVALUATORS"),
    ("engine/run/_durable.py", "_HANDLES"),
    ("engine/run/_durable.py", "_USERS"),
    ("engine/survey/pool.py", "_WORKER_EVALUATOR"),
    ("engine/rules/loader.py", "_CACHE"),
}


def _module_caches(path: Path) -> list[str]:
    """Names bound at module level to an empty dict, OrderedDict or a Memo: the shape every old cache had."""
    found = []
    for node in ast.parse(path.read_text()).body:
        targets = [node.target] if isinstance(node, ast.AnnAssign) else getattr(node, "targets", [])
        value = getattr(node, "value", None)
        empty_dict = isinstance(value, ast.Dict) and not value.keys
        made = isinstance(value, ast.Call) and getattr(value.func, "id", "") in ("dict", "OrderedDict", "Memo")
        if empty_dict or made:
            found += [t.id for t in targets if isinstance(t, ast.Name)]
    return found


def test_no_module_keeps_compiled_state_of_its_own() -> None:
    found = {
        (p.relative_to(ROOT).as_posix(), name)
        for p in sorted((ROOT / "engine").rglob("*.py"))
        for name in _module_caches(p)
    }
    assert found <= ALLOWED_MODULE_STATE, f"module-level caches: {sorted(found - ALLOWED_MODULE_STATE)}"
