"""The Dask path: the same per-partition function on a local cluster of worker processes.

Needs the ``dask`` extra: ``pip install '.[dask]'``.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from engine import evaluate_survey, read_survey

dd = pytest.importorskip("dask.dataframe", reason="dask is not installed; pip install '.[dask]' to run the Dask test")
distributed = pytest.importorskip("distributed", reason="distributed is not installed; pip install '.[dask]'")

from engine.survey.dask_batch import evaluate_dask  # noqa: E402

AS_OF = dt.date(2026, 11, 28)


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
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1"
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
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    # The partitions ran in the cluster's worker processes, which loaded the rules themselves.
    loads = cluster_client.run(_rules_loaded_here)
    assert len(loads) == 2 and sum(loads.values()) >= 1


def _rules_loaded_here() -> int:
    from engine.survey.dask_batch import _worker_ruleset

    return _worker_ruleset.cache_info().currsize
