"""The Dask path: the same per-partition function on a local cluster of worker processes.

Needs the ``dask`` extra: ``pip install '.[dask]'``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from engine import evaluate_survey, read_survey

dd = pytest.importorskip("dask.dataframe", reason="dask is not installed; pip install '.[dask]' to run the Dask test")
distributed = pytest.importorskip("distributed", reason="distributed is not installed; pip install '.[dask]'")

from engine.survey.dask_batch import evaluate_dask  # noqa: E402

AS_OF = dt.date(2026, 11, 28)
ROOT_SURVEY = Path(__file__).resolve().parent.parent / "sample_policies" / "surveys" / "mixed_institutions.csv"


def _survey_bytes(ruleset) -> bytes:
    questions = [q.id for q in ruleset.questions.values()]
    header = ["respondent_id", "institution_name", "institution_type", "state", *questions]
    kinds = ["k12_school", "employer", "library", "nope", "university"]
    values = {"boolean": ["yes", "no", "", "sí"], "choice": None, "number": ["0", "2", "", "001"]}
    lines = [",".join(header)]
    for i in range(60):
        row = [f"R{i:03d}", f"Institution {i}", kinds[i % len(kinds)], ["CA", "TX", "NY"][i % 3]]
        for n, qid in enumerate(questions):
            question = ruleset.questions[qid]
            options = values[question.type] or [*question.choices, ""]
            row.append(options[(i + n) % len(options)])
        lines.append(",".join(row))
    return ("\r\n".join(lines) + "\r\n").encode()


@pytest.fixture(scope="module")
def cluster_client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", host="127.0.0.1"
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def test_evaluate_dask_on_a_local_process_cluster_matches_the_pool(mini_ruleset, cluster_client):
    survey = read_survey(_survey_bytes(mini_ruleset), mini_ruleset)
    expected = evaluate_survey(mini_ruleset, survey, as_of=AS_OF).results
    assert (expected["error"] != "").sum() == 12 and (expected["error"] == "").sum() == 48
    frame = dd.from_pandas(survey.frame.assign(line=survey.lines), npartitions=4)
    lazy = evaluate_dask(mini_ruleset, frame, as_of=AS_OF)
    assert list(lazy.columns) == list(expected.columns)
    got = lazy.compute().reset_index(drop=True)
    # A partition alone cannot see earlier rows: duplicate_of is filled by run_dask and the pool, not here.
    assert (got["duplicate_of"] == "").all() and (expected["duplicate_of"] != "").any()
    pd.testing.assert_frame_equal(got, expected.assign(duplicate_of=""), check_dtype=False)
    # The partitions ran in the cluster's worker processes, which loaded the rules themselves.
    loads = cluster_client.run(_rules_loaded_here)
    assert len(loads) == 2 and sum(loads.values()) >= 1


def _rules_loaded_here() -> int:
    from engine.survey.dask_batch import _worker_ruleset

    return _worker_ruleset.cache_info().currsize


RAGGED = (
    "respondent_id,institution_name,institution_type,state,q_policy,q_published,q_entry\r\n"
    "R1,Riverside,k12_school,CA,written,yes,refused\r\n"
    '"R2","Two\r\nline name",employer,NM,statement,no,case_by_case\r\n'
    "R3,Grace,congregation,TX,written,yes,refused,EXTRA,CELLS\r\n"
    "\r\n"
    ",Nameless,library,OR,,,\r\n"
    "R5,Short\r\n"
    "R6,Sixth,k12_school,CA,written,no,refused\r\n"
    "R7,Seventh,employer,TX,none,yes,refused\r\n"
)


def test_read_survey_dask_partitions_keep_file_lines_and_turn_ragged_rows_into_error_rows(
    mini_ruleset, cluster_client, tmp_path
):
    from engine.survey.dask_batch import read_survey_dask

    path = tmp_path / "survey.csv"
    path.write_bytes(RAGGED.encode("utf-8-sig"))
    survey = read_survey(path, mini_ruleset)
    frame = read_survey_dask(path, mini_ruleset, rows_per_partition=2)
    assert frame.npartitions == 4
    got = frame.compute().reset_index(drop=True)
    assert list(got["line"]) == survey.lines == [2, 3, 5, 7, 8, 9, 10]  # the file's lines, unique
    pd.testing.assert_frame_equal(got.drop(columns="line"), survey.frame, check_dtype=False)
    errors = dict(zip(got["line"], got["_row_error"], strict=True))
    assert "9 cells but the header has 7" in errors[5]
    assert "institution_type: missing" in errors[8] and errors[2] == ""
    results = evaluate_dask(mini_ruleset, frame, as_of=AS_OF).compute().reset_index(drop=True)
    expected = evaluate_survey(mini_ruleset, survey, as_of=AS_OF).results
    pd.testing.assert_frame_equal(results, expected, check_dtype=False)


def test_run_dask_writes_the_same_bytes_as_sanctuary_batch(ruleset, cluster_client, tmp_path):
    from engine.survey.dask_batch import run_dask
    from engine.survey.pool import run_batch

    source = ROOT_SURVEY
    dask_out, pool_out = tmp_path / "dask.csv", tmp_path / "pool.csv"
    assert run_dask(ruleset, source, dask_out, as_of=AS_OF, rows_per_partition=7) == 44
    run_batch(ruleset, source, pool_out, as_of=AS_OF)
    assert dask_out.read_bytes() == pool_out.read_bytes()


def test_run_dask_streams_partitions_in_order_holding_only_those_in_flight(ruleset, cluster_client, tmp_path):
    # The client held every partition's result at once (1.3 GB against the pool's 244 MB at 100,000 rows): now a
    # partition is computed, written and released in turn, with at most ``in_flight`` of them held.
    from engine.survey.dask_batch import _in_order, evaluate_dask, read_survey_dask

    parts = evaluate_dask(
        ruleset, read_survey_dask(ROOT_SURVEY, ruleset, rows_per_partition=5), as_of=AS_OF
    ).to_delayed()
    assert len(parts) == 9
    held = []
    frames = []
    for frame in _in_order(parts, 2):
        held.append(len(cluster_client.futures))
        frames.append(frame)
    assert max(held) <= 2, held
    expected = evaluate_survey(ruleset, read_survey(ROOT_SURVEY, ruleset), as_of=AS_OF).results
    pd.testing.assert_frame_equal(pd.concat(frames).reset_index(drop=True), expected, check_dtype=False)
    assert len(cluster_client.futures) == 0


def test_an_interrupted_dask_run_leaves_no_temporary_file(ruleset, cluster_client, tmp_path, monkeypatch):
    from engine.survey import dask_batch

    out = tmp_path / "results.csv"
    out.write_text("previous results\n", encoding="utf-8")
    calls = []

    def interrupted(handle, rows):
        calls.append(len(rows))
        if len(calls) == 3:
            raise KeyboardInterrupt  # Ctrl+C, SIGTERM or SIGHUP in the middle of the run
        handle.writelines(",".join(map(str, r)) + "\r\n" for r in rows)

    monkeypatch.setattr(dask_batch, "write_safe_rows", interrupted)
    with pytest.raises(KeyboardInterrupt):
        dask_batch.run_dask(ruleset, ROOT_SURVEY, out, as_of=AS_OF, rows_per_partition=5, in_flight=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.csv"]
    assert out.read_text(encoding="utf-8") == "previous results\n"
    assert len(cluster_client.futures) == 0  # the partitions still queued were cancelled


def test_run_dask_refuses_to_write_over_the_survey(ruleset, cluster_client, tmp_path):
    from engine.errors import InputError
    from engine.survey.dask_batch import run_dask

    survey = tmp_path / "survey.csv"
    survey.write_bytes(ROOT_SURVEY.read_bytes())
    with pytest.raises(InputError, match="names the survey being read itself"):
        run_dask(ruleset, survey, survey, as_of=AS_OF)
    assert survey.read_bytes() == ROOT_SURVEY.read_bytes()
