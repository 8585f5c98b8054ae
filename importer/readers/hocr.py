"""hOCR reader: Tesseract 3-5, kraken, ocropy, ABBYY-via-XSLT.

ocr_page > (ocr_carea >) (ocr_par >) ocr_line > ocrx_word, geometry and
confidences in the `title` attribute. Files that are not well-formed XML
(kraken writes raw '&') are read with the HTML parser instead.
"""
from __future__ import annotations

import os
import re
from typing import Iterator

from lxml import etree

from importer.errors import InputFileError
from importer.model import Box, Line, Page, Word

from .common import resolve_image, to_confidence, to_int, words_from_text
from .xmlsafe import parse_html, parse_xml, read_bytes

# Line-level classes: Tesseract 4+ marks headers, captions and floats as lines.
_LINE_CLASSES = {"ocr_line", "ocrx_line", "ocr_header", "ocr_caption", "ocr_textfloat"}
_BLOCK_CLASSES = {"ocr_par", "ocr_carea"}
_BOLD_TAGS = {"strong", "b"}
# Pages are <div>s in every producer we know; the XPath (any element) is the fallback.
_DIV_TAGS = ("div", "{http://www.w3.org/1999/xhtml}div")
_ANY_PAGE = etree.XPath("//*[contains(concat(' ', normalize-space(@class), ' '), ' ocr_page ')]")

# Property separators in `title`: ';' (the spec), or ', ' before the next
# property name (kraken: "bbox 1 2 3 4, x_confs 0.9"); quoted values protected.
_TITLE_TOKEN = re.compile(r'"[^"]*"|;|,\s*(?=[A-Za-z_]\w*(?:\s|$))')


def parse_title(title: str | None) -> dict[str, str]:
    """'bbox 1 2 3 4; x_wconf 93; image "a.png"' -> {'bbox': '1 2 3 4', ...}."""
    properties: dict[str, str] = {}
    if not title:
        return properties
    if '"' not in title and "," not in title:
        # The common case (Tesseract): plain ';'-separated properties.
        for part in title.split(";"):
            name, _, value = part.strip().partition(" ")
            if name and name not in properties:
                properties[name] = value.strip()
        return properties
    start = 0
    parts: list[str] = []
    for match in _TITLE_TOKEN.finditer(title):
        if match.group().startswith('"'):
            continue
        parts.append(title[start:match.start()])
        start = match.end()
    parts.append(title[start:])
    for part in parts:
        name, _, value = part.strip().partition(" ")
        if name and name not in properties:
            properties[name] = value.strip()
    return properties


def _bbox(properties: dict[str, str]) -> Box | None:
    values = properties.get("bbox", "").split()
    if len(values) != 4:
        return None
    try:
        return Box(int(values[0]), int(values[1]), int(values[2]), int(values[3]))
    except ValueError:
        pass  # floats, or garbage
    numbers = [to_int(v) for v in values]
    if None in numbers:
        return None
    return Box(*numbers)


def _word_confidence(properties: dict[str, str]) -> float | None:
    if "x_wconf" in properties:
        return to_confidence(properties["x_wconf"], 100)
    confs = []
    for value in properties.get("x_confs", "").split():
        try:
            confs.append(float(value))
        except ValueError:
            pass
    if not confs:
        return None
    # kraken writes per-character confidences in 0..1, Tesseract in 0..100.
    scale = 100 if max(confs) > 1 else 1
    return to_confidence(sum(confs) / len(confs), scale)


def _local(tag) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _classes(element) -> list[str]:
    value = element.get("class")
    return value.split() if value else []


def _parse(path, data: bytes) -> etree._Element:
    """XML first (exact); HTML when the file is merely not well-formed XML."""
    try:
        return parse_xml(path, data)
    except InputFileError as error:
        if not error.problem.startswith("truncated or malformed XML"):
            raise  # empty, binary, entity bomb, external entity: no second chance
        if b"<!ENTITY" in data[:65536]:
            raise  # HTML never declares entities; this file is not hOCR gone wrong
        tail = data[-4096:].lower()
        if b"</html" not in tail and b"</body" not in tail:
            # The HTML parser would accept a cut-off file without a word.
            lines = data.count(b"\n") + 1
            raise InputFileError(path, f"truncated or malformed XML: the file ends before "
                                       f"</html> (line {lines})") from None
    return parse_html(path, data)


def read_hocr(path: str | os.PathLike) -> Iterator[Page]:
    data = read_bytes(path)
    root = _parse(path, data)
    pages = _page_elements(root)
    if not pages:
        raise InputFileError(path, "hOCR without an ocr_page element: nothing to read")
    for sequence, element in enumerate(pages):
        properties = parse_title(element.get("title"))
        page_box = _bbox(properties)
        lines: list[Line] = []
        _collect_lines(element, None, lines)
        image = properties.get("image", "").strip().strip('"')
        yield Page(
            lines=lines, source=str(path), sequence=sequence,
            width=page_box.width if page_box else None,
            height=page_box.height if page_box else None,
            image=resolve_image(path, image),
        )


def _page_elements(root) -> list:
    # Iterating the divs runs in C and is several times cheaper than the XPath.
    pages = [el for el in root.iter(*_DIV_TAGS) if "ocr_page" in (el.get("class") or "").split()]
    return pages or _ANY_PAGE(root)


def _collect_lines(element, block: str | None, out: list[Line]) -> None:
    for child in element.iterchildren(etree.Element):
        classes = _classes(child)
        if not classes:
            _collect_lines(child, block, out)  # plain <div>/<span> wrappers
        elif _LINE_CLASSES.intersection(classes):
            line = _read_line(child, block)
            if line is not None:
                out.append(line)
        elif "ocr_page" in classes:
            continue  # a nested page is read on its own
        else:
            # The innermost ocr_par/ocr_carea with an id names the block.
            if child.get("id") and _BLOCK_CLASSES.intersection(classes):
                _collect_lines(child, child.get("id"), out)
            else:
                _collect_lines(child, block, out)


def _read_line(line_el, block: str | None) -> Line | None:
    line_box = _bbox(parse_title(line_el.get("title")))
    words = [_word(el) for el in line_el.iterdescendants(etree.Element)
             if "ocrx_word" in (el.get("class") or "")]
    if not words:
        # ocropy: a line without words; its text is all we have.
        words = words_from_text("".join(line_el.itertext()), line_box)
    elif any(not w.text for w in words):
        # kraken writes each space as a segment of its own; the runs of
        # segments between them are the words ("H", " ", "I" -> "H", "I").
        words = _join_runs(words)
    elif any(" " in w.text for w in words):
        words = [part for w in words for part in
                 ((w,) if " " not in w.text else
                  words_from_text(w.text, w.box, w.confidence, w.bold))]
    if not words:
        return None
    return Line(words, line_box or Box.union([w.box for w in words]), block=block)


# Tesseract's word title, read with one regex: the reader's hot path.
_TESSERACT_WORD = re.compile(r"bbox (-?\d+) (-?\d+) (-?\d+) (-?\d+)(?:; x_wconf (\d+(?:\.\d+)?))?")


def _word(element) -> Word:
    title = element.get("title") or ""
    match = _TESSERACT_WORD.fullmatch(title)
    if match:
        x0, y0, x1, y1, wconf = match.groups()
        box = Box(int(x0), int(y0), int(x1), int(y1))
        confidence = None if wconf is None else min(float(wconf) / 100, 1.0)
    else:
        box, confidence = _word_geometry(title)
    if len(element):
        # Markup inside the word: <strong>/<b> is bold, <em> etc. just text.
        text = "".join(element.itertext())
        bold = any(_local(el.tag) in _BOLD_TAGS for el in element.iterdescendants(etree.Element))
    else:
        text, bold = element.text or "", False
    return Word(text.strip(), box, confidence, bold)


def _word_geometry(title: str) -> tuple[Box | None, float | None]:
    """Box and confidence of a word whose title is not Tesseract's plain form."""
    properties = parse_title(title)
    return _bbox(properties), _word_confidence(properties)


def _join_runs(segments: list[Word]) -> list[Word]:
    words: list[Word] = []
    run: list[Word] = []

    def close_run():
        if run:
            confidences = [w.confidence for w in run if w.confidence is not None]
            words.append(Word(
                "".join(w.text for w in run), Box.union([w.box for w in run]),
                sum(confidences) / len(confidences) if confidences else None,
                any(w.bold for w in run)))
            run.clear()

    for segment in segments:
        if segment.text:
            run.append(segment)
        else:
            close_run()
    close_run()
    return words
