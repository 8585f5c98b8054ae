"""The page model every reader produces: page -> lines -> words.

Nothing here knows an OCR format. Readers fill it in; layout, repair and the
later stages only ever see these dataclasses.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple


class Box(NamedTuple):
    """A rectangle in page pixels, (x0, y0) top left, (x1, y1) bottom right.

    A NamedTuple, not a dataclass: readers make one per word, and this is the
    cheapest immutable record Python has.
    """

    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0

    @property
    def center_x(self) -> float:
        return (self.x0 + self.x1) / 2

    @staticmethod
    def union(boxes: "list[Box | None]") -> "Box | None":
        real = [b for b in boxes if b is not None]
        if not real:
            return None
        return Box(min(b.x0 for b in real), min(b.y0 for b in real),
                   max(b.x1 for b in real), max(b.y1 for b in real))


@dataclass(slots=True)  # one per printed word: slots save memory and time
class Word:
    text: str
    box: Box | None = None
    confidence: float | None = None  # 0..1, None when the source has none
    bold: bool = False
    # Hyphenation the source marked explicitly (ALTO SUBS_TYPE/SUBS_CONTENT):
    # part 1 ends a line, part 2 starts the next; `joined` is the whole word.
    hyphen_part: int | None = None
    joined: str | None = None


# Line roles. Readers set a role only when the source says so (PAGE region
# types, ALTO margins); layout decides the rest from position and repetition.
BODY = "body"
HEADER = "header"            # running head / guide words
PAGE_NUMBER = "page-number"
CATCH_WORD = "catch-word"
MARGINALIA = "marginalia"
FOOTNOTE = "footnote"
SIGNATURE = "signature-mark"
DROPPED_ROLES = {HEADER, PAGE_NUMBER, CATCH_WORD, SIGNATURE}


@dataclass(slots=True)
class Line:
    words: list[Word]
    box: Box | None = None
    role: str = BODY
    block: str | None = None  # id of the block/region the source put the line in
    # The source ended the line with an explicit hyphen element (ALTO HYP).
    hyphenated: bool = False

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words if w.text)


@dataclass
class Page:
    lines: list[Line]
    source: str                      # file the page came from
    sequence: int = 0                # position in its source (0-based)
    width: int | None = None
    height: int | None = None
    printed_number: str | None = None  # when the source states it (ALTO PRINTED_IMG_NR)
    # True when the source carries a reading order we trust (PAGE ReadingOrder,
    # plain text); layout then keeps the order instead of rebuilding it from boxes.
    ordered: bool = False
    image: str | None = None         # the page image, when there is one

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


@dataclass
class PageRecord:
    """One line of BATCH/pages.jsonl: a page after layout and repair."""

    volume: int
    page: str | int
    source: str
    text: str
    dropped: list[str] = field(default_factory=list)
    confidence: float | None = None
    repairs: dict[str, int] = field(default_factory=dict)
    image: str | None = None
    # Box of every line of `text` (same order), for scan crops in the preview.
    boxes: list[list[int] | None] = field(default_factory=list)
    width: int | None = None
    height: int | None = None
    sequence: int = 0

    def to_json(self) -> dict:
        return {
            "volume": self.volume, "page": self.page, "source": self.source,
            "text": self.text, "dropped": self.dropped,
            "confidence": self.confidence, "repairs": self.repairs,
            "image": self.image, "width": self.width, "height": self.height,
            "sequence": self.sequence, "boxes": self.boxes,
        }

    @classmethod
    def from_json(cls, data: dict) -> "PageRecord":
        return cls(**{k: data[k] for k in data if k in cls.__dataclass_fields__})
