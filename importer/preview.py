"""`importer preview BATCH`: a dry run a reviewer can read, nothing written to a wiki.

    result = preview(batch, wiki=None, ids=None, crops=True)

writes BATCH/preview/:

    index.html            static, offline report (open from disk; no server, no network)
    preview.js/.css       copied from importer/preview_assets/
    data/meta.js          summary figures, filter values, chunk counts
    data/rows-NNNN.js     the table: ROWS_PER_CHUNK compact rows per file
    data/articles-NNNN.js details (text, wikitext, rendering, crops, diff):
                          DETAILS_PER_CHUNK articles per file, loaded when opened
    wikitext/<file>.wiki  every article's wikitext (file name: ASCII slug of the
                          title + hash of the id, safe on every OS)
    wikitext/index.tsv    file <TAB> id <TAB> kind <TAB> title (also index.json); an
                          article without wikitext (not publishable) has no file
    crops/<hash>.jpg      the scan region of each article (page images + line boxes)
    cache/parse/          the wiki's action=parse results, keyed by wiki, title, text

Data files are JavaScript calls (`previewData(kind, n, JSON)`), because Chromium
does not let a file:// page fetch() a local JSON file. Everything that came from
the scan reaches the page as JSON and is put into the DOM with textContent, never
as markup; the wiki's own rendering is shown in a sandboxed iframe without scripts;
a Content-Security-Policy forbids inline scripts and event handlers besides.

The wiki, when given, is any object with

    parse(title, wikitext) -> html            (action=parse, contentmodel=wikitext)
    existing(titles) -> {title: {"exists": bool, "redirect": bool, "text": str | None,
                                 "title": str (optional: the page found, when variant
                                 conversion found it under another spelling),
                                 "invalid": bool (optional: the wiki refuses the title)}}

keyed by the titles as asked (normalized/converted titles mapped back). `existing`
is called with at most EXISTING_CHUNK titles at a time and does the 50/500-title
query batching itself (converttitles=1 on wikis with variants, such as kk).
Statuses: new, exists, exists-as-redirect, title-conflict (two articles of the batch
share a title, the wiki refuses it, or variant conversion found another page),
unchecked (no wiki). An optional `cache_key` attribute names the
wiki in the parse cache.
"""
from __future__ import annotations

import difflib
import hashlib
import html
import json
import logging
import os
import re
import shutil
import string
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .errors import BatchError, InputFileError

log = logging.getLogger("importer.preview")

ROWS_PER_CHUNK = 2000
DETAILS_PER_CHUNK = 50
EXISTING_CHUNK = 500
CROP_MAX_WIDTH = 900
CROP_MARGIN = 10
MAX_DIFF_LINES = 2000
ASSETS = ("preview.js", "preview.css")
UNCHECKED, NEW, EXISTS, EXISTS_REDIRECT, CONFLICT = (
    "unchecked", "new", "exists", "exists-as-redirect", "title-conflict")


@dataclass
class PreviewResult:
    folder: Path
    index: Path
    counts: Counter
    crops: int = 0
    checked: bool = False
    statuses: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    def format(self) -> str:
        kinds = ", ".join(f"{n} {k}s" for k, n in sorted(self.counts.items())) or "no articles"
        lines = [f"preview of {kinds}; {self.crops} scan crops"]
        if self.checked:
            lines.append("on the wiki: " + ", ".join(f"{n} {s}" for s, n in
                                                     sorted(self.statuses.items())))
        lines += [f"note: {note}" for note in self.notes]
        lines.append(f"wikitext: {self.folder / 'wikitext'}")
        lines.append(str(self.index))
        return "\n".join(lines)


# -- reading the batch ------------------------------------------------------------------

def load_articles(batch: Path) -> list[dict]:
    path = Path(batch) / "articles.jsonl"
    if not path.is_file():
        raise BatchError(f"{path}: no articles (run `importer build` first)")
    out = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                article = json.loads(line)
                article["id"], article["kind"]
            except (ValueError, KeyError, TypeError) as exc:
                raise InputFileError(path, f"line {number}: not an article ({exc})") from None
            out.append(article)
    return out


def _load_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


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


# -- file names -----------------------------------------------------------------------

_TRANSLIT = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі",
    ["a", "b", "v", "g", "d", "e", "yo", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p",
     "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya",
     "a", "gh", "q", "ng", "o", "u", "u", "h", "i"]))


def slug(title: str, limit: int = 60) -> str:
    """An ASCII file-name part for a title: Kazakh/Russian letters transliterated,
    everything else not [a-z0-9] turned into "-". Never empty, never reserved."""
    out = []
    for c in (title or "").lower():
        if c in _TRANSLIT:
            out.append(_TRANSLIT[c])
        else:
            out.append(unicodedata.normalize("NFKD", c).encode("ascii", "ignore").decode())
    text = re.sub(r"[^a-z0-9]+", "-", "".join(out)).strip("-")[:limit].strip("-")
    return text or "untitled"


def file_names(articles: list[dict]) -> dict[str, str]:
    """id -> "<slug>-<hash of id>.wiki", unique even on case-insensitive file systems."""
    names: dict[str, str] = {}
    used: set[str] = set()
    for article in articles:
        digest = hashlib.sha1(str(article["id"]).encode("utf-8")).hexdigest()
        base = slug(article.get("title") or article.get("headword") or "")
        for size in (10, 16, 40):
            name = f"{base}-{digest[:size]}.wiki"
            if name not in used:
                break
        used.add(name)
        names[article["id"]] = name
    return names


# -- the built-in rendering -----------------------------------------------------------

_REDIRECT = re.compile(r"\A\s*#[^\s\[]+\s*:?\s*\[\[([^\]|#]+)")


def render_tree(wikitext: str | None) -> list:
    """A safe, small rendering of wikitext as data the page turns into DOM nodes.

    Blocks: ["p", inl], ["h", level, inl], ["box", name, [[key, value], ...]]
    (templates: the license block), ["redirect", target], ["code", text].
    Inlines: text, ["b", inl], ["i", inl], ["a", target, inl], ["code", text].
    Nothing is ever HTML: the page builds elements and sets their textContent.
    """
    return render(wikitext)[0]


def license_blocks(wikitext: str | None) -> list[str]:
    """The templates of the article (the attribution/license block), as wikitext."""
    return render(wikitext)[1]


def render(wikitext: str | None) -> tuple[list, list[str]]:
    """(render_tree, license_blocks) with one parse."""
    if not wikitext:
        return [], []
    m = _REDIRECT.match(wikitext)
    if m:
        return [["redirect", m.group(1).strip()]], []
    import mwparserfromhell
    from mwparserfromhell.nodes import Heading, Template, Text
    blocks: list = []
    templates: list[str] = []
    para: list = []

    def flush():
        if not _blank(para):
            blocks.append(["p", _strip(_merge(para))])
        para.clear()

    for node in mwparserfromhell.parse(wikitext).nodes:
        if isinstance(node, Heading):
            flush()
            blocks.append(["h", node.level, _strip(_merge(_inline(node.title.nodes)))])
        elif isinstance(node, Template) and _blank(para):
            flush()
            blocks.append(_template(node))
            templates.append(str(node))
        elif isinstance(node, Text):
            parts = re.split(r"\n[ \t]*\n", str(node.value))
            para.append(parts[0])
            for part in parts[1:]:
                flush()
                para.append(part)
        else:
            if isinstance(node, Template):
                templates.append(str(node))
            para.extend(_inline([node]))
    flush()
    return blocks, templates


def _blank(inl: list) -> bool:
    return all(isinstance(x, str) and not x.strip() for x in inl)


def _template(node) -> list:
    params = [[str(p.name).strip() if p.showkey else "", _plain(p.value)] for p in node.params]
    return ["box", str(node.name).strip(), params]


def _plain(code) -> str:
    return html.unescape(code.strip_code(normalize=True, collapse=True)).strip() or \
        str(code).strip()


def _inline(nodes) -> list:
    from mwparserfromhell.nodes import (Comment, ExternalLink, HTMLEntity, Tag, Template, Text,
                                        Wikilink)
    out: list = []
    for node in nodes:
        if isinstance(node, Text):
            out.append(str(node.value))
        elif isinstance(node, HTMLEntity):
            out.append(node.normalize())
        elif isinstance(node, Wikilink):
            target = html.unescape(str(node.title)).strip()
            label = _inline(node.text.nodes) if node.text is not None else [target]
            out.append(["a", target, _merge(label)])
        elif isinstance(node, ExternalLink):
            label = _inline(node.title.nodes) if node.title is not None else [str(node.url)]
            out.append(["ext", str(node.url), _merge(label)])
        elif isinstance(node, Tag) and str(node.tag).lower() in ("b", "i") and node.contents:
            out.append([str(node.tag).lower(), _merge(_inline(node.contents.nodes))])
        elif isinstance(node, Tag) and str(node.tag).lower() == "br":
            out.append("\n")
        elif isinstance(node, Template):
            out.append(["code", str(node)])
        elif isinstance(node, Comment):
            continue
        else:
            out.append(["code", str(node)])
    return out


def _merge(inl: list) -> list:
    out: list = []
    for x in inl:
        if isinstance(x, str):
            x = re.sub(r"\s*\n\s*", " ", x) if x != "\n" else x
            if out and isinstance(out[-1], str):
                out[-1] += x
                continue
        out.append(x)
    return out


def _strip(inl: list) -> list:
    if inl and isinstance(inl[0], str):
        inl[0] = inl[0].lstrip()
    if inl and isinstance(inl[-1], str):
        inl[-1] = inl[-1].rstrip()
    return [x for x in inl if x != ""]


# -- scan crops -------------------------------------------------------------------------

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


# -- the wiki -----------------------------------------------------------------------

def check_titles(wiki, articles: list[dict]) -> dict[str, dict]:
    """title -> what the wiki says of it; EXISTING_CHUNK titles per call."""
    titles = list(dict.fromkeys(a["title"] for a in articles if a.get("title")))
    found: dict[str, dict] = {}
    for i in range(0, len(titles), EXISTING_CHUNK):
        found.update(wiki.existing(titles[i:i + EXISTING_CHUNK]) or {})
    return found


def status_of(article: dict, info: dict | None, duplicates: set,
              checked: bool) -> tuple[str, str | None]:
    """(status, why) of an article's title; `why` explains a title conflict."""
    title = article.get("title")
    if title in duplicates:
        return CONFLICT, "more than one article of this batch has this title"
    if not checked:
        return UNCHECKED, None
    if info and info.get("invalid"):
        return CONFLICT, "the wiki does not accept this title"
    if not info or not info.get("exists"):
        return NEW, None
    if info.get("title") and info["title"] != title:
        return CONFLICT, f"the wiki has this title as {info['title']!r} (variant conversion)"
    return (EXISTS_REDIRECT if info.get("redirect") else EXISTS), None


def diff_lines(live: str, ours: str, title: str) -> list[str]:
    diff = list(difflib.unified_diff(live.splitlines(), ours.splitlines(),
                                     f"on the wiki: {title}", f"this batch: {title}",
                                     lineterm="", n=2))
    if len(diff) > MAX_DIFF_LINES:
        diff = diff[:MAX_DIFF_LINES] + [f"... {len(diff) - MAX_DIFF_LINES} more lines"]
    return diff


class ParseCache:
    def __init__(self, folder: Path, wiki):
        self.folder, self.wiki = folder, wiki
        self.key = str(getattr(wiki, "cache_key", "") or type(wiki).__name__)
        self.hits = self.misses = 0

    def parse(self, title: str, wikitext: str) -> str:
        digest = hashlib.sha1(f"{self.key}\x00{title}\x00{wikitext}".encode("utf-8")).hexdigest()
        path = self.folder / digest[:2] / f"{digest}.html"
        if path.is_file():
            self.hits += 1
            return path.read_text(encoding="utf-8")
        self.misses += 1
        text = self.wiki.parse(title, wikitext)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".partial")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
        return text


# -- writing ------------------------------------------------------------------------

def js_data(kind: str, number: int, data) -> str:
    """A data file: a call of the page's loader with JSON that cannot end a script."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return f"previewData({json.dumps(kind)},{number},{text});\n"


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".partial")
    tmp.write_text(text, encoding="utf-8", newline="\n")
    os.replace(tmp, path)


def page_ranges(pages) -> str:
    """[1, 2, 3, 5, "ix"] -> "1–3, 5, ix"."""
    numbers = sorted({p for p in pages if isinstance(p, int)})
    out, start = [], None
    for i, n in enumerate(numbers):
        if start is None:
            start = n
        if i + 1 == len(numbers) or numbers[i + 1] != n + 1:
            out.append(str(start) if start == n else f"{start}–{n}")
            start = None
    out += sorted({str(p) for p in pages if not isinstance(p, int)})
    return ", ".join(out)


def _asset(name: str) -> str:
    return resources.files("importer").joinpath("preview_assets", name).read_text(
        encoding="utf-8")


def preview(batch, wiki=None, ids: list[str] | None = None, crops: bool = True,
            selection_note: str | None = None, progress: bool = False) -> PreviewResult:
    """Writes BATCH/preview/ for the batch's articles (only `ids` when given)."""
    batch = Path(batch)
    if not batch.is_dir():
        raise BatchError(f"{batch}: no such batch folder")
    all_articles = load_articles(batch)
    articles = all_articles
    if ids is not None:
        wanted = set(ids)
        articles = [a for a in all_articles if a["id"] in wanted]
    report = _load_json(batch / "report.json")
    out = batch / "preview"
    try:
        out.mkdir(exist_ok=True)
        for sub in ("data", "wikitext"):
            shutil.rmtree(out / sub, ignore_errors=True)
            (out / sub).mkdir()
    except OSError as exc:
        raise BatchError(f"{out}: cannot write the preview ({exc.strerror})") from None
    result = PreviewResult(folder=out, index=out / "index.html",
                           counts=Counter(a["kind"] for a in articles))

    pages = load_pages(batch)
    by_page = {(p.volume, p.page): i for i, p in enumerate(pages)}
    cropper = None
    if crops and any(p.image for p in pages):
        try:
            cropper = Cropper(batch, out / "crops")
        except ImportError:
            result.notes.append("no scan crops: Pillow is not installed "
                                "(pip install -e '.[samples]')")
    elif crops and pages:
        result.notes.append("no scan crops: the batch has no page images")

    live: dict[str, dict] = {}
    parse_cache = None
    if wiki is not None:
        live = check_titles(wiki, articles)
        parse_cache = ParseCache(out / "cache" / "parse", wiki)
        result.checked = True
    title_counts = Counter(a.get("title") for a in articles if a.get("title"))
    duplicates = {t for t, n in title_counts.items() if n > 1}

    names = file_names(articles)
    known_titles = {a["title"]: a["id"] for a in articles if a.get("title")}
    rows, chunk, chunk_no = [], [], 1
    issue_counts: Counter = Counter()
    covered: dict = {}
    bar = _bar(len(articles), progress)
    for index, article in enumerate(articles):
        aid, title = article["id"], article.get("title")
        source = article.get("source") or {}
        covered.setdefault(source.get("volume"), set()).update(source.get("pages") or [])
        issues = article.get("issues") or []
        issue_kinds = sorted({i.get("kind", "?") for i in issues})
        issue_counts.update(i.get("kind", "?") for i in issues)
        wikitext = article.get("wikitext")
        name = names[aid]
        if wikitext is not None:
            _write(out / "wikitext" / name, wikitext + "\n")
        info = live.get(title) if title else None
        status, why = status_of(article, info, duplicates, result.checked)
        result.statuses[status] += 1
        detail = {
            "id": aid, "title": title, "kind": article["kind"], "target": article.get("target"),
            "headword": article.get("headword"), "text": article.get("text") or "",
            "wikitext": wikitext, "file": f"wikitext/{name}" if wikitext is not None else None, "summary": article.get("summary"),
            "source": source, "confidence": article.get("confidence"), "issues": issues,
            "publishable": article.get("publishable", wikitext is not None), "status": status, "conflict": why,
            "rendered": None, "license": None, "crops": [], "crop_note": None, "parsed": None, "live": None,
        }
        detail["rendered"], detail["license"] = render(wikitext)
        if cropper is not None:
            regions, detail["crop_note"] = article_regions(article, pages, by_page)
            for idx, box in regions:
                crop = cropper.crop(pages[idx], box)
                if crop:
                    detail["crops"].append(crop)
            result.crops += len(detail["crops"])
        if parse_cache is not None and wikitext and title:
            detail["parsed"] = parse_cache.parse(title, wikitext)
        if info and info.get("exists"):
            text = info.get("text")
            detail["live"] = {"title": info.get("title") or title, "redirect":
                              bool(info.get("redirect")), "text": text,
                              "diff": diff_lines(text, wikitext or "", title)
                              if text is not None else None,
                              "same": text is not None and text.strip() == (wikitext or "").strip()}
        if article.get("target") in known_titles:
            detail["target_id"] = known_titles[article["target"]]
        rows.append([aid, title or article.get("headword") or "", article["kind"],
                     page_ranges(source.get("pages") or []), source.get("volume"),
                     article.get("confidence"), issue_kinds, status,
                     1 if detail["publishable"] else 0, len(detail["crops"])])
        chunk.append(detail)
        if len(chunk) == DETAILS_PER_CHUNK or index == len(articles) - 1:
            _write(out / "data" / f"articles-{chunk_no:04d}.js", js_data("articles", chunk_no, chunk))
            chunk, chunk_no = [], chunk_no + 1
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    if cropper is not None:
        cropper.prune()
        if cropper.missing:
            result.notes.append(f"{len(cropper.missing)} page image(s) not found, e.g. "
                                f"{sorted(cropper.missing)[0]}")

    row_files = []
    for n, start in enumerate(range(0, len(rows), ROWS_PER_CHUNK), 1):
        row_files.append(f"data/rows-{n:04d}.js")
        _write(out / row_files[-1], js_data("rows", n, rows[start:start + ROWS_PER_CHUNK]))
    _write_indexes(out / "wikitext", articles, names)

    license_label = (report.get("articles") or {}).get("license") or "?"
    profile = report.get("profile") or {}
    summary = {
        "batch": str(batch.resolve()), "work": profile.get("title") or "",
        "profile": profile.get("name") or "", "license": license_label,
        "total": len(all_articles), "shown": len(articles), "kinds": dict(result.counts),
        "unpublishable": sum(1 for r in rows if not r[8]),
        "issues": dict(sorted(issue_counts.items())),
        "statuses": dict(sorted(result.statuses.items())), "checked": result.checked,
        "pages": {str(v): page_ranges(p) for v, p in sorted(covered.items(),
                                                            key=lambda kv: str(kv[0]))},
        "page_count": sum(len(p) for p in covered.values()),
        "selection": selection_note, "crops": result.crops, "notes": result.notes,
        "wiki": getattr(wiki, "cache_key", None) if wiki is not None else None,
    }
    meta = {"summary": summary, "rows": row_files, "details_per_chunk": DETAILS_PER_CHUNK,
            "count": len(rows)}
    _write(out / "data" / "meta.js", js_data("meta", 0, meta))
    for asset in ASSETS:
        _write(out / asset, _asset(asset))
    _write(result.index, index_html(summary))
    return result


def _write_indexes(folder: Path, articles: list[dict], names: dict[str, str]) -> None:
    def clean(value) -> str:
        return re.sub(r"[\t\r\n]", " ", str(value or ""))
    entries = [{"file": names[a["id"]] if a.get("wikitext") is not None else None,
                "id": a["id"], "kind": a["kind"], "title": a.get("title")} for a in articles]
    lines = ["file\tid\tkind\ttitle"]
    lines += [f"{e['file'] or ''}\t{clean(e['id'])}\t{e['kind']}\t{clean(e['title'])}"
              for e in entries]
    _write(folder / "index.tsv", "\n".join(lines) + "\n")
    _write(folder / "index.json", json.dumps(entries, ensure_ascii=False, indent=1) + "\n")


def _bar(total: int, progress: bool):
    if not progress:
        return None
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - tqdm is a dependency
        return None
    return tqdm(total=total, unit="article", desc="preview", file=sys.stderr, leave=False)


# -- index.html -----------------------------------------------------------------------

def _e(value) -> str:
    return html.escape(str(value), quote=True)


def summary_html(s: dict) -> str:
    """The summary as static HTML (readable before the script has run)."""
    kinds = s["kinds"]
    rows = [("Articles", f"{kinds.get('article', 0)}"), ("Redirects", f"{kinds.get('redirect', 0)}")]
    if s["shown"] != s["total"]:
        rows.append(("Trial selection", f"{s['shown']} of {s['total']}" +
                     (f" ({s['selection']})" if s["selection"] else "")))
    rows.append(("Not publishable", str(s["unpublishable"])))
    rows.append(("License", s["license"]))
    rows.append(("Source", s["work"] or s["profile"]))
    pages = "; ".join(f"volume {v}: {r}" for v, r in s["pages"].items())
    rows.append(("Pages covered", f"{s['page_count']} ({pages})" if pages else "0"))
    rows.append(("Scan crops", str(s["crops"])))
    rows.append(("Wiki", ", ".join(f"{n} {k}" for k, n in s["statuses"].items())
                 if s["checked"] else "not checked (no --api/--site): status unknown"))
    out = ['<table class="summary"><tbody>']
    out += [f'<tr><th scope="row">{_e(k)}</th><td>{_e(v)}</td></tr>' for k, v in rows]
    issues = ", ".join(f"{k}: {n}" for k, n in s["issues"].items()) or "none"
    out.append(f'<tr><th scope="row">Issues</th><td>{_e(issues)}</td></tr>')
    out.append("</tbody></table>")
    out += [f'<p class="note">{_e(n)}</p>' for n in s["notes"]]
    return "\n".join(out)


def index_html(summary: dict) -> str:
    template = string.Template(_asset("index.html"))
    title = f"Preview: {summary['work'] or summary['profile'] or 'batch'}"
    return template.substitute(title=_e(title), heading=_e(title), batch=_e(summary["batch"]),
                               summary=summary_html(summary), count=_e(summary["shown"]))
