"""The page stage: source files -> BATCH/pages.jsonl.

Two streaming passes per volume, so memory does not grow with its length:
  1. read each file, rebuild the reading order, mark heads and page numbers,
     repair the text, and collect the volume's evidence (its vocabulary for
     hyphenation, the lines that repeat at the page edges) into a work file;
  2. read the work file back, drop the repeated edge lines, join line-end
     hyphens (also across columns and pages) and write one record per page.
"""
from __future__ import annotations

import json
import logging
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from tqdm import tqdm

from . import layout
from .errors import BatchError, InputFileError
from .hyphens import ends_with_break, join_lines, vocabulary_words
from .model import BODY, HEADER, PageRecord
from .ocr import ocr_images
from .profile import Profile
from .readers import detect_format, read_pages
from .readers.hocr import read_hocr
from .repair import RepairRules, drop_zero_counts, repair_line

log = logging.getLogger("importer")

# When one page is given in several forms (hocr/page-017.hocr, alto/page-017.xml,
# images/page-017.png), the first format here is read; an image only when no OCR exists.
FORMAT_PREFERENCE = ["alto", "page", "hocr", "text", "image"]
FOLDER_SUFFIXES = {".xml", ".alto", ".hocr", ".html", ".htm", ".xhtml", ".txt",
                   ".png", ".tif", ".tiff", ".jpg", ".jpeg"}


@dataclass
class SourceFile:
    path: Path
    format: str
    volume: int
    image: Path | None = None  # the page image beside it, for scan crops


@dataclass
class PageStats:
    files: int = 0
    pages: int = 0
    failed: list[InputFileError] = field(default_factory=list)
    dropped: Counter = field(default_factory=Counter)
    repairs: Counter = field(default_factory=Counter)
    hyphens_joined: int = 0
    hyphens_kept: int = 0
    ocr_pages: int = 0
    ocr_cached: int = 0
    confidences: list[float] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "files": self.files, "pages": self.pages,
            "failed": [{"file": e.path, "problem": e.problem} for e in self.failed],
            "dropped": dict(sorted(self.dropped.items())),
            "repairs": drop_zero_counts(self.repairs),
            "hyphens": {"joined": self.hyphens_joined, "kept": self.hyphens_kept},
            "ocr": {"pages": self.ocr_pages, "cached": self.ocr_cached},
            "confidence": round(statistics.fmean(self.confidences), 4) if self.confidences else None,
        }


def _natural_key(path: Path) -> list:
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", str(path))]


def collect_sources(sources: list[str], profile: Profile, default_volume: int,
                    failed: list[InputFileError]) -> list[SourceFile]:
    """The input files in reading order, one form per page, with their volume."""
    collected: list[SourceFile] = []
    for source in sources:
        root = Path(source)
        if root.is_dir():
            # In a folder only files that look like OCR output or scans; a file
            # named on the command line is read whatever its name.
            files = sorted((p for p in root.rglob("*") if p.is_file()
                            and p.suffix.lower() in FOLDER_SUFFIXES
                            and not any(part.startswith(".") for part in p.relative_to(root).parts)),
                           key=_natural_key)
        elif root.is_file():
            files = [root]
        else:
            failed.append(InputFileError(root, "no such file or folder"))
            continue
        by_stem: dict[str, list[tuple[str, Path]]] = {}
        for path in files:
            try:
                kind = detect_format(path)
            except InputFileError as error:
                failed.append(error)
                continue
            by_stem.setdefault(path.stem, []).append((kind, path))
        for stem in sorted(by_stem, key=lambda s: _natural_key(Path(s))):
            forms = sorted(by_stem[stem], key=lambda form: FORMAT_PREFERENCE.index(form[0]))
            kind, path = forms[0]
            image = next((p for k, p in forms if k == "image"), None)
            volume = profile.volume_for(str(path.resolve()), default_volume)
            collected.append(SourceFile(path, kind, volume, image))
    return collected


def _record_lines(page, lines, classified, rules: RepairRules, repairs: Counter) -> dict:
    """Pass one's record of a page: lines in order, with roles and repaired text."""
    dropped_roles = dict(classified.dropped)
    records = []
    for index, line in enumerate(lines):
        raw = line.text
        role = dropped_roles.get(index, BODY)
        if role == BODY and rules.edge_specks:
            line, specks = layout.strip_edge_specks(line)
            repairs["speck"] += specks
        last = line.words[-1] if line.words else None
        confidences = [w.confidence for w in line.words if w.confidence is not None]
        records.append({
            "raw": raw,
            "text": repair_line(line.text, rules, repairs) if role == BODY else raw,
            "role": role,
            "box": [line.box.x0, line.box.y0, line.box.x1, line.box.y1] if line.box else None,
            "edge": index in classified.edge,
            "joined": last.joined if last is not None and last.hyphen_part == 1 else None,
            "conf": [sum(confidences), len(confidences)],
        })
    return {"source": page.source, "sequence": page.sequence, "width": page.width,
            "height": page.height, "image": page.image, "printed": classified.printed_number,
            "lines": records, "repairs": dict(repairs)}


def _read_source(source: SourceFile, hocr: Path | None) -> Iterator:
    if source.format == "image":
        yield from read_hocr(hocr)
    else:
        yield from read_pages(source.path)


def _pass_one(sources: list[SourceFile], hocr_for: dict[Path, Path], work: Path,
              rules: RepairRules, stats: PageStats, progress: bool):
    """Read, order, classify and repair every page of one volume into `work`."""
    vocabulary: Counter = Counter()
    edge_counts: Counter = Counter()
    printed: list[str | None] = []
    named: list[int | None] = []  # the number in the page's file name (one-page files)
    pages = 0
    with open(work, "w", encoding="utf-8") as out, \
            tqdm(total=len(sources), desc="reading", unit="file", disable=None if progress else True) as bar:
        for source in sources:
            bar.update(1)
            if source.format == "image" and source.path not in hocr_for:
                continue  # OCR failed: already reported
            first_of_file = len(printed)
            try:
                for sequence, page in enumerate(_read_source(source, hocr_for.get(source.path))):
                    page.source = str(source.path)
                    page.sequence = sequence
                    if source.image and not page.image:
                        page.image = str(source.image)
                    if source.format == "image":
                        page.image = str(source.path)
                    lines = layout.order_lines(page)
                    classified = layout.classify(page, lines, repeated=set())
                    record = _record_lines(page, lines, classified, rules, Counter())
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
                    printed.append(classified.printed_number)
                    pages += 1
                    edge_counts.update(classified.edge_keys())
                    body = [r["text"] for r in record["lines"] if r["role"] == BODY]
                    for i, text in enumerate(body):
                        words = vocabulary_words(text)
                        # Broken fragments are no evidence of how a word is spelled.
                        if ends_with_break(text):
                            words = words[:-1]
                        if i and ends_with_break(body[i - 1]):
                            words = words[1:]
                        vocabulary.update(words)
            except InputFileError as error:
                stats.failed.append(error)
                log.error("%s", error)
            in_file = len(printed) - first_of_file
            named += [file_number(source.path) if in_file == 1 else None] * in_file
            stats.files += 1
    # A line at the page edge that recurs on several pages is a running title.
    needed = 3 if pages >= 6 else 2
    repeated = {key for key, count in edge_counts.items() if count >= needed}
    return vocabulary, repeated, page_numbers(printed, named)


def file_number(path: Path) -> int | None:
    """The last number in a file's name ("page-041.xml" -> 41), or None."""
    digits = re.findall(r"\d+", path.stem)
    return int(digits[-1]) if digits else None


def page_numbers(printed: list[str | None],
                 named: list[int | None] | None = None) -> list[int | str]:
    """Page numbers for a volume, from what each page printed (or OCR made of it).

    A number is trusted when a second source agrees with it: a neighbouring
    page (17 beside 18), or the number in the page's own file name (scans are
    often named by their page: "43" read on page-043.png). The others (a
    number Tesseract merged into the running head as "217", specks read as
    "2222", or lost) follow the nearest trusted page; with no trusted page at
    all the printed text is kept, or the page's place in the volume when there
    is none.
    """
    numbers = [int(p) if p is not None and p.isdigit() else None for p in printed]
    named = list(named or []) + [None] * (len(numbers) - len(named or []))
    trusted = [n is not None and (named[i] == n or any(
                   0 <= j < len(numbers) and numbers[j] is not None
                   and numbers[j] - n == j - i for j in (i - 1, i + 1)))
               for i, n in enumerate(numbers)]
    anchors = [i for i, ok in enumerate(trusted) if ok]
    result: list[int | str] = []
    for i, text in enumerate(printed):
        if trusted[i]:
            result.append(numbers[i])
        elif anchors:
            nearest = min(anchors, key=lambda a: abs(a - i))
            result.append(numbers[nearest] + (i - nearest))
        elif numbers[i] is not None:
            result.append(numbers[i])
        else:
            result.append(text or i + 1)
    return result


def _pass_two(work: Path, volume: int, vocabulary: Counter, repeated: set[str],
              numbers: list[int | str], stats: PageStats,
              progress: bool) -> Iterator[PageRecord]:
    """Drop repeated edge lines, join hyphens across lines, columns and pages."""
    pending: PageRecord | None = None
    pending_joined: str | None = None  # explicit word for pending's last line
    with open(work, encoding="utf-8") as handle:
        for sequence, raw_line in enumerate(tqdm(handle, desc="pages", unit="page",
                                                 disable=None if progress else True)):
            data = json.loads(raw_line)
            texts, boxes, dropped, joined = [], [], [], []
            conf_sum = conf_n = 0
            for line in data["lines"]:
                role = line["role"]
                if role == BODY and line["edge"] and layout.repetition_key(line["raw"]) in repeated:
                    role = HEADER
                if role != BODY:
                    if line["raw"].strip():
                        dropped.append(line["raw"])
                        stats.dropped[role] += 1
                    continue
                if not line["text"].strip() and line["box"] is not None:
                    continue
                texts.append(line["text"])
                boxes.append(line["box"])
                joined.append(line["joined"])
                conf_sum += line["conf"][0]
                conf_n += line["conf"][1]
            _join_within(texts, boxes, joined, vocabulary, stats)
            number = numbers[sequence]
            record = PageRecord(volume=volume, page=number, source=data["source"],
                                text="\n".join(texts), dropped=dropped,
                                confidence=round(conf_sum / conf_n, 4) if conf_n else None,
                                repairs=drop_zero_counts(Counter(data["repairs"])),
                                image=data["image"], boxes=boxes, width=data["width"],
                                height=data["height"], sequence=data["sequence"])
            if record.confidence is not None:
                stats.confidences.append(record.confidence)
            stats.repairs.update(data["repairs"])
            if pending is not None:
                _join_across(pending, pending_joined, record, vocabulary, stats)
                yield pending
            pending, pending_joined = record, (joined[-1] if joined else None)
    if pending is not None:
        yield pending


def _join_within(texts: list[str], boxes: list, joined: list, vocabulary: Counter,
                 stats: PageStats) -> None:
    index = 0
    while index < len(texts) - 1:
        if ends_with_break(texts[index]) and texts[index + 1].strip():
            first, rest, was_break = join_lines(texts[index], texts[index + 1], vocabulary,
                                                joined[index])
            if first != texts[index]:
                texts[index], texts[index + 1] = first, rest
                stats.hyphens_joined += was_break
                stats.hyphens_kept += not was_break
                if not rest:
                    del texts[index + 1], boxes[index + 1], joined[index + 1]
                    continue
        index += 1


def _join_across(before: PageRecord, explicit: str | None, after: PageRecord,
                 vocabulary: Counter, stats: PageStats) -> None:
    """A word broken at the foot of one page continues at the head of the next."""
    if not before.text or not after.text:
        return
    before_lines = before.text.split("\n")
    after_lines = after.text.split("\n")
    if not ends_with_break(before_lines[-1]):
        return
    first, rest, was_break = join_lines(before_lines[-1], after_lines[0], vocabulary, explicit)
    if first == before_lines[-1]:
        return
    before_lines[-1] = first
    stats.hyphens_joined += was_break
    stats.hyphens_kept += not was_break
    if rest:
        after_lines[0] = rest
    else:
        del after_lines[0]
        del after.boxes[0]
    before.text, after.text = "\n".join(before_lines), "\n".join(after_lines)


def build_pages(sources: list[str], profile: Profile, batch: Path, default_volume: int = 1,
                workers: int | None = None, progress: bool = True) -> PageStats:
    """Read every source into BATCH/pages.jsonl. Bad files are reported, not fatal."""
    stats = PageStats()
    files = collect_sources(sources, profile, default_volume, stats.failed)
    for error in stats.failed:
        log.error("%s", error)
    rules = RepairRules.from_profile(profile.raw.get("repair", {}))
    hocr_for = _ocr_all([f for f in files if f.format == "image"], batch, profile, workers,
                        stats, progress)
    work_dir = batch / "work"
    work_dir.mkdir(exist_ok=True)
    target = batch / "pages.jsonl"
    partial = target.with_suffix(".jsonl.partial")
    volumes = sorted({f.volume for f in files})
    with open(partial, "w", encoding="utf-8") as out:
        for volume in volumes:
            in_volume = [f for f in files if f.volume == volume]
            work = work_dir / f"volume-{volume}.jsonl"
            vocabulary, repeated, numbers = _pass_one(in_volume, hocr_for, work, rules, stats,
                                                      progress)
            for record in _pass_two(work, volume, vocabulary, repeated, numbers, stats, progress):
                out.write(json.dumps(record.to_json(), ensure_ascii=False) + "\n")
                stats.pages += 1
            work.unlink()
    partial.replace(target)
    _remove_if_empty(work_dir)
    log.info("pages: %s", json.dumps(stats.to_json(), ensure_ascii=False))
    return stats


def _ocr_all(images: list[SourceFile], batch: Path, profile: Profile, workers: int | None,
             stats: PageStats, progress: bool) -> dict[Path, Path]:
    if not images:
        return {}
    hocr_for: dict[Path, Path] = {}
    with tqdm(total=len(images), desc="OCR", unit="page", disable=None if progress else True) as bar:
        for result in ocr_images([f.path for f in images], batch / "ocr", profile.ocr_language,
                                 workers, on_done=lambda _: bar.update(1)):
            if result.error:
                stats.failed.append(result.error)
                log.error("%s", result.error)
                continue
            hocr_for[result.image] = result.hocr
            stats.ocr_pages += 1
            stats.ocr_cached += result.cached
    return hocr_for


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass


def read_page_records(batch: Path) -> Iterator[PageRecord]:
    path = batch / "pages.jsonl"
    if not path.exists():
        raise BatchError(f"{batch}: no pages.jsonl (run `importer build` first)")
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            yield PageRecord.from_json(json.loads(line))
