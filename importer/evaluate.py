"""Compare a batch's articles with a ground truth.

    importer evaluate BATCH --truth TRUTH.json

The ground truth (format "importer-truth/1"), e.g. samples/kk-sample/truth/articles.json:

    {"format": "importer-truth/1",
     "articles": [
        {"headword": "АБАЙ (Ибраһим) Құнанбайұлы",   # as printed
         "title": "Абай Құнанбайұлы",                 # the expected wiki title
         "kind": "article",                           # "article" | "redirect"
         "target": null,                              # redirects: the target title
         "text": "АБАЙ (Ибраһим) Құнанбайұлы (1845—1904) — ақын, ...\\nАбай ..."}
        ...]}                                          # in printed order

`text` is the printed text of the article, headword first, paragraphs
separated by "\\n".

Figures:
- boundaries: predicted and true articles are aligned in order by the start of
  their text (letters only, upper case, fuzzy); a predicted article whose
  start is a true article's start is a correct boundary. Precision = correct /
  predicted, recall = correct / true, F1.
- title exact-match rate: of the aligned pairs (and of all true articles).
- redirect accuracy: true redirects found as redirects with the same target.
- CER: character error rate of the concatenated article texts against the
  concatenated true texts (whitespace runs count as one space); `raw_cer` is
  the same for the page stream (pages.jsonl) the article stage started from.
"""
from __future__ import annotations

import difflib
import json
from pathlib import Path

import regex

from .errors import BatchError, InputFileError
from .metrics import cer

TRUTH_FORMAT = "importer-truth/1"
KEY_LETTERS = 40
MATCH_THRESHOLD = 0.6
# Script look-alikes folded for matching starts only (never for the scores).
_FOLD = str.maketrans("ABCEHIKMOPTXYaceiopxy", "АВСЕНІКМОРТХУасеіорху")


def load_truth(path: Path) -> list[dict]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputFileError(path, f"cannot read the ground truth ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != TRUTH_FORMAT:
        raise InputFileError(path, f"not a ground truth in format {TRUTH_FORMAT!r}")
    articles = data.get("articles")
    if not isinstance(articles, list):
        raise InputFileError(path, "no 'articles' list")
    for i, article in enumerate(articles):
        for key in ("title", "kind", "text"):
            if key not in article:
                raise InputFileError(path, f"articles[{i}] has no {key!r}")
    return articles


def load_batch_articles(batch_dir: Path) -> list[dict]:
    path = Path(batch_dir) / "articles.jsonl"
    if not path.is_file():
        raise BatchError(f"{path}: no such file (run importer build first)")
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def start_key(text: str) -> str:
    letters = regex.sub(r"[^\p{L}]", "", (text or "")[:KEY_LETTERS * 3])
    return letters.upper().translate(_FOLD)[:KEY_LETTERS]


def align(predicted: list[str], truth: list[str]) -> list[tuple[int, int]]:
    """Pairs (i, j) of predicted and true articles that start alike, in order."""
    short_p = [k[:12] for k in predicted]
    short_t = [k[:12] for k in truth]
    matcher = difflib.SequenceMatcher(None, short_p, short_t, autojunk=False)
    pairs = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pairs += [(i1 + k, j1 + k) for k in range(i2 - i1)]
        elif i2 > i1 and j2 > j1:
            pairs += _fuzzy(predicted, truth, i1, i2, j1, j2)
    return pairs


def _similar(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() if a and b else 0.0


def _fuzzy(p: list[str], t: list[str], i1: int, i2: int, j1: int, j2: int) -> list:
    """Best order-keeping pairing of a gap (dynamic programming on similarity)."""
    n, m = i2 - i1, j2 - j1
    if n * m > 250_000:   # a huge gap: pair greedily in order
        return [(i1 + k, j1 + k) for k in range(min(n, m))
                if _similar(p[i1 + k], t[j1 + k]) >= MATCH_THRESHOLD]
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    for a in range(n - 1, -1, -1):
        for b in range(m - 1, -1, -1):
            s = _similar(p[i1 + a], t[j1 + b])
            take = score[a + 1][b + 1] + s if s >= MATCH_THRESHOLD else -1.0
            score[a][b] = max(take, score[a + 1][b], score[a][b + 1])
    pairs, a, b = [], 0, 0
    while a < n and b < m:
        s = _similar(p[i1 + a], t[j1 + b])
        if s >= MATCH_THRESHOLD and score[a][b] == score[a + 1][b + 1] + s:
            pairs.append((i1 + a, j1 + b))
            a, b = a + 1, b + 1
        elif score[a][b] == score[a + 1][b]:
            a += 1
        else:
            b += 1
    return pairs


def _flat(text: str) -> str:
    return " ".join(text.split())


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def evaluate(batch_dir: Path, truth_path: Path) -> dict:
    truth = load_truth(truth_path)
    predicted = load_batch_articles(batch_dir)
    pairs = align([start_key(a.get("text", "")) for a in predicted],
                  [start_key(t["text"]) for t in truth])
    correct = len(pairs)
    precision = _ratio(correct, len(predicted))
    recall = _ratio(correct, len(truth))
    f1 = (round(2 * precision * recall / (precision + recall), 4)
          if precision and recall else 0.0)
    titles_equal = sum(1 for i, j in pairs if predicted[i].get("title") == truth[j]["title"])
    true_redirects = [j for j, t in enumerate(truth) if t["kind"] == "redirect"]
    paired = dict((j, i) for i, j in pairs)
    redirects_right = sum(
        1 for j in true_redirects if j in paired
        and predicted[paired[j]].get("kind") == "redirect"
        and predicted[paired[j]].get("target") == truth[j].get("target"))
    false_redirects = sum(1 for i, j in pairs if predicted[i].get("kind") == "redirect"
                          and truth[j]["kind"] != "redirect")
    reference = _flat("\n".join(t["text"] for t in truth))
    hypothesis = _flat("\n".join(a.get("text") or "" for a in predicted))
    result = {
        "truth": str(truth_path),
        "batch": str(batch_dir),
        "articles": {"truth": len(truth), "predicted": len(predicted), "matched": correct},
        "boundary": {"precision": precision, "recall": recall, "f1": f1},
        "titles": {"exact": _ratio(titles_equal, correct),
                   "exact_of_truth": _ratio(titles_equal, len(truth)),
                   "wrong": [[predicted[i].get("title"), truth[j]["title"]] for i, j in pairs
                             if predicted[i].get("title") != truth[j]["title"]]},
        "redirects": {"truth": len(true_redirects), "correct": redirects_right,
                      "accuracy": _ratio(redirects_right, len(true_redirects)),
                      "false": false_redirects},
        "cer": round(cer(hypothesis, reference), 5),
        "raw_cer": None,
        "missed": [truth[j]["title"] for j in range(len(truth)) if j not in paired],
        "spurious": [predicted[i].get("title") for i in range(len(predicted))
                     if i not in dict(pairs)],
    }
    pages = Path(batch_dir) / "pages.jsonl"
    if pages.is_file():
        with pages.open(encoding="utf-8") as fh:
            raw = _flat("\n".join(json.loads(line).get("text", "") for line in fh if line.strip()))
        result["raw_cer"] = round(cer(raw, reference), 5)
    return result


def format_evaluation(result: dict) -> str:
    def pct(value):
        return "n/a" if value is None else f"{100 * value:.1f}%"

    b, t, r, a = result["boundary"], result["titles"], result["redirects"], result["articles"]
    lines = [
        f"articles: {a['predicted']} predicted, {a['truth']} true, {a['matched']} matched",
        f"article boundaries: precision {pct(b['precision'])}, recall {pct(b['recall'])}, "
        f"F1 {pct(b['f1'])}",
        f"titles exact: {pct(t['exact'])} of matched ({pct(t['exact_of_truth'])} of all)",
        f"redirects: {r['correct']}/{r['truth']} correct ({pct(r['accuracy'])}), "
        f"{r['false']} false",
        f"text CER: {pct(result['cer'])}"
        + (f" (page stream before segmentation: {pct(result['raw_cer'])})"
           if result.get("raw_cer") is not None else ""),
    ]
    for title, expected in t["wrong"][:20]:
        lines.append(f"  title {title!r} should be {expected!r}")
    for title in result["missed"][:20]:
        lines.append(f"  missed: {title}")
    for title in result["spurious"][:20]:
        lines.append(f"  spurious: {title}")
    return "\n".join(lines)
