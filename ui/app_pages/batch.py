"""Batch: upload a survey CSV, see problems by row, evaluate with progress, summary charts, results table."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pandas as pd
import streamlit as st

from engine import (
    LEVEL_WORDS,
    NOT_EVALUATED,
    OUTCOME_WORDS,
    InputError,
    Ruleset,
    _,
    check_survey,
    evaluate_survey,
    group_type_title,
    ngettext,
    read_survey,
    summary_csv,
    summary_xlsx,
    template_header,
    to_safe_csv,
    type_spellings,
    upgrade_survey,
    us_states,
)
from ui import services
from ui.batch_view import (
    COLUMN_LABELS,
    column_labels,
    errors_view,
    id_words,
    levels_line,
    most_failed_view,
    plain_words,
    results_view,
    type_options,
)
from ui.charts import LEVEL_COLOURS, stacked_outcomes
from ui.text import app_words, literal_cells, md_escape

SURVEY = "batch_survey"  # (file id, Survey) of the current upload
UPGRADED = "batch_survey_upgraded"  # (file id, name, upgraded bytes or None) for a survey of an earlier release
RESULT = "batch_result"  # (file id, BatchResult) once evaluated
SAMPLE_ID = "sample-survey"
KEEP = "batch_keep"  # the survey columns to carry into the results (--keep-columns)
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHART_OUTCOMES = ("pass", "partial", "fail", "not_answered")


def component_chart_data(summary: dict[str, Any], ruleset: Ruleset) -> pd.DataFrame:
    """Respondents per component and outcome (long form)."""
    rows = []
    for cid, counts in summary["components"].items():
        for outcome in CHART_OUTCOMES:
            rows.append(
                {
                    _("Component"): ruleset.components.get(cid, {}).get("title", cid),
                    _("Outcome"): _(OUTCOME_WORDS[outcome]),
                    _("Respondents"): int(counts.get(outcome, 0)),
                }
            )
    return pd.DataFrame(rows)


def result_column_config(columns: list[str], ruleset: Ruleset) -> dict[str, Any]:
    """Word headers for the results grid (the downloaded CSV keeps the short column names scripts read)."""
    return {
        column: st.column_config.Column(label, help=f"{about}." if about else None)
        for column, (label, about) in column_labels(columns, ruleset).items()
    }


def type_chart_data(summary: dict[str, Any], ruleset: Ruleset) -> pd.DataFrame:
    """Respondents per institution type and overall level (long form)."""
    rows = []
    for type_id, group in summary["by_institution_type"].items():
        title = group_type_title(ruleset, type_id)
        for level, count in group["overall"].items():
            rows.append(
                {
                    _("Institution type"): title,
                    _("Level"): _(LEVEL_WORDS.get(level, NOT_EVALUATED)),
                    _("Respondents"): count,
                }
            )
    return pd.DataFrame(rows)


def row_problems(ruleset: Ruleset, survey: Any) -> pd.DataFrame:
    """Every row the evaluation will reject and why: the evaluation's own row checks, run before it."""
    found = check_survey(ruleset, survey)
    words = id_words(ruleset)
    return pd.DataFrame(
        {
            _("Line"): [p.line for p in found],
            _("Respondent"): [p.respondent_id for p in found],
            _("Institution"): [p.institution_name for p in found],
            _("Problem"): [plain_words(app_words(p.problem), words) for p in found],
        }
    )


def _load(ruleset: Ruleset, file_id: str, name: str, data: bytes) -> None:
    keep = list(st.session_state.get(KEEP) or [])
    current = st.session_state.get(SURVEY)
    if current and current[0] == file_id and (current[1] is None or current[1].kept_columns == keep):
        return
    if not current or current[0] != file_id:  # another file: its columns are chosen afresh
        keep = []
        st.session_state.pop(KEEP, None)
    st.session_state.pop(RESULT, None)
    try:
        survey = read_survey(data, ruleset, name=name, keep=keep)
    except InputError as exc:
        st.session_state[SURVEY] = (file_id, None, str(exc))
    else:
        st.session_state[SURVEY] = (file_id, survey, "")
        # A survey written for an earlier release of the questions: offer it upgraded (sanctuary upgrade --survey).
        if _from_earlier_release(ruleset, survey):
            upgraded = upgrade_survey(ruleset, data, name)
            st.session_state[UPGRADED] = (file_id, name, upgraded.data if upgraded.changed else None)


def _from_earlier_release(ruleset: Ruleset, survey: Any) -> bool:
    """A retired column, or a retired answer in a current column (cheap checks before rewriting the file)."""
    if any("earlier release" in message for message in survey.problems):
        return True
    for question in ruleset.questions.values():
        if question.retired_answers and question.id in survey.frame:
            cells = survey.frame[question.id].fillna("").str.strip().str.lower()
            if cells.isin(list(question.retired_answers)).any():
                return True
    return False


def template_csv(ruleset: Ruleset) -> bytes:
    """A blank survey with text headers (ready for Google Forms, Microsoft Forms or SurveyMonkey)."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(template_header(ruleset, None, "text"))
    return buf.getvalue().encode("utf-8-sig")


def accepted_values(ruleset: Ruleset) -> None:
    """The spellings the type and state columns accept, as readable lists."""
    with st.expander(_("Accepted values for institution type and state"), expanded=False):
        st.markdown(_("**Institution type** (several: separate with commas). Any of these spellings works:"))
        spellings = [
            {_("Type"): names[1], _("Also accepted"): ", ".join(names[2:])}  # names[0], the id, works too
            for names in type_spellings(ruleset).values()
        ]
        st.table(
            literal_cells(pd.DataFrame(spellings)),
            hide_index=True,
            alt=_("Accepted spellings of each institution type"),
        )
        st.markdown(
            _(
                "**State**: the name or the two-letter code of a state, DC or territory, e.g. {example}. {states}. "
                "{spanish}"
            ).format(
                example=md_escape(_("New Mexico or NM")),
                states=md_escape(", ".join(f"{name} ({code})" for code, name in us_states())),
                spanish=md_escape(
                    _("Spanish names work too (Nuevo México, Carolina del Norte), with or without accents.")
                ),
            )
        )
        st.markdown(_("**Public body**: yes or no (also public/private, sí/no)."))


ruleset = services.ruleset_or_stop()
st.title(_("Batch"))
st.markdown(
    _(
        "Evaluate many institutions at once from a survey export (CSV): one row per respondent, with "
        "institution name, institution type, state and one column per question (headed by the question's id or "
        "its full text, as form tools export it). The file is read in memory and never stored."
    )
)
st.download_button(
    _("Download a blank survey template (CSV)"),
    template_csv(ruleset),
    "sanctuary-survey-template.csv",
    "text/csv",
    key="dl_template",
    on_click="ignore",
    help=_("One column per question, headed by the question text; import it into your form tool."),
)
accepted_values(ruleset)
upload = st.file_uploader(_("Survey CSV file"), type=["csv", "txt", "tsv"], key="batch_csv")
if upload is not None:
    _load(ruleset, upload.file_id, upload.name, upload.getvalue())
elif services.SAMPLE_SURVEY.is_file() and st.button(_("Use the sample survey"), key="batch_sample"):
    _load(ruleset, SAMPLE_ID, services.SAMPLE_SURVEY.name, services.SAMPLE_SURVEY.read_bytes())
elif st.session_state.get(SURVEY) and st.session_state[SURVEY][0] != SAMPLE_ID:
    # The upload was removed: forget it and its results.
    st.session_state.pop(SURVEY, None)
    st.session_state.pop(RESULT, None)

loaded = st.session_state.get(SURVEY)
if loaded and loaded[0] == SAMPLE_ID and loaded[1] is not None:
    _load(ruleset, SAMPLE_ID, services.SAMPLE_SURVEY.name, services.SAMPLE_SURVEY.read_bytes())  # columns to keep
    loaded = st.session_state.get(SURVEY)
if not loaded:
    st.stop()
file_id, survey, problem = loaded
if survey is None:
    st.error(
        _("This file cannot be used as a survey: {problem}").format(
            problem=md_escape(plain_words(app_words(problem), id_words(ruleset)))
        )
    )
    st.stop()

st.header(_("Checks"))
st.markdown(
    ngettext(
        "**{rows} row** read; {columns} columns recognised.",
        "**{rows} rows** read; {columns} columns recognised.",
        len(survey.frame),
    ).format(rows=len(survey.frame), columns=len(survey.column_map))
)
if survey.ignored_columns or survey.kept_columns:
    st.multiselect(
        _("Carry these columns into the results (for example Timestamp or Email)"),
        [*survey.kept_columns, *(c for c in survey.ignored_columns if c not in survey.kept_columns)],
        key=KEEP,
        help=_(
            "They are copied as they are, right after the file line, so each result can be matched to its response."
        ),
    )
for message in survey.problems:
    st.warning(md_escape(plain_words(app_words(message), id_words(ruleset))))
upgraded_entry = st.session_state.get(UPGRADED)
if upgraded_entry and upgraded_entry[0] == file_id and upgraded_entry[2] is not None:
    st.download_button(
        _("Download this survey upgraded to the current questions (CSV)"),
        upgraded_entry[2],
        f"upgraded-{upgraded_entry[1]}",
        "text/csv",
        key="dl_upgraded_survey",
        on_click="ignore",
        help=_(
            "Old question columns renamed and old answers rewritten; answers that no longer fit are left blank. "
            "Load the downloaded file here to evaluate it."
        ),
    )
problems = row_problems(ruleset, survey)
if len(problems):
    st.markdown(
        ngettext(
            "**{count} row has problems** and will be reported with its reason:",
            "**{count} rows have problems** and will be reported with their reason:",
            len(problems),
        ).format(count=len(problems))
    )
    with st.container(key="batch_row_problems"):
        st.dataframe(problems, hide_index=True, alt=_("Rows with problems, by file line"))
elif not survey.problems:
    st.success(_("No problems found in the file."))

result_entry = st.session_state.get(RESULT)
if not (result_entry and result_entry[0] == file_id):
    rows = len(survey.frame)
    if st.button(
        ngettext("Evaluate {count} row", "Evaluate {count} rows", rows).format(count=rows),
        key="batch_run",
        type="primary",
    ):
        with st.status(
            ngettext("Evaluating {count} row…", "Evaluating {count} rows…", rows).format(count=rows), expanded=True
        ) as status:
            bar = st.progress(0.0, text=_("Starting…"))
            # Chosen now: the progress callback may run outside this run's language.
            evaluated_text = _("{done} of {total} rows evaluated")

            def report_progress(done: int, total: int) -> None:
                bar.progress(done / max(total, 1), text=evaluated_text.format(done=done, total=total))

            try:
                result = evaluate_survey(ruleset, survey, progress=report_progress, long=True)
            except InputError as exc:
                status.update(label=_("The survey could not be evaluated"), state="error")
                st.error(md_escape(plain_words(app_words(exc), id_words(ruleset))))
                st.stop()
            except Exception as exc:  # an engine failure must be a message, not a traceback
                status.update(label=_("The survey could not be evaluated"), state="error")
                st.error(
                    _("The rules engine failed: {kind}: {details}").format(
                        kind=md_escape(exc.__class__.__name__), details=md_escape(exc)
                    )
                )
                st.stop()
            done = len(result.results)
            bar.progress(1.0, text=evaluated_text.format(done=done, total=done))
            status.update(
                label=ngettext("Evaluated {count} row", "Evaluated {count} rows", done).format(count=done),
                state="complete",
                expanded=False,
            )
        st.session_state[RESULT] = (file_id, result)
        result_entry = st.session_state[RESULT]
    else:
        st.stop()

result = result_entry[1]
summary = result.summary
frame: pd.DataFrame = result.results

st.header(_("Summary"))
m1, m2, m3, m4 = st.columns(4)
m1.metric(_("Respondents"), summary["respondents"])
m2.metric(_("Evaluated"), summary["evaluated"])
m3.metric(_(NOT_EVALUATED), summary["errors"])
m4.metric(
    _("Marked as duplicates"),
    summary.get("duplicates", 0),
    help=_("See the '{column}' column.").format(column=_(COLUMN_LABELS["duplicate_of"][0])),
)
st.markdown(md_escape(levels_line(summary["overall"])))
chart_left, chart_right = st.columns(2)
with chart_left:
    st.subheader(_("By component"))
    st.altair_chart(
        stacked_outcomes(
            component_chart_data(summary, ruleset),
            _("Component"),
            value=_("Respondents"),
            title=_("Number of respondents"),
            series=_("Outcome"),
        ),
        width="stretch",
        alt=_("Stacked bars: for each component, how many respondents pass, partly pass, fail or did not answer."),
    )
    provisional = [
        f"{ruleset.components.get(cid, {}).get('title', cid)}: {count}"
        for cid, count in summary.get("provisional", {}).items()
        if count
    ]
    if provisional:
        st.caption(
            md_escape(
                _(
                    "Provisional verdicts (too few of the component's controls, or a core control, decided yet): "
                    "{components}."
                ).format(components=", ".join(provisional))
            )
        )
with chart_right:
    st.subheader(_("By institution type"))
    st.altair_chart(
        stacked_outcomes(
            type_chart_data(summary, ruleset),
            _("Institution type"),
            value=_("Respondents"),
            title=_("Number of respondents"),
            series=_("Level"),
            colours=LEVEL_COLOURS,
        ),
        width="stretch",
        alt=_(
            "Stacked bars: for each institution type, how many respondents are strong, developing, weak or incomplete."
        ),
    )
if summary.get("controls_most_failed"):
    st.subheader(_("Controls most often failed"))
    most = most_failed_view(summary["controls_most_failed"])
    # A table wraps the control's title, which a data grid cut off. st.table reads Markdown: escape the cells.
    st.table(literal_cells(most), hide_index=True, alt=_("Controls most often failed"))

errors = errors_view(frame, ruleset)
if len(errors):
    st.subheader(_("Rows that could not be evaluated"))
    with st.container(key="batch_errors"):
        # A table wraps the reason; a data grid would cut it off. The cells are the survey's own text, and
        # st.table reads Markdown, so every cell is escaped: an image link in a name is shown, not fetched.
        st.table(literal_cells(errors), hide_index=True, alt=_("Rows with errors"))

st.header(_("Results"))
filters = st.columns(3)
with filters[0]:
    chosen_types = st.multiselect(
        _("Institution type"),
        type_options(frame, ruleset),
        format_func=lambda t: ruleset.institution_types[t]["title"],
        key="batch_filter_type",
    )
with filters[1]:
    level_options = [lvl for lvl in frame["overall_level"].astype(str).unique() if lvl]
    chosen_levels = st.multiselect(
        _("Overall level"),
        level_options,
        format_func=lambda v: _(LEVEL_WORDS[v]) if v in LEVEL_WORDS else v,
        key="batch_filter_level",
    )
with filters[2]:
    search = st.text_input(_("Search names and respondents"), key="batch_search")
show_controls = st.checkbox(_("Show a column for every control"), key="batch_show_controls")
view = frame
if chosen_types:
    view = view[view["institution_type"].astype(str).apply(lambda v: bool(set(v.split("|")) & set(chosen_types)))]
if chosen_levels:
    view = view[view["overall_level"].astype(str).isin(chosen_levels)]
if search.strip():
    needle = search.strip().lower()
    text = (view["respondent_id"].astype(str) + " " + view["institution_name"].astype(str)).str.lower()
    view = view[text.str.contains(needle, regex=False)]
if not show_controls:
    view = view[[c for c in view.columns if not str(c).startswith("control:")]]
st.caption(_("Showing {shown} of {total} rows.").format(shown=len(view), total=len(frame)))
with st.container(key="batch_results"):
    st.dataframe(
        results_view(view, ruleset),
        hide_index=True,
        column_config=result_column_config(list(view.columns), ruleset),
        alt=_("Results, one row per respondent"),
    )

st.header(_("Download"))
base = (survey.source or "survey").rsplit("/", 1)[-1].rsplit(".", 1)[0] or "survey"
dl = st.columns(3)
dl[0].download_button(
    _("Download results CSV"),
    to_safe_csv(frame).encode("utf-8-sig"),  # the BOM lets Excel read accents
    f"{base}-results.csv",
    "text/csv",
    key="dl_batch_csv",
    on_click="ignore",
)
dl[1].download_button(
    _("Download summary (JSON)"),
    json.dumps(summary, indent=2, ensure_ascii=False).encode("utf-8"),
    f"{base}-summary.json",
    "application/json",
    key="dl_batch_summary",
    on_click="ignore",
)
sheets = st.columns(3)
sheets[0].download_button(
    _("Download summary (Excel workbook)"),
    summary_xlsx(summary, ruleset),
    f"{base}-summary.xlsx",
    XLSX_MIME,
    key="dl_batch_summary_xlsx",
    on_click="ignore",
    help=_("One sheet per view: overview, components, institution types, states, controls, flags, problems."),
)
sheets[1].download_button(
    _("Download summary (CSV)"),
    summary_csv(summary, ruleset).encode("utf-8-sig"),
    f"{base}-summary.csv",
    "text/csv",
    key="dl_batch_summary_csv",
    on_click="ignore",
)
if result.long is not None:
    dl[2].download_button(
        _("Download long results (CSV)"),
        to_safe_csv(result.long).encode("utf-8-sig"),
        f"{base}-long.csv",
        "text/csv",
        key="dl_batch_long",
        on_click="ignore",
        help=_("One row per respondent and control, with the explanation: for pivot tables and filters."),
    )
