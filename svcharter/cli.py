"""Parse arguments, call the package, print errors, choose the exit code. The only module that prints errors."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from .config import Config
from .errors import CharterError, InvalidData

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python build.py", description="Build the Shropshire Social Value Charter site.")
    commands = parser.add_subparsers(dest="command", metavar="{build,check,serve}")

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
    build.add_argument("--site-url", default=None, metavar="URL", help="the published address (default: from mkdocs.yml)")
    build.add_argument("--workers", type=int, default=0, help="badge render processes (default: one per core)")
    check = commands.add_parser("check", help="validate only, build nothing")
    common(check)
    serve = commands.add_parser("serve", help="preview on http://127.0.0.1:8000, rebuilding on changes")
    common(serve)
    serve.add_argument("--port", type=int, default=8000)
    return parser


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
    if getattr(args, "workers", 0):
        values["workers"] = args.workers
    return Config(**values)  # type: ignore[arg-type]


def report_error(error: CharterError) -> None:
    """Print every problem, one per line, and a count."""
    if isinstance(error, InvalidData):
        for problem in error.errors:
            print(problem, file=sys.stderr)
        count = len(error.errors)
        print(f"{count} problem{'s' if count != 1 else ''} found: nothing was built.", file=sys.stderr)
    else:
        print(f"error: {error}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv.insert(0, "build")
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors and 0 for --help
        return int(exc.code or 0)
    from . import build as pipeline

    cfg = _config(args)
    try:
        if args.command == "check":
            register = pipeline.check(cfg)
            if not args.quiet:
                print(f"{cfg.display(cfg.signatories)}: {len(register.signatories)} signatories, no problems found.")
        elif args.command == "serve":
            from .serve import serve

            serve(cfg, args.port)
        else:
            report = pipeline.build(cfg)
            if not args.quiet:
                print(f"Built {report.signatories} signatories into {cfg.display(cfg.output)}.")
    except CharterError as error:
        report_error(error)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_FAILED
    return EXIT_OK
