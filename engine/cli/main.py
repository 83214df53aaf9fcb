"""The ``sanctuary`` command (see SPEC.md, "Command line").

Exit codes: 0 success; 2 invalid input or usage, with one line naming the file, line or key and
what to do; 1 an internal error; 130 stopped by Ctrl+C (SIGINT), 129 by SIGHUP, 143 by SIGTERM, each with
one line and no partial output left. Bad input never produces a traceback.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from engine.cli.interrupt import signals_interrupt
from engine.cli.lang import add_lang_option, argv_language, chosen_lang, translate_argparse
from engine.csv_safe import safe_csv_text
from engine.errors import EvaluationError, InputError, RulesetError, SanctuaryError
from engine.evaluator.evaluate import evaluate, parse_as_of
from engine.i18n import _, language, ngettext, pgettext
from engine.outputs import refuse_clashes, write_atomic
from engine.report.formats import FORMATS, output_format, render_output
from engine.rules.loader import load_ruleset
from engine.rules.model import Ruleset
from engine.run.answers import load_submission
from engine.safe_text import for_terminal


class _Parser(argparse.ArgumentParser):
    """argparse that exits with code 2 and one line, the SPEC way, and titles its help in the run's language."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["add_help"] = False  # added below, so its help line is translated
        super().__init__(*args, **kwargs)
        self._positionals.title = _("positional arguments")
        self._optionals.title = _("options")
        self.add_argument("-h", "--help", action="help", help=_("show this help message and exit"))

    def error(self, message: str) -> NoReturn:
        self.exit(2, _("{prog}: error: {message} (see '{prog} --help')").format(prog=self.prog, message=message) + "\n")


def _write(text: str | bytes, output: str | None) -> None:
    if output:
        # All at once or not at all (engine.outputs); CSV text carries its own CRLF record ends, kept as they are.
        write_atomic(output, text)
    elif isinstance(text, bytes):
        if sys.stdout.isatty():
            raise InputError(_("a PDF is not for a terminal; write it to a file with -o report.pdf."))
        sys.stdout.buffer.write(text)
    else:
        sys.stdout.write(text)


def _types_arg(ruleset: Ruleset, value: str | None) -> list[str] | None:
    if value is None:
        return None
    from engine.run.institution import parse_types

    return list(parse_types(ruleset, value, "--type"))


def cmd_questions(args: argparse.Namespace, ruleset: Ruleset) -> int:
    from engine.rules.branching import ask_when_text

    types = _types_arg(ruleset, args.type)
    rows: list[dict[str, Any]] = []
    for q in ruleset.questions_for(types):
        rows.append(
            {
                "id": q.id,
                "text": q.text,
                "type": q.type,
                "choices": list(q.choices) if q.type == "choice" else (["yes", "no"] if q.type == "boolean" else []),
                "choice_labels": q.choices,
                "help": q.help,
                "who_knows": q.who_knows,
                "aspect": q.aspect,
                "component": ruleset.question_component(q.id),
                "controls": list(ruleset.question_controls(q.id)),
                "institution_types": list(ruleset.question_types(q.id)),
                # A follow-up (ask_when): when it is asked, in words; "" for questions always asked.
                "asked": ask_when_text(ruleset, q),
            }
        )
    if args.format == "json":
        _write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n", args.output)
    elif args.format == "csv":
        table = [
            ["id", "text", "type", "allowed_values", "component", "controls", "institution_types", "help", "asked"]
        ]
        for r in rows:
            table.append(
                [
                    r["id"],
                    r["text"],
                    r["type"],
                    "|".join(r["choices"]),
                    r["component"],
                    "|".join(r["controls"]),
                    "|".join(r["institution_types"]),
                    r["help"],
                    r["asked"],
                ]
            )
        _write(safe_csv_text(table[0], table[1:]), args.output)
    else:
        lines = []
        for r in rows:
            allowed = {"boolean": _("yes | no"), "number": _("a number")}.get(r["type"], " | ".join(r["choices"]))
            # The type word is shown, not parsed: the CSV and JSON keep "boolean", "choice" and "number".
            kind = {
                "boolean": pgettext("question type", "boolean"),
                "choice": pgettext("question type", "choice"),
                "number": pgettext("question type", "number"),
            }.get(r["type"], r["type"])
            # A question used only by legal-risk flags has no component or control: say so, not "(None; )".
            where = f"{r['component']}; {', '.join(r['controls'])}" if r["component"] else _("used by legal-risk flags")
            lines.append(f"{r['id']}  [{kind}: {allowed}]  ({where})")
            lines.append(f"    {r['text']}")
            if r["asked"]:
                lines.append("    " + _("(asked {when})").format(when=r["asked"]))
        count = ngettext("{n} question", "{n} questions", len(rows)).format(n=len(rows))
        if types:
            count = _("{count} for {types}").format(count=count, types=", ".join(types))
        lines.append("\n" + count)
        _write("\n".join(lines) + "\n", args.output)
    return 0


def accepted_values_text(ruleset: Ruleset) -> str:
    """What the survey's institution_type, state and public columns accept, in words."""
    from engine.run.spellings import SPANISH_STATE_NAMES, states, type_spellings

    lines = [
        _("Accepted values (any capitalisation; accents optional)"),
        "",
        _("institution_type (several: separate with ,):"),
    ]
    for tid, names in type_spellings(ruleset).items():
        lines.append(f"  {tid}: " + "; ".join(names[1:] or names))
    lines += ["", _("state: the name or the two-letter code of a state, DC or territory:")]
    lines.append("  " + "; ".join(f"{name} ({code})" for code, name in states()))
    spanish = "; ".join(f"{name} ({code})" for name, code in SPANISH_STATE_NAMES.items())
    lines.append("  " + _("Spanish names too: {names}").format(names=spanish))
    lines += ["", _("public: yes or no (also public/private, sí/no, true/false)"), ""]
    return "\n".join(lines)


def cmd_template(args: argparse.Namespace, ruleset: Ruleset) -> int:
    from engine.survey.template import template_header

    if args.values:
        _write(accepted_values_text(ruleset), args.output)
        return 0
    types = _types_arg(ruleset, args.type) or list(ruleset.institution_types)
    if args.answers:
        from engine.survey.template import answers_template

        if not args.type:
            raise InputError(_("--answers needs --type: an answers file is for one institution (one or more types)."))
        _write(answers_template(ruleset, types), args.output)
        if args.output:
            print(
                _("{path}: blank answers file written (rules {version}).").format(
                    path=_say(args.output), version=ruleset.version
                )
            )
        return 0
    _write(safe_csv_text(template_header(ruleset, types, args.headers), []), args.output)
    if args.output:
        print(
            _("{path}: survey header written; 'sanctuary template --values' lists the accepted answers.").format(
                path=_say(args.output)
            )
        )
    return 0


def cmd_evaluate(args: argparse.Namespace, ruleset: Ruleset) -> int:
    refuse_clashes([(_("the answers file being read"), args.file)], [("-o", args.output)])
    submission = load_submission(ruleset, args.file)
    report = evaluate(ruleset, submission, as_of=parse_as_of(args.as_of))
    fmt = output_format(args.format, args.output)
    _write(render_output(report, fmt, detail=args.detail), args.output)
    return 0


def cmd_rules_check(args: argparse.Namespace, ruleset: Ruleset) -> int:
    from engine.checks.cases import run_cases

    results = run_cases(ruleset, parse_as_of(args.as_of))
    failed = [r for r in results if not r.ok]
    for r in failed:
        for problem in r.problems:
            print(_say(f"FAIL {r.case.file}: {r.case.name}: {problem}"))
    counts: dict[str, int] = {}
    for control in ruleset.controls.values():
        for t in control.applies_to:
            counts[t] = counts.get(t, 0) + 1
    print(
        _(
            "rules {id} {version}: {controls} controls, {questions} questions, {citations} citations, "
            "{clauses} clauses, {flags} flag rules, {states} states"
        ).format(
            id=ruleset.id,
            version=ruleset.version,
            controls=len(ruleset.controls),
            questions=len(ruleset.questions),
            citations=len(ruleset.citations),
            clauses=len(ruleset.clauses),
            flags=len(ruleset.flags),
            states=len(ruleset.states),
        )
    )
    per_type = ", ".join(f"{t} {counts.get(t, 0)}" for t in ruleset.institution_types)
    print(_("controls per institution type: {counts}").format(counts=per_type))
    print(_("{passed} passed, {failed} failed").format(passed=len(results) - len(failed), failed=len(failed)))
    glossary = _check_glossary(ruleset)
    return 1 if failed or glossary else 0


def _check_glossary(ruleset: Ruleset) -> list[str]:
    """Hold a bilingual ruleset's Spanish to its glossary.yaml (every problem printed); [] when all hold."""
    if "es" not in ruleset.languages:
        return []
    from engine.rules.glossary import GLOSSARY_FILE, glossary_problems

    root = Path(ruleset.root)
    english, spanish = (load_ruleset(root, lang=lang) for lang in ("en", "es"))
    problems = glossary_problems(root, english, spanish)
    for problem in problems:
        print(_say(f"GLOSSARY {problem}"))
    if (root / GLOSSARY_FILE).is_file():
        print(_("glossary: {count} problems in the Spanish texts").format(count=len(problems)))
    return problems


def _port(text: str) -> int:
    """A TCP port number (Streamlit failed with a traceback on 0 or anything above 65535)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("{text} is not a whole number").format(text=repr(text))) from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(_("{value} is not a port number from 1 to 65535").format(value=value))
    return value


def cmd_ui(args: argparse.Namespace, ruleset: Ruleset) -> int:
    import subprocess

    from engine.resources import data_dir

    app = data_dir("ui") / "app.py"  # with ui/.streamlit/config.toml beside it (package data)
    command = [
        sys.executable,
        "-m",
        "ui.serve",  # streamlit's own command line, with its network address lookups switched off
        "run",
        str(app),
        "--server.port",
        str(args.port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    print(
        _("Starting the Sanctuary Policy Evaluator at {url} (Ctrl+C to stop)").format(
            url=f"http://127.0.0.1:{args.port}"
        )
    )
    child = subprocess.Popen(command)

    # `kill` (SIGTERM) or a closed terminal (SIGHUP) on this process must stop the server too, or it
    # keeps the port: pass the signal on and wait for the child to exit.
    def forward(signum: int, _frame: Any) -> None:
        if child.poll() is None:
            child.send_signal(signum)

    previous = {s: signal.signal(s, forward) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        while True:
            try:
                code = child.wait()
                break
            except KeyboardInterrupt:  # Ctrl+C reaches the child too (same process group); wait for it
                continue
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    return 0 if code in (0, -signal.SIGTERM, -signal.SIGINT, -signal.SIGHUP) else code


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``sanctuary`` command."""
    parser = _Parser(
        prog="sanctuary",
        description=_("Evaluate sanctuary policies control by control. Legal information, not legal advice."),
    )
    parser.add_argument("--rules", help=_("rules directory (default: the bundled rulesets/sanctuary)"))
    # Also before the command (sanctuary --lang es batch ...); its own dest, so a command's --lang is not overwritten.
    parser.add_argument(
        "--lang",
        dest="top_lang",
        choices=("en", "es"),
        help=_("language of the output: en (English) or es (Spanish); also accepted after the command"),
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("questions", help=_("list the questionnaire for an institution type"))
    p.add_argument("--type", help=_("institution type(s), comma separated"))
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("-o", "--output")
    add_lang_option(p)
    p.set_defaults(func=cmd_questions)

    p = sub.add_parser("template", help=_("write a blank survey CSV for batch collection"))
    p.add_argument("--type", help=_("institution type(s), comma separated (default: all)"))
    p.add_argument("-o", "--output")
    # Forms tools title each column with the question; ids stay the default for scripts.
    p.add_argument(
        "--values",
        action="store_true",
        help=_("list the accepted values of institution_type (with their spellings), state and public instead"),
    )
    p.add_argument(
        "--answers",
        action="store_true",
        help=_("write a blank answers file (YAML, with rules_version) for --type instead of a survey header"),
    )
    p.add_argument(
        "--headers",
        choices=("id", "text"),
        default="id",
        help=_(
            "head columns by question id (default) or by question text, ready to import into "
            "Google Forms, Microsoft Forms or SurveyMonkey"
        ),
    )
    add_lang_option(p)
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("evaluate", help=_("evaluate one answers file (YAML or JSON)"))
    p.add_argument("file")
    p.add_argument(
        "--format",
        choices=FORMATS,
        help=_(
            "default: from the -o suffix (.json .md .html .pdf .txt), else text; 'brief' is the one-page brief "
            "(Markdown; HTML or PDF with -o brief.html / brief.pdf, or brief-html / brief-pdf)"
        ),
    )
    p.add_argument("--detail", action="store_true", help=_("text format: also show control ids, flag ids and rules"))
    p.add_argument("-o", "--output")
    p.add_argument("--as-of", help=_("apply the law as of this date (YYYY-MM-DD); default today"))
    add_lang_option(p)
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("rules", help=_("work with the rules"))
    rules_sub = p.add_subparsers(dest="rules_command", required=True, parser_class=_Parser)
    check = rules_sub.add_parser("check", help=_("validate the rules and run every rule case file"))
    check.add_argument("--as-of", help=_("default date for cases without one (YYYY-MM-DD)"))
    add_lang_option(check)
    check.set_defaults(func=cmd_rules_check)

    p = sub.add_parser("ui", help=_("start the web app on 127.0.0.1"))
    p.add_argument("--port", type=_port, default=8501, help=_("port on 127.0.0.1 (1-65535, default 8501)"))
    p.set_defaults(func=cmd_ui)

    from engine.cli import batch as batch_cli
    from engine.cli import draft, schema, sources, states, upgrade  # their own modules keep this file small
    from engine.cli import store as store_cli

    batch_cli.register(sub)
    draft.register(sub)
    schema.register(sub)
    sources.register(sub)
    states.register(sub)
    upgrade.register(sub)
    store_cli.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``sanctuary`` command; returns the exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    translate_argparse()
    # The language is set once, here, for the whole run: help, parse errors, messages and (in
    # run_batch) every worker process, which is handed it by its initialiser.
    with language(argv_language(arguments)):
        try:
            with signals_interrupt():
                # Building the parser imports the subcommands: a Ctrl+C that early also gets the one line.
                args = build_parser().parse_args(arguments)
                return _run(args)
        except KeyboardInterrupt as exc:  # Ctrl+C, or SIGTERM turned into Interrupted: one line, no traceback
            code = getattr(exc, "exit_code", 130)
            name = {143: "SIGTERM", 129: "SIGHUP"}.get(code, "Ctrl+C")
            print(_("sanctuary: stopped ({signal}); nothing partial was written.").format(signal=name), file=sys.stderr)
            return code


def _say(message: object) -> str:
    """A message made safe for a terminal: control characters (ANSI escapes, CR...) shown as escapes."""
    return for_terminal(message)


def _run(args: argparse.Namespace) -> int:
    try:
        lang = chosen_lang(args)
        ruleset = load_ruleset(args.rules, lang=lang)
        with language(lang):  # the code's own words in the rules' language, for the whole command
            return int(args.func(args, ruleset) or 0)
    except (InputError, RulesetError) as exc:
        print(_("sanctuary: error: {message}").format(message=_say(exc)), file=sys.stderr)
        return 2
    except EvaluationError as exc:
        print(_("sanctuary: internal error while evaluating: {message}").format(message=_say(exc)), file=sys.stderr)
        return 1
    except SanctuaryError as exc:  # pragma: no cover - every subclass is handled above
        print(_("sanctuary: error: {message}").format(message=_say(exc)), file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
