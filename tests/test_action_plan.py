"""The action plan, plain-language formats, plurals, answer rows, type and state spellings (issue 12)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import docx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import InputError, build_draft, draft_docx, evaluate, load_submission, parse_submission, render_report
from engine.cli.main import main
from engine.rules.wording import fill
from engine.run.institution import parse_state, parse_types
from engine.run.spellings import fold, state_code, states, type_spellings

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_policies" / "answers"
CONTROL_ID = re.compile(r"\b[A-Z]{2}-[A-Z]{2}-[A-Z0-9]+\b")


@pytest.fixture(scope="module")
def k12_report(ruleset):
    return evaluate(ruleset, load_submission(ruleset, SAMPLES / "k12_school_weak.yaml"))


def test_plan_lists_every_gap_once_with_core_and_risk_first(ruleset, k12_report):
    plan = k12_report["action_plan"]
    gaps = [f["control"] for f in k12_report["findings"] if f["outcome"] in ("fail", "partial")]
    assert sorted(s["control"] for s in plan["steps"]) == sorted(gaps)
    ranks = [{"core": 0, "risk": 1, "other": 2}[s["priority"]] for s in plan["steps"]]
    assert ranks == sorted(ranks)
    assert [s["step"] for s in plan["steps"]] == list(range(1, len(gaps) + 1))
    assert all(s["change_text"] or s["outcome"] == "partial" or not s["change"] for s in plan["steps"])
    assert not CONTROL_ID.search(plan["summary"])


def test_core_findings_come_before_the_rest(k12_report):
    from engine.report.action_plan import action_plan

    report = dict(k12_report)
    findings = [{**f, "core": False} for f in report["findings"]]  # only the one marked below is core
    last_gap = [f for f in findings if f["outcome"] in ("fail", "partial")][-1]
    last_gap["core"] = True
    report["findings"] = findings
    plan = action_plan(report)
    assert plan["steps"][0]["control"] == last_gap["control"] and plan["steps"][0]["priority"] == "core"
    assert "core protection" in plan["summary"]


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_action_plan_comes_first_and_main_text_has_no_ids(k12_report, fmt):
    out = render_report(k12_report, fmt)
    plan_at = out.find("Action plan") if fmt != "text" else out.find("ACTION PLAN")
    assert 0 < plan_at < out.find("Overall" if fmt != "text" else "OVERALL")
    main_text = out.split("Technical details")[0] if fmt == "markdown" else out
    if fmt == "html":
        main_text = re.sub(r"<details>.*?</details>", "", out, flags=re.S)
    assert not CONTROL_ID.search(main_text), CONTROL_ID.search(main_text)
    assert "rule:" not in main_text.lower()


def test_text_detail_shows_ids_and_rules(k12_report):
    out = render_report(k12_report, "text", detail=True)
    assert CONTROL_ID.search(out) and "rule: " in out


def test_html_prints_one_component_per_page(k12_report):
    out = render_report(k12_report, "html")
    assert "@media print" in out and ".component{break-before:page}" in out
    assert "<script" not in out.lower()


def test_a_question_is_listed_once_per_control(ruleset):
    submission = parse_submission(
        ruleset,
        {
            "institution": {"name": "City", "type": "local_government", "state": "IL", "public": True},
            "answers": {
                "xc_policy_form": "adopted_written",
                "xc_policy_published": False,
                "xc_policy_in_community_languages": True,
                "xc_policy_followed_in_practice": True,
            },
        },
    )
    report = evaluate(ruleset, submission)
    written = next(f for f in report["findings"] if f["control"] == "XC-AC-WRITTEN")
    assert written["outcome"] == "partial"
    facts = [b["fact"] for b in written["because"] if b["fact"].startswith("answers.")]
    assert len(facts) == len(set(facts)) == 3
    for report_ in (report,):
        for f in report_["findings"]:
            facts = [b["fact"] for b in f["because"] if b["fact"].startswith("answers.")]
            assert len(facts) == len(set(facts)), f["control"]


@given(st.integers(min_value=0, max_value=50))
def test_plural_templates_agree_with_their_number(n):
    text = fill("{n} {n:control fails|controls fail}; {n:The one control|All {n} controls}", {"n": n})
    if n == 1:
        assert text == "1 control fails; The one control"
    else:
        assert text == f"{n} controls fail; All {n} controls"


def test_no_report_headline_has_broken_grammar(ruleset):
    bad = re.compile(r"\bOnly 0%|\bAll 1 \w|\b1 are\b|\(s\)|\b1 \w+ controls\b|None of the 1 ")
    for path in sorted(SAMPLES.glob("*.yaml")):
        report = evaluate(ruleset, load_submission(ruleset, path))
        for text in [report["overall"]["explanation"], *(c["explanation"] for c in report["components"])]:
            assert not bad.search(text), (path.name, text)


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [("School district", "k12_school"), ("K-12 school", "k12_school"), ("k12", "k12_school"),
     ("Church", "congregation"), ("Iglesia", "congregation"), ("Clínica", "health_facility"), ("jail", "jail")],
)  # fmt: skip
def test_type_aliases_from_the_rules(ruleset, spelling, expected):
    assert parse_types(ruleset, spelling) == (expected,)


def test_every_alias_names_one_type(ruleset):
    owners: dict[str, str] = {}
    for tid, names in type_spellings(ruleset).items():
        for name in names:
            assert owners.setdefault(fold(name), tid) == tid, name


@pytest.mark.parametrize(("raw", "code"), [("New Mexico", "NM"), ("new mexico", "NM"), ("nm", "NM"), ("CA", "CA"),
                                           ("Puerto Rico", "PR"), ("District of Columbia", "DC")])  # fmt: skip
def test_state_names_and_codes(raw, code):
    assert parse_state(raw) == code


def test_unknown_state_is_one_clear_error():
    with pytest.raises(InputError, match="not a US state or territory"):
        parse_state("Atlantis")
    assert state_code("XX") is None


def test_states_are_sorted_by_name():
    names = [name for _, name in states()]
    assert names == sorted(names) and names.index("Alabama") < names.index("Alaska")
    assert len(names) >= 56


def test_docx_draft_has_no_internal_ids(ruleset, k12_report):
    document = docx.Document(io.BytesIO(draft_docx(build_draft(ruleset, k12_report))))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Addresses:" not in text
    assert not CONTROL_ID.search(text), CONTROL_ID.search(text)


def test_questions_never_print_none(capsys):
    assert main(["questions"]) == 0
    assert "(None; )" not in capsys.readouterr().out


def test_template_values_lists_spellings_and_states(capsys):
    assert main(["template", "--values"]) == 0
    out = capsys.readouterr().out
    assert "School district" in out and "New Mexico (NM)" in out
