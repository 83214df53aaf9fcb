"""No command loses a file: outputs never overwrite an input or each other, and every write is all or nothing.

Issue 22, items 5, 6 and 8: ``evaluate A.yaml -o A.yaml`` (also through a hard or symbolic link) replaced the
answers with the report; ``batch -o R --summary R`` replaced the results with the summary; a full disk left a
truncated report where the previous one was; a lone surrogate left an empty ``-o`` file; files were 0600
whatever the umask.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine import outputs
from engine.cli import main
from tests.conftest import MINI_RULES, ROOT
from tests.malformed import answers_cases, survey_cases

MINI = str(MINI_RULES)
AS_OF = "2026-11-28"


@pytest.fixture
def answers(tmp_path: Path) -> Path:
    """A good answers file."""
    path = tmp_path / "a.yaml"
    path.write_text(answers_cases.GOOD, encoding="utf-8")
    return path


@pytest.fixture
def survey(tmp_path: Path) -> Path:
    path = tmp_path / "survey.csv"
    path.write_text(survey_cases.GOOD, encoding="utf-8")
    return path


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["--rules", MINI, *argv])
    return code, capsys.readouterr().err


def _links(tmp_path: Path, target: Path) -> list[Path]:
    """The target itself, a hard link to it and a symbolic link to it (three names of one file)."""
    hard, soft = tmp_path / f"hard-{target.name}", tmp_path / f"soft-{target.name}"
    os.link(target, hard)
    soft.symlink_to(target)
    return [target, hard, soft, tmp_path / "." / target.name]


# -- item 5: outputs that name an input or each other --------------------------------------------------------------


@pytest.mark.parametrize("command", ["evaluate", "draft"])
def test_an_output_naming_the_answers_file_is_refused_through_any_link(command, tmp_path, capsys):
    # draft picks its format from the output's suffix, so the answers file is named .md (YAML inside).
    answers = tmp_path / "answers.md"
    answers.write_text(answers_cases.GOOD, encoding="utf-8")
    for name in _links(tmp_path, answers):
        code, err = _run([command, str(answers), "-o", str(name), "--as-of", AS_OF], capsys)
        assert code == 2, err
        assert "names the answers file being read itself" in err, err
        assert len(err.strip().splitlines()) == 1
        assert answers.read_text(encoding="utf-8") == answers_cases.GOOD


def test_batch_results_and_summary_naming_the_same_file_are_refused(survey, tmp_path, capsys):
    results = tmp_path / "r.csv"
    results.write_text("previous results\n", encoding="utf-8")
    for summary in _links(tmp_path, results):
        code, err = _run(["batch", str(survey), "-o", str(results), "--summary", str(summary), "-q"], capsys)
        assert code == 2 and "--summary and -o name the same file" in err, err
    assert results.read_text(encoding="utf-8") == "previous results\n"
    # Not yet existing: the same path twice is refused too.
    code, err = _run(["batch", str(survey), "-o", str(tmp_path / "x"), "--summary", str(tmp_path / "x"), "-q"], capsys)
    assert code == 2 and "name the same file" in err
    assert not (tmp_path / "x").exists()


def test_batch_output_naming_the_survey_through_a_hard_link_is_refused(survey, tmp_path, capsys):
    before = survey.read_bytes()
    for name in _links(tmp_path, survey):
        for option in ("-o", "--summary"):
            code, err = _run(["batch", str(survey), option, str(name), "-q"], capsys)
            assert code == 2 and "names the survey being read itself" in err, err
    assert survey.read_bytes() == before


def test_devices_are_not_taken_for_the_same_file(answers, capsys):
    # /dev/stdin and /dev/stdout may be one terminal; devices are never "the same file" as an output.
    code, _ = _run(["evaluate", str(answers), "-o", "/dev/null", "--as-of", AS_OF], capsys)
    assert code == 0


# -- item 6: every writer atomic ---------------------------------------------------------------------------------


def _fail_with_enospc(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the data reach a full disk: os.fsync (every atomic write calls it) fails as on a full filesystem."""

    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(outputs.os, "fsync", full)


@pytest.mark.parametrize(
    ("argv", "name"),
    [
        (["evaluate", "{answers}", "--format", "markdown", "--as-of", AS_OF, "-o"], "report.md"),
        (["draft", "{answers}", "--as-of", AS_OF, "-o"], "draft.md"),
        (["draft", "{answers}", "--as-of", AS_OF, "-o"], "draft.docx"),
        (["batch", "{survey}", "-q", "--as-of", AS_OF, "-o"], "results.csv"),
        (["batch", "{survey}", "-q", "--as-of", AS_OF, "--summary", "{other}", "-o"], "results.csv"),
        (["batch", "{survey}", "-q", "--as-of", AS_OF, "-o", "{other}", "--summary"], "summary.json"),
        (["template", "-o"], "survey.csv"),
        (["questions", "--format", "csv", "-o"], "questions.csv"),
    ],
)
def test_a_full_disk_keeps_the_previous_file(argv, name, answers, survey, tmp_path, capsys, monkeypatch):
    target = tmp_path / name
    target.write_bytes(b"the previous file, complete\n")
    other = tmp_path / "other.out"
    args = [a.format(answers=answers, survey=survey, other=other) for a in argv] + [str(target)]
    _fail_with_enospc(monkeypatch)
    code, err = _run(args, capsys)
    assert code == 2, err
    assert "No space left on device" in err and "previous file there is unchanged" in err, err
    assert "Traceback" not in err
    assert target.read_bytes() == b"the previous file, complete\n"
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")]


def _tiny_tmpfs(tmp_path: Path) -> Path | None:
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True)
    return mount if done.returncode == 0 else None


def test_a_really_full_disk_keeps_the_previous_report(answers, tmp_path):
    # A real 64 KB filesystem, no faking: a report far larger than what is left cannot be written.
    mount = _tiny_tmpfs(tmp_path)
    if mount is None:
        pytest.skip("mounting a tmpfs needs root")
    try:
        report = mount / "report.json"
        report.write_text('{"previous": true}\n', encoding="utf-8")
        (mount / "filler").write_bytes(b"x" * 40_000)
        command = [
            sys.executable,
            "-m",
            "engine.cli",
            "evaluate",
            str(ROOT / "sample_policies/answers/k12_school_weak.yaml"),
        ]
        done = subprocess.run(
            [*command, "--format", "json", "-o", str(report)],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            timeout=120,
        )
        assert done.returncode == 2, done.stderr
        assert "No space left on device" in done.stderr and "Traceback" not in done.stderr
        assert report.read_text(encoding="utf-8") == '{"previous": true}\n'
        assert sorted(p.name for p in mount.iterdir()) == ["filler", "report.json"]
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_an_interrupted_write_leaves_the_previous_file_and_no_temporary(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("before", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt), outputs.open_atomic(target) as handle:
        handle.write("half of the new content")
        raise KeyboardInterrupt
    assert target.read_text(encoding="utf-8") == "before"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_a_symbolic_link_output_replaces_its_target_and_stays_a_link(tmp_path):
    real, link = tmp_path / "real.txt", tmp_path / "link.txt"
    real.write_text("old", encoding="utf-8")
    link.symlink_to(real)
    outputs.write_atomic(link, "new")
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "new"


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_new_files_follow_the_umask_and_replaced_files_keep_their_mode(tmp_path, umask):
    previous = os.umask(umask)
    try:
        fresh = tmp_path / "fresh.txt"
        outputs.write_atomic(fresh, "x")
        assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask
        kept = tmp_path / "kept.txt"
        kept.write_text("old", encoding="utf-8")
        kept.chmod(0o640)
        outputs.write_atomic(kept, "new")
        assert kept.stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(previous)


def test_batch_results_follow_the_umask(survey, tmp_path, capsys):
    previous = os.umask(0o022)
    try:
        code, err = _run(
            ["batch", str(survey), "-o", str(tmp_path / "r.csv"), "--summary", str(tmp_path / "s.json"), "-q"], capsys
        )
    finally:
        os.umask(previous)
    assert code == 0, err
    assert (tmp_path / "r.csv").stat().st_mode & 0o777 == 0o644  # was 0600: mkstemp's mode kept by the rename
    assert (tmp_path / "s.json").stat().st_mode & 0o777 == 0o644


# -- item 8: an -o file is never left empty ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "html"])
def test_text_no_format_can_hold_is_refused_before_any_output(fmt, tmp_path, capsys):
    answers = tmp_path / "a.yaml"
    answers.write_text(answers_cases._inst(name='"bad \\ud800 name"'), encoding="utf-8")
    out = tmp_path / "report.out"
    code, err = _run(["evaluate", str(answers), "--format", fmt, "-o", str(out)], capsys)
    assert code == 2 and "U+D800" in err
    assert not out.exists()  # neither the report nor an empty file


def test_a_docx_draft_for_the_longest_name_allowed_is_written(tmp_path, capsys):
    answers = tmp_path / "a.yaml"
    answers.write_text(answers_cases._inst(name="N" * 200), encoding="utf-8")
    out = tmp_path / "draft.docx"
    code, err = _run(["draft", str(answers), "-o", str(out), "--as-of", AS_OF], capsys)
    assert code == 0, err
    assert out.read_bytes()[:2] == b"PK"
