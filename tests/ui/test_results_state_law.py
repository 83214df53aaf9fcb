"""Results and Draft pages: state law stands in the way, the unresearched-state note, the left-out clauses."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import STATE_LAW_TITLE

SAMPLES = Path(__file__).resolve().parents[2] / "sample_policies" / "answers"


def _load(at, name: str, answers: bytes) -> None:
    at.switch_page("app_pages/assessment.py").run()
    at.file_uploader(key="answers_file").set_value((name, answers, "application/x-yaml"))
    at.run()
    at.switch_page("app_pages/results.py").run()


def _texts(block) -> str:
    # Markdown escapes punctuation; the words are what the reader sees.
    return "\n".join([*(m.value for m in block.markdown), *(e.value for e in block.error)]).replace("\\", "")


def test_a_texas_jail_sees_the_steps_state_law_stands_in_the_way_of_with_law_and_exposure(new_app):
    at = new_app()
    _load(at, "jail.yaml", (SAMPLES / "jail_weak.yaml").read_bytes())
    assert not at.exception
    held = at.get_by_key("state_law_steps")
    shown = _texts(held)
    assert STATE_LAW_TITLE in "\n".join(s.value for s in held.subheader)
    assert "Changing this would conflict with Texas SB 4" in shown
    assert "Exposure:" in shown and "What remains lawful:" in shown
    note = at.get_by_key("state_law_note")
    assert "State law for Texas was checked" in "\n".join(i.value for i in note.info).replace("\\", "")
    at.switch_page("app_pages/draft.py").run()
    assert not at.exception
    page = "\n".join([*(m.value for m in at.markdown), *(e.value for e in at.error)]).replace("\\", "")
    assert "Left out because" in page and "Warning — state law." in page


def test_a_new_mexico_school_is_told_its_state_law_was_not_checked(new_app):
    at = new_app()
    _load(at, "school.yaml", (SAMPLES / "k12_school_nm_developing.yaml").read_bytes())
    assert not at.exception
    note = at.get_by_key("state_law_note")
    shown = "\n".join(w.value for w in note.warning).replace("\\", "")
    assert "State law for New Mexico has not been checked by this tool" in shown
    with pytest.raises(KeyError):
        at.get_by_key("state_law_steps")
