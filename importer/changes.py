"""`importer changes BATCH`: what the community did to the pages a batch created.

The donor's next paper edition builds on the community-edited articles. For every
page the batch created (the upload journal's `done` and `undone` rows, as
`importer undo` reads them) this says whether it was edited since, by whom, in how
many revisions, how its size changed, whether it still carries the license block,
and whether it was moved, turned into a redirect or deleted. It writes

    BATCH/changes/changes.json        the report: "summary" and one entry per page
    BATCH/changes/index.html          the same for people: static, no script
    BATCH/changes/wikitext/<f>.wiki   the current wikitext of every edited, moved or
                                      redirected article (file names as the preview's)

Reading the wiki (list queries batched: 50 values, 500 with apihighlimits):

1. our creating revisions, by revision id: the page that holds each now, followed
   by page id (a move shows as a new title; a revision that is gone means the page
   was deleted), its latest revision, length and redirect flag, and our revision's
   size, sha1 and user. An untouched page costs nothing more than its share here.
2. pages whose latest revision is not ours: their current wikitext (batched), the
   revisions after ours (one request per page), what their old title and redirect
   targets are now (batched).
3. moved and deleted pages: the log of their title (one request per title),
   following the page's moves by the page id the log records; a deleted page's id
   comes from its creation log entry.

A page's status is the first of deleted, redirected, moved, edited that holds, else
unchanged; the flags of the same names say every one that holds. "edited" means
the text differs from ours (a move or a protection adds a revision without
changing the text). Editors are counted apart from our own account (the
one that made our revisions). The license block counts as kept when every
template of our own text is still in the current text: the renderer lets no
template but the profile's attribution template into an article, so for a built
batch that is exactly the attribution template.

Anonymous reading is enough for a public wiki: with --api and no account
(IMPORTER_USERNAME, --user) nothing is logged in; with an account or --site the
session logs in as `importer upload` does (higher query limits, private wikis).
"""
from __future__ import annotations

import calendar
import html
import json
import logging
import os
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

import mwparserfromhell

from .batch import attach_log, detach_log, open_batch
from .errors import BatchError
from .journal import JOURNAL_NAME, Journal

log = logging.getLogger("importer.changes")

FOLDER = "changes"
STATUSES = ("edited", "moved", "redirected", "deleted", "unchanged")  # as listed
PRECEDENCE = ("deleted", "redirected", "moved", "edited")  # a page's status: the first that holds
WITH_TEXT = ("edited", "moved", "redirected")  # statuses whose current wikitext is saved
MAX_TITLES = 10  # titles of one page's move chain read from the log, at most
HIDDEN_USER = "(hidden)"


# --- the batch ----------------------------------------------------------------------------

def our_texts(batch: Path) -> dict[str, str]:
    """Article id -> the wikitext we uploaded (from articles.jsonl, when it is there)."""
    if not (batch / "articles.jsonl").is_file():
        return {}
    from .upload import load_articles
    return {a["id"]: a["wikitext"] for a in load_articles(batch)}


def article_id(journal_id: str) -> str:
    """A trial upload's journal key is "PREFIX|id" (see upload.select)."""
    return journal_id.rpartition("|")[2]


def template_names(wikitext: str) -> set[str]:
    """The templates a wikitext uses, by normalized name."""
    names = set()
    for template in mwparserfromhell.parse(wikitext).filter_templates(recursive=True):
        name = " ".join(str(template.name).replace("_", " ").split())
        if name:
            names.add(name[:1].upper() + name[1:])
    return names


def license_kept(ours: str | None, now: str | None) -> bool | None:
    """Are the templates of our text (the license block) all in the text now?
    None when it cannot be told (our text unknown, none there, page gone)."""
    if ours is None or now is None:
        return None
    wanted = template_names(ours)
    return wanted <= template_names(now) if wanted else None


def _epoch(timestamp: str) -> float:
    return calendar.timegm(time.strptime(timestamp, "%Y-%m-%dT%H:%M:%SZ"))


def _iso(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


# --- what became of each page ---------------------------------------------------------------

def new_entry(row, holder: dict | None, our_text: str | None) -> dict:
    """A page's entry from its journal row and what holds our revision now; until
    shown otherwise the page is as we made it (or, with no holder, deleted)."""
    ours = holder["revision"] if holder else {}
    then, now = ours.get("size"), holder["length"] if holder else None
    return {
        "id": row.id, "title_created": row.title,
        "title_now": holder["title"] if holder else None,
        "pageid": holder["pageid"] if holder else None,
        "status": "unchanged" if holder else "deleted",
        "edited": False, "moved": False, "redirected": False, "deleted": holder is None,
        "edited_by_others": False, "editors": {}, "own_edits": 0,
        "revisions_since": 0 if holder else None,
        "revid_created": row.revid, "revid_now": holder["lastrevid"] if holder else None,
        "created": ours.get("timestamp"),
        "bytes_then": then, "bytes_now": now,
        "size_change": now - then if then is not None and now is not None else None,
        "license_block_kept": license_kept(our_text, our_text) if holder else None,  # ours
        "last_edit": ours.get("timestamp"), "last_editor": ours.get("user"),
        "redirect_to": None, "old_title_redirects_to": None, "moves": [], "deletion": None,
        "undone": row.state == "undone", "file": None,
    }


def count_editors(entry: dict, history: list[dict], creator: str | None) -> None:
    """Editors and revisions after ours; our own account's revisions counted apart."""
    editors = Counter()
    for rev in history:
        user = rev.get("user") or HIDDEN_USER
        if user == creator:
            entry["own_edits"] += 1
        else:
            editors[user] += 1
    entry["editors"] = dict(editors.most_common())
    entry["edited_by_others"] = bool(editors)
    entry["revisions_since"] = len(history)
    if history:
        entry["last_edit"] = history[-1].get("timestamp")
        entry["last_editor"] = history[-1].get("user") or HIDDEN_USER


def log_reader(wiki):
    """wiki.log_events, each title read once per run."""
    read: dict[str, list[dict]] = {}

    def events(title: str) -> list[dict]:
        if title not in read:
            read[title] = wiki.log_events(title)
        return read[title]
    return events


def page_log(events, title: str, pageid: int | None, since: str,
             now: str | None = None) -> tuple[list[dict], dict | None]:
    """The moves and the deletion of one page, from the log of its title and of every
    title it was moved to (but `now`, its title today: nothing left it since).
    Entries are matched by the page id the log records; without one (no creation
    entry found), by time."""
    mine, todo, seen = [], [title], {now}
    while todo and len(seen) <= MAX_TITLES:
        t = todo.pop(0)
        if t in seen:
            continue
        seen.add(t)
        for e in events(t):
            if (e["logpage"] == pageid) if pageid else (e["timestamp"] or "") >= since:
                mine.append(e)
                if e["type"] == "move" and e["target"]:
                    todo.append(e["target"])
    mine.sort(key=lambda e: e["timestamp"] or "")
    moves = [{"from": e["title"], "to": e["target"], "user": e["user"],
              "timestamp": e["timestamp"], "comment": e["comment"]}
             for e in mine if e["type"] == "move"]
    deletions = [e for e in mine if e["type"] == "delete" and e["action"] == "delete"]
    deletion = ({k: deletions[-1][k] for k in ("title", "user", "timestamp", "comment")}
                if deletions else None)
    return moves, deletion


def creation_pageid(events, title: str, sent: float) -> int | None:
    """The id a deleted page had: from its creation log entry (the one nearest to when
    we sent it); None when the log has none."""
    creations = [e for e in events(title)
                 if e["type"] == "create" and e["timestamp"] and e["logpage"]]
    if not creations:
        return None
    return min(creations, key=lambda e: abs(_epoch(e["timestamp"]) - sent))["logpage"]


def status_of(e: dict) -> str:
    return next((s for s in PRECEDENCE if e[s]), "unchanged")


def follow(wiki, rows, ours: dict[str, str], progress: bool) -> tuple[list[dict], dict]:
    """Every journal row's entry, and the current wikitext of the pages whose status
    asks for it (entry id -> text)."""
    holders = wiki.created_revisions([r.revid for r in rows])
    creators = Counter(h["revision"]["user"] for h in holders.values() if h)
    creator = creators.most_common(1)[0][0] if creators else (wiki.user or None)
    entries = [new_entry(r, holders[r.revid], ours.get(article_id(r.id))) for r in rows]
    changed = [e for e in entries if not e["deleted"] and e["revid_now"] != e["revid_created"]]
    deleted = [(e, r) for e, r in zip(entries, rows) if e["deleted"]]
    current = wiki.current_revisions([e["pageid"] for e in changed]) if changed else {}
    redirects = {e["id"] for e in changed if holders[e["revid_created"]]["redirect"]}
    asked = [e["title_created"] for e in changed]
    asked += [e["title_now"] for e in changed if e["id"] in redirects]
    titles = wiki.title_targets(list(dict.fromkeys(asked))) if asked else {}

    texts: dict[str, str] = {}
    events = log_reader(wiki)
    bar = _bar(len(changed) + len(deleted), progress)
    try:
        for e in changed:
            now = current.get(e["pageid"], {})
            e["edited"] = now.get("sha1") != holders[e["revid_created"]]["revision"]["sha1"]
            e["license_block_kept"] = license_kept(ours.get(article_id(e["id"])),
                                                   now.get("text"))
            count_editors(e, wiki.revisions_after(e["pageid"], e["revid_created"]), creator)
            if e["id"] in redirects:
                e["redirected"] = True
                e["redirect_to"] = titles[e["title_now"]]["redirect_to"]
            old = titles[e["title_created"]]
            if old["title"] != e["title_now"]:
                e["moved"] = True
                e["old_title_redirects_to"] = old["redirect_to"]
                e["moves"], _ = page_log(events, e["title_created"], e["pageid"], e["created"],
                                         now=e["title_now"])
            e["status"] = status_of(e)
            if e["status"] in WITH_TEXT and now.get("text") is not None:
                texts[e["id"]] = now["text"]
            _tick(bar)
        for e, row in deleted:
            sent = row.first_sent or row.created
            e["pageid"] = creation_pageid(events, row.title, sent)
            e["moves"], e["deletion"] = page_log(events, row.title, e["pageid"],
                                                 _iso(sent - 60))
            e["moved"] = bool(e["moves"])
            if e["deletion"]:
                e["last_edit"], e["last_editor"] = (e["deletion"]["timestamp"],
                                                    e["deletion"]["user"])
            _tick(bar)
    finally:
        if bar is not None:
            bar.close()
    return entries, texts


def _bar(total: int, progress: bool):
    if not progress or not total:
        return None
    from tqdm import tqdm
    return tqdm(total=total, unit="page", desc="changes", file=sys.stderr, leave=False)


def _tick(bar) -> None:
    if bar is not None:
        bar.update(1)


# --- the command ---------------------------------------------------------------------------------

def changes(batch_dir, api: str | None = None, site: str | None = None, user: str | None = None,
            password_file: str | None = None, code: str = "kk", progress: bool = True) -> dict:
    """Read what became of the batch's pages, write BATCH/changes/, return the report."""
    started = time.monotonic()
    batch = open_batch(batch_dir, create=False)
    path = batch / JOURNAL_NAME
    if not path.is_file():
        raise BatchError(f"{batch}: no upload journal (nothing was uploaded from this batch)")
    if not os.access(batch, os.W_OK):
        raise BatchError(f"{batch}: the batch folder is not writable; the report goes to "
                         f"{batch / FOLDER}")
    journal = Journal(path)
    try:
        rows = journal.rows("done", "undone")  # the pages this batch created, as undo reads them
    finally:
        journal.close()
    ours = our_texts(batch)
    handler = attach_log(batch)
    try:
        from .wiki import Wiki, credentials
        # An account when one is named; else a public wiki is read anonymously.
        named = user or password_file or os.environ.get("IMPORTER_USERNAME")
        creds = credentials(user, password_file) if api and named else None
        wiki = Wiki.connect_reader(batch, api=api, site=site, creds=creds, code=code)
        try:
            log.info("changes %s: %d page(s) in the journal, read as %s", batch, len(rows),
                     wiki.user or "anonymous")
            entries, texts = follow(wiki, rows, ours, progress)
            summary = {
                "batch": str(batch), "wiki": api or site, "index_url": wiki.index_url(),
                "read_as": wiki.user or None, "generated": _iso(time.time()),
                "pages": len(entries),
                "counts": {s: sum(e["status"] == s for e in entries) for s in STATUSES},
                "edited_by_others": sum(e["edited_by_others"] for e in entries),
                "license_block_removed": sum(e["license_block_kept"] is False for e in entries),
                "wikitext_files": len(texts), "requests": wiki.requests,
            }
        finally:
            wiki.close()
        summary["seconds"] = round(time.monotonic() - started, 2)
        report = {"summary": summary, "pages": entries}
        write_report(batch / FOLDER, report, texts)
        log.info("changes %s: %s; %d request(s)", batch, summary["counts"], summary["requests"])
    finally:
        detach_log(handler)
    return report


# --- writing ---------------------------------------------------------------------------------

def _write(path: Path, text: str) -> None:
    """Whole or not at all: a reader never sees half a file."""
    tmp = path.with_name(path.name + ".partial")
    tmp.write_text(text, encoding="utf-8", newline="\n")
    os.replace(tmp, path)


def write_report(folder: Path, report: dict, texts: dict[str, str]) -> None:
    """changes.json, index.html and wikitext/<file>.wiki (files of pages that no longer
    need one, from an earlier run, are removed)."""
    from .preview import file_names  # the preview's file names: ASCII slug + hash of the id
    wikitext = folder / "wikitext"
    try:
        wikitext.mkdir(parents=True, exist_ok=True)
        names = file_names([{"id": e["id"], "title": e["title_now"]}
                            for e in report["pages"] if e["id"] in texts])
        for e in report["pages"]:
            if e["id"] in texts:
                e["file"] = f"wikitext/{names[e['id']]}"
                _write(wikitext / names[e["id"]], texts[e["id"]])
        for old in wikitext.glob("*.wiki"):
            if old.name not in names.values():
                old.unlink()
        _write(folder / "changes.json", json.dumps(report, ensure_ascii=False, indent=1) + "\n")
        _write(folder / "index.html", index_html(report))
    except OSError as exc:
        raise BatchError(f"{folder}: cannot write the report ({exc.strerror})") from None


def _e(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _link(base: str, params: dict, text: str) -> str:
    return f'<a href="{_e(base + "?" + urlencode(params))}">{_e(text)}</a>'


def _row(e: dict, base: str) -> str:
    """One page as a table row; every cell escaped."""
    links = []
    if e["deleted"]:
        links.append(_link(base, {"title": "Special:Log", "page": e["title_created"]}, "log"))
    else:
        links.append(_link(base, {"curid": e["pageid"]}, "page"))
        if e["revisions_since"]:
            links.append(_link(base, {"diff": "cur", "oldid": e["revid_created"]},
                               "diff since import"))
            links.append(_link(base, {"curid": e["pageid"], "action": "history"}, "history"))
    if e["file"]:
        links.append(f'<a href="{_e(e["file"])}">wikitext</a>')
    if e["deletion"]:
        d = e["deletion"]
        now = "deleted" + (f" as {d['title']}" if d["title"] != e["title_created"] else "") + \
            f" by {d['user']}" + (f": {d['comment']}" if d["comment"] else "")
    elif e["deleted"]:
        now = "deleted" + (" (importer undo)" if e["undone"] else "")
    elif e["redirected"]:
        now = f"{e['title_now']} → {e['redirect_to'] or '?'}"
    else:
        now = e["title_now"] if e["title_now"] != e["title_created"] else ""
    editors = ", ".join(f"{u} ({n})" for u, n in e["editors"].items())
    if e["own_edits"]:
        editors += (", " if editors else "") + f"us ({e['own_edits']})"
    size = ""
    if e["size_change"] is not None:
        size = f"{e['bytes_then']} → {e['bytes_now']} ({e['size_change']:+d})"
    kept = {True: "kept", False: "REMOVED", None: "–"}[e["license_block_kept"]]
    cells = [_e(c) for c in (e["title_created"], now, editors, e["revisions_since"], size)]
    cells.append(f'<span class="bad">{kept}</span>' if e["license_block_kept"] is False
                 else kept)
    cells += [_e(e["last_edit"]), " · ".join(links)]
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


STYLE = """
body { font: 15px/1.4 system-ui, sans-serif; margin: 1.5em; color: #202122; }
table { border-collapse: collapse; margin: .5em 0 1.5em; }
th, td { border: 1px solid #c8ccd1; padding: .25em .5em; text-align: left; vertical-align: top; }
th { background: #eaecf0; }
.bad { color: #d33; font-weight: bold; }
nav a { margin-right: 1em; }
"""


def index_html(report: dict) -> str:
    """A static page: no script (the Content-Security-Policy forbids any), every value
    that came from the wiki escaped."""
    s = report["summary"]
    base = s["index_url"]
    facts = [("Batch", s["batch"]), ("Wiki", s["wiki"]), ("Read as", s["read_as"] or
             "anonymous"), ("Generated", s["generated"]), ("Pages created", s["pages"]),
             ("Edited by others", s["edited_by_others"]),
             ("License block removed", s["license_block_removed"])]
    out = ["<!DOCTYPE html>", '<html><head><meta charset="utf-8">',
           '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
           "style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\">",
           '<meta name="referrer" content="no-referrer">',
           f"<title>Changes since the import: {_e(Path(s['batch']).name)}</title>",
           f"<style>{STYLE}</style></head><body>",
           f"<h1>Changes since the import: {_e(Path(s['batch']).name)}</h1>",
           "<table><tbody>"]
    out += [f'<tr><th scope="row">{_e(k)}</th><td>{_e(v)}</td></tr>' for k, v in facts]
    out.append("</tbody></table>")
    out.append("<nav>" + "".join(f'<a href="#{st}">{st} ({s["counts"][st]})</a>'
                                 for st in STATUSES) + "</nav>")
    head = "".join(f"<th>{h}</th>" for h in (
        "created as", "now", "editors (edits)", "revisions since", "bytes", "license block",
        "last change", "links"))
    for status in STATUSES:
        group = [e for e in report["pages"] if e["status"] == status]
        out.append(f'<h2 id="{status}">{status.capitalize()} ({len(group)})</h2>')
        if group:
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>")
            out += [_row(e, base) for e in group]
            out.append("</tbody></table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


# --- the screen ---------------------------------------------------------------------------------

def format_report(report: dict, shown: int = 8) -> str:
    """One screen: the counts, then the pages that changed (a few of each kind)."""
    s = report["summary"]
    pages = report["pages"]
    lines = [f"{s['pages']} page(s) created by this batch: " +
             ", ".join(f"{n} {st}" for st, n in s["counts"].items() if n)]

    def listing(label: str, chosen: list[dict], describe) -> None:
        if not chosen:
            return
        lines.append(f"{label} ({len(chosen)}):")
        lines.extend(f"  {describe(e)}" for e in chosen[:shown])
        if len(chosen) > shown:
            lines.append(f"  … and {len(chosen) - shown} more")

    def edits(e: dict) -> str:
        who = ", ".join([f"{u} {n}" for u, n in e["editors"].items()] +
                        ([f"us {e['own_edits']}"] if e["own_edits"] else []))
        change = "" if e["size_change"] is None else f", {e['size_change']:+d} bytes"
        return f"{e['title_now']}: {e['revisions_since']} revision(s) by {who}{change}"

    listing("edited", [e for e in pages if e["status"] == "edited"], edits)
    listing("moved", [e for e in pages if e["status"] == "moved"],
            lambda e: f"{e['title_created']} -> {e['title_now']}" +
            (f" (by {e['moves'][0]['user']})" if e["moves"] else ""))
    listing("redirected", [e for e in pages if e["status"] == "redirected"],
            lambda e: f"{e['title_now']} -> {e['redirect_to'] or '?'}")
    listing("deleted", [e for e in pages if e["status"] == "deleted"],
            lambda e: e["title_created"] + (
                f" (by {e['deletion']['user']}, {e['deletion']['timestamp']})"
                if e["deletion"] else " (importer undo)" if e["undone"] else ""))
    listing("license block removed", [e for e in pages if e["license_block_kept"] is False],
            lambda e: e["title_now"] or e["title_created"])
    folder = Path(s["batch"]) / FOLDER
    lines.append(f"wrote {folder / 'changes.json'}, {folder / 'index.html'} and "
                 f"{s['wikitext_files']} wikitext file(s) in {folder / 'wikitext'}; "
                 f"{s['requests']} request(s) to the wiki in {s['seconds']:.0f} s")
    return "\n".join(lines)
