"""Writing output files so that no write loses a file (reports, drafts, results, summaries, templates).

The promises, modelled on what SQLite and PostgreSQL promise about a commit:

* **All or nothing.** A file is written to a new hidden temporary file beside the target
  (``.<name>.<random>.part``, created with ``O_EXCL`` so it never follows a planted link), flushed and
  ``fsync``-ed, given its final mode, then renamed over the target, and the directory is ``fsync``-ed so the
  rename itself survives a power cut. Until the rename the previous file is untouched; after it the new file
  is complete. A failed write (a full disk, a quota, an I/O error) or an interruption removes the temporary
  file and leaves the previous file as it was. As PostgreSQL learnt, a failed ``fsync`` is never retried:
  the data it covered may already be gone, so the write is reported as failed.
* **Never over an input.** An output that is the same file as an input (``os.path.samefile``: through a
  symbolic or hard link too) or as another output of the same command is refused before anything is read.
* **Modes as the user's umask says.** A new file gets ``0666 & ~umask`` (what the shell's ``>`` gives); a
  replaced file keeps its mode.
* **Links and devices.** An output that is a symbolic link to a regular file replaces that file (the one the
  user named through the link), atomically as above, and the link stays a link. A device or named pipe
  (``/dev/stdout``, ``/dev/null``, a FIFO) cannot be renamed over, so it is written directly.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from engine.errors import InputError
from engine.i18n import _

PathLike = str | os.PathLike[str]

_UMASK_LOCK = threading.Lock()


def current_umask() -> int:
    """The process's umask, read without changing it where Linux allows (``/proc/self/status``)."""
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    with _UMASK_LOCK:  # elsewhere: set and restore it (a brief window other threads never write files in)
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def _regular(path: PathLike) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _same(a: PathLike, b: PathLike) -> bool:
    """Whether two paths name the same regular file (through links too), or the same file still to be made."""
    if _regular(a) and _regular(b):
        with contextlib.suppress(OSError):
            return os.path.samefile(a, b)
    if not os.path.lexists(a) and not os.path.lexists(b):
        return Path(a).resolve() == Path(b).resolve()
    return False


def refuse_clashes(
    inputs: Iterable[tuple[str, PathLike | None]], outputs: Iterable[tuple[str, PathLike | None]]
) -> None:
    """Refuse outputs that would overwrite an input or each other.

    Args:
        inputs: (what it is, path) of every file the command reads, e.g. ("the answers file", "a.yaml").
        outputs: (option, path) of every file it writes, e.g. ("-o", "report.md"); None entries are skipped.

    Raises:
        InputError: one line naming the output and what it would overwrite.
    """
    given = [(what, p) for what, p in inputs if p is not None and not isinstance(p, bytes | bytearray)]
    written = [(option, p) for option, p in outputs if p]
    for i, (option, path) in enumerate(written):
        for what, source in given:
            if _same(path, source):
                raise InputError(
                    _("{path}: {option} names {what} itself; write to another file so it is not lost.").format(
                        path=path, option=option, what=what
                    )
                )
        for other_option, other in written[:i]:
            if _same(path, other):
                raise InputError(
                    _("{path}: {option} and {other} name the same file; give each output its own name.").format(
                        path=path, option=option, other=other_option
                    )
                )


def _target(path: PathLike) -> tuple[Path, bool]:
    """(the file to replace, whether to write in place), after following a symbolic link the user gave.

    Raises:
        InputError: a directory, or a link to nothing.
    """
    given = Path(path)
    if given.is_dir():
        raise InputError(
            _("{path}: is a directory; give the name of the file to write, e.g. {example}.").format(
                path=path, example=given / "results.csv"
            )
        )
    if given.is_symlink():
        given = given.resolve()  # the file the user named through the link (made there when it is missing)
    try:
        mode = os.stat(given).st_mode
    except FileNotFoundError:
        return given, False
    except OSError as exc:
        raise InputError(
            _("{path}: cannot write the file ({reason}).").format(path=path, reason=exc.strerror)
        ) from None
    return given, not stat.S_ISREG(mode)


def _fsync_directory(directory: Path) -> None:
    with contextlib.suppress(OSError):  # some filesystems cannot open a directory for fsync; nothing more to do
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _failed(path: PathLike, exc: OSError, *, kept: bool = True) -> InputError:
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        reason = _("{reason}; free some space and run again").format(reason=reason)
    if kept:
        return InputError(
            _("{path}: cannot write the file ({reason}); any previous file there is unchanged.").format(
                path=path, reason=reason
            )
        )
    return InputError(_("{path}: cannot write the file ({reason}).").format(path=path, reason=reason))


@contextlib.contextmanager
def open_atomic(path: PathLike, mode: str = "w", **open_args: Any) -> Iterator[IO[Any]]:
    """A file object whose content replaces ``path`` only when the block ends without an exception.

    ``mode`` is "w" (text; ``encoding`` and ``newline`` may be given) or "wb". See the module docstring for what
    is promised; a device or named pipe is written directly.

    Raises:
        InputError: the file cannot be written (one line; the previous file is unchanged).
    """
    target, in_place = _target(path)
    if in_place:
        try:
            handle = open(target, mode, **open_args)  # noqa: SIM115 - closed below
        except OSError as exc:
            raise _failed(path, exc, kept=False) from None
        try:
            yield handle
            handle.flush()
        except OSError as exc:
            raise _failed(path, exc, kept=False) from None
        finally:
            with contextlib.suppress(OSError):
                handle.close()
        return
    try:
        existing_mode = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        existing_mode = None
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise _failed(path, exc) from None
    done = False
    try:
        try:
            handle = os.fdopen(fd, mode, **open_args)
        except BaseException:
            os.close(fd)
            raise
        with handle:
            yield handle
            handle.flush()
            os.fchmod(handle.fileno(), existing_mode if existing_mode is not None else 0o666 & ~current_umask())
            os.fsync(handle.fileno())
        os.replace(temporary, target)
        done = True
        _fsync_directory(target.parent)
    except OSError as exc:
        raise _failed(path, exc) from None
    finally:
        if not done:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def write_atomic(path: PathLike, data: str | bytes) -> None:
    """Replace ``path`` with ``data`` (text is written as UTF-8, line ends as given) all at once or not at all."""
    if isinstance(data, str):
        with open_atomic(path, "w", encoding="utf-8", newline="") as handle:
            handle.write(data)
    else:
        with open_atomic(path, "wb") as handle:
            handle.write(data)
