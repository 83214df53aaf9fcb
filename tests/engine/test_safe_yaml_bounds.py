"""The quick bound check (safe_yaml._within_bounds) must say yes only where the full graph check passes."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import safe_yaml
from engine.limits import DOCUMENT_MAX_DEPTH


def _root(text: str) -> yaml.Node:
    # libyaml's composer: the pure one already refuses deep nesting while composing
    return (safe_yaml.FAST_LOADER or safe_yaml._AliasLoader)(text).get_single_node()


def _graph_ok(node: yaml.Node) -> bool:
    try:
        safe_yaml._check_graph(node)
    except yaml.YAMLError:
        return False
    return True


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\n",
        "x: &a [1, 2]\ny: [*a, *a]\n",
        "x: &x [1, *x]\n",  # cycle
        "x: " + "[" * (DOCUMENT_MAX_DEPTH + 1) + "]" * (DOCUMENT_MAX_DEPTH + 1) + "\n",  # one level too deep
        "x: " + "[" * DOCUMENT_MAX_DEPTH + "]" * DOCUMENT_MAX_DEPTH + "\n",  # exactly at the limit
        "a: &a [1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
        "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n",  # 59,049+ values: within
        "a: &a [1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
        "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e]\n",  # too many
    ],
)
def test_quick_check_agrees_with_full_check(text: str) -> None:
    root = _root(text)
    assert safe_yaml._within_bounds(root) == _graph_ok(root)


@settings(max_examples=60, deadline=None)
@given(depth=st.integers(1, DOCUMENT_MAX_DEPTH + 3), width=st.integers(1, 4), shared=st.booleans())
def test_quick_check_agrees_on_nested_shapes(depth: int, width: int, shared: bool) -> None:
    # a chain of anchored lists, each holding `width` aliases of the one before (shared) or plain copies
    lines = ["l0: &l0 [1]"]
    for i in range(1, depth):
        inner = ", ".join([f"*l{i - 1}"] * width) if shared else "[1]"
        lines.append(f"l{i}: &l{i} [{inner}]")
    root = _root("\n".join(lines) + "\n")
    assert safe_yaml._within_bounds(root) == _graph_ok(root)


def test_shipped_rules_pass_the_quick_check() -> None:
    from pathlib import Path

    for path in sorted(Path("rulesets").rglob("*.yaml")):
        assert safe_yaml._within_bounds(_root(path.read_text(encoding="utf-8"))), path
