"""Stopping ``sanctuary batch --workers 2``: one line, the right exit code, no temporary file, no process left.

Uses the real command in a subprocess on a survey big enough to still be running when the signal
arrives (the bundled sample survey repeated), and psutil to list every descendant process
(forkserver, resource tracker, workers) before the signal and check they are all gone after.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.conftest import ROOT

SAMPLE = ROOT / "sample_policies" / "surveys" / "mixed_institutions.csv"


@pytest.fixture(scope="module")
def big_survey(tmp_path_factory) -> Path:
    lines = SAMPLE.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    path = tmp_path_factory.mktemp("big") / "survey.csv"
    path.write_text(lines[0] + "".join(lines[1:]) * 200, encoding="utf-8")  # ~8,800 rows
    return path


def _start(survey: Path, out: Path, *, own_group: bool = False) -> tuple[subprocess.Popen[str], list[psutil.Process]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "engine.cli", "batch", str(survey), "-o", str(out), "--workers", "2", "-q"]
    proc = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env, start_new_session=own_group)
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + 60
    descendants: list[psutil.Process] = []
    # Wait until both workers exist (forkserver + resource tracker + 2 workers) and results are being written.
    while time.monotonic() < deadline:
        descendants = parent.children(recursive=True)
        if len(descendants) >= 4 and any(p.name.endswith(".part") for p in out.parent.iterdir()):
            break
        time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("the batch did not start its workers within 60 s")
    time.sleep(0.5)
    assert proc.poll() is None, "the survey was too small: the batch ended before the signal"
    return proc, descendants


def _gone(processes: list[psutil.Process], within: float = 10.0) -> list[int]:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        alive = [p.pid for p in processes if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        if not alive:
            return []
        time.sleep(0.1)
    return alive


def _ended(proc: subprocess.Popen[str], descendants: list[psutil.Process], within: float = 30) -> str:
    """The batch's stderr once it and every process holding its stderr have ended; on a hang, kill them all and
    fail here (a process left running would otherwise surface later as another test's ResourceWarning)."""
    try:
        return proc.communicate(timeout=within)[1]
    except subprocess.TimeoutExpired:
        alive = [p for p in [psutil.Process(proc.pid), *descendants] if p.is_running()]
        names = [" ".join(p.cmdline())[:80] for p in alive]
        for process in alive:
            process.kill()
        proc.communicate()
        pytest.fail(f"the batch had not ended {within} s after the signal; still running: {names}")


@pytest.mark.parametrize(
    ("signum", "code", "word"),
    [(signal.SIGTERM, 143, "SIGTERM"), (signal.SIGINT, 130, "Ctrl+C"), (signal.SIGHUP, 129, "SIGHUP")],
)
def test_a_signal_stops_the_batch_cleanly(big_survey, tmp_path, signum, code, word):
    out = tmp_path / "results.csv"
    proc, descendants = _start(big_survey, out)
    proc.send_signal(signum)
    err = _ended(proc, descendants)
    assert proc.returncode == code, err
    assert err.strip().splitlines() == [f"sanctuary: stopped ({word}); nothing partial was written."]
    assert list(tmp_path.iterdir()) == []  # neither results.csv nor a temporary .part file
    assert _gone(descendants) == []


def test_workers_exit_when_the_batch_process_is_killed(big_survey, tmp_path):
    out = tmp_path / "results.csv"
    proc, descendants = _start(big_survey, out)
    proc.send_signal(signal.SIGKILL)  # no handler can run: the workers must notice by themselves
    proc.wait(timeout=30)  # not communicate(): the descendants hold stderr open until they exit
    assert _gone(descendants) == []
    proc.stderr.close()
    assert not out.exists()  # only the hidden temporary file may remain after SIGKILL


def test_workers_exit_when_the_killed_batch_process_is_not_reaped(big_survey, tmp_path):
    # A parent that never calls wait() leaves the batch process a zombie: its pid still answers kill(pid, 0), so a
    # worker watching for the pid to vanish waited forever. The lifeline reads the process's state instead.
    out = tmp_path / "results.csv"
    proc, descendants = _start(big_survey, out)
    workers = [p for p in descendants if p.is_running()]
    os.kill(proc.pid, signal.SIGKILL)
    try:
        assert _gone(workers, within=15) == []
        assert psutil.Process(proc.pid).status() == psutil.STATUS_ZOMBIE  # still unreaped: the case under test
    finally:
        proc.wait(timeout=30)
        proc.stderr.close()


@pytest.mark.parametrize(
    ("signum", "code", "word"), [(signal.SIGHUP, 129, "SIGHUP"), (signal.SIGTERM, 143, "SIGTERM")], ids=["hup", "term"]
)
def test_a_signal_to_the_whole_process_group_stops_the_batch_cleanly(big_survey, tmp_path, signum, code, word):
    # Closing the terminal sends SIGHUP to the whole process group (`kill -TERM -<group>` SIGTERM), so the workers,
    # the forkserver and multiprocessing's resource tracker get it too. They must leave the stop to the batch
    # process: a worker killed while sending its results left the batch waiting for ever, and a killed resource
    # tracker printed a traceback per semaphore.
    out = tmp_path / "results.csv"
    proc, descendants = _start(big_survey, out, own_group=True)
    os.killpg(proc.pid, signum)
    err = _ended(proc, descendants)
    assert proc.returncode == code, err
    assert err.strip().splitlines() == [f"sanctuary: stopped ({word}); nothing partial was written."]
    assert list(tmp_path.iterdir()) == []
    assert _gone(descendants) == []
