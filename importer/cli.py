"""Command line: parses arguments and calls the library. Nothing else.

Every error the user should see is an ImporterError; `main` turns it into one
line on stderr and its exit code (the traceback only with --debug).
"""
from __future__ import annotations

import argparse
import sys
import traceback

from . import __version__
from .errors import ImporterError, Interrupted


def _add_build(commands) -> None:
    build = commands.add_parser(
        "build", parents=[_common()], help="read scans or OCR output into pages and articles",
        description="Read scanned volumes (hOCR, ALTO, PAGE XML, plain text, or page images "
                    "to OCR) into BATCH/pages.jsonl, then segment, render and license-tag "
                    "the articles.")
    build.add_argument("sources", nargs="+", metavar="SOURCE", help="files or folders")
    build.add_argument("--profile", required=True,
                       help="profile name in mappings/ (e.g. kk-encyclopedia) or a .toml path")
    build.add_argument("--out", required=True, metavar="BATCH", help="the batch folder")
    build.add_argument("--volume", type=int, default=1,
                       help="volume number for files the profile does not place (default 1)")
    build.add_argument("--jobs", type=int, default=None,
                       help="parallel OCR processes (default: one per core)")
    build.add_argument("--pages-only", action="store_true",
                       help="stop after pages.jsonl (no articles)")
    build.set_defaults(handler=_run_build)


def _run_build(args) -> int:
    from .build import build, format_summary
    result = build(args.sources, args.profile, args.out, default_volume=args.volume,
                   workers=args.jobs, progress=not args.quiet, pages_only=args.pages_only)
    print(format_summary(result))
    return result.exit_code()


def _add_evaluate(commands) -> None:
    evaluate = commands.add_parser(
        "evaluate", parents=[_common()], help="compare a batch with a ground truth",
        description="Compare BATCH/articles.jsonl with a ground truth (importer-truth/1 JSON) "
                    "and print article-boundary precision, recall and F1, title exact-match "
                    "rate, redirect accuracy and the character error rate of the text.")
    evaluate.add_argument("batch", metavar="BATCH")
    evaluate.add_argument("--truth", required=True, metavar="TRUTH.json")
    evaluate.add_argument("--json", action="store_true", help="print the figures as JSON")
    evaluate.set_defaults(handler=_run_evaluate)


def _run_evaluate(args) -> int:
    import json
    from pathlib import Path

    from .evaluate import evaluate, format_evaluation
    result = evaluate(Path(args.batch), Path(args.truth))
    print(json.dumps(result, ensure_ascii=False, indent=2) if args.json
          else format_evaluation(result))
    return 0


def _add_export(commands) -> None:
    export = commands.add_parser(
        "export", parents=[_common()], help="write MediaWiki export XML for importDump.php",
        description="Write every publishable article of BATCH as MediaWiki export XML "
                    "(schema 0.11), for admins who import on the server with "
                    "maintenance/importDump.php.")
    export.add_argument("batch", metavar="BATCH")
    export.add_argument("--xml", required=True, metavar="FILE", help="the XML file to write")
    export.add_argument("--profile", help="profile name or path (for the site name)")
    export.add_argument("--username", default="importer",
                        help="contributor name written into every revision (default importer)")
    export.add_argument("--prefix", default="", help="title prefix, e.g. 'User:Bot/trial/'")
    export.set_defaults(handler=_run_export)


def _run_export(args) -> int:
    from pathlib import Path

    from .export import export_xml
    from .profile import load_profile
    profile = load_profile(args.profile) if args.profile else None
    result = export_xml(Path(args.batch), Path(args.xml), profile, args.username, args.prefix)
    print(f"wrote {result.path}: {result.pages} pages ({result.redirects} redirects), "
          f"{result.skipped} not publishable skipped")
    return 0


def _common() -> argparse.ArgumentParser:
    """Options every command takes, also after the command name."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show tracebacks")
    common.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                        help="no progress bars")
    return common


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="importer",
        description="Bring a donated, scanned encyclopedia into a Wikipedia.")
    parser.add_argument("--version", action="version", version=f"importer {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _add_build(commands)
    _add_evaluate(commands)
    _add_export(commands)
    # Commands of the later stages live beside their modules.
    from .preview_cli import add_commands as add_preview_commands
    from .upload_cli import add_commands as add_upload_commands
    from .changes_cli import add_commands as add_changes_commands
    add_preview_commands(commands, _common())
    add_upload_commands(commands, _common)
    add_changes_commands(commands, _common)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    args.debug = getattr(args, "debug", False)
    args.quiet = getattr(args, "quiet", False)
    try:
        return args.handler(args)
    except ImporterError as error:
        if args.debug:
            traceback.print_exc()
        print(f"importer: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print(f"importer: interrupted; {Interrupted.__doc__}", file=sys.stderr)
        return Interrupted.exit_code
