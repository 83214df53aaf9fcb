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
    _,
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
                _("Place"): r["Place"],
                _("Institutions"): r["Institutions"],
                **{_(LEVEL_WORDS[level]): r[level] for level in LEVELS},
            }
            for r in rows
        ],
        columns=[_("Place"), _("Institutions"), *(_(LEVEL_WORDS[level]) for level in LEVELS)],
    )


def _close_report() -> None:
    st.session_state.pop(ROW_KEY, None)
    st.query_params.pop("row", None)  # only the report's row: ?lang= stays


def show_report(store: Any, row_id: str) -> None:
    """The report of one stored respondent, evaluated again from the answers it gave."""
    ruleset = services.ruleset_or_stop()
    try:
        wave, row = stored_row(store, int(row_id))
        submission = stored_submission(ruleset, row)
    except (InputError, ValueError) as exc:
        st.error(md_escape(_("That report cannot be shown: {problem}").format(problem=exc)))
        return
    import datetime as dt

    report = evaluate(ruleset, submission, as_of=dt.date.fromisoformat(wave.as_of))
    st.subheader(_("Report: {name}").format(name=md_escape(row["institution_name"])))
    st.caption(
        md_escape(
            (
                _(
                    "Wave {wave}, survey line {line}, respondent {respondent}. Evaluated again from its stored "
                    "answers with the law as of {date}."
                )
                if wave.rules_hash == ruleset.content_hash
                else _(
                    "Wave {wave}, survey line {line}, respondent {respondent}. Evaluated again from its stored "
                    "answers with the law as of {date} and the rules installed now ({version}); the wave was stored "
                    "with rules {stored_version}, so the result may differ from the stored one ({stored_level})."
                )
            ).format(
                wave=wave.name,
                line=row["line"],
                respondent=row["respondent_id"],
                date=wave.as_of,
                version=ruleset.version,
                stored_version=wave.rules_version,
                stored_level=_(LEVEL_WORDS[row["level"]])
                if row["level"] in LEVEL_WORDS
                else (row["level"] or _("none")),
            )
        )
    )
    level = report["overall"]["level"]
    st.markdown(
        "**"
        + _("Overall level: {level}").format(level=md_escape(_(LEVEL_WORDS[level]) if level in LEVEL_WORDS else level))
        + "**"
    )
    plan = report.get("action_plan")
    if plan and plan["summary"]:
        st.markdown(md_escape(plan["summary"]))
    steps = plan["steps"] if plan else []
    if steps:
        st.markdown("**" + _("Gaps, most important first") + "**")
        st.markdown("\n".join(f"1. {md_escape(step['title'])}" for step in steps[:10]))
    if st.button(_("Open the full report on the Results page"), key="coalition_open_report"):
        institution = {
            "name": submission.institution.name,
            "types": list(submission.institution.types),
            "state": submission.institution.state,
            "public": submission.institution.public,
        }
        answers = {**submission.answers, **submission.undecided}
        services.replace_assessment(
            institution,
            answers,
            notice=_("Opened {name} from wave {wave}.").format(name=submission.institution.name, wave=wave.name),
        )
        st.switch_page("app_pages/results.py")
    st.button(_("Close this report"), key="coalition_close_report", on_click=_close_report)
    st.divider()


def show_map(store: Any, wave: Any) -> None:
    st.subheader(_("Where institutions stand"))
    st.caption(
        md_escape(
            _(
                "Wave {wave}. Each institution counts once (its last row in the survey); rows that could not "
                "be evaluated are left out."
            ).format(wave=wave.name)
        )
    )
    left, right = st.columns(2)
    level = left.radio(
        _("Colour by the share of institutions that are"),
        LEVELS,
        format_func=lambda x: _(LEVEL_WORDS[x]),
        horizontal=True,
        key="coalition_level",
    )
    by = "state"
    if wave.county_column:
        by = right.radio(
            _("Map by"),
            ("state", "county"),
            format_func=lambda x: {"state": _("State"), "county": _("County")}[x],
            horizontal=True,
            key="coalition_by",
        )
    keys = ("state", "county") if by == "county" else ("state",)
    rows, unplaced = geo.place_frame_rows(shares_by_place(level_counts(store, wave.name, by=by), keys), by)
    if not rows:
        st.info(_("No institution in this wave has a state the map knows."))
        return
    frame = pd.DataFrame(rows)
    title = _("Share {level}").format(level=_(LEVEL_WORDS[level]).lower())
    feature = "counties" if by == "county" else "states"
    chart = choropleth(geo.topology(feature), feature, frame, f"share_{level}", title)
    st.vega_lite_chart(
        spec=chart,
        width="stretch",
        alt=(
            _(
                "Map of the United States by county: the share of institutions whose level is {level}, "
                "from light (none) to dark blue (all). The table below gives the same figures."
            )
            if by == "county"
            else _(
                "Map of the United States by state: the share of institutions whose level is {level}, "
                "from light (none) to dark blue (all). The table below gives the same figures."
            )
        ).format(level=_(LEVEL_WORDS[level])),
    )
    if unplaced:
        if by == "county":
            missing = _("{count} institutions are not on the map: their survey row gives no county the map knows.")
        else:
            missing = _("{count} institutions are not on the map: their survey row gives no state.")
        st.caption(missing.format(count=unplaced))
    st.dataframe(place_table(rows), hide_index=True, width="stretch")


def show_trends(store: Any) -> None:
    st.subheader(_("Trends across waves"))
    trends = pd.DataFrame(
        [
            {
                "Wave": t["wave"],
                "Level": _(LEVEL_WORDS[t["level"]]),
                "Share": t["share"],
                "Institutions": t["institutions"],
            }
            for t in level_trends(store)
        ]
    )
    st.altair_chart(
        level_trend_chart(trends),
        width="stretch",
        alt=_(
            "Line chart: the share of institutions at each level in every wave, oldest first. "
            "The table below gives the same figures."
        ),
    )
    table = trends.pivot_table(index="Wave", columns="Level", values="Institutions", sort=False).reset_index()
    table = table.rename(columns={"Wave": _("Wave")})
    st.dataframe(table, hide_index=True, width="stretch")


def show_dropped(store: Any, earlier: str, later: str) -> None:
    st.subheader(_("Institutions whose level dropped"))
    ruleset = services.ruleset_or_stop()
    result = compare_waves(store, earlier, later)
    dropped = [e for e in result["institutions"] if e["level_change"] == "dropped"]
    s = result["summary"]
    st.caption(
        md_escape(
            _(
                "From wave {earlier} to wave {later}: {matched} institutions in both (matched by name, type and "
                "state), {dropped} dropped a level, {improved} improved, {only_earlier} only in {earlier}, "
                "{only_later} only in {later}."
            ).format(
                earlier=earlier,
                later=later,
                matched=s["matched"],
                dropped=s["dropped"],
                improved=s["improved"],
                only_earlier=s["only_in_a"],
                only_later=s["only_in_b"],
            )
        )
    )
    if not dropped:
        st.success(_("No institution's level dropped."))
        return
    for entry in dropped:
        before, after = (
            _(LEVEL_WORDS[entry[k]]) if entry[k] in LEVEL_WORDS else entry[k] for k in ("level_a", "level_b")
        )
        label = _("{name} ({type}, {state}): {before} to {after}").format(
            name=entry["institution_name"],
            type=entry["institution_type"],
            state=entry["state"] or _("no state"),
            before=before,
            after=after,
        )
        st.page_link("app_pages/coalition.py", label=md_escape(label), query_params={"row": str(entry["row_b"])})
        if entry["controls_regressed"]:
            titles = [ruleset.controls[c].title if c in ruleset.controls else c for c in entry["controls_regressed"]]
            st.caption(md_escape(_("Got worse: {controls}").format(controls="; ".join(titles))))


st.title(_("Coalition"))
st.write(
    _(
        "Compare your coalition's survey waves over time and place. A wave is one batch run kept in a store: run "
        "`sanctuary batch survey.csv --wave 2026` (add `--store` to choose the database). This page only reads it."
    )
)
if STORE_KEY not in st.session_state:
    st.session_state[STORE_KEY] = default_store_url()
url = st.text_input(
    _("Store"),
    key=STORE_KEY,
    help=_(
        "sqlite:///path/to/coalition.db, or postgresql+psycopg://user@host/database for a shared store. "
        "Keep passwords in ~/.pgpass rather than here."
    ),
)
try:
    store = _store(url.strip())
    waves = list_waves(store)
except InputError as exc:
    st.info(md_escape(str(exc)))
    st.stop()
if not waves:
    st.info(_("This store holds no wave yet. Store one with 'sanctuary batch survey.csv --wave NAME'."))
    st.stop()

# A report link carries ?row=ID; remember it, because a button press on the report reruns without it.
if st.query_params.get("row"):
    st.session_state[ROW_KEY] = st.query_params["row"]
if st.session_state.get(ROW_KEY):
    show_report(store, st.session_state[ROW_KEY])

names = [w.name for w in waves]
left, right = st.columns(2)
earlier = left.selectbox(_("Earlier wave"), names, index=max(0, len(names) - 2), key="coalition_earlier")
later = right.selectbox(_("Later wave"), names, index=len(names) - 1, key="coalition_later")
show_map(store, next(w for w in waves if w.name == later))
show_trends(store)
if earlier != later:
    show_dropped(store, earlier, later)
else:
    st.info(_("Choose two different waves to see which institutions dropped a level."))
