"""Page layout: reading order from boxes, running heads and page numbers.

Readers hand over lines in whatever order the engine wrote them. On noisy
pages Tesseract splits a column into blocks and interleaves them with the next
column, so the order is rebuilt here from the boxes alone: find the column
gutters, read the columns left to right and top to bottom, and let lines that
span the columns (a full-width title) cut the page into bands.
"""
from __future__ import annotations

import dataclasses
import statistics
from dataclasses import dataclass

import regex

from .model import BODY, DROPPED_ROLES, HEADER, PAGE_NUMBER, Box, Line, Page

# A line narrower than this share of the text width can belong to one column;
# wider lines span columns and cut the page into bands.
SPANNING_SHARE = 0.6
HISTOGRAM_BINS = 300


@dataclass
class Columns:
    """Column boundaries (x positions of gutter centres) of one page."""

    left: int
    right: int
    gutters: list[tuple[int, int]]  # (start, end) of every gutter, left to right

    @property
    def count(self) -> int:
        return len(self.gutters) + 1

    def column_spans(self) -> list[tuple[int, int]]:
        edges = [self.left] + [x for gutter in self.gutters for x in gutter] + [self.right]
        return [(edges[i], edges[i + 1]) for i in range(0, len(edges), 2)]


def find_columns(lines: list[Line]) -> Columns | None:
    """Find column gutters from a histogram of the boxes of narrow lines."""
    boxed = [line.box for line in lines if line.box is not None and line.box.width > 0]
    if len(boxed) < 4:
        return None
    left = min(b.x0 for b in boxed)
    right = max(b.x1 for b in boxed)
    text_width = right - left
    if text_width <= 0:
        return None
    narrow = [b for b in boxed if b.width < SPANNING_SHARE * text_width]
    if len(narrow) < 4:
        return Columns(left, right, [])
    bin_width = text_width / HISTOGRAM_BINS
    coverage = [0] * HISTOGRAM_BINS
    for box in narrow:
        first = int((box.x0 - left) / bin_width)
        last = min(HISTOGRAM_BINS - 1, int((box.x1 - left) / bin_width))
        for index in range(first, last + 1):
            coverage[index] += 1
    # A gutter is a deep valley, not an empty stretch: on noisy scans specks and
    # stray marks at line ends reach into it.
    peak = max(coverage)
    threshold = max(1, int(0.25 * peak))
    min_gutter_bins = max(2, int(0.006 * HISTOGRAM_BINS))
    gutters: list[tuple[int, int]] = []
    index = 0
    while index < HISTOGRAM_BINS:
        if coverage[index] <= threshold:
            start = index
            while index < HISTOGRAM_BINS and coverage[index] <= threshold:
                index += 1
            end = index
            # A gutter needs text on both sides: a real column's worth of lines.
            mass_left = sum(coverage[:start])
            mass_right = sum(coverage[end:])
            column_mass = 0.15 * sum(coverage)
            if (end - start >= min_gutter_bins and start > 0 and end < HISTOGRAM_BINS
                    and mass_left >= column_mass and mass_right >= column_mass):
                gutters.append((int(left + start * bin_width), int(left + end * bin_width)))
        else:
            index += 1
    return Columns(left, right, gutters)


def _split_at_gutters(line: Line, columns: Columns) -> list[Line]:
    """Split a line that the engine merged across a gutter, at a word gap there."""
    if not columns.gutters or line.box is None or len(line.words) < 2:
        return [line]
    if any(word.box is None for word in line.words):
        return [line]
    gaps = [b.box.x0 - a.box.x1 for a, b in zip(line.words, line.words[1:])]
    usual_gap = statistics.median(gaps)
    pieces: list[list] = [[line.words[0]]]
    for gap, previous, word in zip(gaps, line.words, line.words[1:]):
        gap_start, gap_end = previous.box.x1, word.box.x0
        # Only a gap as wide as the gutter itself, far wider than the line's
        # word spacing, is a seam between two columns.
        if any(gap_start <= (g0 + g1) / 2 <= gap_end and gap >= max(0.5 * (g1 - g0), 3 * usual_gap)
               for g0, g1 in columns.gutters):
            pieces.append([])
        pieces[-1].append(word)
    if len(pieces) == 1:
        return [line]
    return [Line(words=words, box=Box.union([w.box for w in words]), role=line.role,
                 block=line.block, hyphenated=line.hyphenated if words is pieces[-1] else False)
            for words in pieces]


def order_lines(page: Page) -> list[Line]:
    """The page's lines in reading order (kept as given when the source is ordered)."""
    lines = list(page.lines)
    if page.ordered or any(line.box is None for line in lines if line.words):
        return lines
    columns = find_columns(lines)
    if columns is None:
        return sorted(lines, key=lambda l: (l.box.y0, l.box.x0) if l.box else (0, 0))
    split: list[Line] = []
    for line in lines:
        split.extend(_split_at_gutters(line, columns))
    text_width = max(1, columns.right - columns.left)
    spans = columns.column_spans()

    def column_of(line: Line) -> int | None:
        """Index of the column a line belongs to, or None when it spans columns."""
        box = line.box
        if box.width >= SPANNING_SHARE * text_width:
            return None
        overlaps = [max(0, min(box.x1, c1) - max(box.x0, c0)) for c0, c1 in spans]
        covered = [o / max(1, c1 - c0) for o, (c0, c1) in zip(overlaps, spans)]
        if sum(1 for share in covered if share >= 0.3) >= 2:
            return None
        best = max(range(len(spans)), key=lambda i: overlaps[i])
        if overlaps[best] == 0:  # entirely inside a gutter: nearest column by centre
            best = min(range(len(spans)),
                       key=lambda i: abs((spans[i][0] + spans[i][1]) / 2 - box.center_x))
        return best

    placed = [(line, column_of(line)) for line in split if line.box is not None]
    spanning = sorted((line for line, column in placed if column is None), key=lambda l: l.box.y0)
    ordered: list[Line] = []
    band_top = float("-inf")
    for separator in spanning + [None]:
        band_bottom = separator.box.y0 if separator is not None else float("inf")
        by_column: list[list[Line]] = [[] for _ in spans]
        for line, column in placed:
            if column is not None and band_top <= _middle(line) < band_bottom:
                by_column[column].append(line)
        for column_lines in by_column:
            column_lines = merge_side_by_side(column_lines)
            ordered.extend(sorted(column_lines, key=lambda l: (l.box.y0, l.box.x0)))
        if separator is not None:
            ordered.append(separator)
            band_top = band_bottom
    return ordered


def _middle(line: Line) -> float:
    return (line.box.y0 + line.box.y1) / 2


def text_extent(line: Line) -> tuple[float, float]:
    """The top and bottom of a line's letters: the median top and bottom of its
    words. A speck above or below the text stretches the line's box, not this."""
    boxes = [w.box for w in line.words if w.box is not None and any(c.isalnum() for c in w.text)]
    boxes = boxes or [w.box for w in line.words if w.box is not None]
    if not boxes:
        return line.box.y0, line.box.y1
    return statistics.median(b.y0 for b in boxes), statistics.median(b.y1 for b in boxes)


def merge_side_by_side(lines: list[Line]) -> list[Line]:
    """Join pieces of one printed line that the engine read as separate lines.

    On noisy scans Tesseract cuts a line in two ("АТЫРАУ —" in one block,
    "Атырау облысының" in another, at the same height). Within one column two
    lines whose letters share the same height and whose words do not overlap
    side by side are one printed line; their words are joined left to right.
    """
    boxed = [line for line in lines if line.box is not None and line.words and line.role == BODY
             and all(word.box is not None for word in line.words)]
    if len(boxed) < 2:
        return lines
    # Pieces of one line are together no wider than the column's lines.
    widths = sorted(_ink_width(line.words) for line in boxed)
    widest = 1.1 * widths[len(widths) // 2]
    groups: list[list[Line]] = []
    extents: list[tuple[float, float]] = []
    for line in sorted(boxed, key=lambda l: text_extent(l)[0]):
        top, bottom = text_extent(line)
        for index in range(len(groups) - 1, max(-1, len(groups) - 4), -1):
            g_top, g_bottom = extents[index]
            shared = min(bottom, g_bottom) - max(top, g_top)
            if shared >= 0.5 * max(1.0, min(bottom - top, g_bottom - g_top)) \
                    and _side_by_side(groups[index] + [line]) \
                    and _ink_width([w for piece in groups[index] + [line]
                                    for w in piece.words]) <= widest:
                groups[index].append(line)
                extents[index] = (min(top, g_top), max(bottom, g_bottom))
                break
        else:
            groups.append([line])
            extents.append((top, bottom))
    if all(len(group) == 1 for group in groups):
        return lines
    merged_into: dict[int, Line] = {}
    for group in groups:
        if len(group) == 1:
            continue
        pieces = sorted(group, key=lambda l: l.box.x0)
        words = sorted((w for piece in pieces for w in piece.words), key=lambda w: w.box.x0)
        rightmost = max(pieces, key=lambda l: l.box.x1)
        joined = Line(words=words, box=Box.union([piece.box for piece in pieces]), role=BODY,
                      block=pieces[0].block, hyphenated=rightmost.hyphenated)
        for piece in group:
            merged_into[id(piece)] = joined
    result, seen = [], set()
    for line in lines:
        target = merged_into.get(id(line), line)
        if id(target) not in seen:
            seen.add(id(target))
            result.append(target)
    return result


def _ink_width(words) -> float:
    """Width of the words from the first to the last that is not a speck mark."""
    inked = [w.box for w in words if not _SPECK_MARKS.match(w.text)] or [w.box for w in words]
    return max(b.x1 for b in inked) - min(b.x0 for b in inked)


def _side_by_side(pieces: list[Line]) -> bool:
    """No word of one piece overlaps a word of another (a little touching aside),
    and no gap between them wider than a few word spaces (a running head and
    the folio beside it on one row are two lines)."""
    height = statistics.median(bottom - top for top, bottom in map(text_extent, pieces))
    ordered = sorted(pieces, key=lambda l: l.box.x0)
    reach = ordered[0].box.x1
    for piece in ordered[1:]:
        if piece.box.x0 - reach > 2.5 * max(1.0, height):
            return False
        reach = max(reach, piece.box.x1)
    for i, first in enumerate(pieces):
        for second in pieces[i + 1:]:
            for a in first.words:
                for b in second.words:
                    if min(a.box.x1, b.box.x1) - max(a.box.x0, b.box.x0) > 2:
                        return False
    return True


# --- specks at the line ends -------------------------------------------------

# Marks a speck of dirt is read as. Print sets them against a word ("слово,",
# "«Абай»"), so standing alone at either end of a line they are specks. Signs
# that do stand alone in print (§, №, &, +, =, %) are not among them.
_SPECK_MARKS = regex.compile(r"^[.,:;'\"“”„‘’«»‹›|/\\!?*<>_~^°·•()\[\]{}\-‐–—―]+$")
_DASHES_ONLY = regex.compile(r"^[-‐–—―]+$")
_MARKS_AFTER_HYPHEN = regex.compile(r"^(.*\p{L}[-\u00ad‐])[.,:;'\"“”„‘’«»|/\\!?*<>_~^°·•]+$")


def strip_edge_specks(line: Line) -> tuple[Line, int]:
    """The line without the specks standing alone at its start and end, and how
    many were removed.

    A dash does stand alone in print (the head's dash at a line end, "Қозы
    Көрпеш —"), so a dash is kept unless its box shows a speck: narrower than
    half a letter of the line. Without word boxes every dash is kept.
    """
    words = list(line.words)
    letter_width = _letter_width(words)

    def speck(word) -> bool:
        if not _SPECK_MARKS.match(word.text):
            return False
        if _DASHES_ONLY.match(word.text):
            return (letter_width is not None and word.box is not None
                    and word.box.width < 0.5 * letter_width)
        return True

    start, end = 0, len(words)
    while start < end and speck(words[start]):
        start += 1
    while end > start and speck(words[end - 1]):
        end -= 1
    removed = len(words) - (end - start)
    kept = words[start:end]
    if kept:
        # Marks glued after a line-end hyphen ("қа-:", "өне-”"): nothing follows a
        # break hyphen on its line, so they are specks.
        glued = _MARKS_AFTER_HYPHEN.match(kept[-1].text)
        if glued:
            kept[-1] = dataclasses.replace(kept[-1], text=glued.group(1))
            removed += 1
    if not removed:
        return line, 0
    # A line of specks only keeps its box: the page stage skips it as blank.
    box = Box.union([w.box for w in kept]) if kept and all(w.box for w in kept) else line.box
    return Line(words=kept, box=box, role=line.role, block=line.block,
                hyphenated=line.hyphenated), removed


def _letter_width(words) -> float | None:
    """The median width of one letter in the line's words of three letters or more."""
    widths = [w.box.width / len(w.text) for w in words
              if w.box is not None and len(w.text) >= 3 and sum(c.isalpha() for c in w.text) >= 3]
    return statistics.median(widths) if widths else None


# --- running heads, page numbers ---------------------------------------------

# Digits as OCR sometimes reads them in a page number ("17" came back as "ІІ").
_DIGIT_LOOKALIKES = str.maketrans({"І": "1", "I": "1", "l": "1", "|": "1", "О": "0",
                                   "O": "0", "o": "0", "З": "3", "б": "6", "S": "5"})
_PAGE_NUMBER = regex.compile(r"^\W{0,4}(\d{1,4})\W{0,4}$")
_ROMAN = regex.compile(r"^\W{0,3}([ivxlcdm]{1,7})\W{0,3}$", regex.IGNORECASE)
# Guide words: capitals, a dash, capitals ("АБАЙ — АЛМАТЫ"), nothing else.
_DASH_BETWEEN = regex.compile(r"\S\s*(?:—|–|-{2,3})\s*\S|\S\s+-\s+\S")
_NOISE_TOKEN = regex.compile(r"^[^\p{L}\p{N}—–-]+$")  # specks, but not a dash


def page_number_of(text: str) -> str | None:
    """The number a page-number line shows, or None when it is not one."""
    compact = text.replace(" ", "")
    if len(compact) > 10:
        return None
    match = _PAGE_NUMBER.match(compact) or _PAGE_NUMBER.match(compact.translate(_DIGIT_LOOKALIKES))
    if match:
        return str(int(match.group(1)))
    match = _ROMAN.match(compact)
    if match and len(compact) <= 8:
        return match.group(1).lower()
    return None


def split_guide_words(text: str) -> tuple[bool, str | None]:
    """Whether a line is guide words ("АБАЙ — АЛМАТЫ"), and a page number glued to it.

    Tesseract often prints the page number into the same line ("18 АҚАН СЕРІ --
    АЛАШ ОРДА", "АУЫЛ-- ӘМІРЕ 21") and adds specks (":", "|"); those are set
    aside before the capitals-dash-capitals form is checked.
    """
    tokens = [t for t in text.split() if not _NOISE_TOKEN.match(t)]
    number = None
    for position in (0, -1):
        if len(tokens) > 1 and page_number_of(tokens[position]) is not None \
                and tokens[position][:1].isdigit():
            number = page_number_of(tokens.pop(position))
    core = " ".join(tokens)
    letters = [c for c in core if c.isalpha()]
    if len(letters) < 3 or not _DASH_BETWEEN.search(core):
        return False, None
    upper = sum(1 for c in letters if c.isupper())
    return upper >= 0.9 * len(letters), number


def looks_like_guide_words(text: str) -> bool:
    return split_guide_words(text)[0]


def repetition_key(text: str) -> str:
    """Text with digits and case removed: a running title repeats under this key."""
    return regex.sub(r"[\d\W_]+", "", text).lower()


def edge_rows(lines: list[Line]) -> tuple[set[int], set[int]]:
    """Indexes of the lines in the top row and bottom row of the page.

    A row is every line whose vertical middle is within one typical line height
    of the top-most (bottom-most) line: a running head and the page number
    printed on the same baseline are one row.
    """
    # The height of the letters, not of the box: specks above or below a line
    # (many on a noisy scan) stretch its box and would push it out of its row.
    boxed = [(i, text_extent(line)) for i, line in enumerate(lines)
             if line.box is not None and line.words]
    if len(boxed) < 3:
        return set(), set()
    height = statistics.median(y1 - y0 for _, (y0, y1) in boxed) or 1
    top = min(y0 for _, (y0, _) in boxed)
    bottom = max(y1 for _, (_, y1) in boxed)
    # In the row: the middle within a line height of the edge, or (a line set
    # in taller type, a running head) the top (bottom) as near the edge as that.
    top_row = {i for i, (y0, y1) in boxed
               if min((y0 + y1) / 2, y0 + height / 2) - top <= height * 1.1}
    bottom_row = {i for i, (y0, y1) in boxed
                  if bottom - max((y0 + y1) / 2, y1 - height / 2) <= height * 1.1}
    # A row that holds most of the page is not a margin (a one-line page, say).
    if len(top_row) > len(boxed) / 2:
        top_row = set()
    if len(bottom_row) > len(boxed) / 2:
        bottom_row = set()
    return top_row, bottom_row


def is_centred_alone(line: Line, lines: list[Line], columns: Columns | None) -> bool:
    """A short line centred on the page and not aligned with any column start."""
    if columns is None or line.box is None:
        return False
    text_width = columns.right - columns.left
    centre = (columns.left + columns.right) / 2
    if line.box.width > 0.5 * text_width or abs(line.box.center_x - centre) > 0.08 * text_width:
        return False
    tolerance = 0.02 * text_width
    return all(abs(line.box.x0 - c0) > tolerance for c0, _ in columns.column_spans())


def crosses_gutter(line: Line, columns: Columns | None) -> bool:
    """A line centred on a page of columns that reaches well into two of them:
    set across the columns, as a running head is (lines the engine merged
    across a gutter were split apart before)."""
    if columns is None or columns.count < 2 or line.box is None:
        return False
    text_width = columns.right - columns.left
    centre = (columns.left + columns.right) / 2
    if abs(line.box.center_x - centre) > 0.1 * text_width:
        return False
    spans = columns.column_spans()
    reached = [max(0, min(line.box.x1, c1) - max(line.box.x0, c0)) / max(1, c1 - c0)
               for c0, c1 in spans]
    return sum(1 for share in reached if share >= 0.3) >= 2


def is_set_apart(line: Line, lines: list[Line]) -> bool:
    """More space below the line than between lines of text (a head, not text).

    Measured between the letters (text_extent), not the boxes: specks stretch
    a box over the gap."""
    if line.box is None:
        return False
    bottom = text_extent(line)[1]
    below = [text_extent(other)[0] for other in lines
             if other.box is not None and other is not line and other.words
             and text_extent(other)[0] >= bottom - 2
             and min(other.box.x1, line.box.x1) > max(other.box.x0, line.box.x0)]
    if not below:
        return False
    heights = sorted(y1 - y0 for y0, y1 in (text_extent(other) for other in lines
                                            if other.box is not None and other.words))
    typical = heights[len(heights) // 2] or 1
    return min(below) - bottom >= 0.6 * typical


@dataclass
class Classified:
    """A page's lines in reading order, each marked body or dropped (and why)."""

    lines: list[Line]
    dropped: list[tuple[int, str]]  # (index into lines, role)
    printed_number: str | None
    edge: set[int]  # lines in the top and bottom rows of the page (by their boxes)

    def edge_keys(self) -> set[str]:
        """Repetition keys of the edge lines, to find running titles across pages."""
        keys = (repetition_key(self.lines[index].text) for index in self.edge)
        return {key for key in keys if len(key) >= 3}


def classify(page: Page, lines: list[Line], repeated: set[str]) -> Classified:
    """Mark running heads, page numbers and catch-words for dropping.

    By the source's own roles first, then by position (top and bottom rows of
    the page) together with the form of the text or its repetition on other
    pages of the volume (`repeated` holds repetition keys seen often).
    """
    dropped: list[tuple[int, str]] = []
    printed = page.printed_number
    top_row, bottom_row = edge_rows(lines)
    columns = find_columns(lines) if not page.ordered else None
    edge = top_row | bottom_row
    if page.ordered and not any(line.box for line in lines):
        # No boxes (plain text): the first and last non-empty lines are the edges.
        filled = [i for i, line in enumerate(lines) if line.text.strip()]
        edge = set(filled[:1] + filled[-1:]) if len(filled) > 2 else set()
    for index, line in enumerate(lines):
        text = line.text.strip()
        if not text:
            continue
        if line.role in DROPPED_ROLES:
            dropped.append((index, line.role))
            if line.role == PAGE_NUMBER and printed is None:
                printed = page_number_of(text) or printed
            continue
        if line.role != BODY or index not in edge:
            continue
        number = page_number_of(text)
        guide_words, glued_number = split_guide_words(text)
        if number is not None:
            dropped.append((index, PAGE_NUMBER))
            printed = printed or number
        elif guide_words:
            dropped.append((index, HEADER))
            printed = printed or glued_number
        elif (repetition_key(text) in repeated
              or (index in top_row and (is_centred_alone(line, lines, columns)
                                        or (crosses_gutter(line, columns)
                                            and is_set_apart(line, lines))))):
            # Centred alone above the columns, or set across them with space
            # below: a running head, even when OCR damaged its dash and capitals.
            dropped.append((index, HEADER))
        elif index in bottom_row and is_centred_alone(line, lines, columns) \
                and len(text.replace(" ", "")) <= 6:
            # A short mark centred alone under the columns is the folio, even
            # when OCR could not read it as a number ("41" read as "ЕТ").
            dropped.append((index, PAGE_NUMBER))
        else:
            # "17 АБАЙ — АЛМАТЫ", "202 Literaturverzeichnis": page number and
            # running head merged into one line, set apart from the text below.
            head, _, rest = text.partition(" ")
            tail_head, _, tail = text.rpartition(" ")
            for number_part, rest_part in ((head, rest), (tail, tail_head)):
                number = page_number_of(number_part)
                # A one-digit number before words is more often a chapter than a page.
                if number is not None and len(number_part) >= 2 and rest_part and (
                        looks_like_guide_words(rest_part)
                        or (len(rest_part.split()) <= 4 and index in top_row
                            and is_set_apart(line, lines))):
                    dropped.append((index, HEADER))
                    printed = printed or number
                    break
    return Classified(lines=lines, dropped=dropped, printed_number=printed,
                      edge=top_row | bottom_row)
