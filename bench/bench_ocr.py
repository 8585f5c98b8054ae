"""Benchmark: Tesseract OCR throughput (pages per minute) with 1 and with 2 workers.

    .venv/bin/python bench/bench_ocr.py [--workers 1,2] [--repeat 1] [--json FILE]

OCRs the 10 sample page images (samples/kk-sample/images, 6 pages, 2 columns;
samples/kk-sample-3col/images, 4 pages, 3 columns; A4 at 200 DPI) through the
importer's own code path, importer.ocr.ocr_images (one single-threaded
Tesseract per worker, OMP_THREAD_LIMIT=1, the profile's language `kaz`, the
Sauvola retry on near-empty pages), into a fresh empty cache folder each run so
no page comes from the cache. Reports, per worker count: wall seconds, pages
per minute, the speed-up over one worker, and the mean seconds per page.

Prints a markdown section; --json writes the same figures for bench/results.md.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import machine, write_figures  # noqa: E402
from importer.ocr import check_language, ocr_images, tesseract_version  # noqa: E402

SAMPLES = [ROOT / "samples" / "kk-sample" / "images", ROOT / "samples" / "kk-sample-3col" / "images"]


def sample_images() -> list[Path]:
    return [p for folder in SAMPLES for p in sorted(folder.glob("*.png"))]


def ocr_run(images: list[Path], workers: int, language: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-ocr-") as tmp:
        started = time.perf_counter()
        results = []
        for result in ocr_images(images, Path(tmp) / "ocr", language, workers):
            results.append(result)
        seconds = time.perf_counter() - started
        failed = [str(r.error) for r in results if r.error]
        cached = sum(1 for r in results if r.cached)
        words = sum(r.hocr.read_text(encoding="utf-8").count("ocrx_word")
                    for r in results if r.hocr is not None)
    return {"workers": workers, "pages": len(images), "seconds": round(seconds, 2),
            "pages_per_minute": round(60 * len(images) / seconds, 2),
            "seconds_per_page": round(seconds / len(images), 2),
            "words": words, "failed": failed, "cached": cached}


def markdown(result: dict) -> str:
    m = result["machine"]
    out = ["## OCR throughput: Tesseract", "",
           f"Machine: {m['cores']} cores ({m['cpu']}), Python {m['python']}, {m['system']}; "
           f"{result['tesseract']}, language `{result['language']}`. "
           f"{result['pages']} sample pages (A4, 200 DPI: 6 in 2 columns, 4 in 3 columns, "
           f"grey noisy scans), importer.ocr.ocr_images with a fresh cache each run, "
           f"one single-threaded Tesseract per worker.", "",
           "| workers | pages | seconds | pages/minute | s/page (wall) | speed-up |",
           "|---:|---:|---:|---:|---:|---:|"]
    for run in result["runs"]:
        out.append(f"| {run['workers']} | {run['pages']} | {run['seconds']:.1f} | "
                   f"{run['pages_per_minute']:.1f} | {run['seconds_per_page']:.2f} | "
                   f"{run['speedup']:.2f}x |")
    best = max(result["runs"], key=lambda r: r["pages_per_minute"])
    out += ["", f"At {best['pages_per_minute']:.1f} pages a minute ({best['workers']} workers), "
                f"7,000 pages take about {7000 / best['pages_per_minute'] / 60:.1f} hours of OCR "
                f"on this machine."]
    return "\n".join(out) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs per worker count; the fastest is reported (default 1)")
    parser.add_argument("--language", default="kaz")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    version = tesseract_version()
    check_language(args.language)
    images = sample_images()
    if not images:
        raise SystemExit("no sample images found under samples/*/images")
    runs = []
    for workers in [int(w) for w in args.workers.split(",") if w.strip()]:
        tries = []
        for _ in range(max(1, args.repeat)):
            print(f"OCR of {len(images)} pages with {workers} worker(s) ...", file=sys.stderr,
                  flush=True)
            tries.append(ocr_run(images, workers, args.language))
        best = min(tries, key=lambda r: r["seconds"])
        best["all_seconds"] = [t["seconds"] for t in tries]
        runs.append(best)
        print(f"  {best['seconds']} s, {best['pages_per_minute']} pages/minute", file=sys.stderr)
    base = runs[0]["pages_per_minute"]
    for run in runs:
        run["speedup"] = round(run["pages_per_minute"] / base, 3)
    result = {"bench": "ocr", "machine": machine(), "tesseract": version,
              "language": args.language, "pages": len(images),
              "images": [str(p.relative_to(ROOT)) for p in images], "runs": runs}
    text = markdown(result)
    result["markdown"] = text
    print(text)
    write_figures(args.json, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
