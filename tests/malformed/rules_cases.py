"""Malformed rules copies (of tests/fixtures/mini), each with the command, exit code and message expected.

A case is (id, edits, command, exit code, fragment). An edit is (file, old text, new text): the first
``old`` in that file becomes ``new``; old None appends, old "" replaces the whole file, new None deletes it.
"""

from __future__ import annotations

CONTROL = "controls/XX-PS-ENTRY_judicial-warrant.yaml"
POLICE_CASES = "controls/XX-BL-POLICE_police-barred.cases.yaml"
TRAIN = "controls/XX-AC-TRAIN_training.yaml"
PASS = "pass: {question: q_entry, equals: refused}"
LEAF = "{question: q_block, equals: true}"


def _any(n: int, leaf: str = LEAF) -> str:
    return "{any: [" + ", ".join([leaf] * n) + "]}"


def _nest(n: int, key: str = "not") -> str:
    if key == "not":
        return "{not: " * n + LEAF + "}" * n
    return "{all: [" * n + LEAF + "]}" * n


Edit = tuple[str, str | None, str | None]

# Nine levels of nine aliases: 387 million values once expanded, from a few hundred bytes.
_LEVELS = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"] + [
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)
]
BOMB = "\n".join(_LEVELS) + "\n"
BOMB_LIST = "- " + "\n- ".join("{" + level + "}" for level in _LEVELS) + "\n"

QUESTIONS: list[str] = ["questions"]
CHECK: list[str] = ["rules", "check"]

CASES: list[tuple[str, list[Edit], list[str], int, str]] = [
    ("unchanged copy loads", [], QUESTIONS, 0, ""),
    ("40 any leaves load", [(CONTROL, PASS, "pass: " + _any(40))], QUESTIONS, 0, ""),
    ("41 any leaves", [(CONTROL, PASS, "pass: " + _any(41))], QUESTIONS, 2, "tests 41 values"),
    ("270 any leaves", [(CONTROL, PASS, "pass: " + _any(270))], QUESTIONS, 2, "at most 40 are allowed"),
    (
        "41 one_of values",
        [
            (
                TRAIN,
                "pass: {question: q_staff_trained, at_least: 1}",
                "pass: {question: q_staff_trained, one_of: [" + ", ".join(str(i) for i in range(41)) + "]}",
            )
        ],
        QUESTIONS,
        2,
        "XX-AC-TRAIN_training.yaml: pass: the condition tests 41 values",
    ),
    ("nesting 8 loads", [(CONTROL, PASS, "pass: " + _nest(8, "all"))], QUESTIONS, 0, ""),
    ("nesting 9", [(CONTROL, PASS, "pass: " + _nest(9, "all"))], QUESTIONS, 2, "nest 9 levels deep; at most 8"),
    (
        "9 nots",
        [(CONTROL, PASS, "pass: " + _nest(9))],
        QUESTIONS,
        2,
        "XX-PS-ENTRY_judicial-warrant.yaml: pass: all/any",
    ),
    ("300-deep not", [(CONTROL, PASS, "pass: " + _nest(300))], QUESTIONS, 2, "nested more than 32 levels deep"),
    (
        "alias cycle",
        [(CONTROL, PASS, "pass: &a {not: *a}")],
        QUESTIONS,
        2,
        "an alias refers to its own anchor (a cycle)",
    ),
    ("list alias cycle", [(CONTROL, None, "x: &x [1, *x]\n")], QUESTIONS, 2, "(a cycle)"),
    (
        "shared entry through an alias is fine",
        [(CONTROL, "citations: [src-a, src-b]", "citations: &cites [src-a, src-b]\nx_unused: *cites")],
        QUESTIONS,
        2,
        "unknown key 'x_unused'",  # the alias itself is accepted; the key it sits under is not a control key
    ),
    (
        "alias bomb",
        [(CONTROL, None, BOMB)],
        QUESTIONS,
        2,
        "aliases expand this to more than 200,000 values",
    ),
    (
        "applies_when too wide",
        [(CONTROL, PASS, PASS + "\napplies_when: " + _any(17, "{question: q_has_police, answered: true}"))],
        QUESTIONS,
        2,
        "applies_when tests 17 values; at most 16",
    ),
    (
        "control too large in total",
        [
            (CONTROL, PASS, "pass: " + _any(30)),
            (CONTROL, "partial: {question: q_entry, equals: case_by_case}", "partial: " + _any(30)),
        ],
        QUESTIONS,
        2,
        "test 60 values together",
    ),
    (
        "flag condition too large",
        [("flags/f.yaml", "answers: {question: q_block, equals: true}", "answers: " + _any(41))],
        QUESTIONS,
        2,
        "flags/f.yaml[0]: when.answers: the condition tests 41 values",
    ),
    (
        "component placeholder unknown",
        [("ruleset.yaml", "}; {decided} of {applicable}", "}; {decided} of {aplicable}")],
        QUESTIONS,
        2,
        "component_rules[2].explanation: placeholder {aplicable} is not a measure. Did you mean 'applicable'",
    ),
    (
        "component placeholder unbalanced",
        [("ruleset.yaml", "}; {decided} of {applicable}", "}; {decided} of {applicable")],
        QUESTIONS,
        2,
        "cannot fill the template",
    ),
    (
        "overall placeholder unknown",
        [("ruleset.yaml", "{score_percent}% (a pass counts 1", "{score_pct}% (a pass counts 1")],
        QUESTIONS,
        2,
        "overall_rules[1].explanation: placeholder {score_pct} is not a measure",
    ),
    (
        "overall placeholder with a bad conversion",
        [("ruleset.yaml", "{undecided_percent}% of", "{undecided_percent!z}% of")],
        QUESTIONS,
        2,
        "cannot fill the template",
    ),
    (
        "plural spec is fine",
        [("ruleset.yaml", "{undecided_percent}% of", "{undecided_percent:one percent|many percent} of")],
        QUESTIONS,
        0,
        "",
    ),
    (
        "control placeholder unknown",
        [(CONTROL, "pass: Refused.", "pass: Refused {q_entri}.")],
        QUESTIONS,
        2,
        "explanation.pass: placeholder {q_entri} is not a question id",
    ),
    (
        "no case file",
        [("controls/XX-PS-ENTRY_judicial-warrant.cases.yaml", "", None)],
        CHECK,
        2,
        "control XX-PS-ENTRY has no case file; add XX-PS-ENTRY_judicial-warrant.cases.yaml",
    ),
    (
        "no clauses folder",
        [("clauses/CL-A.md", "", None)],
        QUESTIONS,
        2,
        "recommended_clause: 'CL-A' needs the clause files",
    ),
    (
        "rules file too large",
        [(CONTROL, None, "#" + "x" * 2_100_000 + "\n")],
        QUESTIONS,
        2,
        "larger than 2,000,000 bytes",
    ),
    (
        "5001-digit integer",
        [(TRAIN, "at_least: 1}", "at_least: " + "9" * 5001 + "}")],
        QUESTIONS,
        2,
        "more than 30 digits",
    ),
    (
        "duplicate key",
        [(CONTROL, "component: protected_spaces", "component: protected_spaces\ncomponent: x")],
        QUESTIONS,
        2,
        "duplicate key 'component'",
    ),
    ("no ruleset.yaml", [("ruleset.yaml", "", None)], QUESTIONS, 2, "no ruleset.yaml"),
    ("ruleset.yaml empty", [("ruleset.yaml", "", "")], QUESTIONS, 2, "expected a mapping with keys"),
    ("not utf-8", [(CONTROL, "Refused.", "Refus\udce9.")], QUESTIONS, 2, "cannot read the file"),
    ("deep yaml list", [(CONTROL, None, "x: " + "[" * 40 + "]" * 40 + "\n")], QUESTIONS, 2, "nested more than 32"),
    ("python tag", [(CONTROL, PASS, "pass: !!python/object/apply:os.system [ls]")], QUESTIONS, 2, "malformed YAML"),
    (
        "!!int tag on text",
        [(CONTROL, PASS, "pass: {question: q_staff_trained, at_least: !!int two}")],
        QUESTIONS,
        2,
        "!!int 'two' is not a whole number",
    ),
    ("!!seq tag on a key", [(CONTROL, PASS, "!!seq pass: x")], QUESTIONS, 2, "a key must be plain text"),
    # Values of the wrong shape where an id is expected once gave a TypeError traceback (a list is not hashable).
    (
        "component as a list",
        [(CONTROL, "component: protected_spaces", "component: [protected_spaces]")],
        QUESTIONS,
        2,
        "component: expected text, got list",
    ),
    (
        "recommended clause as a mapping",
        [(CONTROL, "recommended_clause: CL-A", "recommended_clause: {id: CL-A}")],
        QUESTIONS,
        2,
        "recommended_clause: expected text, got dict",
    ),
    (
        "condition literal as a list",
        [(CONTROL, PASS, "pass: {question: q_entry, equals: [refused]}")],
        QUESTIONS,
        2,
        "pass.equals: ['refused'] is not a choice of q_entry",
    ),
    (
        "state literal as a mapping",
        [(CONTROL, PASS, "pass: {institution: state, equals: {CA: 1}}")],
        QUESTIONS,
        2,
        "is not a two-letter state code",
    ),
    # .nan compares false with everything: a control testing it loaded and then no rule could decide it.
    ("condition literal .nan", [(TRAIN, "at_least: 1", "at_least: .nan")], QUESTIONS, 2, "nan is not a finite number"),
    # Roll-up rules that miss a tally: the rules are at fault, so a rules error naming ruleset.yaml (was "internal
    # error", exit 1).
    (
        "component rules with a gap",
        [("ruleset.yaml", "when: {measure: applicable, equals: 0}", "when: {measure: applicable, equals: -1}")],
        CHECK,
        2,
        "ruleset.yaml: no component rule matched",
    ),
    (
        "leaf question as a list",
        [(CONTROL, PASS, "pass: {question: [q_entry], equals: refused}")],
        QUESTIONS,
        2,
        "pass.question: unknown question ['q_entry']",
    ),
    (
        "applies_to with no type",
        [(CONTROL, "applies_to: [k12_school, employer]", "applies_to: []")],
        QUESTIONS,
        2,
        "applies_to: name at least one institution type",
    ),
    # A question's bounds are compared with answers: text there loaded, then failed in the middle of a report.
    (
        "minimum as text",
        [("questions/q.yaml", "minimum: 0", 'minimum: "zero"')],
        QUESTIONS,
        2,
        "minimum: 'zero' is not a finite number",
    ),
    (
        "minimum above maximum",
        [("questions/q.yaml", "minimum: 0", "minimum: 5\n  maximum: 2")],
        QUESTIONS,
        2,
        "minimum 5 is above maximum 2",
    ),
    (
        "minimum on a yes/no question",
        [("questions/q.yaml", "q_published:\n", "q_published:\n  minimum: 1\n")],
        QUESTIONS,
        2,
        "only number questions have a minimum or maximum",
    ),
    # Rule case files: the same shapes once gave ValueError or TypeError from `sanctuary rules check`.
    (
        "case institution as text",
        [(POLICE_CASES, "institution: {type: k12_school}", 'institution: "k12"')],
        CHECK,
        2,
        "institution: expected a mapping",
    ),
    (
        "case expect_flags as a number",
        [(POLICE_CASES, "expect_flags: [RISK-TEST-CONFLICT]", "expect_flags: -1")],
        CHECK,
        2,
        "expect_flags: expected a list of ids",
    ),
    (
        "case as_of not a date",
        [(POLICE_CASES, "as_of: 2019-06-01", "as_of: !!binary aGVsbG8=")],
        CHECK,
        2,
        "as_of: b'hello' is not a date; write it as YYYY-MM-DD",
    ),
    (
        "clauses_dir as bytes",
        [("ruleset.yaml", "clauses_dir: clauses", "clauses_dir: !!binary Y2xhdXNlcw==")],
        QUESTIONS,
        2,
        "clauses_dir: expected text, got bytes",
    ),
    ("tab indentation", [(CONTROL, "explanation:\n  pass:", "explanation:\n\tpass:")], QUESTIONS, 2, "malformed YAML"),
    ("questions as a list", [("questions/q.yaml", "q_policy:", "- q_policy:")], QUESTIONS, 2, "malformed YAML"),
    (
        "cases file with an alias bomb",
        [("controls/XX-PS-ENTRY_judicial-warrant.cases.yaml", "", BOMB_LIST)],
        CHECK,
        2,
        "aliases expand this to more than 200,000 values",
    ),
]
