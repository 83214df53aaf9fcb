"""One malformed ruleset per loader error: the message names the file, the key and a suggestion."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine import RulesetError, load_ruleset
from tests.conftest import MINI_RULES

CONTROL = "controls/XX-PS-ENTRY_judicial-warrant.yaml"


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "rules" / "mini"
    shutil.copytree(MINI_RULES, root)
    return root


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text()
    assert old in text, f"fixture text {old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1))


CASES = [
    (
        "unknown question",
        CONTROL,
        "question: q_entry, equals: refused",
        "question: q_entri, equals: refused",
        ["XX-PS-ENTRY_judicial-warrant.yaml", "pass.question", "q_entri", "Did you mean 'q_entry'"],
    ),
    (
        "unknown key",
        CONTROL,
        "component: protected_spaces",
        "component: protected_spaces\ncomponnt: x",
        ["XX-PS-ENTRY_judicial-warrant.yaml", "unknown key 'componnt'", "Did you mean 'component'"],
    ),
    (
        "duplicate key",
        CONTROL,
        "component: protected_spaces",
        "component: protected_spaces\ncomponent: bright_line",
        ["XX-PS-ENTRY_judicial-warrant.yaml", "duplicate key 'component'"],
    ),
    (
        "unknown citation",
        CONTROL,
        "citations: [src-a, src-b]",
        "citations: [src-a, src-c]",
        ["citations", "unknown citation 'src-c'", "Did you mean"],
    ),
    (
        "unknown clause",
        CONTROL,
        "recommended_clause: CL-A",
        "recommended_clause: CL-B",
        ["recommended_clause", "unknown clause 'CL-B'"],
    ),
    (
        "unknown component",
        CONTROL,
        "component: protected_spaces",
        "component: protected_space",
        ["component", "Did you mean 'protected_spaces'"],
    ),
    (
        "unknown institution type",
        CONTROL,
        "applies_to: [k12_school, employer]",
        "applies_to: [k12_schol, employer]",
        ["applies_to", "unknown institution type 'k12_schol'", "Did you mean 'k12_school'"],
    ),
    (
        "literal of the wrong type",
        CONTROL,
        "question: q_entry, equals: refused",
        "question: q_entry, equals: true",
        ["pass.equals", "read as a boolean; quote the choice id"],
    ),
    (
        "unknown choice",
        CONTROL,
        "question: q_entry, equals: refused",
        "question: q_entry, equals: refuse",
        ["pass.equals", "'refuse' is not a choice of q_entry", "Did you mean 'refused'"],
    ),
    (
        "malformed yaml",
        CONTROL,
        "component: protected_spaces",
        "component: [protected_spaces",
        ["XX-PS-ENTRY_judicial-warrant.yaml", "malformed YAML"],
    ),
    (
        "bad operator",
        CONTROL,
        "question: q_entry, equals: refused",
        "question: q_entry, equal: refused",
        ["pass", "Did you mean 'equals'"],
    ),
    (
        "file name does not match id",
        CONTROL,
        "id: XX-PS-ENTRY",
        "id: XX-PS-ENTER",
        ["file name must start with the control id"],
    ),
    (
        "citation without jurisdiction",
        "citations/c.yaml",
        "  jurisdiction: US\n",
        "",
        ["c.yaml", "src-a", "missing required key 'jurisdiction'"],
    ),
    (
        "bad date",
        "citations/c.yaml",
        "checked_on: 2026-11-28",
        "checked_on: 28/11/2026",
        ["checked_on", "YYYY-MM-DD"],
    ),
    (
        "old last_verified key",
        "citations/c.yaml",
        "  checked: knowledge_base\n",
        "  checked: knowledge_base\n  last_verified: 2026-11-28\n",
        ["c.yaml", "src-a", "last_verified is not a register key", "checked: live"],
    ),
    (
        "banned source",
        "citations/c.yaml",
        "https://example.org/a",
        "https://boards.chan.example/thread/1",
        ["c.yaml", "src-a.url", "banned source (imageboard)", "no accountable author"],
    ),
    (
        "bare IP address",
        "citations/c.yaml",
        "https://example.org/b",
        "http://199.107.197.21/page.html",
        ["src-b.url", "banned source (bare_ip)"],
    ),
    (
        "bad jurisdiction",
        "citations/c.yaml",
        "jurisdiction: TX",
        "jurisdiction: Texas",
        ["src-b.jurisdiction", "local:<state>"],
    ),
    (
        "unknown publisher kind",
        "citations/c.yaml",
        "publisher_kind: legislature",
        "publisher_kind: legislatur",
        ["src-a.publisher_kind", "Did you mean 'legislature'"],
    ),
    (
        "primary source from a blog",
        "citations/c.yaml",
        "publisher_kind: legislature",
        "publisher_kind: blog",
        ["src-a.quality", "primary source comes from one of legislature, government"],
    ),
    (
        "mirror without a note",
        "citations/c.yaml",
        "  note: A copy; no better one exists in this fixture.\n",
        "",
        ["src-b.note", "mirror needs a note"],
    ),
    (
        "bad checked kind",
        "citations/c.yaml",
        "checked: live",
        "checked: yes",
        ["src-b.checked", "knowledge_base, live"],
    ),
    (
        "policy pattern is not a regular expression",
        "citation_policy.yaml",
        "host: '\\d{1,3}(\\.\\d{1,3}){3}'",
        "host: '(unclosed'",
        ["citation_policy.yaml", "banned_sources[1].host", "not a regular expression"],
    ),
    (
        "unused question",
        "questions/q.yaml",
        "q_block:",
        "q_unused:\n  text: Unused?\n  type: boolean\n  more_protective: true\nq_block:",
        ["q.yaml", "q_unused", "no control or flag reads this question"],
    ),
    (
        "reserved question id",
        "questions/q.yaml",
        "q_block:",
        "state:\n  text: State?\n  type: boolean\nq_block:",
        ["q.yaml", "state", "field names"],
    ),
    (
        "unknown flag control",
        "flags/f.yaml",
        "control: [XX-BL-POLICE]",
        "control: [XX-BL-POLICY]",
        ["f.yaml", "unknown control 'XX-BL-POLICY'", "Did you mean 'XX-BL-POLICE'"],
    ),
    ("bad state code", "states.yaml", "TX:\n", "TQ:\n", ["states.yaml", "'TQ' is not a two-letter state code"]),
    (
        "provides names an unknown control",
        "states.yaml",
        "      mandates:\n        - controls: [XX-PS-ENTRY]",
        "      provides:\n        - controls: [XX-PS-ENTRI]\n          types: [employer]\n"
        "          explanation: Given.\n"
        "      mandates:\n        - controls: [XX-PS-ENTRY]",
        [
            "states.yaml",
            "TEST-MANDATE.provides[0].controls",
            "unknown control 'XX-PS-ENTRI'",
            "Did you mean 'XX-PS-ENTRY'",
        ],
    ),
    (
        "provides a control to a type it does not cover",
        "states.yaml",
        "      mandates:\n        - controls: [XX-PS-ENTRY]",
        "      provides:\n        - controls: [XX-PS-ENTRY]\n          types: [courthouse]\n"
        "          explanation: Given.\n"
        "      mandates:\n        - controls: [XX-PS-ENTRY]",
        ["states.yaml", "provides[0].controls", "applies to k12_school, employer, not to courthouse"],
    ),
    (
        "provides without types",
        "states.yaml",
        "      mandates:\n        - controls: [XX-PS-ENTRY]",
        "      provides:\n        - controls: [XX-PS-ENTRY]\n          explanation: Given.\n"
        "      mandates:\n        - controls: [XX-PS-ENTRY]",
        ["states.yaml", "provides[0]", "types"],
    ),
    (
        "provides with an unknown type",
        "states.yaml",
        "      mandates:\n        - controls: [XX-PS-ENTRY]",
        "      provides:\n        - controls: [XX-PS-ENTRY]\n          types: [employr]\n"
        "          explanation: Given.\n"
        "      mandates:\n        - controls: [XX-PS-ENTRY]",
        ["states.yaml", "provides[0].types", "unknown institution type 'employr'", "Did you mean 'employer'"],
    ),
    (
        "violated_by names an outcome that cannot break a law",
        "states.yaml",
        "explanation: The state requires this.",
        "explanation: The state requires this.\n          violated_by: [fail, pass]",
        ["states.yaml", "TEST-MANDATE", "violated_by", "'pass' cannot violate a law"],
    ),
    (
        "violated_by misspelt",
        "states.yaml",
        "explanation: The state requires this.",
        "explanation: The state requires this.\n          violated_by: [partail]",
        ["states.yaml", "violated_by", "Did you mean 'partial'"],
    ),
    (
        "violated_by empty",
        "states.yaml",
        "explanation: The state requires this.",
        "explanation: The state requires this.\n          violated_by: []",
        ["states.yaml", "violated_by", "non-empty list"],
    ),
    (
        "violated_by not a list",
        "states.yaml",
        "explanation: The state requires this.",
        "explanation: The state requires this.\n          violated_by: fail",
        ["states.yaml", "violated_by", "non-empty list"],
    ),
    (
        "violated_by on a conflict",
        "states.yaml",
        "explanation: The state forbids this.",
        "explanation: The state forbids this.\n          violated_by: [fail]",
        ["states.yaml", "TEST-CONFLICT-TX", "unknown key 'violated_by'"],
    ),
    (
        "violated_when without partial",
        "states.yaml",
        "explanation: The state requires this.",
        "explanation: The state requires this.\n          violated_when: {question: q_entry, equals: case_by_case}",
        ["states.yaml", "violated_when", "only meaningful with 'partial'"],
    ),
    (
        "violated_when on an unknown question",
        "states.yaml",
        "explanation: The state requires this.",
        "explanation: The state requires this.\n          violated_by: [fail, partial]\n"
        "          violated_when: {question: q_entri, equals: case_by_case}",
        ["states.yaml", "q_entri", "Did you mean 'q_entry'"],
    ),
    ("clause front matter missing", "clauses/CL-A.md", "---\nid: CL-A", "id: CL-A", ["CL-A.md", "front matter"]),
    (
        "unknown core control",
        "ruleset.yaml",
        "controls: [XX-PS-ENTRY, XX-BL-POLICE]",
        "controls: [XX-PS-ENTRY, XX-BL-POLICY]",
        ["ruleset.yaml", "core[0].controls", "unknown control 'XX-BL-POLICY'", "Did you mean 'XX-BL-POLICE'"],
    ),
    (
        "core control of another type",
        "ruleset.yaml",
        "  - types: [k12_school]\n    controls: [XX-PS-ENTRY",
        "  - types: [jail]\n    controls: [XX-PS-ENTRY",
        ["ruleset.yaml", "core[0].controls", "XX-PS-ENTRY does not apply to jail"],
    ),
    (
        "unknown core component",
        "ruleset.yaml",
        "components: [protected_spaces]",
        "components: [protected_space]",
        ["ruleset.yaml", "core[0].components", "Did you mean 'protected_spaces'"],
    ),
    (
        "unknown core type",
        "ruleset.yaml",
        "  - types: [k12_school]",
        "  - types: [k12_schol]",
        ["ruleset.yaml", "core[0]", "unknown institution type 'k12_schol'", "Did you mean 'k12_school'"],
    ),
    (
        "unscored control made core",
        CONTROL,
        "component: protected_spaces",
        "component: protected_spaces\nscored: false",
        ["ruleset.yaml", "core[0].controls", "XX-PS-ENTRY has 'scored: false'"],
    ),
    (
        "scored is not a boolean",
        CONTROL,
        "component: protected_spaces",
        "component: protected_spaces\nscored: maybe",
        ["XX-PS-ENTRY_judicial-warrant.yaml", "scored", "true or false"],
    ),
    (
        "unknown capping flag",
        "ruleset.yaml",
        "  - RISK-TEST-OBSTRUCTION",
        "  - RISK-TEST-OBSTRUCTON",
        ["capping_flags", "unknown flag 'RISK-TEST-OBSTRUCTON'", "Did you mean 'RISK-TEST-OBSTRUCTION'"],
    ),
    (
        "capping flag family that matches nothing",
        "ruleset.yaml",
        '"RISK-STATE-LAW-VIOLATION:*"',
        '"RISK-STATE-LAW-VIOLATON:*"',
        ["ruleset.yaml", "capping_flags", "no flag id starts with 'RISK-STATE-LAW-VIOLATON:'"],
    ),
    (
        "cap that is not a level below strong",
        "ruleset.yaml",
        "    level: developing\n    when: {measure: core_fail, at_least: 1}",
        "    level: strong\n    when: {measure: core_fail, at_least: 1}",
        ["ruleset.yaml", "level_caps[1].level", "use developing, weak or incomplete"],
    ),
    (
        "cap naming an unknown source",
        "ruleset.yaml",
        "behind: flags",
        "behind: flag",
        ["ruleset.yaml", "level_caps[3].behind", "Did you mean 'flags'"],
    ),
    (
        "unknown roll-up measure",
        "ruleset.yaml",
        "{measure: core_fail, at_least: 2}",
        "{measure: core_fails, at_least: 2}",
        ["ruleset.yaml", "level_caps[0].when.measure", "unknown measure 'core_fails'", "Did you mean 'core_fail'"],
    ),
    (
        "ceiling outside overall_rules",
        "ruleset.yaml",
        "{measure: core_fail, at_least: 2}",
        "{measure: ceiling, at_least: 2}",
        ["ruleset.yaml", "level_caps[0].when.measure", "unknown measure 'ceiling'"],
    ),
    (
        "bad plural in a roll-up template",
        "ruleset.yaml",
        "{applicable:control|controls} decided.",
        "{applicable:control|controls} decided {nonsense}.",
        ["ruleset.yaml", "component_rules[2].explanation", "placeholder {nonsense} is not a measure"],
    ),
    # Direction data (more_protective / unordered), one error each.
    (
        "direction missing",
        "questions/q.yaml",
        "  type: boolean\n  more_protective: true\n",
        "  type: boolean\n",
        ["q.yaml: q_published", "missing required key 'more_protective'", "true or false"],
    ),
    (
        "direction misspelt",
        "questions/q.yaml",
        "more_protective: true",
        "more_protectiv: true",
        ["q.yaml: q_published", "unknown key 'more_protectiv'", "Did you mean 'more_protective'"],
    ),
    (
        "boolean direction not a boolean",
        "questions/q.yaml",
        "more_protective: true",
        "more_protective: yes_please",
        ["q_published.more_protective", "'yes_please' does not fit a yes/no question"],
    ),
    (
        "unknown choice in a tier",
        "questions/q.yaml",
        "[[refused], [case_by_case], [admitted]]",
        "[[refused], [case_by_cas], [admitted]]",
        ["q_entry.more_protective[1]", "'case_by_cas' is not a choice", "Did you mean 'case_by_case'"],
    ),
    (
        "choice in two tiers",
        "questions/q.yaml",
        "[[refused], [case_by_case], [admitted]]",
        "[[refused], [case_by_case, refused], [admitted]]",
        ["q_entry.more_protective[1]", "'refused' is already listed in tier 0"],
    ),
    (
        "choice in no tier",
        "questions/q.yaml",
        "[[refused], [case_by_case], [admitted]]",
        "[[refused], [admitted]]",
        ["q_entry.more_protective", "case_by_case are in no tier", "unordered"],
    ),
    (
        "single tier",
        "questions/q.yaml",
        "[[refused], [case_by_case], [admitted]]",
        "[[refused, case_by_case, admitted]]",
        ["q_entry.more_protective", "at least two non-empty tiers"],
    ),
    (
        "number direction",
        "questions/q.yaml",
        "more_protective: higher",
        "more_protective: hihger",
        ["q_staff_trained.more_protective", "'hihger' is not higher or lower", "Did you mean 'higher'"],
    ),
    (
        "context question with a direction",
        "questions/q.yaml",
        "  aspect: context\n  type: boolean\n  more_protective: none",
        "  aspect: context\n  type: boolean\n  more_protective: true",
        ["q_has_police.more_protective", "context questions", "write 'none'"],
    ),
    (
        "unordered on a boolean",
        "questions/q.yaml",
        "  type: boolean\n  more_protective: true\n",
        "  type: boolean\n  more_protective: true\n  unordered: [unsure]\n",
        ["q_published.unordered", "only choice questions have unordered answers"],
    ),
    (
        "unordered choice also in a tier",
        "questions/q.yaml",
        "  more_protective: [[refused], [case_by_case], [admitted]]\n",
        "  more_protective: [[refused], [case_by_case], [admitted]]\n  unordered: [admitted]\n",
        ["q_entry.more_protective[2]", "'admitted' is already listed in unordered"],
    ),
    (
        "institution leaf with a bad state",
        CONTROL,
        "question: q_entry, equals: refused",
        "institution: state, equals: CQ",
        ["XX-PS-ENTRY_judicial-warrant.yaml", "pass.equals", "'CQ' is not a two-letter state code"],
    ),
    (
        "institution leaf on an unknown field",
        CONTROL,
        "question: q_entry, equals: refused",
        "institution: sate, equals: CA",
        ["XX-PS-ENTRY_judicial-warrant.yaml", "unknown institution 'sate'", "Did you mean 'state'"],
    ),
]


@pytest.mark.parametrize(("label", "rel", "old", "new", "expected"), CASES, ids=[c[0] for c in CASES])
def test_loader_error_names_file_key_and_suggestion(tmp_path: Path, label, rel, old, new, expected) -> None:
    root = _copy(tmp_path)
    _edit(root, rel, old, new)
    with pytest.raises(RulesetError) as info:
        load_ruleset(root)
    message = str(info.value)
    for fragment in expected:
        assert fragment in message, f"{label}: {fragment!r} not in {message!r}"


def test_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RulesetError, match="not a directory"):
        load_ruleset(tmp_path / "nowhere")


def test_a_condition_cannot_test_an_unordered_answer(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _edit(
        root,
        "questions/q.yaml",
        "    admitted: Admitted\n  more_protective: [[refused], [case_by_case], [admitted]]\n",
        "    admitted: Admitted\n    unsure: Don't know - ask counsel\n"
        "  more_protective: [[refused], [case_by_case], [admitted]]\n  unordered: [unsure]\n",
    )
    load_ruleset(root)  # an unordered choice is fine on its own
    _edit(root, CONTROL, "question: q_entry, equals: refused", "question: q_entry, equals: unsure")
    with pytest.raises(RulesetError) as info:
        load_ruleset(root)
    assert "'unsure' is an unordered answer of q_entry" in str(info.value)
    assert "XX-PS-ENTRY_judicial-warrant.yaml" in str(info.value)


@pytest.fixture(params=["libyaml", "pure"])
def yaml_parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with libyaml's C parser and again with PyYAML's pure-Python fallback."""
    from engine.rules import parsing

    if request.param == "pure":
        monkeypatch.setattr(parsing, "_FastLoader", None)
    elif parsing._FastLoader is None:
        pytest.skip("PyYAML was built without libyaml")
    return request.param


STRICT_CASES = [c for c in CASES if c[0] in ("duplicate key", "malformed yaml", "unknown key")]


@pytest.mark.parametrize(("label", "rel", "old", "new", "expected"), STRICT_CASES, ids=[c[0] for c in STRICT_CASES])
def test_strict_checks_hold_on_both_yaml_parsers(tmp_path: Path, yaml_parser: str, label, rel, old, new, expected):
    root = _copy(tmp_path)
    _edit(root, rel, old, new)
    with pytest.raises(RulesetError) as info:
        load_ruleset(root)
    for fragment in expected:
        assert fragment in str(info.value), f"{yaml_parser}, {label}: {fragment!r} not in {info.value}"


def test_both_yaml_parsers_give_the_same_messages_and_the_same_ruleset(tmp_path: Path, monkeypatch) -> None:
    from engine.rules import loader, parsing

    if parsing._FastLoader is None:
        pytest.skip("PyYAML was built without libyaml")
    root = _copy(tmp_path)
    _edit(root, CONTROL, "title:", "component: protected_spaces\ntitle:")  # a duplicate key on a later line
    messages = []
    for fast in (parsing._FastLoader, None):
        monkeypatch.setattr(parsing, "_FastLoader", fast)
        with pytest.raises(RulesetError) as info:
            loader._Loader(root).load()
        messages.append(str(info.value))
    assert messages[0] == messages[1]
    assert "duplicate key 'component' (first at line" in messages[0]
    monkeypatch.undo()
    fast = loader._Loader(loader.DEFAULT_RULES_DIR).load()
    monkeypatch.setattr(parsing, "_FastLoader", None)
    assert loader._Loader(loader.DEFAULT_RULES_DIR).load() == fast
