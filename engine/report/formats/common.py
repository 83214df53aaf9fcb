"""Helpers shared by the renderers."""

from __future__ import annotations

from typing import Any

OUTCOME_WORDS = {
    "pass": "Pass",
    "partial": "Partial",
    "fail": "Fail",
    "not_answered": "Not answered",
    "not_applicable": "Does not apply",
    "not_in_force": "Not in force",
}
# Symbols go with the words, never instead of them (colour and shape are not the only signal).
OUTCOME_SYMBOLS = {
    "pass": "✔",
    "partial": "◐",
    "fail": "✘",
    "not_answered": "?",
    "not_applicable": "–",
    "not_in_force": "…",
}
FLAG_KIND_WORDS = {"risk": "Legal risk", "info": "Note"}
LEVEL_WORDS = {"strong": "Strong", "developing": "Developing", "weak": "Weak", "incomplete": "Incomplete"}


def relevant_findings(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Findings worth showing: everything except controls that do not apply."""
    return [f for f in report["findings"] if f["outcome"] != "not_applicable"]


def findings_by_component(report: dict[str, Any]) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """(component, its relevant findings) in component order, skipping empty components."""
    findings = relevant_findings(report)
    out = []
    for component in report["components"]:
        rows = [f for f in findings if f["component"] == component["id"]]
        if rows:
            out.append((component, rows))
    return out


def because_line(item: dict[str, Any]) -> str:
    """One 'because' item in words."""
    if item["fact"].startswith("answers."):
        given = item["given"] if item["given"] is not None else "not answered"
        if item.get("role") == "partial":
            return f"{item['text']} — answered: {given} (this earns the partial credit)"
        mark = {True: "met", False: "not met", None: "unknown"}[item["met"]]
        need = "needed to apply" if item.get("role") == "applies_when" else "needed for a pass"
        return f"{item['text']} — answered: {given}; {need}: {item['needed']} ({mark})"
    return f"{item['fact']}: {item['given']} (needed {item['needed']})"


def institution_line(report: dict[str, Any]) -> str:
    """'Name (type, state, public)'."""
    inst = report["institution"]
    types = inst["type"] if isinstance(inst["type"], str) else ", ".join(inst["type"])
    public = {True: "public", False: "private", None: "public/private not given"}[inst["public"]]
    return f"{inst['name']} ({types}; {inst['state'] or 'state not given'}; {public})"


def source_notes(citation: dict[str, Any]) -> list[str]:
    """What a reader needs beside a source's title: its quality (unless primary), where it comes from
    (an example from another state, say) and how it was checked, all in words."""
    notes = []
    if citation.get("quality", "primary") != "primary":
        notes.append(f"{citation['quality']} source")
    if citation.get("label"):
        notes.append(citation["label"])
    notes.append(citation.get("checked_text") or f"last verified {citation.get('last_verified')}")
    return notes


def flag_sources_line(flag: dict[str, Any]) -> str:
    """A flag's sources in one line, federal law first, each with its label ('' when it cites nothing)."""
    cites = flag.get("citations") or []
    return "; ".join(c["title"] + (f" ({c['label']})" if c.get("label") else "") for c in cites)
