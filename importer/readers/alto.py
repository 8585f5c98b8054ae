"""ALTO reader: 1.4 (CCS namespace), v2, v3, v4.

Page > PrintSpace|TopMargin|BottomMargin|LeftMargin|RightMargin
     > (ComposedBlock >)* TextBlock > TextLine > String|SP|HYP

Elements are matched by local name in the root's namespace, so every ALTO
version reads the same way. Coordinates stay in the file's MeasurementUnit
(pixel, mm10 or inch1200): boxes only need to agree within a page.
"""
from __future__ import annotations

import os
import re
from typing import Iterator

from lxml import etree

from importer.errors import InputFileError
from importer.model import BODY, HEADER, PAGE_NUMBER, Box, Line, Page, Word

from .common import box_from_xywh, resolve_image, to_confidence, to_int
from .xmlsafe import parse_xml, read_bytes

# Running heads and folios live in the top and bottom margins.
_MARGIN_ROLES = {"TopMargin": HEADER, "BottomMargin": HEADER}
_CONTAINERS = {"PrintSpace", "TopMargin", "BottomMargin", "LeftMargin", "RightMargin",
               "ComposedBlock", "TextBlock"}
_FOLIO = re.compile(r"[\W_]*(?:\d+|[ivxlcdm]+)[\W_]*", re.IGNORECASE)


class _AltoFile:
    """One file's namespace-qualified tag names and text styles, resolved once."""

    def __init__(self, root, data: bytes):
        namespace = etree.QName(root).namespace
        prefix = f"{{{namespace}}}" if namespace else ""
        self.page_tag = prefix + "Page"
        self.line_tag = prefix + "TextLine"
        self.string_tag = prefix + "String"
        self.hyp_tag = prefix + "HYP"
        self.file_name_tag = prefix + "fileName"
        self.containers = {prefix + local: local for local in _CONTAINERS}
        # TextStyle ID -> bold? ('bold', 'bold italics', ...)
        self.style_bold = {
            style.get("ID"): "bold" in (style.get("FONTSTYLE") or "").lower().split()
            for style in root.iter(prefix + "TextStyle") if style.get("ID")}
        self._refs_cache: dict[str, bool | None] = {}
        # Attributes the file never writes are not asked for on each String:
        # lxml's get() is the reader's main cost (a quarter of a microsecond each).
        self.uses_style = b" STYLE=" in data
        self.uses_stylerefs = b"STYLEREFS=" in data
        self.uses_subs = b"SUBS_TYPE=" in data
        self.uses_wc = b" WC=" in data

    def refs_bold(self, refs: str | None) -> bool | None:
        """Whether STYLEREFS (several ids allowed) make text bold; None when they
        name no TextStyle, so the enclosing line or block decides."""
        if not refs:
            return None
        try:
            return self._refs_cache[refs]
        except KeyError:
            known = [self.style_bold[r] for r in refs.split() if r in self.style_bold]
            result = self._refs_cache[refs] = any(known) if known else None
            return result


def read_alto(path: str | os.PathLike) -> Iterator[Page]:
    data = read_bytes(path)
    root = parse_xml(path, data)
    alto = _AltoFile(root, data)
    image = None
    file_name = root.find(f".//{alto.file_name_tag}")
    if file_name is not None and file_name.text:
        image = resolve_image(path, file_name.text)
    pages = list(root.iter(alto.page_tag))
    if not pages:
        raise InputFileError(path, "ALTO without a <Page> element: nothing to read")
    for sequence, page in enumerate(pages):
        lines: list[Line] = []
        _collect_lines(page, alto, role=BODY, block=None, inherited_bold=False, out=lines)
        yield Page(
            lines=lines, source=str(path), sequence=sequence,
            width=to_int(page.get("WIDTH")), height=to_int(page.get("HEIGHT")),
            printed_number=(page.get("PRINTED_IMG_NR") or "").strip() or None,
            image=image,
        )


def _collect_lines(element, alto: _AltoFile, role: str, block: str | None,
                   inherited_bold: bool, out: list[Line]) -> None:
    for child in element:
        tag = child.tag
        if tag == alto.line_tag:
            line_bold = alto.refs_bold(child.get("STYLEREFS"))
            line = _read_line(child, alto, role, block,
                              inherited_bold if line_bold is None else line_bold)
            if line is not None:
                out.append(line)
            continue
        local = alto.containers.get(tag)
        if local is None:
            continue  # Shape, GraphicalElement, Illustration ...
        child_role = _MARGIN_ROLES.get(local, role)
        # The innermost block with an ID names the line's block.
        child_block = (child.get("ID") or block) if local in ("TextBlock", "ComposedBlock") else block
        refs_bold = alto.refs_bold(child.get("STYLEREFS"))
        _collect_lines(child, alto, child_role, child_block,
                       inherited_bold if refs_bold is None else refs_bold, out)


def _read_line(line_el, alto: _AltoFile, role: str, block: str | None,
               line_bold: bool) -> Line | None:
    # The hot loop of the reader (every String of every file): attribute reads
    # and conversions are inlined on purpose.
    words: list[Word] = []
    hyphenated = False
    string_tag, hyp_tag, refs_bold = alto.string_tag, alto.hyp_tag, alto.refs_bold
    uses_style, uses_stylerefs = alto.uses_style, alto.uses_stylerefs
    uses_subs, uses_wc = alto.uses_subs, alto.uses_wc
    for child in line_el.iterchildren(string_tag, hyp_tag):  # SP: only a gap, skipped
        if child.tag == string_tag:
            get = child.get
            text = get("CONTENT")
            if not text or text.isspace():
                continue
            text = text.strip()
            hyphenated = False
            bold = line_bold
            if uses_stylerefs:
                own = refs_bold(get("STYLEREFS"))
                if own is not None:
                    bold = own
            if uses_style:
                style = get("STYLE")
                if style and "bold" in style.lower():
                    bold = True
            try:
                x = float(get("HPOS"))
                y = float(get("VPOS"))
                box = Box(int(x), int(y), int(x + float(get("WIDTH"))), int(y + float(get("HEIGHT"))))
            except (TypeError, ValueError, OverflowError):
                box = None
            confidence = to_confidence(get("WC")) if uses_wc else None
            part = get("SUBS_TYPE") if uses_subs else None
            if " " in text:
                # One String holding a whole line (eScriptorium): one Word per token.
                words.extend(Word(token, box, confidence, bold) for token in text.split())
            elif part == "HypPart1" or part == "HypPart2":
                words.append(Word(text, box, confidence, bold, 1 if part == "HypPart1" else 2,
                                  get("SUBS_CONTENT") or None))
            else:
                words.append(Word(text, box, confidence, bold))
        else:
            # Keep the printed hyphen (ABBYY writes U+00AD) on the word it ends.
            hyphen = child.get("CONTENT") or "-"
            if words:
                words[-1].text += hyphen
            else:
                words.append(Word(hyphen, box_from_xywh(child.get("HPOS"), child.get("VPOS"),
                                                         child.get("WIDTH"), child.get("HEIGHT"))))
            hyphenated = True
    if not words:
        return None
    box = box_from_xywh(line_el.get("HPOS"), line_el.get("VPOS"),
                        line_el.get("WIDTH"), line_el.get("HEIGHT")) \
        or Box.union([w.box for w in words])
    line = Line(words, box, role, block, hyphenated)
    if role == HEADER and _FOLIO.fullmatch(line.text):
        line.role = PAGE_NUMBER
    return line
