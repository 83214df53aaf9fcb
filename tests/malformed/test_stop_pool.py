"""``stop_pool``: an interrupted batch lets each worker finish the chunk in hand, and only a stuck worker is killed.

A worker killed while writing its results to the pool's pipe left half a message there; the pool's manager
thread then waited for the rest for ever and the interpreter for that thread at exit (CI, 8 December: a batch
stopped by SIGHUP printed its line and never ended). These tests use a real forkserver pool, as ``run_batch`` does.
"""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from engine.survey.lifeline import stop_pool


def _chunk_that_finishes(marker: str, seconds: float) -> bytes:
    time.sleep(seconds)
    Path(marker).write_text("done", encoding="utf-8")
    return b"x" * 4_000_000  # bigger than a pipe's buffer: the result takes several writes to send


def _stuck_chunk(seconds: float) -> None:
    time.sleep(seconds)


def _pool() -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("forkserver"))


def _started(pool: ProcessPoolExecutor, future, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    while not future.running() or len(pool._processes) < 1:
        if time.monotonic() > deadline:
            pytest.fail("the pool did not start the task")
        time.sleep(0.05)
    time.sleep(0.2)  # the worker has taken the task and is inside it


def test_a_worker_finishes_the_chunk_in_hand_and_the_pool_ends(tmp_path):
    marker = tmp_path / "finished"
    pool = _pool()
    future = pool.submit(_chunk_that_finishes, str(marker), 1.0)
    queued = [pool.submit(_chunk_that_finishes, str(tmp_path / f"queued{i}"), 1.0) for i in range(6)]
    _started(pool, future)
    processes = list(pool._processes.values())
    manager = pool._executor_manager_thread

    stop_pool(pool)

    assert marker.read_text(encoding="utf-8") == "done"  # not terminated mid-chunk (nor mid-write of its result)
    assert len(future.result(timeout=0)) == 4_000_000
    assert not manager.is_alive()  # nothing left for the interpreter to wait for at exit
    assert not any(p.is_alive() for p in processes)
    assert any(f.cancelled() for f in queued)  # work not yet handed to a worker is dropped


def test_a_stuck_worker_is_terminated_after_the_grace(tmp_path):
    pool = _pool()
    future = pool.submit(_stuck_chunk, 600)
    _started(pool, future)
    processes = list(pool._processes.values())

    started = time.monotonic()
    stop_pool(pool, grace=1.0)

    assert time.monotonic() - started < 15
    assert not any(p.is_alive() for p in processes)
