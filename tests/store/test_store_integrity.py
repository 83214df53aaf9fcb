"""The store's promises: migrations up and down, a wave is all or nothing (even under SIGKILL), the Dask path
stores the same wave as the pool, and the codes and matching rules hold for any input."""

from __future__ import annotations

import csv
import datetime as dt
import os
import subprocess
import sys
import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, inspect, select

from engine.cli.main import main
from engine.store import WaveRecorder, compare_waves, list_waves, migrate, open_store
from engine.store import record as record_module
from engine.store.record import fold_name, institution_key
from engine.store.schema import CODES, decode, encode, respondents
from engine.survey.pool import run_batch
from tests.store.conftest import AS_OF, ROOT

DAY = dt.date.fromisoformat(AS_OF)


def count_rows(url: str) -> tuple[int, int]:
    with open_store(url) as store, store.engine.connect() as connection:
        return len(list_waves(store)), connection.execute(select(func.count()).select_from(respondents)).scalar_one()


def test_migrations_go_up_and_down(store_url, waves_dir):
    assert main(["batch", str(waves_dir / "wave_a.csv"), "--store", store_url, "--wave", "2025", "-q"]) == 0
    with open_store(store_url) as store:
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one() == "0001"
        migrate(store, "base", down=True)
        assert {"waves", "respondents"}.isdisjoint(inspect(store.engine).get_table_names())
        migrate(store, "head")
        assert {"waves", "respondents"} <= set(inspect(store.engine).get_table_names())
        assert list_waves(store) == []
    # A store left at an older revision is brought up to date when it is opened.
    with open_store(store_url) as store:
        migrate(store, "base", down=True)
    with open_store(store_url) as store:
        assert {"waves", "respondents"} <= set(inspect(store.engine).get_table_names())


def test_an_interrupted_run_leaves_no_half_wave(store_url, waves_dir, ruleset, monkeypatch):
    monkeypatch.setattr(record_module, "INSERT_ROWS", 5)  # rows reach the database before the interruption
    seen = []

    def stop_after_two_chunks(done: int, total: int) -> None:
        seen.append(done)
        if len(seen) == 2:
            raise KeyboardInterrupt

    with open_store(store_url, create=True) as store:
        recorder = WaveRecorder(store, ruleset, "2025", source=waves_dir / "wave_a.csv", as_of=DAY)
        with pytest.raises(KeyboardInterrupt), recorder:
            run_batch(
                ruleset,
                waves_dir / "wave_a.csv",
                None,
                as_of=DAY,
                sink=recorder,
                progress=stop_after_two_chunks,
                chunk_rows=10,
            )
    assert seen == [10, 20]
    assert count_rows(store_url) == (0, 0)
    # The interrupted wave can simply be run again.
    assert main(["batch", str(waves_dir / "wave_a.csv"), "--store", store_url, "--wave", "2025", "-q"]) == 0
    assert count_rows(store_url) == (1, 45)


def test_a_killed_run_leaves_no_half_wave(store_url, waves_dir):
    """SIGKILL in the middle of the wave's transaction, after rows were inserted: nothing is committed."""
    script = textwrap.dedent(
        f"""
        import datetime, os, signal
        from engine import load_ruleset
        from engine.store import WaveRecorder, open_store
        from engine.store import record
        from engine.survey.pool import run_batch
        record.INSERT_ROWS = 5
        ruleset = load_ruleset()
        survey = {str(waves_dir / "wave_a.csv")!r}
        with open_store({store_url!r}, create=True) as store:
            recorder = WaveRecorder(store, ruleset, "2025", source=survey, as_of=datetime.date(2026, 11, 28))
            def kill(done, total):
                if done >= 30:
                    print("killing after", recorder.counts["respondents"], "rows", flush=True)
                    os.kill(os.getpid(), signal.SIGKILL)
            with recorder:
                run_batch(ruleset, survey, None, sink=recorder, progress=kill, chunk_rows=10)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == -9, done.stderr
    assert "killing after 30 rows" in done.stdout
    assert count_rows(store_url) == (0, 0)


def test_the_dask_path_stores_the_same_wave(store_url, waves_dir, ruleset, tmp_path):
    dask = pytest.importorskip("dask", reason="dask is not installed; pip install '.[dask]'")
    from engine.survey.dask_batch import run_dask

    results = tmp_path / "dask.csv"
    with open_store(store_url, create=True) as store:
        recorder = WaveRecorder(
            store, ruleset, "dask", source=waves_dir / "wave_a.csv", as_of=DAY, county_column="County"
        )
        with dask.config.set(scheduler="synchronous"), recorder:
            written = run_dask(
                ruleset,
                waves_dir / "wave_a.csv",
                results,
                as_of=DAY,
                rows_per_partition=7,
                sink=recorder,
                keep_columns={"_county": "County"},
            )
    assert written == 45
    exported, expected = tmp_path / "exported.csv", tmp_path / "pool.csv"
    assert main(["export", "--store", store_url, "--wave", "dask", "-o", str(exported)]) == 0
    assert main(["batch", str(waves_dir / "wave_a.csv"), "-o", str(expected), "--as-of", AS_OF, "-q"]) == 0
    exported_rows = list(csv.reader(exported.read_text(encoding="utf-8-sig").splitlines()))
    expected_rows = list(csv.reader(expected.read_text(encoding="utf-8-sig").splitlines()))
    at = expected_rows[0].index("duplicate_of")  # the store keeps no duplicate_of marks (see test_store_commands)
    assert [r[:-1] for r in exported_rows] == [r[:at] + r[at + 1 :] for r in expected_rows]
    assert results.read_bytes() == expected.read_bytes()
    with open_store(store_url) as store:
        same = compare_waves(store, "dask", "dask")["summary"]
    assert same["matched"] == same["same"] > 0


# -- properties ---------------------------------------------------------------------------------------------------

outcome_lists = st.lists(st.sampled_from(sorted(CODES)), max_size=80)


@given(outcome_lists)
def test_outcome_codes_round_trip(cells):
    codes = encode(cells)
    assert len(codes) == len(cells)
    assert decode(codes) == cells


@given(st.text(max_size=60), st.sampled_from(["k12_school", "jail|law_enforcement"]), st.sampled_from(["CA", ""]))
def test_matching_ignores_case_spacing_and_punctuation(name, types, state):
    noisy = f"  {name.upper()} ,.  "
    assert institution_key(noisy, types, state) == institution_key(name.lower(), types, state)
    assert fold_name(name) == fold_name(fold_name(name))
    assert "|" not in fold_name(name)


def test_different_institutions_stay_apart():
    assert fold_name("Escuela Pública Niños") == fold_name("escuela publica ninos")
    assert fold_name("北京学校") != fold_name("上海学校")
    assert institution_key("St. Mary's School", "k12_school", "CA") == institution_key(
        "st marys school", "k12_school", "CA"
    )
    assert institution_key("St Mary School", "k12_school", "CA") != institution_key(
        "St Mary School", "k12_school", "TX"
    )
    assert institution_key("Lincoln", "library", "IL") != institution_key("Lincoln", "k12_school", "IL")


def test_missing_or_bad_stores_are_one_line_errors(tmp_path, capsys):
    assert main(["waves", "--store", str(tmp_path / "none.db")]) == 2
    assert "no store here yet" in capsys.readouterr().err
    assert not (tmp_path / "none.db").exists()
    assert main(["waves", "--store", "mysql://u@h/db"]) == 2
    assert "mysql databases are not supported" in capsys.readouterr().err
    assert main(["waves", "--store", "postgresql+psycopg://nobody:secret@127.0.0.1:1/none"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "cannot open the store" in err and "secret" not in err
    os.environ.pop("SANCTUARY_STORE", None)
