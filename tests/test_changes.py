"""importer/changes.py without a wiki: the license check, editors, the log walk,
the report files and their escaping."""
from __future__ import annotations

import html
import json

from importer import changes as ch

OURS = "'''Абай''' — ақын.\n\n== Дереккөздер ==\n{{ҚҰЭ|том=1|бет=17}}\n"
EVIL = "<script>alert(1)</script>"


def test_license_block_is_the_templates_of_our_text():
    assert ch.license_kept(OURS, OURS + "\nТолықтырылды.") is True
    assert ch.license_kept(OURS, "'''Абай''' — ақын.") is False
    # the name as editors may write it: other case of the first letter, underscores
    assert ch.license_kept("{{CC notice|cc=by-sa3}}", "{{ cC_notice |cc=by-sa4}}") is True
    assert ch.license_kept(OURS, None) is None         # the page is gone
    assert ch.license_kept(None, OURS) is None         # our text is unknown
    assert ch.license_kept("#REDIRECT [[Абай]]", "x") is None  # nothing to keep


def test_trial_journal_keys_map_to_article_ids():
    assert ch.article_id("User:Bot/trial/|1-abc") == "1-abc"
    assert ch.article_id("1-abc") == "1-abc"


def test_editors_are_counted_apart_from_our_account():
    entry = {"own_edits": 0}
    history = [{"user": "Ann", "timestamp": "t1"}, {"user": "ImportBot", "timestamp": "t2"},
               {"user": "Ann", "timestamp": "t3"}, {"user": None, "timestamp": "t4"}]
    ch.count_editors(entry, history, "ImportBot")
    assert entry["editors"] == {"Ann": 2, ch.HIDDEN_USER: 1}
    assert entry["own_edits"] == 1 and entry["revisions_since"] == 4
    assert entry["edited_by_others"] and entry["last_edit"] == "t4"
    entry = {"own_edits": 0}
    ch.count_editors(entry, [{"user": "ImportBot", "timestamp": "t"}], "ImportBot")
    assert entry["editors"] == {} and not entry["edited_by_others"]


def event(type_, title, logpage, timestamp, user="Ann", target=None, comment=""):
    return {"type": type_, "action": type_, "title": title, "logpage": logpage, "user": user,
            "timestamp": timestamp, "comment": comment, "target": target}


def reader(log: dict):
    asked = []

    def events(title):
        asked.append(title)
        return log.get(title, [])
    return events, asked


def test_the_log_walk_follows_moves_by_page_id():
    log = {
        "A": [event("create", "A", 7, "2024-01-01T00:00:00Z", user="ImportBot"),
              event("move", "A", 7, "2024-02-01T00:00:00Z", target="B"),
              # the redirect the move left at A is another page: its deletion is not ours
              event("delete", "A", 9, "2024-03-01T00:00:00Z", user="Admin")],
        "B": [event("move", "B", 7, "2024-04-01T00:00:00Z", user="Bob", target="C")],
        "C": [event("delete", "C", 7, "2024-05-01T00:00:00Z", user="Admin", comment="spam")],
    }
    events, asked = reader(log)
    assert ch.creation_pageid(events, "A", ch._epoch("2024-01-01T00:00:01Z")) == 7
    moves, deletion = ch.page_log(events, "A", 7, "")
    assert [(m["from"], m["to"], m["user"]) for m in moves] == [("A", "B", "Ann"),
                                                                ("B", "C", "Bob")]
    assert deletion == {"title": "C", "user": "Admin", "timestamp": "2024-05-01T00:00:00Z",
                        "comment": "spam"}
    # a page that exists under C: C's own log is not read
    events, asked = reader(log)
    moves, deletion = ch.page_log(events, "A", 7, "", now="C")
    assert asked == ["A", "B"] and len(moves) == 2 and deletion is None


def test_creation_pageid_takes_the_creation_nearest_to_our_upload():
    log = {"A": [event("create", "A", 3, "2023-01-01T00:00:00Z"),
                 event("delete", "A", 3, "2023-02-01T00:00:00Z"),
                 event("create", "A", 8, "2024-01-01T00:00:05Z", user="ImportBot")]}
    events, _ = reader(log)
    assert ch.creation_pageid(events, "A", ch._epoch("2024-01-01T00:00:00Z")) == 8
    assert ch.creation_pageid(events, "nothing", 0.0) is None


def test_status_is_the_most_telling_flag():
    flags = dict.fromkeys(ch.PRECEDENCE, False)
    assert ch.status_of(flags) == "unchanged"
    assert ch.status_of({**flags, "edited": True, "moved": True}) == "moved"
    assert ch.status_of({**flags, "edited": True, "redirected": True}) == "redirected"


def page(**fields):
    entry = {"id": "1-a", "title_created": "Абай", "title_now": "Абай", "pageid": 5,
             "status": "edited", "edited": True, "moved": False, "redirected": False,
             "deleted": False, "edited_by_others": True, "editors": {"Ann": 2},
             "own_edits": 0, "revisions_since": 2, "revid_created": 10, "revid_now": 12,
             "created": "2024-01-01T00:00:00Z", "bytes_then": 100, "bytes_now": 120,
             "size_change": 20, "license_block_kept": True, "last_edit": "2024-02-01T00:00:00Z",
             "last_editor": "Ann", "redirect_to": None, "old_title_redirects_to": None,
             "moves": [], "deletion": None, "undone": False, "file": None}
    entry.update(fields)
    return entry


def report(pages, tmp_path):
    counts = {s: sum(p["status"] == s for p in pages) for s in ch.STATUSES}
    return {"summary": {"batch": str(tmp_path), "wiki": "http://w/api.php",
                        "index_url": "http://w/index.php", "read_as": None,
                        "generated": "2024-03-01T00:00:00Z", "pages": len(pages),
                        "counts": counts, "edited_by_others": 1, "license_block_removed": 1,
                        "wikitext_files": 1, "requests": 4, "seconds": 0.5},
            "pages": pages}


def test_html_escapes_everything_that_came_from_the_wiki(tmp_path):
    pages = [page(id="1-a", title_created=EVIL, title_now=EVIL, editors={EVIL: 1}),
             page(id="1-b", title_created="Б & В", title_now=None, status="deleted",
                  deleted=True, pageid=None, deletion={"title": "Б & В", "user": "Admin",
                                                       "timestamp": "t", "comment": EVIL}),
             page(id="1-c", title_created="Ғ", status="unchanged", revisions_since=0,
                  license_block_kept=False)]
    text = ch.index_html(report(pages, tmp_path))
    assert EVIL not in text and "<script" not in text.lower()
    assert html.escape(EVIL) in text and "Б &amp; В" in text
    assert "default-src 'none'" in text  # no script could run even if one slipped in
    assert 'class="bad">REMOVED' in text
    assert 'href="http://w/index.php?diff=cur&amp;oldid=10"' in text


def test_report_files_are_written_whole_and_stale_wikitext_goes(tmp_path):
    folder = tmp_path / "changes"
    (folder / "wikitext").mkdir(parents=True)
    (folder / "wikitext" / "old-0000000000.wiki").write_text("stale", encoding="utf-8")
    pages = [page(id="1-a"), page(id="1-b", title_created="Б", title_now="Б",
                                  status="unchanged")]
    ch.write_report(folder, report(pages, tmp_path), {"1-a": "жаңа мәтін"})
    files = sorted(p.name for p in (folder / "wikitext").iterdir())
    assert len(files) == 1 and files[0].startswith("abay-")
    assert (folder / "wikitext" / files[0]).read_text(encoding="utf-8") == "жаңа мәтін"
    data = json.loads((folder / "changes.json").read_text(encoding="utf-8"))
    assert data["pages"][0]["file"] == f"wikitext/{files[0]}" and data["pages"][1]["file"] is None
    assert not list(folder.rglob("*.partial"))
    assert (folder / "index.html").is_file()


def test_the_screen_summary(tmp_path):
    pages = [page(), page(id="1-b", title_created="Б", title_now="Б2", status="moved",
                          moved=True, edited=False, moves=[{"user": "Bob"}])]
    text = ch.format_report(report(pages, tmp_path))
    assert text.splitlines()[0] == "2 page(s) created by this batch: 1 edited, 1 moved"
    assert "Абай: 2 revision(s) by Ann 2, +20 bytes" in text
    assert "Б -> Б2 (by Bob)" in text
