"""What the helper loaders (citations, clauses, questions, controls, roll-up, states) are handed: the rules directory's
files, and a view of the load so far.

``loader.py`` builds both and calls the helpers; the helpers import only this module, never the loader, so
imports inside ``engine.rules`` run one way (tests/test_layering.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from engine.errors import RulesetError
from engine.i18n import _
from engine.rules import conditions
from engine.rules.model import Control, FlagRule, InstitutionFilter, Question, StateLaw
from engine.rules.parsing import read_yaml
from engine.rules.references import Citation, Clause


class RulesSource:
    """The files of one rules directory, read safely; every file read is added to the ruleset's content hash."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.digest = hashlib.sha256()

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root.parent.parent))
        except ValueError:
            return str(path)

    def read(self, path: Path) -> Any:
        self.digest.update(self.rel(path).encode())
        self.digest.update(path.read_bytes())
        return read_yaml(path, self.rel(path))

    def entries(self, folder: str, what: str) -> Iterator[tuple[str, Any, Any]]:
        """(file, key, value) of every top-level entry of ``<folder>/*.yaml``, files in name order.

        ``what`` describes the mapping a file must hold ("question id -> question") for the error when it does not.
        """
        for path in sorted((self.root / folder).glob("*.yaml")):
            where = self.rel(path)
            data = self.read(path) or {}
            if not isinstance(data, dict):
                raise RulesetError(_("{where}: expected a mapping of {what}.").format(where=where, what=what))
            for key, value in data.items():
                yield where, key, value


class LoadInProgress(Protocol):
    """The load so far, as the later helpers (clauses, controls, roll-up, states) read and extend it."""

    root: Path
    digest: Any
    lang: str  # the language the texts are loaded in ("en" or "es")
    bilingual: bool  # ruleset.yaml says languages: [en, es]: every text carries both
    types: dict[str, dict[str, Any]]
    components: dict[str, dict[str, Any]]
    citations: dict[str, Citation]
    questions: dict[str, Question]
    clauses: dict[str, Clause]
    clauses_dir: Path  # named in the error when a control's clause has no file there
    controls: dict[str, Control]
    flags: dict[str, FlagRule]
    state_laws: dict[str, StateLaw]

    def rel(self, path: Path) -> str: ...

    def read(self, path: Path) -> Any: ...

    def _types(self, value: Any, where: str) -> tuple[str, ...]: ...

    def _institution_filter(self, data: Any, where: str, allow_types: bool) -> InstitutionFilter: ...

    def _answers_condition(self, data: Any, where: str) -> conditions.Condition: ...

    def _flag(self, spec: dict, where: str, rule: str | None = None) -> FlagRule: ...
