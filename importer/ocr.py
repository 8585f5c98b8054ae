"""Page images -> hOCR with Tesseract, cached in the batch folder.

The only module that runs Tesseract. Each image is OCRed once: the hOCR is
kept under BATCH/ocr/ keyed by the image's content, the language and the
Tesseract version, so a rerun (or a resumed run) never OCRs a page twice.
Pages run in parallel, one single-threaded Tesseract per core (more threads
per process do not help on these machines).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .errors import InputFileError, ToolMissingError

# Sauvola binarisation recovers regions that the default drops on noisy scans.
RETRY_CONFIG = ["-c", "thresholding_method=2"]
MIN_WORDS = 5


@dataclass
class OcrResult:
    image: Path
    hocr: Path | None
    error: InputFileError | None = None
    cached: bool = False


def tesseract_version() -> str:
    if shutil.which("tesseract") is None:
        raise ToolMissingError(
            "tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-kaz)")
    out = subprocess.run(["tesseract", "--version"], capture_output=True, text=True)
    first = (out.stdout or out.stderr).splitlines()
    return first[0].strip() if first else "tesseract"


def check_language(language: str) -> None:
    out = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True)
    have = set(out.stdout.split())
    missing = [lang for lang in language.split("+") if lang not in have]
    if missing:
        packages = " ".join(f"tesseract-ocr-{lang}" for lang in missing)
        raise ToolMissingError(f"Tesseract has no language data for {'+'.join(missing)} "
                               f"(apt-get install {packages})")


def cache_path(image: Path, cache_dir: Path, language: str, version: str) -> Path:
    digest = hashlib.sha256()
    digest.update(f"{version}\0{language}\0".encode())
    with open(image, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return cache_dir / f"{image.stem}.{digest.hexdigest()[:16]}.hocr"


def _run_tesseract(image: Path, target: Path, language: str, extra: list[str]) -> str | None:
    """Run Tesseract; return an error text or None. Writes `target` atomically."""
    base = target.with_suffix(f".tmp{os.getpid()}")
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    try:
        done = subprocess.run(["tesseract", str(image), str(base), "-l", language, *extra, "hocr"],
                              capture_output=True, text=True, env=env, timeout=600)
    except subprocess.TimeoutExpired:
        return "Tesseract took longer than 10 minutes"
    produced = base.with_name(base.name + ".hocr")
    if done.returncode != 0 or not produced.exists():
        detail = next((line.strip() for line in done.stderr.splitlines()
                       if "rror" in line or "Can't" in line), "")
        produced.unlink(missing_ok=True)
        return f"Tesseract could not read the image ({detail or 'exit ' + str(done.returncode)})"
    produced.replace(target)
    return None


def _word_count(hocr: Path) -> int:
    return hocr.read_text(encoding="utf-8", errors="replace").count("ocrx_word")


def ocr_image(image: Path, cache_dir: Path, language: str, version: str) -> OcrResult:
    target = cache_path(image, cache_dir, language, version)
    if target.exists():
        return OcrResult(image, target, cached=True)
    error = _run_tesseract(image, target, language, [])
    if error:
        return OcrResult(image, None, InputFileError(image, error))
    if _word_count(target) < MIN_WORDS:
        # Default binarisation can drop a whole noisy page: try Sauvola once.
        retry = target.with_name(target.name + ".retry")
        if _run_tesseract(image, retry, language, RETRY_CONFIG) is None:
            if _word_count(retry) > _word_count(target):
                retry.replace(target)
            else:
                retry.unlink(missing_ok=True)
    return OcrResult(image, target)


def ocr_images(images: Iterable[Path], cache_dir: Path, language: str,
               workers: int | None = None,
               on_done: Callable[[OcrResult], None] | None = None) -> Iterator[OcrResult]:
    """OCR images in parallel; yield results in input order as they complete."""
    version = tesseract_version()
    check_language(language)
    cache_dir.mkdir(parents=True, exist_ok=True)
    workers = workers or os.cpu_count() or 1
    images = list(images)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(ocr_image, image, cache_dir, language, version) for image in images]
        if on_done:
            for future in futures:
                future.add_done_callback(lambda done: on_done(done.result()))
        for future in futures:
            yield future.result()
