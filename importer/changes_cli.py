"""`importer changes BATCH`: the command line of importer/changes.py.

Wired into importer/cli.py with ``add_commands(commands, _common)``; the wiki is
named with the same options as `importer upload` and `importer undo`.
"""
from __future__ import annotations

from .upload_cli import _wiki_options


def add_commands(commands, common_parent) -> None:
    p = commands.add_parser(
        "changes", parents=[common_parent()],
        help="what the community changed in the pages a batch created",
        description="For every page this batch created (from BATCH/upload.sqlite): was it "
                    "edited since, by whom, in how many revisions, how its size changed, "
                    "whether it still carries the license block, whether it was moved, "
                    "turned into a redirect or deleted. Writes BATCH/changes/changes.json, "
                    "BATCH/changes/index.html and the current wikitext of every edited, "
                    "moved or redirected article in BATCH/changes/wikitext/, so the editors "
                    "of the printed encyclopedia can take the improvements back. Only reads "
                    "the wiki: with --api and no account (IMPORTER_USERNAME, --user) it "
                    "reads anonymously.")
    p.add_argument("batch", metavar="BATCH")
    _wiki_options(p)
    p.set_defaults(handler=_run_changes)


def _run_changes(args) -> int:
    from .changes import changes, format_report
    report = changes(args.batch, api=args.api, site=args.site, user=args.user,
                     password_file=args.password_file, code=args.lang,
                     progress=not args.quiet)
    print(format_report(report))
    return 0
