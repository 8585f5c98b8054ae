"""Titles in normal case, homonyms, and what MediaWiki forbids in a title.

Headwords are printed in capitals. A one-word headword becomes "Алматы"; a
multi-word one takes the casing its words have elsewhere in the volume, found
by a vocabulary of the volume (phrases first, then single words):
ӘЛ-ФАРАБИ АТЫНДАҒЫ ҚАЗАҚ ҰЛТТЫҚ УНИВЕРСИТЕТІ -> Әл-Фараби атындағы Қазақ ұлттық
университеті. A word seen elsewhere only in capitals is an acronym (КСРО).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import Iterable

import regex

from .profile import Profile

WORD = regex.compile(r"[\p{L}\p{M}]+(?:[-'’ʼ][\p{L}\p{M}]+)*")
FORBIDDEN = set("#<>[]|{}")
MAX_TITLE_BYTES = 255


def is_all_caps(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) > 1 and all(c.isupper() for c in letters)


class Vocabulary:
    """How the words (and phrases) of the volume's headwords are written in its text.

    Built in one pass over the volume's texts, counting only the word forms
    and phrases that some headword needs, so memory stays small.
    """

    def __init__(self, headwords: Iterable[list[str]]):
        self.words: dict[str, Counter] = {}
        self.phrases: dict[tuple, Counter] = {}
        # Capitals with a hyphenated suffix (АЛЖИР-ден, КСРО-ның): an acronym.
        self.suffixed: Counter = Counter()
        self._starts: dict[str, list[tuple]] = defaultdict(list)
        for caps in headwords:
            keys = [w.lower() for w in caps]
            for key in keys:
                self.words.setdefault(key, Counter())
                for part in key.split("-"):
                    self.words.setdefault(part, Counter())
            for size in range(len(keys), 1, -1):
                for start in range(0, len(keys) - size + 1):
                    phrase = tuple(keys[start:start + size])
                    if phrase not in self.phrases:
                        self.phrases[phrase] = Counter()
                        self._starts[phrase[0]].append(phrase)

    def add_text(self, text: str) -> None:
        tokens = WORD.findall(text)
        lowered = [t.lower() for t in tokens]
        for i, (token, key) in enumerate(zip(tokens, lowered)):
            if key in self.words:
                self.words[key][token] += 1
            if "-" in token:
                parts = token.split("-")
                for part, low in zip(parts, key.split("-")):
                    if low in self.words:
                        self.words[low][part] += 1
                if is_all_caps(parts[0]) and all(p.islower() for p in parts[1:]):
                    self.suffixed[parts[0].lower()] += 1
            for phrase in self._starts.get(key, ()):
                if tuple(lowered[i:i + len(phrase)]) == phrase:
                    forms = tuple(tokens[i:i + len(phrase)])
                    if not all(is_all_caps(f) for f in forms):
                        self.phrases[phrase][forms] += 1

    def word_form(self, key: str) -> str | None:
        """The usual form of a word, or None when the volume does not tell."""
        forms = self.words.get(key)
        if not forms:
            return None
        mixed = Counter({f: n for f, n in forms.items() if not is_all_caps(f)})
        if mixed:
            return mixed.most_common(1)[0][0]
        form, count = forms.most_common(1)[0]
        if (count >= 2 or self.suffixed[key]) and len(form) <= 6:
            return form             # short and only ever in capitals: an acronym (КСРО)
        return None

    def phrase_forms(self, keys: list[str]) -> list[str | None]:
        """Per word, the form from the longest phrase containing it seen in the text."""
        result: list[str | None] = [None] * len(keys)
        for size in range(len(keys), 1, -1):
            for start in range(0, len(keys) - size + 1):
                counter = self.phrases.get(tuple(keys[start:start + size]))
                if not counter:
                    continue
                forms = counter.most_common(1)[0][0]
                for offset, form in enumerate(forms):
                    if result[start + offset] is None:
                        result[start + offset] = form
        return result


def capitalize(word: str) -> str:
    return word[:1].upper() + word[1:].lower()


class TitleMaker:
    def __init__(self, profile: Profile):
        self.hyphen_capitalize = profile.get("titles", "hyphen_parts") == "capitalize"
        self.forbidden_mode = profile.get("titles", "forbidden")
        self.homonym_format = profile.get("titles", "homonym_format")
        self.qualifier_mode = profile.get("titles", "homonym_qualifier")
        self.person_format = profile.get("titles", "person_format")
        self.patronymics = tuple(profile.get("titles", "patronymic_suffixes"))
        self.particles = {p.lower() for p in profile.get("headword", "name_particles")}

    def case_words(self, caps: list[str], vocab: Vocabulary | None) -> list[str]:
        keys = [w.lower() for w in caps]
        from_phrases = vocab.phrase_forms(keys) if vocab and len(keys) > 1 else [None] * len(keys)
        result = []
        for i, (word, key) in enumerate(zip(caps, keys)):
            form = from_phrases[i]
            if form is not None and is_all_caps(form) and vocab.word_form(key) is not None \
                    and not is_all_caps(vocab.word_form(key)):
                # A phrase seen with this word in capitals (a running head
                # leaked into the text) says less than the word's usual case.
                form = vocab.word_form(key)
            form = form or (vocab.word_form(key) if vocab else None)
            if form is None:
                parts = key.split("-")
                cased = []
                for j, part in enumerate(parts):
                    seen = vocab.word_form(part) if vocab and len(parts) > 1 else None
                    if j == 0:
                        cased.append(capitalize(part) if i == 0 else (seen or part))
                    elif seen is not None:
                        cased.append(seen)
                    else:
                        cased.append(capitalize(part) if self.hyphen_capitalize else part)
                form = "-".join(cased)
            if i == 0 and not is_all_caps(form):
                form = form[:1].upper() + form[1:]
            result.append(form)
        return result

    def make(self, caps: list[str], parts: list[tuple[str, str]],
             vocab: Vocabulary | None) -> tuple[str, str]:
        """(title, display): the title drops parentheticals; the display (the bold
        lead) keeps the headword as printed, in normal case."""
        words = self.case_words(caps, vocab)
        names = [text for kind, text in parts if kind == "name"]
        if self.person_format and len(words) == 1 and names and \
                names[0].lower() not in self.particles and \
                not names[0].lower().endswith(self.patronymics):
            # SURNAME Given Patronymic -> "Given Surname"
            title = self.person_format.format(given=names[0], surname=words[0])
            title = " ".join(title.split())
        else:
            title = " ".join(words + names)
        display = " ".join(words + [text for kind, text in parts])
        return title, display

    def repair(self, title: str) -> tuple[str | None, str | None]:
        """(title, problem). Title None: rejected."""
        bad = sorted({c for c in title if c in FORBIDDEN or ord(c) < 32})
        problem = None
        if bad:
            problem = f"title {title!r} has characters MediaWiki forbids: {' '.join(bad)}"
            if self.forbidden_mode == "reject":
                return None, problem
            fixed = title.translate({ord("["): "(", ord("]"): ")", ord("{"): "(",
                                     ord("}"): ")", ord("<"): None, ord(">"): None,
                                     ord("#"): None, ord("|"): " "})
            fixed = "".join(c for c in fixed if ord(c) >= 32)
            title = " ".join(fixed.split())
        title = title.strip().lstrip(":").strip()
        if not title or not any(c.isalnum() for c in title):
            return None, problem or f"title {title!r} has no letters"
        if len(title.encode("utf-8")) > MAX_TITLE_BYTES:
            return None, f"title longer than {MAX_TITLE_BYTES} bytes"
        return title, problem

    def qualifiers(self, definitions: list[str]) -> list[str]:
        """Distinct qualifiers for a group of homonyms, from their definitions."""
        n = len(definitions)
        numbered = [str(i + 1) for i in range(n)]
        if self.qualifier_mode == "number":
            return numbered
        found = []
        for definition in definitions:
            clause = regex.split(r"[,.;:(]", definition, maxsplit=1)[0]
            words = [w for w in WORD.findall(clause) if w.lower() == w]
            found.append(words[-1] if words else "")
        if all(found) and len(set(found)) == n:
            return found
        return numbered

    def qualified(self, title: str, qualifier: str) -> str:
        return self.homonym_format.format(title=title, qualifier=qualifier)


# -- spelling: headword words OCR damaged ---------------------------------------


class Confusions:
    """Letters a script's print and OCR confuse, from the profile's alphabet:
    `confusable` groups (a lost or added diacritic or stroke: Ә/А/Э, Қ/К) and
    `confusable_splits` (a wide letter read as narrow ones: Ш as ІН). Such a
    confusion costs half an ordinary edit. Without them every edit costs one.
    """

    def __init__(self, groups: list[str] = (), splits: dict[str, list[str]] | None = None):
        # letter -> every letter it shares a group with (a letter may be in two).
        self.sibling: dict[str, str] = {}
        for group in groups:
            for c in group:
                self.sibling[c] = self.sibling.get(c, "") + group
        self.splits = {letter: tuple(forms) for letter, forms in (splits or {}).items()}
        # Groups that share a letter fold together, for finding candidates.
        self._root: dict[str, str] = {}
        for group in groups:
            roots = {self._find(c) for c in group}
            target = min(roots)
            for root in roots:
                self._root[root] = target

    def _find(self, letter: str) -> str:
        while self._root.get(letter, letter) != letter:
            letter = self._root[letter]
        return letter

    @classmethod
    def from_profile(cls, profile: Profile | None) -> "Confusions":
        if profile is None:
            return cls()
        return cls(profile.get("alphabet", "confusable"),
                   profile.get("alphabet", "confusable_splits"))

    def fold(self, letter: str) -> str:
        """One letter standing for its confusion groups, so "Эулие" finds "әулие"."""
        return self._find(letter)


def ocr_distance(a: str, b: str, confusions: Confusions | None = None) -> float:
    """Edit distance from the printed word a to the OCR'd word b, confusions at half cost."""
    sibling = confusions.sibling if confusions else {}
    splits = confusions.splits if confusions else {}
    inf = float("inf")
    rows = [[inf] * (len(b) + 1) for _ in range(len(a) + 1)]
    rows[0][0] = 0.0
    for i in range(len(a) + 1):
        for j in range(len(b) + 1):
            here = rows[i][j]
            if here == inf:
                continue
            if i < len(a):
                rows[i + 1][j] = min(rows[i + 1][j], here + 1)
            if j < len(b):
                rows[i][j + 1] = min(rows[i][j + 1], here + 1)
            if i < len(a) and j < len(b):
                if a[i] == b[j]:
                    cost = 0.0
                elif b[j] in sibling.get(a[i], ""):
                    cost = 0.5
                else:
                    cost = 1.0
                rows[i + 1][j + 1] = min(rows[i + 1][j + 1], here + cost)
            if i < len(a):
                for split in splits.get(a[i], ()):
                    if b.startswith(split, j):
                        k = j + len(split)
                        rows[i + 1][k] = min(rows[i + 1][k], here + 0.5)
    return rows[len(a)][len(b)]


class Speller:
    """Repairs a headword word OCR damaged, from how the volume spells its words.

    A headword word is suspect when no word of the volume's text is it or
    starts with it (Kazakh inflects: АЙТЫС is seen as "Айтысқа"). Its repair is
    the one volume word, seen at least twice (a running head, which repeats a
    headword as printed, counts twice), within a small OCR distance of it.
    """

    MIN_LENGTH = 4
    MIN_SUPPORT = 2

    def __init__(self, profile: Profile | None = None):
        # The profile's letter confusions (alphabet.confusable); none without one.
        self.confusions = Confusions.from_profile(profile)
        self.counts: Counter = Counter()
        self._sorted: list[str] | None = None
        self._buckets: dict[tuple, list[str]] | None = None

    def add_text(self, text: str, weight: int = 1) -> None:
        for token in WORD.findall(text):
            self.counts[token.lower()] += weight
        self._sorted = self._buckets = None

    def _index(self) -> None:
        if self._sorted is None:
            self._sorted = sorted(self.counts)
            self._buckets = defaultdict(list)
            for word in self._sorted:
                self._buckets[(self.confusions.fold(word[0]), len(word))].append(word)

    def known(self, key: str) -> bool:
        """Some word of the volume is the key or an inflection of it."""
        self._index()
        from bisect import bisect_left
        at = bisect_left(self._sorted, key)
        return at < len(self._sorted) and self._sorted[at].startswith(key)

    def support(self, word: str) -> int:
        """How often the word is seen, its inflections included."""
        from bisect import bisect_left
        self._index()
        total, at = 0, bisect_left(self._sorted, word)
        while at < len(self._sorted) and self._sorted[at].startswith(word):
            total += self.counts[self._sorted[at]]
            at += 1
        return total

    def respell(self, word: str) -> str | None:
        """The volume's spelling of a damaged word (in the word's case), or None."""
        key = word.lower()
        if len(key) < self.MIN_LENGTH or self.known(key):
            return None
        self._index()
        limit = max(1.0, 0.25 * len(key))
        found: dict[str, float] = {}
        for size in range(len(key) - 2, len(key) + 3):
            for candidate in self._buckets.get((self.confusions.fold(key[0]), size), ()):
                if key.startswith(candidate):
                    continue        # ӘМІРЕ is not a damaged "Әмір": a word may grow
                distance = ocr_distance(candidate, key, self.confusions)
                if distance <= limit and self.support(candidate) >= self.MIN_SUPPORT:
                    found[candidate] = distance
        if not found:
            return None
        best = min(found.values())
        winners = [c for c, d in found.items() if d == best]
        if len(winners) != 1:
            return None             # two equally close words: no evidence which
        return _same_case(winners[0], word)


def _same_case(word: str, like: str) -> str:
    if is_all_caps(like):
        return word.upper()
    if like[:1].isupper():
        return word[:1].upper() + word[1:]
    return word
