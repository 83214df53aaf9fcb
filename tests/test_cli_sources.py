"""`sanctuary sources`: the citation register for a reader, through the real entry point (a subprocess)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.test_cli import run


def test_sources_json_lists_every_citation_with_quality_date_jurisdiction_and_users(ruleset) -> None:
    result = run("sources", "--format", "json", "--as-of", "2026-12-01")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert {r["id"] for r in rows} == set(ruleset.citations)
    for r in rows:
        assert r["quality"] in ("primary", "secondary", "mirror", "unverified")
        assert r["jurisdiction"] and r["checked_on"] and r["checked_text"]
        assert r["last_verified"] is None  # nothing was checked live
    ferpa = next(r for r in rows if r["id"] == "usc-20-1232g-ferpa")
    assert "SC-CF-RECORDS" in ferpa["controls"] and "RISK-FERPA" in ferpa["flags"]
    assert rows[0]["jurisdiction"] == "US"  # federal law leads


def test_sources_state_filter_keeps_federal_and_that_state() -> None:
    result = run("sources", "--state", "il", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    places = [r["jurisdiction"] for r in rows]
    assert set(places) <= {"US", "IL", "local:IL"} and "IL" in places and "local:IL" in places
    assert places == sorted(places, key=["US", "IL", "local:IL"].index)
    chicago = next(r for r in rows if r["jurisdiction"] == "local:IL")
    assert chicago["label"] == "local example from your state (IL)"


def test_sources_csv_is_spreadsheet_safe_and_has_the_columns() -> None:
    result = run("sources", "--format", "csv", "--state", "CA")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and {"id", "quality", "jurisdiction", "checked_text", "controls", "flags", "warning"} <= set(rows[0])
    for row in rows:
        assert not any(str(v).startswith(("=", "+", "-", "@")) for v in row.values())


def test_sources_table_says_how_each_source_was_checked() -> None:
    result = run("sources", "--state", "NM", "--as-of", "2026-12-01")
    assert result.returncode == 0, result.stderr
    assert "from the project's knowledge base, not re-checked since 2026-11-28" in result.stdout
    assert "federal and NM sources as of 2026-12-01" in result.stdout
    assert "last verified" not in result.stdout


def test_sources_warn_about_sources_older_than_a_year() -> None:
    fresh = json.loads(run("sources", "--format", "json", "--as-of", "2026-11-29").stdout)
    later = json.loads(run("sources", "--format", "json", "--as-of", "2027-12-09").stdout)
    assert all("last checked" not in r["warning"] for r in fresh)
    # Every check (28 Nov 2026, 1 Dec 2026, or 7 Dec 2026 for the state-law sources) is now over a year old.
    assert all("last checked 2026-" in r["warning"] for r in later)
    old_news = next(r for r in fresh if r["id"] == "csu-no-holds-daily49er")  # a 2017 student-paper report
    assert "summary published 2017-02-22" in old_news["warning"]
    statute = next(r for r in fresh if r["id"] == "plyler-v-doe-457-us-202")  # a 1982 ruling is still the law
    assert statute["warning"] == ""
    table = run("sources", "--as-of", "2027-12-05").stdout
    assert "WARNING: last checked 2026-11-28" in table


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--state", "XX"), "'XX' is not a two-letter state code"),
        (("--as-of", "1/12/2026"), "--as-of"),
        (("--format", "xml"), "invalid choice"),
    ],
)
def test_sources_bad_input_exits_2_with_one_line(args: tuple[str, ...], fragment: str) -> None:
    result = run("sources", *args)
    assert result.returncode == 2
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
