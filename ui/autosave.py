"""Opt-in autosave of one assessment to a local file, so a reload or a closed tab loses nothing.

Streamlit keeps answers in the browser session only; a reload starts a new session. Keeping them in the
URL would leak them into history and logs, so instead, *only when the person ticks the box*, the app
writes the answers (the same YAML as "Save answers") to the user's data directory
(``platformdirs.user_data_dir``) and offers to resume from it. Nothing leaves the machine; unticking the
box deletes the file. No Streamlit import here (unit-testable).

What the file promises, after the way careful databases keep a write:

* A write is atomic: a temporary file beside the target, flushed and fsynced, renamed over it, and the
  folder fsynced. A crash or a full disk leaves the old file or the new one, never half of either.
* Writers take a lock (``filelock``, an OS file lock), so two tabs or two app processes saving at once
  take turns instead of interleaving.
* The previous file is kept as ``autosave.yaml.bak``; a file that cannot be read is moved aside to
  ``autosave.unreadable.yaml`` before anything replaces it, never deleted.
* An empty assessment never replaces a non-empty save (a fresh tab must not wipe yesterday's answers).
* No symbolic link is followed, on reading (``O_NOFOLLOW``) or writing (the temporary file is created
  with ``O_EXCL`` and renamed, which replaces a link instead of writing through it; a link in place of the
  file is refused).
* Reading never raises: a damaged file gives a one-line reason, and the file is kept.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from filelock import FileLock, Timeout

from engine import _

APP_NAME = "sanctuary-policy-evaluator"
FILE_NAME = "autosave.yaml"
BACKUP_SUFFIX = ".bak"
UNREADABLE_NAME = "autosave.unreadable.yaml"
LOCK_SUFFIX = ".lock"
# Tests (and people who want the file elsewhere) may point this at another folder.
DIR_ENV = "SANCTUARY_DATA_DIR"
MAX_BYTES = 1_000_000  # an assessment is a few KB; anything larger is not ours
LOCK_TIMEOUT_S = 30.0  # a write takes milliseconds; this only bounds a stuck writer
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class AutosaveError(OSError):
    """The autosave could not be written (the message says why in plain words)."""


@dataclass
class Saved:
    """What ``load`` found: the document when it is usable, otherwise the reason it is not."""

    document: dict[str, Any] | None = None
    problem: str = ""
    from_backup: bool = False
    path: Path = field(default_factory=lambda: autosave_path())

    @property
    def exists(self) -> bool:
        return self.document is not None or bool(self.problem)


def autosave_path() -> Path:
    """Where the autosave file lives (it may not exist)."""
    override = os.environ.get(DIR_ENV)
    if override:
        return Path(override) / FILE_NAME
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False)) / FILE_NAME


def backup_path() -> Path:
    path = autosave_path()
    return path.with_name(path.name + BACKUP_SUFFIX)


@contextlib.contextmanager
def _lock() -> Iterator[None]:
    """Hold the autosave lock (filelock opens its file without following a link)."""
    path = autosave_path()
    lock_path = path.with_name(path.name + LOCK_SUFFIX)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        lock = FileLock(str(lock_path), timeout=LOCK_TIMEOUT_S)
        lock.acquire()
    except Timeout:
        raise AutosaveError(
            _("another tab kept the autosave busy for {seconds} seconds").format(seconds=f"{LOCK_TIMEOUT_S:.0f}")
        ) from None
    except OSError as exc:
        raise AutosaveError(
            _("the lock file {path} cannot be used ({problem})").format(path=lock_path, problem=exc.strerror or exc)
        ) from None
    try:
        yield
    finally:
        lock.release()


def is_empty(document: dict[str, Any] | None) -> bool:
    """True when the document holds nothing a person typed or chose (no name, type, state or answer)."""
    if not document:
        return True
    inst = document.get("institution") or {}
    chosen = inst.get("name") or inst.get("types") or inst.get("state") or inst.get("public") is not None
    return not (chosen or document.get("answers"))


def _read_bytes(path: Path) -> bytes:
    """The file's bytes without following a symbolic link (ELOOP when ``path`` is one)."""
    fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise AutosaveError(_("it is not a regular file"))
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise AutosaveError(_("it is too large to be an autosave"))
    return data


def parse(data: bytes) -> dict[str, Any]:
    """Check an autosave file's content; return {institution, answers, section} or raise ValueError."""
    try:
        raw = yaml.safe_load(data.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError):
        raise ValueError(_("it is not readable YAML")) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("institution"), dict):
        raise ValueError(_("it does not describe an institution"))
    inst = raw["institution"]
    name = inst.get("name") or ""
    types = inst.get("types") or []
    state = inst.get("state")
    public = inst.get("public")
    if not isinstance(name, str):
        raise ValueError(_("the institution's name is not text"))
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
        raise ValueError(_("the institution types are not a list of names"))
    if state is not None and not isinstance(state, str):
        raise ValueError(_("the state is not a state code"))
    if public is not None and not isinstance(public, bool):
        raise ValueError(_("'public' is not yes or no"))
    answers = raw.get("answers") or {}
    if not isinstance(answers, dict) or not all(isinstance(k, str) for k in answers):
        raise ValueError(_("the answers are not a list of question and answer"))
    if any(isinstance(v, dict | list) for v in answers.values()):
        raise ValueError(_("an answer holds a list or a table instead of one value"))
    section = raw.get("section")
    section = section if isinstance(section, int) and not isinstance(section, bool) and section >= 0 else 0
    institution = {"name": name, "types": list(types), "state": state, "public": public}
    return {"institution": institution, "answers": dict(answers), "section": section}


def _read(path: Path) -> dict[str, Any]:
    """Read and check one file; raise ValueError with a plain reason."""
    try:
        data = _read_bytes(path)
    except FileNotFoundError:
        raise
    except OSError as exc:
        if exc.errno == getattr(os, "ELOOP", -1) or (path.is_symlink()):
            raise ValueError(_("it is a symbolic link, which the app does not follow")) from None
        raise ValueError(str(exc.strerror or exc)) from None
    return parse(data)


def load() -> Saved:
    """What the autosave holds. Never raises: a damaged file gives ``problem`` and is left in place.

    When the file is damaged but the backup (the save before it) reads, the backup is offered instead.
    """
    path = autosave_path()
    try:
        return Saved(document=_read(path), path=path)
    except FileNotFoundError:
        return Saved(path=path)
    except ValueError as exc:
        problem = _("Your saved answers in {path} could not be read: {problem}. The file is kept as it is.").format(
            path=path, problem=exc
        )
    try:
        return Saved(document=_read(backup_path()), problem=problem, from_backup=True, path=path)
    except (FileNotFoundError, ValueError):
        return Saved(problem=problem, path=path)


def exists() -> bool:
    """True when there is an autosave file (or a link or anything else in its place)."""
    return os.path.lexists(autosave_path())


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # some file systems cannot fsync a folder; the rename still stands
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def save(institution: dict[str, Any], answers: dict[str, Any], section: int = 0) -> bool:
    """Write the assessment (atomic, locked, previous kept as backup). False when nothing was written
    because the new assessment is empty and the file holds answers.

    Raises:
        AutosaveError: the file is a link or not a regular file, or the disk refused the write.
    """
    path = autosave_path()
    document = {"institution": dict(institution), "answers": dict(answers), "section": int(section)}
    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True).encode("utf-8")
    with _lock():
        current: dict[str, Any] | None = None
        readable = False
        if os.path.lexists(path):
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode) or not stat.S_ISREG(info.st_mode):
                raise AutosaveError(
                    _("{path} is a link or not a regular file, so autosave does not write to it").format(path=path)
                )
            with contextlib.suppress(ValueError):  # unreadable: set aside below, never parsed again
                current, readable = _read(path), True
        if is_empty(document) and not is_empty(current):
            return False
        fd, tmp = tempfile.mkstemp(prefix=".autosave-", suffix=".tmp", dir=path.parent)  # O_EXCL, mode 0600
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(body)
                handle.flush()
                os.fsync(handle.fileno())
            if os.path.lexists(path):
                # Keep the previous file: a readable one becomes the backup, an unreadable one is set aside.
                keep = backup_path() if readable else path.with_name(UNREADABLE_NAME)
                if not readable or current != document:
                    _link_over(path, keep)
            os.replace(tmp, path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise AutosaveError(
                _("the autosave could not be written ({problem})").format(problem=exc.strerror or exc)
            ) from None
        _fsync_dir(path.parent)
    return True


def _link_over(source: Path, target: Path) -> None:
    """Make ``target`` the same file as ``source`` (a hard link, so no copy can be half-written)."""
    staging = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(staging)
    try:
        os.link(source, staging, follow_symlinks=False)
    except OSError:  # a file system without hard links: copy through a temporary file instead
        fd, name = tempfile.mkstemp(prefix=".autosave-", suffix=".tmp", dir=source.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(_read_bytes(source))
            handle.flush()
            os.fsync(handle.fileno())
        staging = Path(name)
    os.replace(staging, target)


def delete() -> None:
    """Remove the autosave file and its backup (no error when there is none). The person unticked the box."""
    with _lock():
        for path in (autosave_path(), backup_path()):
            path.unlink(missing_ok=True)
