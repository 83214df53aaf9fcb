"""Batch evaluation on Dask, for surveys that outgrow one machine (``pip install .[dask]``).

``read_survey_dask`` reads a survey CSV with the project's own reader, one partition per block of rows:
a first pass on the client finds where each block starts (file line and row count), then each partition
is read on a worker from there. So line numbers are the file's own and unique across partitions, a
ragged row becomes an error row exactly as in ``sanctuary batch``, and survey-tool exports (BOM, UTF-16,
semicolons, question-text headers) work. ``evaluate_dask`` maps the same per-partition function as
``sanctuary batch`` (``evaluate_frame``). Workers receive the rules *directory* and the survey *path*
(both must be readable at the same path on every worker) and load the rules once per process; the rules
engine itself is never pickled::

    import datetime
    from distributed import Client
    from engine import load_ruleset
    from engine.survey.dask_batch import evaluate_dask, read_survey_dask

    client = Client()                                  # or Client("scheduler-address:8786")
    ruleset = load_ruleset()
    survey = read_survey_dask("survey.csv", ruleset, rows_per_partition=5_000)
    results = evaluate_dask(ruleset, survey, as_of=datetime.date(2026, 11, 28))
    results.to_csv("results-*.csv", index=False)       # or .compute() for one pandas frame

``run_dask(ruleset, "survey.csv", "results.csv")`` does all of this and writes one results CSV identical,
byte for byte, to what ``sanctuary batch`` writes. ``dd.read_csv`` is not a substitute: it stops at the
first ragged row and restarts line numbers in every partition.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
from collections import deque
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import pandas as pd

from engine.csv_safe import write_safe_rows
from engine.errors import InputError
from engine.i18n import _, current_language, language
from engine.outputs import open_atomic, refuse_clashes
from engine.rules.loader import load_ruleset
from engine.rules.model import Ruleset
from engine.survey.coalition import DUPLICATE_COLUMN, DuplicateMarker
from engine.survey.layout import results_columns
from engine.survey.reading import SurveyFile
from engine.survey.rows import evaluate_frame


@functools.lru_cache(maxsize=4)
def _worker_ruleset(rules_dir: str, content_hash: str) -> Ruleset:
    ruleset = load_ruleset(rules_dir)
    if ruleset.content_hash != content_hash:
        raise InputError(
            _(
                "{path}: the rules on this worker differ from the client's (hash {worker} vs {client}); "
                "deploy the same rules everywhere."
            ).format(path=rules_dir, worker=ruleset.content_hash[:8], client=content_hash[:8])
        )
    return ruleset


def evaluate_partition(
    frame: pd.DataFrame,
    rules_dir: str,
    content_hash: str,
    as_of: str | None,
    backend: str = "durable",
    lang: str = "en",
) -> pd.DataFrame:
    """Evaluate one partition on a worker (rules loaded once per worker process), its error cells in ``lang``
    (the client's language does not travel to a worker by itself)."""
    with language(lang):
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
        A lazy Dask DataFrame with the columns of the results CSV; ``duplicate_of`` stays blank, since a partition
        cannot see earlier rows (``run_dask`` fills it in a reading pass, as ``sanctuary batch`` does).

    Raises:
        InputError: the rules were not loaded from a directory.
    """
    if not ruleset.root:
        raise InputError(_("evaluate_dask: the rules were not loaded from a directory the workers can read."))
    day = (as_of or dt.date.today()).isoformat()
    return frame.map_partitions(
        evaluate_partition,
        str(ruleset.root),
        ruleset.content_hash,
        day,
        backend,
        current_language(),
        meta=results_meta(ruleset),
    )


def _read_partition(
    path: str,
    rules_dir: str,
    content_hash: str,
    start: tuple[int, int],
    rows: int,
    columns: list[str],
    keep_columns: dict[str, str] | None = None,
    lang: str = "en",
) -> pd.DataFrame:
    """Read ``rows`` survey rows from ``start`` (file line, rows before it) on a worker, row errors in ``lang``."""
    with language(lang):
        survey = SurveyFile(path, _worker_ruleset(rules_dir, content_hash), keep_columns=keep_columns)
        if survey.columns != columns:
            raise InputError(_("{path}: the file changed while it was being read; run again.").format(path=path))
        lines, cells = [], []
        for line, row in survey.records(start=start, limit=rows):
            lines.append(line)
            cells.append(row)
    frame = pd.DataFrame(cells, columns=columns, dtype=str)
    frame["line"] = pd.Series(lines, dtype="int64")
    return frame


def read_survey_dask(
    source: str | Path,
    ruleset: Ruleset,
    *,
    rows_per_partition: int = 10_000,
    keep_columns: dict[str, str] | None = None,
) -> Any:
    """A survey CSV as a lazy Dask DataFrame, read by the project's reader in partitions of rows.

    Args:
        source: the survey's path, readable at the same path on every worker.
        ruleset: the rules (loaded from a directory every worker can read).
        rows_per_partition: respondent rows per partition.
        keep_columns: extra frame column -> survey header to carry through (see ``SurveyFile``).

    Returns:
        A ``dask.dataframe.DataFrame`` of text cells in canonical columns (as ``read_survey``), plus an int
        ``line`` column holding each row's file line; ``_row_error`` says why a row is malformed.

    Raises:
        InputError: the file cannot be read as a survey (checked on the client, before any task runs).
    """
    import dask
    import dask.dataframe as dd

    if not ruleset.root:
        raise InputError(_("read_survey_dask: the rules were not loaded from a directory the workers can read."))
    if rows_per_partition < 1:
        raise InputError(
            _("rows_per_partition: {rows_per_partition} is not a positive number of rows.").format(
                rows_per_partition=rows_per_partition
            )
        )
    path = str(Path(source).resolve())
    survey = SurveyFile(path, ruleset, keep_columns=keep_columns)
    starts = [(line, n) for n, (line, _) in enumerate(survey.records()) if n % rows_per_partition == 0]
    meta = pd.DataFrame({c: pd.Series(dtype=str) for c in survey.columns})
    meta["line"] = pd.Series(dtype="int64")
    read = dask.delayed(_read_partition, pure=True)
    parts = [
        read(
            path,
            str(ruleset.root),
            ruleset.content_hash,
            start,
            rows_per_partition,
            survey.columns,
            keep_columns,
            current_language(),
        )
        for start in starts
    ]
    return dd.from_delayed(parts, meta=meta, verify_meta=False)


def duplicate_marks(ruleset: Ruleset, source: str | Path) -> Generator[tuple[int, str], None, None]:
    """(line, the line of the earlier row it repeats or '') for every row in file order: a reading pass, no rules,
    read as the results are written so that only one chunk of marks is held at a time."""
    marker = DuplicateMarker()
    try:
        for columns, rows, lines in SurveyFile(source, ruleset).chunks():
            yield from zip(lines, marker.mark(ruleset, columns, rows, lines), strict=True)
    finally:
        marker.close()


def _fill_marks(rows: list[list[Any]], marks: Generator[tuple[int, str], None, None], duplicate_at: int) -> None:
    """Write each results row's ``duplicate_of`` from the marks, which come in the same file order."""
    for row in rows:
        line, mark = next(marks)
        if line != int(row[0]):  # cannot happen unless the file changed between the two reads
            raise InputError(
                _("line {line}: the survey changed while it was being read; run again.").format(line=row[0])
            )
        row[duplicate_at] = mark


def run_dask(
    ruleset: Ruleset,
    source: str | Path,
    output: str | Path,
    *,
    as_of: dt.date | None = None,
    rows_per_partition: int = 10_000,
    backend: str = "durable",
    in_flight: int | None = None,
    sink: Callable[[list[str], list[list[str]], list[int], list[list[Any]]], None] | None = None,
    keep_columns: dict[str, str] | None = None,
) -> int:
    """Evaluate a survey file on the current Dask scheduler and write the results CSV (as ``sanctuary batch``).

    Partitions are evaluated in parallel and written in file order as each one's turn comes, so the file is
    byte-identical to the one ``sanctuary batch`` writes and the client holds only the partitions in flight
    (``in_flight``, default twice the workers), never every result. The file appears at ``output`` only when
    complete; an interruption (Ctrl+C, SIGTERM, SIGHUP, a failed task) leaves no temporary file behind.
    ``sink`` and ``keep_columns`` work as in ``run_batch`` (one call per partition; ``output`` may then be None).
    Returns the number of rows written.
    """
    refuse_clashes([(_("the survey being read"), source)], [("output", output)])
    survey = read_survey_dask(source, ruleset, rows_per_partition=rows_per_partition, keep_columns=keep_columns)
    results = evaluate_dask(ruleset, survey, as_of=as_of, backend=backend)
    if sink is not None:
        return _run_dask_with_sink(ruleset, source, survey, results, output, sink)
    written = 0
    duplicate_at = results_columns(ruleset).index(DUPLICATE_COLUMN)
    # In file order, as sanctuary batch marks them, read alongside the results.
    with (
        contextlib.closing(duplicate_marks(ruleset, source)) as marks,
        open_atomic(output, "w", encoding="utf-8-sig", newline="") as handle,
    ):
        write_safe_rows(handle, [results_columns(ruleset)])
        # closing(): an interruption cancels the partitions still queued at once, not when the generator is collected.
        with contextlib.closing(_in_order(results.to_delayed(), in_flight)) as frames:
            for frame in frames:
                rows = frame.astype(object).values.tolist()
                _fill_marks(rows, marks, duplicate_at)
                write_safe_rows(handle, rows)
                written += len(rows)
                del frame, rows
    return written


def _in_order(parts: list[Any], in_flight: int | None) -> Generator[pd.DataFrame, None, None]:
    """Each partition's result in order, computing at most ``in_flight`` at once and dropping each once yielded."""
    import dask

    client = _current_client()
    if in_flight is None:
        workers = len(client.scheduler_info().get("workers", {})) if client is not None else os.cpu_count() or 1
        in_flight = 2 * max(1, workers)
    in_flight = max(1, in_flight)
    if client is None:  # the local threaded or process scheduler: compute window by window
        for start in range(0, len(parts), in_flight):
            yield from dask.compute(*parts[start : start + in_flight])
        return
    pending: deque[Any] = deque()
    remaining = iter(parts)
    try:
        for part in remaining:
            pending.append(client.compute(part))
            if len(pending) >= in_flight:
                future = pending.popleft()
                yield future.result()
                future.release()
        while pending:
            future = pending.popleft()
            yield future.result()
            future.release()
    finally:
        for future in pending:  # interrupted or failed: stop the work still queued
            with contextlib.suppress(Exception):
                future.cancel()


def _current_client() -> Any:
    """The distributed client in use, or None (no ``distributed``, or no client started)."""
    try:
        from distributed import default_client
    except ImportError:
        return None
    try:
        return default_client()
    except ValueError:
        return None


def _run_dask_with_sink(
    ruleset: Ruleset,
    source: str | Path,
    survey: Any,
    results: Any,
    output: str | Path | None,
    sink: Callable[[list[str], list[list[str]], list[int], list[list[Any]]], None],
) -> int:
    """run_dask with a sink: each partition's survey rows and results computed together (the read is shared),
    one partition at a time, so only one partition is held in memory."""
    import dask

    no_marks: tuple[tuple[int, str], ...] = ()
    marks = duplicate_marks(ruleset, source) if output else (mark for mark in no_marks)
    duplicate_at = results_columns(ruleset).index(DUPLICATE_COLUMN)
    written = 0
    with (
        contextlib.closing(marks),
        open_atomic(output, "w", encoding="utf-8-sig", newline="") if output else contextlib.nullcontext() as handle,
    ):
        if handle:
            write_safe_rows(handle, [results_columns(ruleset)])
        for survey_part, results_part in zip(survey.to_delayed(), results.to_delayed(), strict=True):
            rows_frame, frame = dask.compute(survey_part, results_part)
            rows = frame.astype(object).values.tolist()
            columns = [str(c) for c in rows_frame.columns]
            cells = rows_frame.astype(object).where(rows_frame.notna(), "").values.tolist()
            sink(columns, cells, [int(x) for x in rows_frame["line"]], rows)
            if handle:
                _fill_marks(rows, marks, duplicate_at)
                write_safe_rows(handle, rows)
            written += len(rows)
    return written
