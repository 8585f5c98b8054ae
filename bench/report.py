"""Assemble bench/results.md from the figures the benchmarks wrote (build/bench/*.json).

  .venv/bin/python bench/report.py [--figures build/bench] [--out bench/results.md]

Each benchmark writes its own JSON (`make bench` runs them; `make long-run` adds the
end-to-end run); this script only formats them, so a section shows the figures of
the last run of that benchmark, with the date of its file.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def verdict(ok: bool) -> str:
    return "meets the target" if ok else "**misses the target**"


def readers(r: dict) -> list[str]:
    return [
        f"{r['pages']} page files ({r['megabytes']} MB, {r['words']} words): the real OCR fixtures "
        "and the samples' hOCR and ALTO, repeated.",
        "",
        "| figure | value | target |",
        "|---|---|---|",
        f"| readers / bare lxml parse (same files, same run) | {r['readers_over_bare']}x | <= 3x: "
        f"{verdict(r['readers_over_bare'] <= 3)} |",
        f"| page stage (readers, layout, repair, hyphens, pages.jsonl) / bare parse | "
        f"{r['page_stage_over_bare']}x | |",
        f"| peak memory of the page stage, 4x the pages / 1x | {r['peak_rss_ratio_4x_pages']}x "
        f"({r['peak_rss_mib']}) | flat |",
        f"| time, 4x the pages / 1x | {r['time_ratio_4x_pages']}x | linear (about 4) |",
    ]


def build(r: dict) -> list[str]:
    if "markdown" in r:  # the benchmark formats its own table; its heading is ours
        lines = r["markdown"].strip().splitlines()
        if lines and lines[0].startswith("#"):
            lines = lines[1:]
        while lines and not lines[0].strip():
            lines = lines[1:]
        return lines
    return ["```json", json.dumps(r, ensure_ascii=False, indent=2), "```"]


ocr = build


def upload(r: dict) -> list[str]:
    rate, resume = r["rate"], r["resume"]
    per = resume["finished_per_other_request"]
    return [
        f"Against a fresh local wiki (MediaWiki 1.39, SQLite, `php -S`), bot rate limit off, "
        f"{r['articles']} articles.",
        "",
        "| figure | value | target |",
        "|---|---|---|",
        f"| API requests per created article | {r['requests_per_article']} ({r['requests']} "
        f"requests) | <= 1.05: {verdict(r['requests_per_article'] <= 1.05)} |",
        f"| edits/s, importer over a bare client (one login, one POST per edit) | "
        f"{r['edits_per_s_over_bare']} ({r['edits_per_s']} vs {r['bare_edits_per_s']}) | >= 0.8: "
        f"{verdict(r['edits_per_s_over_bare'] >= 0.8)} |",
        f"| `--rate {rate['per_minute']:g}`: wall time of {rate['edits']} edits over N/rate | "
        f"{rate['wall_over_ideal']} | within 5 %: {verdict(abs(rate['wall_over_ideal'] - 1) <= 0.05)} |",
        f"| requests of a resume after {resume['finished']} finished articles, besides its "
        f"{resume['edits']} edits | {resume['other_requests']} ({resume['other_by_action']}); one "
        f"per {per} finished | at most one per 50: "
        f"{verdict(per is None or per >= 50)} |",
    ]


def long_run(r: dict) -> list[str]:
    up, check = r["upload"], r["verify"]
    kills = [run for run in up["runs"] if run["killed"]]
    lines = [
        f"`make long-run`: {r['volumes']} volumes, {r['pages']} pages, "
        f"{r['articles']['articles']} articles and {r['articles']['redirects']} redirects.",
        "",
        "| step | figure |",
        "|---|---|",
        f"| build (all volumes, one batch) | {r['build']['seconds']} s, "
        f"{r['build_pages_per_s']} pages/s, peak {r['build']['peak_rss_mb']} MB |",
        f"| preview | {r['preview']['seconds']} s, peak {r['preview']['peak_rss_mb']} MB |",
        f"| upload of volume {up['volume']} ({up['articles']} articles, `--rate 0`) | "
        f"{up['seconds']} s in {len(up['runs'])} runs, {up['edits_per_s']} edits/s |",
        f"| SIGKILLs during the upload | {len(kills)}, after "
        + ", ".join(f"{run['done_after']} done" for run in kills) + " |",
        f"| verify | {'every article once, nothing else touched' if check['ok'] else 'FAILED'}: "
        f"{check['created_by_us']} created by us, {check['existed_before']} existed before and "
        f"were left alone, {check['bot_edits']} bot edits, {check['duplicate_edits']} "
        f"duplicates, {len(check['bystanders_touched'])} other pages touched |",
    ]
    if check["problems"]:
        lines += ["", "Problems: " + "; ".join(check["problems"])]
    return lines


SECTIONS = [
    ("build", "Build at scale (synthetic ten-volume corpus)", build),
    ("readers", "Readers against a bare lxml parse", readers),
    ("upload", "Upload", upload),
    ("ocr", "OCR throughput", ocr),
    ("long_run", "One long batch, end to end", long_run),
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--figures", type=Path, default=ROOT / "build" / "bench")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results.md")
    a = ap.parse_args()
    out = ["# Benchmark results", "",
           "Written by `bench/report.py` from the last run of each benchmark (`make bench`, "
           "`make long-run`). Ratios are measured side by side in one run; absolute times "
           "depend on the machine and its load.", ""]
    for name, heading, fmt in SECTIONS:
        path = a.figures / f"{name}.json"
        out += [f"## {heading}", ""]
        if not path.is_file():
            out += [f"Not run yet (`{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}` "
                    "is missing).", ""]
            continue
        figures = json.loads(path.read_text(encoding="utf-8"))
        when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(path.stat().st_mtime))
        machine = figures.get("machine")
        if isinstance(machine, dict):
            machine = f"{machine.get('cores')} cores ({machine.get('cpu')}), " \
                      f"Python {machine.get('python')}"
        out += [f"Run {when}" + (f" on {machine}." if machine else "."), ""]
        out += fmt(figures) + [""]
    a.out.write_text("\n".join(out), encoding="utf-8")
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
