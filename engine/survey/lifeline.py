"""Process hygiene for batch runs: workers die with their parent, and signals end a run cleanly.

* in the main process, ``engine.cli.interrupt`` turns SIGTERM into an exception like Ctrl+C's, so every
  ``finally`` and ``except BaseException`` cleanup runs: the pool is stopped (``stop_pool``) and the
  temporary output removed.
* ``guard_worker`` runs first in every pool worker: the worker ignores SIGINT, SIGTERM and SIGHUP (Ctrl+C, a
  closed terminal or a signal to the process group reach every worker; the parent decides, and lets each
  finish the chunk in hand), asks Linux to SIGKILL it when the process that forked it dies (prctl
  PR_SET_PDEATHSIG; that is the forkserver, which itself exits when the batch process goes), and watches the
  batch process in a daemon thread for everything else (a SIGKILL to the parent, other platforms): the
  lifeline ends the worker when that process is gone, is a zombie its own parent never reaped, or its pid now
  belongs to another process (its start time changed).
* ``start_helpers`` starts multiprocessing's forkserver and resource tracker with SIGINT, SIGTERM and SIGHUP
  blocked.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

_PR_SET_PDEATHSIG = 1
_WATCH_SECONDS = 0.5
_GRACE_SECONDS = 10.0  # how long a stop waits for the chunks in hand before killing workers
# The signals that stop a batch: Ctrl+C, `kill`, a closed terminal (SIGHUP does not exist on Windows).
_STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


def _proc_stat(pid: int) -> tuple[str, str] | None:
    """(state letter, start time) of a process from Linux's /proc, or None when it cannot be read."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()  # the name in parentheses may hold spaces
    except (OSError, IndexError):
        return None
    return fields[0], fields[19]  # field 3 (state) and field 22 (start time) of proc(5)


def _parent_gone(pid: int, started: str | None) -> bool:
    """Whether the batch process has ended: gone, a zombie nobody reaped, or its pid reused by another process.

    kill(pid, 0) alone is not enough: a killed process whose own parent has not called wait() stays a zombie whose
    pid still answers, and the workers waited for it forever.
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # pragma: no cover - a pid reused by another user's process
        return True
    stat = _proc_stat(pid)
    if stat is None:
        return False
    state, start = stat
    return state in ("Z", "X", "x") or (started is not None and start != started)


def _watch(pid: int) -> None:
    stat = _proc_stat(pid)
    started = stat[1] if stat else None
    while True:
        time.sleep(_WATCH_SECONDS)
        if _parent_gone(pid, started):
            os._exit(1)  # no cleanup to do: a worker holds nothing but its copy of the rules


def guard_worker(parent_pid: int) -> None:
    """Call first in a pool worker: see the module docstring."""
    # Ctrl+C, a closed terminal and `kill -TERM -<group>` reach the whole process group. The batch process
    # decides: it lets each worker finish the chunk in hand, because a worker that dies while sending its
    # results leaves the pool waiting for the rest of them for ever.
    for number in _STOP_SIGNALS:
        signal.signal(number, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # SIGTERM is ignored, see above
    threading.Thread(target=_watch, args=(parent_pid,), name="parent-watch", daemon=True).start()


def start_helpers(start_method: str) -> None:
    """Start multiprocessing's resource tracker and forkserver deaf to Ctrl+C, SIGTERM and SIGHUP, before the pool.

    A closed terminal (SIGHUP) or `kill -TERM -<group>` reaches the whole process group: the tracker died of
    SIGHUP, was relaunched with a warning and printed a traceback per semaphore, and the forkserver died of
    either. Started with those signals blocked they keep them blocked (a signal mask crosses fork and exec), and
    end as they should when the batch process exits. Blocking rather than ignoring loses nothing in this
    process: a signal that arrives meanwhile is delivered here once unblocked. Does nothing for a helper that
    is already running.
    """
    from multiprocessing import forkserver, resource_tracker

    if not hasattr(signal, "pthread_sigmask"):
        return
    # SIGINT too: the forkserver ignores Ctrl+C only once it has imported the engine, and printed a traceback if
    # Ctrl+C came while it was still importing.
    held = set(_STOP_SIGNALS)
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        resource_tracker.ensure_running()  # it unblocks SIGINT and SIGTERM on its way out: block again
        if start_method == "forkserver":
            signal.pthread_sigmask(signal.SIG_BLOCK, held)
            forkserver.ensure_running()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold Ctrl+C, SIGTERM and SIGHUP until the block ends, then raise the first that came as usual.

    For ``pool.submit``, which may start a worker: a signal raised inside the start left a worker forked but not
    recorded by the pool, which read its start-up data after the pool had deleted the semaphores in it and
    printed a traceback beside the batch's one line. A signal mask would not do: the kernel hands a signal sent
    to the process to another thread, and Python then runs the handler in the main thread all the same. So the
    handlers themselves are swapped for one that only notes the signal. Only the main thread has handlers;
    elsewhere (the app) this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    noted: list[int] = []
    previous = {number: signal.signal(number, lambda signum, _frame: noted.append(signum)) for number in _STOP_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)
        if noted:
            signal.raise_signal(noted[0])  # handled now by the handler just put back


def stop_pool(pool: Any, grace: float = _GRACE_SECONDS) -> None:
    """Stop a ProcessPoolExecutor soon: drop queued work, let each worker finish the chunk in hand, reap them.

    Workers are not terminated straight away because a worker killed while it writes its results to the pool's
    pipe leaves a partial message there: the pool's manager thread then waits for the rest for ever, and the
    interpreter waits for that thread at exit, so an interrupted batch printed its one line and never ended (about
    one run in 80 under load). A chunk takes a fraction of a second; only a worker still busy after ``grace``
    seconds (a stuck one) is killed.
    """
    # ProcessPoolExecutor has no public "terminate"; these two attributes are stable across 3.11-3.12.
    processes = list(getattr(pool, "_processes", {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    if manager is not None:
        manager.join(grace)  # ends once the chunks already handed to workers are back and the workers have exited
        if not manager.is_alive():
            return
    for process in processes:  # workers ignore SIGTERM (see guard_worker): only SIGKILL stops a stuck one
        with contextlib.suppress(Exception):
            process.kill()
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(2)
