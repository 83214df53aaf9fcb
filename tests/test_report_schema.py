"""`sanctuary schema`: the report's JSON Schema is generated from its types, and every report the engine makes
validates against it (sample and golden reports, Hypothesis-generated institutions); a report with a wrong field
fails, so the check can fail. The answers schema is generated from the rules and every sample answers file fits."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any, Literal, NotRequired, TypedDict, get_args

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from engine import Institution, Submission, build_draft, draft_json, evaluate, load_ruleset, load_submission
from engine.cli.main import main
from engine.evaluator.evaluate import derive
from engine.report.cells import outcomes
from engine.report.schema import answers_schema, report_schema, schema_of
from engine.report.types import BatchOutcomes, BoundWord, DraftJSON, LevelWord, OutcomeWord
from engine.rules.model import Level, Outcome

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "sample_policies" / "answers").glob("*.yaml"))
GOLDEN = sorted((ROOT / "tests" / "golden" / "reports").glob("*.json"))
RULESET = load_ruleset()
REPORT = Draft202012Validator(report_schema())
TYPES = sorted(RULESET.institution_types)
STATES = [*sorted(RULESET.states), None]
DAYS = [dt.date(2024, 6, 1), dt.date(2025, 12, 31), dt.date(2026, 12, 1)]


def _errors(validator: Draft202012Validator, document: Any) -> list[str]:
    """Each error as "path: message", with the errors inside an anyOf (a nullable part) listed at their own path."""
    out, todo = [], list(validator.iter_errors(document))
    while todo:
        error = todo.pop(0)
        out.append(f"{'/'.join(map(str, error.absolute_path))}: {error.message[:200]}")
        todo += error.context or []
    return out


def test_the_schemas_are_valid_draft_2020_12() -> None:
    Draft202012Validator.check_schema(report_schema())
    Draft202012Validator.check_schema(answers_schema(RULESET))
    assert report_schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_the_type_words_are_the_rules_words() -> None:
    """The Literal types spell out the enums' values (a type checker reads only literals); they must not drift."""
    assert set(get_args(OutcomeWord)) == {o.value for o in Outcome}
    assert set(get_args(LevelWord)) == {lv.value for lv in Level}
    assert set(get_args(BoundWord)) == {"at_least", "at_most"}


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_every_golden_report_validates(path: Path) -> None:
    assert _errors(REPORT, json.loads(path.read_text(encoding="utf-8"))) == []


@pytest.mark.parametrize("path", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_every_sample_report_validates_with_and_without_detail(path: Path) -> None:
    submission = load_submission(RULESET, path)
    for detail in (True, False):
        report = json.loads(json.dumps(evaluate(RULESET, submission, as_of=dt.date(2026, 12, 1), detail=detail)))
        assert _errors(REPORT, report) == []


@st.composite
def submissions(draw: Any) -> tuple[Submission, dt.date, bool]:
    types = tuple(draw(st.lists(st.sampled_from(TYPES), min_size=1, max_size=3, unique=True)))
    inst = Institution(
        draw(st.sampled_from(["Random", "Saint Mary's"])),
        types,
        state=draw(st.sampled_from(STATES)),
        public=draw(st.sampled_from([True, False, None])),
    )
    share = draw(st.sampled_from([0.0, 0.5, 0.9, 1.0]))
    answers: dict[str, Any] = {}
    for question in RULESET.questions_for(types):
        if draw(st.floats(0, 1)) < share:
            values: list[Any] = (
                [True, False] if question.type == "boolean" else list(question.choices) or [question.minimum or 0, 3]
            )
            answers[question.id] = draw(st.sampled_from(values))
    return Submission(inst, answers), draw(st.sampled_from(DAYS)), draw(st.booleans())


@given(submissions())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_generated_reports_validate(case: tuple[Submission, dt.date, bool]) -> None:
    submission, as_of, detail = case
    report = json.loads(json.dumps(evaluate(RULESET, submission, as_of=as_of, detail=detail)))
    assert _errors(REPORT, report) == []
    # A batch row's decisions have their own type.
    row = outcomes(RULESET, derive(RULESET, submission, as_of))
    assert _errors(Draft202012Validator(schema_of(BatchOutcomes, "batch row")), row) == []


def _golden() -> dict[str, Any]:
    return json.loads((ROOT / "tests" / "golden" / "reports" / "jail_weak.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("where", "change"),
    [
        ("findings/0/outcome", lambda r: r["findings"][0].update(outcome="maybe")),
        ("overall/counts/ceiling", lambda r: r["overall"]["counts"].update(ceiling="3")),
        ("flags/0/citations/0/url", lambda r: r["flags"][0]["citations"][0].update(url=None)),
        ("", lambda r: r.update(surprise=1)),  # the schema is closed: a new key must be added to the types
        ("", lambda r: r.pop("findings")),
        ("action_plan/steps/0/step", lambda r: r["action_plan"]["steps"][0].update(step="1")),
    ],
)
def test_a_report_with_a_wrong_field_fails(where: str, change: Any) -> None:
    report = _golden()
    assert _errors(REPORT, report) == []
    change(report)
    errors = _errors(REPORT, report)
    assert errors and any(e.startswith(f"{where}:") for e in errors), errors


def test_the_draft_json_validates() -> None:
    for name in ("k12_school_weak", "jail_weak", "congregation_developing"):
        report = evaluate(RULESET, load_submission(RULESET, ROOT / f"sample_policies/answers/{name}.yaml"))
        document = json.loads(json.dumps(draft_json(build_draft(RULESET, report))))
        assert _errors(Draft202012Validator(schema_of(DraftJSON, "draft")), document) == []


@pytest.mark.parametrize("path", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_every_sample_answers_file_validates(path: Path) -> None:
    assert _errors(Draft202012Validator(answers_schema(RULESET)), yaml.safe_load(path.read_text())) == []


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["answers"].update(no_such_question=True),
        lambda d: d["answers"].update({next(q for q, v in RULESET.questions.items() if v.type == "boolean"): "maybe"}),
        lambda d: d["answers"].update({next(q for q, v in RULESET.questions.items() if v.type == "choice"): "nope"}),
        lambda d: d["institution"].update(type="castle"),
        lambda d: d["institution"].update(state="XX"),
        lambda d: d.pop("institution"),
    ],
)
def test_a_wrong_answers_file_fails_the_answers_schema(change: Any) -> None:
    document = yaml.safe_load((ROOT / "sample_policies/answers/k12_school_weak.yaml").read_text())
    change(document)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, answers_schema(RULESET), cls=Draft202012Validator)


def test_the_command_prints_both_schemas(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == report_schema()
    assert main(["schema", "--answers", "-o", str(tmp_path / "answers.schema.json")]) == 0
    assert json.loads((tmp_path / "answers.schema.json").read_text()) == answers_schema(RULESET)


class _Inner(TypedDict):
    """An inner part."""

    word: Literal["a", "b"]


class _Outer(TypedDict):
    inner: _Inner | None
    items: list[int]
    table: dict[str, float]
    maybe: NotRequired[str]


def test_the_generator_maps_each_kind_of_type() -> None:
    schema = schema_of(_Outer, "outer")
    assert schema["$ref"] == "#/$defs/_Outer"
    outer, inner = schema["$defs"]["_Outer"], schema["$defs"]["_Inner"]
    assert outer["required"] == ["inner", "items", "table"]
    assert outer["properties"]["inner"] == {"anyOf": [{"$ref": "#/$defs/_Inner"}, {"type": "null"}]}
    assert outer["properties"]["items"] == {"type": "array", "items": {"type": "integer"}}
    assert outer["properties"]["table"] == {"type": "object", "additionalProperties": {"type": "number"}}
    assert inner["description"] == "An inner part." and inner["properties"]["word"] == {"enum": ["a", "b"]}
    valid = {"inner": {"word": "a"}, "items": [1], "table": {"x": 1.5}}
    jsonschema.validate(valid, schema)
    for wrong in ({**valid, "items": [1.5]}, {**valid, "inner": {"word": "c"}}, {"items": [], "table": {}}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(copy.deepcopy(wrong), schema)
    with pytest.raises(TypeError):
        schema_of(set[int], "a set")
