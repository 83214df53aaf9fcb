"""Rules: browse every control, question and citation, with search."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from engine import Ruleset
from ui import services
from ui.text import md_escape


def controls_table(ruleset: Ruleset) -> pd.DataFrame:
    """Every control with its component, institution types, clause and citations."""
    return pd.DataFrame(
        [
            {
                "Control": c.id,
                "Title": c.title,
                "Component": ruleset.components[c.component]["title"],
                "Applies to": ", ".join(ruleset.institution_types[t]["title"] for t in c.applies_to),
                "Questions": ", ".join(c.questions),
                "Recommended clause": c.recommended_clause or "",
                "Citations": ", ".join(c.citations),
            }
            for c in ruleset.controls.values()
        ]
    )


def questions_table(ruleset: Ruleset) -> pd.DataFrame:
    """Every question with its type, allowed answers, component, controls and help text."""
    rows = []
    for q in ruleset.questions.values():
        allowed = {"boolean": "yes / no", "number": "a number"}.get(q.type, " / ".join(q.choices.values()))
        component = ruleset.question_component(q.id)
        rows.append(
            {
                "Question": q.id,
                "Text": q.text,
                "Answers": allowed,
                "Component": ruleset.components[component]["title"] if component in ruleset.components else "",
                "Controls": ", ".join(ruleset.question_controls(q.id)),
                "Help": q.help,
                "Who knows": q.who_knows,
            }
        )
    return pd.DataFrame(rows)


def citations_table(ruleset: Ruleset) -> pd.DataFrame:
    """Every citation with its publisher, quality and last-verified date."""
    return pd.DataFrame(
        [
            {
                "Citation": c.id,
                "Title": c.title,
                "Publisher": c.publisher,
                "Quality": c.quality,
                "Published": c.published or "",
                "Last verified": c.last_verified,
                "Address": c.url,
            }
            for c in ruleset.citations.values()
        ]
    )


def search(frame: pd.DataFrame, text: str) -> pd.DataFrame:
    """Rows where any cell contains every word of ``text`` (case-insensitive)."""
    words = text.lower().split()
    if not words or frame.empty:
        return frame
    haystack = frame.astype(str).agg(" ".join, axis=1).str.lower()
    mask = pd.Series(True, index=frame.index)
    for word in words:
        mask &= haystack.str.contains(word, regex=False)
    return frame[mask]


ruleset = services.ruleset_or_stop()
st.title("Rules")
st.markdown(
    md_escape(f"{ruleset.title}, version {ruleset.version}")
    + f": {len(ruleset.controls)} controls, {len(ruleset.questions)} questions and "
    f"{len(ruleset.citations)} citations. Every verdict in a report comes from these rules."
)
query = st.text_input("Search the rules", key="rules_search", placeholder="e.g. warrant, FERPA, SC-CF")
tab_controls, tab_questions, tab_citations, tab_components = st.tabs(
    ["Controls", "Questions", "Citations", "Components"]
)
with tab_controls:
    found = search(controls_table(ruleset), query)
    st.caption(f"{len(found)} of {len(ruleset.controls)} controls")
    with st.container(key="rules_controls"):  # keyed so tests find the table by name
        st.dataframe(found, hide_index=True, alt="Controls")
with tab_questions:
    found = search(questions_table(ruleset), query)
    st.caption(f"{len(found)} of {len(ruleset.questions)} questions")
    with st.container(key="rules_questions"):  # keyed so tests find the table by name
        st.dataframe(found, hide_index=True, alt="Questions")
with tab_citations:
    found = search(citations_table(ruleset), query)
    st.caption(f"{len(found)} of {len(ruleset.citations)} citations")
    with st.container(key="rules_citations"):  # keyed so tests find the table by name
        st.dataframe(found, hide_index=True, alt="Citations")
with tab_components:
    for cid, meta in ruleset.components.items():
        st.markdown(f"**{md_escape(meta['title'])}** ({cid}): {md_escape(meta.get('description', ''))}")
