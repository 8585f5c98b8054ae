"""Character error rate and friends, for comparing output with ground truth."""
from __future__ import annotations

import difflib


def levenshtein(a: str, b: str) -> int:
    """Edit distance (insertions, deletions, substitutions), O(len(a)*len(b))."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def edit_distance(hypothesis: str, reference: str) -> int:
    """Edit distance of two long texts, computed on the differing stretches only.

    difflib finds the long stretches the texts share; the exact distance is then
    taken on what lies between them, which keeps whole pages fast.
    """
    matcher = difflib.SequenceMatcher(None, hypothesis, reference, autojunk=False)
    distance = 0
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        hyp_part, ref_part = hypothesis[i1:i2], reference[j1:j2]
        if len(hyp_part) * len(ref_part) > 4_000_000:
            distance += max(len(hyp_part), len(ref_part))
        else:
            distance += levenshtein(hyp_part, ref_part)
    return distance


def cer(hypothesis: str, reference: str) -> float:
    """Character error rate: edits needed per character of the reference."""
    if not reference:
        return 0.0 if not hypothesis else 1.0
    return edit_distance(hypothesis, reference) / len(reference)
