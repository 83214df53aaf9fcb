"""Issue 22 item 4: a cross-origin WebSocket attempt must not make the app reach the network.

Streamlit's origin check asks checkip.amazonaws.com and connects a UDP socket to 8.8.8.8 for a cross-origin
connection. The app is started as ``sanctuary ui`` starts it (``python -m ui.serve run ui/app.py``) under
``strace -f -e trace=connect,bind``, a web page's WebSocket is imitated (Origin: another site), and every
connect() the server made is read back: none may go to an address other than loopback. The same probe
against plain ``python -m streamlit run`` must see the lookup, so the check is shown to be able to fail.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "ui" / "app.py"
STRACE = shutil.which("strace")
# connect(5, {sa_family=AF_INET, sin_port=htons(1), sin_addr=inet_addr("8.8.8.8")}, 16) = 0
# connect(5, {sa_family=AF_INET6, sin6_port=htons(80), sin6_flowinfo=..., inet_pton(AF_INET6, "::1", ...
_ADDRESS = re.compile(r'inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)"')
LOOPBACK = ("127.", "::1", "::ffff:127.")

pytestmark = pytest.mark.skipif(
    STRACE is None, reason="strace is not installed (apt-get install -y strace); it is how this test sees connect()"
)


def _run_apart(coroutine_function, *args):
    """Run a coroutine on its own event loop in its own thread: Playwright's sync API (the browser tests, in the
    same pytest process) leaves an event loop running in the main thread, where asyncio.run() refuses to start."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine_function(*args)).result()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _cross_origin_websocket(port: int) -> str:
    """What a page on another site gets when it opens a WebSocket to the app."""
    import websockets

    try:
        async with websockets.connect(
            f"ws://127.0.0.1:{port}/_stcore/stream", origin="http://evil.example", open_timeout=10
        ):
            return "accepted"
    except websockets.exceptions.InvalidStatus as exc:
        return f"refused with HTTP {exc.response.status_code}"


def _connects_while_probed(module: str, tmp_path: Path) -> tuple[list[str], str]:
    """Start the app through ``module`` under strace, make two cross-origin attempts, return the
    non-loopback connect() lines and what the WebSocket got."""
    port = _free_port()
    trace = tmp_path / f"{module}.strace"
    env = {**os.environ, "HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT)}
    env["SANCTUARY_DATA_DIR"] = str(tmp_path / "data")
    command = [STRACE, "-f", "-qq", "-e", "trace=connect,bind", "-o", str(trace)]
    command += [sys.executable, "-m", module, "run", str(APP), "--server.port", str(port)]
    log = (tmp_path / f"{module}.log").open("wb")
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        started = time.monotonic()
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as response:
                    if response.read() == b"ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() - started > 90:
                pytest.fail("the app did not start:\n" + (tmp_path / f"{module}.log").read_text(errors="replace"))
            time.sleep(0.2)
        outcome = _run_apart(_cross_origin_websocket, port)
        _run_apart(_cross_origin_websocket, port)
        time.sleep(3)  # Streamlit's lookups time out after 1 s each; give any of them time to be traced
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)
        log.close()
    lines = trace.read_text(errors="replace").splitlines()
    # The server's own bind() to 127.0.0.1 shows strace followed the right process.
    assert any("bind(" in line and '"127.0.0.1"' in line for line in lines), "strace did not see the server"
    foreign = []
    for line in lines:
        if "connect(" not in line or "bind(" in line:
            continue
        match = _ADDRESS.search(line)
        if match and not (match.group(1) or match.group(2)).startswith(LOOPBACK):
            foreign.append(line.strip())
    return foreign, outcome


def test_a_cross_origin_websocket_makes_no_outbound_connection(tmp_path):
    foreign, outcome = _connects_while_probed("ui.serve", tmp_path)
    assert outcome.startswith("refused"), f"a page on another site was let in: {outcome}"
    assert foreign == [], "the app connected off this machine:\n" + "\n".join(foreign)


def test_the_probe_sees_streamlits_own_lookup_without_the_wrapper(tmp_path):
    """Plain `streamlit run` with the same config makes the lookup, so the test above can fail."""
    foreign, outcome = _connects_while_probed("streamlit", tmp_path)
    assert outcome.startswith("refused")
    assert any("8.8.8.8" in line for line in foreign), foreign
