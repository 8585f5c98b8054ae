"""Readers: one per OCR format, each turning a file into `Iterator[Page]`.

Nothing after this package knows a format. `detect_format` sniffs a file's
content (the extension only breaks the tie for plain text); `read_pages`
hands the file to the matching reader.
"""
from __future__ import annotations

import os
import re
from typing import Callable, Iterator

from importer.errors import InputFileError
from importer.model import Page

from .alto import read_alto
from .common import describe_non_utf8, looks_like_binary, looks_like_utf16
from .hocr import read_hocr
from .pagexml import read_page_xml
from .text import read_text
from .xmlsafe import read_bytes

__all__ = ["detect_format", "read_pages", "READERS", "FORMATS",
           "read_alto", "read_hocr", "read_page_xml", "read_text"]

# The text formats this package reads; "image" is detected but handled by OCR.
READERS: dict[str, Callable[[str | os.PathLike], Iterator[Page]]] = {
    "alto": read_alto,
    "page": read_page_xml,
    "hocr": read_hocr,
    "text": read_text,
}
FORMATS = (*READERS, "image")

_SNIFF_BYTES = 1 << 16
_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"\xff\xd8\xff", "JPEG"),
)
# Skip the prolog (declaration, comments, PIs, DOCTYPE) to reach the root tag.
_PROLOG = re.compile(r"(?:\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*>))*\s*", re.S | re.I)
_ROOT_TAG = re.compile(r"<(?:[\w.-]+:)?([\w.-]+)")


def detect_format(path: str | os.PathLike) -> str:
    """'alto', 'page', 'hocr', 'text' or 'image', from the file's content.
    Anything else raises InputFileError('not a recognised OCR format (...)')."""
    head = _read_head(path)
    for magic, _name in _IMAGE_MAGIC:
        if head.startswith(magic):
            return "image"
    markup = _decode_head(head)
    if markup is not None and markup.lstrip().startswith("<"):
        return _markup_format(path, markup)
    if str(path).lower().endswith(".txt"):
        return "text"  # the text reader explains a wrong encoding
    if markup is not None and not looks_like_binary(head):
        return "text"
    raise InputFileError(path, f"not a recognised OCR format ({describe_non_utf8(head)})")


def read_pages(path: str | os.PathLike) -> Iterator[Page]:
    """The pages of an OCR output file (ALTO, PAGE XML, hOCR or plain text)."""
    kind = detect_format(path)
    if kind == "image":
        raise InputFileError(path, "is a page image, not OCR output; run OCR on it first")
    return READERS[kind](path)


def _read_head(path) -> bytes:
    return read_bytes(path, limit=_SNIFF_BYTES)


def _decode_head(head: bytes) -> str | None:
    """The head as text (UTF-8, or UTF-16 with a BOM); None if it is neither.
    A multi-byte character cut at the end of the head is not an error."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore")
    if looks_like_utf16(head):
        return None
    try:
        return head.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if error.start >= len(head) - 4:
            return head[:error.start].decode("utf-8-sig")
        return None


def _markup_format(path, markup: str) -> str:
    prolog = _PROLOG.match(markup)
    root = _ROOT_TAG.match(markup, prolog.end() if prolog else 0)
    name = root.group(1) if root else ""
    if name == "alto":
        return "alto"
    if name == "PcGts":
        return "page"
    if name.lower() in ("html", "head", "body", "div") and "ocr_page" in markup:
        return "hocr"
    if name.lower() == "html":
        raise InputFileError(path, "not a recognised OCR format (HTML without hOCR "
                                   "'ocr_page' elements)")
    shown = f"<{name}>" if name else "markup"
    raise InputFileError(path, f"not a recognised OCR format (XML root {shown}; "
                               "expected ALTO, PAGE XML or hOCR)")
