"""Opt-in autosave of one assessment to a local file, so a reload or a closed tab loses nothing.

Streamlit keeps answers in the browser session only; a reload starts a new session. Keeping them in the
URL would leak them into history and logs, so instead, *only when the person ticks the box*, the app
writes the answers (the same YAML as "Save answers") to the user's data directory
(``platformdirs.user_data_dir``) and offers to resume from it on the Start page. Nothing leaves the
machine; deleting the file or unticking the box removes it. No Streamlit import here (unit-testable).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

APP_NAME = "sanctuary-policy-evaluator"
FILE_NAME = "autosave.yaml"
# Tests (and people who want the file elsewhere) may point this at another folder.
DIR_ENV = "SANCTUARY_DATA_DIR"


def autosave_path() -> Path:
    """Where the autosave file lives (it may not exist)."""
    override = os.environ.get(DIR_ENV)
    if override:
        return Path(override) / FILE_NAME
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False)) / FILE_NAME


def save(institution: dict[str, Any], answers: dict[str, Any], section: int = 0) -> Path:
    """Write the assessment atomically (a crash never leaves half a file); readable by the owner only."""
    path = autosave_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"institution": dict(institution), "answers": dict(answers), "section": int(section)}
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        yaml.safe_dump(document, handle, sort_keys=False, allow_unicode=True)
    os.replace(tmp, path)
    return path


def load() -> dict[str, Any] | None:
    """The saved assessment (institution, answers, section), or None when there is none or it is unreadable."""
    path = autosave_path()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("institution"), dict):
        return None
    answers = data.get("answers") if isinstance(data.get("answers"), dict) else {}
    section = data.get("section") if isinstance(data.get("section"), int) else 0
    return {"institution": data["institution"], "answers": answers, "section": section}


def delete() -> None:
    """Remove the autosave file (no error when there is none)."""
    autosave_path().unlink(missing_ok=True)
