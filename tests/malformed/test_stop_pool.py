"""``stop_pool``: an interrupted batch lets each worker finish the chunk in hand, and only a stuck worker is killed;
``signals_deferred``: a signal never lands inside the start of a worker.

A worker killed while writing its results to the pool's pipe left half a message there; the pool's manager
thread then waited for the rest for ever and the interpreter for that thread at exit (CI, 8 December: a batch
stopped by SIGHUP printed its line and never ended). These tests use a real forkserver pool, as ``run_batch`` does.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
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


def test_a_stuck_worker_is_killed_after_the_grace(tmp_path):
    pool = _pool()
    future = pool.submit(_stuck_chunk, 600)
    _started(pool, future)
    processes = list(pool._processes.values())

    started = time.monotonic()
    stop_pool(pool, grace=1.0)

    assert time.monotonic() - started < 15
    assert not any(p.is_alive() for p in processes)


def test_a_signal_during_a_submit_is_raised_just_after_it():
    # The kernel hands a signal sent to the process to any thread that does not block it, and Python then runs
    # the handler in the main thread anyway, so a signal mask cannot hold it: the handlers are swapped instead.
    from engine.cli.interrupt import Interrupted, signals_interrupt
    from engine.survey.lifeline import signals_deferred

    other_thread = threading.Thread(target=time.sleep, args=(2,), daemon=True)  # as the pool's manager thread
    other_thread.start()
    reached_the_end = False
    with signals_interrupt(), pytest.raises(Interrupted) as raised, signals_deferred():
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.2)  # long enough for the handler to have run, had it not been held
        reached_the_end = True
    assert reached_the_end
    assert raised.value.exit_code == 143
    assert signal.getsignal(signal.SIGTERM) is not None  # the handlers in force before are back
