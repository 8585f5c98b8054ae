"""OCR repair of one line of text: look-alike letters, dashes, quotes, NFC.

Every repair is counted by kind, so a volunteer can see how much the text was
changed and a reviewer can judge whether a rule misfires.
"""
from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass

import regex

# Latin letters that look like Cyrillic ones. Inside a word that is otherwise
# Cyrillic they are OCR damage (Tesseract's kaz model still emits some).
LATIN_TO_CYRILLIC = {
    "a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у",
    "i": "і", "h": "һ", "k": "к", "ə": "ә", "A": "А", "B": "В", "C": "С",
    "E": "Е", "H": "Н", "I": "І", "K": "К", "M": "М", "O": "О", "P": "Р",
    "T": "Т", "X": "Х", "Y": "У", "Ə": "Ә",
}
_LATIN_LOOKALIKES = "".join(LATIN_TO_CYRILLIC)
_MIXED_WORD = regex.compile(r"[\p{Script=Cyrillic}\p{Script=Latin}]+")

# The em dash as OCR reads it: "--", "---", or glued to the headword ("АҚЫН---").
_DOUBLE_DASH = regex.compile(r"\s*(?:-{2,}|–-|-–|—-|-—)\s*")
# A range of years or numbers is printed without spaces: "1845--1904" -> "1845—1904".
_RANGE_DASH = regex.compile(r"(?<=\d)(?:-{2,}|–-|-–|—-|-—)(?=\d)")
_SPACED_DASH = regex.compile(r"(?<=\S) [-–] (?=\S)|^[-–] (?=\S)|(?<=\S) [-–]$")
# Superscript ² read as "?" after a unit: "км?" -> "км²".
_SQUARE_UNIT = regex.compile(r"(?<=\d\s?(?:км|м|см|мм|km|m|cm|mm))\?(?=[\s.,;)]|$)")


@dataclass(frozen=True)
class RepairRules:
    """Which repairs a profile wants (all on for a Cyrillic-script encyclopedia)."""

    cyrillic_lookalikes: bool = True
    dashes: bool = True
    quotes: tuple[str, str] | None = ("«", "»")
    superscripts: bool = True
    # Marks standing alone at a line's ends are specks (layout.strip_edge_specks);
    # off for a typography that spaces its punctuation ("mot : «  texte »").
    edge_specks: bool = True

    @classmethod
    def from_profile(cls, settings: dict) -> "RepairRules":
        quotes = settings.get("quotes", "«»")
        return cls(cyrillic_lookalikes=settings.get("cyrillic_lookalikes", True),
                   dashes=settings.get("dashes", True),
                   quotes=(quotes[0], quotes[1]) if quotes else None,
                   superscripts=settings.get("superscripts", True),
                   edge_specks=settings.get("edge_specks", True))


def _fix_mixed_word(match: regex.Match, counts: Counter) -> str:
    word = match.group(0)
    if not regex.search(r"\p{Script=Latin}", word) or not regex.search(r"\p{Script=Cyrillic}", word):
        return word
    latin = [c for c in word if regex.match(r"\p{Script=Latin}", c)]
    if any(c not in LATIN_TO_CYRILLIC for c in latin):
        return word  # a real Latin letter: a mixed word we cannot safely mend
    counts["latin-lookalike"] += len(latin)
    return "".join(LATIN_TO_CYRILLIC.get(c, c) for c in word)


def repair_line(text: str, rules: RepairRules, counts: Counter) -> str:
    """Repair one printed line; add what was changed to `counts`."""
    normal = unicodedata.normalize("NFC", text)
    if normal != text:
        counts["nfc"] += 1
        text = normal
    if rules.cyrillic_lookalikes:
        text = _MIXED_WORD.sub(lambda m: _fix_mixed_word(m, counts), text)
    if rules.dashes:
        text, n = _RANGE_DASH.subn("—", text)
        counts["dash"] += n
        text, n = _DOUBLE_DASH.subn(" — ", text)
        counts["dash"] += n
        text, n = _SPACED_DASH.subn(lambda m: m.group(0).replace("-", "—").replace("–", "—"), text)
        counts["dash"] += n
        text = text.strip(" ")
    if rules.superscripts:
        text, n = _SQUARE_UNIT.subn("²", text)
        counts["superscript"] += n
    if rules.quotes:
        text = _pair_quotes(text, rules.quotes, counts)
    return text


def _pair_quotes(text: str, quotes: tuple[str, str], counts: Counter) -> str:
    """Straight and English quotes as the printed «...», only when they pair up.

    A lone quote mark is more often a speck OCR read as one; making it a «
    would dress noise up as text, so it is left for a reviewer to see.
    """
    marks = [i for i, c in enumerate(text) if c in '"“”„']
    if not marks or len(marks) % 2:
        return text
    chars = list(text)
    for n, index in enumerate(marks):
        chars[index] = quotes[n % 2]
    counts["quotes"] += len(marks)
    return "".join(chars)


def drop_zero_counts(counts: Counter) -> dict[str, int]:
    return {kind: n for kind, n in sorted(counts.items()) if n}
