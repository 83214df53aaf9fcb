"""Where the shipped data lives: rules, clauses, samples and the app, found through the import system.

The wheel keeps the checkout's layout (``rulesets/``, ``sample_policies/`` and ``ui/`` are packages with
their files as package data), so the same lookup works in a checkout, an editable install and a
regular ``pip install`` / ``pipx install`` of the wheel, wherever the current directory is.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path


def data_dir(package: str) -> Path:
    """The folder of a shipped data package ('rulesets', 'sample_policies' or 'ui').

    ``find_spec`` locates the package without importing it. ``importlib.resources.files`` did the same job but
    imported tempfile, inspect and more on every start, about 10 ms of a 0.3 s ``sanctuary evaluate``.
    """
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):  # a parent that is not a package, or a module whose __spec__ is None
        spec = None
    if spec is None or not spec.submodule_search_locations:  # not importable: it sits beside engine/
        return Path(__file__).resolve().parent.parent / package
    return Path(next(iter(spec.submodule_search_locations)))
