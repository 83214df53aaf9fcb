#!/usr/bin/env python3
"""Inject Spanish sidecar translations into the rules files as ``{en: ..., es: ...}`` beside each English text.

Usage (from the repository root):

    python scripts/i18n_inject.py                    # inject i18n/es/** into rulesets/sanctuary, report what is left
    python scripts/i18n_inject.py --dry-run          # check and report only; write nothing
    python scripts/i18n_inject.py --delete-sidecars  # after a clean run, remove the injected sidecar files

A sidecar ``i18n/es/<source path>`` mirrors its source file and holds only Spanish text leaves (mapping keys as
in the source; a list of mappings with ``id`` matched by id; any other list by position, ``{}`` for an item with
nothing to translate). Each leaf must sit where the source has a text (engine/rules/bilingual.py says where) and
keep its placeholders and ``<<XX:`` markers. Clause translations are ``<ID>.es.md`` files beside the English and
need no injection; they are checked here too.

The English file is edited in place at the text spans the YAML parser reports, so comments, key order, quoting
and indentation stay exactly as written (a round-trip dump would re-indent the many hand-laid lists). An anchored
text (``&name``) keeps its anchor on the new mapping, so its aliases share both languages. Running again with an
updated sidecar updates the ``es`` value (idempotent). Nothing is written when any problem is found. When no
text of the rules is left without Spanish, ``languages: [en, es]`` is added to ruleset.yaml, which makes the
loader require both languages from then on.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from engine.errors import RulesetError  # noqa: E402
from engine.rules import bilingual  # noqa: E402

WRAP = 100  # folded Spanish lines are wrapped near the width of the English ones


@dataclass
class Injection:
    """What one run found and would change."""

    edits: dict[Path, str] = field(default_factory=dict)  # source file -> its new text
    problems: list[str] = field(default_factory=list)
    uncovered: list[str] = field(default_factory=list)
    injected: int = 0
    sidecars: list[Path] = field(default_factory=list)


# -- placing one Spanish text ----------------------------------------------------------------------------------
def scalar(text: str, indent: int) -> str:
    """``text`` as a YAML scalar for a value whose key sits at column ``indent`` (block styles for long text)."""
    text = text.strip()
    pad = " " * (indent + 2)
    if "\n" in text:
        return "|-\n" + "\n".join(pad + line if line.strip() else "" for line in text.split("\n"))
    if len(text) > 80:
        lines = textwrap.wrap(text, WRAP - len(pad), break_long_words=False, break_on_hyphens=False)
        if all(not line.startswith((" ", "#")) for line in lines):
            return ">-\n" + "\n".join(pad + line for line in lines)
    try:
        plain_ok = yaml.safe_load(f"k: {text}") == {"k": text} and "#" not in text
    except yaml.YAMLError:
        plain_ok = False
    return text if plain_ok else json.dumps(text, ensure_ascii=False)


def _line_start(source: str, index: int) -> int:
    return source.rfind("\n", 0, index) + 1


def _span(source: str, node: yaml.Node) -> tuple[int, int]:
    """The node's text span without trailing blank lines (a block scalar's end mark is past them)."""
    start, end = node.start_mark.index, node.end_mark.index
    while end > start and source[end - 1] in " \n":
        end -= 1
    return start, end


# -- walking a source node tree beside its sidecar ---------------------------------------------------------------
class FileInjector:
    """One source file and its sidecar: the edits, as (start, end, replacement) over the source text."""

    def __init__(self, source_path: Path, relative: str, run: Injection) -> None:
        self.path = source_path
        self.where = relative
        self.run = run
        self.text = source_path.read_text(encoding="utf-8")
        self.citations = "/citations/" in "/" + relative
        self.edits: list[tuple[int, int, str]] = []
        self.anchored: dict[int, str] = {}  # id(node) -> the Spanish given for it (aliases must agree)

    def problem(self, path: tuple[str | int, ...], message: str) -> None:
        self.run.problems.append(f"{self.where}{bilingual._keypath(path) if path else ''}: {message}")

    def walk(self, node: yaml.Node, es: Any, path: tuple[str | int, ...], key_end: int) -> None:
        if path and bilingual.is_text_position(path, self.citations) and not isinstance(es, (dict, list)):
            self.leaf(node, es, path, key_end)
            return
        if isinstance(es, dict):
            if not isinstance(node, yaml.MappingNode):
                self.problem(path, "the sidecar has a mapping where the source has none")
                return
            pairs = {k.value: (k, v) for k, v in node.value}
            for key, value in es.items():
                if key not in pairs:
                    self.problem((*path, key), "no such key in the source")
                    continue
                knode, vnode = pairs[key]
                self.walk(vnode, value, (*path, key), knode.end_mark.index)
        elif isinstance(es, list):
            if not isinstance(node, yaml.SequenceNode):
                self.problem(path, "the sidecar has a list where the source has none")
                return
            items = node.value
            ids = [_id_of(item) for item in items]
            if items and all(i is not None for i in ids):
                by_id = dict(zip(ids, range(len(items)), strict=True))
                for entry in es:
                    if not isinstance(entry, dict) or entry.get("id") not in by_id:
                        self.problem(path, f"an item without a source id: {str(entry)[:60]}")
                        continue
                    n = by_id[entry["id"]]
                    rest = {k: v for k, v in entry.items() if k != "id"}
                    self.walk(items[n], rest, (*path, n), -1)
            else:
                if len(es) != len(items):
                    self.problem(path, f"{len(es)} items, the source has {len(items)}")
                for n, (item, entry) in enumerate(zip(items, es, strict=False)):
                    self.walk(item, entry, (*path, n), -1)
        elif es is not None:
            self.problem(path, "the source has no text here (ids, conditions, dates and names of works stay)")

    def leaf(self, node: yaml.Node, es: Any, path: tuple[str | int, ...], key_end: int) -> None:
        spot = self.where + bilingual._keypath(path)
        if not isinstance(es, str) or not es.strip():
            self.problem(path, "empty or not a string")
            return
        if key_end < 0:
            self.problem(path, "a text in a list must be a mapping value to be injected")
            return
        if isinstance(node, yaml.MappingNode):  # already {en, es}: update es
            pairs = {k.value: v for k, v in node.value}
            if set(pairs) - {"en", "es"} or not isinstance(pairs.get("en"), yaml.ScalarNode):
                self.problem(path, "the source here is neither a text nor an en/es mapping")
                return
            english = pairs["en"].value
            try:
                bilingual.check_pair(english, es, spot)
            except RulesetError as exc:
                self.run.problems.append(str(exc))
                return
            self.run.injected += 1
            if "es" in pairs:
                old = pairs["es"]
                if old.value.strip() == es.strip():
                    return
                key_col = _key_column(self.text, old)
                start, end = _span(self.text, old)
                self.edits.append((start, end, scalar(es, key_col)))
            else:
                en_node = pairs["en"]
                key_col = _key_column(self.text, en_node)
                _, end = _span(self.text, en_node)
                self.edits.append((end, end, "\n" + " " * key_col + "es: " + scalar(es, key_col)))
            return
        if not isinstance(node, yaml.ScalarNode):
            self.problem(path, "the source here is not text")
            return
        if node.start_mark.index < key_end:  # an alias: the node (and its marks) are the anchor's
            if self.anchored.get(id(node), es) != es:
                self.problem(path, "an alias of an anchored text must have the same Spanish as the anchor")
            self.anchored.setdefault(id(node), es)
            return
        try:
            bilingual.check_pair(node.value, es, spot)
        except RulesetError as exc:
            self.run.problems.append(str(exc))
            return
        if self.text[key_end : node.start_mark.index].strip() != ":":
            self.problem(path, "the text must follow its key on the same line (key: text) to be injected")
            return
        if self.anchored.get(id(node), es) != es:
            self.problem(path, "an anchored text must have the same Spanish as its aliases")
            return
        self.anchored[id(node)] = es
        start, end = _span(self.text, node)
        original = self.text[start:end]
        anchor = ""
        if original.startswith("&"):
            anchor, _, original = original.partition(" ")
            anchor = " " + anchor
            original = original.lstrip(" ")
        key_col = _key_column_of_key(self.text, key_end)
        inner = " " * (key_col + 2)
        # Continuation lines move in with their new key (blank lines of a block scalar stay empty).
        lines = original.split("\n")
        english = "\n".join([lines[0]] + [("  " + line) if line.strip() else line for line in lines[1:]])
        block = f"{anchor}\n{inner}en: {english}\n{inner}es: {scalar(es, key_col + 2)}"
        # Replace from just after "key:" so no trailing space is left on the key's line.
        colon = self.text.index(":", key_end) + 1
        self.edits.append((colon, end, block))
        self.run.injected += 1

    def result(self) -> str:
        out = self.text
        for start, end, new in sorted(self.edits, reverse=True):
            out = out[:start] + new + out[end:]
        return out


def _id_of(node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == "id" and isinstance(v, yaml.ScalarNode):
                return v.value
    return None


def _key_column_of_key(source: str, key_end: int) -> int:
    line = source[_line_start(source, key_end) : key_end]
    return len(line) - len(line.lstrip(" -"))


def _key_column(source: str, value: yaml.Node) -> int:
    """The column of the key whose value is ``value`` (on the same line)."""
    start = _line_start(source, value.start_mark.index)
    line = source[start : value.start_mark.index]
    return len(line) - len(line.lstrip(" -"))


# -- a whole run --------------------------------------------------------------------------------------------
def rules_files(rules: Path) -> list[Path]:
    """Every translated rules file under the rules directory (engine.rules.bilingual.TRANSLATED_FILES)."""
    return sorted(p for p in rules.rglob("*.yaml") if bilingual.is_translated_file(p.relative_to(rules).as_posix()))


def inject(repo: Path, rules: Path, sidecars: Path, clauses: Path) -> Injection:
    """Compute every edit (nothing written) and what stays untranslated."""
    run = Injection()
    for sidecar in sorted(sidecars.rglob("*.yaml")):
        relative = sidecar.relative_to(sidecars).as_posix()
        source = repo / relative
        if not source.is_file():
            run.problems.append(f"{sidecar}: no source file {relative}")
            continue
        try:
            inside = source.resolve().relative_to(rules.resolve()).as_posix()
        except ValueError:
            run.problems.append(f"{sidecar}: {relative} is not a file of the rules directory {rules}")
            continue
        if not bilingual.is_translated_file(inside):
            run.problems.append(f"{sidecar}: {inside} holds no translated texts")
            continue
        try:
            es = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            run.problems.append(f"{sidecar}: not valid YAML: {str(exc).splitlines()[0]}")
            continue
        file = FileInjector(source, relative, run)
        try:
            tree = yaml.compose(file.text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            run.problems.append(f"{relative}: not valid YAML: {str(exc).splitlines()[0]}")
            continue
        file.walk(tree, es, (), -1)
        run.sidecars.append(sidecar)
        if file.edits:
            new = file.result()
            if _check_edit(file, new, run):
                run.edits[source] = new
    for path in rules_files(rules):
        text = run.edits.get(path) or path.read_text(encoding="utf-8")
        inside = path.relative_to(rules).as_posix()
        data = yaml.safe_load(text)
        for where, value in bilingual.texts(data, inside.startswith("citations/")):
            if isinstance(value, str):
                run.uncovered.append(f"{path.relative_to(repo)}{bilingual._keypath(where)}")
    for clause in sorted(clauses.glob("*.md")):
        if clause.name.endswith(".es.md"):
            continue
        es_clause = clause.with_name(clause.stem + ".es.md")
        if not es_clause.is_file():
            run.uncovered.append(f"{es_clause.relative_to(repo)} (no Spanish clause)")
    return run


def _check_edit(file: FileInjector, new: str, run: Injection) -> bool:
    """The edited file must load, and differ from the source only where texts became {en, es}."""
    try:
        after = yaml.safe_load(new)
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0]
        run.problems.append(f"{file.where}: the injected file would not load ({first}); nothing written")
        return False
    before = yaml.safe_load(file.text)
    if _english(after) != _english(before):
        run.problems.append(f"{file.where}: injecting would change the English or the structure; nothing written")
        return False
    return True


def _english(value: Any) -> Any:
    if bilingual.is_bilingual(value):
        return value["en"]
    if isinstance(value, dict):
        return {k: _english(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_english(v) for v in value]
    return value


def declare_languages(manifest: str) -> str:
    """ruleset.yaml's text with ``languages: [en, es]`` after its ``version`` line (unchanged if already there)."""
    if any(line.startswith("languages:") for line in manifest.splitlines()):
        return manifest
    lines = manifest.splitlines(keepends=True)
    at = next((n + 1 for n, line in enumerate(lines) if line.startswith("version:")), 0)
    lines.insert(at, "languages: [en, es]  # every text below is written in English and Spanish\n")
    return "".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", type=Path, default=ROOT, help="the repository root (default: this checkout)")
    parser.add_argument("--rules", type=Path, help="the rules directory (default: <repo>/rulesets/sanctuary)")
    parser.add_argument("--sidecars", type=Path, help="the sidecar folder (default: <repo>/i18n/es)")
    parser.add_argument("--clauses", type=Path, help="the clauses folder (default: <repo>/sample_policies/clauses)")
    parser.add_argument("--dry-run", action="store_true", help="check and report; write nothing")
    parser.add_argument("--delete-sidecars", action="store_true", help="remove the sidecar files after a clean run")
    args = parser.parse_args(argv)
    repo = args.repo.resolve()
    rules = (args.rules or repo / "rulesets" / "sanctuary").resolve()
    sidecars = (args.sidecars or repo / "i18n" / "es").resolve()
    clauses = (args.clauses or repo / "sample_policies" / "clauses").resolve()
    run = inject(repo, rules, sidecars, clauses)
    for line in run.problems:
        print("PROBLEM", line)
    for line in run.uncovered:
        print("NOT TRANSLATED", line)
    print(
        f"{len(run.sidecars)} sidecars, {run.injected} texts injected into {len(run.edits)} files, "
        f"{len(run.problems)} problems, {len(run.uncovered)} texts without Spanish"
    )
    if run.problems:
        print("Nothing written: fix the problems above and run again.")
        return 1
    if args.dry_run:
        return 0
    for path, text in run.edits.items():
        path.write_text(text, encoding="utf-8")
    manifest = rules / "ruleset.yaml"
    if not run.uncovered and manifest.is_file():
        manifest.write_text(declare_languages(manifest.read_text(encoding="utf-8")), encoding="utf-8")
        print(f"{manifest.relative_to(repo)}: languages: [en, es] (the loader now requires both languages)")
    elif run.uncovered:
        print("ruleset.yaml left English-only (no languages: [en, es]) until every text has its Spanish.")
    if args.delete_sidecars:
        for sidecar in run.sidecars:
            sidecar.unlink()
        for folder in sorted((p for p in sidecars.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
            if not any(folder.iterdir()):
                folder.rmdir()
        print(f"removed {len(run.sidecars)} sidecar files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
