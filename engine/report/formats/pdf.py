"""PDF output of the full report and of the one-page brief, made on this computer with fpdf2.

No browser and no network: the text is set in DejaVu Sans, shipped in ``engine/report/fonts`` (from Debian's
fonts-dejavu-core, Bitstream Vera licence beside the files), which covers curly quotes, accents ("Sí",
"Nuevo México"), dashes and the outcome symbols. Long words that do not fit a line are broken inside the word
rather than running off the page. The brief is set at the largest type size (10 to 7 points) at which it fits
one page.
"""

from __future__ import annotations

import re
from pathlib import Path

from engine.i18n import _, current_language
from engine.report.formats import brief as brief_format
from engine.report.formats import counsel
from engine.report.formats.common import (
    because_line,
    caps_lines,
    component_words,
    finding_marks,
    finding_words,
    findings_by_component,
    flag_sources_line,
    institution_line,
    open_texts,
    source_notes,
)
from engine.report.types import Report
from engine.vocabulary import FLAG_KIND_WORDS, institution_name

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
FONT = "DejaVu"
BRIEF_SIZES = (10.0, 9.5, 9.0, 8.5, 8.0, 7.5, 7.0)
_MARKDOWN_MARKS = re.compile(r"\*\*|__|^#+\s*|^>\s?", re.MULTILINE)


class _Writer:
    """A Letter page with margins, DejaVu Sans, and the few kinds of block a report needs."""

    def __init__(self, title: str, size: float = 10.0) -> None:
        from fpdf import FPDF  # imported on use: only PDF output pays for it

        self.pdf = pdf = FPDF(format="letter", unit="mm")
        pdf.set_margins(16, 14, 16)
        pdf.set_auto_page_break(True, margin=14)
        pdf.add_font(FONT, "", FONT_DIR / "DejaVuSans.ttf")
        pdf.add_font(FONT, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
        pdf.set_title(title)
        pdf.set_lang(current_language())
        pdf.set_creator("Sanctuary Policy Evaluator")
        pdf.add_page()
        self.size = size

    def _line_height(self, size: float) -> float:
        return size * 0.3528 * 1.3  # points to mm, with leading

    def text(self, text: str, *, size: float | None = None, bold: bool = False, indent: float = 0.0) -> None:
        """A paragraph, wrapped to the page; a word wider than the line is broken inside it."""
        from fpdf.enums import WrapMode, XPos, YPos

        pdf = self.pdf
        size = size or self.size
        pdf.set_font(FONT, "B" if bold else "", size)
        pdf.set_x(pdf.l_margin + indent)
        width = pdf.epw - indent
        text = " ".join(str(text).split()) if "\n" not in str(text) else str(text)
        # WORD wrapping, with CHAR wrapping for any single word wider than the line (a long URL, say).
        longest = max((pdf.get_string_width(w) for w in text.split()), default=0)
        mode = WrapMode.CHAR if longest > width else WrapMode.WORD
        pdf.multi_cell(
            width, self._line_height(size), text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=mode, align="L"
        )

    def heading(self, text: str, level: int = 2) -> None:
        size = {1: self.size + 5, 2: self.size + 2.5, 3: self.size + 0.5}[level]
        self.space(1.2 if level < 3 else 0.8)
        self.text(text, size=size, bold=True)
        self.space(0.6)

    def bullet(self, text: str, indent: float = 0.0, mark: str = "•") -> None:
        self.text(f"{mark} {text}", indent=indent)

    def space(self, mm: float) -> None:
        self.pdf.ln(mm)

    def new_page(self) -> None:
        self.pdf.add_page()

    def pages(self) -> int:
        return self.pdf.page_no()

    def output(self) -> bytes:
        """The PDF's bytes; the writer is closed afterwards."""
        try:
            return bytes(self.pdf.output())
        finally:
            self.close()

    def close(self) -> None:
        """Close the font files (fpdf2 reads them lazily and leaves them open)."""
        for font in self.pdf.fonts.values():
            ttfont = getattr(font, "ttfont", None)
            if ttfont is not None:
                ttfont.close()


def _plain(markdown_text: str) -> str:
    """A clause's Markdown as plain text (bold marks and quote marks dropped, lines kept)."""
    return _MARKDOWN_MARKS.sub("", markdown_text)


def report_pdf(report: Report) -> bytes:
    """The full report as PDF: action plan first, then the overall level, components, flags and findings."""
    name = institution_name(str(report["institution"].get("name") or ""))
    title = _("Sanctuary policy evaluation: {institution}")
    w = _Writer(title.format(institution=name))
    w.heading(title.format(institution=institution_line(report)), 1)
    ruleset = {"ruleset": report["ruleset"]["id"], "version": report["ruleset"]["version"]}
    w.text(_("As of {date} · rules {ruleset} {version}").format(date=report["as_of"], **ruleset), size=8.5)
    w.space(1)
    w.text(report["disclaimer"], size=8.5)
    plan = report.get("action_plan")
    if plan:
        w.heading(_("In one minute"))
        w.text(plan["summary"])
        w.heading(_("Action plan (most important first)"))
        if not plan["steps"]:
            w.text(_("Nothing to fix in the answered questions."))
        for step in plan["steps"]:
            status = brief_format.plan_step(step).status
            w.text(f"{step['step']}. {step['title']} ({status})", bold=True)
            if step.get("change_text"):
                w.bullet(_("Change: {change}").format(change=step["change_text"]), indent=5)
            clause = step.get("clause")
            if clause:
                w.bullet(_("Clause to adopt: {title} (in the draft policy)").format(title=clause["title"]), indent=5)
        if plan["risks"]:
            w.heading(_("Legal risks to review with a lawyer"), 3)
            for risk in plan["risks"]:
                w.bullet(risk["title"])
    level, note = brief_format.level_words(report["overall"])
    w.heading(_("Overall: {level}").format(level=level))
    if note:
        w.text(note)
    w.text(report["overall"]["explanation"])
    for line in caps_lines(report):
        w.bullet(line)
    questions = counsel.counsel_questions(report)
    if questions:
        w.heading(_(counsel.COUNSEL_TITLE))
        w.text(_(counsel.COUNSEL_INTRO))
        for q in questions:
            w.bullet(q)
    for item in report.get("ignored_answers") or []:
        w.bullet(_("Answer not used: {question} {note}").format(question=item["text"], note=item["note"]))
    w.heading(_("Components"))
    for c in report["components"]:
        w.bullet(f"{c['title']}: {component_words(c)}. {c['explanation']}")
    if report["flags"]:
        w.heading(_("Legal-risk and information flags"))
        for flag in report["flags"]:
            sources = flag_sources_line(flag)
            w.bullet(
                f"{FLAG_KIND_WORDS.get(flag['kind'], flag['kind'])}: {flag['title']}. {flag['explanation']}"
                + (" " + _("Sources: {sources}.").format(sources=sources) if sources else "")
            )
    for component, findings in findings_by_component(report):
        w.new_page()
        w.heading(f"{component['title']}: {component_words(component)}")
        for f in findings:
            w.heading(f"{f['title']}: {finding_words(f)}", 3)
            if finding_marks(f):
                w.text(", ".join(finding_marks(f)), size=8.5)
            if f.get("open_questions"):
                w.text(_("Open: {questions}").format(questions=" / ".join(open_texts(f))))
            w.text(f["explanation"])
            for reason in f.get("because") or []:
                if reason["fact"].startswith("answers."):
                    w.bullet(because_line(reason), indent=3)
            changes = f.get("to_pass")
            if changes:
                change = "; ".join(f"{c['text']} → {c['to']}" for c in changes)
                w.bullet(_("To pass: {changes}").format(changes=change), indent=3)
            recommended = f.get("recommended_clause")
            if recommended:
                w.text(_("Recommended clause: {title}").format(title=recommended["title"]), bold=True)
                if recommended.get("text"):
                    w.text(_plain(recommended["text"]), size=w.size - 1, indent=4)
            if f.get("citations"):
                w.text(_("Sources:"), size=8.5)
                for cite in f["citations"]:
                    w.bullet(f"{cite['title']}, {cite['url']} ({'; '.join(source_notes(cite))})", indent=3)
    return w.output()


def _brief_at(report: Report, b: brief_format.Brief, size: float) -> _Writer:
    w = _Writer(f"{_(brief_format.BRIEF_TITLE)}: {b.name}", size)
    w.heading(f"{_(brief_format.BRIEF_TITLE)}: {b.name}", 1)
    w.text(b.about, size=size - 1)
    w.space(1.5)
    w.text(_("Level: {level}.").format(level=b.level), size=size + 2, bold=True)
    if b.level_note:
        w.text(b.level_note)
    if b.summary:
        w.space(1)
        w.text(b.summary)
    w.heading(_("Top steps"))
    if not b.steps:
        w.text(_("Nothing to fix in the answered questions."))
    for i, s in enumerate(b.steps, 1):
        w.text(f"{i}. {s.action} ({s.status})", bold=True)
        if s.change:
            w.bullet(_("Change: {change}").format(change=s.change), indent=5, mark="–")
        if s.clause:
            w.bullet(_("Clause: {title}").format(title=s.clause), indent=5, mark="–")
    if b.more_steps:
        w.text(brief_format.more_steps_line(b.more_steps))
    w.heading(_("State law"))
    for item in b.state_law:
        w.bullet(item)
    w.heading(_("Questions for counsel"))
    for q in b.counsel or [_(brief_format.NO_COUNSEL)]:
        w.bullet(q)
    if b.more_counsel:
        w.bullet(_("And {n} more (see the full report).").format(n=b.more_counsel))
    w.space(1.5)
    for line in brief_format.footer_lines(b):
        w.text(line, size=size - 1)
    w.space(1)
    w.text(b.disclaimer, size=max(6.5, size - 2))
    return w


def brief_pdf(report: Report) -> bytes:
    """The one-page brief as PDF: the largest type size at which it fits one page."""
    b = brief_format.brief(report)
    for size in BRIEF_SIZES:
        writer = _brief_at(report, b, size)
        if writer.pages() == 1:
            return writer.output()
        writer.close()
    # Still too long at the smallest size (very long names or notes): keep the page, shorten the lists.
    b.counsel, b.more_counsel = b.counsel[:3], b.more_counsel + max(0, len(b.counsel) - 3)
    b.state_law = b.state_law[:2]
    return _brief_at(report, b, BRIEF_SIZES[-1]).output()
