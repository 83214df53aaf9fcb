"""Results: the action plan first, then the scorecard, legal-risk flags apart, every control explained.

Control ids and rule names are for reviewers: they appear only with "Show technical details" on.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from engine import (
    BOUND_WORDS,
    COUNSEL_INTRO,
    COUNSEL_TITLE,
    INSTITUTION_PLACEHOLDER,
    LEVEL_MEANING,
    LEVEL_WORDS,
    N_,
    OUTCOME_WORDS,
    STATE_LAW_INTRO,
    STATE_LAW_TITLE,
    ActionPlan,
    Component,
    Finding,
    RecommendedClause,
    Report,
    Ruleset,
    Step,
    _,
    clause_line,
    counsel_questions,
    fill_institution,
    finding_marks,
    finding_words,
    law_lines,
    ngettext,
    open_texts,
    source_notes,
    state_law_note,
    step_outcome,
    step_risks,
)
from ui import services
from ui.charts import stacked_outcomes
from ui.downloads import pdf_files, report_files
from ui.text import GAP_OUTCOMES, literal_cells, md_escape, open_questions_sentence, outcome_label, slug

CHART_OUTCOMES = ("pass", "partial", "fail", "not_answered")
PLAN_SHOWN = 5
FLAG_WORDS = {"risk": N_("Legal risk"), "info": N_("Note")}
# The scorecard's columns: English keys in the frame (the code reads rows by them), words on the page.
CARD_COLUMNS = (
    N_("Component"), N_("Outcome"), N_("Decided"), N_("Core"), N_("Pass"), N_("Partial"), N_("Fail"),
    N_("Not answered"), N_("Why"),
)  # fmt: skip


def scorecard(report: Report) -> pd.DataFrame:
    """One row per component that applies: outcome in words (with its bound) and the counts behind it.

    A component that does not apply to this type of institution is left out (``not_applicable_note`` says so in
    words), so "does not apply, 0 of 0" is never read as a score.
    """
    rows = []
    for c in applicable_components(report):
        counts = c.get("counts", {})
        coverage = c.get("coverage") or {}
        bound = {"at_least": _(" — at least"), "at_most": _(" — at most")}.get(c.get("bound") or "", "")
        rows.append(
            {
                "Component": c["title"],
                "Outcome": outcome_label(c["outcome"]) + bound + (_(" (provisional)") if c.get("provisional") else ""),
                "Decided": _("{decided} of {applicable}").format(
                    decided=coverage.get("decided", 0), applicable=coverage.get("applicable", 0)
                ),
                "Core": _("core") if c.get("core") else "",
                "Pass": counts.get("pass", 0),
                "Partial": counts.get("partial", 0),
                "Fail": counts.get("fail", 0),
                "Not answered": counts.get("not_answered", 0),
                "Why": c["explanation"],
            }
        )
    return pd.DataFrame(rows)


def applicable_components(report: Report) -> list[Component]:
    """The components that apply to this institution (the scorecard and chart show only these)."""
    return [c for c in report["components"] if c["outcome"] != "not_applicable"]


def not_applicable_note(report: Report) -> str:
    """'Bright line does not apply to this type of institution.' for the components left out ('' when none)."""
    titles = [c["title"] for c in report["components"] if c["outcome"] == "not_applicable"]
    if not titles:
        return ""
    return ngettext(
        "{titles} does not apply to this type of institution, so it is not scored.",
        "{titles} do not apply to this type of institution, so they are not scored.",
        len(titles),
    ).format(titles=_(" and ").join(titles))


def chart_data(report: Report) -> pd.DataFrame:
    """Long form counts (component, outcome word, controls) for the stacked bar chart."""
    rows = []
    for c in applicable_components(report):
        for outcome in CHART_OUTCOMES:
            rows.append(
                {
                    _("Component"): c["title"],
                    _("Outcome"): _(OUTCOME_WORDS[outcome]),
                    _("Controls"): int(c.get("counts", {}).get(outcome, 0)),
                }
            )
    return pd.DataFrame(rows)


def answers_used(finding: Finding) -> pd.DataFrame:
    """The answers a control read, one row per question (the engine lists each question once)."""
    rows = []
    for b in finding.get("because", []):
        if not str(b.get("fact", "")).startswith("answers."):
            continue
        if b.get("role") == "partial":
            met = _("earns the partial credit")
        else:
            met = {True: _("yes"), False: _("no"), None: _("not yet known")}[b.get("met")]
        rows.append(
            {
                _("Question"): b.get("text", b["fact"]),
                _("Your answer"): b["given"] if b["given"] is not None else _("not answered"),
                _("Needed"): str(b["needed"]),
                _("Met"): met,
            }
        )
    return pd.DataFrame(rows)


def clause_markdown(ruleset: Ruleset, clause_id: str, institution_name: str) -> str:
    """A clause as readable Markdown (reviewed rules text); only the institution's name is escaped user text."""
    clause = ruleset.clauses.get(clause_id)
    if clause is None:
        return ""
    return fill_institution(clause.text, md_escape(institution_name or INSTITUTION_PLACEHOLDER))


def show_clause(ruleset: Ruleset, clause: RecommendedClause, name: str, key: str) -> None:
    """The clause as formatted text, with a visible download of its plain text."""
    with st.container(border=True):
        st.markdown(clause_markdown(ruleset, clause["id"], name))
    st.download_button(
        _("Download this clause (text)"),
        clause.get("text") or "",
        f"{slug(clause['title'], 'clause')}.txt",
        "text/plain",
        key=f"dl_clause_{key}",
        on_click="ignore",
        icon=":material/download:",
    )


def show_step(ruleset: Ruleset, step: Step, finding: Finding, name: str, details: bool) -> None:
    """One action-plan step: what is wrong, the change that closes it, and the clause."""
    with st.container(border=True, key=f"plan_step_{step['step']}"):
        st.markdown(f"**{step['step']}. {md_escape(step['title'])}**")
        st.caption(
            md_escape(f"{step['priority_words']} · {step_outcome(step)} · {step['component']}")
            + (_(" · control {control}").format(control=md_escape(step["control"])) if details else "")
        )
        for law in step.get("laws") or []:
            head, *rest = law_lines(law)
            st.error(f"**{md_escape(head)}**  \n" + "  \n".join(md_escape(line) for line in rest))
        if step["change_text"]:
            if step.get("laws"):
                lead = _("**What it would take:** {change}")
            else:
                lead = _("**The change that closes it:** {change}")
            st.markdown(lead.format(change=md_escape(step["change_text"])))
        else:
            st.markdown(md_escape(step["why"]))
        for risk in step_risks(step):
            st.markdown(_("**Legal risk:** {risk}").format(risk=md_escape(risk)))
        step_clause, recommended = step["clause"], finding.get("recommended_clause")
        if step_clause and step_clause.get("left_out"):
            st.caption(md_escape(clause_line(step)))
        elif step_clause and recommended:
            with st.expander(md_escape(_("Clause to adopt: {title}").format(title=step_clause["title"]))):
                show_clause(ruleset, recommended, name, f"plan_{step['step']}")


def finding_label(finding: Finding, details: bool = False) -> str:
    """'◐ Partial — at least — title (core)' for the control's expander; the id only with details on."""
    bound = _(BOUND_WORDS.get(finding.get("bound") or "", "")) if finding.get("bound") else ""
    marks = "".join(f" ({m})" for m in finding_marks(finding))
    ident = f" [{finding['control']}]" if details else ""
    return f"{outcome_label(finding['outcome'])}{' — ' + bound if bound else ''} — {finding['title']}{marks}{ident}"


def show_finding(ruleset: Ruleset, finding: Finding, name: str, details: bool) -> None:
    """One control: outcome, explanation, answers used, what would make it pass, clause, citations."""
    with st.expander(md_escape(finding_label(finding, details)), expanded=finding["outcome"] in GAP_OUTCOMES):
        word = finding_words(finding)
        st.markdown(f"**{md_escape(word)}.** {md_escape(finding['explanation'])}")
        if finding.get("open_questions"):
            st.markdown(_("**Still open:** {questions}").format(questions=md_escape(" / ".join(open_texts(finding)))))
        used = answers_used(finding)
        if len(used):
            st.markdown("**" + _("The answers it used") + "**")
            # A table wraps long questions instead of cutting them off as a data grid does.
            st.table(
                literal_cells(used),
                hide_index=True,
                alt=_("The answers used for: {title}").format(title=finding["title"]),
            )
        changes = finding.get("to_pass")
        if changes:
            st.markdown("**" + _("What would make it pass") + "**")
            st.markdown("\n".join(f"- {md_escape(c['text'])} → **{md_escape(c['to'])}**" for c in changes))
        clause = finding.get("recommended_clause")
        if clause:
            st.markdown("**" + _("Recommended clause: {title}").format(title=md_escape(clause["title"])) + "**")
            show_clause(ruleset, clause, name, finding["control"])
        if finding.get("flags") and details:
            st.markdown(_("**Flags on this control:** {flags}").format(flags=md_escape(", ".join(finding["flags"]))))
        if finding.get("citations"):
            st.markdown("**" + _("Sources") + "**")
            st.markdown(
                "\n".join(
                    f"- {md_escape(c['title'])} — {md_escape(c.get('publisher') or '')} "
                    f"({md_escape('; '.join(source_notes(c)))})  \n  {md_escape(c['url'])}"
                    for c in finding["citations"]
                )
            )
        if details:
            st.caption(
                md_escape(
                    _("Control {control} · rule {rules}").format(
                        control=finding["control"], rules=", ".join(finding["trace"])
                    )
                )
            )


def downloads(report: Report, name: str) -> None:
    files = report_files(report)
    dl = st.columns(3)
    dl[0].download_button(
        _("Print-ready report (HTML)"), files["html"], f"{name}-report.html", "text/html", key="dl_html",
        on_click="ignore", type="primary", help=_("Open it in your browser and print it, or save it as a PDF."),
    )  # fmt: skip
    dl[1].download_button(
        _("Download report (Markdown)"), files["markdown"], f"{name}-report.md", "text/markdown", key="dl_markdown",
        on_click="ignore",
    )  # fmt: skip
    dl[2].download_button(
        _("Download report (JSON)"), files["json"], f"{name}-report.json", "application/json", key="dl_json",
        on_click="ignore",
    )  # fmt: skip
    # PDFs are made on this computer when clicked (a callable), so the page does not wait for them.
    pdfs = pdf_files(report)
    pdf = st.columns(3)
    pdf[0].download_button(
        _("One-page brief (PDF)"), pdfs["brief"], f"{name}-brief.pdf", "application/pdf", key="dl_brief_pdf",
        on_click="ignore", help=_("The level, the top five steps, the state-law note and the questions for counsel."),
    )  # fmt: skip
    pdf[1].download_button(
        _("Full report (PDF)"), pdfs["report"], f"{name}-report.pdf", "application/pdf", key="dl_report_pdf",
        on_click="ignore",
    )  # fmt: skip


ruleset = services.ruleset_or_stop()
st.title(_("Results"))
services.show_notice()
# The report is often ready already (the Review page counts open questions from it), but a long page takes
# a moment to draw on a slow machine: say so at once instead of leaving the previous page faded.
preparing = st.empty()
if services.institution().get("types"):
    preparing.info(_("Preparing your results…"), icon="⏳")
try:
    inst, report = services.report_or_stop(ruleset)
except BaseException:  # st.stop() with guidance or an error on the page: no notice left behind
    preparing.empty()
    raise
name = inst.get("name") or ""
file_name = slug(name)
findings = {f["control"]: f for f in report["findings"]}

st.subheader(md_escape(name or _("Your institution")), anchor=False)  # no link made of user text
places = ", ".join(ruleset.institution_types[t]["title"] for t in inst["types"])
st.caption(
    md_escape(
        _("{types} · {state} · assessed as of {date}").format(
            types=places, state=inst.get("state") or _("state not given"), date=report["as_of"]
        )
    )
)
details = st.toggle(_("Show technical details (control ids and rules)"), key="show_details")
if state_law_note(report):
    box = st.info if (report.get("state_law") or {}).get("researched") else st.warning
    with st.container(key="state_law_note"):
        box(_("**State law:** {note}").format(note=md_escape(state_law_note(report))))

plan: ActionPlan = report.get("action_plan") or {
    "summary": "",
    "steps": [],
    "state_law_steps": [],
    "risks": [],
    "unanswered": 0,
}
level = report["overall"]["level"]
st.header(_("Your action plan"))
col_level, col_summary = st.columns([3, 5])  # room for a level in Spanish ("En desarrollo")
with col_level:
    bound_words = _(" — at least") if report["overall"].get("bound") == "at_least" else ""
    st.metric(_("Overall level"), _(LEVEL_WORDS.get(level, level)) + bound_words)
    if report["overall"].get("headline"):
        st.caption(md_escape(report["overall"]["headline"]))
with col_summary, st.container(key="plan_summary"):
    st.markdown(f"**{_(LEVEL_MEANING[level]) if level in LEVEL_MEANING else ''}**")
    st.markdown(md_escape(plan["summary"]))
    caps = report["overall"].get("caps") or []
    if caps:  # one plain sentence pair per cap, each on its own line
        st.markdown("**" + _("What limits the level:") + "**")
        st.markdown("\n".join(f"- {md_escape(c['explanation'])}" for c in caps))
if plan["steps"]:
    st.markdown(_("**Most important first** — core protections and legal risks before the rest:"))
    for step in plan["steps"][:PLAN_SHOWN]:
        show_step(ruleset, step, findings[step["control"]], name, details)
    rest = plan["steps"][PLAN_SHOWN:]
    if rest:
        with st.expander(
            ngettext("{count} more gap to close", "{count} more gaps to close", len(rest)).format(count=len(rest))
        ):
            for step in rest:
                show_step(ruleset, step, findings[step["control"]], name, details)
elif not plan.get("state_law_steps"):
    st.success(_("No gaps in the answered questions."))
held = plan.get("state_law_steps") or []
if held:
    with st.container(key="state_law_steps"):
        st.subheader(_(STATE_LAW_TITLE))
        st.markdown(md_escape(_(STATE_LAW_INTRO)))
        for step in held:
            show_step(ruleset, step, findings[step["control"]], name, details)
if plan["risks"]:
    st.warning(
        _("**Legal risks to review with a lawyer before you change anything:**")
        + "  \n"
        + "  \n".join(f"• {md_escape(r['title'])}" for r in plan["risks"])
    )
# Questions answered "don't know - ask counsel": a short list in plain words to hand to a lawyer.
counsel_texts = counsel_questions(report)
if counsel_texts:
    with st.container(key="ask_counsel"):
        st.markdown(f"**{_(COUNSEL_TITLE)}**")
        st.caption(md_escape(_(COUNSEL_INTRO)))
        st.markdown("\n".join(f"- {md_escape(t)}" for t in counsel_texts))
still_open = open_questions_sentence(report)  # the same count as the Review page
if still_open:
    st.caption(
        _("{still_open} Answer them on the Self-assessment page for a fuller picture.").format(still_open=still_open)
    )
next_col, review_col = st.columns(2)
if next_col.button(_("Next: the draft policy"), key="to_draft", type="primary"):
    st.switch_page("app_pages/draft.py")
if review_col.button(_("Review my answers"), key="to_review"):
    st.switch_page("app_pages/review.py")

st.header(_("Component scorecard"))
st.altair_chart(
    stacked_outcomes(
        chart_data(report),
        _("Component"),
        value=_("Controls"),
        title=_("Number of controls"),
        series=_("Outcome"),
    ),
    width="stretch",
    alt=_("Stacked bars: for each component, how many controls pass, partly pass, fail or are not answered."),
)
card = scorecard(report)
with st.container(key="scorecard"):  # keyed so tests find the table by name, not position
    st.table(
        literal_cells(card).rename(columns=lambda column: _(column)),
        hide_index=True,
        alt=_("Component scorecard in words"),
    )
    if not_applicable_note(report):
        st.caption(md_escape(not_applicable_note(report)))
# The same scorecard as one card per component, shown instead of the table on a phone (CSS in ui/app.py).
with st.container(key="scorecard_cards"):
    for row in card.to_dict("records"):
        with st.container(border=True):
            core = _(" (core)") if row["Core"] else ""
            st.markdown(f"**{md_escape(row['Component'] + core)}:** {md_escape(row['Outcome'])}")
            st.caption(
                md_escape(
                    _("Controls: pass {passed}, partial {partial}, fail {failed}, not answered {blank}.").format(
                        passed=row["Pass"], partial=row["Partial"], failed=row["Fail"], blank=row["Not answered"]
                    )
                )
            )
            st.markdown(md_escape(row["Why"]))

st.header(_("Legal risks and notes"))
st.caption(_("These are separate from the verdicts: a control can pass and still carry a legal risk."))
if not report["flags"]:
    st.markdown(_("No legal risks or notes for these answers."))
for flag in report["flags"]:
    box = st.warning if flag["kind"] == "risk" else st.info
    sources = "; ".join(f"{c['title']} ({'; '.join(source_notes(c))})" for c in flag.get("citations", []))
    ident = (
        _(" ({flag}; controls {controls})").format(flag=flag["id"], controls=", ".join(flag["controls"]))
        if details
        else ""
    )
    box(
        f"**{_(FLAG_WORDS[flag['kind']]) if flag['kind'] in FLAG_WORDS else flag['kind']}:** "
        + md_escape(f"{flag['title']}.{ident}")
        + "  \n"
        + md_escape(flag["explanation"])
        + ("  \n" + md_escape(_("Sources: {sources}").format(sources=sources)) if sources else "")
    )

st.header(_("Every control"))
applicable = [f for f in report["findings"] if f["outcome"] not in ("not_applicable",)]
outcomes_present = [o for o in OUTCOME_WORDS if any(f["outcome"] == o for f in report["findings"])]
default_outcomes = [o for o in outcomes_present if o != "not_applicable"]
filter_col, component_col = st.columns(2)
with filter_col:
    chosen_outcomes = st.multiselect(
        _("Show outcomes"),
        outcomes_present,
        default=default_outcomes,
        format_func=outcome_label,
        key="filter_outcome",
    )
with component_col:
    chosen_components = st.multiselect(
        _("Show components"),
        [c["id"] for c in report["components"]],
        default=[c["id"] for c in report["components"]],
        format_func=lambda cid: ruleset.components[cid]["title"],
        key="filter_component",
    )
shown = [f for f in report["findings"] if f["outcome"] in chosen_outcomes and f["component"] in chosen_components]
hidden_na = len(report["findings"]) - len(applicable)
other = report.get("other_types")
other_types = len(other["controls"]) if other else 0
note = ngettext(
    "{applicable} of the {written} controls written for your kind of institution apply; "
    "{shown} is listed below with the filters above.",
    "{applicable} of the {written} controls written for your kind of institution apply; "
    "{shown} are listed below with the filters above.",
    len(shown),
).format(applicable=len(applicable), written=len(report["findings"]), shown=len(shown))
if hidden_na and "not_applicable" not in chosen_outcomes:
    note += " " + _('{count} do not apply to your situation (choose "{outcome}" to list them).').format(
        count=hidden_na, outcome=_(OUTCOME_WORDS["not_applicable"])
    )
if other_types:
    note += " " + _("The other {count} controls of the ruleset cover other kinds of institution.").format(
        count=other_types
    )
st.caption(note)
for finding in shown:
    show_finding(ruleset, finding, name, details)

st.header(_("Download the report"))
st.caption(
    _(
        "Self-contained files that need no internet connection. The HTML report is print-ready: open it and print "
        "it or save it as a PDF; each component starts on a new page."
    )
)
downloads(report, file_name)
preparing.empty()
