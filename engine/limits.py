"""What one input may cost: the limits every reader enforces (documented in docs/input-limits.md).

Each limit is far above anything a real answers file, survey or rules file needs, and low enough
that a hostile or broken file is refused with one line instead of exhausting memory, recursing
until Python gives up, or reaching durable-rules' C core in a shape it cannot handle.
"""

from __future__ import annotations

# Answers files (YAML or JSON), from the command line or an upload.
ANSWERS_MAX_BYTES = 1_000_000
# YAML and JSON documents (answers and rules): how deeply mappings and lists may nest.
DOCUMENT_MAX_DEPTH = 32
# Digits in one integer literal: Python refuses to convert more than 4,300, and no answer needs 30.
NUMBER_MAX_DIGITS = 30
# One text value in an answers file (an institution name, an answer).
ANSWER_MAX_CHARS = 10_000
# An institution's name: it becomes a .docx title and file-name-like fields (Word's limits are about 255 with the
# words around it), a report heading and a results cell, so a longer one is refused where it is read.
INSTITUTION_NAME_MAX_CHARS = 200
# Institution types listed for one institution (there are twelve; a longer list is a mistake or an attack, and
# each distinct set compiles its own rules).
INSTITUTION_MAX_TYPES = 20
# Rules compiled for this many distinct sets of institution types are kept per process (least recently used
# dropped first); each set costs about 6.5 MB of durable-rules memory and about 55 ms to compile again.
COMPILED_TYPE_SETS_MAX = 32

# Rules files: one YAML file of a rules directory. Anchors and aliases are allowed there (states.yaml shares
# entries), without cycles and within this many values once every alias is expanded.
RULES_FILE_MAX_BYTES = 2_000_000
EXPANDED_MAX_VALUES = 200_000
# One condition (pass, partial, applies_when, a flag's answers): nesting of all/any/not, and its size
# counted in leaves plus the extra values of one_of lists. durable-rules 2.0.28 fails (error 107 at
# creation, 303 on assert, then heap corruption) from about 100 alternatives on one answers fact.
CONDITION_MAX_DEPTH = 8
CONDITION_MAX_LEAVES = 40
# A control's conditions are joined into each of its rules, and applies_when into all of them: the
# sums that were measured safe (8/24/16, 16/16/16, 40/8/0 for pass/partial/applies_when) bound them.
CONTROL_MAX_LEAVES = 48
APPLIES_WHEN_MAX_LEAVES = 16

# Survey CSVs.
SURVEY_MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
SURVEY_MAX_HEADER_CHARS = 4_000_000  # long question texts times many columns
SURVEY_MAX_COLUMNS = 5_000
# A quoted cell may span lines; a record longer than this is a quote that never closes.
SURVEY_MAX_RECORD_LINES = 200
