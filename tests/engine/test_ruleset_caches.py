"""Cached per-ruleset lookups equal what they compute: core_for (by types, public, state), caps_level (by flag
id) and the folded institution-type spellings."""

from __future__ import annotations

import dataclasses

from hypothesis import given
from hypothesis import strategies as st

from engine import load_ruleset
from engine.rules.model import CoreRule, Institution, InstitutionFilter

BUNDLED = load_ruleset()
# The bundled core rules may not read every field; these read each one (types, public, state) on its own.
RULES = dataclasses.replace(
    BUNDLED,
    core=(
        *BUNDLED.core,
        CoreRule(InstitutionFilter(states=("TX",)), controls=("by-state",)),
        CoreRule(InstitutionFilter(public=True), controls=("by-public",)),
        CoreRule(InstitutionFilter(types=("jail",)), components=("by-type",)),
    ),
)
_INSTITUTIONS = st.builds(
    Institution,
    name=st.just("x"),
    types=st.lists(st.sampled_from(sorted(RULES.institution_types)), max_size=3).map(tuple),
    state=st.sampled_from([None, "TX", "CA", "NY", "FL", "OK"]),
    public=st.sampled_from([None, True, False]),
)


@given(st.lists(_INSTITUTIONS, min_size=1, max_size=20))
def test_cached_core_equals_the_computed_one(institutions):
    for institution in institutions:
        assert RULES.core_for(institution) == RULES._core_for(institution)


def test_a_ruleset_with_other_core_rules_does_not_reuse_the_cache():
    jail = Institution("x", ("jail",), "TX", True)
    assert BUNDLED.core_for(jail) != (frozenset(), frozenset())
    assert dataclasses.replace(BUNDLED, core=()).core_for(jail) == (frozenset(), frozenset())


@given(st.lists(st.sampled_from(["RISK-A", "RISK-AB", "STATE:TX", "STATE:", "STATEX", "OTHER"]), max_size=12))
def test_cached_caps_level_follows_the_patterns(flag_ids):
    rules = dataclasses.replace(BUNDLED, capping_flags=("RISK-A", "STATE:*"))
    for flag_id in flag_ids:
        assert rules.caps_level(flag_id) == (flag_id == "RISK-A" or flag_id.startswith("STATE:"))
    # Other patterns, another ruleset: nothing carried over from the first one's cache.
    other = dataclasses.replace(rules, capping_flags=("OTHER",))
    assert [other.caps_level(f) for f in flag_ids] == [f == "OTHER" for f in flag_ids]


def test_type_spellings_are_folded_once_and_follow_the_ruleset():
    import pytest

    from engine.errors import InputError
    from engine.run.institution import parse_types
    from engine.run.spellings import type_lookup

    lookup = type_lookup(BUNDLED)
    assert type_lookup(BUNDLED) is lookup  # folded once, not on every answers document
    assert lookup["school district"] == "k12_school"
    with pytest.raises(TypeError):
        lookup["edited"] = "jail"  # shared, so read-only
    # Same content hash (replace keeps it), one more alias: the cache is keyed by the spellings, not the hash.
    types = {**BUNDLED.institution_types}
    types["k12_school"] = {**types["k12_school"], "aliases": [*types["k12_school"].get("aliases", []), "Kínder"]}
    renamed = dataclasses.replace(BUNDLED, institution_types=types)
    assert parse_types(renamed, "kinder") == ("k12_school",)
    with pytest.raises(InputError, match="unknown institution type"):
        parse_types(BUNDLED, "kinder")
