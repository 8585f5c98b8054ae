"""Benchmark: `importer build` on 1, 2, 5 and 10 volumes of the synthetic corpus.

    .venv/bin/python bench/bench_build.py [--volumes 1,2,5,10] [--pages-per-volume 700]
                                          [--corpus build/corpus] [--json FILE]

Makes the corpus first when it is missing (bench/make_corpus.py; skipped when its
stamp matches). Each build runs in a fresh child process,
`python -m importer -q build vol-01 ... vol-NN --profile CORPUS/kk-corpus.toml --out BATCH`,
so its peak memory is its own: the child's maximum resident set size from
os.wait4 (what /usr/bin/time reports). Reported per run: pages, articles,
seconds (wall), pages per second, milliseconds per page and its ratio to the
1-volume run (1.0 = linear in pages), page and article stage seconds (from the
batch's importer.log), peak RSS in MB. Then article-boundary precision, recall
and F1 of volume 1 against the corpus truth (importer.evaluate's alignment;
see `evaluate_volume`), titles and redirects.

Targets: peak memory flat and under 200 MB whatever the number of volumes;
time linear in pages. Prints a markdown section; --json writes the same
figures for bench/results.md.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import machine, write_figures  # noqa: E402
from make_corpus import ensure_corpus  # noqa: E402

MEMORY_TARGET_MB = 200


def run_build(sources: list[Path], profile: Path, batch: Path) -> dict:
    """One build in a child process: wall seconds, CPU seconds, peak RSS (MB), exit code."""
    shutil.rmtree(batch, ignore_errors=True)
    command = [sys.executable, "-m", "importer", "-q", "build", *map(str, sources),
               "--profile", str(profile), "--out", str(batch)]
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # wait4 gives this child's own rusage (RUSAGE_CHILDREN would be the max of all children).
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    stdout, stderr = child.stdout.read(), child.stderr.read()
    child.stdout.close()
    child.stderr.close()
    if child.returncode not in (0, 65):
        raise SystemExit(f"build failed ({child.returncode}): {' '.join(command)}\n"
                         f"{stderr.decode(errors='replace')[-2000:]}")
    return {"seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "peak_rss_mb": usage.ru_maxrss / 1024, "exit": child.returncode}


def stage_seconds(batch: Path) -> tuple[float | None, float | None]:
    """Page and article stage seconds, from the timestamps of importer.log."""
    def stamp(line: str) -> datetime:
        return datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f")

    try:
        lines = (batch / "importer.log").read_text(encoding="utf-8").splitlines()
        report = json.loads((batch / "report.json").read_text(encoding="utf-8"))
        start = stamp(lines[0])
        pages_done = stamp(next(l for l in lines if " importer: pages: " in l))
    except (OSError, ValueError, StopIteration, IndexError):
        return None, None
    page_stage = (pages_done - start).total_seconds()
    return page_stage, max(0.0, report["seconds"] - page_stage)


def evaluate_volume(batch: Path, truth_path: Path, volume: int) -> dict:
    """Article boundaries, titles and redirects of one volume against its truth.

    Uses importer.evaluate's own definitions (start keys, order-keeping fuzzy
    alignment, precision/recall/F1, exact titles, redirect targets). Its
    `evaluate()` is not called as a whole because its CER aligns the
    concatenated text of all articles character by character with difflib,
    which does not finish in reasonable time on a volume (more than 8 minutes
    on 1,300 articles); the CER here is per matched article pair instead.
    """
    from importer.evaluate import align, load_truth, start_key
    from importer.metrics import edit_distance

    truth = load_truth(truth_path)
    with (batch / "articles.jsonl").open(encoding="utf-8") as fh:
        predicted = [a for a in map(json.loads, fh) if a["source"]["volume"] == volume]
    pairs = align([start_key(a.get("text", "")) for a in predicted],
                  [start_key(t["text"]) for t in truth])
    correct = len(pairs)
    precision = correct / len(predicted) if predicted else 0.0
    recall = correct / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision and recall else 0.0
    titles_equal = sum(1 for i, j in pairs if predicted[i].get("title") == truth[j]["title"])
    # The real sample pages recur in every volume: their titles become homonyms.
    real = {a["title"] for sample in ("kk-sample", "kk-sample-3col")
            for a in load_truth(ROOT / "samples" / sample / "truth" / "articles.json")}
    synthetic = [(i, j) for i, j in pairs if truth[j]["title"] not in real]
    synthetic_equal = sum(1 for i, j in synthetic if predicted[i].get("title") == truth[j]["title"])
    paired = {j: i for i, j in pairs}
    true_redirects = [j for j, t in enumerate(truth) if t["kind"] == "redirect"]
    redirects_right = sum(1 for j in true_redirects if j in paired
                          and predicted[paired[j]].get("kind") == "redirect"
                          and predicted[paired[j]].get("target") == truth[j].get("target"))
    errors = chars = 0
    for i, j in pairs:
        reference = " ".join(truth[j]["text"].split())
        errors += edit_distance(" ".join((predicted[i].get("text") or "").split()), reference)
        chars += len(reference)
    matched_predicted = {i for i, _ in pairs}
    return {
        "volume": volume, "truth": len(truth), "predicted": len(predicted), "matched": correct,
        "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
        "titles_exact": round(titles_equal / correct, 4) if correct else None,
        "titles_exact_synthetic": round(synthetic_equal / len(synthetic), 4) if synthetic else None,
        "redirects": {"truth": len(true_redirects), "correct": redirects_right},
        "cer_matched": round(errors / chars, 5) if chars else None,
        "missed": [truth[j]["headword"] for j in range(len(truth)) if j not in paired][:30],
        "spurious": [predicted[i].get("headword") for i in range(len(predicted))
                     if i not in matched_predicted][:30],
        "titles_wrong": [[predicted[i].get("title"), truth[j]["title"]] for i, j in pairs
                         if predicted[i].get("title") != truth[j]["title"]][:30],
    }


def markdown(result: dict) -> str:
    m, corpus = result["machine"], result["corpus"]
    out = ["## Build at scale: synthetic corpus", "",
           f"Machine: {m['cores']} cores ({m['cpu']}), Python {m['python']}, {m['system']}. "
           f"Corpus: bench/make_corpus.py, {corpus['volumes']} volumes of "
           f"{corpus['pages_per_volume']} pages, {corpus['pages']} pages and "
           f"{corpus['articles']} articles in all ({corpus['real_tesseract_pages']} of the pages "
           f"are copies of the 10 real Tesseract sample pages). "
           f"Each build is a fresh `python -m importer -q build` process.", "",
           "| volumes | pages | articles | seconds | pages/s | ms/page | vs 1 volume "
           "| ms/1000 words | vs 1 volume | page stage s | article stage s | peak RSS MB |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for run in result["runs"]:
        out.append(f"| {run['volumes']} | {run['pages']} | {run['articles']} | "
                   f"{run['seconds']:.1f} | {run['pages_per_s']:.1f} | {run['ms_per_page']:.1f} | "
                   f"{run['time_ratio']:.2f} | {run['ms_per_1000_words']:.1f} | "
                   f"{run['time_ratio_words']:.2f} | {_num(run['page_stage_s'])} | "
                   f"{_num(run['article_stage_s'])} | {run['peak_rss_mb']:.0f} |")
    peaks = [r["peak_rss_mb"] for r in result["runs"]]
    ratios = [r["time_ratio_words"] for r in result["runs"]]
    t = result["targets"]
    out += ["", f"Peak memory: {min(peaks):.0f}-{max(peaks):.0f} MB; the largest over the "
                f"{t['reference_volumes']}-volume run: {t['memory_growth']:.2f}x "
                f"(target: flat and under {MEMORY_TARGET_MB} MB: "
                f"{'met' if t['memory_met'] else 'NOT met'}; a 3-column volume has twice the "
                f"lines of a 2-column one, so the reference is the first run holding both). "
                f"Time per word relative to one volume: {min(ratios):.2f}-{max(ratios):.2f} "
                f"(1.00 = linear; odd volumes are set in 2 columns, even ones in 3, "
                f"so time per page varies with the mix)."]
    f = result.get("f1")
    if f:
        out += ["", f"Articles of volume {f['volume']} against the corpus truth "
                    f"({f['truth']} articles, {f['redirects']['truth']} redirects): "
                    f"precision {100 * f['precision']:.2f} %, recall {100 * f['recall']:.2f} %, "
                    f"**F1 {100 * f['f1']:.2f} %**; titles exact {_pct(f['titles_exact'])} of "
                    f"matched ({_pct(f['titles_exact_synthetic'])} of the synthetic ones: the "
                    f"repeated real pages' titles get homonym qualifiers); redirects {f['redirects']['correct']}/{f['redirects']['truth']}; "
                    f"CER of matched articles {_pct(f['cer_matched'], 2)}."]
    return "\n".join(out) + "\n"


def _num(value) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def _pct(value, digits=1) -> str:
    return "n/a" if value is None else f"{100 * value:.{digits}f} %"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--volumes", default="1,2,5,10",
                        help="comma-separated volume counts to build (default 1,2,5,10)")
    parser.add_argument("--pages-per-volume", type=int, default=700)
    parser.add_argument("--corpus", type=Path, default=ROOT / "build" / "corpus",
                        help="the corpus folder (made or reused; default build/corpus)")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "bench-build",
                        help="where the batches go (each is replaced by the next run)")
    parser.add_argument("--keep", action="store_true", help="keep the batches")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    counts = sorted({int(v) for v in args.volumes.split(",") if v.strip()})
    corpus = ensure_corpus(args.corpus, max(counts), args.pages_per_volume)
    profile = args.corpus / corpus["profile"]
    folders = [args.corpus / v["folder"] for v in corpus["volumes"]]

    runs, f1 = [], None
    for n in counts:
        batch = args.work / f"volumes-{n}"
        print(f"building {n} volume(s) ...", file=sys.stderr, flush=True)
        measured = run_build(folders[:n], profile, batch)
        report = json.loads((batch / "report.json").read_text(encoding="utf-8"))
        pages = report["pages"]["pages"]
        articles = report["articles"]["articles"] + report["articles"]["redirects"]
        page_stage, article_stage = stage_seconds(batch)
        words = sum(v["words"] for v in corpus["volumes"][:n])
        run = {"volumes": n, "pages": pages, "articles": articles, "words": words,
               "seconds": round(measured["seconds"], 2),
               "cpu_seconds": round(measured["cpu_seconds"], 2),
               "pages_per_s": round(pages / measured["seconds"], 2),
               "ms_per_page": round(1000 * measured["seconds"] / pages, 2),
               "ms_per_1000_words": round(1e6 * measured["seconds"] / words, 2),
               "page_stage_s": None if page_stage is None else round(page_stage, 2),
               "article_stage_s": None if article_stage is None else round(article_stage, 2),
               "peak_rss_mb": round(measured["peak_rss_mb"], 1), "exit": measured["exit"]}
        runs.append(run)
        print(f"  {pages} pages, {articles} articles, {run['seconds']} s, "
              f"{run['peak_rss_mb']} MB", file=sys.stderr, flush=True)
        if f1 is None:
            f1 = evaluate_volume(batch, folders[0] / "truth" / "articles.json", 1)
        if not args.keep:
            shutil.rmtree(batch, ignore_errors=True)
    base, base_words = runs[0]["ms_per_page"], runs[0]["ms_per_1000_words"]
    for run in runs:
        run["time_ratio"] = round(run["ms_per_page"] / base, 3)
        run["time_ratio_words"] = round(run["ms_per_1000_words"] / base_words, 3)
    peaks = [r["peak_rss_mb"] for r in runs]
    reference = next((r for r in runs if r["volumes"] >= 2), runs[0])
    growth = max(peaks) / reference["peak_rss_mb"]
    result = {
        "bench": "build", "machine": machine(),
        "corpus": {"volumes": len(corpus["volumes"]), "pages_per_volume": args.pages_per_volume,
                   "pages": corpus["pages"], "articles": corpus["articles"],
                   "real_tesseract_pages": corpus["real_tesseract_pages"],
                   "path": str(args.corpus)},
        "runs": runs, "f1": f1,
        "targets": {"peak_rss_mb_max": MEMORY_TARGET_MB,
                    "reference_volumes": reference["volumes"],
                    "memory_growth": round(growth, 3),
                    "memory_met": max(peaks) < MEMORY_TARGET_MB and growth <= 1.15,
                    "max_time_ratio": max(r["time_ratio"] for r in runs),
                    "max_time_ratio_words": max(r["time_ratio_words"] for r in runs)},
    }
    text = markdown(result)
    result["markdown"] = text
    print(text)
    write_figures(args.json, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
