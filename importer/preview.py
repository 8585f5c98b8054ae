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

The built-in rendering is importer/preview_render.py, the scan crops
importer/preview_crops.py, trial selections importer/selection.py, the command line
importer/preview_cli.py.

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
from .preview_crops import Cropper, article_regions, load_pages
from .preview_render import render

log = logging.getLogger("importer.preview")

ROWS_PER_CHUNK = 2000
DETAILS_PER_CHUNK = 50
EXISTING_CHUNK = 500
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
    writer = _Writer(batch, articles, wiki, crops)
    rows, chunk, chunk_no = [], [], 1
    bar = _bar(len(articles), progress)
    for index, article in enumerate(articles):
        detail = writer.article(article)
        rows.append(writer.row(detail))
        chunk.append(detail)
        if len(chunk) == DETAILS_PER_CHUNK or index == len(articles) - 1:
            _write(writer.out / "data" / f"articles-{chunk_no:04d}.js",
                   js_data("articles", chunk_no, chunk))
            chunk, chunk_no = [], chunk_no + 1
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    return writer.finish(rows, len(all_articles), selection_note)


class _Writer:
    """What `preview` needs for one article after another, and the files at the end."""

    def __init__(self, batch: Path, articles: list[dict], wiki, crops: bool):
        self.batch, self.articles, self.wiki = batch, articles, wiki
        self.out = out = batch / "preview"
        try:
            out.mkdir(exist_ok=True)
            for sub in ("data", "wikitext"):
                shutil.rmtree(out / sub, ignore_errors=True)
                (out / sub).mkdir()
        except OSError as exc:
            raise BatchError(f"{out}: cannot write the preview ({exc.strerror})") from None
        self.result = PreviewResult(folder=out, index=out / "index.html",
                                    counts=Counter(a["kind"] for a in articles))
        self.pages = load_pages(batch)
        self.by_page = {(p.volume, p.page): i for i, p in enumerate(self.pages)}
        self.cropper = self._cropper() if crops else None
        self.live: dict[str, dict] = {}
        self.parse_cache = None
        if wiki is not None:
            self.live = check_titles(wiki, articles)
            self.parse_cache = ParseCache(out / "cache" / "parse", wiki)
            self.result.checked = True
        counts = Counter(a.get("title") for a in articles if a.get("title"))
        self.duplicates = {t for t, n in counts.items() if n > 1}
        self.names = file_names(articles)
        self.known_titles = {a["title"]: a["id"] for a in articles if a.get("title")}
        self.issues: Counter = Counter()
        self.covered: dict = {}

    def _cropper(self) -> Cropper | None:
        if not any(p.image for p in self.pages):
            if self.pages:
                self.result.notes.append("no scan crops: the batch has no page images")
            return None
        try:
            return Cropper(self.batch, self.out / "crops")
        except ImportError:
            self.result.notes.append("no scan crops: Pillow is not installed "
                                     "(pip install -e '.[samples]')")
            return None

    def article(self, article: dict) -> dict:
        """Writes the article's wikitext file; its details for the report."""
        aid, title, wikitext = article["id"], article.get("title"), article.get("wikitext")
        source = article.get("source") or {}
        self.covered.setdefault(source.get("volume"), set()).update(source.get("pages") or [])
        issues = article.get("issues") or []
        self.issues.update(i.get("kind", "?") for i in issues)
        name = self.names[aid]
        if wikitext is not None:
            _write(self.out / "wikitext" / name, wikitext + "\n")
        info = self.live.get(title) if title else None
        status, why = status_of(article, info, self.duplicates, self.result.checked)
        self.result.statuses[status] += 1
        rendered, templates = render(wikitext)
        detail = {
            "id": aid, "title": title, "kind": article["kind"], "target": article.get("target"),
            "target_id": self.known_titles.get(article.get("target")),
            "headword": article.get("headword"), "text": article.get("text") or "",
            "wikitext": wikitext, "file": f"wikitext/{name}" if wikitext is not None else None,
            "summary": article.get("summary"), "source": source,
            "confidence": article.get("confidence"), "issues": issues,
            "publishable": article.get("publishable", wikitext is not None),
            "status": status, "conflict": why, "rendered": rendered, "license": templates,
            "crops": [], "crop_note": None, "parsed": None, "live": None,
        }
        if self.cropper is not None:
            regions, detail["crop_note"] = article_regions(article, self.pages, self.by_page)
            crops = (self.cropper.crop(self.pages[i], box) for i, box in regions)
            detail["crops"] = [c for c in crops if c]
            self.result.crops += len(detail["crops"])
        if self.parse_cache is not None and wikitext and title:
            detail["parsed"] = self.parse_cache.parse(title, wikitext)
        if info and info.get("exists"):
            text = info.get("text")
            detail["live"] = {
                "title": info.get("title") or title, "redirect": bool(info.get("redirect")),
                "text": text, "diff": None if text is None else
                diff_lines(text, wikitext or "", title),
                "same": text is not None and text.strip() == (wikitext or "").strip()}
        return detail

    @staticmethod
    def row(d: dict) -> list:
        """A table row; the order is documented in preview.js."""
        return [d["id"], d["title"] or d["headword"] or "", d["kind"],
                page_ranges(d["source"].get("pages") or []), d["source"].get("volume"),
                d["confidence"], sorted({i.get("kind", "?") for i in d["issues"]}),
                d["status"], 1 if d["publishable"] else 0, len(d["crops"])]

    def finish(self, rows: list, total: int, selection_note: str | None) -> PreviewResult:
        out, result = self.out, self.result
        if self.cropper is not None:
            self.cropper.prune()
            if self.cropper.missing:
                result.notes.append(f"{len(self.cropper.missing)} page image(s) not found, "
                                    f"e.g. {sorted(self.cropper.missing)[0]}")
        row_files = []
        for n, start in enumerate(range(0, len(rows), ROWS_PER_CHUNK), 1):
            row_files.append(f"data/rows-{n:04d}.js")
            _write(out / row_files[-1], js_data("rows", n, rows[start:start + ROWS_PER_CHUNK]))
        _write_indexes(out / "wikitext", self.articles, self.names)
        report = _load_json(self.batch / "report.json")
        profile = report.get("profile") or {}
        summary = {
            "batch": str(self.batch.resolve()), "work": profile.get("title") or "",
            "profile": profile.get("name") or "",
            "license": (report.get("articles") or {}).get("license") or "?",
            "total": total, "shown": len(rows), "kinds": dict(result.counts),
            "unpublishable": sum(1 for r in rows if not r[8]),
            "issues": dict(sorted(self.issues.items())),
            "statuses": dict(sorted(result.statuses.items())), "checked": result.checked,
            "pages": {str(v): page_ranges(p)
                      for v, p in sorted(self.covered.items(), key=lambda kv: str(kv[0]))},
            "page_count": sum(len(p) for p in self.covered.values()),
            "selection": selection_note, "crops": result.crops, "notes": result.notes,
            "wiki": getattr(self.wiki, "cache_key", None) if self.wiki is not None else None,
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
