"""`importer preview BATCH`: the command line of importer/preview.py.

Wired into importer/cli.py with ``add_commands(commands, _common())``.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from .errors import UsageError, WikiError


def add_commands(commands, common_parent: argparse.ArgumentParser) -> None:
    p = commands.add_parser(
        "preview", parents=[common_parent], help="write a dry-run report reviewers can read",
        description="Write BATCH/preview/: every article's wikitext as a file and index.html, "
                    "an offline report with the scan beside the text, the wikitext, a "
                    "rendering, the license block and the edit summary. With --api/--site "
                    "the wiki renders the pages (action=parse, nothing saved) and says which "
                    "titles exist. Nothing is ever written to the wiki.")
    p.add_argument("batch", metavar="BATCH", help="the batch folder (from importer build)")
    trial = p.add_argument_group("trial selection (for bot approval)")
    trial.add_argument("--sample", type=int, metavar="N",
                       help="a reproducible random sample of N articles; written to "
                            "BATCH/selection.json for `importer upload --selection`")
    trial.add_argument("--every", type=int, metavar="K",
                       help="every K-th article in printed order (before --sample)")
    trial.add_argument("--seed", type=int, default=0, help="seed of --sample (default 0)")
    trial.add_argument("--selection", metavar="FILE",
                       help="preview only the articles of this selection file")
    wiki = p.add_argument_group("wiki (optional; the same options as importer upload)")
    wiki.add_argument("--api", metavar="URL", help="the wiki's api.php URL")
    wiki.add_argument("--site", help="a pywikibot site, e.g. kk:wikipedia")
    wiki.add_argument("--user", help="account for --api (default: IMPORTER_USERNAME)")
    wiki.add_argument("--password-file", metavar="FILE",
                      help="file whose first line is the password (default: IMPORTER_PASSWORD)")
    wiki.add_argument("--code", default="kk", help="language code of the wiki (default kk)")
    p.add_argument("--no-crops", action="store_true", help="do not cut scan crops")
    p.set_defaults(handler=run_preview)


def run_preview(args) -> int:
    from . import selection as sel
    from .preview import load_articles, preview

    batch = Path(args.batch)
    if not batch.is_dir():
        from .errors import BatchError
        raise BatchError(f"{batch}: no such batch folder")
    if args.selection and (args.sample is not None or args.every is not None):
        raise UsageError("use either --selection or --sample/--every, not both")
    ids, note = None, None
    if args.selection:
        articles = load_articles(batch)
        ids = sel.read_selection(args.selection, articles)
        note = f"from {args.selection}"
    elif args.sample is not None or args.every is not None:
        articles = load_articles(batch)
        ids = sel.select(articles, sample=args.sample, every=args.every, seed=args.seed)
        path = sel.write_selection(batch, articles, ids, sample=args.sample, every=args.every,
                                   seed=args.seed)
        note = _method(args) + f"; {path}"
    wiki = connect(args, batch)
    try:
        result = preview(batch, wiki=wiki, ids=ids, crops=not args.no_crops,
                         selection_note=note, progress=not args.quiet)
    finally:
        if wiki is not None and hasattr(wiki, "close"):
            wiki.close()
    if note and not args.selection:
        print(f"trial selection: {len(ids)} articles ({_method(args)}) written to "
              f"{batch / sel.FILE_NAME}; publish exactly these with "
              f"`importer upload {batch} --selection {batch / sel.FILE_NAME}`")
    print(result.format())
    return 0


def _method(args) -> str:
    parts = []
    if args.every is not None:
        parts.append(f"every {args.every}")
    if args.sample is not None:
        parts.append(f"sample {args.sample}, seed {args.seed}")
    return ", ".join(parts)


def connect(args, batch: Path):
    """The wiki named by --api/--site, or None. It must offer parse() and existing()."""
    if not (args.api or args.site):
        return None
    from .wiki import Wiki, credentials
    creds = credentials(args.user, args.password_file) if args.api else None
    wiki = Wiki.connect(batch, api=args.api, site=args.site, creds=creds, code=args.code)
    if not all(callable(getattr(wiki, name, None)) for name in ("parse", "existing")):
        wiki.close()
        raise WikiError("this version of importer/wiki.py cannot render or look up pages "
                        "yet (Wiki.parse / Wiki.existing); run the preview without --api/--site")
    return wiki
