"""Plain-text reader: UTF-8 (BOM allowed), one page per form feed.

Text has no geometry, but its order is the author's, so pages are `ordered`.
An empty printed line becomes a Line without words: layout reads it as a
paragraph break.
"""
from __future__ import annotations

import os
from typing import Iterator

from importer.model import Line, Page, Word

from .xmlsafe import decode_text, read_bytes


def read_text(path: str | os.PathLike) -> Iterator[Page]:
    text = decode_text(path, read_bytes(path))
    pages = text.split("\f")
    if len(pages) > 1 and not pages[-1].strip():
        pages.pop()  # a form feed that ends the file does not start a page
    for sequence, page_text in enumerate(pages):
        lines = [Line([Word(token) for token in raw.split()])
                 for raw in page_text.splitlines()]
        # Blank lines at the very start and end of a page carry no paragraph break.
        while lines and not lines[0].words:
            lines.pop(0)
        while lines and not lines[-1].words:
            lines.pop()
        yield Page(lines=lines, source=str(path), sequence=sequence, ordered=True)
