"""Real-browser fixtures: `streamlit run ui/app.py` on a free local port, Debian chromium via Playwright.

Every test's page records each request it makes; the test fails if any goes to a host other than the
app's. Screenshots go to $SCREENSHOT_DIR (default test-artifacts/screenshots), plus FAILED-<test>.png.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "ui" / "app.py"
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR") or ROOT / "test-artifacts" / "screenshots")
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these chromium itself calls Google, which would drown the privacy assertion in noise.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app, started as a user would (the shipped ui/.streamlit/config.toml applies), on a free port."""
    if not Path(CHROMIUM).exists():
        message = f"chromium not found at {CHROMIUM}; install Debian's chromium package"
        if os.environ.get("CI"):  # CI installs chromium (.ci/run): a missing browser is a failure there
            pytest.fail(message)
        pytest.skip(message)
    home = tmp_path_factory.mktemp("home")  # a throw-away HOME shows whether Streamlit writes anything there
    port = _free_port()
    log_path = tmp_path_factory.mktemp("server") / "streamlit.log"
    # Autosave (opt-in) writes under SANCTUARY_DATA_DIR: a throw-away folder here.
    data = tmp_path_factory.mktemp("data")
    env = {**os.environ, "HOME": str(home), "PYTHONPATH": str(ROOT), "SANCTUARY_DATA_DIR": str(data)}
    env.pop("SANCTUARY_RULES", None)
    env.pop("SANCTUARY_BACKEND", None)
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            # As `sanctuary ui` starts it: Streamlit's own command line with its address lookups switched off.
            [sys.executable, "-m", "ui.serve", "run", str(APP), "--server.port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group, so teardown stops exactly this tree
        )
    url = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                    if response.read() == b"ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() - started > 60:
                raise RuntimeError("streamlit did not start:\n" + log_path.read_text(errors="replace"))
            time.sleep(0.1)
        print(f"\nstreamlit healthy after {time.monotonic() - started:.1f} s on {url}")
        yield url
        assert not (home / ".streamlit").exists(), "Streamlit wrote to ~/.streamlit (machine id or credentials)"
        log_text = log_path.read_text(errors="replace")
        assert "Traceback" not in log_text, log_text
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def browser(app_server: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, app_server: str, request: pytest.FixtureRequest):
    """A fresh browser context and page; asserts afterwards that nothing left 127.0.0.1:<port>."""
    context = browser.new_context(accept_downloads=True, locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    context.add_init_script(SPINNER_WATCH)
    pg = context.new_page()
    seen: list[str] = []
    pg.on("request", lambda r: seen.append(r.url))
    yield pg
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(SCREENSHOTS / f"FAILED-{request.node.name}.png"), full_page=True)
    context.close()
    app_host = urlparse(app_server).netloc
    foreign = [u for u in seen if not u.startswith(("data:", "blob:")) and urlparse(u).netloc != app_host]
    assert foreign == [], f"the page requested other hosts: {foreign}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def wait_for_app(page, timeout_ms: int = 30_000, stable_ms: int = 300, initial_ms: int = 210) -> None:
    """Wait until Streamlit is connected and its script has stayed 'notRunning' for ``stable_ms``.

    st.rerun/st.switch_page produce two runs with a short idle gap between them, so a single check
    of the script state can return too early.
    """
    from playwright.sync_api import expect

    page.wait_for_timeout(initial_ms)
    page.locator("[data-testid='stApp'][data-test-connection-state='CONNECTED']").wait_for(
        state="attached", timeout=timeout_ms
    )
    deadline = time.monotonic() + timeout_ms / 1000
    quiet_since = None
    while time.monotonic() < deadline:
        state = page.get_by_test_id("stApp").get_attribute("data-test-script-state")
        if state == "notRunning":
            quiet_since = quiet_since or time.monotonic()
            if (time.monotonic() - quiet_since) * 1000 >= stable_ms:
                break
        else:
            quiet_since = None
        page.wait_for_timeout(50)
    else:
        raise AssertionError("the app did not settle")
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0)


def screenshot(page, name: str) -> Path:
    """Keep a full-page screenshot as a test artifact."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# Records whether Streamlit's spinner was ever shown (the evaluation can be quicker than a poll).
SPINNER_WATCH = """
window.__spinnerSeen = false;
window.__planAt = null;
new MutationObserver(() => {
  const text = document.body ? document.body.innerText : '';
  const busy = text.includes('Evaluating your answers') || text.includes('Preparing your results');
  if (document.querySelector('[data-testid="stSpinner"]') || busy) {
    window.__spinnerSeen = true;
  }
  const headings = [...document.querySelectorAll('h2')];
  if (window.__planAt === null && headings.some(h => h.textContent.includes('Your action plan'))) {
    window.__planAt = performance.now();
  }
}).observe(document, {childList: true, subtree: true});
"""
# st.spinner appears only after 0.5 s (Streamlit's delay against flicker): a quicker evaluation needs none.
SPINNER_DELAY_MS = 700


def start_timing(page) -> None:
    """Call just before the click that evaluates the answers."""
    page.evaluate("window.__spinnerSeen = false; window.__planAt = null; window.__clickAt = performance.now()")


def assert_no_blank_wait(page) -> None:
    """The results came within the spinner's delay, or a spinner said the evaluation was running."""
    seen, waited = page.evaluate("[window.__spinnerSeen, window.__planAt - window.__clickAt]")
    assert seen or waited < SPINNER_DELAY_MS, f"{waited:.0f} ms without a spinner before the results appeared"


SERIOUS = ("serious", "critical")


def axe_violations(page) -> list[str]:
    """Serious and critical axe-core violations on the page (axe.min.js ships in the package: offline)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + str([(n["target"], n["html"][:80], [a["message"] for a in n["any"]]) for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v.get("impact") in SERIOUS
    ]


def audit(page, name: str) -> None:
    """Every page a user reaches: no serious axe violation, and screenshots at 1280 and 390 px wide."""
    from playwright.sync_api import expect

    # Elements left from the previous run are faded while Streamlit reruns; judge the settled page.
    expect(page.locator("[data-stale='true']")).to_have_count(0)
    problems = axe_violations(page)
    assert problems == [], f"{name}: accessibility violations: {problems}"
    screenshot(page, f"{name}-1280")
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    screenshot(page, f"{name}-390")
    page.set_viewport_size(size)
    page.wait_for_timeout(200)
    assert overflow <= 1, f"{name}: the page is {overflow}px wider than a 390px phone screen"
