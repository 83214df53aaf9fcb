"""``sanctuary upgrade FILE...``: bring answers files (or, with ``--survey``, survey CSVs) up to the current questions.

Safe by default: the upgraded copy is written beside each file as ``NAME.upgraded.EXT`` (or to ``-o`` for one
file), through a hidden temporary file renamed into place, so the original is never touched. ``--in-place``
replaces the original the same atomic way. ``--check`` writes nothing and exits 1 when a file needs upgrading.
A file that is already current is left alone. Exit codes: 0 done, 1 ``--check`` found files to upgrade, 2 a
file could not be read or upgraded (the others are still done).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from engine.cli.lang import add_lang_option
from engine.errors import InputError
from engine.i18n import _
from engine.rules.model import Ruleset


def upgraded_path(path: Path) -> Path:
    """Where the upgraded copy of ``path`` goes by default: ``answers.yaml`` -> ``answers.upgraded.yaml``."""
    return path.with_name(f"{path.stem}.upgraded{path.suffix}")


def write_atomically(target: Path, data: bytes) -> None:
    """Write through a hidden temporary file beside ``target`` and rename it into place.

    Raises:
        InputError: the folder cannot be written (one line).
    """
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent or ".")
    except OSError as exc:
        raise InputError(
            _("{path}: cannot write beside it ({reason}).").format(path=target, reason=exc.strerror)
        ) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        if target.exists():
            os.chmod(temporary, target.stat().st_mode & 0o777)
        os.replace(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise InputError(
            _("{path}: cannot write the file ({reason}).").format(path=target, reason=exc.strerror)
        ) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _answers_file(ruleset: Ruleset, path: Path) -> tuple[bytes | None, list[str], bool]:
    """(upgraded bytes or None when already current, lines to print, whether any answer changes)."""
    from engine.limits import ANSWERS_MAX_BYTES
    from engine.run.upgrade import upgrade_document

    try:
        with path.open("rb") as handle:
            data = handle.read(ANSWERS_MAX_BYTES + 1)
    except OSError as exc:
        raise InputError(_("{path}: cannot read the file ({reason}).").format(path=path, reason=exc.strerror)) from None
    document = upgrade_document(ruleset, data, str(path))
    if not document.needed:
        return (
            None,
            [
                _("{path}: already current (rules {version}); nothing written.").format(
                    path=path, version=ruleset.version
                )
            ],
            False,
        )
    upgrade = document.upgrade
    kept = [c for c in upgrade.changes if c.kind != "left_blank"]
    lines = [f"  {c.message}" for c in kept] or ["  " + _("no answer changed; rules_version added.")]
    if upgrade.left_blank:
        lines.append("  " + _("left blank, answer again ({count}):").format(count=len(upgrade.left_blank)))
        lines += [f"    {c.message}" for c in upgrade.left_blank]
    return document.text.encode("utf-8"), lines, upgrade.changed


def _survey_file(ruleset: Ruleset, path: Path) -> tuple[bytes | None, list[str], bool]:
    from engine.survey.upgrade import upgrade_survey

    result = upgrade_survey(ruleset, path)
    if not result.changed:
        nothing = _("{path}: no column or answer of an earlier release; nothing written.").format(path=path)
        return None, [nothing, *result.notes], False
    lines = [
        "  " + _("column {old} is now {new}").format(old=repr(old), new=_(" and ").join(repr(n) for n in new))
        for old, new in result.renamed
    ]
    lines.append("  " + _("{count} answer(s) rewritten").format(count=result.cells_changed))
    if result.left_blank:
        blanks = ", ".join(
            _("{question} ({count} rows)").format(question=q, count=n) for q, n in result.left_blank.items()
        )
        lines.append("  " + _("left blank, ask the respondents again: {questions}").format(questions=blanks))
    lines += [f"  {note}" for note in result.notes]
    return result.data, lines, True


def cmd_upgrade(args: argparse.Namespace, ruleset: Ruleset) -> int:
    """Upgrade each file; print what changed and what was left blank."""
    if args.output and len(args.files) > 1:
        raise InputError(_("-o names one output file; give one input file, or leave -o out."))
    if args.output and args.in_place:
        raise InputError(_("--in-place and -o cannot go together; choose one."))
    failed = needs = 0
    for name in args.files:
        path = Path(name)
        try:
            if path.is_dir():
                raise InputError(_("{path}: is a directory; give the files to upgrade.").format(path=path))
            if not path.exists():
                raise InputError(_("{path}: no such file.").format(path=path))
            data, lines, changes = (_survey_file if args.survey else _answers_file)(ruleset, path)
            if args.check:
                # Only answers that would change count: a current file that merely lacks rules_version is fine.
                if changes:
                    needs += 1
                    print(
                        _("{path}: written for an earlier release; run `sanctuary upgrade {path}`.").format(path=path)
                    )
                else:
                    print(_("{path}: current; nothing to upgrade.").format(path=path))
                continue
            if data is None:
                print("\n".join(lines))
                continue
            target = path if args.in_place else Path(args.output) if args.output else upgraded_path(path)
            if target.resolve() == path.resolve() and not args.in_place:
                raise InputError(_("{path}: is the input; use --in-place to replace it.").format(path=target))
            write_atomically(target, data)
            if args.in_place:
                done = _("{path}: upgraded in place (rules {version}).")
            else:
                done = _("{path}: upgraded copy written to {target} (rules {version}).")
            print(done.format(path=path, target=target, version=ruleset.version))
            print("\n".join(lines))
        except InputError as exc:
            print(_("sanctuary: error: {message}").format(message=exc), file=sys.stderr)
            failed += 1
    if failed:
        return 2
    return 1 if args.check and needs else 0


def register(subparsers: Any) -> None:
    """Add ``upgrade`` to the sub-commands."""
    p = subparsers.add_parser(
        "upgrade",
        help=_("rewrite answers files (or survey CSVs) written for an earlier release to the current questions"),
        description=_("Writes NAME.upgraded.EXT beside each file unless --in-place or -o; the original is kept."),
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--survey", action="store_true", help=_("the files are survey CSVs (headers and answers)"))
    p.add_argument("-o", "--output", help=_("where to write the upgraded copy (one input file only)"))
    p.add_argument(
        "--in-place", action="store_true", help=_("replace each file (atomically) instead of writing a copy")
    )
    p.add_argument(
        "--check", action="store_true", help=_("write nothing; exit 1 if any file has answers of an earlier release")
    )
    add_lang_option(p)
    p.set_defaults(func=cmd_upgrade)
