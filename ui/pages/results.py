"""Results: overall level, component scorecard (chart and words), flags apart, every control explained."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from engine import BOUND_WORDS, LEVEL_WORDS, OUTCOME_WORDS, finding_marks, finding_words, open_texts, source_notes
from ui import services
from ui.charts import stacked_outcomes
from ui.downloads import report_files
from ui.text import GAP_OUTCOMES, LEVEL_MEANING, md_escape, outcome_label, slug

CHART_OUTCOMES = ("pass", "partial", "fail", "not_answered")


def scorecard(report: dict[str, Any]) -> pd.DataFrame:
    """One row per component: outcome in words and the counts behind it."""
    rows = []
    for c in report["components"]:
        counts = c.get("counts", {})
        coverage = c.get("coverage") or {}
        rows.append(
            {
                "Component": c["title"],
                "Outcome": outcome_label(c["outcome"]) + (" (provisional)" if c.get("provisional") else ""),
                "Decided": f"{coverage.get('decided', 0)} of {coverage.get('applicable', 0)}",
                "Core": "core" if c.get("core") else "",
                "Pass": counts.get("pass", 0),
                "Partial": counts.get("partial", 0),
                "Fail": counts.get("fail", 0),
                "Not answered": counts.get("not_answered", 0),
                "Why": c["explanation"],
            }
        )
    return pd.DataFrame(rows)


def chart_data(report: dict[str, Any]) -> pd.DataFrame:
    """Long form counts (component, outcome word, controls) for the stacked bar chart."""
    rows = []
    for c in report["components"]:
        for outcome in CHART_OUTCOMES:
            rows.append(
                {
                    "Component": c["title"],
                    "Outcome": OUTCOME_WORDS[outcome],
                    "Controls": int(c.get("counts", {}).get(outcome, 0)),
                }
            )
    return pd.DataFrame(rows)


def finding_label(finding: dict[str, Any]) -> str:
    """'◐ Partial — at least — JL-BL-DETAINER (core): title' for the control's expander."""
    bound = BOUND_WORDS.get(finding.get("bound") or "", "")
    marks = "".join(f" ({m})" for m in finding_marks(finding))
    return (
        f"{outcome_label(finding['outcome'])}{' — ' + bound if bound else ''} — "
        f"{finding['control']}{marks}: {finding['title']}"
    )


def show_finding(finding: dict[str, Any]) -> None:
    """One control: outcome, explanation, answers used, what would make it pass, clause, citations."""
    with st.expander(md_escape(finding_label(finding)), expanded=finding["outcome"] in GAP_OUTCOMES):
        word = finding_words(finding)
        st.markdown(f"**{md_escape(word)}.** {md_escape(finding['explanation'])}")
        if finding.get("open_questions"):
            st.markdown("**Still open:** " + md_escape(" / ".join(open_texts(finding))))
        used = [b for b in finding.get("because", []) if str(b.get("fact", "")).startswith("answers.")]
        if used:
            st.markdown("**The answers it used**")
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            "Question": b.get("text", b["fact"]),
                            "Your answer": b["given"] if b["given"] is not None else "not answered",
                            "Needed": str(b["needed"]),
                            "Met": {True: "yes", False: "no", None: "unknown"}[b.get("met")],
                        }
                        for b in used
                    ]
                ),
                hide_index=True,
                alt=f"Answers used by control {finding['control']}",
            )
        if finding.get("to_pass"):
            st.markdown("**What would make it pass**")
            st.markdown("\n".join(f"- {md_escape(c['text'])} → **{md_escape(c['to'])}**" for c in finding["to_pass"]))
        clause = finding.get("recommended_clause")
        if clause:
            st.markdown(f"**Recommended clause: {md_escape(clause['title'])}** ({clause['id']}; copy button at right)")
            st.code(clause.get("text", ""), language=None, wrap_lines=True)
        if finding.get("flags"):
            st.markdown("**Flags on this control:** " + md_escape(", ".join(finding["flags"])))
        if finding.get("citations"):
            st.markdown("**Sources**")
            st.markdown(
                "\n".join(
                    f"- {md_escape(c['title'])} — {md_escape(c.get('publisher') or '')} "
                    f"({md_escape('; '.join(source_notes(c)))})" + f"  \n  `{c['url']}`"
                    for c in finding["citations"]
                )
            )


ruleset = services.ruleset_or_stop()
st.title("Results")
services.show_notice()
inst, report = services.report_or_stop(ruleset)

st.subheader(md_escape(inst.get("name") or "Your institution"))
st.caption(
    md_escape(
        ", ".join(ruleset.institution_types[t]["title"] for t in inst["types"])
        + f" · {inst.get('state') or 'state not given'} · assessed as of {report['as_of']}"
    )
)
level = report["overall"]["level"]
col_level, col_counts = st.columns([1, 2])
with col_level:
    st.metric("Overall level", LEVEL_WORDS.get(level, level))
with col_counts:
    st.markdown(f"**{LEVEL_MEANING.get(level, '')}**")
    st.markdown(md_escape(report["overall"]["explanation"]))
caps = report["overall"].get("caps") or []
if caps:
    st.markdown("**What limits the level**")
    st.markdown("\n".join(f"- {md_escape(c['explanation'])}" for c in caps))
if report.get("unanswered_questions"):
    st.caption(
        f"{len(report['unanswered_questions'])} question(s) are still unanswered; "
        "answer them on the Self-assessment page for a fuller picture."
    )

st.header("Component scorecard")
st.altair_chart(
    stacked_outcomes(chart_data(report), "Component"),
    width="stretch",
    alt="Stacked bars: for each component, how many controls pass, partly pass, fail or are not answered.",
)
with st.container(key="scorecard"):  # keyed so tests find the table by name, not position
    st.dataframe(scorecard(report), hide_index=True, alt="Component scorecard in words")

st.header("Flags")
st.caption("Flags are legal-risk and information notes, separate from the verdicts: a control can pass and carry one.")
if not report["flags"]:
    st.markdown("No flags for these answers.")
for flag in report["flags"]:
    box = st.warning if flag["kind"] == "risk" else st.info
    controls = f" Controls: {', '.join(flag['controls'])}." if flag.get("controls") else ""
    sources = "; ".join(f"{c['title']} ({'; '.join(source_notes(c))})" for c in flag.get("citations", []))
    box(
        md_escape(f"{flag['kind'].upper()} {flag['id']}: {flag['title']}.")
        + "  \n"
        + md_escape(flag["explanation"] + controls)
        + ("  \n" + md_escape("Sources: " + sources) if sources else "")
    )

st.header("Every control")
outcomes_present = [o for o in OUTCOME_WORDS if any(f["outcome"] == o for f in report["findings"])]
default_outcomes = [o for o in outcomes_present if o != "not_applicable"]
filter_col, component_col = st.columns(2)
with filter_col:
    chosen_outcomes = st.multiselect(
        "Show outcomes",
        outcomes_present,
        default=default_outcomes,
        format_func=outcome_label,
        key="filter_outcome",
    )
with component_col:
    chosen_components = st.multiselect(
        "Show components",
        [c["id"] for c in report["components"]],
        default=[c["id"] for c in report["components"]],
        format_func=lambda cid: ruleset.components[cid]["title"],
        key="filter_component",
    )
shown = [f for f in report["findings"] if f["outcome"] in chosen_outcomes and f["component"] in chosen_components]
st.caption(f"Showing {len(shown)} of {len(report['findings'])} controls.")
for finding in shown:
    show_finding(finding)

st.header("Download the report")
st.caption("Self-contained files: the HTML report prints well and needs no internet connection.")
files = report_files(report)
name = slug(inst.get("name") or "")
dl = st.columns(3)
dl[0].download_button(
    "Download report (HTML)", files["html"], f"{name}-report.html", "text/html", key="dl_html", on_click="ignore"
)
dl[1].download_button(
    "Download report (Markdown)",
    files["markdown"],
    f"{name}-report.md",
    "text/markdown",
    key="dl_markdown",
    on_click="ignore",
)
dl[2].download_button(
    "Download report (JSON)", files["json"], f"{name}-report.json", "application/json", key="dl_json", on_click="ignore"
)
st.page_link("pages/draft.py", label="Next: the draft policy for your gaps")
