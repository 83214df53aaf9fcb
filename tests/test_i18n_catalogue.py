"""The code's strings and their Spanish catalogue (engine/i18n.py, scripts/i18n_catalogue.py)."""

from __future__ import annotations

import importlib.util
import string
import threading
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from hypothesis import given
from hypothesis import strategies as st

from engine import i18n
from engine.i18n import _, language

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("i18n_catalogue", ROOT / "scripts" / "i18n_catalogue.py")
catalogue = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(catalogue)


def spanish() -> list:
    with catalogue.po_path("es").open("rb") as handle:
        return [m for m in read_po(handle, locale="es") if m.id]


def fields(text: str) -> list[str]:
    return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)


def test_catalogue_files_are_up_to_date_with_the_code():
    stale = [
        str(p.relative_to(ROOT))
        for p, data in catalogue.planned_files().items()
        if not p.exists() or p.read_bytes() != data
    ]
    assert not stale, f"run `python scripts/i18n_catalogue.py`, then translate and commit: {stale}"


def test_every_message_is_translated_with_the_same_placeholders():
    messages = spanish()
    assert messages, "the catalogue holds no message: has extraction stopped finding _() calls?"
    for message in messages:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strs = message.string if isinstance(message.string, tuple) else (message.string,)
        assert not message.fuzzy, f"fuzzy (check and unmark it): {ids[0]!r}"
        assert all(s.strip() for s in strs), f"not translated: {ids[0]!r}"
        for s in strs:
            assert fields(s) == fields(ids[-1]) or fields(s) == fields(ids[0]), (
                f"placeholders differ: {ids[0]!r} -> {s!r}"
            )


def test_a_language_applies_inside_its_block_and_in_its_own_thread_only():
    message = "unknown language {lang}: choose one of {choices}"
    seen: dict[str, str] = {}

    def other_thread():
        seen["other"] = _(message)

    with language("es"):
        seen["inside"] = _(message)
        worker = threading.Thread(target=other_thread)
        worker.start()
        worker.join()
    seen["after"] = _(message)
    assert seen["inside"].startswith("idioma desconocido")
    assert seen["other"] == message, "a new thread starts in English, whatever another thread chose"
    assert seen["after"] == message


def test_unknown_language_is_a_clear_error_in_the_current_language():
    with pytest.raises(i18n.UnknownLanguageError, match="choose one of en, es"):
        i18n.check_language("fr")
    with language("es"), pytest.raises(i18n.UnknownLanguageError, match="elija uno de estos: en, es"):
        i18n.check_language("fr")


@given(st.sampled_from(["es", "ES", "es_US", "es-MX", "en", "EN_us"]))
def test_language_codes_are_normalised(code):
    assert i18n.check_language(code) == code[:2].lower()


def test_the_compiled_catalogue_travels_in_the_wheel():
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert "locale/*/LC_MESSAGES/*.mo" in pyproject


def test_marked_strings_inside_fstrings_reach_the_catalogue(tmp_path):
    # Babel's extractor reads an f-string as one token on Python 3.11; the catalogue script reads their insides.
    source = tmp_path / "page.py"
    source.write_text(
        "html = f\"<h2>{_('Top steps')}</h2>{ngettext('{n} row', '{n} rows', n)}{pgettext('outcome', 'fail')}\"\n"
    )
    assert catalogue._calls_inside_fstrings(source) == [
        ("Top steps", None),
        (("{n} row", "{n} rows"), None),
        ("fail", "outcome"),
    ]
