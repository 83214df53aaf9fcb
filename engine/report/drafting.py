"""Draft policy: the recommended clauses for an institution's gaps, assembled into one document.

``build_draft`` turns a report (from ``evaluate``) into a ``Draft``: one section per distinct clause
for the controls that are ``partial`` or ``fail``, grouped by component, each with the controls it
addresses and their citations, plus a sources list and the disclaimer. ``draft_markdown`` and
``draft_docx`` render it; the Streamlit app and ``sanctuary draft FILE -o POLICY.(md|docx)`` (in
``engine.cli.draft``) share them.

A clause whose adoption a state law in force forbids (or may forbid, as an open answer decides) is never drafted:
it is listed in a closing section "Left out because <law> forbids it" with the reason, and ``draft_json`` gives
``{"clauses": [...], "left_out": [...]}``. A draft for an institution that a state law restricts opens with that
law's warning (a Tennessee council: the felony a vote for a sanctuary policy is), and every draft carries the
report's note on whether the state's law was checked at all.

Clause templates are Markdown written by the rules authors (bold titles, numbered lists, bracketed
placeholders such as ``[Superintendent]``). The institution's name is user text, so it is filled in
*after* the template is parsed (Word) or Markdown-escaped (Markdown): a name never becomes markup.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any

from engine.i18n import N_, _
from engine.report.formats.common import source_notes
from engine.report.formats.markdown import escape as md_escape
from engine.report.lawful import clause_laws, state_law_section
from engine.report.sources import as_report_citations, ranked
from engine.report.types import DraftJSON, InstitutionInfo, LawRow, Report, ReportCitation, RulesetInfo
from engine.rules.model import Ruleset
from engine.rules.references import fill_institution
from engine.vocabulary import INSTITUTION_PLACEHOLDER

GAP_OUTCOMES = ("fail", "partial")
DRAFT_NOTE = N_(  # message ids: _() them where they are shown
    "This is a starting draft assembled from model clauses for the gaps found in your self-assessment. "
    "Words in [square brackets] are placeholders: replace them with your own titles and bodies. "
    "Adapt the text to your institution and have a lawyer licensed in your state review it before adoption."
)
NO_GAPS = N_("The self-assessment found no gaps with a recommended clause, so there is nothing to draft yet.")
PLACEHOLDER_NAME = INSTITUTION_PLACEHOLDER
_UNNAMED = {"", "unnamed institution"}
ANSWER_TO_COMPLETE = N_("Answer the questions for these controls to complete the draft:")
# After a left-out clause's title: the controls it was for, then why it is left out.
FOR_CONTROLS = N_("(for: {controls}). {why}")


def _prepared(draft: Draft) -> str:
    """'Prepared <date> with the Sanctuary Policy Evaluator (rules <id> <version>).'"""
    return _("Prepared {date} with the Sanctuary Policy Evaluator (rules {ruleset} {version}).").format(
        date=draft.as_of, ruleset=draft.ruleset.get("id", ""), version=draft.ruleset.get("version", "")
    )


@dataclass(frozen=True)
class DraftControl:
    """A control a clause addresses, with the outcome that made it a gap."""

    id: str
    title: str
    outcome: str


@dataclass(frozen=True)
class DraftSection:
    """One recommended clause (template text, ``{institution}`` not yet filled in)."""

    clause_id: str
    title: str
    template: str
    component: str
    controls: tuple[DraftControl, ...]
    citations: tuple[ReportCitation, ...]

    def text(self, institution_name: str) -> str:
        """The clause with the institution's name filled in verbatim (plain text, not for Markdown)."""
        return fill_institution(self.template, institution_name)


@dataclass(frozen=True)
class LeftOut:
    """A clause the draft does not contain because a state law in force forbids (or may forbid) adopting it."""

    clause_id: str
    title: str
    controls: tuple[DraftControl, ...]
    laws: tuple[LawRow, ...]

    @property
    def law_titles(self) -> str:
        """'Texas SB 4 (2017) ... and Texas SB 8 (2025) ...'."""
        return _(" and ").join(law["title"] for law in self.laws)

    @property
    def why(self) -> str:
        """Why the clause is left out, what breaking the law exposes people to, and what stays lawful."""
        parts = []
        for law in self.laws:
            if law.get("may_apply"):
                answer = _(" and ").join(f"“{a}”" for a in law.get("answer") or [])
                parts.append(
                    _("Adopting it may conflict with {law}: may apply, answer {answer}.").format(
                        law=law["title"], answer=answer
                    )
                )
            else:
                parts.append(_("Adopting it would conflict with {law}.").format(law=law["title"]))
            parts.append(
                _("Exposure: {exposure} What remains lawful: {still_lawful}").format(
                    exposure=law["exposure"], still_lawful=law["still_lawful"]
                )
            )
        return " ".join(parts)


@dataclass(frozen=True)
class Draft:
    """A draft policy for one institution."""

    institution_name: str
    institution: InstitutionInfo
    as_of: str
    ruleset: RulesetInfo
    disclaimer: str
    components: tuple[tuple[str, str, tuple[DraftSection, ...]], ...]  # (component id, title, sections)
    without_clause: tuple[DraftControl, ...] = ()
    not_answered: tuple[DraftControl, ...] = ()
    sources: tuple[ReportCitation, ...] = field(default_factory=tuple)
    left_out: tuple[LeftOut, ...] = ()
    # Laws in force that restrict this institution (each with its exposure): the draft opens with them.
    warnings: tuple[LawRow, ...] = ()
    state_note: str = ""  # whether the state's law was checked (engine.report.lawful.state_law_section)

    @property
    def sections(self) -> list[DraftSection]:
        """Every section in document order."""
        return [s for _, _, sections in self.components for s in sections]

    @property
    def title(self) -> str:
        """The document title (plain text)."""
        return _("Draft policy on immigration enforcement: {institution}").format(institution=self.institution_name)


def build_draft(ruleset: Ruleset, report: Report) -> Draft:
    """Assemble the draft policy for the gaps (partial and failed controls) in ``report``.

    A clause recommended by several controls appears once, under the component of the first of them,
    and lists every control it addresses.
    """
    name = str(report["institution"].get("name") or "").strip()
    if name.lower() in _UNNAMED:
        name = _(PLACEHOLDER_NAME)
    component_titles = {c["id"]: c["title"] for c in report["components"]}
    order = list(component_titles)
    # Sources are re-ranked for the institution's state, so federal and own-state law lead every list.
    state = report["institution"].get("state")
    by_clause: dict[str, dict[str, Any]] = {}
    without_clause: list[DraftControl] = []
    not_answered: list[DraftControl] = []
    findings = sorted(
        report["findings"], key=lambda f: order.index(f["component"]) if f["component"] in order else len(order)
    )
    for finding in findings:
        control = DraftControl(finding["control"], finding["title"], finding["outcome"])
        if finding["outcome"] == "not_answered":
            not_answered.append(control)
            continue
        if finding["outcome"] not in GAP_OUTCOMES:
            continue
        clause_ref = finding.get("recommended_clause")
        clause = ruleset.clauses.get(clause_ref["id"]) if clause_ref else None
        if clause is None:
            without_clause.append(control)
            continue
        entry = by_clause.setdefault(
            clause.id, {"clause": clause, "component": finding["component"], "controls": [], "citations": {}}
        )
        entry["controls"].append(control)
        for citation in finding.get("citations", []):
            if citation.get("role") != "contrary_law":  # a law that forbids the practice is never its source
                entry["citations"].setdefault(citation["id"], citation)
    grouped: dict[str, list[DraftSection]] = {}
    sources: dict[str, ReportCitation] = {}
    as_of = dt.date.fromisoformat(str(report["as_of"]))
    answers = report.get("answers") or {}
    left_out: list[LeftOut] = []
    for clause_id in list(by_clause):
        entry = by_clause[clause_id]
        barred_ids, laws = clause_laws(ruleset, report["institution"], answers, as_of, clause_id)
        if laws:
            del by_clause[clause_id]
            clause = entry["clause"]
            # The gaps a law bars come first: they are why the clause is left out.
            barred = [c for c in entry["controls"] if c.id in barred_ids]
            controls = (*barred, *(c for c in entry["controls"] if c not in barred))
            left_out.append(LeftOut(clause.id, clause.title, controls, tuple(laws)))
    state_law = report.get("state_law") or state_law_section(ruleset, report["institution"], answers, as_of)
    for entry in by_clause.values():
        clause = entry["clause"]
        section = DraftSection(
            clause_id=clause.id,
            title=clause.title,
            template=clause.text,
            component=entry["component"],
            controls=tuple(entry["controls"]),
            citations=tuple(as_report_citations(ranked(entry["citations"].values(), state))),
        )
        grouped.setdefault(entry["component"], []).append(section)
        for citation in section.citations:
            sources.setdefault(citation["id"], citation)
    components = tuple(
        (cid, component_titles.get(cid, cid), tuple(grouped[cid]))
        for cid in [*order, *(c for c in grouped if c not in order)]
        if cid in grouped
    )
    return Draft(
        institution_name=name,
        institution=InstitutionInfo(**report["institution"]),
        as_of=str(report.get("as_of", "")),
        ruleset=RulesetInfo(**report["ruleset"]),
        disclaimer=str(report.get("disclaimer") or ruleset.disclaimer),
        components=components,
        without_clause=tuple(without_clause),
        not_answered=tuple(not_answered),
        sources=tuple(as_report_citations(ranked(sources.values(), state))),
        left_out=tuple(left_out),
        warnings=tuple(state_law["laws"]),
        state_note=state_law["note"],
    )


def left_out_groups(draft: Draft) -> list[tuple[str, list[LeftOut]]]:
    """(heading, clauses) for the closing sections: 'Left out because <law> forbids it', one per set of laws."""
    groups: dict[str, list[LeftOut]] = {}
    for item in draft.left_out:
        if all(law.get("may_apply") for law in item.laws):
            heading = _("Left out because {laws} may forbid it")
        elif len(item.laws) > 1:
            heading = _("Left out because {laws} forbid it")
        else:
            heading = _("Left out because {laws} forbids it")
        groups.setdefault(heading.format(laws=item.law_titles), []).append(item)
    return list(groups.items())


def warning_lines(draft: Draft) -> list[str]:
    """The warnings a draft opens with: each state law that restricts this institution, and its exposure."""
    out = []
    for law in draft.warnings:
        lead = _("{law} may apply").format(law=law["title"]) if law.get("may_apply") else law["title"]
        out.append(_("{law}: {exposure}").format(law=lead[:1].upper() + lead[1:], exposure=law["exposure"]))
    return out


def draft_json(draft: Draft) -> DraftJSON:
    """The draft as data: ``clauses`` (each with its id, first control, controls, title, component, text and
    sources), ``left_out`` (each with its id, control, laws and why), ``warnings`` and ``state_law``."""
    return {
        "institution": draft.institution,
        "as_of": draft.as_of,
        "ruleset": draft.ruleset,
        "state_law": draft.state_note,
        "warnings": [
            {"law": law["id"], "title": law["title"], "exposure": law["exposure"], "may_apply": law.get("may_apply")}
            for law in draft.warnings
        ],
        "clauses": [
            {
                "id": section.clause_id,
                "control": section.controls[0].id,
                "controls": [c.id for c in section.controls],
                "title": section.title,
                "component": section.component,
                "text": section.text(draft.institution_name),
                "sources": [
                    {"id": c["id"], "title": c["title"], "url": c["url"], "role": c.get("role", "supports")}
                    for c in section.citations
                ],
            }
            for section in draft.sections
        ],
        "left_out": [
            {
                "id": item.clause_id,
                "control": item.controls[0].id,
                "controls": [c.id for c in item.controls],
                "title": item.title,
                "laws": [law["id"] for law in item.laws],
                "why": item.why,
            }
            for item in draft.left_out
        ],
        "without_clause": [c.id for c in draft.without_clause],
        "not_answered": [c.id for c in draft.not_answered],
    }


def draft_json_text(draft: Draft) -> str:
    """``draft_json`` as indented JSON text."""
    return json.dumps(draft_json(draft), indent=2, ensure_ascii=False) + "\n"


def _source_line(citation: ReportCitation) -> str:
    publisher = f", {citation['publisher']}" if citation.get("publisher") else ""
    return f"{citation['title']}{publisher}. {citation['url']} ({'; '.join(source_notes(citation))})"


def _short_source(citation: ReportCitation) -> str:
    """A title for the per-clause list, with the 'example from another state' label where it applies."""
    return citation["title"] + (f" ({citation['label']})" if citation.get("label") else "")


def draft_markdown(draft: Draft) -> str:
    """The draft as Markdown.

    Only the institution's name is user text, so only it is escaped; the clause templates, titles and
    citations come from the reviewed rules and keep their Markdown formatting.
    """
    name = md_escape(draft.institution_name)
    out = [
        "# " + _("Draft policy on immigration enforcement: {institution}").format(institution=name),
        "",
        "*" + _prepared(draft) + "*",
        "",
        "> **" + _("Draft, not legal advice.") + f"** {draft.disclaimer}",
        ">",
        f"> {_(DRAFT_NOTE)}",
    ]
    for line in warning_lines(draft):
        out += ["", "> **" + _("Warning — state law.") + f"** {md_escape(line)}"]
    if draft.state_note:
        out += ["", "**" + _("State law:") + f"** {md_escape(draft.state_note)}"]
    if not draft.sections:
        out += ["", _(NO_GAPS)]
    number = 0
    for _component, title, sections in draft.components:
        out += ["", f"## {title}"]
        for section in sections:
            number += 1
            out += [
                "",
                f"### {number}. {section.title}",
                "",
                fill_institution(section.template, name),
            ]
            if section.citations:
                sources = "; ".join(_short_source(c) for c in section.citations)
                out += ["", "*" + _("Sources: {sources}.").format(sources=sources) + "*"]
    if draft.without_clause:
        out += ["", "## " + _("Gaps without a model clause"), ""]
        out += [f"- {c.title}" for c in draft.without_clause]
    if draft.not_answered:
        out += ["", "## " + _("Not yet assessed"), "", _(ANSWER_TO_COMPLETE), ""]
        out += [f"- {c.title}" for c in draft.not_answered]
    if draft.sources:
        out += ["", "## " + _("Sources"), ""]
        for citation in draft.sources:
            publisher = f", {citation['publisher']}" if citation.get("publisher") else ""
            out.append(f"- [{citation['title']}]({citation['url']}){publisher} ({'; '.join(source_notes(citation))})")
    for heading, items in left_out_groups(draft):
        out += ["", f"## {md_escape(heading)}", ""]
        for item in items:
            controls = md_escape("; ".join(c.title for c in item.controls))
            out.append(
                f"- **{md_escape(item.title)}** " + _(FOR_CONTROLS).format(controls=controls, why=md_escape(item.why))
            )
    return "\n".join(out) + "\n"


_EMPHASIS = re.compile(r"(\*\*.+?\*\*|(?<![*\w])\*[^*\n]+?\*(?![*\w]))")
_ITEM = re.compile(r"^(\d+\.|\([a-z0-9]+\)|[-*])\s+")
_PLACEHOLDER = re.compile(r"(\[[^\]\n]+\])")


def clause_blocks(template: str) -> list[tuple[int, str]]:
    """Split a clause template into (indent level, text) blocks: paragraphs and list items.

    A line that starts with a list marker (``1.``, ``(a)``, ``-``) starts a new block, indented one
    level when the line is indented; other lines continue the block before.
    """
    blocks: list[tuple[int, str]] = []
    for paragraph in re.split(r"\n\s*\n", template.strip()):
        current: list[str] = []
        level = 0
        for line in paragraph.splitlines():
            stripped = line.strip()
            if not stripped:
                continue
            if _ITEM.match(stripped) and current:
                blocks.append((level, " ".join(current)))
                current = []
            if not current:
                level = (1 if _ITEM.match(stripped) else 0) + (1 if line[:1] in (" ", "\t") else 0)
            current.append(stripped)
        if current:
            blocks.append((level, " ".join(current)))
    return blocks


def _add_runs(paragraph: Any, text: str, institution_name: str) -> None:
    """Add ``text`` to a Word paragraph: **bold** and *italic* kept, [placeholders] highlighted, name filled in."""
    from docx.enum.text import WD_COLOR_INDEX

    for part in _EMPHASIS.split(text):
        if not part:
            continue
        bold = part.startswith("**") and part.endswith("**") and len(part) > 4
        italic = not bold and _EMPHASIS.fullmatch(part) is not None
        inner = part[2:-2] if bold else part[1:-1] if italic else part
        for piece in _PLACEHOLDER.split(inner):
            if not piece:
                continue
            run = paragraph.add_run(fill_institution(piece, institution_name))
            run.bold = bold or None
            run.italic = italic or None
            if _PLACEHOLDER.fullmatch(piece):
                run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def draft_docx(draft: Draft) -> bytes:
    """The draft as a Word document (.docx bytes); placeholders are highlighted for editing."""
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    # Word's core properties hold at most 255 characters; names are already bounded where they are read, and the
    # title is cut here too so no document property can make python-docx fail.
    doc.core_properties.title = draft.title[:255]
    doc.core_properties.author = "Sanctuary Policy Evaluator"
    doc.core_properties.comments = _("Draft, not legal advice.")
    doc.add_heading(draft.title, level=0)
    meta = doc.add_paragraph()
    meta.add_run(_prepared(draft)).italic = True
    notice = doc.add_paragraph()
    notice.add_run(_("Draft, not legal advice.") + " ").bold = True
    notice.add_run(draft.disclaimer)
    doc.add_paragraph(_(DRAFT_NOTE))
    for line in warning_lines(draft):
        warning = doc.add_paragraph()
        warning.add_run(_("Warning — state law.") + " ").bold = True
        warning.add_run(line)
    if draft.state_note:
        note = doc.add_paragraph()
        note.add_run(_("State law:") + " ").bold = True
        note.add_run(draft.state_note)
    if not draft.sections:
        doc.add_paragraph(_(NO_GAPS))
    number = 0
    for _component, title, sections in draft.components:
        doc.add_heading(title, level=1)
        for section in sections:
            number += 1
            doc.add_heading(f"{number}. {section.title}", level=2)
            for level, text in clause_blocks(section.template):
                paragraph = doc.add_paragraph()
                if level:
                    paragraph.paragraph_format.left_indent = Pt(18 * level)
                _add_runs(paragraph, text, draft.institution_name)
            if section.citations:
                cites = doc.add_paragraph()
                sources = "; ".join(_short_source(c) for c in section.citations)
                cites.add_run(_("Sources: {sources}.").format(sources=sources)).italic = True
    if draft.without_clause:
        doc.add_heading(_("Gaps without a model clause"), level=1)
        for c in draft.without_clause:
            doc.add_paragraph(c.title, style="List Bullet")
    if draft.not_answered:
        doc.add_heading(_("Not yet assessed"), level=1)
        doc.add_paragraph(_(ANSWER_TO_COMPLETE))
        for c in draft.not_answered:
            doc.add_paragraph(c.title, style="List Bullet")
    if draft.sources:
        doc.add_heading(_("Sources"), level=1)
        for citation in draft.sources:
            doc.add_paragraph(_source_line(citation), style="List Bullet")
    for heading, items in left_out_groups(draft):
        doc.add_heading(heading, level=1)
        for item in items:
            paragraph = doc.add_paragraph(style="List Bullet")
            paragraph.add_run(item.title).bold = True
            controls = "; ".join(c.title for c in item.controls)
            paragraph.add_run(" " + _(FOR_CONTROLS).format(controls=controls, why=item.why))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
