"""Re-extract the code's strings, update the Spanish catalogue and compile it (run after changing any string).

    python scripts/i18n_catalogue.py            # extract -> engine/locale/sanctuary.pot, update es .po, compile .mo
    python scripts/i18n_catalogue.py --check    # exit 1 if any of the three files would change

New strings arrive in the .po with an empty msgstr (or marked fuzzy when Babel guesses from a similar one);
translate them there (glossary: rulesets/sanctuary/glossary.yaml) and run this again to compile.
Dates and source locations are left out of the files on purpose, so two branches that add strings do not
conflict on headers and line numbers.
"""

from __future__ import annotations

import argparse
import ast
import io
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "engine" / "locale"
DOMAIN = "sanctuary"
TRANSLATED = ("es",)
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
METHOD_MAP = [("engine/**.py", "python"), ("ui/**.py", "python")]
FIXED_DATE = datetime(2026, 12, 8, tzinfo=UTC)  # headers carry no run date (see the docstring)


def _calls_inside_fstrings(path: Path) -> list[tuple[str | tuple[str, str], str | None]]:
    """Marked strings inside f-strings' expressions, which Babel's extractor does not see on Python 3.11
    (an f-string is one token there): (message or (singular, plural), context)."""
    found: list[tuple[str | tuple[str, str], str | None]] = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for fstring in (n for n in ast.walk(tree) if isinstance(n, ast.JoinedStr)):
        for call in (n for n in ast.walk(fstring) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)):
            args = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in call.args]
            if call.func.id in ("_", "N_") and args and args[0] is not None:
                found.append((args[0], None))
            elif call.func.id == "ngettext" and len(args) >= 2 and None not in args[:2]:
                found.append(((args[0], args[1]), None))  # type: ignore[arg-type]
            elif call.func.id == "pgettext" and len(args) >= 2 and None not in args[:2]:
                found.append((args[1], args[0]))  # type: ignore[arg-type]
    return found


def extract() -> Catalog:
    template = Catalog(
        project="Sanctuary Policy Evaluator",
        domain=DOMAIN,
        creation_date=FIXED_DATE,
        revision_date=FIXED_DATE,
        fuzzy=False,
    )
    for filename, _lineno, message, comments, context in extract_from_dir(
        ROOT, method_map=METHOD_MAP, keywords=KEYWORDS, comment_tags=("Translators:",), strip_comment_tags=True
    ):
        if filename.startswith(("tests", "scripts", "bench", ".venv")):
            continue
        template.add(message, None, [], auto_comments=comments, context=context)
    for folder in ("engine", "ui"):  # the folders of METHOD_MAP
        for path in sorted((ROOT / folder).rglob("*.py")):
            for message, context in _calls_inside_fstrings(path):
                key = message if isinstance(message, str) else message[0]
                if template.get(key, context=context) is None:
                    template.add(message, None, [], context=context)
    return template


def po_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=120, sort_output=True, no_location=True, ignore_obsolete=True, include_previous=False)
    return out.getvalue()


def mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def pot_path() -> Path:
    return LOCALE_DIR / f"{DOMAIN}.pot"


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalogue(lang: str) -> Catalog:
    path = po_path(lang)
    if path.exists():
        with path.open("rb") as handle:
            return read_po(handle, locale=lang, domain=DOMAIN)
    return Catalog(
        locale=lang,
        domain=DOMAIN,
        project="Sanctuary Policy Evaluator",
        creation_date=FIXED_DATE,
        revision_date=FIXED_DATE,
        fuzzy=False,
    )


def planned_files() -> dict[Path, bytes]:
    """Every catalogue file as this run would write it."""
    template = extract()
    files = {pot_path(): po_bytes(template)}
    for lang in TRANSLATED:
        catalog = read_catalogue(lang)
        catalog.update(template, no_fuzzy_matching=False, update_header_comment=False, update_creation_date=False)
        catalog.creation_date = FIXED_DATE
        catalog.fuzzy = False
        files[po_path(lang)] = po_bytes(catalog)
        # Compile from what the .po will say, so the .mo always matches the reviewed text.
        files[po_path(lang).with_suffix(".mo")] = mo_bytes(read_po(io.BytesIO(files[po_path(lang)]), locale=lang))
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report files that are out of date")
    args = parser.parse_args(argv)
    stale = []
    for path, data in planned_files().items():
        if path.exists() and path.read_bytes() == data:
            continue
        stale.append(path.relative_to(ROOT))
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    for path in stale:
        print(("out of date: " if args.check else "wrote ") + str(path))
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
