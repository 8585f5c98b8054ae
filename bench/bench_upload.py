"""Benchmark of `importer upload` against the local wiki (not a timed test).

  .venv/bin/python bench/bench_upload.py [--n 200] [--rate-n 20 --rate 120]

Starts a private wiki (scripts/localwiki.py, bot rate limit off), then measures
1. API requests per created article (request log; target <= 1.05),
2. our edits/s against a bare client doing one POST per edit in the same run
   (target >= 0.8 of it),
3. with --rate set: wall time of the edits over N/rate (target within 5 %).
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
from wikihelp import api_login_session, count_requests, log_mark, start_wiki, stop_wiki  # noqa


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


def run_upload(info, batch, rate) -> float:
    env = dict(os.environ, IMPORTER_USERNAME=info["bot_user"],
               IMPORTER_PASSWORD=info["bot_password"])
    p = subprocess.run([sys.executable, "-m", "importer", "-q", "upload", str(batch),
                        "--api", info["api"], "--rate", str(rate)], env=env, cwd=ROOT,
                       capture_output=True, text=True)
    if p.returncode:
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--rate", type=float, default=120.0)
    ap.add_argument("--rate-n", type=int, default=20)
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
            print(f"requests per created article: {reqs / a.n:.3f} ({reqs} for {a.n})")
            print(f"edits/s: importer {a.n / ours:.1f}, bare client {a.n / bare:.1f}, "
                  f"ratio {bare / ours:.2f}")
            batch = make_batch(tmp / "b2", a.rate_n)
            wall = run_upload(info, batch, a.rate)
            ideal = a.rate_n / a.rate * 60
            print(f"--rate {a.rate:g}: {a.rate_n} edits in {wall:.2f} s; N/rate = {ideal:.2f} s; "
                  f"ratio {wall / ideal:.3f}")
        finally:
            stop_wiki(info)
    return 0


if __name__ == "__main__":
    sys.exit(main())
