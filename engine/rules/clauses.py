"""Recommended clauses: Markdown files a finding on a gap points to (``sample_policies/clauses``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from engine.errors import RulesetError
from engine.i18n import _
from engine.rules.bilingual import check_pair
from engine.rules.citations import supporting
from engine.rules.parsing import check_keys, known_ids, load_strict
from engine.rules.references import Clause

# The Spanish translation of clause <ID>.md is <ID>.es.md in the same folder.
SPANISH_SUFFIX = ".es.md"

if TYPE_CHECKING:  # type hints only: the helpers never import the loader
    from engine.rules.source import LoadInProgress


def load_clauses(loader: LoadInProgress, folder: Path) -> dict[str, Clause]:
    """Read the clause files (``<id>.md``: front matter with id, title and based_on citations, then the text)."""
    clauses: dict[str, Clause] = {}
    for path in sorted(folder.glob("*.md")):
        if path.name.endswith(SPANISH_SUFFIX):
            if not path.with_name(path.name.removesuffix(SPANISH_SUFFIX) + ".md").is_file():
                raise RulesetError(
                    _(
                        "{rel}: no English clause {english}.md beside this translation; "
                        "rename it to match, or remove it."
                    ).format(rel=loader.rel(path), english=path.name.removesuffix(SPANISH_SUFFIX))
                )
            continue
        where = loader.rel(path)
        front, body = _read(loader, path, path.stem)
        based_on = known_ids(front.get("based_on", []), loader.citations, "citation", f"{where}: based_on")
        supporting(based_on, loader.citations, f"{where}: based_on")
        title = str(front["title"]).strip()
        if loader.bilingual:
            # Every clause has its Spanish twin <ID>.es.md: same id and sources, same placeholders and markers.
            es_path = path.with_name(path.stem + SPANISH_SUFFIX)
            es_where = loader.rel(es_path)
            if not es_path.is_file():
                raise RulesetError(
                    _(
                        "{where}: no Spanish clause {name} beside it; the ruleset says "
                        "languages: [en, es], so add the translation (same front matter, "
                        "Spanish title and text)."
                    ).format(where=where, name=es_path.name)
                )
            es_front, es_body = _read(loader, es_path, path.stem)
            if es_front.get("based_on", []) != front.get("based_on", []):
                raise RulesetError(
                    _("{es_where}: based_on must list the same citations as {name}.").format(
                        es_where=es_where, name=path.name
                    )
                )
            es_title = str(es_front["title"]).strip()
            check_pair(title, es_title, f"{es_where}: title")
            check_pair(body, es_body, f"{es_where}: text")
            if loader.lang == "es":
                title, body = es_title, es_body
        clauses[front["id"]] = Clause(front["id"], title, body, based_on, where)
    return clauses


def _read(loader: LoadInProgress, path: Path, clause_id: str) -> tuple[dict, str]:
    """(front matter, text) of one clause file, whose id must be ``clause_id``."""
    where = loader.rel(path)
    loader.digest.update(where.encode())
    raw = path.read_bytes()
    loader.digest.update(raw)
    text = raw.decode("utf-8")
    match = re.match(r"^---\n(.*?)\n---\n(.*)$", text, re.S)
    if not match:
        raise RulesetError(
            _("{where}: a clause file starts with front matter between '---' lines.").format(where=where)
        )
    try:
        front = load_strict(match.group(1))
    except yaml.YAMLError as exc:
        raise RulesetError(_("{where}: malformed front matter: {error}.").format(where=where, error=exc)) from exc
    check_keys(front, f"{where}: front matter", ("id", "title"), ("based_on",))
    if front["id"] != clause_id:
        raise RulesetError(
            _("{where}: id {front!r} must match the file name {clause_id!r}.").format(
                where=where, front=front["id"], clause_id=clause_id
            )
        )
    body = match.group(2).strip()
    if not body:
        raise RulesetError(_("{where}: the clause text is empty.").format(where=where))
    return front, body
