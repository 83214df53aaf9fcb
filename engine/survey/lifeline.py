"""Process hygiene for batch runs: workers die with their parent, and signals end a run cleanly.

* in the main process, ``engine.cli.interrupt`` turns SIGTERM into an exception like Ctrl+C's, so every
  ``finally`` and ``except BaseException`` cleanup runs: the pool is stopped (``stop_pool``) and the
  temporary output removed.
* ``guard_worker`` runs first in every pool worker: the worker ignores SIGINT and SIGHUP (Ctrl+C and a
  closed terminal reach the whole process group; the parent decides), asks Linux to SIGTERM it when the
  process that forked it dies (prctl PR_SET_PDEATHSIG; that is the forkserver, which itself exits when the
  batch process goes), and watches the batch process in a daemon thread for everything else (a SIGKILL to
  the parent, other platforms): the lifeline ends the worker when that process is gone, is a zombie its own
  parent never reaped, or its pid now belongs to another process (its start time changed).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time
from typing import Any

_PR_SET_PDEATHSIG = 1
_WATCH_SECONDS = 0.5
_GRACE_SECONDS = 10.0  # how long a stop waits for the chunks in hand before terminating workers


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
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGHUP"):  # a closed terminal signals the whole process group: again the parent decides
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    threading.Thread(target=_watch, args=(parent_pid,), name="parent-watch", daemon=True).start()


def start_helpers(start_method: str) -> None:
    """Start multiprocessing's resource tracker (and forkserver) deaf to SIGHUP, before the pool needs them.

    A closed terminal sends SIGHUP to the whole process group: the tracker died of it, was relaunched with a
    warning and printed a traceback per semaphore, around the batch's one line. Started with SIGHUP blocked they
    keep it blocked (a mask crosses fork and exec; neither changes it), and end as they should when the batch
    process exits. Blocking rather than ignoring loses nothing here: a SIGHUP that arrives meanwhile is delivered
    to this thread once unblocked. Does nothing when they are already running.
    """
    from multiprocessing import forkserver, resource_tracker

    hangup = {signal.SIGHUP} if hasattr(signal, "SIGHUP") else set()
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, hangup) if hangup else set()
    try:
        if start_method == "forkserver":
            forkserver.ensure_running()  # starts the tracker first
        else:
            resource_tracker.ensure_running()
    finally:
        if hangup and signal.SIGHUP not in blocked:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, hangup)


def stop_pool(pool: Any, grace: float = _GRACE_SECONDS) -> None:
    """Stop a ProcessPoolExecutor soon: drop queued work, let each worker finish the chunk in hand, reap them.

    Workers are not terminated straight away because a worker killed while it writes its results to the pool's
    pipe leaves a partial message there: the pool's manager thread then waits for the rest for ever, and the
    interpreter waits for that thread at exit, so an interrupted batch printed its one line and never ended (about
    one run in 80 under load). A chunk takes a fraction of a second; only a worker still busy after ``grace``
    seconds (a stuck one) is terminated, then killed.
    """
    # ProcessPoolExecutor has no public "terminate"; these two attributes are stable across 3.11-3.12.
    processes = list(getattr(pool, "_processes", {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    if manager is not None:
        manager.join(grace)  # ends once the chunks already handed to workers are back and the workers have exited
        if not manager.is_alive():
            return
    for process in processes:
        with contextlib.suppress(Exception):
            process.terminate()
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(2)
            if process.is_alive():
                process.kill()
                process.join(1)
