"""Page stream -> articles, redirects and leftovers.

An article starts at a headword: capitals at the start of a line, optional
name parts or parentheticals, then a dash (` — `, or an OCR'd `-`, `–`, `--`).
Headwords may wrap onto the next line(s). Running heads ("АБАЙ — АЛМАТЫ",
capitals on both sides of the dash and nothing else) never start an article.
Articles run on across columns and pages; every line of the volume ends up in
exactly one segment: an article, or a leftover with the reason it was left.

Alphabetical order (the profile's alphabet) is a consistency check: a start
out of order is recorded as an issue; a weak start (the line before it does not
end a sentence) that is out of order is taken back into the article before it.

Nothing here knows wikitext: segments carry printed text only.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Iterable

import regex

from .model import PageRecord
from .profile import Profile

WORD = regex.compile(r"[\p{L}\p{M}]+(?:[-'’ʼ][\p{L}\p{M}]+)*")
TERMINAL = tuple(".!?…)»\"”;:")
PAGE_NUMBER = regex.compile(r"^[\s\-–—]*\d{1,4}[\s\-–—]*$")
# Specks OCR'd before a headword: up to two groups of punctuation or digits
# ("7. ", "2 .", ": "), or one stray lower-case letter standing alone ("і ").
JUNK_START = regex.compile(r"(?:(?:[^\p{L}\s(]{1,3}|\p{Ll}(?=\s))\s*){1,2}(?=\p{Lu})")
# Specks inside a head (between its words, before its dash or parenthetical,
# at the end of a wrapped head line): a few punctuation marks, maybe spaced.
SPECKS = regex.compile(r"(?:\s*[.,:;'\"“”»«·*|]){1,4}\s*")
JUNK_BEFORE_DASH = SPECKS
# A lone digit or mark standing before the dates: "ӚЛ-ФАРАБИ 5 (870—950)".
SPECK_BEFORE_PAREN = regex.compile(r"\s*[^\p{L}\s(]\s+(?=\()")
# The head's dash as OCR damaged it on a noisy scan: one letter glued to a
# hyphen or dash ("АҚТАУ. ж- Маңғыстау"). No word of running text has that
# form; it is trusted only where the layout says a head may start.
DAMAGED_DASH = regex.compile(r"(?:\p{L}[-‐–—―]{1,2}|[-‐–—―]{1,2}\p{L})(?=\s)")


@dataclass
class Line:
    """One printed line of the stream, with where it came from."""
    text: str
    volume: int
    page: str | int
    sequence: int          # the page's position in pages.jsonl (0-based)
    index: int             # line index on its page
    box: list | None = None
    indented: bool = False  # evidence from boxes: starts indented in its column
    indent: float = 0.0     # how far right of its column's edge it starts (pixels)
    page_edge: bool = False  # first or last non-blank line of its page
    confidence: float | None = None
    typical_length: float = 0.0  # median length of the page's lines
    dropped: tuple = ()     # first line of a page: the lines the page stage dropped
                            # (running heads: headwords as printed, spelling evidence)


@dataclass
class Head:
    headword: str          # printed: capitals and name parts, "АБАЙ (Ибраһим) Құнанбайұлы"
    caps: list[str]        # the capital words, look-alikes repaired
    parts: list[tuple[str, str]]  # ("name"|"paren", text) after the capitals
    details: str           # parentheticals after the name ("(1845—1904)")
    rest: str              # the definition's start on the head line(s)
    lines: int = 1         # printed lines the head took


@dataclass
class Segment:
    kind: str                       # "article" | "redirect" | "leftover"
    volume: int
    lines: list[Line] = field(default_factory=list)
    head: Head | None = None
    reason: str = ""                # leftovers: why
    strong: bool = True             # articles: the line before ended a sentence
    issues: list[dict] = field(default_factory=list)
    target: str | None = None       # redirects: the printed target

    def add_issue(self, kind: str, message: str, severity: str = "warning") -> None:
        self.issues.append({"kind": kind, "message": message, "severity": severity})

    @property
    def pages(self) -> list:
        seen = []
        for line in self.lines:
            if not seen or seen[-1] != line.page:
                if line.page not in seen:
                    seen.append(line.page)
        return seen

    @property
    def spans(self) -> list[list]:
        """[[page, sequence, first line index, last line index], ...]."""
        spans: list[list] = []
        for line in self.lines:
            if spans and spans[-1][1] == line.sequence and spans[-1][3] == line.index - 1:
                spans[-1][3] = line.index
            else:
                spans.append([line.page, line.sequence, line.index, line.index])
        return spans

    def paragraphs(self) -> list[str]:
        """The printed text, lines joined, paragraph breaks at blank or indented lines.

        The head is normalised: "HEADWORD (details) — definition".
        """
        paragraphs: list[list[str]] = [[]]
        body = self.lines
        if self.head is not None:
            first = self.head.headword
            if self.head.details:
                first += " " + self.head.details
            first += " —" + (" " + self.head.rest if self.head.rest else "")
            paragraphs[0].append(first)
            body = self.lines[self.head.lines:]
        for line in body:
            text = " ".join(line.text.split())
            if not text:
                if paragraphs[-1]:
                    paragraphs.append([])
                continue
            if line.indented and paragraphs[-1]:
                paragraphs.append([])
            paragraphs[-1].append(text)
        result = []
        for lines in paragraphs:
            if not lines:
                continue
            joined = lines[0]
            for text in lines[1:]:
                # A line-final hyphen the layout left is a compound's: keep it, no space.
                if joined.endswith("-") and not joined.endswith(" -") and text[:1].isalpha():
                    joined += text
                else:
                    joined += " " + text
            result.append(joined)
        return result

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs())


class HeadParser:
    """Recognises a headword at the start of a line, from text alone."""

    def __init__(self, profile: Profile):
        self.lookalikes = dict(profile.get("alphabet", "lookalikes"))
        self.alphabet = set("".join(profile.letters))
        self.dashes = sorted(profile.get("headword", "dashes"), key=len, reverse=True)
        self.particles = {p.lower() for p in profile.get("headword", "name_particles")}
        self.max_parts = profile.get("headword", "max_name_parts")
        self.see_markers = {profile.get("see", "marker")} | set(profile.get("see", "variants"))

    # -- words ---------------------------------------------------------------
    def repair(self, word: str) -> str:
        """Latin look-alikes inside a word of the profile's alphabet -> its letters."""
        if not self.lookalikes or not any(c in self.alphabet for c in word):
            return word
        return "".join(self.lookalikes.get(c, c) for c in word)

    def is_caps(self, word: str) -> bool:
        letters = [c for c in self.repair(word) if c.isalpha()]
        if not letters or not letters[0].isupper():
            return False
        upper = sum(c.isupper() for c in letters)
        # One lower-case letter in a long word is an OCR slip, not a name.
        return upper == len(letters) or (len(letters) >= 5 and upper >= len(letters) - 1)

    def is_name(self, word: str) -> bool:
        if word.lower() in self.particles:
            return True
        return word[:1].isupper() and any(c.islower() for c in word[1:]) and not self.is_caps(word)

    def is_name_paren(self, content: str) -> bool:
        words = content.replace(",", " ").split()
        if not words or len(words) > 4 or any(c.isdigit() for c in content):
            return False
        return all(WORD.fullmatch(w) and (self.is_name(w) or self.is_caps(w)) for w in words)

    # -- a head --------------------------------------------------------------
    def parse(self, text: str, damaged_dash: bool = False) -> Head | str | None:
        """A Head, "partial" (the line may be a head wrapped onto the next
        line), "guide" (a running head: CAPS — CAPS), or None.

        `damaged_dash`: also take a dash OCR damaged (DAMAGED_DASH) after the
        capitals, for a line the layout marks as a likely article start."""
        s = text.strip()
        pos, caps = 0, []
        glued_see = False
        # Specks OCR'd as punctuation before the headword (". АЛАКӨЛ", "«ӘН").
        junk = JUNK_START.match(s)
        if junk:
            pos = junk.end()
        while True:
            start = pos
            pos = _skip_space(s, pos)
            if caps and s.startswith("-", pos) and pos + 1 < len(s) and s[pos + 1].isalpha() \
                    and s[pos - 1].isspace():
                pos += 1        # a stray hyphen glued to the next capital word
            elif caps:
                joined = self._spaced_compound(s, start)
                if joined:      # "ЭУЛИЕ- АТА — ...": a compound's hyphen, then a space
                    caps[-1] += "-" + self.repair(joined.group())
                    pos = joined.end()
                    continue
                pos = max(pos, self._speck_between_caps(s, start))
            m = WORD.match(s, pos)
            if m and self.is_caps(m.group()) and (m.end() == len(s) or not s[m.end()].isalnum()):
                word, see = self._split_glued_see(s, m)
                if see:         # "АҚМОЛА-к. Астана": the dash glued to the see-marker
                    caps.append(self.repair(word))
                    pos, glued_see = m.start() + len(word), True
                    break
                caps.append(self.repair(word))
                pos = m.end()
                continue
            pos = start
            break
        if not caps:
            return None
        head_end = pos
        parts: list[tuple[str, str]] = []
        details: list[str] = []
        while len(parts) + len(details) <= self.max_parts and not glued_see:
            pos = _skip_space(s, pos)
            if pos < len(s) and s[pos] == "," and not details:
                pos += 1
                continue
            speck = SPECKS.match(s, pos) or SPECK_BEFORE_PAREN.match(s, pos)
            if speck and s.startswith("(", speck.end()):
                pos = speck.end()   # "Кенжетайұлы. (1914—1970)": a speck before the dates
            if pos < len(s) and s[pos] == "(":
                close = _matching_paren(s, pos)
                if close is None:
                    return "partial"
                content = s[pos + 1:close]
                if not details and (self.is_name_paren(content)
                                    or self._name_follows(s, close + 1, content)):
                    parts.append(("paren", s[pos:close + 1]))
                    head_end = close + 1
                else:
                    details.append(s[pos:close + 1])
                pos = close + 1
                continue
            m = WORD.match(s, pos)
            if m and not details and self.is_name(m.group()) and \
                    (m.end() == len(s) or not s[m.end()].isalnum()):
                parts.append(("name", m.group()))
                pos = head_end = m.end()
                continue
            break
        else:
            if not glued_see:
                return None
        pos = _skip_space(s, pos)
        junk = JUNK_BEFORE_DASH.match(s, pos)
        if junk and any(s.startswith(d, junk.end()) for d in self.dashes):
            pos = junk.end()    # "ӘМУДАРИЯ. —": a speck before the dash
        elif junk and junk.end() >= len(s):
            return "partial"    # "АБЫЛАЙ хан (Әбілмансұр) .": the head goes on
        if pos >= len(s):
            return "partial"
        dash = None
        for candidate in self.dashes:
            if s.startswith(candidate, pos):
                if candidate == "-" and s.startswith("--", pos):
                    continue
                # A bare hyphen is a dash only with a space (or the line end)
                # after it: "АЛМАТЫ - қала", not "АЛМА-АТА" or "АРЫСТАН -БАБ".
                if candidate in "-‐" and not (pos + 1 >= len(s) or s[pos + 1].isspace()
                                             or glued_see):
                    continue
                dash = candidate
                break
        if dash is None and damaged_dash and not parts and not details:
            if junk and junk.end() > pos:
                pos = junk.end()    # "АҚТАУ. ж- ...": a speck, then the damaged dash
            damaged = DAMAGED_DASH.match(s, pos)
            if damaged:
                dash = damaged.group()
        if dash is None:
            return None
        rest = s[pos + len(dash):].strip()
        if rest and self._guide_words(rest):
            return "guide"
        # Parentheticals after the last name word are details, not headword:
        # "АБЫЛАЙ хан (Әбілмансұр) (1711—1781)" has the headword "АБЫЛАЙ хан".
        while parts and parts[-1][0] == "paren":
            details.insert(0, parts.pop()[1])
        headword = " ".join(caps)
        for kind, part in parts:
            headword += " " + part
        return Head(headword=headword, caps=caps, parts=parts, details=" ".join(details),
                    rest=rest)

    def _speck_between_caps(self, s: str, pos: int) -> int:
        """Past a speck between two capital words ("АЛДАР: КӨСЕ", "АРАЛ .ТЕҢІЗІ",
        'ӘЛ-ФАРАБИ"АТЫНДАҒЫ'), if a capital word follows it."""
        speck = SPECKS.match(s, pos)
        if speck and speck.end() > pos:
            m = WORD.match(s, speck.end())
            if m and self.is_caps(m.group()):
                return speck.end()
        return pos

    def _spaced_compound(self, s: str, pos: int):
        """The capital word after "X- " when the head's dash follows it: the
        hyphen is glued to X, so it joins a compound (ӘУЛИЕ- АТА — ...); a
        running head "АБАЙ- АҚЫН" has no dash after its second word."""
        if not (s.startswith("- ", pos) and pos > 0 and not s[pos - 1].isspace()):
            return None
        m = WORD.match(s, _skip_space(s, pos + 1))
        if not m or not self.is_caps(m.group()):
            return None
        after = SPECKS.match(s, m.end())
        after = after.end() if after else _skip_space(s, m.end())
        return m if any(s.startswith(d, after) for d in self.dashes) else None

    def _split_glued_see(self, s: str, m) -> tuple[str, bool]:
        """("АҚМОЛА", True) for "АҚМОЛА-к." (the dash read as a hyphen glued to
        the see-marker), else (the word, False)."""
        word = m.group()
        stem, _, tail = word.rpartition("-")
        if stem and s.startswith(".", m.end()) and tail + "." in self.see_markers:
            return stem, True
        return word, False

    def _name_follows(self, s: str, pos: int, content: str) -> bool:
        """A one-word parenthetical followed by a name part is a name, whatever
        its case: "(йбраһим) Алтынсарыұлы" (OCR lost the capital)."""
        if not WORD.fullmatch(content.strip()):
            return False
        m = WORD.match(s, _skip_space(s, pos))
        return bool(m) and m.group()[:1].isupper() and self.is_name(m.group())

    def _guide_words(self, rest: str) -> bool:
        """True when all that follows the dash is capitals (and maybe a number)."""
        words = WORD.findall(rest)
        leftover = WORD.sub("", rest)
        return bool(words) and len(words) <= 4 and all(self.is_caps(w) for w in words) \
            and not regex.search(r"[^\s\d.,;:\-–—]", leftover)


def _skip_space(s: str, pos: int) -> int:
    while pos < len(s) and s[pos].isspace():
        pos += 1
    return pos


def _matching_paren(s: str, pos: int) -> int | None:
    depth = 0
    for i in range(pos, len(s)):
        if s[i] == "(":
            depth += 1
        elif s[i] == ")":
            depth -= 1
            if depth == 0:
                return i
    return None


def in_order(articles: list[Segment], keys: list[tuple]) -> list[bool]:
    """Which articles lie on the heaviest non-decreasing run of keys.

    A weighted longest increasing subsequence (strong starts weigh a little
    more than weak ones), O(n log n) with a Fenwick tree over key ranks.
    """
    n = len(keys)
    if n == 0:
        return []
    ranks = {key: r for r, key in enumerate(sorted(set(keys)), 1)}
    size = len(ranks)
    tree_value = [0.0] * (size + 1)
    tree_index = [-1] * (size + 1)
    best = [0.0] * n
    previous = [-1] * n
    for i, key in enumerate(keys):
        r = ranks[key]
        value, index = 0.0, -1
        j = r
        while j > 0:               # best chain ending at a key <= this one
            if tree_value[j] > value:
                value, index = tree_value[j], tree_index[j]
            j -= j & -j
        best[i] = value + (1.2 if articles[i].strong else 1.0)
        previous[i] = index
        j = r
        while j <= size:
            if best[i] > tree_value[j]:
                tree_value[j], tree_index[j] = best[i], i
            j += j & -j
    keep = [False] * n
    i = max(range(n), key=lambda k: best[k])
    while i >= 0:
        keep[i] = True
        i = previous[i]
    return keep


# -- the stream ----------------------------------------------------------------

def iter_volumes(pages: Iterable[PageRecord]) -> Iterable[tuple[int, list[Line]]]:
    """Groups the page stream into runs of one volume, as Line lists."""
    current: list[Line] = []
    volume = None
    sequence = 0
    for record in pages:
        if volume is not None and record.volume != volume:
            yield volume, current
            current = []
        volume = record.volume
        current.extend(page_lines(record, sequence))
        sequence += 1
    if volume is not None:
        yield volume, current


def page_lines(record: PageRecord, sequence: int) -> list[Line]:
    texts = record.text.split("\n") if record.text else []
    boxes = list(record.boxes or [])
    boxes += [None] * (len(texts) - len(boxes))
    lines = [Line(text=t, volume=record.volume, page=record.page, sequence=sequence,
                  index=i, box=boxes[i], confidence=record.confidence)
             for i, t in enumerate(texts)]
    if lines:
        lines[0].dropped = tuple(record.dropped or ())
    content = [line for line in lines if line.text.strip()]
    if content:
        content[0].page_edge = content[-1].page_edge = True
        lengths = sorted(len(line.text.strip()) for line in content)
        typical = lengths[len(lengths) // 2]
        for line in lines:
            line.typical_length = typical
    _mark_indents(lines, record.width)
    return lines


def _mark_indents(lines: list[Line], width: int | None) -> None:
    """Marks lines that start right of their column's left edge (boxes only).

    A line's column is the lines beside it (boxes overlapping it for half the
    narrower width); the column's edge is where most of them start: not the
    left-most start, which a speck in the margin can push out. A line starting
    right of that edge by more than 0.4 of a line's height is indented (a
    paragraph's first line, or a headword's).
    """
    boxed = [line for line in lines if line.box and line.text.strip()]
    if len(boxed) < 4:
        return
    page_width = width or max(line.box[2] for line in boxed)
    tolerance = max(3.0, 0.004 * page_width)
    heights = sorted(line.box[3] - line.box[1] for line in boxed)
    threshold = max(5.0, 0.4 * heights[len(heights) // 2])
    spans = [(line.box[0], line.box[2]) for line in boxed]
    found: dict[tuple, tuple] = {}  # (x0, x1) -> (support, edge); lines of a column repeat spans
    for line in boxed:
        x0, x1 = line.box[0], line.box[2]
        try:
            best, edge = found[x0, x1]
        except KeyError:
            starts = sorted(a for a, b in spans
                            if min(x1, b) - max(x0, a) >= 0.5 * min(x1 - x0, b - a))
            best, edge = 0, None
            for x in starts:  # ascending, so the first start with the most support is the least
                # Lines starting within the tolerance of x, counted by binary search:
                # the page is quadratic in lines at worst, not cubic.
                n = bisect_right(starts, x + tolerance) - bisect_left(starts, x - tolerance)
                if n > best:
                    best, edge = n, x
            found[x0, x1] = best, edge
        # The edge must be a real column edge (several lines start there).
        if best < 3:
            continue
        line.indent = x0 - edge
        if x0 - edge > threshold:
            line.indented = True


class Segmenter:
    def __init__(self, profile: Profile):
        self.profile = profile
        self.parser = HeadParser(profile)
        self.max_lines = profile.get("headword", "max_lines")
        order = {letter: i for i, letter in enumerate(profile.letters)}
        self.order = order
        markers = "|".join(regex.escape(m) for m in sorted(
            [profile.get("see", "marker")] + list(profile.get("see", "variants")),
            key=len, reverse=True))
        self.redirect_max = profile.get("see", "redirect_max_words")
        self.see = regex.compile(
            r"(?:^|(?<=[.;,]\s*))(?:" + markers + r")\s+(?P<target>[^.;:()]+?)\s*[.,:;·'\"\s]*$")

    # -- heads -----------------------------------------------------------------
    def find_head(self, lines: list[Line], i: int,
                  damaged_dash: bool = False) -> tuple[Head | str | None, int]:
        """The head starting at line i and the number of lines it takes.

        `damaged_dash`: the line is where a head is likely to start (see
        segment()), so a dash OCR damaged is taken too."""
        text = lines[i].text
        result = self.parser.parse(text, damaged_dash)
        used = 1
        limit = max(self.max_lines, 4)
        while result == "partial" and used < limit and i + used < len(lines):
            nxt = lines[i + used]
            if not nxt.text.strip():
                break
            in_paren = text.count("(") > text.count(")")
            if not in_paren and used >= self.max_lines:
                break
            text = text.rstrip() + " " + nxt.text.strip()
            result = self.parser.parse(text)
            used += 1
            if isinstance(result, Head) and not in_paren and used == 2:
                # A capitals-only line at a page edge before a head of its own
                # is a leaked running head, not the first half of this one.
                alone = self.parser.parse(nxt.text)
                first = lines[i]
                if isinstance(alone, Head) and first.page_edge and \
                        len(first.text.strip()) < 0.6 * first.typical_length:
                    return None, 1
        if isinstance(result, Head) and used == 1 and not result.rest:
            longer = self._dash_read_early(lines, i, result)
            if longer is not None:
                result, used = longer, 2
        if isinstance(result, Head):
            result.lines = used
            return result, used
        if result == "guide":
            return "guide", 1
        return None, 1

    def _dash_read_early(self, lines: list[Line], i: int, head: Head) -> Head | None:
        """A speck read as a dash at the end of a wrapped person's head:
        "АҚАН СЕРІ (Ақжігіт) —" / "Қорамсаұлы (1843—1913) — ақын". The head
        goes on when the next line is name parts, then dates, then the dash."""
        if i + 1 >= len(lines) or not lines[i + 1].text.strip():
            return None
        first = lines[i].text.rstrip()
        for dash in self.parser.dashes:
            if first.endswith(dash):
                first = first[:-len(dash)]
                break
        longer = self.parser.parse(first + " " + lines[i + 1].text.strip())
        if not isinstance(longer, Head) or len(longer.parts) <= len(head.parts) \
                or not any(c.isdigit() for c in longer.details) \
                or longer.parts[-1][0] != "name" or longer.caps != head.caps:
            return None
        return longer

    # -- a volume --------------------------------------------------------------
    def segment(self, volume: int, lines: list[Line]) -> list[Segment]:
        segments: list[Segment] = []
        current = Segment(kind="leftover", volume=volume, reason="before-first-headword")
        previous_text = ""          # the last content line of the current segment
        gap = True                  # a blank line (or the volume start) came before
        i = 0
        while i < len(lines):
            line = lines[i]
            text = line.text.strip()
            if not text:
                current.lines.append(line)
                gap = True
                i += 1
                continue
            if line.page_edge and PAGE_NUMBER.match(text):
                segments.append(Segment(kind="leftover", volume=volume, lines=[line],
                                        reason="page-number"))
                i += 1
                continue
            # An indented line after the end of a sentence is where a head is
            # likely to start: there a dash OCR damaged counts as the dash. Such
            # a head is weak evidence: out of alphabetical order it goes back
            # into the article before it.
            likely_start = line.indented and (gap or previous_text.endswith(TERMINAL))
            head, used = self.find_head(lines, i)
            damaged = False
            if head is None and likely_start:
                head, used = self.find_head(lines, i, damaged_dash=True)
                damaged = isinstance(head, Head)
            if head == "guide" or (head is None and line.page_edge and self._caps_only(text)):
                segments.append(Segment(kind="leftover", volume=volume, lines=[line],
                                        reason="running-head"))
                i += 1
                continue
            if isinstance(head, Head):
                if current.lines:
                    segments.append(current)
                strong = (gap or line.indented or previous_text.endswith(TERMINAL)) \
                    and not damaged
                current = Segment(kind="article", volume=volume, lines=lines[i:i + used],
                                  head=head, strong=strong)
                previous_text = lines[i + used - 1].text.strip()
                gap = False
                i += used
                continue
            current.lines.append(line)
            previous_text = text
            gap = False
            i += 1
        if current.lines:
            segments.append(current)
        segments.sort(key=lambda seg: (seg.lines[0].sequence, seg.lines[0].index))
        self._restore_lost_starts(segments, lines)
        self._check_order(segments)
        for segment in segments:
            if segment.kind == "article":
                self._detect_redirect(segment)
        return segments

    def _caps_only(self, text: str) -> bool:
        words = WORD.findall(text)
        return bool(words) and len(text) <= 60 and all(self.parser.is_caps(w) for w in words) \
            and not regex.search(r"[^\s\d.,;:\-–—]", WORD.sub("", text))

    # -- headwords OCR lost the start of ---------------------------------------
    def _restore_lost_starts(self, segments: list[Segment], lines: list[Line]) -> None:
        """A headword whose first letters OCR lost ("АЙТЫС" read as "С").

        The evidence is in the boxes: the head line starts far right of where
        indented lines start (more than twice the volume's usual indent), so
        letters were there that OCR did not read. An article repeats its
        headword, so the headword is the stem the article's own text keeps
        using that ends with what was read ("Айтысқа", "Айтыстың" -> "айтыс"),
        provided it sorts between the neighbouring headwords. Restored heads
        carry an issue for review.
        """
        indents = sorted(line.indent for line in lines if line.indented)
        if len(indents) < 3:
            return
        usual = indents[len(indents) // 2]
        articles = [s for s in segments if s.kind == "article"]
        for number, article in enumerate(articles):
            head = article.head
            if article.lines[0].indent <= 2 * usual or len(head.caps) != 1:
                continue
            before = self.sort_key(articles[number - 1].head)[0] if number else None
            after = (self.sort_key(articles[number + 1].head)[0]
                     if number + 1 < len(articles) else None)
            stem = self._stem_ending_with(article, head.caps[0], before, after)
            if stem is None:
                continue
            printed = head.headword        # starts with the capitals: " ".join(caps) + parts
            head.headword = stem.upper() + printed[len(head.caps[0]):]
            head.caps[0] = stem.upper()
            article.add_issue("title-guessed",
                              f"headword {printed!r} starts right of its column's indent: "
                              f"OCR lost its first letters; read as {head.headword!r} "
                              f"(the word the article repeats)")

    def _stem_ending_with(self, article: Segment, fragment: str, before, after) -> str | None:
        """The article's most repeated word start that ends with `fragment` and
        sorts between `before` and `after`, or None."""
        tail = fragment.lower()
        support: dict[str, int] = {}
        body = " ".join(line.text for line in article.lines[article.head.lines:])
        body = article.head.rest + " " + body
        for token in WORD.findall(body.lower()):
            seen = set()
            for end in range(len(tail) + 1, len(token) + 1):
                stem = token[:end]
                if stem.endswith(tail) and stem not in seen:
                    seen.add(stem)
                    support[stem] = support.get(stem, 0) + 1
        fitting = []
        for stem, count in support.items():
            if count < 2:
                continue
            key = self.sort_key(Head(headword=stem, caps=[stem.upper()], parts=[],
                                     details="", rest=""))[0]
            if (before is None or before <= key) and (after is None or key <= after):
                fitting.append((count, len(stem), stem))
        if not fitting:
            return None
        fitting.sort(reverse=True)
        if len(fitting) > 1 and fitting[0][0] == fitting[1][0]:
            return None     # two stems as well supported: no evidence which
        return fitting[0][2]

    # -- order -----------------------------------------------------------------
    def sort_key(self, head: Head) -> tuple:
        order = self.order
        words = [tuple(order[c] for c in w.upper() if c in order) for w in head.caps]
        letters = tuple(i for w in words for i in w)
        return letters, tuple(words)

    def _check_order(self, segments: list[Segment]) -> None:
        """Weak starts out of alphabetical order go back into the article before
        them; strong ones stay, with an issue."""
        articles = [s for s in segments if s.kind == "article"]
        keep = in_order(articles, [self.sort_key(a.head)[0] for a in articles])
        demoted = {id(a) for a, ok in zip(articles, keep) if not ok and not a.strong}
        if demoted:
            merged: list[Segment] = []
            for segment in segments:
                if id(segment) in demoted:
                    owner = next((s for s in reversed(merged) if s.kind == "article"
                                  or s.reason == "before-first-headword"), None)
                    if owner is not None:
                        owner.lines.extend(segment.lines)
                        owner.lines.sort(key=lambda line: (line.sequence, line.index))
                        continue
                    segment.kind, segment.head = "leftover", None
                    segment.reason = "before-first-headword"
                merged.append(segment)
            segments[:] = merged
            articles = [s for s in segments if s.kind == "article"]
            keep = in_order(articles, [self.sort_key(a.head)[0] for a in articles])
        for segment, ok in zip(articles, keep):
            if not ok:
                segment.add_issue("out-of-order",
                                  f"headword {segment.head.headword!r} is out of alphabetical order")

    # -- redirects -------------------------------------------------------------
    def _detect_redirect(self, segment: Segment) -> None:
        paragraphs = segment.paragraphs()
        definition = paragraphs[0].split(" — ", 1)[1] if " — " in paragraphs[0] else ""
        # A see-entry is too short to have paragraphs: a break inside one is
        # a false indent (a speck at the line start), so count all its words.
        definition = " ".join([definition] + paragraphs[1:])
        if not definition or len(definition.split()) > self.redirect_max:
            return
        m = self.see.search(definition)
        if not m:
            return
        target = m.group("target").strip().rstrip(",")
        if "," in target:
            segment.add_issue("redirect-several-targets",
                              f"see-entry names several targets: {target!r}; using the first")
            target = target.split(",")[0].strip()
        if not target:
            return
        segment.kind, segment.target = "redirect", target
