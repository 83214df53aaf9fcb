"""Coalition: the waves kept in a coalition store, on a US map, over time, and who dropped a level.

Waves are stored from the command line (``sanctuary batch SURVEY.csv --wave 2026``). This page only reads a
store; it never creates one. Institution names and every other text from a survey are shown as plain text.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from engine import (
    LEVEL_WORDS,
    InputError,
    compare_waves,
    default_store_url,
    evaluate,
    level_counts,
    level_trends,
    list_waves,
    open_store,
    shares_by_place,
    stored_row,
    stored_submission,
)
from ui import geo, services
from ui.charts import choropleth, level_trend_chart
from ui.text import md_escape

STORE_KEY = "coalition_store"
ROW_KEY = "coalition_row"  # the stored respondent whose report is open
LEVELS = ("strong", "developing", "weak", "incomplete")


@st.cache_resource(show_spinner=False, max_entries=4)
def _store(url: str) -> Any:
    """One open store per URL for the whole app (SQLAlchemy engines are thread-safe connection pools)."""
    return open_store(url)


def place_table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The map's figures as a table (the same numbers, readable without the map)."""
    return pd.DataFrame(
        [
            {
                "Place": r["Place"],
                "Institutions": r["Institutions"],
                **{LEVEL_WORDS[level]: r[level] for level in LEVELS},
            }
            for r in rows
        ],
        columns=["Place", "Institutions", *(LEVEL_WORDS[level] for level in LEVELS)],
    )


def _close_report() -> None:
    st.session_state.pop(ROW_KEY, None)
    st.query_params.clear()


def show_report(store: Any, row_id: str) -> None:
    """The report of one stored respondent, evaluated again from the answers it gave."""
    ruleset = services.ruleset_or_stop()
    try:
        wave, row = stored_row(store, int(row_id))
        submission = stored_submission(ruleset, row)
    except (InputError, ValueError) as exc:
        st.error(md_escape(f"That report cannot be shown: {exc}"))
        return
    import datetime as dt

    report = evaluate(ruleset, submission, as_of=dt.date.fromisoformat(wave.as_of))
    st.subheader("Report: " + md_escape(row["institution_name"]))
    st.caption(
        md_escape(
            f"Wave {wave.name}, survey line {row['line']}, respondent {row['respondent_id']}. Evaluated again from "
            f"its stored answers with the law as of {wave.as_of}"
            + (
                "."
                if wave.rules_hash == ruleset.content_hash
                else f" and the rules installed now ({ruleset.version}); the wave was stored with rules "
                f"{wave.rules_version}, so the result may differ from the stored one ({row['level'] or 'none'})."
            )
        )
    )
    level = report["overall"]["level"]
    st.markdown(f"**Overall level: {md_escape(LEVEL_WORDS.get(level, level))}**")
    plan = report.get("action_plan")
    if plan and plan["summary"]:
        st.markdown(md_escape(plan["summary"]))
    steps = plan["steps"] if plan else []
    if steps:
        st.markdown("**Gaps, most important first**")
        st.markdown("\n".join(f"1. {md_escape(step['title'])}" for step in steps[:10]))
    if st.button("Open the full report on the Results page", key="coalition_open_report"):
        institution = {
            "name": submission.institution.name,
            "types": list(submission.institution.types),
            "state": submission.institution.state,
            "public": submission.institution.public,
        }
        answers = {**submission.answers, **submission.undecided}
        services.replace_assessment(
            institution, answers, notice=f"Opened {submission.institution.name} from wave {wave.name}."
        )
        st.switch_page("app_pages/results.py")
    st.button("Close this report", key="coalition_close_report", on_click=_close_report)
    st.divider()


def show_map(store: Any, wave: Any) -> None:
    st.subheader("Where institutions stand")
    st.caption(
        md_escape(
            f"Wave {wave.name}. Each institution counts once (its last row in the survey); rows that could not "
            "be evaluated are left out."
        )
    )
    left, right = st.columns(2)
    level = left.radio(
        "Colour by the share of institutions that are",
        LEVELS,
        format_func=lambda x: LEVEL_WORDS[x],
        horizontal=True,
        key="coalition_level",
    )
    by = "state"
    if wave.county_column:
        by = right.radio(
            "Map by", ("state", "county"), format_func=lambda x: f"{x.title()}", horizontal=True, key="coalition_by"
        )
    keys = ("state", "county") if by == "county" else ("state",)
    rows, unplaced = geo.place_frame_rows(shares_by_place(level_counts(store, wave.name, by=by), keys), by)
    if not rows:
        st.info("No institution in this wave has a state the map knows.")
        return
    frame = pd.DataFrame(rows)
    title = f"Share {LEVEL_WORDS[level].lower()}"
    feature = "counties" if by == "county" else "states"
    chart = choropleth(geo.topology(feature), feature, frame, f"share_{level}", title)
    st.vega_lite_chart(
        spec=chart,
        width="stretch",
        alt=f"Map of the United States by {by}: the share of institutions whose level is {LEVEL_WORDS[level]}, "
        "from light (none) to dark blue (all). The table below gives the same figures.",
    )
    if unplaced:
        where = "no county the map knows" if by == "county" else "no state"
        st.caption(f"{unplaced} institutions are not on the map: their survey row gives {where}.")
    st.dataframe(place_table(rows), hide_index=True, width="stretch")


def show_trends(store: Any) -> None:
    st.subheader("Trends across waves")
    trends = pd.DataFrame(
        [
            {
                "Wave": t["wave"],
                "Level": LEVEL_WORDS[t["level"]],
                "Share": t["share"],
                "Institutions": t["institutions"],
            }
            for t in level_trends(store)
        ]
    )
    st.altair_chart(
        level_trend_chart(trends),
        width="stretch",
        alt="Line chart: the share of institutions at each level in every wave, oldest first. "
        "The table below gives the same figures.",
    )
    table = trends.pivot_table(index="Wave", columns="Level", values="Institutions", sort=False).reset_index()
    st.dataframe(table, hide_index=True, width="stretch")


def show_dropped(store: Any, earlier: str, later: str) -> None:
    st.subheader("Institutions whose level dropped")
    ruleset = services.ruleset_or_stop()
    result = compare_waves(store, earlier, later)
    dropped = [e for e in result["institutions"] if e["level_change"] == "dropped"]
    s = result["summary"]
    st.caption(
        md_escape(
            f"From wave {earlier} to wave {later}: {s['matched']} institutions in both (matched by name, type and "
            f"state), {s['dropped']} dropped a level, {s['improved']} improved, {s['only_in_a']} only in {earlier}, "
            f"{s['only_in_b']} only in {later}."
        )
    )
    if not dropped:
        st.success("No institution's level dropped.")
        return
    for entry in dropped:
        before, after = (LEVEL_WORDS.get(entry[k], entry[k]) for k in ("level_a", "level_b"))
        where = f"{entry['institution_type']}, {entry['state'] or 'no state'}"
        label = f"{entry['institution_name']} ({where}): {before} to {after}"
        st.page_link("app_pages/coalition.py", label=md_escape(label), query_params={"row": str(entry["row_b"])})
        if entry["controls_regressed"]:
            titles = [ruleset.controls[c].title if c in ruleset.controls else c for c in entry["controls_regressed"]]
            st.caption(md_escape("Got worse: " + "; ".join(titles)))


st.title("Coalition")
st.write(
    "Compare your coalition's survey waves over time and place. A wave is one batch run kept in a store: run "
    "`sanctuary batch survey.csv --wave 2026` (add `--store` to choose the database). This page only reads it."
)
if STORE_KEY not in st.session_state:
    st.session_state[STORE_KEY] = default_store_url()
url = st.text_input(
    "Store",
    key=STORE_KEY,
    help="sqlite:///path/to/coalition.db, or postgresql+psycopg://user@host/database for a shared store. "
    "Keep passwords in ~/.pgpass rather than here.",
)
try:
    store = _store(url.strip())
    waves = list_waves(store)
except InputError as exc:
    st.info(md_escape(str(exc)))
    st.stop()
if not waves:
    st.info("This store holds no wave yet. Store one with 'sanctuary batch survey.csv --wave NAME'.")
    st.stop()

# A report link carries ?row=ID; remember it, because a button press on the report reruns without it.
if st.query_params.get("row"):
    st.session_state[ROW_KEY] = st.query_params["row"]
if st.session_state.get(ROW_KEY):
    show_report(store, st.session_state[ROW_KEY])

names = [w.name for w in waves]
left, right = st.columns(2)
earlier = left.selectbox("Earlier wave", names, index=max(0, len(names) - 2), key="coalition_earlier")
later = right.selectbox("Later wave", names, index=len(names) - 1, key="coalition_later")
show_map(store, next(w for w in waves if w.name == later))
show_trends(store)
if earlier != later:
    show_dropped(store, earlier, later)
else:
    st.info("Choose two different waves to see which institutions dropped a level.")
