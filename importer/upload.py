"""Publish a batch: BATCH/articles.jsonl -> pages on the wiki, recorded in BATCH/upload.sqlite.

Every article is created with one `action=edit` (createonly, md5, bot flag when the
account has it, not minor, no watchlist change, the license tagger's summary).
The journal row goes to `sending` (committed) before the request and to what the
wiki confirmed after it, so a run killed at any moment resumes without a duplicate
or a lost article: rows left in `sending` are looked up on the wiki first (is the
latest revision ours, with our content hash?) and only sent again if missing.

Failures (see /work/shared/notes/conventions.md): maxlag, readonly, HTTP 5xx and a
dropped connection back off and retry (bounded); `ratelimited` slows the rest of
the run; `badtoken` refreshes the token once; a lost login stops the run; page-level
refusals (articleexists, protected, blacklisted, abuse filter...) are recorded on
the article and the run goes on. After the run every article we created is checked
on the wiki, one query per 50 (500) titles.
"""
from __future__ import annotations

import json
import logging
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .batch import attach_log, detach_log, open_batch
from .errors import (BatchError, InputFileError, Interrupted, LoginError, PartialFailure,
                     UploadStopped)
from .journal import FINISHED, Journal, normalize_text, stored_sha1
from .pacing import Pacer

log = logging.getLogger("importer.upload")

TRANSIENT = {"maxlag", "readonly", "network", "badjson", "timeout", "http500", "http502",
             "http503", "http504", "http429", "unexpected"}
LOGIN_LOST = {"assertuserfailed", "assertbotfailed", "notloggedin", "assertnameduserfailed",
              "mwoauth-invalid-authorization"}
PAGE_REFUSALS = {"protectedpage", "protectedtitle", "cascadeprotected", "titleblacklist-forbidden",
                 "spamblacklist", "abusefilter-disallowed", "abusefilter-warning", "contenttoobig",
                 "pagedeleted", "invalidtitle", "cantcreate", "editconflict", "blocked",
                 "nosummary", "noedit", "emptynewsection", "customcssjsprotected"}
MAY_RUN = ("yes", "run", "true", "go", "иә")


@dataclass
class Options:
    api: str | None = None
    site: str | None = None
    user: str | None = None
    password_file: str | None = None
    code: str = "kk"
    rate: float = 6.0              # edits per minute; 0 = no pacing
    limit: int | None = None       # at most N edits this run
    volumes: list[int] | None = None  # only these printed volumes
    sample: int | None = None      # a reproducible random sample of N articles
    every: int | None = None       # every K-th article
    seed: int = 0
    prefix: str = ""               # e.g. "User:Bot/trial/"
    retry_failed: bool = False
    max_attempts: int = 5          # transient retries per article before `failed`
    max_failures: int = 10         # consecutive failed requests before the run stops
    backoff: float = 5.0
    stop_page: str | None = None
    stop_every: int = 20
    verify: bool = True
    progress: bool = True


@dataclass
class Result:
    counts: dict
    edits: int = 0
    requests: int = 0
    seconds: float = 0.0
    missing: list = field(default_factory=list)
    stopped: str | None = None


# --- the batch's articles ----------------------------------------------------------

def load_articles(batch: Path) -> list[dict]:
    path = batch / "articles.jsonl"
    if not path.is_file():
        raise BatchError(f"{path}: no articles (run `importer build` first)")
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                art = json.loads(line)
                art["id"], art["title"], art["wikitext"]
            except (ValueError, KeyError, TypeError) as exc:
                raise InputFileError(path, f"line {n}: not an article ({exc})") from None
            out.append(art)
    return out


def select(articles: list[dict], opts: Options) -> list[dict]:
    """The trial selections, then the prefix. The journal key includes the prefix,
    so a trial under User:... and the real run do not mix."""
    from .selection import apply, select as select_ids  # the same choice as the preview's
    chosen = articles
    if opts.volumes:
        chosen = [a for a in chosen if (a.get("source") or {}).get("volume") in opts.volumes]
        if not chosen:
            raise BatchError(f"no article of volume {', '.join(map(str, opts.volumes))} "
                             "in this batch")
    if opts.every or opts.sample is not None:
        chosen = apply(articles, select_ids(articles, sample=opts.sample, every=opts.every,
                                            seed=opts.seed))
    if opts.prefix:
        chosen = [dict(a, id=f"{opts.prefix}|{a['id']}", title=opts.prefix + a["title"])
                  for a in chosen]
    return chosen


def _writable(batch: Path) -> None:
    if not os.access(batch, os.W_OK):
        raise BatchError(f"{batch}: the batch folder is not writable; the upload needs to "
                         "write its journal there")


# --- the uploader --------------------------------------------------------------------

class Uploader:
    def __init__(self, batch: Path, opts: Options, wiki, journal: Journal, articles: list[dict]):
        self.batch, self.opts, self.wiki, self.journal = batch, opts, wiki, journal
        self.by_id = {a["id"]: a for a in articles}
        self.pacer = Pacer(rate=opts.rate, backoff=opts.backoff)
        self.stop_requested = False
        self.edits = 0
        self.errors = 0
        self.failures_in_row = 0
        self.abuse_in_row = 0
        self.bar = None

    # --- Ctrl-C: finish the edit in flight, then stop ---------------------------------
    def _on_signal(self, signum, frame):
        if self.stop_requested:  # a second Ctrl-C: stop now (the journal stays consistent)
            raise KeyboardInterrupt
        self.stop_requested = True
        print("\nimporter: stopping after the edit in flight (Ctrl-C again to stop at once)",
              file=sys.stderr, flush=True)

    def run(self) -> Result:
        t0 = time.monotonic()
        run_id = self.journal.start_run(self.opts.rate)
        old = {s: signal.signal(s, self._on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
        outcome = "complete"
        try:
            self.resolve_sending()
            self.check_stop_page()
            todo = [r for r in self.journal.rows("pending") if r.id in self.by_id]
            if self.opts.limit is not None:
                todo = todo[: self.opts.limit]
            self._open_bar()
            for row in todo:
                if self.stop_requested:
                    break
                if self.opts.stop_page and self.edits and \
                        self.edits % self.opts.stop_every == 0:
                    self.check_stop_page()
                self.send(row)
            if self.stop_requested:
                outcome = "interrupted"
        except UploadStopped as exc:
            outcome = f"stopped: {exc}"
            raise
        except LoginError as exc:
            outcome = f"login lost: {exc}"
            raise
        finally:
            for s, h in old.items():
                signal.signal(s, h)
            if self.bar is not None:
                self.bar.close()
            self.journal.end_run(run_id, self.edits, outcome)
        result = Result(self.journal.counts(), self.edits, seconds=time.monotonic() - t0)
        if outcome == "interrupted":
            raise Interrupted(self._resume_hint("interrupted"))
        if self.opts.verify:
            result.missing = self.verify()
        result.requests = self.wiki.requests
        return result

    def _resume_hint(self, what: str) -> str:
        c = self.journal.counts()
        left = c["pending"] + c["sending"] + c["failed"]
        return (f"{what}; {c['done']} created, {left} left; the journal is saved in "
                f"{self.journal.path}. Run the same command again to resume.")

    # --- progress -----------------------------------------------------------------------
    def _open_bar(self) -> None:
        if not self.opts.progress:
            return
        from tqdm import tqdm
        c = self.journal.counts()
        total = sum(c.values())
        done = sum(c[s] for s in FINISHED)
        self.bar = tqdm(total=total, initial=done, unit="art", desc="upload",
                        dynamic_ncols=True, file=sys.stderr)

    def _tick(self) -> None:
        if self.bar is not None:
            self.bar.update(1)
            rate = self.pacer.current_rate()
            self.bar.set_postfix(errors=self.errors,
                                 limit="none" if rate == float("inf") else f"{rate:.0f}/min")

    # --- one article --------------------------------------------------------------------
    def send(self, row) -> None:
        art = self.by_id[row.id]
        text = normalize_text(art["wikitext"])
        summary = (art.get("summary") or "").strip()
        if not summary:
            self.journal.mark(row.id, "skipped", code="nosummary",
                              message="the article has no edit summary (license tagger)")
            self._tick()
            return
        tries = 0
        token_refreshed = False
        while True:
            self.pacer.wait(stop=lambda: self.stop_requested)
            if self.stop_requested:
                return  # nothing in flight; the row keeps its state (resume settles it)
            self.journal.mark_sending(row.id)
            first = self.journal.get(row.id).first_sent
            self.pacer.sent()
            from .wiki import utc_iso
            reply = self.wiki.create(art["title"], text, summary,
                                     starttimestamp=utc_iso(first - 1))
            if reply.ok:
                self.journal.mark(row.id, "done", revid=reply.revid)
                self._success()
                return
            code = reply.code
            log.info("%s: %s %s", art["title"], code, reply.info)
            if code == "articleexists":
                self._settle_existing(row, art)
                self._success()
                return
            if code in PAGE_REFUSALS or code.startswith("abusefilter"):
                self.journal.mark(row.id, "skipped", code=code, message=reply.info)
                self.errors += 1
                self._tick()
                self.failures_in_row = 0
                self.abuse_in_row = self.abuse_in_row + 1 if code.startswith("abusefilter") else 0
                if self.abuse_in_row >= 3:
                    raise UploadStopped("three abuse-filter hits in a row; ask the wiki's "
                                        "admins, then run again to resume")
                return
            if code in LOGIN_LOST:
                self.journal.mark(row.id, "pending", code=code, message=reply.info)
                raise LoginError(f"the wiki says we are no longer logged in ({code}); "
                                 "nothing was edited logged out. "
                                 + self._resume_hint("stopped"))
            if code == "badtoken" and not token_refreshed:
                token_refreshed = True
                self.journal.mark(row.id, "pending", code=code, message=reply.info)
                self.wiki.token(refresh=True)
                continue
            if code == "ratelimited":
                wait = self.pacer.ratelimited(reply.retry_after)
                self.journal.mark(row.id, "pending", code=code, message=reply.info)
                log.warning("ratelimited: waiting %.0f s, then %.1f edits/min", wait,
                            self.pacer.current_rate())
            elif code in TRANSIENT or code.startswith("http5") or \
                    code.startswith("internal_api_error"):
                tries += 1  # only these count against the article's attempts
                wait = self.pacer.transient(reply.retry_after)
                # A dropped connection or a 5xx may have come after the edit was made:
                # stay in `sending`; createonly + the hash check settle it on the next try.
                state = "sending" if code in ("network", "badjson") or code.startswith("http") \
                    else "pending"
                self.journal.mark(row.id, state, code=code, message=reply.info)
                log.warning("%s: %s; retrying in %.0f s", art["title"], code, wait)
            else:
                self.journal.mark(row.id, "failed", code=code, message=reply.info)
                self.errors += 1
                self._tick()
                self._failure(code)
                return
            self.errors += 1
            self._failure(code)
            if tries >= self.opts.max_attempts:
                self.journal.mark(row.id, "failed", code=code, message=reply.info)
                self._tick()
                return

    def _success(self) -> None:
        self.edits += 1
        self.failures_in_row = 0
        self.abuse_in_row = 0
        self.pacer.succeeded()
        self._tick()

    def _failure(self, code: str) -> None:
        self.failures_in_row += 1
        if self.failures_in_row >= self.opts.max_failures:
            raise UploadStopped(f"{self.failures_in_row} failed requests in a row (last: "
                                f"{code}). " + self._resume_hint("stopped"))

    def _settle_existing(self, row, art) -> None:
        """`articleexists`: ours from an earlier attempt whose answer we lost, or
        someone else's page (left untouched)."""
        rev = None
        if self.journal.get(row.id).attempts > 1:  # an earlier attempt may have made it
            rev = self.wiki.latest_revisions([art["title"]]).get(art["title"])
        if rev is not None and self._is_ours(rev, row.sha1, art):
            self.journal.mark(row.id, "done", revid=rev.revid)
        else:
            self.journal.mark(row.id, "exists", code="articleexists",
                              message="a page with this title already exists; not touched")

    def _is_ours(self, rev, sha1: str, art: dict) -> bool:
        if rev.user != self.wiki.user:
            return False
        return rev.sha1 == sha1 or (rev.comment or "").strip() == (art.get("summary") or "").strip()

    # --- resume --------------------------------------------------------------------------
    def resolve_sending(self) -> None:
        """Rows left in `sending` by a killed run: ours on the wiki -> done;
        missing -> pending (sent again); someone else's -> exists."""
        rows = [r for r in self.journal.rows("sending") if r.id in self.by_id]
        if not rows:
            return
        titles = [self.by_id[r.id]["title"] for r in rows]
        revs = self.wiki.latest_revisions(titles)
        for r, t in zip(rows, titles):
            rev = revs.get(t)
            if rev is None:
                self.journal.mark(r.id, "pending", code=r.error_code, message=r.error)
            elif self._is_ours(rev, r.sha1, self.by_id[r.id]):
                self.journal.mark(r.id, "done", revid=rev.revid)
            else:
                self.journal.mark(r.id, "exists", code="articleexists",
                                  message="the page exists and its latest revision is not ours")
        log.info("resume: settled %d article(s) left in `sending`", len(rows))

    def check_stop_page(self) -> None:
        if not self.opts.stop_page:
            return
        text = self.wiki.page_text(self.opts.stop_page)
        first = (text or "").strip().lower()
        if not first.startswith(MAY_RUN):
            raise UploadStopped(f"the stop page {self.opts.stop_page} does not say the bot may "
                                f"run (it says {first[:40]!r}). " + self._resume_hint("stopped"))

    # --- verify ---------------------------------------------------------------------------
    def verify(self) -> list[str]:
        """Titles the journal says we created (or found) that the wiki does not have."""
        rows = [r for r in self.journal.rows("done", "exists") if r.id in self.by_id]
        titles = [self.by_id[r.id]["title"] for r in rows]
        revs = self.wiki.latest_revisions(titles) if titles else {}
        return [t for t in titles if revs.get(t) is None]


def upload(batch_dir, opts: Options) -> Result:
    batch = open_batch(batch_dir, create=False)
    _writable(batch)
    articles = select(load_articles(batch), opts)
    journal = Journal.for_batch(batch)
    handler = attach_log(batch)
    try:
        journal.sync(articles)
        if opts.retry_failed:
            journal.reset_failed()
        from .wiki import Wiki, credentials
        creds = credentials(opts.user, opts.password_file) if opts.api else None
        wiki = Wiki.connect(batch, api=opts.api, site=opts.site, creds=creds, code=opts.code)
        try:
            up = Uploader(batch, opts, wiki, journal, articles)
            return up.run()
        finally:
            wiki.close()
    finally:
        journal.close()
        detach_log(handler)


def format_result(r: Result) -> str:
    c = r.counts
    rate = r.edits / r.seconds * 60 if r.seconds else 0
    lines = [f"created {c['done']}, already existed {c['exists']}, skipped {c['skipped']}, "
             f"failed {c['failed']}, pending {c['pending'] + c['sending']}; "
             f"{r.edits} edits this run in {r.seconds:.0f} s ({rate:.1f}/min)"]
    if r.missing:
        lines.append(f"verify: {len(r.missing)} article(s) missing on the wiki: "
                     + ", ".join(r.missing[:10]))
    else:
        lines.append("verify: every created article is on the wiki")
    return "\n".join(lines)


def check_result(r: Result) -> int:
    if r.missing:
        raise PartialFailure(f"{len(r.missing)} article(s) the journal lists are missing on "
                             f"the wiki (first: {r.missing[0]})")
    if r.counts["failed"] or r.counts["pending"] or r.counts["sending"]:
        n = r.counts["failed"] + r.counts["pending"] + r.counts["sending"]
        raise PartialFailure(f"{n} article(s) not uploaded yet ({r.counts['failed']} failed); "
                             "run again (with --retry-failed for the failed ones)")
    return 0


# --- status -------------------------------------------------------------------------------

def status(batch_dir, rate: float | None = None) -> dict:
    batch = open_batch(batch_dir, create=False)
    path = batch / "upload.sqlite"
    if not path.is_file():
        raise BatchError(f"{batch}: no upload journal yet (run `importer upload` first)")
    j = Journal(path)
    try:
        counts = j.counts()
        runs = j.runs()
        edits = sum(r[3] or 0 for r in runs)
        secs = sum((r[2] or time.time()) - r[1] for r in runs)
        last_rate = runs[-1][4] if runs else None
        observed = edits / secs * 60 if secs > 0 else None
        left = counts["pending"] + counts["sending"] + counts["failed"]
        pace = rate or last_rate or observed
        if observed and pace:
            pace = min(pace, observed) if pace > 0 else observed
        eta = left / pace * 60 if pace else None
        errors = [{"title": r.title, "state": r.state, "code": r.error_code, "message": r.error}
                  for r in j.last_errors(5)]
        return {"counts": counts, "total": sum(counts.values()), "runs": len(runs),
                "edits_per_minute": round(observed, 2) if observed else None,
                "eta_seconds": round(eta) if eta is not None else None, "last_errors": errors,
                "last_run": runs[-1][5] if runs else None}
    finally:
        j.close()


def format_status(s: dict) -> str:
    c = s["counts"]
    lines = [f"{s['total']} articles: " + ", ".join(f"{k} {v}" for k, v in c.items())]
    rate = s["edits_per_minute"]
    lines.append(f"runs: {s['runs']} (last: {s['last_run'] or '-'}); rate: "
                 f"{f'{rate:.1f} edits/min' if rate else '-'}; ETA: "
                 f"{_duration(s['eta_seconds']) if s['eta_seconds'] is not None else '-'}")
    for e in s["last_errors"]:
        lines.append(f"  {e['state']:8} {e['title']}: {e['code']} {e['message'] or ''}".rstrip())
    return "\n".join(lines)


def _duration(sec: float) -> str:
    sec = int(sec)
    h, m = divmod(sec // 60, 60)
    return f"{h} h {m} min" if h else f"{m} min {sec % 60} s"
