"""The Rules page's State law tab shows the same table as ``sanctuary states --format json`` (issue 21)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_state_law_tab_agrees_with_the_cli_json(new_app) -> None:
    at = new_app()
    at.switch_page("app_pages/rules.py").run()
    at.date_input(key="states_as_of").set_value(dt.date(2026, 12, 7)).run()
    frame = at.get_by_key("rules_states").dataframe[0].value
    result = subprocess.run(
        [sys.executable, "-m", "engine.cli", "states", "--format", "json", "--as-of", "2026-12-07"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    states = json.loads(result.stdout)["states"]
    # Every state and DC appears, and exactly the laws of the JSON, with their quotes, dates and sources.
    assert set(frame["State"]) == {s["code"] for s in states}
    page_laws = {
        (r["State"], r["Law"], r["Quote"], r["From"], r["In force"], r["Read at"])
        for _, r in frame.iterrows()
        if r["Law"]
    }
    cli_laws = {
        (
            s["code"],
            law["id"],
            law["quote"],
            law["effective"]["from"] or "",
            "yes" if law["in_force"] else "no",
            law["quote_source"]["url"],
        )
        for s in states
        for law in s["laws"]
    }
    assert page_laws == cli_laws
    no_law_rows = frame[frame["Law"] == ""]
    assert set(no_law_rows["State"]) == {s["code"] for s in states if not s["laws"]}
    assert all(f.startswith("No statewide law found in a primary text. Searched:") for f in no_law_rows["Finding"])


def test_state_law_tab_marks_laws_not_yet_in_force_and_searches(new_app) -> None:
    at = new_app()
    at.switch_page("app_pages/rules.py").run()
    at.date_input(key="states_as_of").set_value(dt.date(2025, 12, 8)).run()
    frame = at.get_by_key("rules_states").dataframe[0].value
    row = frame[frame["Law"] == "IL-HB1312"].iloc[0]
    assert row["In force"] == "no"
    at.text_input(key="rules_search").set_value("Lunn").run()
    found = at.get_by_key("rules_states").dataframe[0].value
    assert list(found["Law"]) == ["MA-LUNN"]
