"""A clause renders with the institution's name (or a bracketed placeholder) wherever it says {institution}."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from engine.rules.references import Clause

PIECES = st.lists(st.sampled_from(["{institution}", "{", "}", "institution", " ", "text\n", "{{institution}}"]))


@given(pieces=PIECES, name=st.one_of(st.none(), st.text(max_size=12)))
def test_render_puts_the_name_at_every_placeholder(pieces: list[str], name: str | None) -> None:
    text = "".join(pieces)
    expected = text.replace("{institution}", name or "[institution name]")
    assert Clause("C-1", "Title", text).render(name) == expected


def test_render_of_a_shipped_clause(ruleset) -> None:
    clause = next(c for c in ruleset.clauses.values() if "{institution}" in c.text)
    rendered = clause.render("Lincoln Unified")
    assert "{institution}" not in rendered
    assert rendered.count("Lincoln Unified") == clause.text.count("{institution}")
