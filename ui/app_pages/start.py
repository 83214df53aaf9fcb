"""Start: what the tool does and does not do, the disclaimer, the privacy statement, samples."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from engine import InputError, _
from ui import services
from ui.downloads import read_answers_file
from ui.text import md_escape

FEATURED_SAMPLE = "k12_school_developing"

st.title(_("Sanctuary Policy Evaluator"))
st.markdown(
    _(
        "Check, one topic at a time, how far your institution's policies and everyday practices keep it out of "
        "federal civil immigration enforcement, and leave with a report and a draft policy."
    )
)
services.show_notice()

ruleset = services.ruleset_or_stop()

# Begin first: on a phone the button used to sit below four screens of explanation (1,860 px down).
services.resume_offer(ruleset, "start", go_to="app_pages/assessment.py")
if st.button(_("Start a self-assessment"), key="start_assessment", type="primary"):
    st.switch_page("app_pages/assessment.py")
st.caption(_("Legal information, not legal advice: see below. Your answers stay on this computer."))

col_does, col_not = st.columns(2)
with col_does:
    st.subheader(_("What it does"))
    st.markdown(
        _(
            "- Asks plain questions about your written policy and what staff actually do.\n"
            "- Explains, control by control, what is in place, what is missing and why it matters.\n"
            "- Shows what would make each control pass, with a model clause you can copy.\n"
            "- Assembles the clauses for your gaps into a draft policy (Word or Markdown).\n"
            "- Cites its sources, with the date each was last checked."
        )
    )
with col_not:
    st.subheader(_("What it does not do"))
    st.markdown(
        _(
            "- It is **not legal advice** and does not replace a lawyer licensed in your state.\n"
            "- It never asks about, and you should never enter, anyone's immigration status.\n"
            "- It does not know your full circumstances or your state's latest law.\n"
            "- It does not send, publish or keep anything."
        )
    )

st.subheader(_("Legal information, not legal advice"))
st.warning(ruleset.disclaimer)

st.subheader(_("Your privacy"))
st.markdown(
    _(
        "Everything stays on this computer. The app makes no connections to the internet, and nothing is "
        "stored: your answers exist only while this browser tab is open, unless you download them or tick "
        '"{autosave}" in the self-assessment. Closing the tab erases them otherwise.'
    ).format(autosave=_("Autosave my answers on this computer"))
)

st.subheader(_("Try a sample"))
st.markdown(_("Or open a sample institution to see what a finished assessment looks like:"))

sample_list = services.samples()
if not sample_list:
    st.info(_("No sample institutions are installed with this copy of the tool."))
    st.stop()


def open_sample(path: Path, name: str) -> None:
    """Load a sample answers file into the session and go to its results."""
    try:
        inst, ans = read_answers_file(ruleset, path.name, path.read_bytes())
    except (InputError, OSError) as exc:
        st.error(_("This sample could not be opened: {problem}").format(problem=md_escape(exc)))
        return
    services.replace_assessment(
        inst, ans, notice=_("Opened the sample institution {name}.").format(name=md_escape(name))
    )
    st.switch_page("app_pages/results.py")


def type_titles(types: str) -> str:
    """'k12_school, congregation' as the titles a person reads."""
    ids = [t.strip() for t in types.split(",") if t.strip()]
    return ", ".join(ruleset.institution_types.get(t, {}).get("title", t) for t in ids)


featured = next((s for s in sample_list if s[2].stem == FEATURED_SAMPLE), sample_list[0])
if st.button(_("Open a sample school district: {name}").format(name=md_escape(featured[0])), key="sample_featured"):
    open_sample(featured[2], featured[0])
by_stem = {path.stem: (name, types, path) for name, types, path in sample_list}
choice = st.selectbox(
    _("Or choose another sample institution"),
    list(by_stem),
    format_func=lambda stem: f"{by_stem[stem][0]} ({type_titles(by_stem[stem][1])})",
    key="sample_choice",
)
if st.button(_("Open the chosen sample"), key="sample_open"):
    name, _types, path = by_stem[choice]
    open_sample(path, name)
