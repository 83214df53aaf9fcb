"""`sanctuary ui` stops its Streamlit server when it is killed (SIGTERM), so the port is freed."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as response:
            return response.read() == b"ok"
    except OSError:
        return False


@pytest.mark.slow
def test_sigterm_on_sanctuary_ui_stops_the_server(tmp_path):
    port = _free_port()
    env = {**os.environ, "HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "engine.cli", "ui", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not _healthy(port):
            assert proc.poll() is None and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)  # only the `sanctuary` process, as `kill PID` would
        assert proc.wait(20) in (0, -signal.SIGTERM)
        assert not _healthy(port), "the Streamlit server still answers after `sanctuary ui` was killed"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.mark.parametrize("port", ["0", "-1", "65536", "http"])
def test_a_port_out_of_range_is_a_usage_error_before_streamlit_starts(port, capsys):
    from engine.cli.main import main

    with pytest.raises(SystemExit) as exc:  # Streamlit raised OverflowError from its own process for these
        main(["ui", "--port", port])
    assert exc.value.code == 2
    assert "--port" in capsys.readouterr().err
