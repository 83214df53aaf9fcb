"""Self-contained, printable HTML report: no scripts, no external fonts, images or styles.

The action plan comes first. Control ids and rule names sit in closed ``<details>`` blocks, which do
not print. The print stylesheet starts each component on a new page and keeps a control together.
"""

from __future__ import annotations

from html import escape

from engine.i18n import _, current_language
from engine.report.formats import counsel, notes
from engine.report.formats.common import (
    STATE_LAW_INTRO,
    STATE_LAW_TITLE,
    because_line,
    caps_lines,
    clause_line,
    component_words,
    finding_marks,
    findings_by_component,
    flag_sources_line,
    institution_line,
    law_lines,
    level_words,
    open_texts,
    source_notes,
    state_law_note,
    step_risks,
)
from engine.report.types import ActionPlan, Component, Report, Step
from engine.vocabulary import BOUND_WORDS, FLAG_KIND_WORDS, OUTCOME_SYMBOLS, OUTCOME_WORDS, institution_name

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
line-height:1.5;color:#1b1b1b}
h1{font-size:1.6rem}h2{border-bottom:1px solid #ccc;margin-top:2rem}h3{font-size:1.05rem;margin-bottom:.2rem}
table{border-collapse:collapse;width:100%}
td,th{border:1px solid #bbb;padding:.3rem .5rem;text-align:left;vertical-align:top}
.outcome{font-weight:bold}.pass{color:#0a5c2b}.fail{color:#9b1111}.partial{color:#7a4b00}
.not_answered,.not_in_force{color:#4b4b4b}.flag{border-left:4px solid #7a4b00;padding:.2rem .8rem;margin:.5rem 0}
blockquote{border-left:3px solid #888;margin:.5rem 0;padding:.2rem .8rem;background:#f6f6f6;white-space:pre-wrap}
.disclaimer{border:2px solid #333;padding:.6rem;margin:1rem 0}small{color:#444}
.summary{font-size:1.1rem;background:#f3f6fa;border-left:4px solid #1f4e8c;padding:.6rem 1rem}
.plan li{margin-bottom:.6rem}.priority{font-size:.9rem;color:#333}
details{margin:.3rem 0;color:#333}
@page{margin:18mm 16mm}
@media print{
body{margin:0;max-width:none;font-size:11pt;color:#000}
a{color:inherit;text-decoration:none}
details{display:none}
.component{break-before:page}
.finding,.flag,.plan li,tr{break-inside:avoid}
h2,h3{break-after:avoid}
blockquote{background:none}
}
"""


def _outcome(outcome: str, bound: str | None = None, extra: str = "") -> str:
    words = OUTCOME_WORDS[outcome]
    if bound:
        words = _("{outcome} — {bound}").format(outcome=words, bound=BOUND_WORDS[bound])
    words += extra
    return f'<span class="outcome {escape(outcome)}">{OUTCOME_SYMBOLS[outcome]} {escape(words)}</span>'


def _caps_list(report: Report) -> list[str]:
    lines = caps_lines(report)
    return ["<ul>", *[f"<li>{escape(line)}</li>" for line in lines], "</ul>"] if lines else []


def _component_extra(component: Component) -> str:
    """Provisional mark, coverage and core marker after the outcome word."""
    return component_words(component)[len(OUTCOME_WORDS[component["outcome"]]) :]


def _step(step: Step) -> list[str]:
    bound = step.get("bound")
    parts = [
        f"<li><strong>{escape(step['title'])}</strong><br><span class='priority'>"
        f"{escape(step['priority_words'])} · {_outcome(step['outcome'], bound)} · {escape(step['component'])}</span>"
    ]
    for law in step.get("laws") or []:
        head, *rest = law_lines(law)
        parts.append(f"<div class='flag'><strong>{escape(head)}</strong>")
        parts += [f"<br>{escape(line)}" for line in rest]
        parts.append("</div>")
    if step["change_text"]:
        lead = _("What it would take: {change}") if step.get("laws") else _("Change: {change}")
        parts.append("<br>" + escape(lead.format(change=step["change_text"])))
    parts += ["<br>" + escape(_("Legal risk: {risk}").format(risk=risk)) for risk in step_risks(step)]
    if step["clause"]:
        parts.append(f"<br>{escape(clause_line(step))}")
    ident = ", ".join([step["control"], *(step.get("conflicts_with") or [])])
    details = escape(_("Control {id}").format(id=ident))
    parts.append(f"<details><summary>{escape(_('Details'))}</summary>{details}</details></li>")
    return parts


def _plan(plan: ActionPlan | None) -> list[str]:
    if not plan:
        return []
    parts = [
        f"<section class='plan-section'><h2 id='in-one-minute'>{escape(_('In one minute'))}</h2>",
        f"<p class='summary'>{escape(plan['summary'])}</p>",
        f"<h2 id='action-plan'>{escape(_('Action plan (most important first)'))}</h2>",
    ]
    if not plan["steps"]:
        parts.append(f"<p>{escape(_('Nothing to fix in the answered questions.'))}</p>")
    else:
        parts.append("<ol class='plan'>")
        for step in plan["steps"]:
            parts += _step(step)
        parts.append("</ol>")
    held = plan.get("state_law_steps") or []
    if held:
        parts.append(f"<h2 id='state-law-steps'>{escape(_(STATE_LAW_TITLE))}</h2><p>{escape(_(STATE_LAW_INTRO))}</p>")
        parts.append(f"<ol class='plan state-law' start='{held[0]['step']}'>")
        for step in held:
            parts += _step(step)
        parts.append("</ol>")
    if plan["risks"]:
        parts.append(f"<h3>{escape(_('Legal risks to review with a lawyer'))}</h3><ul>")
        parts += [f"<li>{escape(r['title'])}</li>" for r in plan["risks"]]
        parts.append("</ul>")
    parts.append("</section>")
    return parts


def render(report: Report) -> str:
    """The report as one HTML document; every string is escaped."""
    title = _("Sanctuary policy evaluation: {institution}")
    parts = [
        f"<!DOCTYPE html><html lang='{current_language()}'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{escape(title.format(institution=institution_name(report['institution']['name'])))}</title>",
        f"<style>{STYLE}</style></head><body><main>",
        f"<h1>{escape(title.format(institution=institution_line(report)))}</h1>",
        "<p><small>"
        + escape(
            _("As of {date} · rules {ruleset} {version}").format(
                date=report["as_of"], ruleset=report["ruleset"]["id"], version=report["ruleset"]["version"]
            )
        )
        + "</small></p>",
        # The call stays outside the f-string: message extraction does not look inside f-string expressions, so
        # the sentence was missing from the catalogue and came out English in Spanish pages.
        "<p class='disclaimer'><strong>"
        + escape(_("Legal information, not legal advice."))
        + f"</strong> {escape(report['disclaimer'])}</p>",
        *(
            [
                f"<p class='state-law-note'><strong>{escape(_('State law:'))}</strong> "
                f"{escape(state_law_note(report))}</p>"
            ]
            if state_law_note(report)
            else []
        ),
    ]
    parts += _plan(report.get("action_plan"))
    parts += [
        f"<h2>{escape(_('Overall: {level}').format(level=level_words(report['overall'])))}</h2>",
        f"<p>{escape(report['overall']['explanation'])}</p>",
        *(
            ["<ul>", *[f"<li>{escape(line)}</li>" for line in caps_lines(report)], "</ul>"]
            if caps_lines(report)
            else []
        ),
        *counsel.html_block(report, escape),
        *notes.html_block(report, escape),
        "<table><thead><tr>"
        + "".join(f"<th scope='col'>{escape(h)}</th>" for h in (_("Component"), _("Outcome"), _("Why")))
        + "</tr></thead><tbody>",
    ]
    for c in report["components"]:
        parts.append(
            f"<tr><td>{escape(c['title'])}</td><td>{_outcome(c['outcome'], None, _component_extra(c))}</td>"
            f"<td>{escape(c['explanation'])}</td></tr>"
        )
    parts.append("</tbody></table>")
    if report["flags"]:
        parts.append(f"<h2>{escape(_('Legal-risk and information flags'))}</h2>")
        for flag in report["flags"]:
            sources = flag_sources_line(flag)
            controls = _(" · controls {ids}").format(ids=", ".join(flag["controls"])) if flag["controls"] else ""
            parts.append(
                f"<div class='flag'><strong>{escape(FLAG_KIND_WORDS.get(flag['kind'], flag['kind']))}:</strong> "
                f"{escape(flag['title'])}<br>{escape(flag['explanation'])}"
                + (f"<br><small>{escape(_('Sources: {sources}').format(sources=sources))}</small>" if sources else "")
                + f"<details><summary>{escape(_('Details'))}</summary>{escape(flag['id'])}"
                f"{escape(controls)}</details></div>"
            )
    for component, findings in findings_by_component(report):
        parts.append(
            f"<section class='component'><h2>{escape(component['title'])}: {_outcome(component['outcome'])}</h2>"
        )
        for f in findings:
            parts.append(
                f"<div class='finding'><h3>{escape(f['title'])}: "
                f"{_outcome(f['outcome'], f.get('bound'))}</h3>"
                + "".join(f"<p><small>{escape(m)}</small></p>" for m in finding_marks(f))
                + (
                    f"<p>{escape(_('Open: {questions}').format(questions=' / '.join(open_texts(f))))}</p>"
                    if f.get("open_questions")
                    else ""
                )
                + f"<p>{escape(f['explanation'])}</p><ul>"
            )
            for item in f["because"]:
                if item["fact"].startswith("answers."):
                    parts.append(f"<li>{escape(because_line(item))}</li>")
            if f["to_pass"]:
                change = "; ".join(f"{c['text']} → {c['to']}" for c in f["to_pass"])
                parts.append(f"<li>{escape(_('To pass: {changes}').format(changes=change))}</li>")
            parts.append("</ul>")
            if f["recommended_clause"]:
                clause = f["recommended_clause"]
                parts.append(
                    f"<p>{escape(_('Recommended clause: {title}').format(title=clause['title']))}</p>"
                    f"<blockquote>{escape(clause['text'])}</blockquote>"
                )
            parts.append(f"<p><small>{escape(_('Sources:'))}</small></p><ul>")
            for cite in f["citations"]:
                parts.append(
                    f"<li><small>{escape(cite['title'])}, {escape(cite['url'])} "
                    f"({escape('; '.join(source_notes(cite)))})</small></li>"
                )
            parts.append(
                f"</ul><details><summary>{escape(_('Details'))}</summary>"
                + escape(_("Control {id} · rule {rules}").format(id=f["control"], rules=", ".join(f["trace"])))
                + "</details></div>"
            )
        parts.append("</section>")
    parts.append("</main></body></html>\n")
    return "\n".join(parts)
