"""Where the shipped data lives: rules, clauses, samples and the app, found through importlib.resources.

The wheel keeps the checkout's layout (``rulesets/``, ``sample_policies/`` and ``ui/`` are packages with
their files as package data), so the same lookup works in a checkout, an editable install and a
regular ``pip install`` / ``pipx install`` of the wheel, wherever the current directory is.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path


def data_dir(package: str) -> Path:
    """The folder of a shipped data package ('rulesets', 'sample_policies' or 'ui')."""
    try:
        found = importlib.resources.files(package)
    except ModuleNotFoundError:  # a source tree without the package on sys.path: it sits beside engine/
        return Path(__file__).resolve().parent.parent / package
    return Path(str(found))
