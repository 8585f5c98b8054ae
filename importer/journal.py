"""The upload journal: SQLite in the batch folder, one row per article.

A row records what the wiki confirmed: state, revision id, error code and
message, attempts, timestamps. Every change is one transaction (WAL, synchronous
FULL), so a run killed at any moment leaves a journal that says, per article,
either what happened or that an edit may have been in flight (`sending`).

States
  pending   not sent yet
  sending   the edit request may have reached the wiki; outcome unknown
  done      created by us (revid set)
  exists    the page already existed (articleexists); left untouched
  skipped   refused for a reason that retrying does not fix (protected, blacklisted...)
  failed    gave up after transient errors; `--retry-failed` sends it again
  undone    created by us (revid kept), then deleted by `importer undo --delete`;
            never sent again (a new state only: old journals need no migration)
"""
from __future__ import annotations

import hashlib
import sqlite3
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .errors import BatchError

JOURNAL_NAME = "upload.sqlite"
STATES = ("pending", "sending", "done", "exists", "skipped", "failed", "undone")
FINISHED = ("done", "exists", "skipped", "undone")

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id          TEXT PRIMARY KEY,
    seq         INTEGER NOT NULL,
    title       TEXT NOT NULL,
    kind        TEXT NOT NULL DEFAULT 'article',
    sha1        TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending',
    revid       INTEGER,
    error_code  TEXT,
    error       TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    first_sent  REAL,
    created     REAL NOT NULL,
    updated     REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_state ON articles(state, seq);
CREATE TABLE IF NOT EXISTS runs (
    id       INTEGER PRIMARY KEY,
    started  REAL NOT NULL,
    ended    REAL,
    edits    INTEGER NOT NULL DEFAULT 0,
    rate     REAL,
    outcome  TEXT
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""


def normalize_text(text: str) -> str:
    """The text as MediaWiki receives it (NFC, LF line ends)."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n"))


def stored_sha1(text: str) -> str:
    """sha1 of the text as MediaWiki stores it (trailing whitespace trimmed):
    the value `prop=revisions&rvprop=sha1` returns for our revision."""
    return hashlib.sha1(normalize_text(text).rstrip().encode("utf-8")).hexdigest()


@dataclass
class Row:
    id: str
    seq: int
    title: str
    kind: str
    sha1: str
    state: str
    revid: int | None
    error_code: str | None
    error: str | None
    attempts: int
    first_sent: float | None
    created: float
    updated: float


class Journal:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.executescript(SCHEMA)
        except sqlite3.Error as exc:
            raise BatchError(f"{self.path}: cannot open the upload journal ({exc})") from None

    @classmethod
    def for_batch(cls, batch: Path) -> "Journal":
        return cls(Path(batch) / JOURNAL_NAME)

    def close(self) -> None:
        self.db.close()

    # --- writing (each call is one transaction) --------------------------------
    def _write(self, sql: str, args: tuple = ()) -> None:
        try:
            with self.db:  # not needed with autocommit, but explicit: one statement
                self.db.execute(sql, args)
        except sqlite3.Error as exc:
            raise BatchError(f"{self.path}: cannot write the upload journal ({exc})") from None

    def sync(self, articles: list[dict]) -> int:
        """Add articles not yet in the journal as pending (in batch order);
        a pending or failed article whose text changed gets the new hash.
        Returns how many were added."""
        now = time.time()
        added = 0
        try:
            self.db.execute("BEGIN IMMEDIATE")
            known = {r[0]: (r[1], r[2]) for r in
                     self.db.execute("SELECT id, sha1, state FROM articles")}
            for seq, art in enumerate(articles):
                sha1 = stored_sha1(art["wikitext"])
                if art["id"] not in known:
                    self.db.execute(
                        "INSERT INTO articles (id, seq, title, kind, sha1, state, created, "
                        "updated) VALUES (?,?,?,?,?,'pending',?,?)",
                        (art["id"], seq, art["title"], art.get("kind", "article"), sha1, now, now))
                    added += 1
                elif known[art["id"]][0] != sha1 and known[art["id"]][1] in ("pending", "failed"):
                    self.db.execute("UPDATE articles SET sha1=?, title=?, updated=? WHERE id=?",
                                    (sha1, art["title"], now, art["id"]))
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise BatchError(f"{self.path}: cannot write the upload journal ({exc})") from None
        return added

    def mark_sending(self, id: str) -> None:
        """Committed *before* the request leaves: if we die now, resume checks the wiki."""
        now = time.time()
        self._write("UPDATE articles SET state='sending', attempts=attempts+1, "
                    "first_sent=COALESCE(first_sent, ?), updated=? WHERE id=?", (now, now, id))

    def mark(self, id: str, state: str, revid: int | None = None,
             code: str | None = None, message: str | None = None) -> None:
        assert state in STATES, state
        self._write("UPDATE articles SET state=?, revid=COALESCE(?, revid), error_code=?, "
                    "error=?, updated=? WHERE id=?",
                    (state, revid, code, message, time.time(), id))

    def reset_failed(self) -> int:
        cur = self.db.execute("SELECT COUNT(*) FROM articles WHERE state='failed'")
        n = cur.fetchone()[0]
        self._write("UPDATE articles SET state='pending', updated=? WHERE state='failed'",
                    (time.time(),))
        return n

    def start_run(self, rate: float) -> int:
        try:
            with self.db:
                cur = self.db.execute("INSERT INTO runs (started, rate) VALUES (?, ?)",
                                      (time.time(), rate))
        except sqlite3.Error as exc:
            raise BatchError(f"{self.path}: cannot write the upload journal ({exc})") from None
        return cur.lastrowid

    def end_run(self, run_id: int, edits: int, outcome: str) -> None:
        self._write("UPDATE runs SET ended=?, edits=?, outcome=? WHERE id=?",
                    (time.time(), edits, outcome, run_id))

    def set_meta(self, key: str, value: str) -> None:
        self._write("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # --- reading ---------------------------------------------------------------
    def _rows(self, sql: str, args: tuple = ()) -> list[Row]:
        return [Row(*r) for r in self.db.execute(sql, args)]

    def rows(self, *states: str) -> list[Row]:
        cols = ", ".join(Row.__dataclass_fields__)
        if not states:
            return self._rows(f"SELECT {cols} FROM articles ORDER BY seq")
        marks = ",".join("?" * len(states))
        return self._rows(f"SELECT {cols} FROM articles WHERE state IN ({marks}) ORDER BY seq",
                          states)

    def get(self, id: str) -> Row | None:
        cols = ", ".join(Row.__dataclass_fields__)
        rows = self._rows(f"SELECT {cols} FROM articles WHERE id=?", (id,))
        return rows[0] if rows else None

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(STATES, 0)
        for state, n in self.db.execute("SELECT state, COUNT(*) FROM articles GROUP BY state"):
            out[state] = n
        return out

    def last_errors(self, n: int = 5) -> list[Row]:
        cols = ", ".join(Row.__dataclass_fields__)
        return self._rows(f"SELECT {cols} FROM articles WHERE error_code IS NOT NULL "
                          f"ORDER BY updated DESC LIMIT ?", (n,))

    def runs(self) -> list[tuple]:
        return list(self.db.execute("SELECT id, started, ended, edits, rate, outcome "
                                    "FROM runs ORDER BY id"))

    def meta(self, key: str) -> str | None:
        r = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return r[0] if r else None
