"""Running a batch: chunks of rows through a process pool, in input order, to a results CSV and a summary.

Workers load the rules and build the durable backend once each; results keep input order whatever
the number of workers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import multiprocessing
import os
import stat
import sys
import tempfile
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.csv_safe import write_safe_rows
from engine.errors import EvaluationError, InputError
from engine.rules.loader import load_ruleset
from engine.rules.model import Institution, Ruleset, Submission
from engine.run.evaluate import evaluate
from engine.survey.layout import DEFAULT_CHUNK_ROWS, LONG_COLUMNS, results_columns
from engine.survey.lifeline import guard_worker, stop_pool
from engine.survey.reading import Survey, SurveyFile
from engine.survey.rows import RowEvaluator, canonical_frame, frame_rows, lines_for, long_frame, results_frame
from engine.survey.summary import SummaryBuilder

if TYPE_CHECKING:
    import pandas as pd

_WORKER_EVALUATOR: dict[str, RowEvaluator] = {}


def _init_worker(rules_dir: str, content_hash: str, as_of: str, backend: str, long: bool, parent: int) -> None:
    """Load the rules and build the rules engine once in this worker process."""
    guard_worker(parent)
    ruleset = load_ruleset(rules_dir)
    if ruleset.content_hash != content_hash:
        raise RuntimeError(f"{rules_dir}: the rules changed while the batch was starting; run it again.")
    evaluator = RowEvaluator(ruleset, dt.date.fromisoformat(as_of), backend, long)
    # Evaluating one empty submission builds the durable backend now rather than in the first chunk.
    first_type = next(iter(ruleset.institution_types))
    evaluate(ruleset, Submission(Institution("warm-up", (first_type,)), {}), as_of=evaluator.as_of, backend=backend)
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
) -> Iterator[tuple[list[list[Any]], list[list[Any]]]]:
    """Evaluate chunks in input order; with workers > 1 through a bounded process pool."""
    if workers < 1:
        raise InputError(f"--workers: {workers} is not a positive number of worker processes.")
    if workers == 1:
        evaluator = RowEvaluator(ruleset, as_of, backend, long)
        for chunk in chunks:
            yield evaluator.rows(*chunk)
        return
    if not ruleset.root:
        raise InputError("workers: the rules were not loaded from a directory; use one worker.")
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=_pool_context(),
        initializer=_init_worker,
        initargs=(ruleset.root, ruleset.content_hash, as_of.isoformat(), backend, long, os.getpid()),
    ) as pool:
        # A bounded window of chunks in flight keeps memory flat however long the file is.
        pending: deque[Any] = deque()
        try:
            for chunk in chunks:
                pending.append(pool.submit(_work, chunk))
                if len(pending) >= 2 * workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        except BrokenProcessPool:
            stop_pool(pool)
            raise EvaluationError(
                "a worker process stopped unexpectedly (out of memory?); run again with fewer --workers."
            ) from None
        except BaseException:
            # Interrupted, an error in the reader, or the consumer closing this generator: stop the
            # workers now rather than letting the pool finish the chunks already queued.
            stop_pool(pool)
            raise


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
    frame = canonical_frame(ruleset, survey.frame)
    lines = list(survey.lines) if survey.lines else lines_for(survey.frame, None)
    total = len(frame)
    summary = SummaryBuilder(ruleset)
    wide: list[list[Any]] = []
    long_rows: list[list[Any]] = []
    done = 0
    chunks = _chunk_frame(frame, lines, chunk_rows)
    for chunk_wide, chunk_long in _run_chunks(ruleset, chunks, workers=workers, as_of=day, backend=backend, long=long):
        summary.add_rows(chunk_wide)
        wide.extend(chunk_wide)
        long_rows.extend(chunk_long)
        done += len(chunk_wide)
        if progress is not None:
            progress(done, total)
    return BatchResult(
        results=results_frame(ruleset, wide),
        long=long_frame(long_rows) if long else None,
        summary=summary.result(
            source=survey.source, as_of=day, problems=survey.problems, ignored=survey.ignored_columns
        ),
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
    sink: Callable[[list[str], list[list[str]], list[int], list[list[Any]]], None] | None = None,
    keep_columns: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Stream a survey file to a results CSV (the ``sanctuary batch`` command).

    Rows are read, evaluated and written chunk by chunk, so memory stays flat however long the file.
    The CSV is written as UTF-8 with a byte-order mark (so Excel shows accents right), every cell
    neutralised against CSV injection; it appears at ``output`` only once complete.

    ``sink``, when given, is called once per chunk, in input order, as ``sink(columns, survey_rows, lines,
    results_rows)`` (the coalition store records a wave this way); ``keep_columns`` (frame column -> survey header)
    carries extra survey columns into ``survey_rows``. ``output`` may then be None to write no CSV.

    Returns:
        The summary document (also written to ``summary_path`` when given).

    Raises:
        InputError: the survey cannot be read, or an output cannot be written.
    """
    day = as_of or dt.date.today()
    _refuse_overwriting_input(source, output, summary_path)
    survey_file = SurveyFile(source, ruleset, name, keep_columns)
    summary = SummaryBuilder(ruleset)
    columns = LONG_COLUMNS if long else results_columns(ruleset)
    partial = temporary_for(output) if output else None
    try:
        handle = open(partial or output, "w", encoding="utf-8-sig", newline="") if output else None  # noqa: SIM115
    except OSError as exc:
        raise InputError(f"{output}: cannot write the file ({exc.strerror}).") from None
    target = handle or stdout or sys.stdout
    writing = output is not None or sink is None  # with a sink and no output, the store is the only output

    def write(rows: list[list[Any]]) -> None:
        try:
            write_safe_rows(target, rows)
        except OSError as exc:  # a full disk, a closed pipe: say so in one line, like a file that cannot be opened
            raise InputError(f"{output or 'standard output'}: cannot write the results ({exc.strerror}).") from None

    done = 0
    try:
        if writing:
            write([columns])
        chunks = survey_file.chunks(chunk_rows)
        sent: deque[tuple[list[str], list[list[str]], list[int]]] = deque()
        if sink is not None:
            chunks = _remembered(chunks, sent)
        with closing(_run_chunks(ruleset, chunks, workers=workers, as_of=day, backend=backend, long=long)) as run:
            for chunk_wide, chunk_long in run:
                summary.add_rows(chunk_wide)
                if sink is not None:
                    sink(*sent.popleft(), chunk_wide)  # results come back in the order the chunks were sent
                if writing:
                    write(chunk_long if long else chunk_wide)
                done += len(chunk_wide)
                if progress is not None:
                    progress(done, max(done, survey_file.estimated_rows))
        if handle:
            try:
                handle.close()  # flushes the last rows
            except OSError as exc:
                raise InputError(f"{output}: cannot write the results ({exc.strerror}).") from None
            if partial:
                os.replace(partial, output)
    except BaseException:
        # Interrupted (SIGINT/SIGTERM), or failed: nothing half-written is left behind.
        if handle:
            with contextlib.suppress(OSError):  # a full disk fails the close too; the first error is the one to say
                handle.close()
            if partial:
                partial.unlink(missing_ok=True)
        raise
    result = summary.result(
        source=survey_file.name, as_of=day, problems=survey_file.problems, ignored=survey_file.ignored_columns
    )
    if summary_path:
        text = json.dumps(result, indent=2, ensure_ascii=False) + "\n"
        temporary = temporary_for(summary_path)
        try:
            Path(temporary or summary_path).write_text(text, encoding="utf-8")
            if temporary:
                os.replace(temporary, summary_path)
        except OSError as exc:
            raise InputError(f"{summary_path}: cannot write the file ({exc.strerror}).") from None
        finally:
            if temporary:
                temporary.unlink(missing_ok=True)
    return result


def _remembered(chunks: Iterator[Any], sent: deque[Any]) -> Iterator[Any]:
    """The chunks, each also kept in ``sent`` until its results come back (a window of 2 x workers at most)."""
    for chunk in chunks:
        sent.append(chunk)
        yield chunk


def temporary_for(path: str | Path) -> Path | None:
    """The hidden temporary file to write ``path`` in and rename when complete, or None to write ``path`` directly.

    Directly when ``path`` exists and is not itself a regular file: a symbolic link (``/dev/stdout``), a device
    (``/dev/null``) or a named pipe. Renaming a finished file over it would replace the link or device itself (run
    as root, ``-o /dev/stdout`` and ``-o /dev/full`` replaced them with a results file). A directory is refused.
    """
    target = Path(path)
    if target.is_dir():
        raise InputError(f"{path}: is a directory; give the name of the file to write, e.g. {target / 'results.csv'}.")
    try:
        mode = os.lstat(target).st_mode
    except OSError:  # not there yet (or not reachable: opening it gives the message)
        mode = stat.S_IFREG
    return _temporary_beside(target) if stat.S_ISREG(mode) else None


def _temporary_beside(path: str | Path) -> Path:
    """A new hidden temporary file in the directory of ``path`` (so the final rename is atomic)."""
    target = Path(path)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise InputError(f"{path}: cannot write the file ({exc.strerror}).") from None
    os.close(fd)
    return Path(name)


def _refuse_overwriting_input(source: str | Path | bytes, *outputs: str | Path | None) -> None:
    if isinstance(source, bytes | bytearray):
        return
    for output in outputs:
        if not output:
            continue
        same = Path(output).resolve() == Path(source).resolve()
        with contextlib.suppress(OSError):
            same = same or os.path.samefile(output, source)
        if same:
            raise InputError(f"{output}: this is the survey being read; write the results to another file.")
