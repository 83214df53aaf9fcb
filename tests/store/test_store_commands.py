"""Every store command end to end, on SQLite and on PostgreSQL: batch --wave, waves, compare, consistency, export."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from engine.cli.main import main
from engine.store import list_waves, open_store
from engine.store.schema import respondents
from tests.store.conftest import AS_OF, DROPPING, GONE, RENAMED, TWICE


def store_rows(url: str) -> int:
    with open_store(url) as store, store.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(respondents)).scalar_one()


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def batch(url: str, survey: Path, wave: str, *extra: str) -> int:
    return main(["batch", str(survey), "--store", url, "--wave", wave, "--as-of", AS_OF, "-q", *extra])


@pytest.fixture
def two_waves(store_url: str, waves_dir: Path) -> str:
    assert batch(store_url, waves_dir / "wave_a.csv", "2025") == 0
    assert batch(store_url, waves_dir / "wave_b.csv", "2026") == 0
    return store_url


def test_batch_stores_a_wave_and_waves_lists_it(store_url, waves_dir, capsys):
    assert batch(store_url, waves_dir / "wave_a.csv", "2025") == 0
    assert "stored wave '2025': 45 rows" in capsys.readouterr().err
    assert main(["waves", "--store", store_url, "--format", "json"]) == 0
    (wave,) = json.loads(capsys.readouterr().out)
    assert wave["name"] == "2025" and wave["as_of"] == AS_OF
    assert (wave["respondents"], wave["evaluated"], wave["errors"]) == (45, 43, 2)
    assert wave["county_column"] == "County" and len(wave["source_sha256"]) == 64
    assert wave["rules"].startswith("sanctuary ")
    assert main(["waves", "--store", store_url]) == 0
    assert "2025" in capsys.readouterr().out
    assert store_rows(store_url) == 45


def test_rerunning_a_wave_stores_nothing_twice(store_url, waves_dir, capsys):
    assert batch(store_url, waves_dir / "wave_a.csv", "2025") == 0
    assert batch(store_url, waves_dir / "wave_a.csv", "2025") == 0
    assert "already stored as wave '2025'" in capsys.readouterr().err
    # The same file under another name is the same wave too.
    assert batch(store_url, waves_dir / "wave_a.csv", "again") == 0
    assert "already stored as wave '2025'" in capsys.readouterr().err
    assert store_rows(store_url) == 45
    with open_store(store_url) as store:
        assert [w.name for w in list_waves(store)] == ["2025"]


def test_a_wave_name_taken_by_another_file_is_refused(store_url, waves_dir, capsys):
    assert batch(store_url, waves_dir / "wave_a.csv", "2025") == 0
    assert batch(store_url, waves_dir / "changed.csv", "2025") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("sanctuary: error: --wave 2025: the store already has a wave of that name")
    assert store_rows(store_url) == 45


def test_deleting_a_wave_removes_its_rows(two_waves, capsys):
    assert main(["waves", "--store", two_waves, "--delete", "2025"]) == 0
    assert "deleted wave '2025' (45 rows)" in capsys.readouterr().err
    with open_store(two_waves) as store:
        assert [w.name for w in list_waves(store)] == ["2026"]
    assert store_rows(two_waves) == 43
    assert main(["waves", "--store", two_waves, "--delete", "2025"]) == 2
    assert "no wave called '2025'; the stored waves are: 2026" in capsys.readouterr().err


def test_compare_finds_the_dropped_level_and_what_changed(two_waves, capsys):
    assert main(["compare", "--store", two_waves, "2025", "2026", "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    by_name = {e["institution_name"]: e for e in result["institutions"]}
    dropped = by_name[DROPPING]
    assert (dropped["level_a"], dropped["level_b"], dropped["level_change"]) == ("strong", "developing", "dropped")
    assert dropped["controls_regressed"] and dropped["components_changed"]
    assert by_name[GONE]["status"] == "only_a" and by_name[RENAMED[0]]["status"] == "only_a"
    assert by_name[RENAMED[1]]["status"] == "only_b"
    s = result["summary"]
    assert s["dropped"] == 1 and s["improved"] == 0 and s["only_in_a"] == 2 and s["only_in_b"] == 1
    assert s["matched"] == s["same"] + s["dropped"] + s["improved"] + s["changed_to_or_from_incomplete"]
    assert s["institutions_answering_more_than_once"] == {"a": 1, "b": 0}
    # Only changed institutions are listed unless --all: here the dropped one, and the college whose last
    # answer in 2025 (see consistency) differs from its one answer in 2026.
    listed = {e["institution_name"] for e in result["institutions"] if e["status"] == "both"}
    assert listed == {DROPPING, TWICE}
    assert main(["compare", "--store", two_waves, "2025", "2026", "--format", "json", "--all"]) == 0
    everything = json.loads(capsys.readouterr().out)["institutions"]
    assert sum(e["status"] == "both" for e in everything) == s["matched"]
    unchanged = [e for e in everything if e["status"] == "both" and e["institution_name"] not in listed]
    assert unchanged and all(e["level_change"] == "same" and not e["controls_regressed"] for e in unchanged)

    assert main(["compare", "--store", two_waves, "2025", "2026", "--format", "csv"]) == 0
    rows = list(csv.DictReader(capsys.readouterr().out.splitlines()))
    row = next(r for r in rows if r["institution_name"] == DROPPING)
    assert row["level_change"] == "dropped" and row["controls_regressed"] == "|".join(dropped["controls_regressed"])

    assert main(["compare", "--store", two_waves, "2025", "2026"]) == 0
    table = capsys.readouterr().out
    assert f"{DROPPING} (law_enforcement, CA): strong -> developing (dropped)" in table
    assert "1 dropped a level" in table and f"{GONE} (congregation, PA): only in 2025" in table


def test_compare_by_id_column(store_url, waves_dir, capsys):
    for survey, wave in (("wave_a.csv", "2025"), ("wave_b.csv", "2026")):
        assert batch(store_url, waves_dir / survey, wave, "--id-column", "respondent_id") == 0
    by_id = ["--id-column", "respondent_id", "--format", "json", "--all"]
    assert main(["compare", "--store", store_url, "2025", "2026", *by_id]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["matched_by"] == "id column respondent_id"
    by_name = {e["institution_name"]: e for e in result["institutions"]}
    # Matched by id, the renamed mosque is one institution in both waves.
    assert by_name[RENAMED[1]]["status"] == "both"
    assert by_name[DROPPING]["level_change"] == "dropped"
    assert main(["compare", "--store", store_url, "2025", "2026", "--id-column", "ein"]) == 2
    assert "was stored with id column 'respondent_id'" in capsys.readouterr().err


def test_consistency_lists_disagreeing_answers(two_waves, waves_dir, capsys):
    question = (waves_dir / "question.txt").read_text()
    assert main(["consistency", "--store", two_waves, "--wave", "2025", "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["summary"]["institutions_answering_more_than_once"] == 1
    (entry,) = result["disagreements"]
    assert entry["institution_name"] == TWICE and entry["question"] == question
    assert sorted(a["answer"] for a in entry["answers"]) == ["no", "yes"]
    assert main(["consistency", "--store", two_waves, "--wave", "2025"]) == 0
    table = capsys.readouterr().out
    assert f"{TWICE} (university, NY):" in table and question in table and "SURV-HV-2" in table
    assert main(["consistency", "--store", two_waves, "--wave", "2025", "--format", "csv"]) == 0
    (row,) = list(csv.DictReader(capsys.readouterr().out.splitlines()))
    assert row["question"] == question and row["question_text"]
    assert main(["consistency", "--store", two_waves, "--wave", "2026", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["disagreements"] == []


def test_export_gives_back_the_batch_results(two_waves, waves_dir, tmp_path, capsys):
    results = tmp_path / "results.csv"
    assert main(["batch", str(waves_dir / "wave_a.csv"), "-o", str(results), "--as-of", AS_OF, "-q"]) == 0
    exported = tmp_path / "wave.csv"
    assert main(["export", "--store", two_waves, "--wave", "2025", "-o", str(exported)]) == 0
    batch_rows, export_rows = read_csv(results), read_csv(exported)
    # The store keeps what a wave decides, not the batch file's duplicate_of marks (consistency covers repeats).
    at = batch_rows[0].index("duplicate_of")
    batch_rows = [r[:at] + r[at + 1 :] for r in batch_rows]
    assert export_rows[0] == [*batch_rows[0], "county"]
    assert [r[:-1] for r in export_rows] == batch_rows  # every cell, spreadsheet-safe escapes included
    assert {r[-1] for r in export_rows[1:]} >= {"Alameda", "Cook County"}
    parquet = tmp_path / "wave.parquet"
    assert main(["export", "--store", two_waves, "--wave", "2025", "-o", str(parquet)]) == 0
    frame = pd.read_parquet(parquet)
    assert list(frame.columns) == export_rows[0] and len(frame) == 45
    assert frame["line"].tolist() == [int(r[0]) for r in batch_rows[1:]]
    assert main(["export", "--store", two_waves, "--wave", "2025", "-o", str(tmp_path / "wave.xlsx")]) == 2
    assert "name a .csv or .parquet file" in capsys.readouterr().err


def test_a_batch_without_wave_stores_nothing(store_url, waves_dir, tmp_path, capsys):
    assert main(["batch", str(waves_dir / "wave_a.csv"), "-o", str(tmp_path / "r.csv"), "-q"]) == 0
    assert main(["batch", str(waves_dir / "wave_a.csv"), "--store", store_url, "-q"]) == 2
    assert "go with --wave NAME" in capsys.readouterr().err
    if store_url.startswith("sqlite"):
        assert not Path(store_url.removeprefix("sqlite:///")).exists()


def test_a_run_with_no_evaluable_row_stores_nothing(store_url, tmp_path, capsys):
    survey = tmp_path / "bad.csv"
    survey.write_text("institution_name,institution_type,state\nA,spaceport,CA\nB,moonbase,TX\n", encoding="utf-8")
    assert main(["batch", str(survey), "--store", store_url, "--wave", "bad", "-q"]) == 2
    assert "no row could be evaluated, so the wave was not stored" in capsys.readouterr().err
    assert store_rows(store_url) == 0


def test_kept_columns_reach_the_results_file_and_leave_the_stored_wave_as_it_is(store_url, waves_dir, tmp_path):
    # --keep-columns puts survey columns into the results CSV; the store's own columns (county here) are read after
    # them, so neither may shift what the other, or the stored wave, holds.
    kept, plain = tmp_path / "kept.csv", tmp_path / "plain.csv"
    survey = waves_dir / "wave_b.csv"
    assert (
        batch(store_url, survey, "kept", "--county-column", "County", "-o", str(kept), "--keep-columns", "County") == 0
    )
    assert main(["batch", str(survey), "-o", str(plain), "--as-of", AS_OF, "-q"]) == 0
    kept_rows, plain_rows = read_csv(kept), read_csv(plain)
    assert kept_rows[0][:2] == ["line", "County"]
    assert [r[:1] + r[2:] for r in kept_rows] == plain_rows
    exported = tmp_path / "wave.csv"
    assert main(["export", "--store", store_url, "--wave", "kept", "-o", str(exported)]) == 0
    export_rows = read_csv(exported)
    at = plain_rows[0].index("duplicate_of")
    assert [r[:-1] for r in export_rows] == [r[:at] + r[at + 1 :] for r in plain_rows]
    assert [r[-1] for r in export_rows[1:]] == [r[1] for r in kept_rows[1:]]  # the county, stored as read


def test_a_county_column_read_for_the_store_is_not_reported_as_ignored(store_url, waves_dir, capsys):
    assert batch(store_url, waves_dir / "wave_b.csv", "2026", "--county-column", "County") == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if "ignored" in line]
    assert not any("'County'" in line for line in warnings), warnings
