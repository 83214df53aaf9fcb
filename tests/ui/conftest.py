"""AppTest fixtures: a fresh app per test, with Streamlit's process-wide caches cleared."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "ui" / "app.py")
SAMPLES = ROOT / "sample_policies" / "answers"


@pytest.fixture
def new_app(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], AppTest]]:
    """Factory for a started app (real rules unless a test sets SANCTUARY_RULES)."""
    monkeypatch.delenv("SANCTUARY_RULES", raising=False)
    monkeypatch.delenv("SANCTUARY_BACKEND", raising=False)
    st.cache_resource.clear()
    st.cache_data.clear()

    def make() -> AppTest:
        # The default 3 s timeout is too tight for the first run, which loads and compiles the rules.
        return AppTest.from_file(APP, default_timeout=60).run()

    yield make
    st.cache_resource.clear()
