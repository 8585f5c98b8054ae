"""Make a sample volume: page images of encyclopedia articles, their OCR, and the truth.

Lays out the articles of samples/kk-articles.txt the way «Қазақстан» ұлттық
энциклопедиясы prints them (bold capital headword at the start of an indented
line, an em dash, justified columns, line-end hyphenation, a running head with
guide words, a page number), adds scan noise, then runs Tesseract on every page.

    python samples/make_sample.py --columns 2 --noise mild  --pages-out samples/kk-sample
    python samples/make_sample.py --columns 3 --noise heavy --pages-out samples/kk-sample-3col

Writes into the --pages-out folder:

    images/page-NNN.png   grayscale page images, 200 DPI
    hocr/page-NNN.hocr    Tesseract hOCR  (tesseract IMG BASE -l kaz hocr alto)
    alto/page-NNN.xml     Tesseract ALTO (same run)
    truth/pages.json      what is printed on each page (body lines de-hyphenated)
    truth/articles.json   the articles that start on these pages, in printed order

The output is deterministic: fixed seeds, no timestamps; running it twice gives
the same bytes (given the same Pillow, FreeFont and Tesseract versions).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

HERE = Path(__file__).resolve().parent
ARTICLES_FILE = HERE / "kk-articles.txt"
FONT_DIR = Path("/usr/share/fonts/truetype/freefont")

DPI = 200
PAGE_W, PAGE_H = 1654, 2339          # A4 at 200 DPI
PT = DPI / 72                        # pixels per typographic point

ALPHABET = "АӘБВГҒДЕЁЖЗИЙКҚЛМНҢОӨПРСТУҰҮФХҺЦЧШЩЪЫІЬЭЮЯ"
VOWELS = set("аәеёиоөуұүыіэюя")
LETTERS = set(ALPHABET.lower())
DASH = "—"

# Per column count: page geometry and where the page number goes.
LAYOUTS = {
    2: dict(font_pt=11, leading=1.28, margin_x=175, top=200, bottom=190, gutter=56,
            folio="top-outer", first_page=17, take="first"),
    3: dict(font_pt=9.5, leading=1.2, margin_x=140, top=180, bottom=210, gutter=44,
            folio="bottom-centre", first_page=41, take="last"),
}
NOISE = {
    "mild": dict(blur=0.55, angle=0.3, specks=350, big_specks=6, contrast=(0, 255)),
    "heavy": dict(blur=0.95, angle=0.6, specks=2600, big_specks=60, contrast=(55, 232)),
}
INDENT = 28                          # paragraph indent, pixels
MAX_GAP = 4.0                        # widest justified word space, in normal spaces


# ---------------------------------------------------------------- articles

@dataclass
class Article:
    title: str
    headword: str
    paragraphs: list[str]
    target: str | None = None

    @property
    def kind(self) -> str:
        return "redirect" if self.target else "article"

    @property
    def guide(self) -> str:
        """The capitalised part of the headword: the guide word of the running head."""
        words = []
        for w in self.headword.split():
            if w.upper() != w or not any(c.isalpha() for c in w):
                break
            words.append(w)
        return " ".join(words)

    def truth(self) -> dict:
        return {"headword": self.headword, "title": self.title, "kind": self.kind,
                "target": self.target, "text": "\n".join(self.paragraphs)}


def sort_key(text: str) -> list[int]:
    return [ALPHABET.index(c) for c in text.upper() if c in ALPHABET]


def read_articles(path: Path = ARTICLES_FILE) -> list[Article]:
    blocks, cur = [], []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#"):
            continue
        if not line:
            if cur:
                blocks.append(cur)
            cur = []
            continue
        cur.append(line)
    if cur:
        blocks.append(cur)
    articles = []
    for block in blocks:
        meta = {}
        paras = []
        for line in block:
            if line.startswith("@"):
                key, _, value = line[1:].partition(" ")
                meta[key] = value.strip()
            else:
                paras.append(line)
        headword = meta.get("headword") or paras[0].split(f" {DASH} ")[0]
        if not paras[0].startswith(headword + " "):
            raise SystemExit(f"{ARTICLES_FILE.name}: text does not start with headword {headword!r}")
        articles.append(Article(meta["title"], headword, paras, meta.get("redirect")))
    keys = [sort_key(a.guide) for a in articles]
    if keys != sorted(keys):
        bad = next(a.headword for a, k, n in zip(articles, keys, keys[1:]) if k > n)
        raise SystemExit(f"{ARTICLES_FILE.name}: not in Kazakh alphabetical order after {bad!r}")
    return articles


# ---------------------------------------------------------------- hyphenation

def syllable_breaks(word: str) -> list[int]:
    """Positions where a Kazakh word of letters may be broken: before consonant+vowel.

    That is V|CV or C|CV (between two consonants), with at least two letters and a
    vowel on the first side and at least two letters on the second.
    """
    low = word.lower()
    if len(low) < 4 or any(c not in LETTERS for c in low) or word.isupper():
        return []
    out = []
    for i in range(2, len(low) - 1):
        c, nxt = low[i], low[i + 1]
        if c in VOWELS or c in "ьъ" or nxt not in VOWELS:
            continue
        if not any(ch in VOWELS for ch in low[:i]):
            continue
        out.append(i)
    return out


def split_candidates(text: str) -> list[tuple[str, str]]:
    """Ways to break a word at a line end: (printed first part, printed rest), longest first.

    A word with its own hyphen (Алма-Ата) is broken only there, keeping the hyphen
    on the first line; other words get a syllable break and an added hyphen.
    """
    lead, core, trail = re.match(r"^([^\w]*)(.*?)([^\w²]*)$", text).groups()
    cands = []
    if "-" in core:
        for k, c in enumerate(core):
            if c == "-" and k >= 2 and sum(ch.isalpha() for ch in core[k + 1:]) >= 2:
                cands.append((lead + core[:k + 1], core[k + 1:] + trail))
    else:
        for k in syllable_breaks(core):
            cands.append((lead + core[:k] + "-", core[k:] + trail))
    cands.sort(key=lambda ab: -len(ab[0]))
    return cands


# ---------------------------------------------------------------- line breaking

@dataclass
class Box:
    """Words glued by non-breaking spaces; each word is (text, bold)."""
    words: list[tuple[str, bool]]

    @property
    def text(self) -> str:
        return " ".join(w for w, _ in self.words)


@dataclass
class Line:
    article: int
    paragraph: int
    first: bool                      # first line of its paragraph (indented)
    last: bool = False               # last line of its paragraph (not justified)
    boxes: list[Box] = field(default_factory=list)
    truth: list[str] = field(default_factory=list)
    hyphen: str = ""                 # "", "syllable" or "own": how the line ends

    @property
    def printed(self) -> str:
        return " ".join(b.text for b in self.boxes)


GLUE_BEFORE = re.compile(r"^(ж|ғ|ғғ|км|км²|м|мың)[.,;:)]*$")     # "1929 ж.", "316 км"
GLUE_AFTER = re.compile(r"^\(?(қ\.|[А-ЯӘҒҚҢӨҰҮҺІЁ]\.([А-ЯӘҒҚҢӨҰҮҺІЁ]\.)?)$")  # "қ. Абай", "А.С. Пушкин"


def make_boxes(article: Article, p: int) -> list[Box]:
    text = article.paragraphs[p]
    words: list[tuple[str, bool]] = []
    if p == 0:
        words += [(w, True) for w in article.headword.split()]
        text = text[len(article.headword):]
    words += [(w, False) for w in text.split()]
    boxes: list[Box] = []
    glue_next = False
    for w, bold in words:
        prev = boxes[-1].words[-1][0] if boxes else ""
        if boxes and (glue_next or w.startswith(DASH)
                      or (GLUE_BEFORE.match(w) and prev[-1:].isdigit())):
            boxes[-1].words.append((w, bold))
        else:
            boxes.append(Box([(w, bold)]))
        glue_next = bool(GLUE_AFTER.match(w))
    return boxes


class Typesetter:
    def __init__(self, font_px: int, col_width: int):
        self.regular = ImageFont.truetype(str(FONT_DIR / "FreeSerif.ttf"), font_px)
        self.bold = ImageFont.truetype(str(FONT_DIR / "FreeSerifBold.ttf"), font_px)
        self.space = self.regular.getlength(" ")
        self.col_width = col_width

    def font(self, bold: bool):
        return self.bold if bold else self.regular

    def word_length(self, text: str, bold: bool) -> float:
        """Advance width of one word, pixels (bench/make_corpus.py caches it)."""
        return self.font(bold).getlength(text)

    def width(self, box: Box) -> float:
        return (sum(self.word_length(w, b) for w, b in box.words)
                + self.space * (len(box.words) - 1))

    def set_paragraph(self, a: int, article: Article, p: int) -> list[Line]:
        boxes = make_boxes(article, p)
        lines: list[Line] = []
        i, carry = 0, None
        while i < len(boxes) or carry:
            line = Line(a, p, first=not lines)
            avail = self.col_width - (INDENT if line.first else 0)
            used = 0.0
            if carry:
                line.boxes.append(carry)
                used = self.width(carry)
                carry = None
            while i < len(boxes):
                box = boxes[i]
                gap = self.space if line.boxes else 0
                if used + gap + self.width(box) <= avail:
                    line.boxes.append(box)
                    line.truth.append(box.text)
                    used += gap + self.width(box)
                    i += 1
                    continue
                last, bold = box.words[-1]
                if not bold:                     # headwords are never broken
                    for first, rest in split_candidates(last):
                        part = Box(box.words[:-1] + [(first, False)])
                        if used + gap + self.width(part) <= avail:
                            line.boxes.append(part)
                            line.truth.append(box.text)
                            line.hyphen = "own" if last.startswith(first) else "syllable"
                            carry = Box([(rest, False)])
                            i += 1
                            break
                if not line.boxes:               # a word wider than the column
                    line.boxes.append(box)
                    line.truth.append(box.text)
                    i += 1
                break
            lines.append(line)
        lines[-1].last = True
        return lines


# ---------------------------------------------------------------- pages

@dataclass
class Volume:
    columns: int
    noise: str
    out: Path

    def __post_init__(self):
        g = LAYOUTS[self.columns]
        self.g = g
        self.font_px = round(g["font_pt"] * PT)
        self.line_h = round(self.font_px * g["leading"])
        self.col_w = (PAGE_W - 2 * g["margin_x"] - (self.columns - 1) * g["gutter"]) // self.columns
        self.lines_per_col = (PAGE_H - g["top"] - g["bottom"]) // self.line_h
        self.ts = Typesetter(self.font_px, self.col_w)


def typeset(vol: Volume, articles: list[Article]) -> list[Line]:
    lines = []
    for a, art in enumerate(articles):
        for p in range(len(art.paragraphs)):
            lines += vol.ts.set_paragraph(a, art, p)
    return lines


def is_bold(line: Line) -> bool:
    return any(b for box in line.boxes for _, b in box.words)


def paginate(vol: Volume, lines: list[Line]) -> list[list[list[Line]]]:
    """pages -> columns -> lines. A headword is never split by a column end."""
    n = vol.lines_per_col
    cols: list[list[Line]] = [[]]
    for k, line in enumerate(lines):
        nxt = lines[k + 1] if k + 1 < len(lines) else None
        if len(cols[-1]) == n - 1 and nxt and nxt.article == line.article and is_bold(nxt):
            cols.append([])                  # keep the headword's lines together
        elif len(cols[-1]) == n:
            cols.append([])
        cols[-1].append(line)
    return [cols[i:i + vol.columns] for i in range(0, len(cols), vol.columns)]


def choose_articles(vol: Volume, articles: list[Article], max_pages: int) -> list[Article]:
    """The longest run of articles from the first (or up to the last) that fits on max_pages."""
    chosen = list(articles)
    while len(paginate(vol, typeset(vol, chosen))) > max_pages:
        chosen.pop(0 if vol.g["take"] == "last" else -1)
    return chosen


def place_line(ts: Typesetter, line: Line, x0: int) -> list[tuple[float, str, bool]]:
    """Where each word of a printed line starts: (x, text, bold), justified.

    Shared by the page images (draw_line) and the synthetic OCR of
    bench/make_corpus.py, which writes these positions as word boxes.
    """
    indent = INDENT if line.first else 0
    avail = ts.col_width - indent
    widths = [ts.width(b) for b in line.boxes]
    gaps = len(line.boxes) - 1
    gap = ts.space
    if gaps and not line.last:
        gap = max(ts.space, (avail - sum(widths)) / gaps)
        if gap > MAX_GAP * ts.space:         # too loose: leave the line ragged
            gap = ts.space
    placed = []
    x = x0 + indent
    for box, w in zip(line.boxes, widths):
        bx = x
        for text, bold in box.words:
            placed.append((bx, text, bold))
            bx += ts.word_length(text, bold) + ts.space
        x += w + gap
    return placed


def draw_line(draw: ImageDraw.ImageDraw, ts: Typesetter, line: Line, x0: int, y: int):
    for bx, text, bold in place_line(ts, line, x0):
        draw.text((round(bx), y), text, font=ts.font(bold), fill=0, anchor="ls")


# Page geometry, shared with bench/make_corpus.py.

def head_baseline(vol: Volume) -> int:
    """Baseline of the running head (and of a top folio)."""
    return vol.g["top"] - round(2.2 * vol.line_h)


def folio_place(vol: Volume, number: int) -> tuple[int, int, str]:
    """(x, baseline, Pillow anchor) of the page number."""
    g = vol.g
    if g["folio"] == "top-outer":
        if number % 2:                               # recto: right-hand page
            return PAGE_W - g["margin_x"], head_baseline(vol), "rs"
        return g["margin_x"], head_baseline(vol), "ls"
    return PAGE_W // 2, PAGE_H - g["bottom"] + round(2.4 * vol.line_h), "ms"


def column_x(vol: Volume, c: int) -> int:
    return vol.g["margin_x"] + c * (vol.col_w + vol.g["gutter"])


def line_baseline(vol: Volume, k: int) -> int:
    """Baseline of the k-th line of a column."""
    return vol.g["top"] + k * vol.line_h + round(vol.font_px * 0.8)


def running_head(articles: list[Article], cols: list[list[Line]]) -> str:
    """Guide words: the first and last headword that start on the page."""
    starts = [articles[l.article] for col in cols for l in col if l.first and l.paragraph == 0]
    if not starts:                      # a page inside one long article
        starts = [articles[cols[0][0].article]]
    return f"{starts[0].guide} {DASH} {starts[-1].guide}"


def render_page(vol: Volume, columns: list[list[Line]], number: int, head: str) -> Image.Image:
    img = Image.new("L", (PAGE_W, PAGE_H), 255)
    draw = ImageDraw.Draw(img)
    ts = vol.ts
    head_font = ImageFont.truetype(str(FONT_DIR / "FreeSerifBold.ttf"), vol.font_px)
    draw.text((PAGE_W // 2, head_baseline(vol)), head, font=head_font, fill=0, anchor="ms")
    x, y, anchor = folio_place(vol, number)
    draw.text((x, y), str(number), font=ts.regular, fill=0, anchor=anchor)
    for c, col in enumerate(columns):
        x0 = column_x(vol, c)
        for k, line in enumerate(col):
            draw_line(draw, ts, line, x0, line_baseline(vol, k))
    return img


def add_noise(img: Image.Image, level: str, seed: int) -> Image.Image:
    n = NOISE[level]
    rng = random.Random(seed)
    img = img.filter(ImageFilter.GaussianBlur(n["blur"]))
    angle = rng.uniform(-n["angle"], n["angle"])
    img = img.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    draw = ImageDraw.Draw(img)
    for _ in range(n["specks"]):
        x, y = rng.randrange(PAGE_W), rng.randrange(PAGE_H)
        r = rng.choice((0.6, 0.8, 1.0, 1.3))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=rng.randrange(40, 170))
    for _ in range(n["big_specks"]):
        x, y = rng.randrange(PAGE_W), rng.randrange(PAGE_H)
        rx, ry = rng.uniform(1.5, 4), rng.uniform(1.5, 4)
        draw.ellipse((x - rx, y - ry, x + rx, y + ry), fill=rng.randrange(20, 120))
    if level == "heavy":
        img = img.filter(ImageFilter.GaussianBlur(0.5))
    lo, hi = n["contrast"]
    # contrast loss, then 16 grey levels (saved as 4-bit PNG: about a third smaller)
    lut = [round((lo + (hi - lo) * v / 255) / 17) * 17 for v in range(256)]
    return img.point(lut)


# ---------------------------------------------------------------- OCR

def run_tesseract(out: Path, name: str) -> None:
    hocr_dir = out / "hocr"
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    # Run inside hocr/ so the image path recorded in the files is relative to them.
    subprocess.run(["tesseract", f"../images/{name}.png", name, "-l", "kaz", "hocr", "alto"],
                   cwd=hocr_dir, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    (hocr_dir / f"{name}.xml").replace(out / "alto" / f"{name}.xml")


# ---------------------------------------------------------------- main

def build(columns: int, noise: str, out: Path, max_pages: int, first_page: int | None,
          ocr: bool) -> dict:
    vol = Volume(columns, noise, out)
    articles = choose_articles(vol, read_articles(), max_pages)
    lines = typeset(vol, articles)
    pages = paginate(vol, lines)
    first_page = first_page or vol.g["first_page"]

    for sub in ("images", "hocr", "alto", "truth"):
        shutil.rmtree(out / sub, ignore_errors=True)
        (out / sub).mkdir(parents=True)

    page_truth = []
    names = []
    for k, cols in enumerate(pages):
        number = first_page + k
        name = f"page-{number:03d}"
        head = running_head(articles, cols)
        img = render_page(vol, cols, number, head)
        img = add_noise(img, noise, zlib.crc32(f"{columns}-{noise}-{number}".encode()))
        img.save(out / "images" / f"{name}.png", dpi=(DPI, DPI), bits=4, compress_level=9)
        body = [" ".join(l.truth) for col in cols for l in col]
        page_truth.append({"file": name, "page": number, "running_head": head,
                           "page_number": str(number), "lines": [t for t in body if t]})
        names.append(name)

    check_truth(articles, lines)
    dump(out / "truth" / "pages.json", page_truth)
    dump(out / "truth" / "articles.json", articles_truth(articles))

    if ocr:
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(lambda n: run_tesseract(out, n), names))
    else:
        for sub in ("hocr", "alto"):
            (out / sub).rmdir()

    return stats(vol, articles, lines, pages)


def articles_truth(articles: list[Article]) -> dict:
    """truth/articles.json (format importer-truth/1)."""
    return {"format": "importer-truth/1", "articles": [a.truth() for a in articles]}


def check_truth(articles: list[Article], lines: list[Line]) -> None:
    """The de-hyphenated lines of each article must give back its text."""
    for a, art in enumerate(articles):
        paras = []
        for p in range(len(art.paragraphs)):
            paras.append(" ".join(t for l in lines if l.article == a and l.paragraph == p
                                  for t in l.truth))
        if paras != art.paragraphs:
            raise SystemExit(f"internal error: truth lines of {art.headword!r} lose text")


def stats(vol: Volume, articles, lines, pages) -> dict:
    col_of = {}
    for pi, cols in enumerate(pages):
        for ci, col in enumerate(cols):
            for l in col:
                col_of[id(l)] = (pi, ci)
    across_page = set()
    across_col = set()
    for prev, nxt in zip(lines, lines[1:]):
        if prev.article == nxt.article and col_of[id(prev)] != col_of[id(nxt)]:
            if col_of[id(prev)][0] != col_of[id(nxt)][0]:
                across_page.add(articles[prev.article].guide)
            else:
                across_col.add(articles[prev.article].guide)
    own = [l.printed.split()[-1] for l in lines if l.hyphen == "own"]
    syl = sum(l.hyphen == "syllable" for l in lines)
    return {"pages": len(pages), "articles": len(articles), "lines": len(lines),
            "lines_per_column": vol.lines_per_col, "font_px": vol.font_px,
            "column_width": vol.col_w, "across_page": sorted(across_page),
            "across_column": sorted(across_col), "own_hyphen_at_line_end": own,
            "syllable_hyphens": syl}


def dump(path: Path, data) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--columns", type=int, choices=(2, 3), default=2)
    ap.add_argument("--noise", choices=tuple(NOISE), default="mild")
    ap.add_argument("--pages-out", type=Path, required=True, help="output folder (its images/, "
                    "hocr/, alto/ and truth/ are replaced)")
    ap.add_argument("--max-pages", type=int, default=None,
                    help="at most this many pages (default 6 for 2 columns, 4 for 3)")
    ap.add_argument("--first-page", type=int, default=None,
                    help="printed number of the first page (default 17 / 41)")
    ap.add_argument("--no-ocr", action="store_true", help="skip Tesseract")
    args = ap.parse_args(argv)
    if not args.no_ocr and not shutil.which("tesseract"):
        print("tesseract not found: install tesseract-ocr and tesseract-ocr-kaz, or pass --no-ocr",
              file=sys.stderr)
        return 2
    max_pages = args.max_pages or (6 if args.columns == 2 else 4)
    info = build(args.columns, args.noise, args.pages_out, max_pages, args.first_page,
                 not args.no_ocr)
    print(json.dumps(info, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
