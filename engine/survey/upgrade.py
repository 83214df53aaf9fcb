"""``sanctuary upgrade --survey``: rename old question columns and rewrite old answers in a survey CSV.

Only the cells that change are rewritten: every other byte of the file (other columns, quoting, line ends,
the encoding and its byte-order mark) stays as it was. A column of a retired question becomes the column(s)
of the question(s) that replace it (a split gives two columns, in its place); a header written as question
text becomes the current question's text, one written as an id the current id. Cells are upgraded with the
same rules as answers files (``engine.run.upgrade``); what cannot be carried over is left blank and counted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.errors import InputError
from engine.i18n import _
from engine.rules.model import Ruleset
from engine.run.normalise import is_blank
from engine.run.upgrade import Registry, load_registry, upgrade_answers
from engine.survey.headers import fold_header
from engine.survey.reading import SurveyFile


@dataclass
class SurveyUpgrade:
    """The upgraded file's bytes and what changed."""

    data: bytes
    renamed: list[tuple[str, list[str]]] = field(default_factory=list)  # old header -> new header(s)
    cells_changed: int = 0
    left_blank: dict[str, int] = field(default_factory=dict)  # question id -> cells left blank
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.renamed or self.cells_changed or self.left_blank)


def _spans(text: str, delimiter: str) -> Iterator[list[tuple[int, int]]]:
    """The (start, end) of every raw cell (quotes included) of every record, in order."""
    i, n = 0, len(text)
    while i < n:
        cells: list[tuple[int, int]] = []
        start = i
        quoted = False
        while True:
            ch = text[i] if i < n else ""
            if quoted:
                if ch == '"' and i + 1 < n and text[i + 1] == '"':
                    i += 2
                    continue
                if ch == '"':
                    quoted = False
                elif ch == "":
                    cells.append((start, i))
                    break
                i += 1
                continue
            if ch == '"' and i == start:
                quoted = True
                i += 1
            elif ch == delimiter:
                cells.append((start, i))
                i += 1
                start = i
            elif ch in ("\r", "\n", ""):
                cells.append((start, i))
                if ch == "\r" and i + 1 < n and text[i + 1] == "\n":
                    i += 1
                i += 1
                break
            else:
                i += 1
        yield cells


def _unquote(raw: str) -> str:
    if len(raw) >= 2 and raw.startswith('"') and raw.endswith('"'):
        return raw[1:-1].replace('""', '"')
    return raw


def _quote(value: str, delimiter: str) -> str:
    if any(ch in value for ch in (delimiter, '"', "\r", "\n")):
        return '"' + value.replace('"', '""') + '"'
    return value


def _old_question(ruleset: Ruleset, registry: Registry, header: str) -> tuple[str | None, bool]:
    """(the question id a header names in any release, whether it was written as question text)."""
    folded = fold_header(header)
    if folded in ruleset.questions or folded in registry.questions:
        return folded, False
    for q in ruleset.questions.values():
        if fold_header(q.text) == folded:
            return q.id, True
    for qid, entry in registry.questions.items():
        if any(fold_header(t) == folded for t in entry.get("texts") or ()):
            return qid, True
    return None, False


def _cell_text(ruleset: Ruleset, qid: str, value: Any, as_text: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    question = ruleset.questions[qid]
    return question.choices.get(value, str(value)) if as_text else str(value)


def upgrade_survey(ruleset: Ruleset, source: str | Path | bytes, name: str | None = None) -> SurveyUpgrade:
    """Upgrade a survey CSV written for an earlier release (see the module docstring).

    Args:
        source: a path, or the file's bytes (an upload in the app).
        name: how to name the file in messages.

    Raises:
        InputError: the file cannot be read as a survey (one line naming it).
    """
    registry = load_registry(ruleset)
    survey = SurveyFile(source, ruleset, name)  # the same checks, encoding and delimiter as `sanctuary batch`
    raw = bytes(source) if isinstance(source, bytes | bytearray) else Path(source).read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf") and survey.encoding == "utf-8-sig"
    text = raw.decode(survey.encoding)
    delimiter = survey.delimiter
    records = _spans(text, delimiter)  # streamed: a large survey is never held as a list of cells
    header_cells = next((cells for cells in records if [_unquote(text[a:b]) for a, b in cells] == survey.headers), None)
    if header_cells is None:
        raise InputError(
            _("{name}: cannot find the header row again; upgrade stopped, nothing written.").format(name=survey.name)
        )
    present = {fold_header(_unquote(text[a:b])) for a, b in header_cells}
    result = SurveyUpgrade(data=raw)
    # column index -> (old id, header as text?, new ids); only columns that change are listed, in column order.
    plan: dict[int, tuple[str, bool, list[str]]] = {}
    for index, (a, b) in enumerate(header_cells):
        header = _unquote(text[a:b])
        qid, as_text = _old_question(ruleset, registry, header)
        if qid is None:
            continue
        if qid in ruleset.questions:
            question = ruleset.questions[qid]
            if as_text and fold_header(question.text) != fold_header(header):
                plan[index] = (qid, True, [qid])  # reworded text: the header takes the current text
            elif question.retired_answers or question.aliases:
                plan[index] = (qid, as_text, [qid])
            continue
        new_ids = [q.id for q in ruleset.questions.values() if qid in q.replaces]
        taken = [n for n in new_ids if n in present or fold_header(ruleset.questions[n].text) in present]
        if taken:
            result.notes.append(
                _("column {header} (retired) left as it is: the survey already has {columns}.").format(
                    header=repr(header), columns=", ".join(taken)
                )
            )
            continue
        if new_ids:
            plan[index] = (qid, as_text, new_ids)
    if not plan:
        return result
    pieces: list[str] = []
    last = 0

    def replace(a: int, b: int, replacement: str) -> None:
        nonlocal last
        pieces.extend((text[last:a], replacement))
        last = b

    for index, (_qid, as_text, new_ids) in plan.items():
        a, b = header_cells[index]
        names = [ruleset.questions[n].text if as_text else n for n in new_ids]
        replacement = delimiter.join(_quote(n, delimiter) for n in names)
        if replacement != text[a:b]:
            replace(a, b, replacement)
            result.renamed.append((_unquote(text[a:b]), names))
    # The same cell text in the same column always upgrades the same way: work it out once.
    memo: dict[tuple[int, str], tuple[str | None, list[str]]] = {}
    for cells in records:
        if len(cells) == 1 and cells[0][0] == cells[0][1]:
            continue  # a blank line
        for index, planned in plan.items():
            if index >= len(cells):
                continue
            a, b = cells[index]
            raw_cell = text[a:b]
            key = (index, raw_cell)
            if key not in memo:
                memo[key] = _upgrade_cell(ruleset, registry, planned, raw_cell, delimiter)
            new_cell, blanks = memo[key]
            for new_id in blanks:
                result.left_blank[new_id] = result.left_blank.get(new_id, 0) + 1
            if new_cell is not None and new_cell != raw_cell:
                replace(a, b, new_cell)
                result.cells_changed += 1
    pieces.append(text[last:])
    new_text = "".join(pieces)
    # utf-8-sig is how the reader opens every UTF-8 file; write the byte-order mark only where there was one.
    encoding = "utf-8" if survey.encoding == "utf-8-sig" else survey.encoding
    result.data = (b"\xef\xbb\xbf" if bom else b"") + new_text.encode(encoding)
    return result


def _upgrade_cell(
    ruleset: Ruleset, registry: Registry, planned: tuple[str, bool, list[str]], raw_cell: str, delimiter: str
) -> tuple[str | None, list[str]]:
    """(the cell's new raw text, or None to keep it; the new questions it leaves blank)."""
    qid, as_text, new_ids = planned
    old = _unquote(raw_cell)
    try:
        upgraded = upgrade_answers(ruleset, {qid: old}, registry)
    except InputError:
        # Not an answer any release accepted (or SurveyMonkey's "Response" sub-header): kept as written, once
        # per new column so the row stays aligned; `sanctuary batch` reports a bad one on its row.
        return (delimiter.join([raw_cell] * len(new_ids)) if len(new_ids) > 1 else None), []
    blanks = [change.new or qid for change in upgraded.left_blank]
    if len(new_ids) == 1 and qid in ruleset.questions and not upgraded.changed:
        return None, blanks
    values = [upgraded.answers.get(n) for n in new_ids]
    cell_texts = [
        _cell_text(ruleset, n, v, as_text and not _is_id(ruleset, n, old)) for n, v in zip(new_ids, values, strict=True)
    ]
    if len(new_ids) == 1 and is_blank(old) and not cell_texts[0]:
        return None, blanks
    return delimiter.join(_quote(c, delimiter) for c in cell_texts), blanks


def _is_id(ruleset: Ruleset, qid: str, old: str) -> bool:
    """True when the old cell was written as an id or yes/no word, so the new one should be too."""
    return "_" in old or old.strip().lower() in {"yes", "no", "true", "false", "none"}
