"""`importer undo` against the real local MediaWiki (scripts/localwiki.py): list the
pages a batch created, then delete the untouched ones, as the bot (no right to
delete) and as Admin (sysop). Real HTTP, real pywikibot, the CLI in a fresh process."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from test_upload_wiki import make_batch, run as upload
from wikihelp import (  # noqa: F401  (local_wiki is a fixture)
    api_get,
    api_login_session,
    count_requests,
    local_wiki,
    log_mark,
    page_revisions,
    request_log,
)

pytestmark = pytest.mark.wiki
ROOT = Path(__file__).resolve().parents[1]


def undo(info, batch, *args, admin=False, timeout=120) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["IMPORTER_USERNAME"] = info["admin_user"] if admin else info["bot_user"]
    env["IMPORTER_PASSWORD"] = info["admin_password"] if admin else info["bot_password"]
    return subprocess.run([sys.executable, "-m", "importer", "-q", "undo", str(batch),
                           "--api", info["api"], "--rate", "0", *args],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def states(batch: Path) -> dict:
    db = sqlite3.connect(batch / "upload.sqlite")
    try:
        return {r[0]: (r[1], r[2]) for r in db.execute("SELECT id, state, revid FROM articles")}
    finally:
        db.close()


def exists(info, title) -> bool:
    return bool(page_revisions(info, title, content=False))


def listed(p: subprocess.CompletedProcess) -> dict:
    assert p.returncode == 0, p.stderr
    return {e["title"]: e for e in json.loads(p.stdout)["pages"]}


def test_undo_lists_then_deletes_only_untouched_pages(local_wiki, tmp_path):
    info = local_wiki
    batch, arts = make_batch(tmp_path / "b", 4)
    p = upload(info, batch, "--rate", "0")
    assert p.returncode == 0, p.stderr
    created = states(batch)
    other = api_login_session(info, info["other_user"], info["other_password"])
    r = other.edit(arts[1]["title"], "Басқа адам түзетті.", summary="OtherUser's edit")
    assert r.get("edit", {}).get("result") == "Success", r
    edited = arts[1]
    untouched = [arts[0], arts[2], arts[3]]

    # 1. The list (the bot may not delete: it is still told what there is).
    mark = log_mark(info)
    p = undo(info, batch)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0].split() == ["title", "revid", "status"]
    for a in untouched:
        row = next(ln for ln in lines if ln.startswith(a["title"] + " "))
        assert str(created[a["id"]][1]) in row and row.rstrip().endswith("deletable")
    row = next(ln for ln in lines if ln.startswith(edited["title"] + " "))
    assert "edited by OtherUser" in row
    assert "nothing was changed" in p.stdout and "NO right to delete" in p.stdout
    # one query for the four titles, one by revision id for the edited page
    queries = [r for r in request_log(info, mark) if r["action"] == "query"
               and r["title"] and edited["title"] in r["title"]]
    assert len(queries) == 1 and all(a["title"] in queries[0]["title"] for a in arts)

    # --json, and --delete without --yes (Admin): a dry run
    p = undo(info, batch, "--json", "--delete", admin=True)
    pages = listed(p)
    assert {t: e["status"] for t, e in pages.items()} == {
        **{a["title"]: "deletable" for a in untouched}, edited["title"]: "edited"}
    assert pages[edited["title"]]["last_user"] == info["other_user"]
    assert pages[edited["title"]]["revid"] == created[edited["id"]][1]
    assert "would delete the 3" in undo(info, batch, "--delete", admin=True).stdout
    # --yes alone is refused
    p = undo(info, batch, "--yes", admin=True)
    assert p.returncode == 2 and p.stderr.count("\n") == 1, p.stderr

    assert count_requests(info, action="delete", since=mark) == 0
    assert all(exists(info, a["title"]) for a in arts)
    assert states(batch) == created

    # 2. The bot asks to delete: one line, a clear exit code, nothing deleted.
    mark = log_mark(info)
    p = undo(info, batch, "--delete", "--yes")
    assert p.returncode == 77, (p.returncode, p.stderr)
    assert p.stderr.count("\n") == 1 and "no right to delete" in p.stderr, p.stderr
    assert info["bot_password"] not in p.stdout + p.stderr
    assert count_requests(info, action="delete", since=mark) == 0
    assert all(exists(info, a["title"]) for a in arts)
    assert states(batch) == created

    # 3. Admin deletes: the untouched pages go, the edited one stays.
    mark = log_mark(info)
    p = undo(info, batch, "--delete", "--yes", admin=True)
    assert p.returncode == 0, p.stderr
    assert "deleted 3 page(s) as Admin" in p.stdout
    assert "edited by OtherUser" in p.stdout
    deletes = [r for r in request_log(info, mark) if r["action"] == "delete"]
    assert len(deletes) == 3 and all(r["method"] == "POST" and not r["error"] for r in deletes)
    for a in untouched:
        assert not exists(info, a["title"]), a["title"]
    revs = page_revisions(info, edited["title"])
    assert [r["user"] for r in revs] == [info["bot_account"], info["other_user"]]
    assert {i: s[0] for i, s in states(batch).items()} == {
        **{a["id"]: "undone" for a in untouched}, edited["id"]: "done"}
    assert {i: s[1] for i, s in states(batch).items()} == {i: s[1] for i, s in created.items()}
    # the deletion log names the batch
    logs = api_get(info, action="query", list="logevents", letype="delete",
                   letitle=arts[0]["title"])["query"]["logevents"]
    assert logs and batch.name in logs[0]["comment"] and logs[0]["user"] == info["admin_user"]

    # 4. Again: nothing left to delete, no delete request, the journal says why.
    mark = log_mark(info)
    p = undo(info, batch, "--delete", "--yes", "--json", admin=True)
    pages = listed(p)
    assert {t: e["status"] for t, e in pages.items()} == {
        **{a["title"]: "undone" for a in untouched}, edited["title"]: "edited"}
    assert count_requests(info, action="delete", since=mark) == 0
    assert exists(info, edited["title"])


def test_moved_and_already_deleted_pages_are_listed_not_deleted(local_wiki, tmp_path):
    info = local_wiki
    batch, arts = make_batch(tmp_path / "b", 3)
    p = upload(info, batch, "--rate", "0")
    assert p.returncode == 0, p.stderr
    admin = api_login_session(info, info["admin_user"], info["admin_password"])
    new_title = arts[0]["title"] + " (көшірілген)"
    r = admin.post(action="move", token=admin.csrf_token(), to=new_title,
                   reason="test move", **{"from": arts[0]["title"]})
    assert "move" in r, r
    r = admin.post(action="delete", title=arts[1]["title"], reason="test delete",
                   token=admin.csrf_token())
    assert "delete" in r, r

    mark = log_mark(info)
    p = undo(info, batch, "--delete", "--yes", "--json", admin=True)
    pages = listed(p)
    assert pages[arts[0]["title"]]["status"] == "moved"
    assert pages[arts[0]["title"]]["now_title"] == new_title
    assert pages[arts[1]["title"]]["status"] == "already-deleted"
    assert pages[arts[2]["title"]]["status"] == "deleted"
    assert count_requests(info, action="delete", since=mark) == 1
    assert exists(info, new_title) and exists(info, arts[0]["title"])  # and its redirect
    assert not exists(info, arts[2]["title"])
    assert {i: s[0] for i, s in states(batch).items()} == {
        arts[0]["id"]: "done", arts[1]["id"]: "done", arts[2]["id"]: "undone"}


def test_undo_without_a_journal(local_wiki, tmp_path):
    batch, _ = make_batch(tmp_path / "b", 1)
    p = undo(local_wiki, batch)
    assert p.returncode == 74 and p.stderr.count("\n") == 1 and "no upload journal" in p.stderr
