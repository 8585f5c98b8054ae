"""`importer changes` against the real local MediaWiki (scripts/localwiki.py): a batch
uploaded by the bot, then edited, moved, redirected and deleted by other accounts.
Real HTTP, real pywikibot, the CLI in a fresh process."""
from __future__ import annotations

import html
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from test_upload_wiki import make_batch, run as upload
from wikihelp import (  # noqa: F401  (local_wiki is a fixture)
    api_login_session,
    count_requests,
    local_wiki,
    log_mark,
    page_revisions,
    request_log,
)

pytestmark = pytest.mark.wiki
ROOT = Path(__file__).resolve().parents[1]
LICENSE = "{{CC-notice|cc=by-sa3}}"
EVIL = "<script>alert(1)</script>"


def changes(info, batch, *args, account=True, api=None, password=None,
            timeout=180) -> subprocess.CompletedProcess:
    """`importer changes`, logged in as the bot (account=True) or anonymous."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMPORTER_")}
    if account:
        env["IMPORTER_USERNAME"] = info["bot_user"]
        env["IMPORTER_PASSWORD"] = password or info["bot_password"]
    return subprocess.run([sys.executable, "-m", "importer", "-q", "changes", str(batch),
                           "--api", api or info["api"], *args],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def edit(session, title, text, summary="community edit"):
    r = session.edit(title, text, summary=summary)
    assert r.get("edit", {}).get("result") == "Success", r


def uploaded(info, tmp_path, n):
    batch, arts = make_batch(tmp_path / "b", n)
    p = upload(info, batch, "--rate", "0")
    assert p.returncode == 0, p.stderr
    return batch, arts


def test_changes_reports_edits_moves_redirects_and_deletions(local_wiki, tmp_path):
    info = local_wiki
    batch, arts = uploaded(info, tmp_path, 8)
    kept, stripped, moved, redirected, deleted, ours, untouched = (
        arts[0], arts[1], arts[2], arts[3], arts[4], arts[5], arts[6:])
    other = api_login_session(info, info["other_user"], info["other_password"])
    admin = api_login_session(info, info["admin_user"], info["admin_password"])
    bot = api_login_session(info, info["bot_user"], info["bot_password"])
    # two edits that keep the license block; one that removes it
    edit(other, kept["title"], kept["wikitext"].replace("адам.", "адам. Өзен бар."))
    edit(other, kept["title"], kept["wikitext"].replace("адам.", "адам. Өзен мен көл бар."))
    edit(other, stripped["title"], stripped["wikitext"].replace(LICENSE, "").rstrip())
    # a move that leaves a redirect behind
    new_title = moved["title"] + " (ауыл)"
    r = other.post(action="move", token=other.csrf_token(), to=new_title, reason="атауы",
                   **{"from": moved["title"]})
    assert "move" in r, r
    edit(other, redirected["title"], f"#REDIRECT [[{untouched[0]['title']}]]")
    r = admin.post(action="delete", title=deleted["title"], reason=f"test {EVIL}",
                   token=admin.csrf_token())
    assert "delete" in r, r
    edit(bot, ours["title"], ours["wikitext"] + "\nТүзету.")  # a later fix by ourselves

    mark = log_mark(info)
    p = changes(info, batch)
    assert p.returncode == 0, p.stderr
    report = json.loads((batch / "changes" / "changes.json").read_text(encoding="utf-8"))
    pages = {e["title_created"]: e for e in report["pages"]}
    assert {t: e["status"] for t, e in pages.items()} == {
        kept["title"]: "edited", stripped["title"]: "edited", moved["title"]: "moved",
        redirected["title"]: "redirected", deleted["title"]: "deleted",
        ours["title"]: "edited", **{a["title"]: "unchanged" for a in untouched}}
    assert report["summary"]["counts"] == {"deleted": 1, "redirected": 1, "moved": 1,
                                           "edited": 3, "unchanged": 2}
    assert report["summary"]["read_as"] == info["bot_account"]

    e = pages[kept["title"]]
    assert e["editors"] == {info["other_user"]: 2} and e["revisions_since"] == 2
    assert e["edited_by_others"] and e["license_block_kept"] is True
    assert e["size_change"] > 0 and e["bytes_now"] - e["bytes_then"] == e["size_change"]
    assert e["last_editor"] == info["other_user"] and e["title_now"] == kept["title"]
    revs = page_revisions(info, kept["title"])
    assert e["revid_created"] == revs[0]["revid"] and e["revid_now"] == revs[-1]["revid"]
    assert e["last_edit"] == revs[-1]["timestamp"] and e["bytes_now"] == revs[-1]["size"]

    e = pages[stripped["title"]]
    assert e["editors"] == {info["other_user"]: 1} and e["license_block_kept"] is False
    assert e["size_change"] < 0

    e = pages[moved["title"]]
    assert e["moved"] and not e["edited"] and e["title_now"] == new_title
    assert e["old_title_redirects_to"] == new_title
    assert [(m["from"], m["to"], m["user"]) for m in e["moves"]] == [
        (moved["title"], new_title, info["other_user"])]
    assert e["editors"] == {info["other_user"]: 1}  # the move's own revision
    assert e["license_block_kept"] is True and e["size_change"] == 0

    e = pages[redirected["title"]]
    assert e["redirected"] and e["redirect_to"] == untouched[0]["title"]
    assert e["license_block_kept"] is False and e["size_change"] < 0

    e = pages[deleted["title"]]
    assert e["deleted"] and e["title_now"] is None and e["pageid"]
    assert e["deletion"]["user"] == info["admin_user"]
    assert e["deletion"]["comment"] == f"test {EVIL}"
    assert e["license_block_kept"] is None and e["revisions_since"] is None

    e = pages[ours["title"]]
    assert e["editors"] == {} and e["own_edits"] == 1 and not e["edited_by_others"]
    assert e["license_block_kept"] is True

    for a in untouched:
        e = pages[a["title"]]
        assert e["revisions_since"] == 0 and e["size_change"] == 0 and not e["editors"]
        assert e["license_block_kept"] is True and e["file"] is None

    # the current wikitext, exactly for the edited, moved and redirected pages
    files = sorted(p.name for p in (batch / "changes" / "wikitext").iterdir())
    with_text = [e for e in report["pages"] if e["status"] in ("edited", "moved", "redirected")]
    assert files == sorted(Path(e["file"]).name for e in with_text) and len(files) == 5
    for e in with_text:
        text = (batch / "changes" / e["file"]).read_text(encoding="utf-8")
        assert text == page_revisions(info, e["title_now"])[-1]["content"]

    # the HTML: every title there, escaped; the deletion reason's script is text
    page = (batch / "changes" / "index.html").read_text(encoding="utf-8")
    for a in arts:
        assert html.escape(a["title"]) in page
    assert EVIL not in page and html.escape(EVIL) in page
    assert "<script" not in page.lower()

    # requests: 3 batched queries (our revisions, the changed pages' text, their titles),
    # one history per changed page (5), one log per moved or deleted title (2)
    assert report["summary"]["requests"] == 3 + 5 + 2
    assert count_requests(info, since=mark) <= 10 + 8  # and pywikibot's login
    assert count_requests(info, action="edit", since=mark) == 0
    assert count_requests(info, action="delete", since=mark) == 0
    out = p.stdout
    assert "8 page(s) created by this batch" in out and "1 deleted" in out
    assert f"{moved['title']} -> {new_title}" in out and "license block removed (2)" in out
    assert info["bot_password"] not in out + p.stderr
    for f in batch.rglob("*"):
        if f.is_file():
            assert info["bot_password"].encode() not in f.read_bytes(), f

    # again, after a page was edited back to ours: stale wikitext files are removed
    edit(other, stripped["title"], stripped["wikitext"])
    p = changes(info, batch)
    assert p.returncode == 0, p.stderr
    report = json.loads((batch / "changes" / "changes.json").read_text(encoding="utf-8"))
    e = next(e for e in report["pages"] if e["title_created"] == stripped["title"])
    assert e["status"] == "unchanged" and e["revisions_since"] == 2 and e["file"] is None
    assert len(list((batch / "changes" / "wikitext").iterdir())) == 4


def test_unchanged_pages_cost_no_requests_of_their_own(local_wiki, tmp_path):
    info = local_wiki
    batch, arts = uploaded(info, tmp_path, 60)
    other = api_login_session(info, info["other_user"], info["other_password"])
    edit(other, arts[7]["title"], arts[7]["wikitext"] + "\nҚосымша.")
    edit(other, arts[40]["title"], arts[40]["wikitext"] + "\nҚосымша.")

    mark = log_mark(info)
    p = changes(info, batch, account=False)  # anonymous: 50 ids per query
    assert p.returncode == 0, p.stderr
    report = json.loads((batch / "changes" / "changes.json").read_text(encoding="utf-8"))
    assert report["summary"]["read_as"] is None
    assert report["summary"]["counts"]["edited"] == 2
    assert report["summary"]["counts"]["unchanged"] == 58
    # our reads: the wiki is there (1), our revisions (2 x 50 ids), the changed pages'
    # text and titles (1 + 1), their histories (2); then pywikibot's own few
    assert report["summary"]["requests"] == 7
    n = count_requests(info, since=mark)
    assert n < 60 / 10 + 6, request_log(info, mark)


def test_changes_errors_are_one_line(local_wiki, tmp_path):
    info = local_wiki
    batch, _ = make_batch(tmp_path / "b", 1)
    p = changes(info, batch)
    assert p.returncode == 74 and p.stderr.count("\n") == 1, p.stderr
    assert "no upload journal" in p.stderr and "Traceback" not in p.stderr
    p = changes(info, tmp_path / "nope")
    assert p.returncode == 74 and p.stderr.count("\n") == 1, p.stderr

    batch, _ = uploaded(info, tmp_path / "u", 1)
    shutil.rmtree(batch / ".pywikibot")  # the upload's session cookie would still log us in
    secret = "wrong-password-wrong-password-12345"
    p = changes(info, batch, password=secret)
    assert p.returncode == 77 and p.stderr.count("\n") == 1, p.stderr
    assert "login" in p.stderr and secret not in p.stderr
    p = changes(info, batch, account=False, api="http://127.0.0.1:9/api.php")
    assert p.returncode == 69 and p.stderr.count("\n") == 1, p.stderr
    assert "cannot reach the wiki" in p.stderr
    assert not (batch / "changes").exists()
