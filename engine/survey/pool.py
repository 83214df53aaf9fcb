"""Running a batch: chunks of rows through a process pool, in input order, to a results CSV and a summary.

Workers load the rules and build the durable backend once each; results keep input order whatever
the number of workers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.csv_safe import write_safe_rows
from engine.errors import EvaluationError, InputError
from engine.evaluator.evaluate import Evaluator
from engine.i18n import _, current_language, set_language
from engine.outputs import open_atomic, refuse_clashes, write_atomic
from engine.rules.loader import load_ruleset
from engine.rules.model import Institution, Ruleset, Submission
from engine.survey.coalition import DUPLICATE_COLUMN, RowExtras
from engine.survey.layout import DEFAULT_CHUNK_ROWS, LONG_COLUMNS, results_columns, with_kept
from engine.survey.lifeline import guard_worker, signals_deferred, start_helpers, stop_pool
from engine.survey.reading import Survey, SurveyFile
from engine.survey.rows import RowEvaluator, canonical_frame, frame_rows, lines_for, long_frame, results_frame
from engine.survey.summary import SummaryBuilder
from engine.survey.summary_files import summary_bytes

if TYPE_CHECKING:
    import pandas as pd

_WORKER_EVALUATOR: dict[str, RowEvaluator] = {}  # this worker process's one row evaluator, set by _init_worker


def _init_worker(
    rules_dir: str,
    content_hash: str,
    as_of: str,
    backend: str,
    long: bool,
    parent: int,
    lang: str = "en",
    rules_lang: str = "en",
) -> None:
    """Load the rules and build the rules engine once in this worker process, in the run's language."""
    guard_worker(parent)
    # The parent's language does not cross into a new process: set it here once, for every row this worker
    # evaluates (its error texts), and load the rules texts in it (the --long explanations).
    set_language(lang)
    ruleset = load_ruleset(rules_dir, lang=rules_lang)
    if ruleset.content_hash != content_hash:
        raise RuntimeError(
            _("{path}: the rules changed while the batch was starting; run it again.").format(path=rules_dir)
        )
    compiled = Evaluator(ruleset)  # each worker compiles the rules once, for all its chunks
    evaluator = RowEvaluator(ruleset, dt.date.fromisoformat(as_of), backend, long, compiled)
    # Evaluating one empty submission builds the durable backend now rather than in the first chunk.
    first_type = next(iter(ruleset.institution_types))
    compiled.evaluate(Submission(Institution("warm-up", (first_type,)), {}), as_of=evaluator.as_of, backend=backend)
    _WORKER_EVALUATOR["current"] = evaluator


def _work(chunk: tuple[list[str], list[list[str]], list[int]]) -> tuple[list[list[Any]], list[list[Any]]]:
    return _WORKER_EVALUATOR["current"].rows(*chunk)


def _pool_context() -> multiprocessing.context.BaseContext:
    # Never fork: the parent may hold a durable-rules engine and threads (Streamlit) that fork would copy.
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # Workers fork from a server that has already imported the engine: faster start, shared pages.
    context.set_forkserver_preload(["engine.survey.pool"])
    return context


def _run_chunks(
    ruleset: Ruleset,
    chunks: Iterator[tuple[list[str], list[list[str]], list[int]]],
    *,
    workers: int,
    as_of: dt.date,
    backend: str,
    long: bool,
) -> Generator[tuple[list[list[Any]], list[list[Any]]], None, None]:
    """Evaluate chunks in input order; with workers > 1 through a bounded process pool."""
    if workers < 1:
        raise InputError(_("--workers: {count} is not a positive number of worker processes.").format(count=workers))
    if workers == 1:
        evaluator = RowEvaluator(ruleset, as_of, backend, long)
        with _compiled_sets_given_back(ruleset, backend):
            for chunk in chunks:
                yield evaluator.rows(*chunk)
        return
    if not ruleset.root:
        raise InputError(_("workers: the rules were not loaded from a directory; use one worker."))
    context = _pool_context()
    start_helpers(context.get_start_method())
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_init_worker,
        initargs=(
            ruleset.root,
            ruleset.content_hash,
            as_of.isoformat(),
            backend,
            long,
            os.getpid(),
            current_language(),
            ruleset.lang,
        ),
    ) as pool:
        # A bounded window of chunks in flight keeps memory flat however long the file is.
        pending: deque[Any] = deque()
        try:
            for chunk in chunks:
                with signals_deferred():  # submit may be starting a worker: never interrupt that halfway
                    pending.append(pool.submit(_work, chunk))
                if len(pending) >= 2 * workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        except BrokenProcessPool:
            stop_pool(pool)
            raise EvaluationError(
                _("a worker process stopped unexpectedly (out of memory?); run again with fewer --workers.")
            ) from None
        except BaseException:
            # Interrupted, an error in the reader, or the consumer closing this generator: stop the
            # workers now rather than letting the pool finish the chunks already queued.
            stop_pool(pool)
            raise


@contextlib.contextmanager
def _compiled_sets_given_back(ruleset: Ruleset, backend: str) -> Iterator[None]:
    """Evaluating in this process (the app, one worker): afterwards drop the type sets the run compiled, so the
    process returns to its size before the run (a survey may name hundreds of type combinations)."""
    if backend != "durable":
        yield
        return
    from engine.evaluator.evaluate import evaluator_for

    engines = evaluator_for(ruleset).durable
    before = engines.compiled_types
    try:
        yield
    finally:
        engines.release_except(before)


@dataclass
class BatchResult:
    """What a batch run produced: the results frame, the long frame (when asked) and the summary."""

    results: pd.DataFrame
    long: pd.DataFrame | None
    summary: dict[str, Any]


def _chunk_frame(
    frame: pd.DataFrame, lines: list[int], size: int
) -> Iterator[tuple[list[str], list[list[str]], list[int]]]:
    columns, rows = frame_rows(frame)
    for start in range(0, len(rows), size):
        yield columns, rows[start : start + size], lines[start : start + size]


def evaluate_survey(
    ruleset: Ruleset,
    survey: Survey,
    *,
    workers: int = 1,
    as_of: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
    long: bool = False,
    backend: str = "durable",
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> BatchResult:
    """Evaluate a survey read by ``read_survey`` (the UI's batch page calls this).

    Args:
        ruleset: the loaded rules.
        survey: the survey.
        workers: processes to evaluate in (1 = in this process).
        as_of: the date the law is applied at (today when None).
        progress: called as ``progress(done_rows, total_rows)`` after every chunk.
        long: also build the long frame (one row per respondent and applicable control).
        backend: "durable" (default) or "oracle".
        chunk_rows: rows per chunk sent to a worker.

    Returns:
        The results (input order, identical whatever ``workers``), the long frame or None, and the summary.
    """
    day = as_of or dt.date.today()
    kept = list(survey.kept_columns)
    frame = canonical_frame(ruleset, survey.frame, kept)
    lines = list(survey.lines) if survey.lines else lines_for(survey.frame, None)
    total = len(frame)
    summary = SummaryBuilder(ruleset)
    extras = RowExtras(ruleset, kept, results_columns(ruleset).index(DUPLICATE_COLUMN))
    wide: list[list[Any]] = []
    long_rows: list[list[Any]] = []
    done = 0
    chunks = extras.watch(_chunk_frame(frame, lines, chunk_rows))
    for chunk_wide, chunk_long in _run_chunks(ruleset, chunks, workers=workers, as_of=day, backend=backend, long=long):
        summary.add_rows(chunk_wide)
        extras.apply(chunk_wide, chunk_long)
        wide.extend(chunk_wide)
        long_rows.extend(chunk_long)
        done += len(chunk_wide)
        if progress is not None:
            progress(done, total)
    result = summary.result(source=survey.source, as_of=day, problems=survey.problems, ignored=survey.ignored_columns)
    result["duplicates"] = extras.duplicates
    return BatchResult(
        results=results_frame(ruleset, wide, kept),
        long=long_frame(long_rows, kept) if long else None,
        summary=result,
    )


def run_batch(
    ruleset: Ruleset,
    source: str | Path | bytes,
    output: str | Path | None,
    *,
    workers: int = 1,
    as_of: dt.date | None = None,
    long: bool = False,
    summary_path: str | Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    backend: str = "durable",
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    stdout: Any = None,
    name: str | None = None,
    keep: list[str] | None = None,
    sink: Callable[[list[str], list[list[str]], list[int], list[list[Any]]], None] | None = None,
    keep_columns: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Stream a survey file to a results CSV (the ``sanctuary batch`` command).

    Rows are read, evaluated and written chunk by chunk, so memory stays flat however long the file.
    The CSV is written as UTF-8 with a byte-order mark (so Excel shows accents right), every cell
    neutralised against CSV injection; it appears at ``output`` only once complete and synced to disk
    (``engine.outputs``), and an output naming the survey or the other output is refused.

    ``keep`` names other columns of the survey (a form's Timestamp, Email) to carry through, right after
    ``line``; ``duplicate_of`` marks rows that repeat an earlier one (engine/survey/coalition.py). A summary path
    ending in .csv or .xlsx gets the summary as a table or a workbook (engine/survey/summary_files.py).

    ``sink``, when given, is called once per chunk, in input order, as ``sink(columns, survey_rows, lines,
    results_rows)`` (the coalition store records a wave this way); ``keep_columns`` (frame column -> survey header)
    carries extra survey columns into ``survey_rows``. ``output`` may then be None to write no CSV.

    Returns:
        The summary document (also written to ``summary_path`` when given).

    Raises:
        InputError: the survey cannot be read, or an output cannot be written.
    """
    day = as_of or dt.date.today()
    source_path = None if isinstance(source, bytes | bytearray) else source
    refuse_clashes([(_("the survey being read"), source_path)], [("-o", output), ("--summary", summary_path)])
    survey_file = SurveyFile(source, ruleset, name, keep, keep_columns)
    summary = SummaryBuilder(ruleset)
    columns = with_kept(LONG_COLUMNS if long else results_columns(ruleset), survey_file.kept)
    extras = RowExtras(
        ruleset, survey_file.kept, results_columns(ruleset).index(DUPLICATE_COLUMN), trailing=len(keep_columns or {})
    )
    writing = output is not None or sink is None  # with a sink and no output, the store is the only output
    with open_atomic(output, "w", encoding="utf-8-sig", newline="") if output else nullcontext(None) as handle:
        target = handle or stdout or sys.stdout

        def write(rows: list[list[Any]]) -> None:
            if handle is not None:  # open_atomic turns a failed write into one line and keeps the old file
                write_safe_rows(handle, rows)
                return
            try:
                write_safe_rows(target, rows)
            except OSError as exc:  # a full disk, a closed pipe: one line, like a file that cannot be opened
                where = output or _("standard output")
                raise InputError(
                    _("{path}: cannot write the results ({reason}).").format(path=where, reason=exc.strerror)
                ) from None

        done = 0
        if writing:
            write([columns])
        chunks = extras.watch(survey_file.chunks(chunk_rows))
        sent: deque[tuple[list[str], list[list[str]], list[int]]] = deque()
        if sink is not None:
            chunks = _remembered(chunks, sent)
        with closing(_run_chunks(ruleset, chunks, workers=workers, as_of=day, backend=backend, long=long)) as run:
            for chunk_wide, chunk_long in run:
                summary.add_rows(chunk_wide)
                if sink is not None:  # before the extras: the store reads the plain results layout
                    sink(*sent.popleft(), chunk_wide)  # results come back in the order the chunks were sent
                extras.apply(chunk_wide, chunk_long)
                if writing:
                    write(chunk_long if long else chunk_wide)
                done += len(chunk_wide)
                if progress is not None:
                    progress(done, max(done, survey_file.estimated_rows))
    result = summary.result(
        source=survey_file.name, as_of=day, problems=survey_file.problems, ignored=survey_file.ignored_columns
    )
    result["duplicates"] = extras.duplicates
    if summary_path:
        write_atomic(summary_path, summary_bytes(result, summary_path, ruleset))
    return result


def _remembered(chunks: Iterator[Any], sent: deque[Any]) -> Iterator[Any]:
    """The chunks, each also kept in ``sent`` until its results come back (a window of 2 x workers at most)."""
    for chunk in chunks:
        sent.append(chunk)
        yield chunk
