"""Small helpers the readers share: numbers, boxes, words from line text,
image paths, and telling the user which encoding a non-UTF-8 file is in."""
from __future__ import annotations

import os
from pathlib import Path

from importer.model import Box, Word


def to_int(value: str | None) -> int | None:
    """'12', '12.0', '12.6' -> int; anything unusable -> None (never raises)."""
    if value is None:
        return None
    try:
        return int(round(float(value)))
    except (ValueError, OverflowError):
        return None


def to_confidence(value: str | float | None, scale: float = 1.0) -> float | None:
    """A confidence in 0..1, from a source value on `scale` (1 or 100), clamped."""
    if value is None:
        return None
    try:
        number = float(value) / scale
    except (ValueError, TypeError):
        return None
    if number != number:  # NaN
        return None
    return 1.0 if number > 1.0 else 0.0 if number < 0.0 else number


def box_from_xywh(x, y, w, h) -> Box | None:
    """ALTO-style HPOS/VPOS/WIDTH/HEIGHT strings -> Box (None if any is unusable).
    Called for every word, hence the single try instead of to_int() four times."""
    try:
        x0 = float(x)
        y0 = float(y)
        return Box(int(x0), int(y0), int(x0 + float(w)), int(y0 + float(h)))
    except (TypeError, ValueError, OverflowError):
        return None


def box_from_points(points: str | None) -> Box | None:
    """PAGE-style 'x,y x,y ...' polygon -> its bounding box."""
    if not points:
        return None
    numbers = points.replace(",", " ").split()
    if len(numbers) < 2 or len(numbers) % 2:
        return None
    try:
        xs = list(map(int, numbers[0::2]))
        ys = list(map(int, numbers[1::2]))
    except ValueError:
        try:  # float coordinates are allowed by some producers
            xs = [int(float(n)) for n in numbers[0::2]]
            ys = [int(float(n)) for n in numbers[1::2]]
        except (ValueError, OverflowError):
            return None
    return Box(min(xs), min(ys), max(xs), max(ys))


def words_from_text(text: str, box: Box | None, confidence: float | None = None,
                    bold: bool = False) -> list[Word]:
    """Words for a line the source gives only as text (ocropy hOCR, PAGE lines
    without Word elements, an ALTO String holding a whole line). Each word gets
    the box of the whole text: the source does not say where the words are."""
    return [Word(part, box, confidence, bold) for part in text.split()]


def resolve_image(source: str | os.PathLike, name: str | None) -> str | None:
    """The page image a file names, made relative to that file when it exists
    there; otherwise the name as written (still useful to the user)."""
    if not name or not name.strip():
        return None
    name = name.strip()
    candidate = Path(source).parent / name
    if candidate.exists():
        return str(candidate)
    return name


# --- encodings --------------------------------------------------------------

_CYRILLIC = range(0x0400, 0x0530)


def looks_like_utf16(data: bytes) -> bool:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    sample = data[:4096]
    # ASCII-range text in UTF-16 has a NUL in about every second byte.
    return len(sample) >= 4 and sample.count(0) >= len(sample) // 3 and (
        sample[1::2].count(0) > len(sample) // 3 or sample[0::2].count(0) > len(sample) // 3)


_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))


def looks_like_binary(data: bytes) -> bool:
    """Control bytes no text file has (NUL, most of C0), outside UTF-16."""
    sample = data[:8192]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls > len(sample) // 100 + 1


def describe_non_utf8(data: bytes) -> str:
    """One phrase saying what a file that is not UTF-8 probably is, with the
    iconv command to fix it."""
    if looks_like_utf16(data):
        return ("text is UTF-16, not UTF-8; convert it with "
                "`iconv -f UTF-16 -t UTF-8 FILE > FILE.utf8`")
    if looks_like_binary(data):
        return "binary data, not text"
    sample = data[:65536].decode("cp1251", errors="replace")
    letters = [c for c in sample if c.isalpha()]
    cyrillic = sum(1 for c in letters if ord(c) in _CYRILLIC)
    if letters and cyrillic > len(letters) / 2:
        return ("text is not UTF-8; it looks like CP1251 (Windows Cyrillic); convert it with "
                "`iconv -f CP1251 -t UTF-8 FILE > FILE.utf8`")
    return ("text is not UTF-8 (an 8-bit encoding such as Latin-1/CP1252?); convert it with "
            "`iconv -f CP1252 -t UTF-8 FILE > FILE.utf8`")
