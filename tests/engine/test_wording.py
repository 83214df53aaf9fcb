"""Roll-up texts: the compiled template filler agrees with ``string.Formatter`` on every template and any counts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.rules.loader import load_ruleset
from engine.rules.wording import _fields, fill, reference_fill

CRAFTED = [
    "{fail} {fail:control fails|controls fail}",
    "{applicable:The one applicable control passes|All {applicable} applicable controls pass}",
    "{a:one {b:x|y} thing|{a} {b:x|y} things}",  # a plural wording nested in a plural wording
    "literal {{braces}} and {a}",
    "{a!r} {b:>4}",  # beyond the compiled subset: string.Formatter fills it
]


def _templates(ruleset) -> list[str]:
    texts = [r.explanation for r in (*ruleset.component_rules, *ruleset.overall_rules)]
    texts += [cap.explanation for cap in ruleset.level_caps]
    return texts + CRAFTED


def test_every_roll_up_template_is_covered(ruleset) -> None:
    assert len(_templates(ruleset)) > len(CRAFTED) + 5


_TEMPLATES = _templates(load_ruleset())
_NAMES = sorted({name for text in _TEMPLATES for name in _fields(text)})
# Text values leave out "|" and braces: string.Formatter substitutes a nested field before the plural wording is
# split into its forms, so a value holding "|" would add a form there and not in the compiled fill. The roll-up
# fills these fields with counts; a text value is here only to check that both refuse or fill it alike.
_VALUE = st.one_of(
    st.integers(0, 3),
    st.integers(-5, 10**6),
    st.text(alphabet=st.characters(blacklist_characters="|{}", blacklist_categories=("Cs",)), max_size=8),
)


# The templates are read once, at import, and every case draws a value for every field any template reads: the
# draws never depend on earlier draws or on a fixture, which Hypothesis needs to replay and shrink a case.
@settings(max_examples=300, deadline=None)
@given(template=st.sampled_from(_TEMPLATES), drawn=st.fixed_dictionaries({name: _VALUE for name in _NAMES}))
def test_compiled_fill_equals_string_formatter(template: str, drawn: dict) -> None:
    values = {name: drawn[name] for name in _fields(template)}
    try:
        expected = reference_fill(template, values)
    except (ValueError, TypeError):  # e.g. a plural test on text: the reference refuses too
        return
    assert fill(template, values) == expected


def test_a_missing_field_is_named() -> None:
    with pytest.raises(KeyError, match="b"):
        fill("{a:one|{b} many}", {"a": 1})


def test_memoised_fill_keeps_1_and_true_apart() -> None:
    # The memo is keyed on the values with their types: 1 == True in Python, but they read differently.
    template = "{a} {a:one|many}"
    assert fill(template, {"a": 1}) == "1 one"
    assert fill(template, {"a": True}) == "True one"
    assert fill(template, {"a": 1}) == "1 one"


@pytest.mark.parametrize(
    ("n", "said"), [(0, "1 fails."), (1, "1 fails, 1 at most partial."), (3, "1 fails, 3 at most partial.")]
)
def test_a_zero_wording_leaves_a_count_of_none_unsaid(n: int, said: str) -> None:
    template = "{fail} fails{at_most:|, {at_most} at most partial|, {at_most} at most partial}."
    values = {"fail": 1, "at_most": n}
    assert fill(template, values) == said
    assert reference_fill(template, values) == said  # the compiled path and string.Formatter agree
