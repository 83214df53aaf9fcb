"""SIGTERM and SIGHUP as an exception, like Ctrl+C's KeyboardInterrupt, so cleanups run and the CLI says one line.

Kept apart from the survey code: every command runs inside ``signals_interrupt`` and most never load it.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import Any


class Interrupted(KeyboardInterrupt):
    """The run was stopped by a signal; ``exit_code`` is 128 + its number (130 SIGINT, 129 SIGHUP, 143 SIGTERM)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.exit_code = 128 + signum


def _raise_interrupted(signum: int, _frame: Any) -> None:
    raise Interrupted(signum)


@contextlib.contextmanager
def signals_interrupt() -> Iterator[None]:
    """While active (main thread only), SIGTERM and SIGHUP (a closed terminal) raise ``Interrupted`` like Ctrl+C
    raises KeyboardInterrupt, so a temporary output file is removed and the workers stopped."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught = [s for s in (signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s is not None]
    previous = {s: signal.signal(s, _raise_interrupted) for s in caught}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
