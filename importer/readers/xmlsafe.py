"""Reading input files and parsing XML/HTML without trusting them.

Donated files come from many hands, so the parsers never load a DTD, never
touch the network, never expand an entity (no XXE, no billion laughs), and
every failure becomes one InputFileError line instead of a traceback.
"""
from __future__ import annotations

import os

from lxml import etree

from importer.errors import InputFileError

from .common import describe_non_utf8, looks_like_binary, looks_like_utf16


def read_bytes(path: str | os.PathLike, limit: int = -1) -> bytes:
    """The file (its first `limit` bytes when given), or InputFileError when it
    is missing, unreadable or empty."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit)
    except IsADirectoryError:
        raise InputFileError(path, "is a folder, not a file") from None
    except FileNotFoundError:
        raise InputFileError(path, "no such file") from None
    except OSError as error:
        raise InputFileError(path, f"cannot read: {error.strerror or error}") from None
    if not data.strip():
        raise InputFileError(path, "empty file")
    return data


def _xml_parser() -> etree.XMLParser:
    # A fresh parser per file: lxml parsers are not meant to be shared by threads.
    return etree.XMLParser(
        resolve_entities=False,   # keep &ent; as a reference: nothing is expanded
        no_network=True,
        load_dtd=False,
        huge_tree=False,          # keep libxml2's depth/size/amplification limits
        remove_blank_text=False,
        remove_comments=True,
        remove_pis=True,
    )


def _html_parser() -> etree.HTMLParser:
    return etree.HTMLParser(no_network=True, remove_comments=True, remove_pis=True,
                            remove_blank_text=False, huge_tree=False)


def _check_xml_encoding(path, data: bytes) -> None:
    """Reject what is not text at all before libxml2 says something cryptic."""
    if looks_like_utf16(data):
        return  # UTF-16 XML with a BOM is legal; libxml2 decodes it
    if looks_like_binary(data):
        raise InputFileError(path, "binary data, not XML")


def _drop_entity_references(root: etree._Element) -> None:
    """Unexpanded entity references would show up as '&name;' in itertext();
    drop them (keeping the text that follows) so no output contains them."""
    for entity in list(root.iter(etree.Entity)):
        parent = entity.getparent()
        if parent is None:
            continue
        tail = entity.tail or ""
        previous = entity.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
        parent.remove(entity)


def syntax_problem(error: etree.XMLSyntaxError) -> str:
    """What libxml2 objected to, on one line, with its position:
    'truncated or malformed XML: <message> (line N, column C)'."""
    text = error.msg or str(error) or "parse error"
    # libxml2 appends ", line L, column C"; we state the position once, ourselves.
    message = text.splitlines()[0].split(", line ")[0].strip()
    line, column = error.position if error.position else (error.lineno, None)
    where = f" (line {line}, column {column})" if line and column else (f" (line {line})" if line else "")
    lowered = message.lower()
    if "amplification" in lowered or "entity loop" in lowered or "detected an entity reference loop" in lowered:
        return f"refused: its entities would expand enormously (an entity bomb?): {message}{where}"
    if "external entity" in lowered:
        return f"refused: it references an external entity: {message}{where}"
    return f"truncated or malformed XML: {message}{where}"


def parse_xml(path: str | os.PathLike, data: bytes | None = None) -> etree._Element:
    """The root element of a well-formed XML file, parsed safely."""
    if data is None:
        data = read_bytes(path)
    _check_xml_encoding(path, data)
    try:
        root = etree.fromstring(data, _xml_parser(), base_url=None)
    except etree.XMLSyntaxError as error:
        raise InputFileError(path, syntax_problem(error)) from None
    if root is None:
        raise InputFileError(path, "no XML element in the file")
    if root.getroottree().docinfo.internalDTD is not None:
        _drop_entity_references(root)
    return root


def parse_html(path: str | os.PathLike, data: bytes) -> etree._Element:
    """The root of an HTML file that is not well-formed XML (kraken's hOCR)."""
    if looks_like_binary(data) and not looks_like_utf16(data):
        raise InputFileError(path, "binary data, not HTML")
    try:
        root = etree.fromstring(data, _html_parser())
    except (etree.XMLSyntaxError, etree.ParserError, ValueError) as error:
        first_line = (str(error) or "parse error").splitlines()[0]
        raise InputFileError(path, f"malformed HTML: {first_line}") from None
    if root is None:
        raise InputFileError(path, "no HTML element in the file")
    return root


def decode_text(path: str | os.PathLike, data: bytes) -> str:
    """UTF-8 text (a BOM is allowed), or InputFileError naming the likely encoding."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif looks_like_utf16(data):
        raise InputFileError(path, describe_non_utf8(data))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputFileError(path, describe_non_utf8(data)) from None
    if looks_like_binary(data):
        raise InputFileError(path, "binary data, not text")
    return text
