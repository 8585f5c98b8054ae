"""Scan crops for the preview: where an article's lines are on the page images, and
the crops cut from them with Pillow (imported lazily: it is the `samples` extra).

    pages = load_pages(batch)                          # pages.jsonl, what crops need
    regions, note = article_regions(article, pages, by_page)
    crop = Cropper(batch, folder).crop(pages[i], box)  # {"src", "page", "width", "height"}

An article's lines come from its `spans` ([page, position in pages.jsonl, first line,
last line], written by the article stage); without spans they are found by matching
the article's text with the page text. One region per column run: consecutive line
boxes that do not overlap horizontally start a new crop.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import InputFileError

CROP_MAX_WIDTH = 900
CROP_MARGIN = 10


@dataclass
class PageInfo:
    volume: int
    page: object
    image: str | None
    width: int | None
    height: int | None
    boxes: list
    lines: list[str]


def load_pages(batch: Path) -> list[PageInfo]:
    """pages.jsonl without what the preview does not need; [] when it is missing."""
    path = Path(batch) / "pages.jsonl"
    pages: list[PageInfo] = []
    if not path.is_file():
        return pages
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                p = json.loads(line)
                pages.append(PageInfo(p["volume"], p["page"], p.get("image"), p.get("width"),
                                      p.get("height"), p.get("boxes") or [],
                                      (p.get("text") or "").split("\n")))
            except (ValueError, KeyError, TypeError) as exc:
                raise InputFileError(path, f"line {number}: not a page record ({exc})") from None
    return pages




def article_regions(article: dict, pages: list[PageInfo],
                    by_page: dict) -> tuple[list[tuple[int, list[int]]], str | None]:
    """[(index in pages, [x0, y0, x1, y1]), ...] of the article's printed lines, one
    region per column run; with a note when the lines had to be found by their text."""
    spans = article.get("spans")
    runs: list[tuple[int, list]] = []
    note = None
    if spans:
        for span in spans:
            page, seq, first, last = span
            idx = seq if 0 <= seq < len(pages) and pages[seq].page == page else \
                by_page.get((article.get("source", {}).get("volume"), page))
            if idx is None:
                continue
            runs.append((idx, list(range(first, last + 1))))
    else:
        runs = _regions_by_text(article, pages, by_page)
        if runs:
            note = "located by matching the text (the batch has no line spans)"
    regions = []
    for idx, line_numbers in runs:
        boxes = [pages[idx].boxes[i] for i in line_numbers
                 if i < len(pages[idx].boxes) and pages[idx].boxes[i]]
        for column in _columns(boxes):
            regions.append((idx, [min(b[0] for b in column), min(b[1] for b in column),
                                  max(b[2] for b in column), max(b[3] for b in column)]))
    return regions, note


def _columns(boxes: list) -> list[list]:
    """Consecutive line boxes split where the next line does not overlap horizontally."""
    out: list[list] = []
    for box in boxes:
        if out and box[0] < out[-1][-1][2] and box[2] > out[-1][-1][0] and box[1] >= \
                out[-1][-1][1] - 5:
            out[-1].append(box)
        else:
            out.append([box])
    return out


def _regions_by_text(article: dict, pages: list[PageInfo], by_page: dict) -> list:
    source = article.get("source") or {}
    wanted = re.sub(r"\s+", " ", article.get("headword") or article.get("text") or "")[:30]
    if not wanted.strip():
        return []
    remaining = len(article.get("text") or "")
    runs = []
    for page in source.get("pages") or []:
        idx = by_page.get((source.get("volume"), page))
        if idx is None:
            continue
        lines = pages[idx].lines
        start = 0
        if not runs:
            start = next((i for i, t in enumerate(lines) if t.strip() and
                          re.sub(r"\s+", " ", t).startswith(wanted[:len(t.strip())])), None)
            if start is None:
                return []
        taken = []
        for i in range(start, len(lines)):
            if remaining <= 0:
                break
            taken.append(i)
            remaining -= len(lines[i]) + 1
        runs.append((idx, taken))
    return runs


class Cropper:
    """Cuts article regions out of page images with Pillow into preview/crops/."""

    def __init__(self, batch: Path, folder: Path):
        self.batch, self.folder = batch, folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.used: set[str] = set()
        self.missing: set[str] = set()
        self._image = (None, None)
        from PIL import Image  # noqa: F401  (ImportError: the caller notes it)

    def find_image(self, image: str) -> Path | None:
        p = Path(image)
        candidates = [p] if p.is_absolute() else [Path.cwd() / p, self.batch / p,
                                                  self.batch.parent / p]
        return next((c for c in candidates if c.is_file()), None)

    def crop(self, page: PageInfo, box: list[int]) -> dict | None:
        if not page.image:
            return None
        path = self.find_image(page.image)
        if path is None:
            self.missing.add(page.image)
            return None
        key = hashlib.sha1(f"{path.resolve()}\x1f{box}".encode("utf-8")).hexdigest()[:20]
        name = f"{key}.jpg"
        target = self.folder / name
        self.used.add(name)
        if not target.is_file():
            from PIL import Image
            image = self._open(path)
            sx = image.width / page.width if page.width else 1.0
            sy = image.height / page.height if page.height else 1.0
            x0 = max(0, int((box[0] - CROP_MARGIN) * sx))
            y0 = max(0, int((box[1] - CROP_MARGIN) * sy))
            x1 = min(image.width, int((box[2] + CROP_MARGIN) * sx))
            y1 = min(image.height, int((box[3] + CROP_MARGIN) * sy))
            if x1 <= x0 or y1 <= y0:
                return None
            region = image.crop((x0, y0, x1, y1))
            if region.width > CROP_MAX_WIDTH:
                region = region.resize((CROP_MAX_WIDTH,
                                        max(1, round(region.height * CROP_MAX_WIDTH /
                                                     region.width))), Image.LANCZOS)
            if region.mode not in ("RGB", "L"):
                region = region.convert("RGB")
            tmp = target.with_name(name + ".partial")
            region.save(tmp, "JPEG", quality=82)
            os.replace(tmp, target)
            width, height = region.size
        else:
            from PIL import Image
            with Image.open(target) as done:
                width, height = done.size
        return {"src": f"crops/{name}", "page": page.page, "width": width, "height": height}

    def _open(self, path: Path):
        if self._image[0] != path:
            from PIL import Image
            with Image.open(path) as im:
                im.load()
                self._image = (path, im.copy())
        return self._image[1]

    def prune(self) -> None:
        for old in self.folder.iterdir():
            if old.name not in self.used:
                old.unlink()


