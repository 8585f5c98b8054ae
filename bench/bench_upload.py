"""Benchmark of `importer upload` against the local wiki (not a timed test).

  .venv/bin/python bench/bench_upload.py [--n 2000] [--rate-n 60 --rate 120]
                                         [--resume-after 1000] [--json FILE]

Starts a private wiki (scripts/localwiki.py, bot rate limit off), then measures
1. API requests per created article (request log; target <= 1.05),
2. our edits/s against a bare client doing one POST per edit in the same run
   (target >= 0.8 of it),
3. with --rate set: wall time of the edits over N/rate (target within 5 %),
4. the cost of a resume: a batch of R+10 articles is uploaded with --limit R,
   then resumed; the requests of the resume that are not the 10 edits are
   counted (target: at most one query per 50 finished articles, none per
   finished article).
"""
from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from wikihelp import (api_login_session, count_requests, log_mark, request_log,  # noqa
                      start_wiki, stop_wiki)  # noqa
from common import machine, write_figures  # noqa: E402


def make_batch(folder: Path, n: int) -> Path:
    tag = uuid.uuid4().hex[:6]
    folder.mkdir(parents=True)
    with open(folder / "articles.jsonl", "w", encoding="utf-8") as f:
        for i in range(n):
            title = f"Өлшем {tag} {i}"
            text = f"'''{title}''' — сынақ мақаласы.\n\n== Дереккөздер ==\n"
            f.write(json.dumps({"id": f"{tag}-{i}", "title": title, "kind": "article",
                                "wikitext": text, "summary": "bench, CC BY-SA 3.0"},
                               ensure_ascii=False) + "\n")
    return folder


def run_upload(info, batch, rate, *extra: str) -> float:
    env = dict(os.environ, IMPORTER_USERNAME=info["bot_user"],
               IMPORTER_PASSWORD=info["bot_password"])
    p = subprocess.run([sys.executable, "-m", "importer", "-q", "upload", str(batch),
                        "--api", info["api"], "--rate", str(rate), *extra], env=env, cwd=ROOT,
                       capture_output=True, text=True)
    if p.returncode and not (p.returncode == 65 and "--limit" in extra):  # 65: more to do
        sys.exit(f"upload failed: {p.stderr}")
    db = sqlite3.connect(batch / "upload.sqlite")
    first, last = db.execute("SELECT MIN(first_sent), MAX(updated) FROM articles").fetchone()
    return last - first


def bare_client(info, n) -> float:
    s = api_login_session(info, info["bot_user"], info["bot_password"])
    s.csrf_token()
    tag = uuid.uuid4().hex[:6]
    t0 = time.monotonic()
    for i in range(n):
        r = s.edit(f"Bare {tag} {i}", "Жай клиент.", createonly=1, bot=1, summary="bare")
        assert r.get("edit", {}).get("result") == "Success", r
    return time.monotonic() - t0


def resume_cost(info, folder: Path, finished: int, remaining: int = 10) -> dict:
    batch = make_batch(folder, finished + remaining)
    run_upload(info, batch, 0, "--limit", str(finished))
    mark = log_mark(info)
    run_upload(info, batch, 0)
    log = request_log(info, since=mark)
    edits = sum(1 for r in log if r["action"] == "edit")
    by_action: dict[str, int] = {}
    for r in log:
        if r["action"] != "edit":
            by_action[r["action"] or "?"] = by_action.get(r["action"] or "?", 0) + 1
    other = len(log) - edits
    return {"finished": finished, "remaining": remaining, "edits": edits,
            "other_requests": other, "other_by_action": by_action,
            "finished_per_other_request": round(finished / other, 1) if other else None}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--rate", type=float, default=120.0)
    ap.add_argument("--rate-n", type=int, default=60)
    ap.add_argument("--resume-after", type=int, default=1000)
    ap.add_argument("--json", type=Path, help="also write the figures here")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        info = start_wiki(tmp / "wiki", "--bot-noratelimit", "yes")
        try:
            batch = make_batch(tmp / "b1", a.n)
            mark = log_mark(info)
            ours = run_upload(info, batch, 0)
            reqs = count_requests(info, since=mark)
            bare = bare_client(info, a.n)
            batch = make_batch(tmp / "b2", a.rate_n)
            wall = run_upload(info, batch, a.rate)
            resume = resume_cost(info, tmp / "b3", a.resume_after)
        finally:
            stop_wiki(info)
    ideal = a.rate_n / a.rate * 60
    results = {
        "machine": machine(), "articles": a.n,
        "requests": reqs, "requests_per_article": round(reqs / a.n, 3),
        "edits_per_s": round(a.n / ours, 2), "bare_edits_per_s": round(a.n / bare, 2),
        "edits_per_s_over_bare": round(bare / ours, 2),
        "rate": {"per_minute": a.rate, "edits": a.rate_n, "wall_s": round(wall, 2),
                 "ideal_s": round(ideal, 2), "wall_over_ideal": round(wall / ideal, 3)},
        "resume": resume,
    }
    print(f"requests per created article: {results['requests_per_article']:.3f} "
          f"({reqs} for {a.n}; target <= 1.05)")
    print(f"edits/s: importer {results['edits_per_s']}, bare client {results['bare_edits_per_s']}, "
          f"ratio {results['edits_per_s_over_bare']} (target >= 0.8)")
    print(f"--rate {a.rate:g}: {a.rate_n} edits in {wall:.2f} s; N/rate = {ideal:.2f} s; "
          f"ratio {results['rate']['wall_over_ideal']} (target within 5 %)")
    print(f"resume after {resume['finished']} finished: {resume['other_requests']} requests besides "
          f"the {resume['edits']} edits {resume['other_by_action']} (one per "
          f"{resume['finished_per_other_request']} finished; target >= 50)")
    write_figures(a.json, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
