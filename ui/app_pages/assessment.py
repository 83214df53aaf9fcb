"""Self-assessment: institution details, then the questions one component at a time.

Every widget writes straight into plain session state (``answers`` / ``institution``) in its
on_change callback, and is seeded from it when drawn, so answers survive moving between sections and
pages. Nothing is pre-selected: an untouched question is unanswered.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from engine import InputError, Question, Ruleset, _, ngettext
from ui import services
from ui.downloads import answers_yaml, is_earlier_release, read_answers_file, upgrade_answers_file
from ui.questionnaire import asked_sections, progress, sections, state_options
from ui.text import app_words, md_escape, slug

UNKNOWN = "unknown"
UPGRADE_PENDING = "answers_file_to_upgrade"  # (name, bytes) of an upload written for an earlier release
MOVED = "section_moved"  # set by Previous/Next section: the next run moves keyboard focus to the new heading

# After "Next section" a keyboard user's focus stayed on the button below the new questions (14-25 Tab presses
# back up to the first one). Streamlit cannot focus an element, so a fixed script does it: it finds the heading
# in its keyed container, makes it focusable and focuses it. For two seconds it focuses it again if the rerun
# redraws the heading and focus falls back to the page body, unless the user has already moved focus elsewhere.
# The counter makes each move a new element, so the script runs again (identical HTML is not redrawn).
_FOCUS_HEADING = """<script>
(() => {{ // move {count}
  const started = Date.now();
  let done = false, movedOn = false;
  const watch = (event) => {{ if (!event.target.closest(".st-key-section_heading")) movedOn = true; }};
  document.addEventListener("focusin", watch);
  const focus = () => {{
    const heading = document.querySelector(".st-key-section_heading h2");
    const lost = document.activeElement === null || document.activeElement === document.body;
    if (heading && !movedOn && (!done || lost)) {{
      heading.setAttribute("tabindex", "-1");
      heading.focus();
      if (!done) heading.scrollIntoView({{block: "nearest"}});
      done = true;
    }}
    if (!movedOn && Date.now() - started < 2000) setTimeout(focus, 50);
    else document.removeEventListener("focusin", watch);
  }};
  focus();
}})();
</script>"""


def _seed(key: str, value: Any) -> bool:
    """Put the stored value into a widget key that is not live; True when the key holds a value."""
    if key not in st.session_state and value is not None:
        st.session_state[key] = value
    return key in st.session_state


def _store_answer(question: Question) -> None:
    value = st.session_state.get(services.ANSWER_PREFIX + question.id)
    answers = services.answers()
    if value is None or value == UNKNOWN:
        answers.pop(question.id, None)
    elif question.type == "boolean":
        answers[question.id] = value == "yes"
    elif question.type == "number":
        answers[question.id] = int(value) if float(value).is_integer() else float(value)
    else:
        answers[question.id] = value


def _store_institution() -> None:
    inst = services.institution()
    ss = st.session_state
    inst["name"] = (ss.get("inst_name") or "").strip()
    inst["types"] = list(ss.get("inst_types") or [])
    inst["state"] = ss.get("inst_state") or None
    inst["public"] = {"public": True, "private": False}.get(ss.get("inst_public") or "")


def question_widget(question: Question) -> None:
    """One question: its text as the label, help and 'who knows' below, no default answer."""
    key = services.ANSWER_PREFIX + question.id
    stored = services.answers().get(question.id)
    label = md_escape(question.text)
    if question.type == "boolean":
        seeded = _seed(key, None if stored is None else ("yes" if stored else "no"))
        names = {"yes": _("Yes"), "no": _("No"), UNKNOWN: _("Don't know yet")}
        st.radio(  # type: ignore[call-overload]  # Streamlit: index/value go in only before the first answer (a ** spread its overloads cannot match)
            label,
            list(names),
            format_func=names.__getitem__,
            key=key,
            horizontal=True,
            on_change=_store_answer,
            args=(question,),
            **({} if seeded else {"index": None}),
        )
    elif question.type == "choice":
        seeded = _seed(key, stored)
        # A question with its own don't-know choice ("Don't know - ask counsel") offers only that one.
        names = {**question.choices, **({} if question.unordered else {UNKNOWN: _("Don't know yet")})}
        st.radio(  # type: ignore[call-overload]  # Streamlit: index/value go in only before the first answer (a ** spread its overloads cannot match)
            label,
            list(names),
            format_func=names.__getitem__,
            key=key,
            on_change=_store_answer,
            args=(question,),
            **({} if seeded else {"index": None}),
        )
    else:
        seeded = _seed(key, stored)
        st.number_input(  # type: ignore[call-overload]  # Streamlit: index/value go in only before the first answer (a ** spread its overloads cannot match)
            label,
            min_value=question.minimum,
            max_value=question.maximum,
            step=1,
            key=key,
            on_change=_store_answer,
            args=(question,),
            placeholder=_("Leave empty if you don't know"),
            **({} if seeded else {"value": None}),
        )
    notes = [question.help, _("Who usually knows: {who}").format(who=question.who_knows) if question.who_knows else ""]
    text = " ".join(n.strip() for n in notes if n and n.strip())
    if text:
        st.caption(md_escape(text))


def institution_section(ruleset: Ruleset) -> None:
    """Name, type(s), state and public/private."""
    inst = services.institution()
    _seed("inst_name", inst.get("name") or None)
    st.text_input(
        _("Institution name"),
        key="inst_name",
        on_change=_store_institution,
        max_chars=200,
        placeholder=_("e.g. Riverside Unified School District"),
        help=_("Used to fill in the draft policy. Stays on this computer."),
    )
    _seed("inst_types", list(inst.get("types") or []) or None)
    st.multiselect(
        _("Institution type (choose all that apply)"),
        list(ruleset.institution_types),
        format_func=lambda t: ruleset.institution_types[t]["title"],
        key="inst_types",
        on_change=_store_institution,
        help=_("A body with several roles (for example a county that runs a jail and clinics) can choose several."),
    )
    _seed("inst_state", inst.get("state"))
    places = state_options(ruleset)  # sorted by name, from the maintained `us` list
    st.selectbox(  # type: ignore[call-overload]  # Streamlit: index/value go in only before the first answer (a ** spread its overloads cannot match)
        _("State or territory"),
        list(places),
        format_func=lambda c: f"{places.get(c, c)} ({c})",
        key="inst_state",
        on_change=_store_institution,
        placeholder=_("Choose a state"),
        help=_("State law can support or restrict these policies; the results flag conflicts."),
        **({} if "inst_state" in st.session_state else {"index": None}),
    )
    public = {True: "public", False: "private", None: None}.get(inst.get("public"))
    seeded = _seed("inst_public", public)
    names = {"public": _("Public body"), "private": _("Private organisation"), UNKNOWN: _("Not sure")}
    st.radio(  # type: ignore[call-overload]  # Streamlit: index/value go in only before the first answer (a ** spread its overloads cannot match)
        _("Is it a public body or a private organisation?"),
        list(names),
        format_func=names.__getitem__,
        key="inst_public",
        horizontal=True,
        on_change=_store_institution,
        **({} if seeded else {"index": None}),
    )
    chosen = inst.get("types") or []
    if chosen:
        count = len(ruleset.questions_for(chosen))
        if len(chosen) == 1:
            applies = ngettext(
                "{count} question applies to the type you chose, in the sections that follow.",
                "{count} questions apply to the type you chose, in the sections that follow.",
                count,
            )
        else:
            applies = ngettext(
                "{count} question applies to the types you chose, in the sections that follow.",
                "{count} questions apply to the types you chose, in the sections that follow.",
                count,
            )
        st.caption(applies.format(count=count))


def _go(index: int) -> None:
    st.session_state[services.SECTION] = index
    st.session_state["nav_section"] = index
    st.session_state[MOVED] = st.session_state.get(MOVED, 0) + 1


def save_and_load(ruleset: Ruleset) -> None:
    """Save the answers to a YAML file and load them back (SPEC answers format)."""
    with st.expander(_("Save or load your answers")):
        st.markdown(
            _(
                "Nothing is kept after you close this tab. Save your answers to a file to continue later or to "
                "share them with a colleague, and load the file back here."
            )
        )
        inst = services.institution()
        st.download_button(
            _("Save answers (YAML)"),
            data=answers_yaml(inst, services.answers(), ruleset.version),
            file_name=f"{slug(inst.get('name') or '')}-answers.yaml",
            mime="application/x-yaml",
            key="save_answers",
            on_click="ignore",
        )
        _seed(services.AUTOSAVE_KEY, bool(st.session_state.get(services.AUTOSAVE_WANTED)))
        st.checkbox(
            _("Autosave my answers on this computer"),
            key=services.AUTOSAVE_KEY,
            on_change=services.autosave_toggled,
            help=_(
                "Off unless you tick it. Keeps your answers in a file in your user data folder on this computer "
                "(nothing is sent anywhere), so a reload or a closed tab loses nothing. Untick it to delete the file."
            ),
        )
        upload = st.file_uploader(
            _("Load an answers file (.yaml, .yml or .json)"), type=["yaml", "yml", "json"], key="answers_file"
        )
        if upload is not None and st.session_state.get(services.LOADED_FILE) != upload.file_id:
            st.session_state[services.LOADED_FILE] = upload.file_id
            st.session_state.pop(UPGRADE_PENDING, None)
            try:
                inst, loaded = read_answers_file(ruleset, upload.name, upload.getvalue())
            except InputError as exc:
                st.session_state[services.NOTICE + "_error"] = str(exc)
                if is_earlier_release(exc):  # offer the upgrade instead of a dead end
                    st.session_state[UPGRADE_PENDING] = (upload.name, upload.getvalue())
            else:
                services.replace_assessment(
                    inst,
                    loaded,
                    notice=ngettext(
                        "Loaded {count} answer from {file}.", "Loaded {count} answers from {file}.", len(loaded)
                    ).format(count=len(loaded), file=md_escape(upload.name)),
                )
            st.rerun()
        problem = st.session_state.pop(services.NOTICE + "_error", None)
        pending = st.session_state.get(UPGRADE_PENDING)
        if pending:
            st.warning(
                _(
                    "{file} was saved from an earlier version of these questions. Upgrade it to "
                    "load its answers: renamed questions are carried over, and any answer that no longer fits is "
                    "left blank and listed. Your file itself is not changed."
                ).format(file=md_escape(pending[0]))
            )
            if st.button(_("Upgrade and load these answers"), key="upgrade_answers_file"):
                del st.session_state[UPGRADE_PENDING]
                try:
                    inst, loaded, blank = upgrade_answers_file(ruleset, pending[0], pending[1])
                except InputError as exc:
                    st.session_state[services.NOTICE + "_error"] = str(exc)
                else:
                    done = ngettext(
                        "Upgraded and loaded {count} answer.", "Upgraded and loaded {count} answers.", len(loaded)
                    ).format(count=len(loaded))
                    if blank:
                        done += " " + _("Answer again: {questions}").format(questions="; ".join(blank))
                    services.replace_assessment(inst, loaded, notice=md_escape(done))
                st.rerun()
        elif problem:
            st.error(_("That file could not be loaded: {problem}").format(problem=md_escape(app_words(problem))))


ruleset = services.ruleset_or_stop()
services.autosave_if_enabled()  # this page's callbacks have just run (also done by app.py on every page)
st.title(_("Self-assessment"))
services.show_notice()
services.resume_offer(ruleset, "assessment")
save_and_load(ruleset)

inst = services.institution()
answers = services.answers()
# Follow-ups the answers so far skip (ask_when) are not shown or counted; they come back if the answer changes.
all_sections = asked_sections(ruleset, sections(ruleset, inst.get("types") or []), inst, answers)
index = min(st.session_state.get(services.SECTION, 0), len(all_sections) - 1)
_seed("nav_section", index)
if st.session_state["nav_section"] >= len(all_sections):
    st.session_state["nav_section"] = index
questions_total = sum(len(qs) for _, _, qs in all_sections)
answered_total = sum(1 for _, _, qs in all_sections for q in qs if q.id in answers)

st.selectbox(
    _("Section"),
    list(range(len(all_sections))),
    format_func=lambda i: f"{i + 1}. {all_sections[i][1]}",
    key="nav_section",
    on_change=lambda: st.session_state.__setitem__(services.SECTION, st.session_state["nav_section"]),
)
index = st.session_state["nav_section"]
cid, title, questions = all_sections[index]
if questions_total:
    progress_text = _("Section {number} of {sections}: {title}. {answered} of {total} questions answered.").format(
        number=index + 1, sections=len(all_sections), title=title, answered=answered_total, total=questions_total
    )
else:
    progress_text = _("Choose your institution type to see its questions.")
st.progress(progress(answered_total, questions_total), text=progress_text)
with st.container(key="section_heading"):
    st.header(title, anchor=False)  # no hover link: it would be a Tab stop between the heading and the questions
    if st.session_state.pop(services.ARRIVED, False):
        # Arriving from "Start" (or any page) left focus on the page body: move it here, like a section move.
        st.session_state[MOVED] = st.session_state.get(MOVED, 0) + 1
    moved = st.session_state.get(MOVED, 0)
    fresh = bool(moved) and st.session_state.get(MOVED + "_done") != moved  # once per move, not on later reruns
    st.session_state[MOVED + "_done"] = moved
    # Always one element in this place (a hidden span between moves), so the page never shifts when it goes.
    st.html(_FOCUS_HEADING.format(count=moved) if fresh else "<span hidden></span>", unsafe_allow_javascript=fresh)
if cid == "institution":
    institution_section(ruleset)
else:
    description = ruleset.components.get(cid, {}).get("description", "")
    if description:
        st.markdown(md_escape(description))
    for question in questions:
        with st.container(border=True):
            question_widget(question)

last = index == len(all_sections) - 1
prev_col, next_col, review_col, results_col = st.columns(4)
with prev_col:
    st.button(_("Previous section"), key="nav_prev", disabled=index == 0, on_click=_go, args=(index - 1,))
with next_col:
    if not inst.get("types"):
        st.button(_("Next section"), key="nav_next", disabled=True, help=_("Choose an institution type first."))
        st.caption(_("Choose at least one institution type to see the questions."))
    elif not last:
        st.button(_("Next section"), key="nav_next", type="primary", on_click=_go, args=(index + 1,))
with review_col:
    if inst.get("types") and st.button(
        _("Review my answers"), key="nav_review", type="primary" if last else "secondary"
    ):
        st.switch_page("app_pages/review.py")
with results_col:
    if inst.get("types") and st.button(_("See my results"), key="nav_results"):
        st.switch_page("app_pages/results.py")
