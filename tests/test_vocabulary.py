"""One vocabulary: the words for outcomes, bounds, levels, flag kinds and priorities, the institution placeholder
and the text-folding helpers are defined once, in engine/vocabulary.py, and everyone imports them (a translation
then changes them in one place)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import engine
from engine import vocabulary
from engine.rules.model import Level, Outcome

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted([*(ROOT / "engine").rglob("*.py"), *(ROOT / "ui").rglob("*.py")])
TABLES = (
    "OUTCOME_WORDS",
    "OUTCOME_SYMBOLS",
    "BOUND_WORDS",
    "LEVEL_WORDS",
    "LEVEL_MEANING",
    "FLAG_KIND_WORDS",
    "PRIORITY_WORDS",
    "NOT_EVALUATED",
    "INSTITUTION_PLACEHOLDER",
)
HELPERS = ("answer_key", "strip_accents", "spelling_key", "outcome_phrase")


def _definitions(path: Path) -> list[str]:
    """The names a module assigns or defines at its top level."""
    names = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names += [t.id for t in targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.FunctionDef):
            names.append(node.name)
    return names


def test_each_word_table_and_helper_is_defined_once() -> None:
    where: dict[str, list[str]] = {}
    for path in SOURCES:
        for name in _definitions(path):
            if name in TABLES + HELPERS:
                where.setdefault(name, []).append(str(path.relative_to(ROOT)))
    assert where == {name: ["engine/vocabulary.py"] for name in TABLES + HELPERS}


def test_no_module_spells_the_words_out_again() -> None:
    """A copy under another name (a private ``_BOUND``, a literal placeholder) is a second definition too."""
    copies = {
        "bound words": re.compile(r"""["']at_least["']\s*:\s*["']at least["']"""),
        "placeholder": re.compile(r"""["']\[institution name\]["']"""),
        "not evaluated": re.compile(r"""["']Could not be evaluated["']"""),
        "outcome words": re.compile(r"""["']not_applicable["']\s*:\s*["']Does not apply["']"""),
    }
    allowed = {ROOT / "engine" / "vocabulary.py"}
    found = [
        f"{path.relative_to(ROOT)}: {what}"
        for path in SOURCES
        if path not in allowed
        for what, pattern in copies.items()
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_tables_cover_every_word_of_the_rules() -> None:
    assert set(vocabulary.OUTCOME_WORDS) == set(vocabulary.OUTCOME_SYMBOLS) == {o.value for o in Outcome}
    assert {lv.value for lv in Level} <= set(vocabulary.LEVEL_WORDS)
    assert {lv.value for lv in Level} == set(vocabulary.LEVEL_MEANING)


def test_the_app_reaches_the_words_through_the_public_api() -> None:
    for name in ("OUTCOME_WORDS", "OUTCOME_SYMBOLS", "BOUND_WORDS", "LEVEL_WORDS", "LEVEL_MEANING", "NOT_EVALUATED"):
        assert name in engine.__all__ and getattr(engine, name) is getattr(vocabulary, name)


@pytest.mark.parametrize(
    ("outcome", "bound", "words"),
    [("fail", None, "fail"), ("partial", "at_most", "partial, at most"), ("partial", "at_least", "partial, at least")],
)
def test_outcome_phrase(outcome: str, bound: str | None, words: str) -> None:
    assert vocabulary.outcome_phrase(outcome, bound) == words


@given(st.text(max_size=40))
def test_folding_is_idempotent_and_keys_are_plain(text: str) -> None:
    key = vocabulary.answer_key(text)
    assert vocabulary.answer_key(key) == key and key == key.strip() and "  " not in key
    spelled = vocabulary.spelling_key(text)
    assert vocabulary.spelling_key(spelled) == spelled
    assert all(c.isalnum() or c == " " for c in spelled)
    assert vocabulary.strip_accents("Público Sí") == "Publico Si"
