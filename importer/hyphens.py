"""Line-end hyphenation: join a word broken over two lines onto its first line.

A hyphen at a line end is either a break hyphen (join: "қала-" + "сы" ->
"қаласы") or the word's own hyphen (keep: "Алма-" + "Ата" -> "Алма-Ата").
Sources that mark the break (ALTO HYP, SUBS_CONTENT) decide for us; otherwise
the words of the volume itself are the evidence: whichever form occurs
elsewhere in the volume, unbroken, wins.
"""
from __future__ import annotations

from collections import Counter

import regex

HYPHENS = "-\u00ad\u2010\u2011\u2e17\u00ac"
_WORD = regex.compile(r"[\p{L}\p{M}]+(?:[-\u2010][\p{L}\p{M}]+)*")
_EDGE_PUNCT = regex.compile(r"^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$")


def vocabulary_words(text: str) -> list[str]:
    """Word forms of a line for the volume's vocabulary (lowercase, own hyphens kept)."""
    return [w.lower().replace("\u2010", "-") for w in _WORD.findall(text)]


def ends_with_break(text: str) -> bool:
    text = text.rstrip()
    if len(text) < 2 or text[-1] not in HYPHENS:
        return False
    # "— " at the end is a dash, and a lone hyphen after a space is no word part.
    return text[-2].isalpha()


def _all_caps(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def decide_join(first_part: str, second_part: str, vocabulary: Counter, marker: str) -> str:
    """The word as it should read: joined (break hyphen) or with its own hyphen."""
    joined = first_part + second_part
    hyphenated = first_part + "-" + second_part
    joined_count = vocabulary.get(joined.lower(), 0)
    hyphenated_count = vocabulary.get(hyphenated.lower(), 0)
    if hyphenated_count > joined_count:
        return hyphenated
    if joined_count > hyphenated_count:
        return joined
    if marker == "\u00ad":  # a soft hyphen is a break by definition
        return joined
    # A capital after the break ("Алма-" / "Ата") is a compound's own hyphen.
    if second_part[:1].isupper() and first_part[:1].isupper():
        return hyphenated
    return joined


def join_lines(first: str, second: str, vocabulary: Counter,
               explicit_word: str | None = None) -> tuple[str, str, bool]:
    """Join a broken word onto the first line.

    Returns the new first line, the rest of the second line, and whether the
    hyphen was a break (True) or kept as the word's own (False).
    `explicit_word` is the whole word when the source said so (SUBS_CONTENT).
    """
    first = first.rstrip()
    marker = first[-1]
    head_text, _, first_part_raw = first[:-1].rpartition(" ")
    second = second.lstrip()
    second_word, _, rest = second.partition(" ")
    # A broken word goes on at once: marks before its second part ("сәй-" /
    # ".түлігі", "ту-" / "“ған") are specks on the scan.
    glued = regex.match(r"^[^\p{L}\p{N}\s]+(?=\p{Ll})", second_word)
    if glued and first[-2:-1].isalpha():
        second_word = second_word[glued.end():]
    # Keep punctuation that follows the word on the second line ("Ата," -> "Алма-Ата,").
    core = regex.match(r"^[\p{L}\p{M}\p{N}\-\u2010]*", second_word).group(0)
    trailing = second_word[len(core):]
    prefix = regex.match(r"^[^\p{L}\p{N}]*", first_part_raw).group(0)
    first_part = first_part_raw[len(prefix):]
    if explicit_word:
        word = explicit_word
        was_break = explicit_word != first_part + "-" + core
    elif not core or not first_part or not core[0].isalpha():
        # Nothing to join with (the next line starts with a number or a mark).
        return first, second, False
    elif _all_caps(core) and not _all_caps(first_part):
        # "жерлен-" / "АЗИЯ — ...": a word does not go on in capitals after a
        # lower-case start; the next line starts something else (a headword)
        # and the "hyphen" was a speck or a damaged ending.
        return first, second, False
    else:
        word = decide_join(first_part, core, vocabulary, marker)
        was_break = len(word) == len(first_part) + len(core)
    new_first = (head_text + " " if head_text else "") + prefix + word + trailing
    return new_first, rest.lstrip(), was_break
