"""Command-line wiring of the publishing commands: upload, status, undo.

cli.py calls `add_commands(commands, _common)`; the handlers call the library.
"""
from __future__ import annotations

import argparse
import json


def _wiki_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("the wiki (exactly one of --site / --api)")
    g.add_argument("--site", help="a wiki of your pywikibot setup, e.g. kk:wikipedia "
                                  "(user-config.py, BotPassword or OAuth)")
    g.add_argument("--api", metavar="URL",
                   help="any wiki's api.php; the account comes from IMPORTER_USERNAME and "
                        "IMPORTER_PASSWORD (or --password-file), never the command line")
    g.add_argument("--user", help="account for --api (default: $IMPORTER_USERNAME), e.g. "
                                  "Bot@import for a BotPassword")
    g.add_argument("--password-file", metavar="FILE",
                   help="file whose first line is the password (instead of $IMPORTER_PASSWORD)")
    g.add_argument("--lang", default="kk", help="language code of the --api wiki (default kk)")


def _failure_options(p: argparse.ArgumentParser, unit: str) -> None:
    """How upload and undo give up: the same policy for edits and deletions."""
    p.add_argument("--max-failures", type=int, default=10, metavar="N",
                   help="stop after N failed requests in a row (default 10)")
    p.add_argument("--max-attempts", type=int, default=5, metavar="N",
                   help=f"tries per {unit} on transient errors before it is marked failed "
                        "(default 5)")
    p.add_argument("--backoff", type=float, default=5.0, metavar="SECONDS",
                   help="first wait after a transient error, doubling (default 5)")


def add_commands(commands, common_parent) -> None:
    up = commands.add_parser(
        "upload", parents=[common_parent()], help="publish a batch to the wiki (resumable)",
        description="Create every article of BATCH/articles.jsonl on the wiki (createonly: "
                    "existing pages are never touched), paced, journaled in "
                    "BATCH/upload.sqlite. Running the same command again resumes. At the end "
                    "the batch is verified against the wiki.")
    up.add_argument("batch", metavar="BATCH")
    _wiki_options(up)
    up.add_argument("--rate", type=float, default=6.0,
                    help="edits per minute, evenly paced (default 6: one per 10 s; 0: no pacing)")
    up.add_argument("--limit", type=int, metavar="N", help="at most N edits in this run")
    up.add_argument("--volume", type=int, action="append", metavar="N",
                    help="only the articles of printed volume N (repeat for several)")
    up.add_argument("--sample", type=int, metavar="N",
                    help="a trial: a reproducible random sample of N articles (see --seed)")
    up.add_argument("--seed", type=int, default=0, help="seed of --sample (default 0)")
    up.add_argument("--every", type=int, metavar="K", help="a trial: every K-th article")
    up.add_argument("--prefix", default="", metavar="PREFIX",
                    help="publish under a prefix for a trial, e.g. 'User:Bot/trial/'")
    up.add_argument("--retry-failed", action="store_true",
                    help="send articles that failed in an earlier run again")
    up.add_argument("--stop-page", metavar="TITLE",
                    help="a page (e.g. User:Bot/run) that must say 'yes' or 'run'; read at "
                         "the start and every --stop-every edits")
    up.add_argument("--stop-every", type=int, default=20, metavar="N")
    _failure_options(up, "article")
    up.add_argument("--no-verify", action="store_true", help="skip the final check")
    up.set_defaults(handler=_run_upload)

    st = commands.add_parser(
        "status", parents=[common_parent()], help="the upload journal: counts, rate, ETA, errors",
        description="Counts by state, rate, ETA and the last errors of BATCH/upload.sqlite.")
    st.add_argument("batch", metavar="BATCH")
    st.add_argument("--rate", type=float, help="the rate to compute the ETA with")
    st.add_argument("--json", action="store_true")
    st.set_defaults(handler=_run_status)

    un = commands.add_parser(
        "undo", parents=[common_parent()],
        help="list the pages a batch created; with --delete --yes, delete the untouched ones",
        description="List every page this batch created (from BATCH/upload.sqlite) with its "
                    "revision id and what became of it on the wiki: 'deletable' when its "
                    "latest revision is still ours; pages edited by others since, moved or "
                    "already deleted are listed and never deleted. Nothing is changed unless "
                    "both --delete and --yes are given; then each deletable page is deleted "
                    "(the account needs the 'delete' right) and recorded in the journal as "
                    "'undone'.")
    un.add_argument("batch", metavar="BATCH")
    _wiki_options(un)
    un.add_argument("--delete", action="store_true",
                    help="delete the deletable pages; without --yes only show what would go")
    un.add_argument("--yes", action="store_true",
                    help="confirm --delete: really delete (needs the account's delete right)")
    un.add_argument("--reason", metavar="TEXT",
                    help="the deletion log reason (default names the batch)")
    un.add_argument("--rate", type=float, default=6.0,
                    help="deletions per minute, evenly paced (default 6; 0: no pacing)")
    _failure_options(un, "page")
    un.add_argument("--json", action="store_true", help="print the list as JSON")
    un.set_defaults(handler=_run_undo)


def _options(args):
    from .upload import Options
    return Options(api=args.api, site=args.site, user=args.user,
                   password_file=args.password_file, code=args.lang, rate=args.rate,
                   limit=args.limit, volumes=args.volume, sample=args.sample, every=args.every, seed=args.seed,
                   prefix=args.prefix, retry_failed=args.retry_failed,
                   max_attempts=args.max_attempts, max_failures=args.max_failures,
                   backoff=args.backoff, stop_page=args.stop_page, stop_every=args.stop_every,
                   verify=not args.no_verify, progress=not args.quiet)


def _run_upload(args) -> int:
    from .upload import check_result, format_result, upload
    result = upload(args.batch, _options(args))
    print(format_result(result))
    return check_result(result)


def _run_status(args) -> int:
    from .upload import format_status, status
    s = status(args.batch, args.rate)
    print(json.dumps(s, ensure_ascii=False, indent=2) if args.json else format_status(s))
    return 0


def _run_undo(args) -> int:
    from .errors import UsageError
    from .undo import UndoOptions, check_result, format_result, undo
    if args.yes and not args.delete:
        raise UsageError("--yes confirms --delete; give both to delete pages")
    opts = UndoOptions(api=args.api, site=args.site, user=args.user,
                       password_file=args.password_file, code=args.lang, delete=args.delete,
                       yes=args.yes, reason=args.reason, rate=args.rate, backoff=args.backoff,
                       max_attempts=args.max_attempts, max_failures=args.max_failures)
    result = undo(args.batch, opts)
    print(json.dumps(result.to_json(), ensure_ascii=False, indent=2) if args.json
          else format_result(result))
    return check_result(result)
