"""The whole donation, end to end, on this machine (`make long-run`; about an hour).

  .venv/bin/python bench/long_run.py [--volumes 10] [--upload-volume 1] [--kills 2]
                                     [--out build/long] [--json FILE]

1. makes the synthetic ten-volume corpus (bench/make_corpus.py; kept between runs),
2. builds all volumes into one batch (`importer build`), peak memory measured,
3. previews the batch (`importer preview`),
4. starts a fresh local wiki (bot rate limit off) and puts pages there that are not
   ours: a few unrelated pages and a few with the title of an article of the volume,
5. uploads one whole volume (`importer upload --volume N --rate 0`), kills the
   process with SIGKILL at random moments `--kills` times and resumes each time,
6. verifies on the wiki: every article of the volume exists, created once, by the
   bot, with the text we sent (sha1), the journal's revision is the page's only
   one, the bot made no other edit, and the pages that were not ours are untouched.

Prints the figures and writes them as JSON (for bench/report.py).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))
from common import machine, write_figures  # noqa: E402
from importer.journal import stored_sha1  # noqa: E402
from wikihelp import api_get, api_login_session, start_wiki, stop_wiki  # noqa: E402

PY = sys.executable


def run_measured(args: list[str], ok=(0,)) -> dict:
    """Run `python -m importer ARGS`: wall seconds and the child's peak RSS (wait4)."""
    started = time.monotonic()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([PY, "-m", "importer", "-q", *args], cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        err.seek(0)
        message = err.read().decode(errors="replace")
    seconds = time.monotonic() - started
    if code not in ok:
        raise SystemExit(f"importer {args[0]} failed ({code}): {message[-2000:]}")
    return {"seconds": round(seconds, 1), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
            "exit": code}


def journal_counts(batch: Path) -> dict:
    path = batch / "upload.sqlite"
    if not path.exists():
        return {}
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        return dict(db.execute("SELECT state, COUNT(*) FROM articles GROUP BY state"))
    except sqlite3.Error:
        return {}
    finally:
        db.close()


def upload_with_kills(batch: Path, info: dict, volume: int, kills: int, total: int,
                      rng: random.Random) -> dict:
    env = dict(os.environ, IMPORTER_USERNAME=info["bot_user"],
               IMPORTER_PASSWORD=info["bot_password"])
    args = [PY, "-m", "importer", "-q", "upload", str(batch), "--api", info["api"],
            "--rate", "0", "--volume", str(volume)]
    runs = []
    started = time.monotonic()
    for k in range(kills + 1):
        # Kill somewhere in the next stretch of the volume, at a random moment.
        kill_at = None
        if k < kills:
            low = total * (k + 1) // (kills + 2)
            kill_at = rng.randint(low, low + total // (kills + 2) // 2)
        run_started = time.monotonic()
        before = journal_counts(batch).get("done", 0)
        err_file = tempfile.TemporaryFile()
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                stderr=err_file, start_new_session=True)
        killed = False
        while proc.poll() is None:
            time.sleep(0.2)
            if kill_at is not None and journal_counts(batch).get("done", 0) >= kill_at:
                time.sleep(rng.random())  # not always right after a commit
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                killed = True
        err_file.seek(0)
        err = err_file.read().decode(errors="replace")
        err_file.close()
        after = journal_counts(batch)
        runs.append({"killed": killed, "exit": proc.returncode,
                     "seconds": round(time.monotonic() - run_started, 1),
                     "done_before": before, "done_after": after.get("done", 0),
                     "in_flight_after": after.get("sending", 0)})
        if not killed and proc.returncode != 0:
            raise SystemExit(f"upload failed ({proc.returncode}): {err[-2000:]}")
    return {"runs": runs, "seconds": round(time.monotonic() - started, 1),
            "counts": journal_counts(batch)}


def chunks(items: list, n: int):
    for i in range(0, len(items), n):
        yield items[i:i + n]


def verify(info: dict, batch: Path, volume: int, bystanders: dict[str, int]) -> dict:
    """Compare the wiki with the batch and the journal (anonymous reads, 50 titles each)."""
    db = sqlite3.connect(batch / "upload.sqlite")
    journal = {row[0]: row[1:] for row in
               db.execute("SELECT title, state, revid FROM articles")}
    articles = [json.loads(line) for line in (batch / "articles.jsonl").open(encoding="utf-8")]
    ours = [a for a in articles if (a.get("source") or {}).get("volume") == volume]
    problems: list[str] = []
    created = existed = 0
    for group in chunks(ours, 50):
        data = api_get(info, action="query", prop="revisions", titles="|".join(a["title"] for a in group),
                       rvprop="ids|user|sha1", formatversion="2")
        pages = {p["title"]: p for p in data["query"]["pages"]}
        normalized = {n["from"]: n["to"] for n in data["query"].get("normalized", [])}
        for a in group:
            page = pages.get(normalized.get(a["title"], a["title"]))
            state, revid = journal.get(a["title"], (None, None))
            if page is None or page.get("missing"):
                problems.append(f"missing: {a['title']}")
                continue
            rev = page["revisions"][0]
            if state == "exists":
                existed += 1  # a page that was there before us: checked below
                continue
            if state != "done":
                problems.append(f"journal says {state}: {a['title']}")
            elif rev["revid"] != revid or rev["user"] != info["bot_account"] or \
                    rev["sha1"] != stored_sha1(a["wikitext"]):
                problems.append(f"not our revision: {a['title']}")
            else:
                created += 1
    # Created once: the bot's contributions are exactly one page creation per article.
    contributions, params = [], dict(action="query", list="usercontribs",
                                     ucuser=info["bot_account"], uclimit="max",
                                     ucprop="title|ids|flags", formatversion="2")
    while True:
        data = api_get(info, **params)
        contributions += data["query"]["usercontribs"]
        if "continue" not in data:
            break
        params.update(data["continue"])
    titles = [c["title"] for c in contributions]
    duplicates = len(titles) - len(set(titles))
    not_new = sum(1 for c in contributions if not c.get("new"))
    # Nothing else touched: the pages that were there before keep their revision.
    touched = []
    for title, revid in bystanders.items():
        data = api_get(info, action="query", prop="info", titles=title, formatversion="2")
        if data["query"]["pages"][0].get("lastrevid") != revid:
            touched.append(title)
    return {"articles": len(ours), "created_by_us": created,
            "existed_before": existed,
            "bot_edits": len(contributions), "duplicate_edits": duplicates,
            "edits_not_creations": not_new, "bystanders_touched": touched,
            "problems": problems[:20], "problem_count": len(problems),
            # Every article is created, existed before, or a problem: so no problem means
            # all are accounted for; the bot's edits must be exactly its creations.
            "ok": not problems and not duplicates and not not_new and not touched
            and len(contributions) == created}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--volumes", type=int, default=10)
    ap.add_argument("--pages-per-volume", type=int, default=700)
    ap.add_argument("--upload-volume", type=int, default=1)
    ap.add_argument("--kills", type=int, default=2)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--corpus", type=Path, default=ROOT / "build" / "corpus")
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "long")
    ap.add_argument("--json", type=Path, default=ROOT / "build" / "bench" / "long_run.json")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    import make_corpus
    corpus = a.corpus
    if make_corpus.main(["--out", str(corpus), "--volumes", str(a.volumes),
                         "--pages-per-volume", str(a.pages_per_volume)]):
        return 1
    volumes = sorted(p for p in corpus.glob("vol-*") if p.is_dir())[:a.volumes]
    pages = sum(1 for v in volumes for _ in (v / "hocr").glob("*")) + \
        sum(1 for v in volumes for _ in (v / "alto").glob("*"))
    batch = a.out / "batch"
    if a.out.exists():
        subprocess.run(["rm", "-rf", str(a.out)], check=True)
    a.out.mkdir(parents=True)
    print(f"build: {len(volumes)} volumes, {pages} page files ...", flush=True)
    build = run_measured(["build", *map(str, volumes), "--profile", str(corpus / "kk-corpus.toml"),
                          "--out", str(batch)], ok=(0, 65))
    report = json.loads((batch / "report.json").read_text(encoding="utf-8"))
    counts = {k: report["articles"].get(k) for k in ("articles", "redirects", "leftover_lines",
                                                      "unpublishable")}
    print(f"  {build['seconds']} s, peak {build['peak_rss_mb']} MB, {counts}", flush=True)
    print("preview ...", flush=True)
    preview = run_measured(["preview", str(batch)])
    print(f"  {preview['seconds']} s, peak {preview['peak_rss_mb']} MB", flush=True)

    info = start_wiki(a.out / "wiki", "--bot-noratelimit", "yes")
    try:
        other = api_login_session(info, info["other_user"], info["other_password"])
        articles = [json.loads(line) for line in (batch / "articles.jsonl").open(encoding="utf-8")]
        ours = [x for x in articles if (x.get("source") or {}).get("volume") == a.upload_volume]
        bystanders = {}
        for title in [f"Басқа бет {i}" for i in range(3)] + [x["title"] for x in
                                                              rng.sample(ours, 3)]:
            r = other.edit(title, "Бұл бетті басқа қатысушы жазған.", summary="not ours")
            bystanders[title] = r["edit"]["newrevid"]
        print(f"upload volume {a.upload_volume}: {len(ours)} articles, "
              f"{a.kills} kills ...", flush=True)
        upload = upload_with_kills(batch, info, a.upload_volume, a.kills, len(ours), rng)
        edits = upload["counts"].get("done", 0)
        print(f"  {upload['seconds']} s, {edits} created, runs {upload['runs']}", flush=True)
        check = verify(info, batch, a.upload_volume, bystanders)
        print(f"verify: {'OK' if check['ok'] else 'FAILED'} {check}", flush=True)
    finally:
        stop_wiki(info)
    results = {
        "machine": machine(), "volumes": len(volumes), "page_files": pages, "pages": report["pages"]["pages"],
        "articles": counts,
        "build": {k: build[k] for k in ("seconds", "peak_rss_mb", "exit")},
        "build_pages_per_s": round(report["pages"]["pages"] / build["seconds"], 1),
        "preview": {k: preview[k] for k in ("seconds", "peak_rss_mb")},
        "upload": {"volume": a.upload_volume, "articles": len(ours), **upload,
                   "edits_per_s": round(edits / upload["seconds"], 2) if upload["seconds"] else None},
        "verify": check,
    }
    write_figures(a.json, results)
    print(f"wrote {a.json}")
    return 0 if check["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
