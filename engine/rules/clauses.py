"""Recommended clauses: Markdown files a finding on a gap points to (``sample_policies/clauses``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from engine.errors import RulesetError
from engine.rules.citations import supporting
from engine.rules.parsing import check_keys, known_ids, load_strict
from engine.rules.references import Clause

if TYPE_CHECKING:  # type hints only: the helpers never import the loader
    from engine.rules.source import LoadInProgress


def load_clauses(loader: LoadInProgress, folder: Path) -> dict[str, Clause]:
    """Read the clause files (``<id>.md``: front matter with id, title and based_on citations, then the text)."""
    clauses: dict[str, Clause] = {}
    for path in sorted(folder.glob("*.md")):
        where = loader.rel(path)
        loader.digest.update(where.encode())
        raw = path.read_bytes()
        loader.digest.update(raw)
        text = raw.decode("utf-8")
        match = re.match(r"^---\n(.*?)\n---\n(.*)$", text, re.S)
        if not match:
            raise RulesetError(f"{where}: a clause file starts with front matter between '---' lines.")
        try:
            front = load_strict(match.group(1))
        except yaml.YAMLError as exc:
            raise RulesetError(f"{where}: malformed front matter: {exc}.") from exc
        check_keys(front, f"{where}: front matter", ("id", "title"), ("based_on",))
        if front["id"] != path.stem:
            raise RulesetError(f"{where}: id {front['id']!r} must match the file name {path.stem!r}.")
        based_on = known_ids(front.get("based_on", []), loader.citations, "citation", f"{where}: based_on")
        supporting(based_on, loader.citations, f"{where}: based_on")
        body = match.group(2).strip()
        if not body:
            raise RulesetError(f"{where}: the clause text is empty.")
        clauses[front["id"]] = Clause(front["id"], str(front["title"]).strip(), body, based_on, where)
    return clauses
