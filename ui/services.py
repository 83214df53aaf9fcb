"""Streamlit-side services: the cached ruleset, session state, and evaluation with clear errors.

The ruleset (and, inside the engine, the compiled durable-rules backend) is built once per process
with ``st.cache_resource``; the engine serialises calls into durable-rules itself, so several browser
sessions can evaluate at once. Everything about one person's assessment lives in their session only.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, cast

import streamlit as st

from engine import (
    LANGUAGE_NAMES,
    LANGUAGES,
    InputError,
    Report,
    Ruleset,
    SanctuaryError,
    _,
    check_language,
    current_language,
    data_dir,
    evaluate,
    load_ruleset,
    ngettext,
    parse_submission,
    set_language,
    upgrade_answers,
)
from ui import autosave
from ui.downloads import empty_institution, submission_document
from ui.text import app_words, md_escape

SAMPLES_DIR = data_dir("sample_policies") / "answers"
SAMPLE_SURVEY = data_dir("sample_policies") / "surveys" / "mixed_institutions.csv"
# Tests may point the app at another rules directory; people never need to.
RULES_ENV = "SANCTUARY_RULES"

# Session-state keys (plain values, not widget keys, so they survive moving between pages).
INSTITUTION = "institution"
ANSWERS = "answers"
SECTION = "section"
REPORT = "report_cache"
LOADED_FILE = "loaded_answers_file"
NOTICE = "notice"
ANSWER_PREFIX = "ans__"
INSTITUTION_KEYS = ("inst_name", "inst_types", "inst_state", "inst_public")
AUTOSAVE_KEY = "autosave_on"  # the opt-in checkbox
AUTOSAVED = "autosaved_document"  # what was last written, so unchanged reruns do not write
AUTOSAVE_WANTED = "autosave_wanted"  # the box's value, kept when the box is not on the page
AUTOSAVE_LINKED = "autosave_linked"  # this tab wrote, resumed or discarded the save, so it may write
RESUME_PROBLEM = "resume_problem"
CURRENT_PAGE = "current_page"
ARRIVED = "arrived_on_page"
AUTOSAVE_PROBLEM = "autosave_problem"
GO_TO = "go_to_page"
LANGUAGE = "language"  # the session's language (plain state: the switch's widget key is LANGUAGE_KEY)
LANGUAGE_KEY = "language_switch"
LANGUAGE_PARAM = "lang"  # ?lang=es opens the app in Spanish, so a link can be shared


def session_language() -> str:
    """The language this session chose: the switch, else ``?lang=`` in the address, else English."""
    ss = st.session_state
    if LANGUAGE not in ss:
        try:
            ss[LANGUAGE] = check_language(st.query_params.get(LANGUAGE_PARAM) or "en")
        except ValueError:  # an unknown ?lang= opens the English app rather than an error page
            ss[LANGUAGE] = "en"
    return str(ss[LANGUAGE])


def apply_language() -> str:
    """Say everything in this script run (and in callbacks that call it) in the session's language.

    A context variable, so each browser session keeps its own even though all share one process (each script
    run has its own thread). The entry point calls this at the start of every run; widget callbacks run before
    the script, so those that write a message call it too.
    """
    lang = session_language()
    set_language(lang)  # never reset: the run's thread, and its context, ends with the run
    return lang


def _language_switched() -> None:
    st.session_state[LANGUAGE] = st.session_state[LANGUAGE_KEY]


def language_switch() -> None:
    """The sidebar's "English / Español" choice: every page, answer already given and download follows it."""
    lang = session_language()
    st.session_state[LANGUAGE_KEY] = lang
    # The label is in both languages, so a reader of either finds it whatever the page is in now.
    st.radio(
        "Language / Idioma",
        LANGUAGES,
        format_func=lambda code: LANGUAGE_NAMES[code],
        key=LANGUAGE_KEY,
        horizontal=True,
        on_change=_language_switched,
    )
    # Kept in the address so that a reload or a copied link opens the same language.
    if lang == "en":
        st.query_params.pop(LANGUAGE_PARAM, None)
    elif st.query_params.get(LANGUAGE_PARAM) != lang:
        st.query_params[LANGUAGE_PARAM] = lang


def mark_document_language() -> None:
    """Set ``<html lang>`` to the page's language, so screen readers pronounce Spanish as Spanish.

    Streamlit's page template says lang="en" and has no setting for it; a one-line script in the page
    itself (no network, nothing loaded) is the only way. Browsers that block it keep "en".
    """
    lang = current_language()
    st.html(
        f"<script>document.documentElement.lang = {json.dumps(lang)};</script>",
        unsafe_allow_javascript=True,
    )


_LOADED: set[tuple[str | None, str]] = set()  # (rules dir, language) pairs already in the cache below


@st.cache_resource(show_spinner=False)
def _ruleset(path: str | None, lang: str) -> Ruleset:
    # One ruleset per language: the questions, controls and clauses come in that language's words.
    # Exceptions are not cached, so a ruleset that fails while being edited loads on the next run.
    ruleset = load_ruleset(path, lang=lang)
    # Compile the rules for durable-rules now (seconds on a busy machine, once per process), while the
    # Start page is being read, instead of on the first "See my results" where it left the page blank.
    first_type = next(iter(ruleset.institution_types))
    evaluate(ruleset, parse_submission(ruleset, {"institution": {"name": "", "type": first_type}, "answers": {}}))
    return ruleset


@st.cache_resource(show_spinner=False)
def warm_page_modules() -> bool:
    """Import what only the Results, Batch and Rules pages use, once per process, after the first page is drawn.

    ui.charts brings pandas and Altair, about 0.9 s to import on a 2-core machine; the first "See my results"
    spent that time with the questions faded and no word of what was happening, before its "Evaluating" notice
    could appear. Imported here, at the end of the first run, the time passes while the visitor reads the Start
    page.
    """
    import ui.charts  # noqa: F401  (imports pandas and Altair)

    return True


def ruleset_or_stop() -> Ruleset:
    """The loaded rules, or a clear error on the page (and the page stops) when they cannot load."""
    try:
        key = (os.environ.get(RULES_ENV) or None, current_language())
        if key in _LOADED:
            return _ruleset(*key)
        with st.spinner(_("Loading the rules…")):  # the first load of a language takes seconds
            ruleset = _ruleset(*key)
        _LOADED.add(key)
        return ruleset
    except SanctuaryError as exc:
        problem = str(exc)
    except Exception as exc:  # a broken rules file must never show a traceback to the visitor
        problem = f"{exc.__class__.__name__}"
    st.error(
        _(
            "The rules could not be loaded, so the assessment cannot run right now. "
            "Please try again later or tell whoever maintains this copy of the tool. Details: {details}"
        ).format(details=md_escape(problem))
    )
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises; this keeps type checkers honest


def note_page(url_path: str) -> None:
    """Record which page this run draws; ``ARRIVED`` is True on the first run of a visit to a page."""
    ss = st.session_state
    ss[ARRIVED] = ss.get(CURRENT_PAGE) != url_path
    ss[CURRENT_PAGE] = url_path


def init_state() -> None:
    """Create the session's plain state once."""
    ss = st.session_state
    if INSTITUTION not in ss:
        ss[INSTITUTION] = empty_institution()
    if ANSWERS not in ss:
        ss[ANSWERS] = {}
    if SECTION not in ss:
        ss[SECTION] = 0
    if AUTOSAVE_WANTED not in ss:
        # A reload is a new session: the box shows what the person chose, which the file's existence records.
        ss[AUTOSAVE_WANTED] = autosave.exists()


def institution() -> dict[str, Any]:
    """The session's institution record (name, types, state, public)."""
    init_state()
    return st.session_state[INSTITUTION]


def answers() -> dict[str, Any]:
    """The session's answers (question id -> normalised value)."""
    init_state()
    return st.session_state[ANSWERS]


def replace_assessment(new_institution: dict[str, Any], new_answers: dict[str, Any], notice: str = "") -> None:
    """Replace the whole assessment (sample or loaded file) and forget the widgets' old values.

    Call from a callback or before any assessment widget is drawn in this run.
    """
    ss = st.session_state
    ss[INSTITUTION] = dict(new_institution)
    ss[ANSWERS] = dict(new_answers)
    ss[SECTION] = 0
    ss.pop(REPORT, None)
    for key in list(ss.keys()):
        if str(key).startswith(ANSWER_PREFIX) or key in INSTITUTION_KEYS or key == "nav_section":
            del ss[key]
    if notice:
        ss[NOTICE] = notice


def show_notice() -> None:
    """Show (once) the message left by the last action, e.g. 'Loaded sample ...'."""
    notice = st.session_state.pop(NOTICE, None)
    if notice:
        st.success(notice)
    problem = st.session_state.pop(AUTOSAVE_PROBLEM, None)
    if problem:
        st.error(md_escape(problem))


def samples() -> list[tuple[str, str, Path]]:
    """(institution name, type titles, path) of each sample answers file; unreadable files are skipped."""
    import yaml

    found = []
    for path in sorted(SAMPLES_DIR.glob("*.yaml")) if SAMPLES_DIR.is_dir() else []:
        try:
            inst = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("institution") or {}
        except (OSError, yaml.YAMLError, AttributeError):
            continue
        types = inst.get("type")
        types = ", ".join(types) if isinstance(types, list) else str(types or "")
        found.append((str(inst.get("name") or path.stem), types, path))
    return found


def current_report(ruleset: Ruleset) -> Report | None:
    """The report for the session's answers (evaluated once per distinct set of answers).

    Shows a clear message and returns None when the answers cannot be evaluated.
    """
    inst = institution()
    if not inst.get("types"):
        return None
    document = submission_document(inst, answers())
    key = ruleset.text_key + json.dumps(document, sort_keys=True, default=str)
    cached = st.session_state.get(REPORT)
    if cached and cached[0] == key:
        return cast(Report, cached[1])  # st.session_state holds Any; this slot holds only (key, report)
    try:
        # A full evaluation takes a moment on a busy machine: say so instead of leaving the page blank.
        # Written before the work starts (st.spinner waits 0.5 s on a timer thread, which a busy
        # engine can hold up), and removed when the report is ready.
        waiting = st.empty()
        waiting.info(_("Evaluating your answers…"), icon="⏳")
        with st.spinner(_("Evaluating your answers…")):
            submission = parse_submission(ruleset, document, "your answers")
            report = evaluate(ruleset, submission)
        waiting.empty()
    except InputError as exc:
        st.error(_("Some answers could not be used: {problem}").format(problem=md_escape(exc)))
        return None
    except Exception as exc:  # an engine failure must be a message, not a traceback
        st.error(
            _(
                "The rules engine could not evaluate these answers. Your answers are kept; please try again, "
                "and report the problem if it persists. Details: {kind}: {details}"
            ).format(kind=md_escape(exc.__class__.__name__), details=md_escape(exc))
        )
        return None
    st.session_state[REPORT] = (key, report)
    return report


def need_assessment_message() -> None:
    """What to show on Results/Draft before an institution type has been chosen."""
    st.info(_("Start by describing your institution on the Self-assessment page, or open a sample on the Start page."))
    st.page_link("app_pages/assessment.py", label=_("Go to the self-assessment"))


def report_or_stop(ruleset: Ruleset) -> tuple[dict[str, Any], Report]:
    """(institution, report) for the Results and Draft pages; stops the page with guidance when there is none."""
    inst = institution()
    if not inst.get("types"):
        need_assessment_message()
        st.stop()
    report = current_report(ruleset)
    if report is None:
        st.stop()
    return inst, report


def autosave_toggled() -> None:
    """The opt-in box changed: start saving (or offer the saved answers first), or delete the file when unticked."""
    apply_language()  # a callback runs before the script, in the session's language too
    ss = st.session_state
    ss[AUTOSAVE_WANTED] = bool(ss.get(AUTOSAVE_KEY))
    ss.pop(AUTOSAVED, None)
    if ss[AUTOSAVE_WANTED]:
        # A save this tab did not write is never replaced by ticking the box: the page offers to resume it
        # (or to discard it) first. With no save, or an empty one, this tab starts writing now.
        saved = autosave.load()
        if not saved.exists or (saved.document is not None and autosave.is_empty(saved.document)):
            ss[AUTOSAVE_LINKED] = True
            autosave_if_enabled()
    else:
        try:
            autosave.delete()
        except OSError as exc:
            ss[AUTOSAVE_PROBLEM] = _("The autosave file could not be deleted ({problem}).").format(
                problem=exc.strerror or exc
            )
        ss[AUTOSAVE_LINKED] = False


def autosave_if_enabled() -> None:
    """Write the assessment to the local autosave file when the person opted in, this tab owns the save
    (it wrote it, resumed it or discarded the old one) and something changed."""
    ss = st.session_state
    if not (ss.get(AUTOSAVE_WANTED) and ss.get(AUTOSAVE_LINKED)):
        return
    document = {"institution": institution(), "answers": answers(), "section": ss.get(SECTION, 0)}
    if ss.get(AUTOSAVED) == document:
        return
    try:
        autosave.save(document["institution"], document["answers"], document["section"])
    except OSError as exc:  # a full or read-only disk, or a link in the file's place, must not stop the assessment
        ss[AUTOSAVE_PROBLEM] = _("Autosave stopped: {problem}. Save your answers to a file instead.").format(
            problem=exc
        )
        ss[AUTOSAVE_LINKED] = False
        return
    ss[AUTOSAVED] = {k: (dict(v) if isinstance(v, dict) else v) for k, v in document.items()}


def resume_autosave(ruleset: Ruleset, saved: dict[str, Any]) -> str:
    """Load the autosaved assessment into the session (checked against the current rules).

    Returns "" when it was loaded, otherwise a one-line reason (the file is left as it is).
    """
    try:
        submission = parse_submission(ruleset, submission_document(saved["institution"], saved["answers"]), "autosave")
    except InputError as exc:
        try:  # saved by an earlier release of the questions: carry the answers over as `sanctuary upgrade` does
            kept = {k: v for k, v in upgrade_answers(ruleset, saved["answers"]).answers.items() if v is not None}
            submission = parse_submission(ruleset, submission_document(saved["institution"], kept), "autosave")
        except SanctuaryError:
            return app_words(str(exc))
        except Exception as damaged:  # a damaged save must give a message, never a traceback
            return _("the saved answers are damaged ({kind})").format(kind=damaged.__class__.__name__)
    except SanctuaryError as exc:
        return app_words(str(exc))
    except Exception as exc:  # a damaged save must give a message, never a traceback
        return _("the saved answers are damaged ({kind})").format(kind=exc.__class__.__name__)
    inst = submission.institution
    restored = {"name": inst.name, "types": list(inst.types), "state": inst.state, "public": inst.public}
    replace_assessment(
        restored, {**submission.answers, **submission.undecided}, notice=_("Your autosaved answers are back.")
    )
    ss = st.session_state
    ss[SECTION] = int(saved.get("section") or 0)
    ss[AUTOSAVE_WANTED] = ss[AUTOSAVE_KEY] = ss[AUTOSAVE_LINKED] = True
    ss[AUTOSAVED] = None
    return ""


def _resume(ruleset: Ruleset, saved: dict[str, Any], go_to: str | None) -> None:
    apply_language()
    problem = resume_autosave(ruleset, saved)
    if problem:
        st.session_state[RESUME_PROBLEM] = problem
    elif go_to:
        st.session_state[GO_TO] = go_to


def _discard() -> None:
    """Delete the saved answers and turn autosave off, as unticking the box does (tick it to start again)."""
    apply_language()
    try:
        autosave.delete()
    except OSError as exc:
        st.session_state[RESUME_PROBLEM] = _("the file could not be deleted ({problem})").format(
            problem=exc.strerror or exc
        )
        return
    ss = st.session_state
    ss[AUTOSAVE_WANTED] = ss[AUTOSAVE_KEY] = ss[AUTOSAVE_LINKED] = False
    ss.pop(AUTOSAVED, None)


def _start_new_save() -> None:
    """The save cannot be read: write this tab's answers from now on (the unreadable file is set aside)."""
    ss = st.session_state
    ss[AUTOSAVE_WANTED] = ss[AUTOSAVE_KEY] = ss[AUTOSAVE_LINKED] = True
    ss.pop(AUTOSAVED, None)


def resume_offer(ruleset: Ruleset, key: str, go_to: str | None = None) -> None:
    """'Resume your saved answers' when an autosave exists that this tab has not taken up yet.

    Shown on the Start and Self-assessment pages. Until the person resumes or discards the save, this tab
    writes nothing, so a reload or a second tab can never replace saved answers with other ones.
    """
    ss = st.session_state
    target = ss.pop(GO_TO, None)
    if target:
        st.switch_page(target)
    if ss.get(AUTOSAVE_LINKED):
        return
    saved = autosave.load()
    if not saved.exists or (saved.document is not None and autosave.is_empty(saved.document)):
        return
    with st.container(border=True, key=f"resume_box_{key}"):
        problem = ss.pop(RESUME_PROBLEM, None)
        if saved.document is None:
            st.warning(saved.problem)
            st.text(_("Autosave is paused so that nothing replaces that file."))
            st.button(
                _("Autosave this tab's answers instead"),
                key=f"new_save_{key}",
                on_click=_start_new_save,
                help=_("The unreadable file is moved aside (autosave.unreadable.yaml), never deleted."),
            )
            return
        document = saved.document
        count = len(document["answers"])
        st.markdown("**" + _("You have saved answers on this computer.") + "**")
        # The name is the person's own text: shown as plain text, never as Markdown.
        name = document["institution"].get("name") or _("An unnamed institution")
        if saved.from_backup:
            line = ngettext(
                "{name}: {count} answer (from the backup: the latest save could not be read)",
                "{name}: {count} answers (from the backup: the latest save could not be read)",
                count,
            )
        else:
            line = ngettext("{name}: {count} answer", "{name}: {count} answers", count)
        st.text(line.format(name=name, count=count))
        if answers() or institution().get("types"):
            st.caption(_("Resuming replaces the answers in this tab. Until you choose, autosave does not write."))
        else:
            st.caption(_("Until you choose, autosave does not write, so nothing replaces them."))
        if problem:
            st.error(
                _("The saved answers could not be resumed: {problem}. The file is kept as it is.").format(
                    problem=md_escape(problem)
                )
            )
        resume_col, discard_col = st.columns(2)
        resume_col.button(
            _("Resume your saved answers"),
            key=f"resume_autosave{'' if key == 'start' else '_' + key}",
            type="primary",
            on_click=_resume,
            args=(ruleset, document, go_to),
        )
        discard_col.button(
            _("Delete the saved answers"),
            key=f"delete_autosave{'' if key == 'start' else '_' + key}",
            on_click=_discard,
            help=_("Deletes the autosave file and its backup from this computer and turns autosave off."),
        )
