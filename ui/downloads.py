"""Pure builders for everything the app lets people download or upload (no Streamlit here).

AppTest cannot read download bytes, so the pages call these functions and the tests call them too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml

from engine import (
    Draft,
    InputError,
    Report,
    Ruleset,
    _,
    brief_pdf,
    build_draft,
    current_language,
    draft_docx,
    draft_markdown,
    language,
    parse_submission,
    render_report,
    report_pdf,
    upgrade_document,
)

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_ANSWERS_BYTES = 1_000_000


def empty_institution() -> dict[str, Any]:
    """The institution record the app keeps in session state."""
    return {"name": "", "types": [], "state": None, "public": None}


def submission_document(institution: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """The SPEC answers document (what 'Save answers' writes and the engine reads)."""
    types = list(institution.get("types") or [])
    inst: dict[str, Any] = {"name": institution.get("name") or "", "type": types[0] if len(types) == 1 else types}
    if institution.get("state"):
        inst["state"] = institution["state"]
    if institution.get("public") is not None:
        inst["public"] = institution["public"]
    return {"institution": inst, "answers": dict(answers)}


def answers_yaml(institution: dict[str, Any], answers: dict[str, Any], rules_version: str | None = None) -> str:
    """The answers as a YAML file in the SPEC answers format, with a short header comment.

    ``rules_version`` (the ruleset's version) says which questions the answers were written for, so a later
    release can upgrade the file (``sanctuary upgrade``).
    """
    document = submission_document(institution, answers)
    if rules_version:
        document = {"rules_version": rules_version, **document}
    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    return "# Sanctuary Policy Evaluator answers file (load it back on the Self-assessment page).\n" + body


def read_answers_file(ruleset: Ruleset, file_name: str, data: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    """Decode and validate an uploaded answers file; return (institution, answers) for the session.

    Raises:
        InputError: one line saying what is wrong with the file.
    """
    if len(data) > MAX_ANSWERS_BYTES:
        raise InputError(_("{file}: this file is too large to be an answers file.").format(file=file_name))
    # The engine's reader: strict YAML (no aliases, no duplicate keys) or JSON, within the input limits.
    submission = parse_submission(ruleset, data, file_name)
    inst = submission.institution
    institution = {"name": inst.name, "types": list(inst.types), "state": inst.state, "public": inst.public}
    # "Ask counsel" answers reload too, and so do answers to follow-ups the other answers skip (kept, not shown).
    return institution, {**submission.answers, **submission.undecided, **submission.ignored}


def is_earlier_release(error: InputError) -> bool:
    """True when an answers file failed because it was written for an earlier release of the questions."""
    # The command's name is the one part of the message every language keeps (engine.run.answers words it).
    return "`sanctuary upgrade " in str(error)


def upgrade_answers_file(
    ruleset: Ruleset, file_name: str, data: bytes
) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """Upgrade an old answers file and read it: (institution, answers, the questions left blank, in words).

    Raises:
        InputError: one line saying what is wrong with the file (even after upgrading).
    """
    if len(data) > MAX_ANSWERS_BYTES:
        raise InputError(_("{file}: this file is too large to be an answers file.").format(file=file_name))
    upgraded = upgrade_document(ruleset, data, file_name)
    institution, answers = read_answers_file(ruleset, file_name, upgraded.text.encode("utf-8"))
    return institution, answers, [change.message for change in upgraded.upgrade.left_blank]


def report_files(report: Report) -> dict[str, bytes]:
    """The report as self-contained HTML, Markdown and JSON (bytes, keyed by format)."""
    return {fmt: render_report(report, fmt).encode("utf-8") for fmt in ("html", "markdown", "json")}


def pdf_files(report: Report) -> dict[str, Callable[[], bytes]]:
    """The one-page brief and the full report as PDF, made when the person clicks (1-3 s each).

    Made later, outside the page's run (so outside its language): each keeps the language it was offered in.
    """
    lang = current_language()

    def in_language(render: Callable[[Report], bytes]) -> Callable[[], bytes]:
        def make() -> bytes:
            with language(lang):
                return render(report)

        return make

    return {"brief": in_language(brief_pdf), "report": in_language(report_pdf)}


def make_draft(ruleset: Ruleset, report: Report) -> Draft:
    """The draft policy for the report's gaps (same assembly as ``sanctuary draft``)."""
    return build_draft(ruleset, report)


def draft_files(draft: Draft) -> dict[str, bytes]:
    """The draft as Word (.docx) and Markdown bytes."""
    return {"docx": draft_docx(draft), "markdown": draft_markdown(draft).encode("utf-8")}
