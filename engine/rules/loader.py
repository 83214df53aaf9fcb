"""Load a rules directory into a checked ``Ruleset``.

Strict by design: safe YAML only, duplicate keys and unknown keys rejected, every reference
(question, citation, clause, component, institution type, control) resolved at load, and every
error names the file and key path with a "did you mean" suggestion. Nothing is half-loaded: a
ruleset either loads completely or raises ``RulesetError``.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from engine.errors import RulesetError, did_you_mean
from engine.i18n import _
from engine.resources import data_dir
from engine.rules import bilingual, conditions, rollup
from engine.rules.bilingual import DEFAULT_LANG
from engine.rules.citations import load_citation_policy, load_citations
from engine.rules.clauses import load_clauses
from engine.rules.controls import load_controls
from engine.rules.model import (
    FlagRule,
    InstitutionFilter,
    Outcome,
    Ruleset,
    StateLaw,
)
from engine.rules.parsing import US_STATES, check_keys, effective, known_ids, read_yaml, resolve, str_list, text_field
from engine.rules.questions import institution_check, load_questions, question_check, translated_spellings
from engine.rules.source import RulesSource
from engine.rules.states import load_states

DEFAULT_RULES_DIR = data_dir("rulesets") / "sanctuary"

FLAG_ID_PATTERN = re.compile(r"^(RISK|INFO)-[A-Z0-9-]+(:[A-Z0-9-]+)?$")


class _Loader(RulesSource):
    """One load of one rules directory; collects state while cross-checking."""

    def __init__(self, root: Path, lang: str = DEFAULT_LANG) -> None:
        super().__init__(root)
        self.lang = lang
        # Set from ruleset.yaml's `languages` (read first): a bilingual ruleset needs en and es on every text.
        self.bilingual = False
        # Rules file (path inside the rules directory) -> its data in each other language, for the spellings
        # a survey may use whatever the load's language (question texts, choice labels, type titles).
        self.other_texts: dict[str, list[Any]] = {}

    def read(self, path: Path) -> Any:
        """The rules file as data, its texts in the load's language (both languages checked when bilingual)."""
        self.digest.update(self.rel(path).encode())
        self.digest.update(path.read_bytes())
        data = read_yaml(path, self.rel(path))
        inside = path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else path.name
        if not bilingual.is_translated_file(inside):
            return data
        citations = inside.startswith("citations/")
        chosen = bilingual.localise(data, self.rel(path), self.lang, self.bilingual, citations)
        # Surveys may use the other language's question texts, choice labels and type titles: keep those files in it
        # (already checked in both languages, so the other language is only picked).
        if self.bilingual and (inside == "ruleset.yaml" or inside.startswith("questions/")):
            self.other_texts[inside] = [
                bilingual.localise(data, self.rel(path), other, False, citations)
                for other in bilingual.LANGUAGES
                if other != self.lang
            ]
        return chosen

    def _languages(self, manifest: Any, where: str) -> None:
        """Read ruleset.yaml's `languages` (default English only) and check the load's language is one of them."""
        if not isinstance(manifest, dict):
            return
        declared = manifest.get("languages", ["en"])
        if not isinstance(declared, list) or declared not in (["en"], ["en", "es"]):
            raise RulesetError(
                _("{where}: languages: write [en] or [en, es], not {declared}.").format(
                    where=where, declared=repr(declared)
                )
            )
        self.bilingual = declared == ["en", "es"]
        if self.lang not in declared:
            raise RulesetError(
                _(
                    "{where}: these rules are written in {declared} only, not {language}; use --lang en, or "
                    'translate them (rulesets/README.md, "Language").'
                ).format(
                    where=where,
                    declared=", ".join(declared),
                    language=_(bilingual.LANGUAGE_NAMES[self.lang])
                    if self.lang in bilingual.LANGUAGE_NAMES
                    else self.lang,
                )
            )

    # -- ruleset.yaml -------------------------------------------------------------------
    def load(self) -> Ruleset:
        manifest_path = self.root / "ruleset.yaml"
        if not manifest_path.is_file():
            raise RulesetError(
                _("{manifest_path}: no ruleset.yaml in {root}; point --rules at a rules directory.").format(
                    manifest_path=manifest_path, root=self.root
                )
            )
        where = self.rel(manifest_path)
        self._languages(read_yaml(manifest_path, where), where)
        manifest = check_keys(
            self.read(manifest_path),
            where,
            ("id", "title", "version", "disclaimer", "institution_types", "components", "component_rules"),
            (
                "overall_rules",
                "clauses_dir",
                "core",
                "level_caps",
                "capping_flags",
                "component_provisional",
                "languages",
            ),
        )
        self.types = self._titled(manifest["institution_types"], f"{where}: institution_types", aliases=True)
        self.components = self._titled(manifest["components"], f"{where}: components")
        component_rules = rollup.rollup_rules(manifest["component_rules"], f"{where}: component_rules", False)
        overall_rules = rollup.rollup_rules(manifest.get("overall_rules") or [], f"{where}: overall_rules", True)
        level_caps = rollup.level_caps(manifest.get("level_caps"), f"{where}: level_caps")
        provisional = rollup.provisional(manifest.get("component_provisional"), f"{where}: component_provisional")
        self.questions = translated_spellings(load_questions(self), self.other_texts)
        for data in self.other_texts.get("ruleset.yaml", []):  # type titles in the other languages, for surveys
            for tid, meta in (data.get("institution_types") or {}).items():
                if tid in self.types and isinstance(meta, dict) and meta.get("title"):
                    self.types[tid].setdefault("translated_titles", []).append(str(meta["title"]).strip())
        self.citation_policy = load_citation_policy(self)
        self.citations = load_citations(self, self.citation_policy)
        if manifest.get("clauses_dir"):
            clauses_dir = self.root / text_field(manifest, "clauses_dir", where)
        elif self.root == DEFAULT_RULES_DIR:
            clauses_dir = data_dir("sample_policies") / "clauses"
        else:
            clauses_dir = self.root / "../../sample_policies/clauses"
        self.clauses_dir = clauses_dir.resolve()  # named in the message when a rules copy lacks its clauses
        self.clauses = load_clauses(self, self.clauses_dir)
        self.controls = load_controls(self)
        self.flags = self._load_flags()
        self.state_laws: dict[str, StateLaw] = {}
        states, unresearched_states = load_states(self)
        self._check_all_used()
        core = rollup.core_rules(self, manifest.get("core"), f"{where}: core")
        flag_ids = {f.id for f in self.flags.values()}
        capping = rollup.capping_flags(manifest.get("capping_flags"), f"{where}: capping_flags", flag_ids)
        return Ruleset(
            id=str(manifest["id"]),
            title=text_field(manifest, "title", where),
            version=str(manifest["version"]),
            content_hash=self.digest.hexdigest(),
            disclaimer=text_field(manifest, "disclaimer", where),
            institution_types=self.types,
            components=self.components,
            questions=self.questions,
            citations=self.citations,
            clauses=self.clauses,
            controls=self.controls,
            flags=self.flags,
            component_rules=component_rules,
            overall_rules=overall_rules,
            states=states,
            unresearched_states=unresearched_states,
            state_laws=self.state_laws,
            core=core,
            level_caps=level_caps,
            capping_flags=capping,
            provisional=provisional,
            root=str(self.root),
            citation_policy=self.citation_policy,
            lang=self.lang,
            languages=("en", "es") if self.bilingual else ("en",),
        )

    def _titled(self, data: Any, where: str, aliases: bool = False) -> dict[str, dict[str, Any]]:
        if not isinstance(data, dict) or not data:
            raise RulesetError(_("{where}: expected a mapping of id -> {{title, description}}.").format(where=where))
        out: dict[str, dict[str, Any]] = {}
        for key, value in data.items():
            check_keys(value, f"{where}.{key}", ("title",), ("description", "aliases") if aliases else ("description",))
            out[str(key)] = {
                "title": text_field(value, "title", where),
                "description": text_field(value, "description", where),
            }
            if aliases:
                # Other spellings people type in surveys ("School district"); matched case-insensitively.
                names = value.get("aliases") or []
                if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
                    raise RulesetError(
                        _("{where}.{key}.aliases: expected a list of names.").format(where=where, key=key)
                    )
                out[str(key)]["aliases"] = [n.strip() for n in names]
        return out

    # -- what controls, flags, roll-ups and states share (engine.rules.controls reads the controls) -------
    def _types(self, value: Any, where: str) -> tuple[str, ...]:
        types = str_list(value, where)
        if not types:  # a control that applies to no kind of institution would never be decided
            raise RulesetError(_("{where}: name at least one institution type (or 'all').").format(where=where))
        if types == ("all",):
            return tuple(self.types)
        return resolve(types, self.types, "institution type", where)

    def _institution_filter(self, data: Any, where: str, allow_types: bool) -> InstitutionFilter:
        if data is None:
            return InstitutionFilter()
        check_keys(data, where, (), ("public", "state", "type") if allow_types else ("public", "state"))
        public = data.get("public")
        if public is not None and not isinstance(public, bool):
            raise RulesetError(_("{where}.public: write true or false.").format(where=where))
        states = str_list(data.get("state", []), f"{where}.state")
        for code in states:
            if code not in US_STATES:
                raise RulesetError(
                    _("{where}.state: {code} is not a two-letter state code.{suggestion}").format(
                        where=where, code=repr(code), suggestion=did_you_mean(code, US_STATES)
                    )
                )
        types = self._types(data["type"], f"{where}.type") if "type" in data else ()
        return InstitutionFilter(types=types, public=public, states=states)

    def _answers_condition(self, data: Any, where: str) -> conditions.Condition:
        check = functools.partial(question_check, self.questions)
        cond = conditions.parse(data, where, "question", self.questions, check, institution_check)
        return conditions.check_limits(cond, where)

    # -- flags and states ---------------------------------------------------------------------------------
    def _flag(self, spec: dict, where: str, rule: str | None = None) -> FlagRule:
        check_keys(
            spec,
            where,
            ("id", "kind", "title", "explanation", "when"),
            ("citations", "concerns", "effective"),
        )
        fid = spec["id"]
        if not isinstance(fid, str) or not FLAG_ID_PATTERN.match(fid):
            raise RulesetError(
                _("{where}: id: {fid} is not a flag id like RISK-OBSTRUCTION or INFO-...").format(
                    where=where, fid=repr(fid)
                )
            )
        if spec["kind"] not in ("risk", "info"):
            raise RulesetError(
                _("{where}: kind: {value} is not one of risk, info.").format(where=where, value=repr(spec["kind"]))
            )
        when = check_keys(spec["when"], f"{where}: when", (), ("answers", "finding", "institution"))
        if not when.get("answers") and not when.get("finding"):
            raise RulesetError(
                _("{where}: when: a flag needs 'answers' or 'finding' (institution alone is not enough).").format(
                    where=where
                )
            )
        finding_controls: tuple[str, ...] = ()
        finding_outcomes: tuple[str, ...] = ()
        if when.get("finding"):
            fw = f"{where}: when.finding"
            finding = check_keys(when["finding"], fw, ("control",), ("outcome",))
            finding_controls = known_ids(finding["control"], self.controls, "control", f"{fw}.control")
            outcomes = [o.value for o in Outcome]
            finding_outcomes = str_list(finding.get("outcome", ["pass", "partial", "fail"]), f"{fw}.outcome")
            for outcome in finding_outcomes:
                if outcome not in outcomes:
                    raise RulesetError(
                        _("{fw}.outcome: {outcome} is not an outcome.{hint}").format(
                            fw=fw, outcome=repr(outcome), hint=did_you_mean(outcome, outcomes)
                        )
                    )
        concerns = known_ids(spec.get("concerns", []), self.controls, "control", f"{where}: concerns")
        return FlagRule(
            id=fid,
            kind=spec["kind"],
            title=text_field(spec, "title", where),
            explanation=text_field(spec, "explanation", where),
            citations=known_ids(spec.get("citations", []), self.citations, "citation", f"{where}: citations"),
            answers=self._answers_condition(when["answers"], f"{where}: when.answers") if when.get("answers") else None,
            finding_controls=finding_controls,
            finding_outcomes=finding_outcomes,
            institution=self._institution_filter(when.get("institution"), f"{where}: when.institution", True),
            effective=effective(spec.get("effective"), f"{where}: effective"),
            concerns=concerns or finding_controls,
            source=rule or where,
        )

    def _load_flags(self) -> dict[str, FlagRule]:
        flags: dict[str, FlagRule] = {}
        for path in sorted((self.root / "flags").glob("*.yaml")):
            where = self.rel(path)
            data = self.read(path) or []
            if not isinstance(data, list):
                raise RulesetError(_("{where}: expected a list of flag rules.").format(where=where))
            for i, spec in enumerate(data):
                flag = self._flag(spec, f"{where}[{i}]")
                if flag.id in flags:
                    raise RulesetError(
                        _("{where}[{i}]: flag {id} is already defined in {value}.").format(
                            where=where, i=i, id=flag.id, value=flags[flag.id].source
                        )
                    )
                flags[flag.id] = flag
        return flags

    def _check_all_used(self) -> None:
        used = {q for c in self.controls.values() for q in c.questions}
        used |= {q for f in self.flags.values() if f.answers for q in f.answers.references()}
        for qid, question in self.questions.items():
            if qid not in used:
                raise RulesetError(
                    _("{source}: {question}: no control or flag reads this question; use it or remove it.").format(
                        source=question.source, question=qid
                    )
                )


_CACHE: dict[tuple[str, str, str], Ruleset] = {}


def load_ruleset(path: str | Path | None = None, lang: str = DEFAULT_LANG) -> Ruleset:
    """Load and check a rules directory (default: the bundled sanctuary rules).

    Args:
        path: a directory holding ruleset.yaml; the bundled ``rulesets/sanctuary`` when None.
        lang: the language of the texts ("en" or "es"). A bilingual ruleset is checked in both languages
            whichever is asked for; the conditions (and so the compiled rules) are the same in both.

    Returns:
        The checked ruleset. Loading the same unchanged directory again returns the cached object.

    Raises:
        RulesetError: the first problem found, naming the file and key.
    """
    root = Path(path).resolve() if path else DEFAULT_RULES_DIR
    if not root.is_dir():
        raise RulesetError(
            _("{root}: not a directory; point --rules at a folder holding ruleset.yaml.").format(root=root)
        )
    lang = bilingual.check_lang(lang)
    ruleset = _Loader(root, lang).load()
    key = (str(root), ruleset.content_hash, lang)
    return _CACHE.setdefault(key, ruleset)
