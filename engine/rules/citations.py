"""The citation register (``citations/*.yaml``) and its policy (``citation_policy.yaml``).

A lawyer reading a report must be able to trust where each rule comes from, so the register is checked
as strictly as the rules: every citation names its publisher and the kind of publisher, the jurisdiction
whose law or practice it describes, its quality, and how it was checked. An address that belongs to a
banned class of site (imageboards, AI-written pages, bare IP addresses, partisan copies, advocacy of the
opposite side) stops the load, so it can never reach a report.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from engine.errors import RulesetError, did_you_mean
from engine.i18n import _
from engine.rules.parsing import US_STATES, check_keys, date, str_list, text_field
from engine.rules.references import CHECKED_KINDS, CITATION_ROLES, BannedSource, Citation, CitationPolicy

if TYPE_CHECKING:  # type hints only: the helpers never import the loader
    from engine.rules.source import RulesSource

CITATION_QUALITIES = ("primary", "secondary", "mirror", "unverified")
POLICY_FILE = "citation_policy.yaml"
REQUIRED = ("title", "url", "publisher", "publisher_kind", "jurisdiction", "quality", "checked", "checked_on")
OPTIONAL = ("published", "note", "role")


def jurisdiction_error(value: Any) -> str | None:
    """Why ``value`` is not a jurisdiction (``US``, a state code or ``local:<state>``), or None."""
    text = str(value)
    state = text.removeprefix("local:")
    if text == "US" or state in US_STATES:
        return None
    return _(
        "{value!r} is not a jurisdiction; write US (federal), a two-letter state code, or local:<state> "
        "for a city or county.{suggestion}"
    ).format(value=text, suggestion=did_you_mean(state, US_STATES))


def load_citation_policy(loader: RulesSource) -> CitationPolicy:
    """Read ``citation_policy.yaml`` (optional: without it nothing is banned and any publisher kind goes)."""
    path = loader.root / POLICY_FILE
    if not path.is_file():
        return CitationPolicy()
    where = loader.rel(path)
    data = check_keys(
        loader.read(path),
        where,
        ("banned_sources", "publisher_kinds", "established_secondary", "primary_publishers"),
        ("stale_after_days",),
    )
    kinds = data["publisher_kinds"]
    if not isinstance(kinds, dict) or not kinds:
        raise RulesetError(
            _("{where}: publisher_kinds: expected a mapping of kind -> description.").format(where=where)
        )
    banned = []
    if not isinstance(data["banned_sources"], list):
        raise RulesetError(
            _("{where}: banned_sources: expected a list of {{class, host and/or path, reason}}.").format(where=where)
        )
    for i, spec in enumerate(data["banned_sources"]):
        w = f"{where}: banned_sources[{i}]"
        check_keys(spec, w, ("class", "reason"), ("host", "path"))
        if not spec.get("host") and not spec.get("path"):
            raise RulesetError(_("{where}: give a host pattern, a path pattern or both.").format(where=w))
        banned.append(
            BannedSource(
                cls=str(spec["class"]),
                reason=" ".join(text_field(spec, "reason", w).split()),
                host=_pattern(spec.get("host"), f"{w}.host"),
                path=_pattern(spec.get("path"), f"{w}.path"),
            )
        )
    lists = {}
    for key in ("established_secondary", "primary_publishers"):
        lists[key] = str_list(data[key], f"{where}: {key}")
        for kind in lists[key]:
            if kind not in kinds:
                raise RulesetError(
                    _("{where}: {key}: {kind!r} is not a publisher kind.{suggestion}").format(
                        where=where, key=key, kind=kind, suggestion=did_you_mean(kind, kinds)
                    )
                )
    stale = data.get("stale_after_days", 365)
    if isinstance(stale, bool) or not isinstance(stale, int) or stale < 1:
        raise RulesetError(
            _("{where}: stale_after_days: expected a whole number of days, got {stale!r}.").format(
                where=where, stale=stale
            )
        )
    return CitationPolicy(
        banned=tuple(banned),
        publisher_kinds={str(k): str(v) for k, v in kinds.items()},
        established_secondary=lists["established_secondary"],
        primary_publishers=lists["primary_publishers"],
        stale_after_days=stale,
    )


def _pattern(value: Any, where: str) -> re.Pattern[str] | None:
    if value is None:
        return None
    try:
        return re.compile(str(value))
    except re.error as exc:
        raise RulesetError(
            _("{where}: {value!r} is not a regular expression ({error}).").format(where=where, value=value, error=exc)
        ) from exc


def load_citations(loader: RulesSource, policy: CitationPolicy) -> dict[str, Citation]:
    """Every citation of ``citations/*.yaml``, checked against the policy."""
    citations: dict[str, Citation] = {}
    for where, cid, spec in loader.entries("citations", "citation id -> citation"):
        w = f"{where}: {cid}"
        if cid in citations:
            raise RulesetError(
                _("{where}: citation id already defined in another citations file; reuse it.").format(where=w)
            )
        if isinstance(spec, dict) and "last_verified" in spec:
            # The old key read as a live check it was not; say how to write it now.
            raise RulesetError(
                _(
                    "{where}: last_verified is not a register key any more; write 'checked: "
                    "live' and 'checked_on: YYYY-MM-DD' after a live check, or 'checked: "
                    "knowledge_base' and the knowledge base's date."
                ).format(where=w)
            )
        check_keys(spec, w, REQUIRED, OPTIONAL)
        url = text_field(spec, "url", w)
        if not url.startswith(("http://", "https://")):
            raise RulesetError(_("{where}.url: {url!r} is not an http(s) address.").format(where=w, url=url))
        banned = policy.banned_by(url)
        if banned:
            raise RulesetError(
                _(
                    "{where}.url: {url} is a banned source ({cls}): {reason} Cite the "
                    "statute, the ruling or a named publisher instead "
                    "(citation_policy.yaml)."
                ).format(where=w, url=url, cls=banned.cls, reason=banned.reason)
            )
        quality = _choice(spec["quality"], CITATION_QUALITIES, f"{w}.quality")
        checked = _choice(spec["checked"], CHECKED_KINDS, f"{w}.checked")
        kind = str(spec["publisher_kind"])
        if policy.publisher_kinds and kind not in policy.publisher_kinds:
            raise RulesetError(
                _("{where}.publisher_kind: {kind!r} is not a publisher kind of {policy_file}.{suggestion}").format(
                    where=w, kind=kind, policy_file=POLICY_FILE, suggestion=did_you_mean(kind, policy.publisher_kinds)
                )
            )
        if quality == "primary" and policy.primary_publishers and kind not in policy.primary_publishers:
            raise RulesetError(
                _(
                    "{where}.quality: a primary source comes from one of "
                    "{primary_publishers}; a {kind} page is secondary (or a mirror of a "
                    "primary text)."
                ).format(where=w, primary_publishers=", ".join(policy.primary_publishers), kind=kind)
            )
        problem = jurisdiction_error(spec["jurisdiction"])
        if problem:
            raise RulesetError(_("{where}.jurisdiction: {problem}").format(where=w, problem=problem))
        note = text_field(spec, "note", w)
        if quality == "mirror" and not note:
            raise RulesetError(
                _("{where}.note: a mirror needs a note saying why no better copy is cited.").format(where=w)
            )
        role = _choice(spec.get("role", "supports"), CITATION_ROLES, f"{w}.role")
        checked_on = date(spec["checked_on"], f"{w}.checked_on")
        published = date(spec.get("published"), f"{w}.published")
        citations[str(cid)] = Citation(
            id=str(cid),
            title=text_field(spec, "title", w),
            url=url,
            publisher=text_field(spec, "publisher", w),
            jurisdiction=str(spec["jurisdiction"]),
            checked=checked,
            checked_on=checked_on.isoformat() if checked_on else "",
            quality=quality,
            publisher_kind=kind,
            published=published.isoformat() if published else None,
            note=note,
            role=role,
        )
    return citations


def supporting(ids: tuple[str, ...], citations: dict[str, Citation], where: str) -> tuple[str, ...]:
    """``ids`` unchanged, or a rules error when one of them is contrary law: a control or a clause cites only
    sources that support it; a law that forbids the practice belongs to the state-law table and its flags."""
    for cid in ids:
        if citations[cid].role == "contrary_law":
            raise RulesetError(
                _(
                    "{where}: {cid} is contrary law (role: contrary_law), not a source for "
                    "this practice; cite it from the state's entry in states.yaml instead, "
                    "where it explains the conflict."
                ).format(where=where, cid=cid)
            )
    return ids


def _choice(value: Any, allowed: tuple[str, ...], where: str) -> str:
    if value not in allowed:
        raise RulesetError(
            _("{where}: {value!r} is not one of {allowed}.{suggestion}").format(
                where=where, value=value, allowed=", ".join(allowed), suggestion=did_you_mean(str(value), allowed)
            )
        )
    return str(value)
