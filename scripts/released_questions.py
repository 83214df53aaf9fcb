"""Rebuild the registry of every question id and answer value ever released, from git history.

    python scripts/released_questions.py                 # rewrite rulesets/sanctuary/released_questions.yaml
    python scripts/released_questions.py --check         # exit 1 if the registry is out of date
    python scripts/released_questions.py --old-answers   # also rewrite tests/fixtures/released_answers/

There are no release tags: every commit on the first-parent history of ``main`` that changed
``rulesets/sanctuary/questions/`` counts as a release, because anyone could have saved answers from it.
The working tree's questions are added as the current release when they differ from the last commit.
The registry is data that ships with the rules: ``sanctuary upgrade`` reads it to recognise old ids,
old choice values and old question texts (survey headers), and a test checks that every entry still
loads or upgrades.

``--old-answers`` writes, for each rewording (a release that stopped accepting an id or value an earlier
release accepted), every sample answers file and expert scenario as it stood just before the rewording
(``before/``) and as the rewording commit migrated it (``after/``), scenarios merged with their base
sample, so tests can check that upgrading old files gives the verdicts the developers' own migration gave.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = "rulesets/sanctuary/questions"
REGISTRY = ROOT / "rulesets/sanctuary/released_questions.yaml"
OLD_ANSWERS = ROOT / "tests/fixtures/released_answers"


def _english(value: Any) -> Any:
    """``value`` with every text written in two languages ({en: ..., es: ...}) reduced to its English. The
    registry keeps the English (no survey was released in Spanish before the texts became bilingual), and adding
    or editing a translation is not a new release of the questions."""
    if isinstance(value, dict):
        if "en" in value and set(value) <= {"en", "es"}:
            return value["en"]
        return {k: _english(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_english(v) for v in value]
    return value


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True).stdout


def release_commits(ref: str) -> list[tuple[str, str, str]]:
    """(full hash, date, subject) of each first-parent commit of ``ref`` that changed the questions, oldest first."""
    out = git("log", "--first-parent", "--reverse", "--format=%H%x09%ad%x09%s", "--date=short", ref, "--", QUESTIONS)
    return [tuple(line.split("\t", 2)) for line in out.splitlines() if line.strip()]  # type: ignore[misc]


def _files_at(commit: str, folder: str) -> list[str]:
    try:
        names = git("ls-tree", "--name-only", f"{commit}:{folder}").split()
    except subprocess.CalledProcessError:
        return []
    return [f"{folder}/{n}" for n in names if n.endswith(".yaml")]


def _yaml_at(commit: str, path: str) -> Any:
    return yaml.safe_load(git("show", f"{commit}:{path}"))


def catalogue_at(commit: str | None) -> dict[str, dict[str, Any]]:
    """question id -> its spec, at a commit (None: the working tree)."""
    questions: dict[str, dict[str, Any]] = {}
    if commit is None:
        for path in sorted((ROOT / QUESTIONS).glob("*.yaml")):
            questions.update(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    else:
        for path in _files_at(commit, QUESTIONS):
            questions.update(_yaml_at(commit, path) or {})
    return _english(questions)


def version_at(commit: str | None) -> str | None:
    """ruleset.yaml's version at a commit; None before the file existed."""
    if commit is None:
        return str(yaml.safe_load((ROOT / "rulesets/sanctuary/ruleset.yaml").read_text(encoding="utf-8"))["version"])
    try:
        return str(_yaml_at(commit, "rulesets/sanctuary/ruleset.yaml")["version"])
    except subprocess.CalledProcessError:
        return None


def _accepted(catalogue: dict[str, dict[str, Any]]) -> set[tuple[str, Any]]:
    """(question id, value) pairs a catalogue accepts: true/false, each choice id, or 'number'."""
    pairs: set[tuple[str, Any]] = set()
    for qid, spec in catalogue.items():
        if spec.get("type") == "boolean":
            pairs |= {(qid, True), (qid, False)}
        elif spec.get("type") == "choice":
            pairs |= {(qid, str(c)) for c in spec.get("choices") or {}}
        else:
            pairs.add((qid, "number"))
    return pairs


def build_registry(ref: str) -> tuple[str, list[tuple[str, str, str, dict[str, Any]]]]:
    """The registry's text, and the releases scanned (commit, date, subject, catalogue)."""
    releases = [(c, d, s, catalogue_at(c)) for c, d, s in release_commits(ref)]
    current = catalogue_at(None)
    if not releases or releases[-1][3] != current:
        releases.append(("working tree", "unreleased", "the questions in this checkout", current))
    questions: dict[str, dict[str, Any]] = {}
    for number, (_commit, _date, _subject, catalogue) in enumerate(releases, start=1):
        for qid, spec in catalogue.items():
            entry = questions.setdefault(qid, {"type": [], "releases": [], "texts": [], "choices": {}})
            if spec.get("type") not in entry["type"]:
                entry["type"].append(spec.get("type"))
            entry["releases"].append(number)
            text = " ".join(str(_english(spec.get("text", ""))).split())
            if text and text not in entry["texts"]:
                entry["texts"].append(text)
            for cid, label in (spec.get("choices") or {}).items():
                labels = entry["choices"].setdefault(str(cid), [])
                label = " ".join(str(_english(label)).split())
                if label not in labels:
                    labels.append(label)
    for entry in questions.values():
        entry["releases"] = _ranges(entry["releases"])
        if not entry["choices"]:
            del entry["choices"]
    header = [
        "# Every question id, question text and choice value ever released, so that `sanctuary upgrade` can",
        "# read answers files and surveys written for any earlier release. Generated by",
        "# scripts/released_questions.py from git history; do not edit by hand (run it again after changing",
        "# the questions, and give every retired id a `replaces:` and every retired choice an alias or a",
        "# `retired_answers:` entry: tests/test_upgrade.py checks it).",
        "#",
        "# There are no release tags: every first-parent commit of main that changed",
        f"# {QUESTIONS}/ counts as a release. Commits scanned (release number, commit, date):",
    ]
    for number, (commit, date, subject, _) in enumerate(releases, start=1):
        header.append(f"#   {number:2d}  {commit[:12]:12s}  {date:10s}  {subject[:70]}".rstrip())
    body = {
        "releases": [
            {"number": n, "commit": c, "date": d, "rules_version": version_at(None if c == "working tree" else c)}
            for n, (c, d, _s, _q) in enumerate(releases, start=1)
        ],
        "questions": dict(sorted(questions.items())),
    }
    text = "\n".join(header) + "\n" + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=120)
    return text, releases


def _ranges(numbers: list[int]) -> str:
    """[1, 2, 3, 5] -> '1-3, 5'."""
    parts: list[str] = []
    start = prev = numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(str(start) if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(parts)


def rewordings(releases: list[tuple[str, str, str, dict[str, Any]]]) -> list[str]:
    """Commits of the releases that stopped accepting an id or value an earlier release accepted."""
    found = []
    previous: set[tuple[str, Any]] = set()
    for commit, _d, _s, catalogue in releases:
        accepted = _accepted(catalogue)
        if previous - accepted:
            found.append(commit)
        previous = accepted
    return found


def _answers_files(commit: str | None) -> dict[str, dict[str, Any]]:
    """name -> answers document of every sample and scenario at a commit or in the working tree (None)."""
    if commit is None:
        samples = {p.stem: yaml.safe_load(p.read_text()) for p in (ROOT / "sample_policies/answers").glob("*.yaml")}
        scenarios = {p.stem: yaml.safe_load(p.read_text()) for p in (ROOT / "tests/scenarios").glob("*.yaml")}
    else:
        samples = {Path(p).stem: _yaml_at(commit, p) for p in _files_at(commit, "sample_policies/answers")}
        scenarios = {Path(p).stem: _yaml_at(commit, p) for p in _files_at(commit, "tests/scenarios")}
    docs = {f"sample-{name}": doc for name, doc in samples.items()}
    for stem, scenario in sorted(scenarios.items()):
        if not isinstance(scenario, dict) or "answers" not in scenario:
            continue
        institution: dict[str, Any] = {}
        answers: dict[str, Any] = {}
        bases = scenario.get("base", [])
        for name in bases if isinstance(bases, list) else [bases]:  # as tests/scenarios/test_scenarios.py merges
            base = samples.get(name) or {}
            institution.update(base.get("institution") or {})
            answers.update(base.get("answers") or {})
        institution.update(scenario.get("institution") or {})
        answers.update(scenario.get("answers") or {})
        answers = {k: v for k, v in answers.items() if v is not None}
        docs[f"scenario-{stem}"] = {"institution": institution, "answers": answers}
    return docs


def _uses_retired(doc: dict[str, Any], accepted: set[tuple[str, Any]]) -> bool:
    """True when a document answers with an id or value that ``accepted`` no longer holds."""
    for qid, value in (doc.get("answers") or {}).items():
        key = value if isinstance(value, bool) else "number" if isinstance(value, int | float) else str(value)
        if (qid, key) not in accepted and (qid, "number") not in accepted:
            return True
    return False


def write_old_answers(releases: list[tuple[str, str, str, dict[str, Any]]]) -> int:
    """Write before/after copies of the samples and scenarios each rewording touched; returns files written."""
    written = 0
    catalogues = {commit: catalogue for commit, _d, _s, catalogue in releases}
    for commit in rewordings(releases):
        # The working tree's rewording (not yet committed) is compared with the last commit.
        parent = git("rev-parse", "HEAD" if commit == "working tree" else f"{commit}^1").strip()
        before, after = _answers_files(parent), _answers_files(None if commit == "working tree" else commit)
        accepted = _accepted(catalogues[commit])
        names = [n for n in before if n in after and _uses_retired(before[n], accepted)]
        if not names:
            continue
        folder = OLD_ANSWERS / ("working-tree" if commit == "working tree" else commit[:12])
        for side, docs in (("before", before), ("after", after)):
            (folder / side).mkdir(parents=True, exist_ok=True)
            for name in names:
                (folder / side / f"{name}.yaml").write_text(
                    yaml.safe_dump(docs[name], sort_keys=False, allow_unicode=True, width=120), encoding="utf-8"
                )
                written += 1
        (folder / "README.md").write_text(
            f"Samples and scenarios that answered a question or choice retired by commit {commit[:12]},\n"
            "as they stood just before it (before/) and as that commit migrated them (after/). Written by\n"
            "scripts/released_questions.py --old-answers; do not edit.\n",
            encoding="utf-8",
        )
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ref", default="main", help="the branch whose history counts as released (default main)")
    parser.add_argument("--check", action="store_true", help="exit 1 if the registry file is out of date")
    parser.add_argument("--old-answers", action="store_true", help="also write tests/fixtures/released_answers/")
    args = parser.parse_args(argv)
    text, releases = build_registry(args.ref)
    if args.check:
        if not REGISTRY.is_file() or REGISTRY.read_text(encoding="utf-8") != text:
            print(f"{REGISTRY.relative_to(ROOT)} is out of date; run python scripts/released_questions.py")
            return 1
        print(f"{REGISTRY.relative_to(ROOT)} is up to date ({len(releases)} releases).")
        return 0
    REGISTRY.write_text(text, encoding="utf-8")
    print(f"{REGISTRY.relative_to(ROOT)}: {len(releases)} releases written.")
    if args.old_answers:
        print(f"{OLD_ANSWERS.relative_to(ROOT)}: {write_old_answers(releases)} files written.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
