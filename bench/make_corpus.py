"""Make a synthetic multi-volume encyclopedia corpus (hOCR + ALTO) with its ground truth.

Stands in for the full ten-volume donation (about 7,000 pages, 50,000 articles)
when benchmarking `importer build` at scale:

    .venv/bin/python bench/make_corpus.py [--out build/corpus] [--volumes 10]
                                          [--pages-per-volume 700] [--seed 1]

What it writes into --out:

    corpus.json                  parameters, a hash of the generator, counts
                                 (the stamp: a second run with the same
                                 parameters does nothing)
    kk-corpus.toml               mappings/kk-encyclopedia.toml with one
                                 [[volumes]] entry per vol-NN folder
    vol-NN/hocr/page-NNNN.hocr   synthetic hOCR (Tesseract 5 style)
    vol-NN/alto/page-NNNN.xml    synthetic ALTO v4 (library style: TopMargin,
                                 bold styles, HYP + SUBS_CONTENT, PRINTED_IMG_NR)
    vol-NN/truth/articles.json   importer-truth/1: every article of the volume

Build it with:

    .venv/bin/importer build build/corpus/vol-01 ... --profile build/corpus/kk-corpus.toml --out B

How the text is made (everything seeded: the same parameters give the same bytes):

- The 47 articles of samples/kk-articles.txt are cut into a pool of sentences,
  definitions (the first sentence after the headword's dash, person and other)
  and words (with the case they take inside a sentence).
- Each volume covers a contiguous letter range of the Kazakh alphabet (ranges
  weighted by how many pool words start with each letter). Its headwords are
  new: one to three pool words in capitals (`ҚАЛА АУДАНЫ`, title «Қала ауданы»),
  or persons `SURNAMEОВ Given Patronymic (1890—1960)` (title «Given Surnameов»),
  unique, in Kazakh alphabetical order. Bodies are pool definitions and
  sentences recombined into one to several paragraphs; about 4 % are
  redirects (`X — қ. Y.` to another title of the volume), about 15 % get an
  inline cross-reference `(қ. Y)`.
- Layout is samples/make_sample.py's own (its Typesetter, paginate, page
  geometry): justified columns, line-end hyphenation (syllable breaks and
  words' own hyphens), headwords never split by a column end, a running head
  with guide words and a page number. Odd volumes are set in 2 columns
  (folio at the top outer corner), even volumes in 3 (folio at the bottom).
- No images, no OCR: word boxes are computed from the font metrics. About a
  third of the pages (chosen at random) are written as ALTO, the rest as hOCR;
  on hOCR pages some em dashes come out as Tesseract writes them (`--`, also
  glued to the headword). Confidences are random (mostly 0.85-0.97).
- Real Tesseract output: every volume of at least 150 pages gets up to four
  blocks of real pages, alternately the 6 pages of samples/kk-sample/hocr
  (or /alto) and the 4 of samples/kk-sample-3col, renumbered into the
  volume's sequence at article boundaries (the synthetic page before a block
  ends with its article, so the truth stays exact). These are repeats of the
  same 10 real pages (20 of about 700 pages a volume, 200 in ten volumes), not
  new OCR; each block is used at most twice per volume because the page stage
  treats an edge line that recurs on three or more pages as a running title.
  Their articles (headwords А-Ә) are out of alphabetical order in any volume,
  and their repeats are homonyms within the volume: both show up as issues
  and as title mismatches in the evaluation.
"""
from __future__ import annotations

import argparse
import functools
import hashlib
import html
import json
import math
import os
import random
import re
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "samples"))

import make_sample as ms  # noqa: E402

# The same function, memoised: a word's break points never change (the
# Typesetter looks it up at call time, so this speeds up its line breaking).
ms.split_candidates = functools.lru_cache(maxsize=None)(ms.split_candidates)

VERSION = 1                              # bump when the output changes
PROFILE = ROOT / "mappings" / "kk-encyclopedia.toml"
SAMPLES = [ROOT / "samples" / "kk-sample", ROOT / "samples" / "kk-sample-3col"]
DASH = ms.DASH
UPPER = set(ms.ALPHABET)
VOWELS = set("аәеёиоөуұүыіэюя")
WORD_RE = re.compile(r"[а-яәғқңөұүһіёА-ЯӘҒҚҢӨҰҮҺІЁ]+")
INITIALS = re.compile(r"(?:[А-ЯӘҒҚҢӨҰҮҺІЁA-Z]\.)*[А-ЯӘҒҚҢӨҰҮҺІЁA-Z]")
ABBREVIATIONS = {"ж", "ғ", "ғғ", "т.б", "обл", "ауд", "мыс", "б.з.б", "қ", "т.с.с", "млн",
                 "млрд", "км", "м", "с", "б"}
PARTICLES = {"хан", "би", "батыр", "ата", "ана", "әулие", "ибн", "әл", "ад", "ар", "уа", "фон",
             "де", "ван", "сері", "сал"}
FIRST_PAGE = 5                           # printed number of a volume's first page
ALTO_SHARE = 0.35
REDIRECT_SHARE = 0.04
PERSON_SHARE = 0.12
CROSSREF_SHARE = 0.15
# Mean number of sentences after the definition, per column count: tuned so a
# volume of 700 pages holds about 5,000 articles.
MEAN_SENTENCES = {2: 6.5, 3: 11.0}
DESCENDERS = set("руфщцдзҳ")
# Common given names; those the pool's text mentions are used for persons.
GIVEN_NAMES = ("Абай", "Мұхтар", "Шәкен", "Ыбырай", "Бұқар", "Төле", "Сүйінбай", "Біржан",
               "Жамбыл", "Қабанбай", "Бөгенбай", "Райымбек", "Кенесары", "Махамбет", "Ахмет",
               "Әлихан", "Қорқыт", "Асан", "Шоқан", "Сәкен", "Мағжан", "Ілияс")
# Kazakh case endings: first words without them look more like headwords.
CASE_ENDINGS = ("ның", "нің", "дың", "дің", "тың", "тің", "ға", "ге", "қа", "ке", "да", "де",
                "та", "те", "нан", "нен", "дан", "ден", "тан", "тен", "мен", "бен", "пен",
                "ды", "ді", "ны", "ні", "ты", "ті", "ында", "інде")


# ---------------------------------------------------------------- the pool

@dataclass
class Pool:
    sentences: list[str]
    definitions: list[str]               # first sentence after the dash, not persons
    person_definitions: list[str]
    words: dict[str, str]                # lower-case word -> its case inside sentences
    given: list[str]                     # given names (Мұхтар)
    roots: list[str]                     # patronymic roots (Омархан -> Омарханұлы)
    reserved: set[str]                   # titles and guide words of the pool's own articles


def split_sentences(text: str) -> list[str]:
    tokens = text.split()
    out, current = [], []
    for i, token in enumerate(tokens):
        current.append(token)
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if following is None:
            break
        core = token.rstrip("»)\"")
        if not core.endswith((".", "!", "?")):
            continue
        stem = core[:-1].lstrip("(«\"")
        if stem.lower() in ABBREVIATIONS or INITIALS.fullmatch(stem) or not stem:
            continue
        # The next sentence starts with a capital, a quote, or a number after a word.
        last_word = (WORD_RE.findall(stem) or [""])[-1]
        if not (following[0] in UPPER or following[0] == "«"
                or (following[0].isdigit() and len(last_word) >= 3)):
            continue
        out.append(" ".join(current))
        current = []
    if current:
        out.append(" ".join(current))
    return out


def load_pool() -> Pool:
    sentences, definitions, person_definitions = [], [], []
    cases: dict[str, set[str]] = {}
    given, roots = set(), set()
    reserved = set()
    for art in ms.read_articles():
        reserved |= {art.title.lower(), art.guide.lower()}
        if art.target:
            continue
        first = art.paragraphs[0][len(art.headword):]
        before, _, definition = first.partition(f" {DASH} ")
        person = any(ch.isdigit() for ch in before)
        parts = split_sentences(definition)
        if parts:
            (person_definitions if person else definitions).append(parts[0])
            sentences += parts[1:]
        for paragraph in art.paragraphs[1:]:
            sentences += split_sentences(paragraph)
        for word in art.headword.split():
            if word[:1].isupper() and word[1:].islower() and WORD_RE.fullmatch(word):
                if word.endswith(("ұлы", "қызы")):
                    roots.add(word[:-3] if word.endswith("ұлы") else word[:-4])
                else:
                    given.add(word)
    # Sentences that start with capitals could be taken for a headword: none in
    # the pool today, but keep it that way.
    sentences = [s for s in sentences if not (WORD_RE.match(s) and s.split()[0].isupper())]
    # A word that starts a sentence is capitalised there: the importer cannot
    # tell its case from the text, so it is not used in headwords.
    starting = set()
    for sentence in sentences + definitions + person_definitions:
        first = sentence.split()[0].strip("«»().,;:!?\"")
        starting.add(first.lower())
    text = " ".join(sentences).lower()
    for sentence in sentences + definitions + person_definitions:
        for token in sentence.split()[1:]:
            core = token.strip("«»().,;:!?\"")
            if WORD_RE.fullmatch(core) and len(core) >= 3:
                if core.islower():
                    cases.setdefault(core.lower(), set()).add("lower")
                elif core[0].isupper() and core[1:].islower():
                    cases.setdefault(core.lower(), set()).add("title")
                    if core.endswith(("ұлы", "қызы")):
                        roots.add(core[:-3] if core.endswith("ұлы") else core[:-4])
    words = {w: ("lower" if c == {"lower"} else "title") for w, c in cases.items()
             if len(c) == 1 and w not in PARTICLES and w not in starting}
    # Name parts the volume's text shows (the importer respells a name part it
    # never sees in the text to a near word that it does see): patronymic roots
    # are given names too (Омархан, Құнанбай).
    given = {g for g in given | roots | set(GIVEN_NAMES) if g.lower() in text}
    roots = {r for r in roots if (r + "ұлы").lower() in text}
    return Pool(sorted(set(sentences)), sorted(set(definitions)),
                sorted(set(person_definitions)), dict(sorted(words.items())),
                sorted(given), sorted(roots), reserved)


def cased(word: str, case: str) -> str:
    return word if case == "lower" else word[:1].upper() + word[1:]


def letter_ranges(pool: Pool, volumes: int) -> list[list[str]]:
    """Contiguous runs of the alphabet, one per volume, of about equal weight."""
    weight = {c: 0 for c in ms.ALPHABET}
    for word in pool.words:
        first = word[0].upper()
        if first in weight:
            weight[first] += 1
    letters = [c for c in ms.ALPHABET if weight[c]]
    if volumes > len(letters):
        raise SystemExit(f"at most {len(letters)} volumes: the pool's words start with "
                         f"only {len(letters)} letters")
    total = sum(weight.values())
    ranges: list[list[str]] = [[] for _ in range(volumes)]
    done = 0
    v = 0
    for i, c in enumerate(letters):
        left = len(letters) - i
        # move on when this volume has its share, keeping a letter for each remaining volume
        if ranges[v] and (done >= total * (v + 1) / volumes or left <= volumes - 1 - v) \
                and v < volumes - 1:
            v += 1
        ranges[v].append(c)
        done += weight[c]
    return ranges


# ---------------------------------------------------------------- headwords

@dataclass
class Entry:
    headword: str                        # printed: "ҚАЛА АУДАНЫ", "ӘУЕЗОВ Мұхтар Омарханұлы"
    title: str
    person: bool
    key: list[int]


def make_entries(pool: Pool, letters: list[str], count: int, rng: random.Random) -> list[Entry]:
    """`count` unique headwords starting with `letters`, in alphabetical order."""
    allowed = set(letters)
    firsts = [w for w in pool.words if w[0].upper() in allowed]
    plain = [w for w in firsts if not w.endswith(CASE_ENDINGS)]
    if len(plain) >= 20:                 # prefer uninflected first words where there are enough
        firsts = plain
    others = list(pool.words)
    surnames = sorted(w for w, case in pool.words.items()
                      if case == "title" and w[0].upper() in allowed and 4 <= len(w) <= 9
                      and w[-1] not in VOWELS and w[-1] not in "йьъ"
                      and not w.endswith(CASE_ENDINGS))
    patronymics = [r + "ұлы" for r in pool.roots]
    entries: dict[tuple, Entry] = {}
    titles: set[str] = set()
    attempts = 0
    while len(entries) < count and attempts < count * 50:
        attempts += 1
        if surnames and rng.random() < PERSON_SHARE:
            root = rng.choice(surnames)
            surname = root + ("ев" if root[-1] in VOWELS or root.endswith("й") else "ов")
            surname = surname[0].upper() + surname[1:]
            name = rng.choice(pool.given)
            headword = f"{surname.upper()} {name}"
            if patronymics:
                headword += " " + rng.choice(patronymics)
            title, person = f"{name} {surname}", True
            guide = surname.upper()
        else:
            n = rng.choices((1, 2, 3), (50, 35, 15))[0]
            chosen = [rng.choice(firsts)] + [rng.choice(others) for _ in range(n - 1)]
            if len(set(chosen)) < n:
                continue
            headword = guide = " ".join(w.upper() for w in chosen)
            words = [cased(w, pool.words[w]) for w in chosen]
            title, person = " ".join(words), False
            title = title[:1].upper() + title[1:]
        key = ms.sort_key(guide)
        if title.lower() in titles or (tuple(key), person) in entries \
                or title.lower() in pool.reserved or guide.lower() in pool.reserved:
            continue
        titles.add(title.lower())
        entries[(tuple(key), person)] = Entry(headword, title, person, key)
    return sorted(entries.values(), key=lambda e: (e.key, e.headword))


# ---------------------------------------------------------------- articles

def add_crossref(sentence: str, title: str) -> str:
    end = len(sentence.rstrip(".!?»\""))
    if end == 0 or sentence[end - 1:end] in ")":
        return sentence
    return f"{sentence[:end]} (қ. {title}){sentence[end:]}"


class ArticleMaker:
    def __init__(self, pool: Pool, entries: list[Entry], columns: int, rng: random.Random):
        self.pool, self.entries, self.rng = pool, entries, rng
        self.mean = MEAN_SENTENCES[columns]
        self.titles = [e.title for e in entries]

    def make(self, index: int) -> ms.Article:
        rng, pool, entry = self.rng, self.pool, self.entries[index]
        if not entry.person and rng.random() < REDIRECT_SHARE:
            target = self._other(index)
            return ms.Article(entry.title, entry.headword,
                              [f"{entry.headword} {DASH} қ. {target}."], target)
        if entry.person:
            born = rng.randrange(1700, 1950)
            details = f" ({born}{DASH}{born + rng.randrange(25, 90)})"
            definition = rng.choice(pool.person_definitions)
        else:
            details = ""
            definition = rng.choice(pool.definitions)
        count = min(int(rng.expovariate(1 / self.mean)), 30)
        sentences = [rng.choice(pool.sentences) for _ in range(count)]
        if sentences and rng.random() < CROSSREF_SHARE:
            k = rng.randrange(len(sentences))
            sentences[k] = add_crossref(sentences[k], self._other(index))
        paragraphs = [[f"{entry.headword}{details} {DASH} {definition}"]]
        for sentence in sentences:
            if len(paragraphs[-1]) >= 3 and rng.random() < 0.35:
                paragraphs.append([])
            paragraphs[-1].append(sentence)
        return ms.Article(entry.title, entry.headword, [" ".join(p) for p in paragraphs])

    def _other(self, index: int) -> str:
        while True:
            k = self.rng.randrange(len(self.titles))
            if k != index:
                return self.titles[k]


# ---------------------------------------------------------------- typesetting

class CachedTypesetter(ms.Typesetter):
    """make_sample's Typesetter with word widths memoised (same numbers, much faster)."""

    def __init__(self, font_px: int, col_width: int):
        super().__init__(font_px, col_width)
        self._lengths: dict[tuple[str, bool], float] = {}
        self._widths: dict[tuple, float] = {}

    def word_length(self, text: str, bold: bool) -> float:
        key = (text, bold)
        try:
            return self._lengths[key]
        except KeyError:
            value = self._lengths[key] = super().word_length(text, bold)
            return value

    def width(self, box) -> float:
        key = tuple(box.words)
        try:
            return self._widths[key]
        except KeyError:
            value = self._widths[key] = super().width(box)
            return value


def layout(columns: int) -> ms.Volume:
    vol = ms.Volume(columns, "mild" if columns == 2 else "heavy", Path("."))
    vol.ts = CachedTypesetter(vol.font_px, vol.col_w)
    return vol


def set_article(vol: ms.Volume, a: int, art: ms.Article) -> list[ms.Line]:
    lines = []
    for p in range(len(art.paragraphs)):
        lines += vol.ts.set_paragraph(a, art, p)
    # Mark broken words for ALTO's SUBS_CONTENT: the whole word on both lines.
    for line, nxt in zip(lines, lines[1:]):
        if line.hyphen:
            whole = line.truth[-1].split(" ")[-1]
            core = re.match(r"^([^\w]*)(.*?)([^\w²]*)$", whole).group(2)
            line.subs = nxt.cont = core
    return lines


def check_truth(articles: list[ms.Article], lines: list[ms.Line]) -> None:
    """The de-hyphenated lines give back every article's text (linear make_sample.check_truth)."""
    got: dict[tuple[int, int], list[str]] = {}
    for line in lines:
        got.setdefault((line.article, line.paragraph), []).extend(line.truth)
    for a, art in enumerate(articles):
        for p, paragraph in enumerate(art.paragraphs):
            if " ".join(got.get((a, p), [])) != paragraph:
                raise SystemExit(f"internal error: truth lines of {art.headword!r} lose text")


def fill(vol: ms.Volume, maker: ArticleMaker, start: int, pages_wanted: int) -> tuple[list[ms.Article], list, int]:
    """Articles from entry `start` on that fill `pages_wanted` pages (the last one
    partly); returns the articles, the pages (columns of lines) and the next entry."""
    capacity = pages_wanted * vol.columns * vol.lines_per_col
    articles: list[ms.Article] = []
    per_article: list[list[ms.Line]] = []
    total = 0
    index = start
    while total < capacity and index < len(maker.entries):
        art = maker.make(index)
        lines = set_article(vol, len(articles), art)
        articles.append(art)
        per_article.append(lines)
        total += len(lines)
        index += 1
    while True:
        lines = [line for chunk in per_article for line in chunk]
        pages = ms.paginate(vol, lines)
        if len(pages) <= pages_wanted or len(articles) <= 1:
            break
        articles.pop()
        per_article.pop()
        index -= 1
    check_truth(articles, lines)
    return articles, pages, index


# ---------------------------------------------------------------- OCR files

HOCR_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
    "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
 <head>
  <title></title>
  <meta http-equiv="Content-Type" content="text/html;charset=utf-8"/>
  <meta name='ocr-system' content='tesseract 5.3.0' />
  <meta name='ocr-capabilities' content='ocr_page ocr_carea ocr_par ocr_line ocrx_word ocrp_wconf'/>
  <meta name='synthetic' content='bench/make_corpus.py: boxes from font metrics, no OCR'/>
 </head>
 <body>
"""
ALTO_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<alto xmlns="http://www.loc.gov/standards/alto/ns-v4#" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.loc.gov/standards/alto/ns-v4# http://www.loc.gov/alto/v4/alto-4-2.xsd">
 <Description>
  <MeasurementUnit>pixel</MeasurementUnit>
  <OCRProcessing ID="OCR_0"><ocrProcessingStep><processingSoftware><softwareName>bench/make_corpus.py (synthetic)</softwareName></processingSoftware></ocrProcessingStep></OCRProcessing>
 </Description>
 <Styles>
  <TextStyle ID="TS_R" FONTFAMILY="FreeSerif" FONTSIZE="{size}"/>
  <TextStyle ID="TS_B" FONTFAMILY="FreeSerif" FONTSIZE="{size}" FONTSTYLE="bold"/>
 </Styles>
 <Layout>
"""


@dataclass
class Word:
    x0: int
    y0: int
    x1: int
    y1: int
    text: str
    bold: bool
    conf: int
    part: int = 0                        # ALTO hyphen part (1 ends the line, 2 starts it)
    subs: str = ""


class PageWriter:
    """Synthetic word boxes for one layout, written as hOCR or ALTO."""

    def __init__(self, vol: ms.Volume, rng: random.Random):
        self.vol, self.rng, self.ts = vol, rng, vol.ts
        self.cap = round(0.68 * vol.font_px)
        self.desc = round(0.22 * vol.font_px)

    def _conf(self) -> int:
        r = self.rng.random()
        return 96 if r < 0.55 else 91 if r < 0.8 else 87 if r < 0.95 else self.rng.randrange(40, 85)

    def _word(self, x: float, base: int, text: str, bold: bool) -> Word:
        length = self.ts.word_length(text, bold)
        y1 = base + (self.desc if any(c in DESCENDERS for c in text) else 1)
        return Word(round(x), base - self.cap, round(x + length), y1, text, bold, self._conf())

    def words_of(self, line: ms.Line, x0: int, base: int) -> list[Word]:
        words = [self._word(x, base, t, b) for x, t, b in ms.place_line(self.ts, line, x0)]
        if getattr(line, "cont", None):
            words[0].part, words[0].subs = 2, line.cont
        if line.hyphen:
            words[-1].part, words[-1].subs = 1, line.subs
        return words

    def centred(self, text: str, base: int, bold: bool, x: int, anchor: str) -> list[Word]:
        """A line of words placed like Pillow's anchor ('ms' centred, 'ls' left, 'rs' right)."""
        tokens = text.split()
        lengths = [self.ts.word_length(t, bold) for t in tokens]
        total = sum(lengths) + self.ts.space * (len(tokens) - 1)
        start = x - total / 2 if anchor == "ms" else x - total if anchor == "rs" else x
        out = []
        for token, length in zip(tokens, lengths):
            out.append(self._word(start, base, token, bold))
            start += length + self.ts.space
        return out

    def page(self, articles, cols, number: int):
        """(head words, folio words, folio at top?, columns of (line, words))."""
        vol = self.vol
        head = self.centred(ms.running_head(articles, cols), ms.head_baseline(vol), True,
                            ms.PAGE_W // 2, "ms")
        x, y, anchor = ms.folio_place(vol, number)
        folio = self.centred(str(number), y, False, x, anchor)
        body = []
        for c, col in enumerate(cols):
            x0 = ms.column_x(vol, c)
            body.append([(line, self.words_of(line, x0, ms.line_baseline(vol, k)))
                         for k, line in enumerate(col)])
        return head, folio, vol.g["folio"] == "top-outer", body

    # -- hOCR (Tesseract 5 style: header and folio in one ocr_header line) ------
    def hocr(self, page, dash_noise: bool) -> str:
        head, folio, top, body = page
        rng = self.rng
        out = [HOCR_HEAD, f"  <div class='ocr_page' id='page_1' title='bbox 0 0 {ms.PAGE_W} "
                          f"{ms.PAGE_H}; ppageno 0; scan_res 200 200'>\n"]
        ids = {"block": 0, "par": 0, "line": 0, "word": 0}

        def nid(kind):
            ids[kind] += 1
            return f"{kind}_1_{ids[kind]}"

        def bbox(ws):
            return (f"{min(w.x0 for w in ws)} {min(w.y0 for w in ws)} "
                    f"{max(w.x1 for w in ws)} {max(w.y1 for w in ws)}")

        def line_xml(ws, cls="ocr_line"):
            parts = [f"     <span class='{cls}' id='{nid('line')}' title=\"bbox {bbox(ws)}; "
                     f"baseline 0 -{self.desc}; x_size {self.vol.font_px}; "
                     f"x_descenders {self.desc}; x_ascenders {self.cap // 3}\">\n"]
            for w in ws:
                text = w.text
                if dash_noise and text == DASH and rng.random() < 0.15:
                    text = "--"
                parts.append(f"      <span class='ocrx_word' id='{nid('word')}' title='bbox "
                             f"{w.x0} {w.y0} {w.x1} {w.y1}; x_wconf {w.conf}'>"
                             f"{html.escape(text, quote=False)}</span>\n")
            parts.append("     </span>\n")
            return "".join(parts)

        def block(lines_words, cls="ocr_line"):
            flat = [w for ws in lines_words for w in ws]
            out.append(f"   <div class='ocr_carea' id='{nid('block')}' title=\"bbox {bbox(flat)}\">\n")
            out.append(f"    <p class='ocr_par' id='{nid('par')}' lang='kaz' title=\"bbox {bbox(flat)}\">\n")
            out.extend(line_xml(ws, cls) for ws in lines_words)
            out.append("    </p>\n   </div>\n")

        block([sorted(head + folio, key=lambda w: w.x0)] if top else [head], "ocr_header")
        for col in body:
            if not col:
                continue
            flat = [w for _, ws in col for w in ws]
            out.append(f"   <div class='ocr_carea' id='{nid('block')}' title=\"bbox {bbox(flat)}\">\n")
            paragraph: list = []
            for line, ws in col:
                if line.first and paragraph:
                    self._hocr_par(out, paragraph, nid, bbox, line_xml)
                    paragraph = []
                if dash_noise and line.first and line.paragraph == 0 and rng.random() < 0.05:
                    ws = self._glue_dash(ws)
                paragraph.append(ws)
            self._hocr_par(out, paragraph, nid, bbox, line_xml)
            out.append("   </div>\n")
        if not top:
            block([folio])
        out.append("  </div>\n </body>\n</html>\n")
        return "".join(out)

    @staticmethod
    def _hocr_par(out, paragraph, nid, bbox, line_xml):
        flat = [w for ws in paragraph for w in ws]
        out.append(f"    <p class='ocr_par' id='{nid('par')}' lang='kaz' title=\"bbox {bbox(flat)}\">\n")
        out.extend(line_xml(ws) for ws in paragraph)
        out.append("    </p>\n")

    @staticmethod
    def _glue_dash(ws: list[Word]) -> list[Word]:
        """Tesseract glues the em dash to a capitals headword: `АЗИЯ--`."""
        for i in range(1, len(ws)):
            if ws[i].text == DASH and ws[i - 1].text.isupper():
                a, b = ws[i - 1], ws[i]
                glued = Word(a.x0, min(a.y0, b.y0), b.x1, max(a.y1, b.y1), a.text + "--",
                             a.bold, min(a.conf, b.conf))
                return ws[:i - 1] + [glued] + ws[i + 1:]
        return ws

    # -- ALTO (library style) --------------------------------------------------
    def alto(self, page, number: int, sequence: int) -> str:
        head, folio, top, body = page
        out = [ALTO_HEAD.replace("{size}", str(self.vol.g["font_pt"])),
               f"  <Page ID=\"P{sequence}\" PHYSICAL_IMG_NR=\"{sequence}\" "
               f"PRINTED_IMG_NR=\"{number}\" WIDTH=\"{ms.PAGE_W}\" HEIGHT=\"{ms.PAGE_H}\">\n"]
        ids = {"B": 0, "L": 0}

        def nid(kind):
            ids[kind] += 1
            return f"{kind}{sequence}_{ids[kind]}"

        def xywh(ws):
            x0, y0 = min(w.x0 for w in ws), min(w.y0 for w in ws)
            return (f"HPOS=\"{x0}\" VPOS=\"{y0}\" WIDTH=\"{max(w.x1 for w in ws) - x0}\" "
                    f"HEIGHT=\"{max(w.y1 for w in ws) - y0}\"")

        def line_xml(ws):
            parts = [f"     <TextLine ID=\"{nid('L')}\" {xywh(ws)}>"]
            for k, w in enumerate(ws):
                text = w.text
                hyp = ""
                attrs = ""
                if w.part == 1:
                    text = text[:-1]          # the printed hyphen goes into <HYP/>
                    attrs = f" SUBS_TYPE=\"HypPart1\" SUBS_CONTENT=\"{html.escape(w.subs)}\""
                    hyp = f"<HYP HPOS=\"{w.x1 - 8}\" VPOS=\"{w.y0}\" WIDTH=\"8\" CONTENT=\"-\"/>"
                elif w.part == 2:
                    attrs = f" SUBS_TYPE=\"HypPart2\" SUBS_CONTENT=\"{html.escape(w.subs)}\""
                style = " STYLEREFS=\"TS_B\"" if w.bold else ""
                if k:
                    prev = ws[k - 1]
                    parts.append(f"<SP WIDTH=\"{max(1, w.x0 - prev.x1)}\" HPOS=\"{prev.x1}\" "
                                 f"VPOS=\"{w.y0}\"/>")
                parts.append(f"<String HPOS=\"{w.x0}\" VPOS=\"{w.y0}\" WIDTH=\"{w.x1 - w.x0}\" "
                             f"HEIGHT=\"{w.y1 - w.y0}\" CONTENT=\"{html.escape(text)}\" "
                             f"WC=\"{w.conf / 100:.2f}\"{style}{attrs}/>{hyp}")
            parts.append("</TextLine>\n")
            return "".join(parts)

        def margin(tag, lines_words):
            flat = [w for ws in lines_words for w in ws]
            out.append(f"   <{tag} {xywh(flat)}>\n    <TextBlock ID=\"{nid('B')}\" "
                       f"STYLEREFS=\"TS_B\" {xywh(flat)}>\n")
            out.extend(line_xml(ws) for ws in lines_words)
            out.append(f"    </TextBlock>\n   </{tag}>\n")

        margin("TopMargin", [head, folio] if top else [head])
        flat = [w for col in body for _, ws in col for w in ws]
        out.append(f"   <PrintSpace {xywh(flat)}>\n")
        for col in body:
            if not col:
                continue
            ws_all = [w for _, ws in col for w in ws]
            out.append(f"    <TextBlock ID=\"{nid('B')}\" STYLEREFS=\"TS_R\" {xywh(ws_all)}>\n")
            out.extend(line_xml(ws) for _, ws in col)
            out.append("    </TextBlock>\n")
        out.append("   </PrintSpace>\n")
        if not top:
            margin("BottomMargin", [folio])
        out.append("  </Page>\n </Layout>\n</alto>\n")
        return "".join(out)


# ---------------------------------------------------------------- real pages

def real_blocks() -> list[dict]:
    """The sample volumes' real Tesseract pages, each a block with its truth."""
    blocks = []
    for sample in SAMPLES:
        truth = json.loads((sample / "truth" / "articles.json").read_text(encoding="utf-8"))
        stems = sorted(p.stem for p in (sample / "hocr").glob("*.hocr"))
        blocks.append({"sample": sample, "stems": stems, "articles": truth["articles"]})
    return blocks


def copy_real(sample: Path, stem: str, kind: str, target: Path) -> None:
    """Copy one real page; its image path is rewritten to point at the sample's image."""
    source = sample / ("hocr" if kind == "hocr" else "alto") / f"{stem}.{'hocr' if kind == 'hocr' else 'xml'}"
    text = source.read_text(encoding="utf-8")
    image = Path(os.path.relpath(sample / "images" / f"{stem}.png", target.parent)).as_posix()
    old = f"../images/{stem}.png"
    text = text.replace(f'image "{old}"', f'image "{image}"').replace(
        f"<fileName>{old}</fileName>", f"<fileName>{image}</fileName>")
    target.write_text(text, encoding="utf-8")


# ---------------------------------------------------------------- one volume

def estimate_lines(pool: Pool, vol: ms.Volume, letters: list[str], seed: int) -> float:
    """Mean printed lines per article for this layout (a seeded trial run)."""
    rng = random.Random(seed)
    entries = make_entries(pool, letters, 200, rng)
    maker = ArticleMaker(pool, entries, vol.columns, rng)
    lines = sum(len(set_article(vol, i, maker.make(i))) for i in range(len(entries)))
    return lines / max(1, len(entries))


def make_volume(args: tuple) -> dict:
    out, number, letters, pages_wanted, seed = args
    started = time.perf_counter()
    pool = load_pool()
    columns = 2 if number % 2 else 3
    vol = layout(columns)
    rng = random.Random(f"{seed}-volume-{number}")
    blocks_all = real_blocks()
    n_blocks = min(4, pages_wanted // 150)
    blocks = [blocks_all[i % 2] for i in range(n_blocks)]
    real_pages = sum(len(b["stems"]) for b in blocks)
    synthetic = pages_wanted - real_pages
    per_page = vol.columns * vol.lines_per_col
    mean_lines = estimate_lines(pool, vol, letters, rng.randrange(1 << 30))
    count = math.ceil(synthetic * per_page / mean_lines * 1.15) + 20
    entries = make_entries(pool, letters, count, rng)
    maker = ArticleMaker(pool, entries, columns, rng)
    writer = PageWriter(vol, random.Random(f"{seed}-boxes-{number}"))

    folder = out / f"vol-{number:02d}"
    for sub in ("hocr", "alto", "truth"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    chunks = [synthetic // (n_blocks + 1)] * (n_blocks + 1)
    chunks[-1] += synthetic - sum(chunks)
    truth: list[dict] = []
    sequence = 0
    index = 0
    formats = {"hocr": 0, "alto": 0, "real": 0}
    words = 0
    for c, chunk_pages in enumerate(chunks):
        articles, pages, index = fill(vol, maker, index, chunk_pages)
        truth += [a.truth() for a in articles]
        for cols in pages:
            sequence += 1
            printed = FIRST_PAGE + sequence - 1
            page = writer.page(articles, cols, printed)
            words += len(page[0]) + len(page[1]) + sum(len(ws) for col in page[3] for _, ws in col)
            name = f"page-{sequence:04d}"
            if writer.rng.random() < ALTO_SHARE:
                (folder / "alto" / f"{name}.xml").write_text(
                    writer.alto(page, printed, sequence), encoding="utf-8")
                formats["alto"] += 1
            else:
                (folder / "hocr" / f"{name}.hocr").write_text(
                    writer.hocr(page, dash_noise=True), encoding="utf-8")
                formats["hocr"] += 1
        if c < len(blocks):
            block = blocks[c]
            kind = "hocr" if c % 2 == 0 else "alto"
            for stem in block["stems"]:
                sequence += 1
                name = f"page-{sequence:04d}"
                target = folder / kind / f"{name}.{'hocr' if kind == 'hocr' else 'xml'}"
                copy_real(block["sample"], stem, kind, target)
                formats["real"] += 1
                text = target.read_text(encoding="utf-8")
                words += text.count("ocrx_word'") if kind == "hocr" else text.count("<String ")
            truth += block["articles"]
    ms.dump(folder / "truth" / "articles.json", {"format": "importer-truth/1", "articles": truth})
    return {"volume": number, "folder": folder.name, "columns": columns,
            "letters": f"{letters[0]} — {letters[-1]}", "pages": sequence,
            "articles": len(truth), "words": words,
            "redirects": sum(1 for a in truth if a["kind"] == "redirect"),
            "headwords_used": f"{index}/{len(entries)}",
            "files": formats, "seconds": round(time.perf_counter() - started, 1)}


# ---------------------------------------------------------------- profile, stamp, main

def write_profile(out: Path, volumes: list[dict]) -> Path:
    text = PROFILE.read_text(encoding="utf-8")
    text = re.sub(r"\[\[volumes\]\]\n(?:[^\n\[]+\n)+", "", text)
    abbreviations = (PROFILE.parent / "kk-encyclopedia" / "abbreviations.tsv").resolve()
    text = text.replace('file = "kk-encyclopedia/abbreviations.tsv"',
                        f'file = {json.dumps(str(abbreviations))}')
    blocks = "".join(
        f'[[volumes]]\nnumber = {v["volume"]}\ntitle = "{v["volume"]}-том. {v["letters"]}"\n'
        f'match = "*/{v["folder"]}/*"\n\n' for v in volumes)
    text = text.replace("[alphabet]", blocks + "[alphabet]", 1)
    path = out / "kk-corpus.toml"
    path.write_text("# Written by bench/make_corpus.py: the kk-encyclopedia profile with one\n"
                    "# volume per vol-NN folder of this corpus.\n" + text, encoding="utf-8")
    return path


def generator_hash() -> str:
    digest = hashlib.sha256()
    for path in (Path(__file__), ROOT / "samples" / "make_sample.py", ms.ARTICLES_FILE, PROFILE):
        digest.update(path.read_bytes())
    for sample in SAMPLES:
        for path in sorted((sample / "hocr").glob("*")) + sorted((sample / "alto").glob("*")):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def make_corpus(out: Path, volumes: int, pages_per_volume: int, seed: int = 1,
                jobs: int | None = None, force: bool = False, quiet: bool = False) -> dict:
    """Generate the corpus into `out` unless its stamp says it is there already."""
    params = {"version": VERSION, "generator": generator_hash(), "volumes": volumes,
              "pages_per_volume": pages_per_volume, "seed": seed}
    stamp = out / "corpus.json"
    if not force and stamp.is_file():
        try:
            old = json.loads(stamp.read_text(encoding="utf-8"))
        except ValueError:
            old = {}
        if old.get("parameters") == params:
            if not quiet:
                print(f"{out}: up to date ({old['pages']} pages, {old['articles']} articles)")
            return old
    started = time.perf_counter()
    stamp.unlink(missing_ok=True)
    for old_dir in out.glob("vol-*"):
        shutil.rmtree(old_dir)
    out.mkdir(parents=True, exist_ok=True)
    ranges = letter_ranges(load_pool(), volumes)
    tasks = [(out, v + 1, ranges[v], pages_per_volume, seed) for v in range(volumes)]
    jobs = jobs or min(volumes, os.cpu_count() or 1)
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            made = list(pool.map(make_volume, tasks))
    else:
        made = [make_volume(t) for t in tasks]
    profile = write_profile(out, made)
    result = {"parameters": params, "profile": profile.name,
              "pages": sum(v["pages"] for v in made),
              "articles": sum(v["articles"] for v in made),
              "words": sum(v["words"] for v in made),
              "real_tesseract_pages": sum(v["files"]["real"] for v in made),
              "seconds": round(time.perf_counter() - started, 1), "volumes": made}
    stamp.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if not quiet:
        for v in made:
            print(f"  vol {v['volume']:2d} ({v['letters']}, {v['columns']} columns): "
                  f"{v['pages']} pages, {v['articles']} articles, files {v['files']}, "
                  f"{v['seconds']} s")
        print(f"{out}: {result['pages']} pages, {result['articles']} articles "
              f"({result['real_tesseract_pages']} real Tesseract pages) in {result['seconds']} s")
    return result


def ensure_corpus(out: Path, min_volumes: int, pages_per_volume: int, seed: int = 1,
                  quiet: bool = False) -> dict:
    """A corpus with at least `min_volumes` volumes: the one in `out` when its stamp
    matches (it may hold more volumes), else a new one of `min_volumes`."""
    stamp = out / "corpus.json"
    if stamp.is_file():
        try:
            old = json.loads(stamp.read_text(encoding="utf-8"))
            p = old["parameters"]
            if (p["version"], p["generator"], p["pages_per_volume"], p["seed"]) == \
                    (VERSION, generator_hash(), pages_per_volume, seed) \
                    and p["volumes"] >= min_volumes:
                if not quiet:
                    print(f"{out}: up to date ({p['volumes']} volumes, {old['pages']} pages)")
                return old
        except (ValueError, KeyError):
            pass
    return make_corpus(out, min_volumes, pages_per_volume, seed, quiet=quiet)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "corpus")
    ap.add_argument("--volumes", type=int, default=10)
    ap.add_argument("--pages-per-volume", type=int, default=700)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=None,
                    help="volumes generated in parallel (default: one per core)")
    ap.add_argument("--force", action="store_true", help="regenerate even if up to date")
    args = ap.parse_args(argv)
    if args.volumes < 1 or args.pages_per_volume < 2:
        ap.error("need at least one volume of two pages")
    make_corpus(args.out, args.volumes, args.pages_per_volume, args.seed, args.jobs, args.force)
    return 0


if __name__ == "__main__":
    sys.exit(main())
