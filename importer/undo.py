"""Undo a batch: list the pages it created and, when asked and allowed, delete them.

The journal (BATCH/upload.sqlite) says which pages this batch created and with
which revision (rows in state `done`). The wiki says what became of them, one
query per 50 titles (500 with apihighlimits): a page whose latest revision is
still the one we created is *deletable*; a page edited by anyone since (its
latest revision differs), moved or already deleted is listed with that status and
never deleted. Only for those a second query (by revision id) tells a move from
an edit or a deletion.

Nothing changes without ``delete=True`` *and* ``yes=True`` (``--delete --yes``);
``--delete`` alone prints what would be deleted. Deleting needs the account's
`delete` right (a BotPassword must grant it); without it the run stops before
any request that changes anything (NoRightError, exit 77). Each page is read
again by its id right before its `action=delete` (by page id, with a reason
naming the batch), so an edit made during a long run is still respected; each
deletion is recorded at once in the journal (state `undone`). Pacing and errors
follow the uploader: maxlag/5xx/dropped connections back off and retry
(bounded), `ratelimited` slows down, `badtoken` refreshes once, a lost login
stops the run, too many failures in a row stop it cleanly.
"""
from __future__ import annotations

import logging
import signal
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .batch import attach_log, detach_log, open_batch
from .errors import (BatchError, Interrupted, LoginError, NoRightError, PartialFailure,
                     UploadStopped)
from .journal import JOURNAL_NAME, Journal
from .pacing import Pacer
from .upload import LOGIN_LOST, TRANSIENT, _writable

log = logging.getLogger("importer.undo")

# Statuses of a page in the listing.
DELETABLE = "deletable"        # the latest revision is still ours
DELETED = "deleted"            # deleted by this run
UNDONE = "undone"              # deleted by an earlier `undo --delete` (journal)
EDITED = "edited"              # edited since (latest revision differs): kept
MOVED = "moved"                # moved to another title: kept
GONE = "already-deleted"       # not on the wiki any more (deleted by someone): kept
NO_REVID = "no-revid"          # the journal has no revision id: cannot tell, kept
FAILED = "failed"              # the deletion was refused or kept failing
STATUSES = (DELETABLE, DELETED, UNDONE, EDITED, MOVED, GONE, NO_REVID, FAILED)
ALREADY_GONE = {"missingtitle", "nosuchpageid"}


@dataclass
class UndoOptions:
    api: str | None = None
    site: str | None = None
    user: str | None = None
    password_file: str | None = None
    code: str = "kk"
    delete: bool = False           # --delete: delete the deletable pages ...
    yes: bool = False              # ... --yes: really (without it: only say what would go)
    reason: str | None = None      # default: names the batch
    rate: float = 6.0              # deletions per minute; 0 = no pacing
    backoff: float = 5.0
    max_attempts: int = 5
    max_failures: int = 10


@dataclass
class Entry:
    id: str
    title: str
    revid: int | None              # the revision this batch created
    status: str
    last_revid: int | None = None  # the page's latest revision now (edited, moved)
    last_user: str | None = None
    now_title: str | None = None   # where a moved page is now
    pageid: int | None = None
    code: str | None = None        # why a deletion failed
    info: str | None = None
    wiki_title: str | None = None  # the title as the wiki normalized it

    def describe(self) -> str:
        s = self.status
        if s == EDITED:
            by = f" by {self.last_user}" if self.last_user else ""
            return f"edited{by} since (now r{self.last_revid}): kept"
        if s == MOVED:
            return f"moved to {self.now_title}: kept"
        if s == GONE:
            return "already deleted: nothing to do"
        if s == NO_REVID:
            return "no revision id in the journal: kept"
        if s == FAILED:
            return f"failed: {self.code} {self.info or ''}".rstrip()
        if s == UNDONE:
            return "deleted by an earlier undo"
        return s


@dataclass
class UndoResult:
    batch: str
    account: str
    can_delete: bool
    mode: str                      # "list", "dry-run" (--delete without --yes), "delete"
    entries: list = field(default_factory=list)
    requests: int = 0
    seconds: float = 0.0
    stopped: str | None = None

    def counts(self) -> dict:
        out = dict.fromkeys(STATUSES, 0)
        for e in self.entries:
            out[e.status] += 1
        return out

    def to_json(self) -> dict:
        return {"batch": self.batch, "account": self.account, "can_delete": self.can_delete,
                "mode": self.mode, "counts": self.counts(), "requests": self.requests,
                "seconds": round(self.seconds, 2), "stopped": self.stopped,
                "pages": [{k: v for k, v in asdict(e).items()
                           if v is not None and k != "wiki_title"} for e in self.entries]}


def default_reason(batch: Path) -> str:
    return (f"importer undo: removing a page created by the batch {batch.resolve().name!r}"
            " (unchanged since its creation)")


# --- what became of the pages ---------------------------------------------------------

def classify(wiki, rows) -> list[Entry]:
    """An Entry per journal row (`done` or `undone`), in batch order."""
    entries = []
    for r in rows:
        if r.state == "undone":
            entries.append(Entry(r.id, r.title, r.revid, UNDONE))
        elif r.revid is None:
            entries.append(Entry(r.id, r.title, None, NO_REVID))
        else:
            entries.append(Entry(r.id, r.title, r.revid, DELETABLE))
    check = [e for e in entries if e.status == DELETABLE]
    if not check:
        return entries
    states = wiki.page_states(list(dict.fromkeys(e.title for e in check)))
    doubtful = []
    for e in check:
        st = states[e.title]
        if st.exists and st.lastrevid == e.revid:
            e.pageid, e.wiki_title = st.pageid, st.title
            continue
        e.last_revid, e.last_user = st.lastrevid, st.last_user
        doubtful.append(e)
    if doubtful:  # moved, edited or deleted: where is our revision now?
        holders = wiki.revision_pages([e.revid for e in doubtful])
        for e in doubtful:
            holder = holders.get(e.revid)
            if holder is None:
                e.status = GONE
            elif holder.title != states[e.title].title:
                e.status, e.now_title = MOVED, holder.title
                e.last_revid, e.last_user, e.pageid = holder.lastrevid, None, holder.pageid
            else:
                e.status = EDITED
    return entries


# --- deleting -----------------------------------------------------------------------------

class Remover:
    def __init__(self, wiki, journal: Journal, opts: UndoOptions, reason: str):
        self.wiki, self.journal, self.opts, self.reason = wiki, journal, opts, reason
        self.pacer = Pacer(rate=opts.rate, backoff=opts.backoff)
        self.stop_requested = False
        self.failures_in_row = 0

    def _on_signal(self, signum, frame):
        if self.stop_requested:
            raise KeyboardInterrupt
        self.stop_requested = True
        print("\nimporter: stopping after the deletion in flight (Ctrl-C again to stop at once)",
              file=sys.stderr, flush=True)

    def run(self, entries: list[Entry]) -> str | None:
        """Delete every deletable entry; returns why the run stopped early, if it did."""
        old = {s: signal.signal(s, self._on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            for e in entries:
                if e.status != DELETABLE:
                    continue
                if self.stop_requested:
                    return "interrupted"
                self.remove(e)
        finally:
            for s, h in old.items():
                signal.signal(s, h)
        return "interrupted" if self.stop_requested else None

    def remove(self, e: Entry) -> None:
        tries = 0
        token_refreshed = False
        sent = False  # a delete for this page went out (its answer may have been lost)
        while True:
            self.pacer.wait(stop=lambda: self.stop_requested)
            if self.stop_requested:
                return
            # Read the page again just before deleting it: still ours, still there?
            now = self.wiki.page_state_by_id(e.pageid)
            if not now.exists:
                if sent:  # our earlier request did it; only its answer was lost
                    self.journal.mark(e.id, "undone")
                    e.status = DELETED
                else:
                    e.status = GONE
                return
            if now.lastrevid != e.revid or now.title != e.wiki_title:
                e.last_revid, e.last_user = now.lastrevid, now.last_user
                if now.title != e.wiki_title:
                    e.status, e.now_title = MOVED, now.title
                else:
                    e.status = EDITED
                return
            self.pacer.sent()
            sent = True
            reply = self.wiki.delete(e.pageid, self.reason)
            if reply.ok:
                self.journal.mark(e.id, "undone")
                e.status = DELETED
                log.info("deleted %s (r%s, log id %s)", e.title, e.revid, reply.revid)
                self.failures_in_row = 0
                self.pacer.succeeded()
                return
            code = reply.code or "unknown"
            log.info("%s: delete: %s %s", e.title, code, reply.info)
            if code in ALREADY_GONE:
                e.status = GONE
                return
            if code in LOGIN_LOST:
                raise LoginError(f"the wiki says we are no longer logged in ({code}); "
                                 "nothing was deleted logged out. Run the same command again "
                                 "to go on.")
            if code == "badtoken" and not token_refreshed:
                token_refreshed = True
                self.wiki.token(refresh=True)
                continue
            if code == "ratelimited":
                wait = self.pacer.ratelimited(reply.retry_after)
                log.warning("ratelimited: waiting %.0f s", wait)
            elif code in TRANSIENT or code.startswith("http5") or \
                    code.startswith("internal_api_error"):
                tries += 1
                wait = self.pacer.transient(reply.retry_after)
                log.warning("%s: %s; retrying in %.0f s", e.title, code, wait)
                # A lost answer may hide a deletion that happened: the re-read settles it.
            else:
                self._fail(e, code, reply.info)
                return
            self.failures_in_row += 1
            self._check_failures(code)
            if tries >= self.opts.max_attempts:
                self._fail(e, code, reply.info, counted=True)
                return

    def _fail(self, e: Entry, code: str, info: str, counted: bool = False) -> None:
        e.status, e.code, e.info = FAILED, code, info
        if not counted:
            self.failures_in_row += 1
            self._check_failures(code)

    def _check_failures(self, code: str) -> None:
        if self.failures_in_row >= self.opts.max_failures:
            raise UploadStopped(f"{self.failures_in_row} failed requests in a row (last: "
                                f"{code}); what was deleted is in the journal. Run the same "
                                "command again to go on.")


# --- the command ------------------------------------------------------------------------

def undo(batch_dir, opts: UndoOptions) -> UndoResult:
    t0 = time.monotonic()
    batch = open_batch(batch_dir, create=False)
    path = batch / JOURNAL_NAME
    if not path.is_file():
        raise BatchError(f"{batch}: no upload journal (nothing was uploaded from this batch)")
    _writable(batch)  # the pywikibot settings and, with --delete, the journal
    mode = "delete" if opts.delete and opts.yes else "dry-run" if opts.delete else "list"
    journal = Journal(path)
    handler = attach_log(batch)
    try:
        rows = journal.rows("done", "undone")
        from .wiki import Wiki, credentials
        creds = credentials(opts.user, opts.password_file) if opts.api else None
        wiki = Wiki.connect(batch, api=opts.api, site=opts.site, creds=creds, code=opts.code)
        try:
            can_delete = wiki.has_right("delete")
            result = UndoResult(str(batch), wiki.user, can_delete, mode)
            if mode == "delete" and not can_delete:
                raise NoRightError(
                    f"the account {wiki.user} has no right to delete pages on this wiki (an "
                    "administrator account is needed; a BotPassword must grant 'Delete "
                    "pages, revisions and log entries'); nothing was deleted")
            log.info("undo %s as %s (%s): %d page(s) in the journal", batch, wiki.user, mode,
                     len(rows))
            result.entries = classify(wiki, rows)
            if mode == "delete":
                remover = Remover(wiki, journal, opts, opts.reason or default_reason(batch))
                result.stopped = remover.run(result.entries)
            result.requests = wiki.requests
        finally:
            wiki.close()
    finally:
        journal.close()
        detach_log(handler)
    result.seconds = time.monotonic() - t0
    return result


# --- output ---------------------------------------------------------------------------

def format_result(r: UndoResult) -> str:
    lines = []
    if r.entries:
        width = min(max(len(e.title) for e in r.entries), 60)
        rw = max(5, max(len(str(e.revid or "-")) for e in r.entries))
        lines.append(f"{'title':<{width}}  {'revid':>{rw}}  status")
        for e in r.entries:
            t = e.title if len(e.title) <= width else e.title[:width - 1] + "…"
            lines.append(f"{t:<{width}}  {str(e.revid or '-'):>{rw}}  {e.describe()}")
    c = r.counts()
    parts = [f"{n} {s}" for s, n in c.items() if n]
    lines.append(f"{len(r.entries)} page(s) created by this batch"
                 + (": " + ", ".join(parts) if parts else ""))
    n = c[DELETABLE]
    if r.mode == "delete":
        lines.append(f"deleted {c[DELETED]} page(s) as {r.account}; pages edited by others, "
                     "moved or already deleted were left alone")
        if r.stopped:
            lines.append(f"stopped ({r.stopped}) with {n} deletable page(s) left; run the "
                         "same command again to go on")
    elif n:
        right = (f"the account {r.account} may delete" if r.can_delete else
                 f"the account {r.account} has NO right to delete: use an administrator "
                 "account")
        verb = "would delete" if r.mode == "dry-run" else "can delete"
        lines.append(f"nothing was changed; --delete --yes {verb} the {n} deletable page(s) "
                     f"({right})")
    else:
        lines.append("nothing was changed; no page of this batch is deletable")
    return "\n".join(lines)


def check_result(r: UndoResult) -> int:
    c = r.counts()
    if r.mode == "delete" and c[FAILED]:
        first = next(e for e in r.entries if e.status == FAILED)
        raise PartialFailure(f"{c[FAILED]} deletion(s) failed (first: {first.title}: "
                             f"{first.code}); run the same command again to retry")
    if r.mode == "delete" and r.stopped:
        raise Interrupted(f"interrupted; {c[DELETED]} deleted, {c[DELETABLE]} left; the "
                          "journal is saved. Run the same command again to go on.")
    return 0
