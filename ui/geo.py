"""US map data for the Coalition page: the shipped us-atlas TopoJSON and FIPS codes (no Streamlit here).

The shapes are read from ``ui/geo/`` (package data) and embedded in each chart, so a map makes no request.
A survey's county cell may be a five-digit FIPS code, a three-digit county code with the state, or a county
name as people write it ("Cook", "Cook County", "St. Louis city"); names are matched within the state.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

GEO_DIR = Path(__file__).resolve().parent / "geo"
_SUFFIXES = re.compile(
    r"\b(county|parish|borough|census area|city and borough|municipality|municipio|planning region)$"
)


@functools.cache
def topology(kind: str) -> dict[str, Any]:
    """The TopoJSON topology: ``"states"`` (states only) or ``"counties"`` (counties, states and nation)."""
    with open(GEO_DIR / f"{kind}-10m.json", encoding="utf-8") as handle:
        return json.load(handle)


@functools.cache
def state_fips(code: str) -> str | None:
    """The two-digit FIPS code of a state, DC or territory given by its two-letter code."""
    import us

    found = us.states.lookup(code) if code else None
    return found.fips if found is not None and found.fips else None


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"^st\.?\s", "saint ", re.sub(r"[.'\u2019]", "", text))
    text = " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())
    return _SUFFIXES.sub("", text).strip()


@functools.cache
def _county_index() -> dict[tuple[str, str], str]:
    index: dict[tuple[str, str], str] = {}
    for shape in topology("counties")["objects"]["counties"]["geometries"]:
        fips, name = str(shape["id"]), shape.get("properties", {}).get("name", "")
        index.setdefault((fips[:2], _fold(name)), fips)
        index[(fips[:2], fips[2:])] = fips
    return index


def county_fips(state: str, county: str) -> str | None:
    """The five-digit FIPS code of a county cell in ``state``, or None when it names no known county."""
    text = (county or "").strip()
    if re.fullmatch(r"\d{5}", text):
        return text if (text[:2], text[2:]) in _county_index() else None
    prefix = state_fips(state)
    if not prefix:
        return None
    key = text.zfill(3) if re.fullmatch(r"\d{1,3}", text) else _fold(text)
    return _county_index().get((prefix, key))


def place_frame_rows(shares: list[dict[str, Any]], by: str) -> tuple[list[dict[str, Any]], int]:
    """Rows for the map (one per state or county with its FIPS ``id``) and how many institutions had no place
    the map knows (no state, or a county name it could not match)."""
    import us

    rows: dict[str, dict[str, Any]] = {}
    unplaced = 0
    for entry in shares:
        state = entry.get("state") or ""
        fips = county_fips(state, entry.get("county") or "") if by == "county" else state_fips(state)
        if not fips:
            unplaced += entry["institutions"]
            continue
        row = rows.get(fips)
        if row is None:
            found = us.states.lookup(state)
            place = found.name if found else state
            if by == "county":
                place = f"{_county_name(fips)}, {state}"
            row = rows[fips] = {"id": fips, "Place": place, "Institutions": 0}
            for level in ("strong", "developing", "weak", "incomplete"):
                row[level] = 0
        row["Institutions"] += entry["institutions"]
        for level in ("strong", "developing", "weak", "incomplete"):
            row[level] += entry.get(level, 0)
    for row in rows.values():
        for level in ("strong", "developing", "weak", "incomplete"):
            row[f"share_{level}"] = row[level] / row["Institutions"] if row["Institutions"] else 0.0
    return sorted(rows.values(), key=lambda r: r["Place"]), unplaced


@functools.cache
def _county_names() -> dict[str, str]:
    return {
        str(s["id"]): s.get("properties", {}).get("name", str(s["id"]))
        for s in topology("counties")["objects"]["counties"]["geometries"]
    }


def _county_name(fips: str) -> str:
    return _county_names().get(fips, fips)
