"""Batch evaluation on Dask, for surveys that outgrow one machine (``pip install .[dask]``).

``evaluate_dask`` maps the same per-partition function as ``sanctuary batch`` (``evaluate_frame``)
over a Dask DataFrame. Workers receive the rules *directory* and load the rules and build the
durable backend once per process; the rules engine itself is never pickled::

    import dask.dataframe as dd
    from distributed import Client
    from engine import load_ruleset
    from engine.survey.dask_batch import evaluate_dask

    client = Client()                                  # or Client("scheduler-address:8786")
    ruleset = load_ruleset()
    survey = dd.read_csv("surveys/*.csv", dtype=str, keep_default_na=False)
    results = evaluate_dask(ruleset, survey, as_of=datetime.date(2026, 11, 28))
    results.to_csv("results-*.csv", index=False)       # or .compute() for a pandas frame

Read with ``dtype=str, keep_default_na=False`` so ``N/A`` and ``001`` stay as written. Give a
``line`` column for line numbers in results; otherwise a row's line is its index + 2, which is
only the file line when the index counts rows from the start of the file (``dd.from_pandas``).
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import pandas as pd

from engine.errors import InputError
from engine.rules.loader import load_ruleset
from engine.rules.model import Ruleset
from engine.survey.layout import results_columns
from engine.survey.rows import evaluate_frame


@functools.lru_cache(maxsize=4)
def _worker_ruleset(rules_dir: str, content_hash: str) -> Ruleset:
    ruleset = load_ruleset(rules_dir)
    if ruleset.content_hash != content_hash:
        raise InputError(
            f"{rules_dir}: the rules on this worker differ from the client's (hash {ruleset.content_hash[:8]} "
            f"vs {content_hash[:8]}); deploy the same rules everywhere."
        )
    return ruleset


def evaluate_partition(
    frame: pd.DataFrame, rules_dir: str, content_hash: str, as_of: str | None, backend: str = "durable"
) -> pd.DataFrame:
    """Evaluate one partition on a worker (rules loaded once per worker process)."""
    ruleset = _worker_ruleset(rules_dir, content_hash)
    day = dt.date.fromisoformat(as_of) if as_of else None
    return evaluate_frame(ruleset, frame, as_of=day, backend=backend)


def results_meta(ruleset: Ruleset) -> pd.DataFrame:
    """An empty frame with the dtypes of ``evaluate_frame``'s output (Dask's ``meta``)."""
    meta = pd.DataFrame({c: pd.Series(dtype=str) for c in results_columns(ruleset)})
    meta["line"] = meta["line"].astype("int64")
    return meta


def evaluate_dask(ruleset: Ruleset, frame: Any, *, as_of: dt.date | None = None, backend: str = "durable") -> Any:
    """Evaluate a Dask DataFrame of survey rows, lazily; one results row per input row, in order.

    Args:
        ruleset: the rules, loaded from a directory every worker can read at the same path.
        frame: a ``dask.dataframe.DataFrame`` of text cells, headed like a survey CSV.
        as_of: the date the law is applied at; pass it explicitly so every worker uses the same day
            (today on the client when None).
        backend: "durable" (default) or "oracle".

    Returns:
        A lazy Dask DataFrame with the columns of the results CSV.

    Raises:
        InputError: the rules were not loaded from a directory.
    """
    if not ruleset.root:
        raise InputError("evaluate_dask: the rules were not loaded from a directory the workers can read.")
    day = (as_of or dt.date.today()).isoformat()
    return frame.map_partitions(
        evaluate_partition,
        str(ruleset.root),
        ruleset.content_hash,
        day,
        backend,
        meta=results_meta(ruleset),
    )
