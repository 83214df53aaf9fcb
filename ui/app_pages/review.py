"""Review: every answer on one page, grouped by section, with a link back to edit each section."""

from __future__ import annotations

import streamlit as st

from engine import _
from ui import services
from ui.questionnaire import answer_words, asked_sections, sections, state_options
from ui.text import md_escape, open_questions, open_questions_sentence


def _edit(index: int) -> None:
    st.session_state[services.SECTION] = index
    st.session_state["nav_section"] = index


ruleset = services.ruleset_or_stop()
st.title(_("Review your answers"))
inst = services.institution()
if not inst.get("types"):
    services.need_assessment_message()
    st.stop()
answers = services.answers()
all_sections = asked_sections(ruleset, sections(ruleset, inst["types"]), inst, answers)  # skipped follow-ups left out
total = sum(len(qs) for _, _, qs in all_sections)
report = services.current_report(ruleset)  # the engine's count of open questions, the same as on Results
blank, _counsel = open_questions(report) if report else (total, 0)
st.markdown(
    _(
        'You answered **{answered} of {total}** questions. Check them here; use "{edit}" to change '
        "anything, then see your results."
    ).format(answered=total - blank, total=total, edit=_("Edit this section"))
)
still_open = open_questions_sentence(report) if report else ""
if still_open:
    st.info(
        _(
            "{still_open} Open questions are never counted as a pass or a fail; the results say what they leave "
            "undecided."
        ).format(still_open=still_open)
    )

for index, (cid, title, questions) in enumerate(all_sections):
    with st.container(border=True, key=f"review_{cid}"):
        head, edit = st.columns([4, 1])
        head.subheader(f"{index + 1}. {md_escape(title)}")
        if edit.button(_("Edit this section"), key=f"edit_{cid}", on_click=_edit, args=(index,)):
            st.switch_page("app_pages/assessment.py")
        if cid == "institution":
            places = state_options(ruleset)
            public_words: dict[bool | None, str] = {True: _("Public body"), False: _("Private organisation")}
            public = public_words.get(inst.get("public"), _("Not said"))
            rows = [
                (_("Institution name"), inst.get("name") or _("Not given")),
                (_("Institution type"), ", ".join(ruleset.institution_types[t]["title"] for t in inst["types"])),
                (_("State or territory"), places.get(inst.get("state") or "", _("Not given"))),
                (_("Public or private"), public),
            ]
        else:
            rows = [(q.text, answer_words(q, answers.get(q.id))) for q in questions]
        st.markdown("\n".join(f"- {md_escape(question)}  \n  **{md_escape(answer)}**" for question, answer in rows))

if st.button(_("See my results"), key="review_results", type="primary"):
    st.switch_page("app_pages/results.py")
