"""Benchmark: our readers against a bare lxml parse of the same files, in one run.

Prints, for a corpus of many pages (the real OCR fixtures and the sample
volume's hOCR/ALTO, copied until there are --pages of them):
  - the readers' time over a bare lxml parse of the same files (target <= 3x);
  - the whole page stage (readers, layout, repair, hyphens, pages.jsonl) over it;
  - peak memory of the page stage on N and on 4N pages (target: flat).

    .venv/bin/python bench/bench_readers.py [--pages 400] [--json FILE]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from importer.readers import detect_format, read_pages  # noqa: E402
from common import machine, write_figures  # noqa: E402

SHARED = Path(os.environ.get("IMPORTER_SHARED", ROOT.parent / "shared"))


def corpus_files() -> list[Path]:
    files = [p for p in sorted((SHARED / "fixtures" / "real-ocr").rglob("*"))
             if p.suffix in {".xml", ".alto", ".hocr", ".html"} and p.name != "logan.alto"]
    for sample in sorted(ROOT.glob("samples/*/")):
        files += sorted((sample / "hocr").glob("*.hocr")) + sorted((sample / "alto").glob("*.xml"))
    return files


def make_corpus(folder: Path, pages: int) -> list[Path]:
    sources = corpus_files()
    made = []
    for index in range(pages):
        source = sources[index % len(sources)]
        target = folder / f"p{index:05d}{source.suffix}"
        shutil.copy(source, target)
        made.append(target)
    return made


def bare_parse(files: list[Path]) -> float:
    """What any reader must at least do: parse every file and walk its elements."""
    xml = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    html = etree.HTMLParser(no_network=True)
    started = time.perf_counter()
    for path in files:
        try:
            root = etree.parse(str(path), xml).getroot()
        except etree.XMLSyntaxError:
            root = etree.parse(str(path), html).getroot()
        for _ in root.iter():
            pass
    return time.perf_counter() - started


def our_readers(files: list[Path]) -> tuple[float, int]:
    started = time.perf_counter()
    words = 0
    for path in files:
        detect_format(path)
        for page in read_pages(path):
            words += sum(len(line.words) for line in page.lines)
    return time.perf_counter() - started, words


def page_stage(folder: Path, batch: Path) -> tuple[float, int]:
    """Run `importer build --pages-only` in a fresh process; seconds and peak RSS (KiB)."""
    code = ("import resource, sys; from importer.cli import main; rc = main(sys.argv[1:]); "
            "print('MAXRSS', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss); sys.exit(rc)")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, "build", str(folder), "--profile",
                           "kk-encyclopedia", "--out", str(batch), "--pages-only", "-q"],
                          capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 65):
        raise SystemExit(f"build failed: {done.stderr}")
    rss = int(next(line.split()[1] for line in done.stdout.splitlines() if line.startswith("MAXRSS")))
    return seconds, rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=400)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "small"
        large = Path(tmp) / "large"
        small.mkdir()
        large.mkdir()
        files = make_corpus(small, args.pages)
        make_corpus(large, args.pages * 4)
        megabytes = sum(p.stat().st_size for p in files) / 1e6
        bare_parse(files[:20]), our_readers(files[:20])  # warm the page cache
        bare = min(bare_parse(files) for _ in range(3))
        ours, words = min((our_readers(files) for _ in range(3)), key=lambda r: r[0])
        stage_small, rss_small = page_stage(small, Path(tmp) / "b-small")
        stage_large, rss_large = page_stage(large, Path(tmp) / "b-large")
    results = {
        "machine": machine(),
        "pages": args.pages, "megabytes": round(megabytes, 1), "words": words,
        "bare_lxml_s": round(bare, 3), "readers_s": round(ours, 3),
        "readers_over_bare": round(ours / bare, 2),
        "page_stage_s": round(stage_small, 2),
        "page_stage_over_bare": round(stage_small / bare, 2),
        "pages_per_s": round(args.pages / stage_small, 1),
        "peak_rss_mib": {str(args.pages): round(rss_small / 1024, 1),
                         str(args.pages * 4): round(rss_large / 1024, 1)},
        "peak_rss_ratio_4x_pages": round(rss_large / rss_small, 2),
        "time_ratio_4x_pages": round(stage_large / stage_small, 2),
    }
    print(json.dumps(results, indent=2))
    print(f"\nreaders / bare lxml parse: {results['readers_over_bare']}x (target <= 3x)")
    print(f"peak memory, {args.pages * 4} pages / {args.pages} pages: "
          f"{results['peak_rss_ratio_4x_pages']}x (target: flat, about 1x)")
    write_figures(args.json, results)


if __name__ == "__main__":
    main()
