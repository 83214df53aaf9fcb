"""Malformed (and borderline) answers files for ``sanctuary evaluate``, with the exit code and message expected.

Each case: (id, file name, content as str or bytes, expected exit code, fragment of stderr or "" for exit 0).
Run against the mini fixture rules (tests/fixtures/mini): types library, k12_school, employer...,
questions q_policy (choice), q_published (boolean), q_staff_trained (number, minimum 0).
"""

from __future__ import annotations

GOOD_INSTITUTION = "institution:\n  name: Riverside Library\n  type: library\n  state: CA\n  public: yes\n"
GOOD_ANSWERS = "answers:\n  q_policy: written\n  q_published: yes\n  q_staff_trained: 2\n"
GOOD = GOOD_INSTITUTION + GOOD_ANSWERS


def _inst(**fields: str) -> str:
    base = {"name": "Riverside Library", "type": "library", "state": "CA", "public": "yes"}
    base.update(fields)
    lines = "".join(f"  {k}: {v}\n" for k, v in base.items() if v is not None)
    return "institution:\n" + lines + GOOD_ANSWERS


def _answer(key: str, value: str) -> str:
    return GOOD_INSTITUTION + f"answers:\n  {key}: {value}\n"


def _nested_yaml(depth: int) -> str:
    return GOOD_INSTITUTION + "answers:\n  q_policy: " + "[" * depth + "x" + "]" * depth + "\n"


def _nested_json(depth: int) -> str:
    inner = "[" * depth + "]" * depth
    return '{"institution": {"name": "A", "type": "library"}, "answers": {"q_policy": ' + inner + "}}"


_LAUGHS = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))
    + "institution: {name: *i, type: library}\n"
)

JSON_GOOD = '{"institution": {"name": "A", "type": "library", "state": "CA"}, "answers": {"q_published": true}}'

CASES: list[tuple[str, str, str | bytes, int, str]] = [
    # -- accepted: borderline but right ----------------------------------------------------------------------
    ("good yaml", "a.yaml", GOOD, 0, ""),
    ("good json", "a.json", JSON_GOOD, 0, ""),
    ("utf-8 bom", "a.yaml", "\ufeff" + GOOD, 0, ""),
    ("crlf line ends", "a.yaml", GOOD.replace("\n", "\r\n"), 0, ""),
    ("title with a comma", "a.yaml", _inst(type='"Jail, sheriff or corrections"'), 0, ""),
    ("title with a comma and another type", "a.yaml", _inst(type='"Jail, sheriff or corrections, Library"'), 0, ""),
    ("types as a list", "a.yaml", _inst(type="[library, employer]"), 0, ""),
    ("lower-case state", "a.yaml", _inst(state="ca"), 0, ""),
    ("territory code", "a.yaml", _inst(state="PR"), 0, ""),
    ("blank name", "a.yaml", _inst(name='""'), 0, ""),
    ("no answers", "a.yaml", GOOD_INSTITUTION + "answers:\n", 0, ""),
    ("n/a answer", "a.yaml", _answer("q_published", "N/A"), 0, ""),
    ("accented name", "a.yaml", _inst(name="Biblioteca Peñasco"), 0, ""),
    ("name with newline", "a.yaml", _inst(name='"Two\\nlines"'), 0, ""),
    ("anchor without alias", "a.yaml", GOOD_INSTITUTION + "answers:\n  q_policy: &p written\n", 0, ""),
    ("30-digit number", "a.yaml", _answer("q_staff_trained", "1" * 30), 0, ""),
    # -- file level -----------------------------------------------------------------------------------------
    ("empty file", "a.yaml", "", 2, "expected a mapping with 'institution' and 'answers'"),
    ("only a comment", "a.yaml", "# nothing\n", 2, "expected a mapping"),
    ("top-level list", "a.yaml", "- a\n- b\n", 2, "expected a mapping"),
    ("top-level scalar", "a.yaml", "hello\n", 2, "expected a mapping"),
    ("json top-level list", "a.json", "[1, 2]", 2, "expected a mapping"),
    ("too large", "a.yaml", GOOD + "# " + "x" * 1_100_000 + "\n", 2, "too large to be an answers file"),
    ("latin-1 bytes", "a.yaml", GOOD.replace("Riverside", "Pe\xf1asco").encode("latin-1"), 2, "not UTF-8"),
    ("utf-16", "a.yaml", GOOD.encode("utf-16"), 2, "not UTF-8"),
    ("png bytes", "a.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", 2, "not UTF-8"),
    ("bad indentation", "a.yaml", "institution:\n  name: A\n type: library\n", 2, "malformed YAML"),
    ("tab indentation", "a.yaml", "institution:\n\tname: A\n", 2, "malformed YAML"),
    ("unclosed flow", "a.yaml", "institution: {name: A, type: library\n", 2, "malformed YAML"),
    ("malformed json", "a.json", '{"institution": {', 2, "malformed JSON"),
    ("json trailing comma", "a.json", '{"institution": {"name": "A",}}', 2, "malformed JSON"),
    ("two documents", "a.yaml", GOOD + "---\n" + GOOD, 2, "malformed YAML"),
    ("python tag", "a.yaml", "institution: !!python/object:os.system {}\n", 2, "malformed YAML"),
    # Explicit YAML tags send any text to PyYAML's number and yes/no builders, which raised bare Python errors.
    ("!!int tag on text", "a.yaml", _answer("q_staff_trained", "!!int two"), 2, "!!int 'two' is not a whole number"),
    ("!!float tag on nothing", "a.yaml", _answer("q_staff_trained", '!!float ""'), 2, "!!float '' is not a number"),
    ("!!bool tag on text", "a.yaml", _answer("q_published", "!!bool maybe"), 2, "!!bool 'maybe' is not yes or no"),
    ("!!seq tag on a key", "a.yaml", "!!seq institution: 1\n", 2, "a key must be plain text"),
    ("!!set tag on a key", "a.yaml", GOOD_INSTITUTION + "answers:\n  !!set q_policy: written\n", 2, "plain text"),
    ("unknown top-level key", "a.yaml", GOOD + "extra: 1\n", 2, "unknown top-level key 'extra'"),
    ("misspelt answers key", "a.yaml", GOOD_INSTITUTION + "anwsers:\n  q_published: yes\n", 2, "Did you mean"),
    # -- duplicates -------------------------------------------------------------------------------------------
    ("second institution", "a.yaml", GOOD + "institution:\n  name: Other\n  type: employer\n", 2, "duplicate key"),
    ("duplicate answer", "a.yaml", GOOD + "  q_policy: none\n", 2, "duplicate key 'q_policy'"),
    ("duplicate name", "a.yaml", GOOD.replace("  type:", "  name: B\n  type:"), 2, "duplicate key 'name'"),
    (
        "json duplicate institution",
        "a.json",
        '{"institution": {"name": "A", "type": "library"}, "institution": {"name": "B", "type": "employer"}}',
        2,
        "duplicate key 'institution'",
    ),
    ("json duplicate answer", "a.json", JSON_GOOD[:-2] + ', "q_published": false}}', 2, "duplicate key"),
    # -- aliases, nesting, sizes -----------------------------------------------------------------------------
    ("billion laughs", "a.yaml", _LAUGHS, 2, "alias *a is not allowed"),
    ("alias reuse", "a.yaml", GOOD_INSTITUTION + "answers:\n  q_policy: &p written\n  q_entry: *p\n", 2, "alias"),
    ("alias cycle", "a.yaml", "institution: &a {name: *a, type: library}\n", 2, "alias *a is not allowed"),
    ("alias as type", "a.yaml", "t: &t library\ninstitution: {name: A, type: *t}\n", 2, "alias *t"),
    ("yaml nested 40", "a.yaml", _nested_yaml(40), 2, "nested more than 32 levels deep"),
    ("yaml nested 10000", "a.yaml", _nested_yaml(10_000), 2, "nested more than 32 levels deep"),
    ("json nested 40", "a.json", _nested_json(40), 2, "nested more than 32 levels deep"),
    ("json nested 100000", "a.json", _nested_json(100_000), 2, "nested more than 32 levels deep"),
    ("5001-digit integer", "a.yaml", _answer("q_staff_trained", "9" * 5001), 2, "more than 30 digits"),
    ("31-digit integer", "a.yaml", _answer("q_staff_trained", "1" * 31), 2, "more than 30 digits"),
    ("5001-digit json integer", "a.json", JSON_GOOD.replace("true", "9" * 5001), 2, "more than 30 digits"),
    ("5001-digit float", "a.yaml", _answer("q_staff_trained", "9" * 5001 + ".5"), 2, "not a number an answer"),
    ("long text", "a.yaml", _inst(name="x" * 20_000), 2, "longer than 10,000 characters"),
    # -- numbers that are not numbers ----------------------------------------------------------------------------
    (".nan", "a.yaml", _answer("q_staff_trained", ".nan"), 2, "not a number an answer can have"),
    (".NaN as a boolean", "a.yaml", _answer("q_published", ".NaN"), 2, "not a number an answer can have"),
    (".inf", "a.yaml", _answer("q_staff_trained", ".inf"), 2, "not a number an answer can have"),
    ("-.inf", "a.yaml", _answer("q_staff_trained", "-.inf"), 2, "not a number an answer can have"),
    ("overflowing float", "a.yaml", _answer("q_staff_trained", "1.0e+400"), 2, "not a number an answer can have"),
    ("json NaN", "a.json", JSON_GOOD.replace("true", "NaN"), 2, "NaN is not a number"),
    ("json Infinity", "a.json", JSON_GOOD.replace("true", "Infinity"), 2, "Infinity is not a number"),
    ("json -Infinity", "a.json", JSON_GOOD.replace("true", "-Infinity"), 2, "Infinity is not a number"),
    # -- names, keys, control characters -------------------------------------------------------------------------
    ("name is a list", "a.yaml", _inst(name="[a, b]"), 2, "institution.name: expected text"),
    ("name is a mapping", "a.yaml", _inst(name="{a: b}"), 2, "institution.name: expected text"),
    ("name is a number", "a.yaml", _inst(name="1984"), 2, "quote it"),
    ("name is a boolean", "a.yaml", _inst(name="yes"), 2, "institution.name: expected text"),
    ("ansi escape in name", "a.yaml", _inst(name='"\\e[31mRed\\e[0m"'), 2, "control character U+001B"),
    ("ansi escape in answer", "a.yaml", _answer("q_policy", '"\\e[2Jwritten"'), 2, "control character U+001B"),
    ("raw escape byte", "a.json", JSON_GOOD.replace('"A"', '"\\u001b[31mA"'), 2, "control character U+001B"),
    ("bidi override", "a.yaml", _inst(name='"abc\\u202Edef"'), 2, "control character U+202E"),
    ("nul in name", "a.yaml", _inst(name='"a\\0b"'), 2, "control character U+0000"),
    ("bell in key path", "a.yaml", _inst(name='"ding\\a"'), 2, "control character U+0007"),
    ("integer key", "a.yaml", GOOD_INSTITUTION + "answers:\n  1: yes\n", 2, "key 1 is not text"),
    ("boolean key", "a.yaml", GOOD_INSTITUTION + "answers:\n  yes: no\n", 2, "key True is not text"),
    ("list key", "a.yaml", GOOD_INSTITUTION + "answers:\n  ? [a, b]\n  : 1\n", 2, "a key must be plain text"),
    ("binary value", "a.yaml", _answer("q_policy", "!!binary aGVsbG8="), 2, "bytes value is not an answer"),
    ("set value", "a.yaml", _answer("q_policy", "!!set {a, b}"), 2, "set value is not an answer"),
    # -- institution ------------------------------------------------------------------------------------------
    ("no institution", "a.yaml", GOOD_ANSWERS, 2, "institution: missing"),
    ("institution is a list", "a.yaml", "institution: [a]\n" + GOOD_ANSWERS, 2, "institution: missing"),
    ("institution null", "a.yaml", "institution:\n" + GOOD_ANSWERS, 2, "institution: missing"),
    ("misspelt institution key", "a.yaml", _inst(nmae="x"), 2, "institution.nmae: unknown key"),
    ("unknown state", "a.yaml", _inst(state="ZZ"), 2, "'ZZ' is not a US state"),
    ("state name", "a.yaml", _inst(state="New Mexico"), 0, ""),
    ("misspelt state name", "a.yaml", _inst(state="Califronia"), 2, "is not a US state or territory"),
    ("numeric state", "a.yaml", _inst(state="12"), 2, "12 is not a US state"),
    ("state is a list", "a.yaml", _inst(state="[CA]"), 2, "expected a state name or code"),
    ("unknown type", "a.yaml", _inst(type="libary"), 2, "Did you mean 'library'"),
    ("missing type", "a.yaml", _inst(type=None), 2, "institution.type: missing"),
    ("type is a mapping", "a.yaml", _inst(type="{a: b}"), 2, "expected a type or a list of types"),
    ("half a title", "a.yaml", _inst(type="Jail"), 0, ""),
    ("title split wrongly", "a.yaml", _inst(type='"sheriff or corrections"'), 2, "unknown institution type"),
    ("public maybe", "a.yaml", _inst(public="maybe"), 2, "is not yes/no"),
    # -- answers ------------------------------------------------------------------------------------------------
    ("unknown question", "a.yaml", _answer("q_polcy", "written"), 2, "unknown question id"),
    ("answer is a list", "a.yaml", _answer("q_policy", "[written, none]"), 2, "expected one answer, got a list"),
    ("answer is a mapping", "a.yaml", _answer("q_policy", "{a: b}"), 2, "expected one answer, got a dict"),
    ("answer nested lists", "a.yaml", _answer("q_policy", "[[[[a]]]]"), 2, "expected one answer"),
    ("bad choice", "a.yaml", _answer("q_policy", "writen"), 2, "is not one of the choices"),
    ("bad boolean", "a.yaml", _answer("q_published", "maybe"), 2, "is not a yes/no answer"),
    ("boolean 2", "a.yaml", _answer("q_published", "2"), 2, "is not a yes/no answer"),
    ("bad number", "a.yaml", _answer("q_staff_trained", "lots"), 2, "is not a number"),
    ("below minimum", "a.yaml", _answer("q_staff_trained", "-1"), 2, "below the minimum"),
    ("date as number", "a.yaml", _answer("q_staff_trained", "2024-01-01"), 2, "is not a number"),
    ("answers is a list", "a.yaml", GOOD_INSTITUTION + "answers: [a]\n", 2, "expected a mapping of question id"),
    # -- issue 22: text no output can hold, names too long for Word, type lists that took hours ------------------
    ("lone surrogate in name", "a.yaml", _inst(name='"a\\ud800b"'), 2, "U+D800 (a lone surrogate"),
    ("json lone surrogate", "a.json", JSON_GOOD.replace('"A"', '"A\\udfff"'), 2, "U+DFFF (a lone surrogate"),
    ("U+FFFE in name", "a.yaml", _inst(name='"a\\uFFFEb"'), 2, "U+FFFE (a noncharacter)"),
    ("U+FFFF in answer", "a.yaml", _answer("q_policy", '"written\\uFFFF"'), 2, "U+FFFF (a noncharacter)"),
    ("plane-1 noncharacter", "a.yaml", _inst(name='"a\\U0001FFFEb"'), 2, "U+1FFFE (a noncharacter)"),
    ("surrogate in a key", "a.yaml", GOOD_INSTITUTION + 'answers:\n  "q\\ud800": yes\n', 2, "a key contains U+D800"),
    ("name of 200 characters", "a.yaml", _inst(name="N" * 200), 0, ""),
    ("name of 215 characters", "a.yaml", _inst(name="N" * 215), 2, "at most 200"),
    ("name of 9,999 characters", "a.yaml", _inst(name="N" * 9_999), 2, "at most 200"),
    ("name with raw markup and newlines", "a.yaml", _inst(name='"A\\n<img src=x>\\n[l](http://e.example)"'), 0, ""),
    ("9,999-character type list", "a.yaml", _inst(type='"' + "a," * 4_999 + 'a"'), 2, "more than 20 institution types"),
    ("9,999-character type", "a.yaml", _inst(type="x" * 9_999), 2, "unknown institution type 'xxxx"),
    ("21 types", "a.yaml", _inst(type='"' + ", ".join(["library"] * 21) + '"'), 2, "more than 20 institution types"),
    ("20 types", "a.yaml", _inst(type='"' + ", ".join(["library"] * 20) + '"'), 0, ""),
    ("look-alike letter in a choice", "a.yaml", _answer("q_published", "\u0423es"), 2, "U+0423 CYRILLIC CAPITAL"),
    ("look-alike letter in yes", "a.yaml", _answer("q_published", "Y\u0435s"), 2, "'Y\u0435s' (U+0435 CYRILLIC"),
]
