"""Rules: browse every control, question, source and state law, with search; sources filtered for a reader's state."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from engine import N_, STATE_CODES, Ruleset, _, list_sources, state_table
from ui import services
from ui.text import md_escape

# Every column header on this page (English keys in the frames, which the page reads by name; shown translated).
HEADERS = (
    N_("Control"), N_("Title"), N_("Component"), N_("Applies to"), N_("Questions"), N_("Recommended clause"),
    N_("Citations"), N_("Question"), N_("Text"), N_("Answers"), N_("Controls"), N_("Help"), N_("Who knows"),
    N_("Citation"), N_("Publisher"), N_("Kind"), N_("Jurisdiction"), N_("For this reader"), N_("Quality"),
    N_("Published"), N_("Checked"), N_("Used by"), N_("Warning"), N_("Address"), N_("State"), N_("Name"),
    N_("Researched on"), N_("Law"), N_("From"), N_("Until"), N_("In force"), N_("Quote"), N_("Read at"),
    N_("Sources"), N_("Exposure"), N_("Still lawful"), N_("Finding"),
)  # fmt: skip


def shown(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its headers in the page's language."""
    return frame.rename(columns=lambda column: _(column))


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
        allowed = {"boolean": _("yes / no"), "number": _("a number")}.get(q.type, " / ".join(q.choices.values()))
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


def sources_table(ruleset: Ruleset, state: str | None, as_of: dt.date) -> pd.DataFrame:
    """The sources register for a reader in ``state`` (all states when None), as ``sanctuary sources`` lists it."""
    return pd.DataFrame(
        [
            {
                "Citation": r["id"],
                "Title": r["title"],
                "Publisher": r["publisher"],
                "Kind": r["publisher_kind"].replace("_", " "),
                "Jurisdiction": r["jurisdiction"],
                "For this reader": r["label"] or (_("federal law") if r["relevance"] == "federal" else _("your state")),
                "Quality": r["quality"],
                "Published": r["published"] or "",
                "Checked": r["checked_text"],
                "Used by": ", ".join(r["controls"] + r["flags"]),
                "Warning": r["warning"],
                "Address": r["url"],
            }
            for r in list_sources(ruleset, state, as_of)
        ],
        columns=[
            "Citation",
            "Title",
            "Publisher",
            "Kind",
            "Jurisdiction",
            "For this reader",
            "Quality",
            "Published",
            "Checked",
            "Used by",
            "Warning",
            "Address",
        ],
    )


STATE_LAW_COLUMNS = [
    "State",
    "Name",
    "Researched on",
    "Law",
    "Title",
    "Kind",
    "From",
    "Until",
    "In force",
    "Quote",
    "Read at",
    "Sources",
    "Exposure",
    "Still lawful",
    "Finding",
]


def state_law_table(ruleset: Ruleset, as_of: dt.date) -> pd.DataFrame:
    """One row per state law, and one per state with none, from the same rows as ``sanctuary states``."""
    rows = []
    for state in state_table(ruleset, as_of):
        base = {"State": state["code"], "Name": state["name"], "Researched on": state["researched_on"] or ""}
        unverified = len(state["not_verified"])
        note = _("{count} claim(s) not verified, so not flagged").format(count=unverified) if unverified else ""
        if not state["laws"]:
            searched = state["no_law_found"]["searched"] if state["no_law_found"] else _("not researched")
            finding = _("No statewide law found in a primary text. Searched: {searched}").format(searched=searched)
            rows.append({**base, "Finding": finding + (f" ({note})" if note else "")})
        for law in state["laws"]:
            rows.append(
                {
                    **base,
                    "Law": law["id"],
                    "Title": law["title"],
                    "Kind": law["kind"],
                    "From": law["effective"]["from"] or "",
                    "Until": law["effective"]["to"] or "",
                    "In force": _("yes") if law["in_force"] else _("no"),
                    "Quote": law["quote"] + (f" ({law['quote_note']})" if law.get("quote_note") else ""),
                    "Read at": law["quote_source"]["url"],
                    "Sources": ", ".join(f"{c['id']} ({c['quality']})" for c in law["citations"]),
                    "Exposure": law["exposure"] or "",
                    "Still lawful": law["still_lawful"] or "",
                    "Finding": note,
                }
            )
    return pd.DataFrame(rows, columns=STATE_LAW_COLUMNS).fillna("")


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
st.title(_("Rules"))
st.markdown(
    _(
        "{title}, version {version}: {controls} controls, {questions} questions and {citations} citations. "
        "Every verdict in a report comes from these rules."
    ).format(
        title=md_escape(ruleset.title),
        version=md_escape(ruleset.version),
        controls=len(ruleset.controls),
        questions=len(ruleset.questions),
        citations=len(ruleset.citations),
    )
)
query = st.text_input(_("Search the rules"), key="rules_search", placeholder=_("e.g. warrant, FERPA, SC-CF"))
tab_controls, tab_questions, tab_sources, tab_states, tab_components = st.tabs(
    [_("Controls"), _("Questions"), _("Sources"), _("State law"), _("Components")]
)
with tab_controls:
    found = search(controls_table(ruleset), query)
    st.caption(_("{shown} of {total} controls").format(shown=len(found), total=len(ruleset.controls)))
    with st.container(key="rules_controls"):  # keyed so tests find the table by name
        st.dataframe(shown(found), hide_index=True, alt=_("Controls"))
with tab_questions:
    found = search(questions_table(ruleset), query)
    st.caption(_("{shown} of {total} questions").format(shown=len(found), total=len(ruleset.questions)))
    with st.container(key="rules_questions"):  # keyed so tests find the table by name
        st.dataframe(shown(found), hide_index=True, alt=_("Questions"))
with tab_sources:
    st.markdown(
        _(
            "Every source the rules cite, with who publishes it, whose law it states and how it was checked. "
            "Pick a state to see what a reader there relies on: federal law first, then that state's own law "
            "and local examples. Sources from other states are examples of what other places chose, not law for you."
        )
    )
    left, right = st.columns(2)
    with left:
        state = st.selectbox(
            _("State"),
            [None, *STATE_CODES],
            format_func=lambda c: _("All states") if c is None else c,
            key="sources_state",
        )
    with right:
        as_of = st.date_input(_("Warn about sources older than a year on"), value=dt.date.today(), key="sources_as_of")
    table = sources_table(ruleset, state, as_of)
    found = search(table, query)
    warned = int((found["Warning"] != "").sum()) if not found.empty else 0
    st.caption(
        (
            _("{shown} of {total} sources for a reader in {state}").format(
                shown=len(found), total=len(table), state=state
            )
            if state
            else _("{shown} of {total} sources").format(shown=len(found), total=len(table))
        )
        + _(
            "; {warned} may be out of date. None was re-checked live: dates say when the project's knowledge "
            "base last checked them."
        ).format(warned=warned)
    )
    with st.container(key="rules_sources"):  # keyed so tests find the table by name
        st.dataframe(shown(found), hide_index=True, alt=_("Sources"))
with tab_states:
    st.markdown(
        _(
            "Every state and DC: the laws read in a primary text, each with a short quote and the address it was "
            "read at, and for the rest what was searched. Laws seen only in news or summaries raise no flag."
        )
    )
    law_day = st.date_input(_("Mark the laws in force on"), value=dt.date.today(), key="states_as_of")
    table = state_law_table(ruleset, law_day)
    found = search(table, query)
    st.caption(
        _("{shown} of {total} rows; {laws} laws").format(
            shown=len(found), total=len(table), laws=int((table["Law"] != "").sum())
        )
    )
    with st.container(key="rules_states"):  # keyed so tests find the table by name
        st.dataframe(shown(found), hide_index=True, alt=_("State law"))
with tab_components:
    for cid, meta in ruleset.components.items():
        st.markdown(f"**{md_escape(meta['title'])}** ({cid}): {md_escape(meta.get('description', ''))}")
