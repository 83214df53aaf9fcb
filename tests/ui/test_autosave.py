"""Autosave that cannot lose answers (issues 22 item 6 and 23 item 1).

The file layer (ui/autosave.py) is tested directly: atomic locked writes from several processes and threads,
a backup of the previous file, no symbolic link followed, damaged files reported and kept. The session
layer is tested through AppTest: the box keeps its state across a reload, the Self-assessment page offers
the saved answers, and a new or old tab never replaces a save it did not take up.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from pathlib import Path

import pytest
import yaml

from ui import autosave

INSTITUTION = {"name": "Maple Grove Elementary", "types": ["k12_school"], "state": "CA", "public": True}
EMPTY = {"name": "", "types": [], "state": None, "public": None}


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    """Autosave writes into a throw-away folder, never the tester's own data directory."""
    folder = tmp_path / "data"
    monkeypatch.setenv(autosave.DIR_ENV, str(folder))
    return folder


def _writer(folder: str, worker: int, rounds: int) -> None:
    """One process (or thread) saving ``rounds`` different assessments as fast as it can."""
    os.environ[autosave.DIR_ENV] = folder
    for i in range(rounds):
        answers = {f"q{j}": (worker * 1000 + i + j) % 2 == 0 for j in range(40)}
        autosave.save({**INSTITUTION, "name": f"writer {worker} round {i}"}, answers, i % 5)


def _assert_whole(folder: Path) -> dict:
    data = yaml.safe_load((folder / autosave.FILE_NAME).read_text(encoding="utf-8"))
    assert autosave.parse((folder / autosave.FILE_NAME).read_bytes())["institution"]["name"].startswith("writer")
    assert len(data["answers"]) == 40
    return data


def test_200_concurrent_saves_from_two_processes_and_two_threads_always_leave_a_whole_file(data_dir):
    data_dir.mkdir(parents=True)
    context = multiprocessing.get_context("spawn")  # never fork a process that may hold threads
    processes = [context.Process(target=_writer, args=(str(data_dir), w, 50)) for w in (1, 2)]
    failures: list[BaseException] = []

    def thread_writer(worker: int) -> None:
        try:
            _writer(str(data_dir), worker, 50)
        except BaseException as exc:  # reported by the assertion below, not lost in the thread
            failures.append(exc)

    threads = [threading.Thread(target=thread_writer, args=(w,)) for w in (3, 4)]
    for worker in [*processes, *threads]:
        worker.start()
    reads = 0
    # Read while they write: every read finds a whole, parseable file (or none yet).
    while any(p.is_alive() for p in processes) or any(t.is_alive() for t in threads):
        if (data_dir / autosave.FILE_NAME).exists():
            _assert_whole(data_dir)
            saved = autosave.load()
            assert saved.document is not None and not saved.problem, saved.problem
            reads += 1
    for p in processes:
        p.join()
        assert p.exitcode == 0
    for t in threads:
        t.join()
    assert failures == []
    _assert_whole(data_dir)
    assert autosave.parse(autosave.backup_path().read_bytes())["answers"]
    leftovers = [p.name for p in data_dir.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == [], leftovers
    assert reads > 0


def test_the_previous_save_is_kept_as_a_backup_and_the_file_is_private(data_dir):
    autosave.save(INSTITUTION, {"a": True}, 0)
    autosave.save(INSTITUTION, {"a": True, "b": False}, 1)
    assert autosave.load().document["answers"] == {"a": True, "b": False}
    assert autosave.parse(autosave.backup_path().read_bytes())["answers"] == {"a": True}
    assert (autosave.autosave_path().stat().st_mode & 0o777) == 0o600


def test_an_empty_assessment_never_replaces_a_saved_one(data_dir):
    autosave.save(INSTITUTION, {"a": True}, 2)
    before = autosave.autosave_path().read_bytes()
    assert autosave.save(EMPTY, {}, 0) is False
    assert autosave.autosave_path().read_bytes() == before
    # An empty save over nothing (or over an empty one) is harmless and written.
    autosave.delete()
    assert autosave.save(EMPTY, {}, 0) is True


@pytest.mark.parametrize("target_exists", [True, False])
def test_a_symbolic_link_in_place_of_the_file_is_never_followed(data_dir, tmp_path, target_exists):
    data_dir.mkdir(parents=True)
    elsewhere = tmp_path / "someone-elses-file.txt"
    if target_exists:
        elsewhere.write_text("institution:\n  name: not ours\n", encoding="utf-8")
    autosave.autosave_path().symlink_to(elsewhere)
    saved = autosave.load()
    assert saved.document is None and "symbolic link" in saved.problem
    with pytest.raises(autosave.AutosaveError, match="link"):
        autosave.save(INSTITUTION, {"a": True}, 0)
    assert autosave.autosave_path().is_symlink()
    if target_exists:
        assert elsewhere.read_text(encoding="utf-8") == "institution:\n  name: not ours\n"
    else:
        assert not elsewhere.exists()


def test_a_link_in_place_of_the_lock_file_is_refused_and_its_target_kept(data_dir, tmp_path):
    data_dir.mkdir(parents=True)
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me", encoding="utf-8")
    (data_dir / (autosave.FILE_NAME + autosave.LOCK_SUFFIX)).symlink_to(precious)
    with pytest.raises(autosave.AutosaveError, match="lock file"):
        autosave.save(INSTITUTION, {"a": True}, 0)
    assert precious.read_text(encoding="utf-8") == "keep me"


@pytest.mark.parametrize(
    "content, reason",
    [
        ("institution:\n  name: X\n  types: 5\nanswers: {}\n", "types"),
        ("institution:\n  name: X\n  types: [k12_school\n", "YAML"),
        ("institution: [1, 2]\n", "institution"),
        ("\xff\xfe garbage", "YAML"),
        ("institution:\n  name: X\n  types: [library]\nanswers:\n  q: [1, 2]\n", "answer"),
    ],
)
def test_a_damaged_file_gives_a_reason_and_is_kept(data_dir, content, reason):
    data_dir.mkdir(parents=True)
    path = autosave.autosave_path()
    path.write_bytes(content.encode("latin-1"))
    saved = autosave.load()
    assert saved.document is None and reason in saved.problem and str(path) in saved.problem
    assert path.read_bytes() == content.encode("latin-1")
    # The next save sets the damaged file aside instead of losing it.
    autosave.save(INSTITUTION, {"a": True}, 0)
    assert (data_dir / autosave.UNREADABLE_NAME).read_bytes() == content.encode("latin-1")
    assert autosave.load().document["answers"] == {"a": True}


def test_a_damaged_file_falls_back_to_the_backup(data_dir):
    autosave.save(INSTITUTION, {"a": True}, 0)
    autosave.save(INSTITUTION, {"a": True, "b": True}, 0)
    autosave.autosave_path().write_text("institution: {types: oops", encoding="utf-8")
    saved = autosave.load()
    assert saved.from_backup and saved.document["answers"] == {"a": True} and saved.problem


# --- the app: AppTest ----------------------------------------------------------------------------------------


def _texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [t.value for t in at.text]
    parts += [e.value for kind in ("error", "warning", "info", "success") for e in at.get(kind)]
    return "\n".join(parts).replace("\\", "")


def _answer_some(at, count: int = 3) -> list[str]:
    at.switch_page("app_pages/assessment.py").run()
    at.text_input(key="inst_name").set_value("Maple Grove Elementary").run()
    at.multiselect(key="inst_types").set_value(["k12_school"]).run()
    at.checkbox(key="autosave_on").check().run()
    at.button(key="nav_next").click().run()
    chosen = []
    for radio in [r for r in at.radio if r.key.startswith("ans__") and r.options[:2] == ["Yes", "No"]][:count]:
        radio.set_value("yes").run()
        chosen.append(radio.key.removeprefix("ans__"))
    assert not at.exception
    return chosen


def test_reload_keeps_the_box_ticked_and_the_assessment_page_offers_to_resume(new_app, data_dir):
    at = new_app()
    chosen = _answer_some(at)
    saved = yaml.safe_load(autosave.autosave_path().read_text(encoding="utf-8"))
    assert set(chosen) <= set(saved["answers"])

    again = new_app()  # a reload: a new session with empty state
    again.switch_page("app_pages/assessment.py").run()
    assert again.checkbox(key="autosave_on").value is True, "the box keeps its state across a reload"
    assert "You have saved answers" in _texts(again) and "Maple Grove Elementary: 3 answers" in _texts(again)
    # Nothing is written until the person chooses: the untouched tab did not empty the save.
    assert yaml.safe_load(autosave.autosave_path().read_text(encoding="utf-8")) == saved
    again.button(key="resume_autosave_assessment").click().run()
    assert not again.exception
    assert again.session_state["institution"]["name"] == "Maple Grove Elementary"
    assert set(chosen) <= set(again.session_state["answers"])
    assert "You have saved answers" not in _texts(again)
    # Resumed, the tab saves again: one more answer reaches the file.
    more = [r for r in again.radio if r.key.startswith("ans__") and r.value is None and r.options[:2] == ["Yes", "No"]]
    if more:
        more[0].set_value("no").run()
        assert more[0].key.removeprefix("ans__") in autosave.autosave_path().read_text(encoding="utf-8")


def test_ticking_the_box_in_another_tab_never_replaces_the_save(new_app, data_dir):
    old_tab = new_app()  # opened before anything was saved: its box is unticked
    old_tab.switch_page("app_pages/assessment.py").run()
    assert old_tab.checkbox(key="autosave_on").value is False
    _answer_some(new_app())
    before = autosave.autosave_path().read_bytes()
    old_tab.checkbox(key="autosave_on").check().run()
    old_tab.run()
    assert autosave.autosave_path().read_bytes() == before, "re-ticking must never empty the save"
    assert "You have saved answers" in _texts(old_tab)
    # Unticking and ticking again in a fresh tab: unticking deletes (the person asked), ticking starts anew.
    fresh = new_app()
    fresh.switch_page("app_pages/assessment.py").run()
    assert autosave.autosave_path().read_bytes() == before


def test_the_start_page_resume_goes_to_the_assessment_with_the_answers(new_app, data_dir):
    chosen = _answer_some(new_app())
    at = new_app()
    assert "You have saved answers" in _texts(at)
    at.button(key="resume_autosave").click().run()
    at.run()
    assert not at.exception
    assert at.title[0].value == "Self-assessment"
    assert set(chosen) <= set(at.session_state["answers"])


def test_a_corrupted_types_field_never_crashes_resume(new_app, data_dir):
    data_dir.mkdir(parents=True)
    path = autosave.autosave_path()
    path.write_text("institution:\n  name: X\n  types: {a: 1}\nanswers: {}\n", encoding="utf-8")
    at = new_app()
    at.switch_page("app_pages/assessment.py").run()
    assert not at.exception
    assert "could not be read" in _texts(at) and "types" in _texts(at)
    at.button(key="new_save_assessment").click().run()
    assert not at.exception
    at.text_input(key="inst_name").set_value("New name").run()
    assert autosave.load().document["institution"]["name"] == "New name"
    assert (data_dir / autosave.UNREADABLE_NAME).read_text(encoding="utf-8").startswith("institution:\n  name: X")


def test_saved_answers_that_no_longer_fit_the_rules_give_a_message(new_app, data_dir):
    autosave.save({**INSTITUTION, "types": ["no_such_type"]}, {"not_a_question": True}, 0)
    at = new_app()
    at.switch_page("app_pages/assessment.py").run()
    at.button(key="resume_autosave_assessment").click().run()
    assert not at.exception
    text = _texts(at)
    assert "could not be resumed" in text and "kept as it is" in text
    assert "sanctuary " not in text
    assert autosave.autosave_path().exists()
