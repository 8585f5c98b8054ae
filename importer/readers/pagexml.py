"""PAGE XML reader (PRImA PcGts, 2010-2019 namespaces).

Page > ReadingOrder + TextRegion (nested allowed) > TextLine > Word, text in
TextEquiv/Unicode, geometry in Coords@points. Region types give line roles;
the ReadingOrder, when present, gives the order of regions.
"""
from __future__ import annotations

import os
import re
from typing import Iterator

from lxml import etree

from importer.errors import InputFileError
from importer.model import (BODY, CATCH_WORD, FOOTNOTE, HEADER, MARGINALIA, PAGE_NUMBER,
                            SIGNATURE, Box, Line, Page, Word)

from .common import box_from_points, resolve_image, to_confidence, to_int, words_from_text
from .xmlsafe import parse_xml

REGION_ROLES = {
    "header": HEADER,
    "footer": HEADER,            # running foot: dropped like a running head
    "page-number": PAGE_NUMBER,
    "catch-word": CATCH_WORD,
    "signature-mark": SIGNATURE,
    "marginalia": MARGINALIA,
    "footnote": FOOTNOTE,
    "footnote-continued": FOOTNOTE,
    "endnote": FOOTNOTE,
}
# Transkribus sometimes states the type only in @custom: "structure {type:header;}".
_CUSTOM_TYPE = re.compile(r"structure\s*\{[^}]*\btype:\s*([\w-]+)")


class _Names:
    """Qualified tag names for one file's namespace, computed once."""

    def __init__(self, namespace: str | None):
        prefix = f"{{{namespace}}}" if namespace else ""
        for local in ("Page", "ReadingOrder", "TextRegion", "TextLine", "Word", "TextEquiv",
                      "Unicode", "Coords", "Point", "TextStyle"):
            setattr(self, local, prefix + local)
        self.prefix = prefix


def read_page_xml(path: str | os.PathLike) -> Iterator[Page]:
    root = parse_xml(path)
    names = _Names(etree.QName(root).namespace)
    pages = list(root.iter(names.Page))
    if not pages:
        raise InputFileError(path, "PAGE XML without a <Page> element: nothing to read")
    for sequence, page in enumerate(pages):
        order = _reading_order(page, names)
        lines: list[Line] = []
        for region, role in _regions_in_order(page, names, order):
            lines.extend(_region_lines(region, role, names))
        yield Page(
            lines=lines, source=str(path), sequence=sequence,
            width=to_int(page.get("imageWidth")), height=to_int(page.get("imageHeight")),
            ordered=bool(order), image=resolve_image(path, page.get("imageFilename")),
        )


# --- reading order ------------------------------------------------------------

def _reading_order(page, names: _Names) -> list[str]:
    """Region ids in the order the ReadingOrder gives (flattened, nested groups
    in place); empty when the page has none."""
    reading_order = _child(page, names.ReadingOrder)
    if reading_order is None:
        return []
    ids: list[str] = []
    for group in reading_order.iterchildren(etree.Element):
        _flatten_group(group, ids)
    seen: set[str] = set()
    return [i for i in ids if not (i in seen or seen.add(i))]


def _flatten_group(group, ids: list[str]) -> None:
    # A group may itself point at a region (OrderedGroupIndexed@regionRef).
    if group.get("regionRef"):
        ids.append(group.get("regionRef"))
    members = [child for child in group.iterchildren(etree.Element)
               if etree.QName(child).localname not in ("Labels", "UserDefined")]
    if etree.QName(group).localname.startswith("OrderedGroup"):
        members.sort(key=lambda m: _index(m.get("index")))  # stable: ties keep file order
    for member in members:
        if etree.QName(member).localname.startswith("RegionRef"):
            if member.get("regionRef"):
                ids.append(member.get("regionRef"))
        else:
            _flatten_group(member, ids)


def _index(value: str | None) -> float:
    number = to_int(value)
    return float("inf") if number is None else number


def _regions_in_order(page, names: _Names, order: list[str]):
    """(region, role) pairs: ReadingOrder first; regions it leaves out follow in
    document order, nested regions right after the region holding them."""
    regions = list(page.iter(names.TextRegion))
    by_id = {r.get("id"): r for r in regions if r.get("id")}
    in_order = set(order)
    done: set = set()

    def visit(region):
        if region in done:
            return
        done.add(region)
        yield region, _role(region, names)
        for child in region.iterchildren(names.TextRegion):
            if child.get("id") not in in_order:
                yield from visit(child)

    for region_id in order:
        region = by_id.get(region_id)
        if region is not None:
            yield from visit(region)
    for region in regions:
        yield from visit(region)


def _role(region, names: _Names) -> str:
    kind = region.get("type")
    if not kind:
        match = _CUSTOM_TYPE.search(region.get("custom") or "")
        kind = match.group(1) if match else None
    if not kind:
        parent = region.getparent()
        if parent is not None and parent.tag == names.TextRegion:
            return _role(parent, names)  # a nested region without a type is its parent's
        return BODY
    return REGION_ROLES.get(kind, BODY)


# --- lines and words ----------------------------------------------------------

def _region_lines(region, role: str, names: _Names) -> Iterator[Line]:
    region_id = region.get("id")
    region_bold = _style_bold(region, names)
    for line_el in region.iterchildren(names.TextLine):
        line_box = _coords_box(line_el, names)
        text, confidence = _text_equiv(line_el, names)
        line_bold = _style_bold(line_el, names)
        line_bold = region_bold if line_bold is None else line_bold
        words = []
        for word_el in line_el.iterchildren(names.Word):
            word_text, word_conf, word_box, bold = _word_parts(word_el, names)
            if not word_text:
                continue
            words.extend(words_from_text(word_text, word_box, word_conf,
                                         bool(line_bold) if bold is None else bold))
        if text.strip() and (not words or (words := _words_matching(words, text)) is None):
            # The line's TextEquiv is the authority; Word elements that are
            # missing or disagree with it give way to its text, split on spaces.
            words = words_from_text(text, line_box, confidence, bool(line_bold))
        if words:
            yield Line(words, line_box or Box.union([w.box for w in words]), role, region_id)


def _words_matching(words: list[Word], text: str) -> list[Word] | None:
    """The Word elements regrouped to the line text's tokens: GT often splits
    punctuation into Words of its own ("worden" ";" for "worden;"), and Line.text
    must read like the line. None when the words do not spell the line."""
    tokens = text.split()
    if "".join(tokens) != "".join(w.text for w in words):
        return None
    merged: list[Word] = []
    position = 0
    for token in tokens:
        parts: list[Word] = []
        spelled = ""
        while len(spelled) < len(token) and position < len(words):
            spelled += words[position].text
            parts.append(words[position])
            position += 1
        if spelled != token:
            return None
        if len(parts) == 1:
            merged.append(parts[0])
        else:
            confidences = [p.confidence for p in parts if p.confidence is not None]
            merged.append(Word(token, Box.union([p.box for p in parts]),
                               min(confidences) if confidences else None,
                               any(p.bold for p in parts)))
    return merged


def _word_parts(word_el, names: _Names) -> tuple[str, float | None, Box | None, bool | None]:
    """Text, confidence, box and bold of a Word: one pass over its children,
    since this runs for every word (the line and region use the helpers below)."""
    equivs, box, bold = [], None, None
    for child in word_el:
        tag = child.tag
        if tag == names.TextEquiv:
            equivs.append(child)
        elif tag == names.Coords:
            points = child.get("points")
            box = box_from_points(points) if points else _coords_box(word_el, names)
        elif tag == names.TextStyle:
            bold = _bold(child)
    text, conf = _main_reading(equivs, names)
    return text.strip(), conf, box, bold


def _child(element, tag):
    """First child with this tag. (lxml's find() goes through ElementPath in
    Python; iterchildren filters in C, and this runs for every word.)"""
    for child in element.iterchildren(tag):
        return child
    return None


def _text_equiv(element, names: _Names) -> tuple[str, float | None]:
    """The element's own TextEquiv with the lowest index (the main reading)."""
    return _main_reading(list(element.iterchildren(names.TextEquiv)), names)


def _main_reading(equivs: list, names: _Names) -> tuple[str, float | None]:
    """Text and confidence of the TextEquiv with the lowest index."""
    if not equivs:
        return "", None
    best = equivs[0] if len(equivs) == 1 else min(equivs, key=lambda e: _index(e.get("index")))
    unicode_el = _child(best, names.Unicode)
    if unicode_el is None:
        text = ""
    elif len(unicode_el):
        text = "".join(unicode_el.itertext())
    else:
        text = unicode_el.text or ""
    conf = best.get("conf")
    return text, None if conf is None else to_confidence(conf)


def _style_bold(element, names: _Names) -> bool | None:
    style = _child(element, names.TextStyle)
    return None if style is None else _bold(style)


def _bold(style) -> bool | None:
    bold = style.get("bold")
    return None if bold is None else bold.strip().lower() in ("true", "1")


def _coords_box(element, names: _Names) -> Box | None:
    coords = _child(element, names.Coords)
    if coords is None:
        return None
    points = coords.get("points")
    if points:
        return box_from_points(points)
    # PAGE 2010 wrote <Point x= y=/> children instead of @points.
    points = " ".join(f"{p.get('x')},{p.get('y')}" for p in coords.iterchildren(names.Point))
    return box_from_points(points)
