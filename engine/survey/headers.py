"""Survey headers to canonical columns: question ids, question texts and the fixed columns' many names."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from engine.errors import InputError, did_you_mean
from engine.i18n import _
from engine.rules.aliases import replaced_message
from engine.rules.model import Ruleset
from engine.safe_text import shown
from engine.survey.layout import FIXED_COLUMNS, FIXED_TEXT_HEADERS, ROW_ERROR_COLUMN
from engine.vocabulary import strip_accents

_FIXED_ALIASES = {
    "respondent_id": {"respondent_id", "respondent", "respondentid", "respondent_number", "response_id", "encuestado"},
    "institution_name": {
        "institution_name",
        "institution",
        "name_of_institution",
        "name_of_the_institution",
        "organization",
        "organisation",
        "organization_name",
        "organisation_name",
        "nombre_de_la_institucion",
        "institucion",
    },
    "institution_type": {
        "institution_type",
        "type",
        "type_of_institution",
        "kind_of_institution",
        "tipo_de_institucion",
        "tipo",
    },
    "state": {"state", "state_code", "us_state", "estado"},
    "public": {"public", "public_body", "is_public", "public_or_private", "publico"},
}
# Microsoft Forms numbers responses in a column headed "ID"; use it only when nothing better exists.
_WEAK_RESPONDENT_ALIASES = {"id"}
# SurveyMonkey's export has a second header row naming the kind of answer under each question.
SURVEYMONKEY_SUBHEADERS = {"response", "open-ended response", "other (please specify)", "respuesta"}

_MAX_LISTED = 20
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})


def fold_header(text: str) -> str:
    """Header text folded for matching: case, accents of quotes, numbering and 'required' marks."""
    text = unicodedata.normalize("NFKC", text).replace("\ufeff", "").translate(_QUOTES).strip().lower()
    text = re.sub(r"^(q\s*)?\d+\s*[.):]\s+", "", text)
    # A trailing "*" or "(required)" mark, cut with string methods: a pattern ending in \s*$ backtracks over every
    # run of spaces, quadratic in a header of millions of characters.
    for mark in ("*", "(required)", "(obligatorio)", "(obligatoria)"):
        if text.endswith(mark):
            text = text[: -len(mark)]
            break
    return " ".join(text.split())


def _without_hint(header: str) -> str:
    """The header without a trailing "(...)" hint (and "?"): 'State (name or code, ...)' -> 'State'.

    String methods, not a regular expression: '\\(.*\\)' backtracks from every '(' and was quadratic.
    """
    text = header.rstrip()
    if text.endswith("?"):
        text = text[:-1].rstrip()
    if text.endswith(")") and "(" in text:
        return text[: text.index("(")].rstrip()
    return header


def _alias_key(text: str) -> str:
    plain = strip_accents(fold_header(text))
    return re.sub(r"[^a-z0-9]+", "_", plain).strip("_")


for _column, _text in FIXED_TEXT_HEADERS.items():
    _FIXED_ALIASES[_column].add(_alias_key(_text))


@dataclass
class ColumnMapping:
    """How the headers of a survey map to canonical columns."""

    positions: list[tuple[int, str]]
    column_map: dict[str, str]
    ignored: list[str]
    problems: list[str]

    @property
    def canonical(self) -> list[str]:
        """Fixed columns, then the question columns in file order, then the row-error column."""
        questions = [c for _, c in self.positions if c not in FIXED_COLUMNS]
        return [*FIXED_COLUMNS, *questions, ROW_ERROR_COLUMN]

    @property
    def recognised(self) -> int:
        """How many headers mapped to a known column."""
        return len(self.positions)


def map_columns(ruleset: Ruleset, headers: list[str], reserved: tuple[str, ...] = ()) -> ColumnMapping:
    """Map survey headers (question ids, question texts, fixed-column names) to canonical columns.

    Args:
        ruleset: the rules whose questions the headers should name.
        headers: the header cells in file order.
        reserved: headers passed through unchanged (such as ``line`` in a frame we made).

    Returns:
        The mapping; unknown headers are listed in ``ignored`` and explained in ``problems``.

    Raises:
        InputError: two columns hold the same question or fixed column.
    """
    by_id = {qid.lower(): qid for qid in ruleset.questions}
    by_text: dict[str, list[str]] = {}
    for q in ruleset.questions.values():
        # A survey may be headed in any language of the rules (Spanish question texts in an English run).
        for text in dict.fromkeys(fold_header(t) for t in (q.text, *q.translated_texts)):
            by_text.setdefault(text, []).append(q.id)
    positions: list[tuple[int, str]] = []
    column_map: dict[str, str] = {}
    ignored: list[str] = []
    problems: list[str] = []
    taken: dict[str, str] = {}
    weak_id: tuple[int, str] | None = None
    for index, header in enumerate(headers):
        if header in reserved:
            continue
        folded, key = fold_header(header), _alias_key(header)
        target = by_id.get(folded) or by_id.get(key)
        if target is None:
            # Template headers carry a hint in brackets ("State (name or code, ...)"): match without it.
            bare = _alias_key(_without_hint(header))
            target = next((col for col, names in _FIXED_ALIASES.items() if key in names or bare in names), None)
        if target is None and folded not in by_text:
            # A follow-up's template header ends in "(only if ...)": match the question text without it.
            folded = re.sub(r"\s*\((only if|solo si)\b.*\)\s*$", "", folded)
        if target is None and folded in by_text:
            matches = by_text[folded]
            if len(matches) > 1:
                problems.append(
                    _(
                        "column {header} matches several questions ({questions}) and was ignored; "
                        "head it by the question id."
                    ).format(header=shown(header), questions=", ".join(matches))
                )
                ignored.append(header)
                continue
            target = matches[0]
        if target is None:
            if key in _WEAK_RESPONDENT_ALIASES and weak_id is None:
                weak_id = (index, header)
                continue
            label = header if header.strip() else _("(column {number}, no header)").format(number=index + 1)
            ignored.append(label)
            continue
        if target in taken:
            raise InputError(
                _("columns {first} and {second} both hold {column}; keep one of them and try again.").format(
                    first=shown(taken[target]), second=shown(header), column=target
                )
            )
        taken[target] = header
        positions.append((index, target))
        column_map[header] = target
    if weak_id is not None:
        if "respondent_id" in taken:
            ignored.append(weak_id[1])
        else:
            positions.append((weak_id[0], "respondent_id"))
            column_map[weak_id[1]] = "respondent_id"
    if ignored:
        hints: list[str] = []
        for name in ignored:
            if len(hints) == 5:  # only five are shown: the rest would be looked for in vain
                break
            replaced = replaced_message(ruleset.questions, fold_header(name))
            hint = f" {replaced[0].upper()}{replaced[1:]}" if replaced else did_you_mean(name, ruleset.questions)
            if hint:
                hints.append(f"{shown(name)}:{hint}")
        listed = ", ".join(shown(n) for n in ignored[:_MAX_LISTED]) + (" ..." if len(ignored) > _MAX_LISTED else "")
        problems.append(
            _("ignored {count} column(s) that are not questions of these rules: {columns}").format(
                count=len(ignored), columns=listed
            )
            + (f" ({'; '.join(hints[:5])})" if hints else "")
            + "."
        )
        if any(replaced_message(ruleset.questions, fold_header(name)) for name in ignored):
            problems.append(
                _(
                    "this survey was written for an earlier release of the questions; run "
                    "`sanctuary upgrade --survey` on it to rename its old columns and answers."
                )
            )
    if "institution_type" not in taken and positions:
        problems.append(
            _(
                "the survey has no institution_type column, so no row can be evaluated; "
                "add one (see 'sanctuary template')."
            )
        )
    return ColumnMapping(positions, column_map, ignored, problems)
