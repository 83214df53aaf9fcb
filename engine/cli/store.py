"""The coalition store's commands: ``waves``, ``compare``, ``consistency``, ``export``, and ``batch --store``.

``--store URL`` names the store (``sqlite:///coalition.db``, a plain file name, or
``postgresql+psycopg://USER@HOST/DB``); without it, ``$SANCTUARY_STORE``, else ``coalition.db`` in the user
data folder. Only ``batch --wave`` creates a store; the other commands refuse one that does not exist.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Iterator
from typing import Any

from engine.cli.lang import add_lang_option
from engine.csv_safe import safe_csv_text
from engine.errors import InputError
from engine.i18n import DEFAULT_LANGUAGE, N_, _, current_language, ngettext, pgettext
from engine.rules.model import Ruleset
from engine.vocabulary import LEVEL_WORDS

STORE_HELP = N_(
    "the store: sqlite:///FILE.db, a file name, or postgresql+psycopg://USER@HOST/DB "
    "(default: $SANCTUARY_STORE, else coalition.db in your user data folder)"
)


def _emit(text: str, output: str | None) -> None:
    from engine.cli.main import _write

    _write(text, output)


def _level(level: str) -> str:
    """A level id as the tables show it: the id itself in English, the level's word (engine.vocabulary) in
    another language."""
    if current_language() == DEFAULT_LANGUAGE or level not in LEVEL_WORDS:
        return level
    return LEVEL_WORDS[level].lower()


def _change(change: str) -> str:
    words = {
        "same": pgettext("level change", "same"),
        "improved": pgettext("level change", "improved"),
        "dropped": pgettext("level change", "dropped"),
        "changed": pgettext("level change", "changed"),
    }
    return words.get(change, change)


def _matched_by(matched_by: str) -> str:
    """How institutions were matched, in words (the JSON keeps the English sentence)."""
    if matched_by.startswith("id column "):
        return _("id column {column}").format(column=matched_by.removeprefix("id column "))
    return _("name, institution type and state")


def _where(entry: dict[str, Any]) -> str:
    return f"{entry['institution_type']}, {entry['state'] or _('no state')}"


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return "|".join(str(v) for v in value)
    return "" if value is None else str(value)


# -- batch --store ----------------------------------------------------------------------------------------------


def add_batch_arguments(parser: argparse.ArgumentParser) -> None:
    """The store options of ``sanctuary batch``."""
    parser.add_argument("--wave", help=_("also store the results in the coalition store as this wave (e.g. 2026)"))
    parser.add_argument("--store", help=_(STORE_HELP))
    parser.add_argument(
        "--id-column", help=_("with --wave: store this survey column as the institution id (to match waves by it)")
    )
    parser.add_argument(
        "--county-column", help=_("with --wave: the survey column naming the county (default: a column headed County)")
    )


@contextlib.contextmanager
def batch_recording(args: argparse.Namespace, ruleset: Ruleset, as_of: Any) -> Iterator[dict[str, Any] | None]:
    """For ``sanctuary batch``: None when nothing is to be stored, else ``run_batch``'s ``sink`` and
    ``keep_columns`` (and ``skip`` when the wave is stored already). Commits the wave on a clean exit."""
    import datetime as dt

    if not args.wave:
        if args.store or args.id_column or args.county_column:
            raise InputError(_("--store, --id-column and --county-column go with --wave NAME (the wave to store)."))
        yield None
        return
    from engine.store import AlreadyStored, WaveRecorder, county_header, open_store
    from engine.survey.reading import SurveyFile

    headers = SurveyFile(args.survey, ruleset).headers
    county = args.county_column or county_header(headers)
    keep = {"_county": county} if county else {}
    if args.id_column:
        keep["_institution_id"] = args.id_column
    store = open_store(args.store, create=True)
    try:
        recorder = WaveRecorder(
            store,
            ruleset,
            args.wave,
            source=args.survey,
            as_of=as_of or dt.date.today(),
            id_column=args.id_column,
            county_column=county,
        )
        try:
            recorder.check()
        except AlreadyStored as stored:
            print(
                _(
                    "sanctuary batch: {path} is already stored as wave {wave} in {store} "
                    "(same file, rules and date); nothing stored again."
                ).format(path=args.survey, wave=repr(stored.wave), store=store.label),
                file=sys.stderr,
            )
            yield {"skip": True, "sink": None, "keep_columns": None}
            return
        with recorder:
            yield {"skip": False, "sink": recorder, "keep_columns": keep}
        print(
            _("sanctuary batch: stored wave {wave}: {rows} rows in {store}").format(
                wave=repr(recorder.name), rows=recorder.counts["respondents"], store=store.label
            ),
            file=sys.stderr,
        )
    finally:
        store.close()


# -- waves ------------------------------------------------------------------------------------------------------


def cmd_waves(args: argparse.Namespace, ruleset: Ruleset) -> int:
    """List the stored waves, or delete one."""
    from engine.store import delete_wave, list_waves, open_store

    with open_store(args.store) as store:
        if args.delete:
            gone = delete_wave(store, args.delete)
            print(
                _("sanctuary waves: deleted wave {wave} ({rows} rows) from {store}").format(
                    wave=repr(args.delete), rows=gone, store=store.label
                ),
                file=sys.stderr,
            )
            return 0
        rows = [w.as_dict() for w in list_waves(store)]
    if args.format == "json":
        _emit(json.dumps(rows, indent=2, ensure_ascii=False) + "\n", args.output)
    elif args.format == "csv":
        columns = list(rows[0]) if rows else ["name"]
        _emit(safe_csv_text(columns, ([_cell(r[c]) for c in columns] for r in rows)), args.output)
    else:
        heads = (_("wave"), _("law as of"), _("rows"), _("errors"), _("rules / source"))
        lines = [f"{heads[0]:<20} {heads[1]:<10}  {heads[2]:>8} {heads[3]:>7}  {heads[4]}"]
        for r in rows:
            stored = _("{source} (sha256 {digest}, stored {stored_at})").format(
                source=r["source"], digest=r["source_sha256"][:12], stored_at=r["stored_at"]
            )
            lines.append(
                f"{r['name']:<20} {r['as_of']:<10}  {r['respondents']:>8} {r['errors']:>7}  {r['rules']} / {stored}"
            )
        waves = ngettext("{n} wave in {store}", "{n} waves in {store}", len(rows))
        lines.append("\n" + waves.format(n=len(rows), store=store.label))
        _emit("\n".join(lines) + "\n", args.output)
    return 0


# -- compare ----------------------------------------------------------------------------------------------------


def _compare_table(result: dict[str, Any]) -> str:
    s = result["summary"]
    a, b = result["wave_a"]["name"], result["wave_b"]["name"]
    lines = [
        _("Wave {a} -> {b}, institutions matched by {matched_by}:").format(
            a=a, b=b, matched_by=_matched_by(result["matched_by"])
        ),
        "  "
        + _(
            "{matched} in both: {dropped} dropped a level, {improved} improved, {same} the same, "
            "{changed} to or from incomplete"
        ).format(
            matched=s["matched"],
            dropped=s["dropped"],
            improved=s["improved"],
            same=s["same"],
            changed=s["changed_to_or_from_incomplete"],
        ),
        "  "
        + _("{only_a} only in {a}, {only_b} only in {b}").format(
            only_a=s["only_in_a"], a=a, only_b=s["only_in_b"], b=b
        ),
        "  "
        + _("rows with errors left out: {left_a} in {a}, {left_b} in {b}").format(
            left_a=s["error_rows_left_out"]["a"], a=a, left_b=s["error_rows_left_out"]["b"], b=b
        ),
    ]
    repeated = s["institutions_answering_more_than_once"]
    if repeated["a"] or repeated["b"]:
        lines.append(
            "  "
            + _(
                "institutions answering more than once (their last row counts): {in_a} in {a}, "
                "{in_b} in {b}; see 'sanctuary consistency'"
            ).format(in_a=repeated["a"], a=a, in_b=repeated["b"], b=b)
        )
    for entry in result["institutions"]:
        name, where = entry["institution_name"], _where(entry)
        if entry["status"] != "both":
            only = a if entry["status"] == "only_a" else b
            lines.append("\n" + _("{name} ({where}): only in {wave}").format(name=name, where=where, wave=only))
            continue
        lines.append(
            f"\n{name} ({where}): {_level(entry['level_a'])} -> {_level(entry['level_b'])} "
            f"({_change(entry['level_change'])})"
        )
        for label, key in (
            (N_("components"), "components_changed"),
            (N_("controls improved"), "controls_improved"),
            (N_("controls regressed"), "controls_regressed"),
            (N_("new flags"), "flags_new"),
            (N_("flags gone"), "flags_lost"),
        ):
            if entry[key]:
                lines.append(f"    {_(label)}: {', '.join(entry[key])}")
    return "\n".join(lines) + "\n"


def cmd_compare(args: argparse.Namespace, ruleset: Ruleset) -> int:
    """What changed between two waves, institution by institution."""
    from engine.store import COMPARE_COLUMNS, compare_waves, open_store

    with open_store(args.store) as store:
        result = compare_waves(store, args.wave_a, args.wave_b, id_column=args.id_column, include_unchanged=args.all)
    if args.format == "json":
        _emit(json.dumps(result, indent=2, ensure_ascii=False) + "\n", args.output)
    elif args.format == "csv":
        rows = ([_cell(e[c]) for c in COMPARE_COLUMNS] for e in result["institutions"])
        _emit(safe_csv_text(COMPARE_COLUMNS, rows), args.output)
    else:
        _emit(_compare_table(result), args.output)
    return 0


# -- consistency ------------------------------------------------------------------------------------------------


def cmd_consistency(args: argparse.Namespace, ruleset: Ruleset) -> int:
    """Respondents of one institution whose answers disagree, question by question."""
    from engine.store import CONSISTENCY_COLUMNS, disagreements, open_store

    with open_store(args.store) as store:
        result = disagreements(store, args.wave, id_column=args.id_column)

    def said(entry: dict[str, Any]) -> str:
        return "; ".join(
            _("respondent {respondent} (line {line}): {answer}").format(
                respondent=x["respondent_id"], line=x["line"], answer=x["answer"]
            )
            for x in entry["answers"]
        )

    if args.format == "json":
        _emit(json.dumps(result, indent=2, ensure_ascii=False) + "\n", args.output)
    elif args.format == "csv":
        columns = [*CONSISTENCY_COLUMNS[:5], "question_text", "answers"]
        rows = (
            [
                *(_cell(e[c]) for c in CONSISTENCY_COLUMNS[:5]),
                ruleset.questions[e["question"]].text if e["question"] in ruleset.questions else "",
                said(e),
            ]
            for e in result["disagreements"]
        )
        _emit(safe_csv_text(columns, rows), args.output)
    else:
        s = result["summary"]
        repeated = s["institutions_answering_more_than_once"]
        questions = ngettext("{n} question", "{n} questions", s["disagreements"]).format(n=s["disagreements"])
        lines = [
            ngettext(
                "Wave {wave}: {n} institution answered more than once (matched by {matched_by}); {disagree} of "
                "them disagree, on {questions} in all.",
                "Wave {wave}: {n} institutions answered more than once (matched by {matched_by}); {disagree} of "
                "them disagree, on {questions} in all.",
                repeated,
            ).format(
                wave=result["wave"]["name"],
                n=repeated,
                matched_by=_matched_by(result["matched_by"]),
                disagree=s["institutions_with_disagreements"],
                questions=questions,
            )
        ]
        current = None
        for e in result["disagreements"]:
            if e["match"] != current:
                current = e["match"]
                lines.append(f"\n{e['institution_name']} ({_where(e)}):")
            question = ruleset.questions.get(e["question"])
            lines.append(f"  {e['question']}" + (f" - {question.text}" if question else ""))
            lines.append(f"    {said(e)}")
        _emit("\n".join(lines) + "\n", args.output)
    return 0


# -- export -----------------------------------------------------------------------------------------------------


def cmd_export(args: argparse.Namespace, ruleset: Ruleset) -> int:
    """Write a stored wave as the results CSV of a batch run, or as Parquet."""
    from engine.store import export_wave, open_store

    with open_store(args.store) as store:
        written = export_wave(store, args.wave, args.output)
    print(
        _("sanctuary export: wave {wave}: {rows} rows -> {path}").format(
            wave=repr(args.wave), rows=written, path=args.output
        ),
        file=sys.stderr,
    )
    return 0


def register(sub: Any) -> None:
    """Add ``waves``, ``compare``, ``consistency`` and ``export`` to the sub-commands."""
    p = sub.add_parser("waves", help=_("list the waves in the coalition store (or delete one)"))
    p.add_argument("--store", help=_(STORE_HELP))
    p.add_argument("--delete", metavar="NAME", help=_("delete this wave and its rows"))
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("-o", "--output")
    add_lang_option(p)
    p.set_defaults(func=cmd_waves)

    p = sub.add_parser("compare", help=_("what changed between two stored waves, institution by institution"))
    p.add_argument("wave_a", metavar="WAVE_A", help=_("the earlier wave"))
    p.add_argument("wave_b", metavar="WAVE_B", help=_("the later wave"))
    p.add_argument("--store", help=_(STORE_HELP))
    p.add_argument("--id-column", help=_("match institutions by this id column (as stored by batch --id-column)"))
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("--all", action="store_true", help=_("list unchanged institutions too (they are always counted)"))
    p.add_argument("-o", "--output")
    add_lang_option(p)
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("consistency", help=_("respondents of one institution whose answers disagree, in a wave"))
    p.add_argument("--wave", required=True, help=_("the wave to check"))
    p.add_argument("--store", help=_(STORE_HELP))
    p.add_argument("--id-column", help=_("group respondents by this id column (as stored by batch --id-column)"))
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("-o", "--output")
    add_lang_option(p)
    p.set_defaults(func=cmd_consistency)

    p = sub.add_parser("export", help=_("write a stored wave as a results CSV or a Parquet file"))
    p.add_argument("--wave", required=True, help=_("the wave to export"))
    p.add_argument("--store", help=_(STORE_HELP))
    p.add_argument("-o", "--output", required=True, help=_("the file to write: .csv or .parquet"))
    add_lang_option(p)
    p.set_defaults(func=cmd_export)
