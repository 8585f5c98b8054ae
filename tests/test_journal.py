"""The upload journal (importer/journal.py) on real SQLite files."""
from __future__ import annotations

import sqlite3

from importer.journal import Journal, stored_sha1


def arts(n, text="мәтін"):
    return [{"id": f"id{i}", "title": f"Мақала {i}", "wikitext": f"{text} {i}\n"}
            for i in range(n)]


def test_sync_adds_pending_rows_in_order_once(tmp_path):
    j = Journal(tmp_path / "upload.sqlite")
    assert j.sync(arts(3)) == 3
    assert j.sync(arts(4)) == 1
    rows = j.rows()
    assert [r.id for r in rows] == ["id0", "id1", "id2", "id3"]
    assert {r.state for r in rows} == {"pending"}
    assert j.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_states_revid_attempts_and_errors(tmp_path):
    j = Journal(tmp_path / "upload.sqlite")
    j.sync(arts(3))
    j.mark_sending("id0")
    j.mark("id0", "done", revid=42)
    j.mark_sending("id1")
    j.mark_sending("id1")
    j.mark("id1", "failed", code="maxlag", message="lagged")
    r0, r1 = j.get("id0"), j.get("id1")
    assert (r0.state, r0.revid, r0.attempts) == ("done", 42, 1)
    assert (r1.state, r1.error_code, r1.attempts) == ("failed", "maxlag", 2)
    assert r1.first_sent is not None
    assert j.counts()["done"] == 1 and j.counts()["pending"] == 1
    assert [r.id for r in j.last_errors()] == ["id1"]
    assert j.reset_failed() == 1
    assert j.get("id1").state == "pending"


def test_a_sending_row_survives_a_crash(tmp_path):
    """mark_sending is committed at once: another connection (a new process) sees it."""
    path = tmp_path / "upload.sqlite"
    j = Journal(path)
    j.sync(arts(2))
    j.mark_sending("id1")
    other = sqlite3.connect(path)
    assert other.execute("SELECT state FROM articles WHERE id='id1'").fetchone()[0] == "sending"


def test_changed_text_updates_hash_only_while_not_sent(tmp_path):
    j = Journal(tmp_path / "upload.sqlite")
    j.sync(arts(2))
    j.mark("id0", "done", revid=1)
    j.sync(arts(2, text="жаңа"))
    assert j.get("id0").sha1 == stored_sha1("мәтін 0\n")
    assert j.get("id1").sha1 == stored_sha1("жаңа 1\n")


def test_stored_sha1_matches_what_mediawiki_stores():
    # MediaWiki trims trailing whitespace and normalizes to NFC before storing.
    assert stored_sha1("й\r\n\n") == stored_sha1("\u0438\u0306")
