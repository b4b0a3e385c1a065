"""Parse arguments, call the package, print errors, choose the exit code. The only module that prints errors."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from .config import RENDERERS, Config
from .errors import CharterError, DataError, InvalidData, UsageError, printable, printable_lines

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
ANSWER = "answer:"
"""Prefix of the argparse destinations that hold `add`'s answers."""


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD") from None


def _site_url(text: str) -> str:
    from .config import site_url_problem

    problem = site_url_problem(text)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return text


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python build.py", description="Build the Shropshire Social Value Charter site.")
    commands = parser.add_subparsers(dest="command", metavar="{build,check,serve,add,withdraw,schema}")

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--signatories", type=Path, default=None, metavar="FILE",
                         help="the register file (default: signatories.yaml)")
        sub.add_argument("--build-date", type=_date, default=None, metavar="YYYY-MM-DD",
                         help="the date the site is built for (default: today)")
        sub.add_argument("--quiet", action="store_true", help="print only errors")
        sub.add_argument("--cache-dir", type=Path, default=None, metavar="DIR",
                         help="where rendered badges and generated pages are kept between builds (default: .cache/)")

    build = commands.add_parser("build", help="validate, then build the site into site/")
    common(build)
    build.add_argument("--output", type=Path, default=None, metavar="DIR", help="where to build (default: site/)")
    build.add_argument("--site-url", type=_site_url, default=None, metavar="URL",
                       help="the published address (default: from mkdocs.yml)")
    build.add_argument("--workers", type=int, default=0, help="badge render processes (default: one per core)")
    build.add_argument("--register-page-rows", type=int, default=None, metavar="N",
                       help="rows per register page before it is split into pages (default: 1000)")
    build.add_argument("--renderer", choices=tuple(RENDERERS), default="mkdocs",
                       help="what renders the pages: mkdocs (default) or zensical, Material's successor")
    check = commands.add_parser("check", help="validate only, build nothing")
    common(check)
    _contacts_option(check, "the private contacts file to check (default: contacts.yaml beside the register, if any)")
    for sub in (build, check):
        sub.add_argument("--format", choices=("text", "github"), default="text",
                         help="how to print problems: text (default) or GitHub Actions annotations")
    serve = commands.add_parser("serve", help="preview on http://127.0.0.1:8000, rebuilding on changes")
    common(serve)
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--output", type=Path, default=None, metavar="DIR",
                       help="where to build the preview (default: a temporary folder)")
    _edit_commands(commands)
    schema = commands.add_parser("schema", help="write schema/signatories.schema.json from the field definitions")
    schema.add_argument("--check", action="store_true", help="only check the file is up to date (exit 1 if not)")
    return parser


def _contacts_option(sub: argparse.ArgumentParser, text: str) -> None:
    sub.add_argument("--contacts", type=Path, default=None, metavar="FILE", help=text)


def _edit_common(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--signatories", type=Path, default=None, metavar="FILE",
                     help="the register file (default: signatories.yaml)")
    sub.add_argument("--build-date", type=_date, default=None, metavar="YYYY-MM-DD",
                     help="the date to check dates against (default: today)")
    sub.add_argument("--quiet", action="store_true", help="print only errors and the page address")
    sub.set_defaults(cache_dir=None)


def _edit_commands(commands: argparse._SubParsersAction) -> None:
    """`add` takes one option per question, named after the field, so scripts and people use the same names."""
    from .edit import questions

    add = commands.add_parser("add", help="add a signatory to the end of signatories.yaml, asking for each field")
    _edit_common(add)
    for question in questions():
        flag = "--" + question.key.replace(".", "-").replace("_", "-")
        if question.spec.kind == "bool":
            add.add_argument(flag, dest=ANSWER + question.key, action=argparse.BooleanOptionalAction, default=None,
                             help=question.help)
        else:
            add.add_argument(flag, dest=ANSWER + question.key, default=None, metavar="TEXT", help=question.help)
    add.add_argument("--yes", action="store_true", help="ask nothing: take every answer from the options")
    add.add_argument("--application", default=None, metavar="FILE",
                     help="take every answer from an application emailed from the sign-up form (- reads it from "
                          "standard input: paste the whole email); only --id and --signed may be given with it")
    _contacts_option(add, "with --application: append the contact person to this private file "
                          "(default: print them once, for your own records)")
    withdraw = commands.add_parser("withdraw", help="record that a signatory has left the charter")
    _edit_common(withdraw)
    withdraw.add_argument("id", help="the signatory's id")
    withdraw.add_argument("--date", type=_date, required=True, metavar="YYYY-MM-DD", help="the date it left")
    withdraw.add_argument("--reason", default=None, help="the public reason for leaving")


def _config(args: argparse.Namespace) -> Config:
    values: dict[str, object] = {"quiet": args.quiet}
    if args.signatories:
        values["signatories"] = args.signatories.resolve()
    if args.build_date:
        values["build_date"] = args.build_date
    if getattr(args, "output", None):
        values["output"] = args.output.resolve()
    if getattr(args, "site_url", None):
        values["site_url"] = args.site_url
    if args.cache_dir:
        values["cache_dir"] = args.cache_dir.resolve()
    if getattr(args, "register_page_rows", None):
        values["register_page_rows"] = max(1, args.register_page_rows)
    if getattr(args, "renderer", None):
        values["renderer"] = args.renderer
    if getattr(args, "workers", 0):
        values["workers"] = args.workers
    if getattr(args, "contacts", None):
        values["contacts"] = args.contacts.resolve()
    return Config(**values)  # type: ignore[arg-type]


def _answers(args: argparse.Namespace) -> dict[str, str]:
    """The answers given as options to `add`, as the text a person would have typed."""
    answers: dict[str, str] = {}
    for dest, value in vars(args).items():
        if dest.startswith(ANSWER) and value is not None:
            answers[dest[len(ANSWER):]] = ("true" if value else "false") if isinstance(value, bool) else value
    return answers


def _escape_data(text: str) -> str:
    """GitHub's escaping for a workflow command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """GitHub's escaping for a workflow command's property values (file=...)."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(problem: DataError) -> str:
    """One problem as a GitHub Actions annotation (error or warning) on the file, line and column."""
    level = "warning" if problem.severity == "warning" else "error"
    where = f"file={_escape_property(printable(problem.file))},line={problem.line},col={problem.column}"
    return f"::{level} {where}::{_escape_data(problem.text())}"


def report_github(error: CharterError) -> None:
    """Print annotations (stdout, where GitHub reads them) and the usual count (stderr)."""
    problems = error.errors if isinstance(error, InvalidData) else []
    for problem in problems:
        print(github_annotation(problem))
    if problems:
        _count(len(problems))
    else:
        print(f"::error::{_escape_data(printable_lines(str(error)))}")
        report_error(error)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


def _count(count: int) -> None:
    print(f"{_plural(count, 'problem')} found: nothing was built.", file=sys.stderr)


def report_error(error: CharterError) -> None:
    """Print every problem, one per line, and a count."""
    if isinstance(error, InvalidData):
        for problem in error.errors:
            print(problem, file=sys.stderr)
        _count(len(error.errors))
    else:
        print(f"error: {printable_lines(str(error))}", file=sys.stderr)


def report_warnings(warnings: list[DataError], github: bool) -> None:
    """Warnings do not stop the build: each is printed where its format is read, and the exit code stays 0."""
    for warning in warnings:
        if github:
            print(github_annotation(warning))
        else:
            print(warning, file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv.insert(0, "build")
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors and 0 for --help
        return int(exc.code or 0)
    if args.command == "schema":
        return _schema(args.check)
    cfg = _config(args)
    try:
        _run(args, cfg)
    except UsageError as error:
        report_error(error)
        return EXIT_USAGE
    except CharterError as error:
        report_github(error) if getattr(args, "format", "text") == "github" else report_error(error)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_FAILED
    return EXIT_OK


def _run(args: argparse.Namespace, cfg: Config) -> None:
    from . import build as pipeline

    github = getattr(args, "format", "text") == "github"
    if args.command == "check":
        warnings: list[DataError] = []
        register = pipeline.check(cfg, warnings)
        report_warnings(warnings, github)
        if not args.quiet:
            print(f"{printable(cfg.display(cfg.signatories))}: {len(register.signatories)} signatories, no problems found"
                  + (f" ({_plural(len(warnings), 'warning')} to look at)." if warnings else "."))
    elif args.command == "serve":
        from .serve import serve

        serve(cfg, args.port, report_error)
    elif args.command == "add":
        _add(args, cfg)
    elif args.command == "withdraw":
        from .edit import withdraw

        withdraw(cfg, args.id, args.date, args.reason)
        if not args.quiet:
            print(f"Recorded the withdrawal of '{args.id}' on {args.date.isoformat()} in {cfg.display(cfg.signatories)}.")
    else:
        report = pipeline.build(cfg)
        report_warnings(report.warnings, github)
        if not args.quiet:
            print(f"Built {report.signatories} signatories into {printable(cfg.display(cfg.output))}.")
            if report.changes:
                print(report.changes)


def _ask(prompt: str) -> str:
    from .edit import EditRefused

    try:
        return input(prompt)
    except EOFError:
        raise EditRefused("cancelled: no more answers, so nothing was changed") from None


def _add(args: argparse.Namespace, cfg: Config) -> None:
    from .edit import add, page_address

    if args.application is not None:
        record_id = _add_application(args, cfg)
    elif args.contacts is not None:
        raise UsageError("--contacts is for the contact details in an application: give --application too")
    else:
        record_id = add(cfg, _answers(args), None if args.yes else _ask, print)
    address = page_address(cfg, record_id)
    if args.quiet:
        print(address)
    else:
        print(f"Added '{record_id}' to {cfg.display(cfg.signatories)}.")
        print(f"Its page will be at {address} once the site is rebuilt and published.")


def _add_application(args: argparse.Namespace, cfg: Config) -> str:
    """`add --application`: show the record, and the contact details where they went (or once, here)."""
    from .intake import STDIN, add_application, read_application

    answers = _answers(args)
    extra = sorted(set(answers) - {"id", "signed"})
    if extra:
        options = ", ".join("--" + key.replace("_", "-") for key in extra)
        raise UsageError(f"--application takes every answer from the application: leave out {options}")
    if args.application == STDIN and sys.stdin.isatty():
        print("Paste the whole email, then press Ctrl+D (Ctrl+Z then Enter on Windows).", file=sys.stderr)
    text, source = read_application(args.application, sys.stdin)
    added = add_application(cfg, text, source, answers.get("id"), answers.get("signed"), cfg.contacts)
    if not args.quiet:
        shown = added.record_text.lstrip("\r\n")
        print(f"Added to the end of {cfg.display(cfg.signatories)}:\n\n{shown}")
    if added.contacts_file is not None:
        print(f"Added the contact person to {cfg.display(added.contacts_file)} (private: never commit it).")
    elif added.contact_text:
        print("The contact person, for your own records only (never put them in signatories.yaml; "
              f"they are shown once and kept nowhere):\n\n{added.contact_text}")
    return added.record_id


def _schema(check_only: bool) -> int:
    """Write the editor schema, or with --check report whether the checked-in copy is stale."""
    from .config import ROOT
    from .schema import SCHEMA_PATH, schema_text, write_schema

    target = ROOT / SCHEMA_PATH
    if check_only:
        current = target.read_text(encoding="utf-8") if target.is_file() else ""
        if current != schema_text(ROOT / "content"):
            print(f"error: {SCHEMA_PATH} is out of date: run `python build.py schema` and commit it", file=sys.stderr)
            return EXIT_FAILED
        print(f"{SCHEMA_PATH} is up to date.")
        return EXIT_OK
    write_schema(ROOT)
    print(f"Wrote {SCHEMA_PATH}.")
    return EXIT_OK
