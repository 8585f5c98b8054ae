"""Trial selections: the subset of a batch that reviewers see and the bot trial publishes.

    ids = select(articles, sample=10, every=None, seed=0)
    path = write_selection(batch, articles, ids, sample=10, every=None, seed=0)
    ids = read_selection(path, articles)          # checked against the batch
    chosen = apply(articles, ids)                 # the articles, in printed order

The algorithm is the uploader's (importer/upload.py `select`): every K-th article
in printed order first (the 1st, the K+1-th, ...), then a random sample of N of
those drawn with ``random.Random(seed)``, kept in printed order. The same batch,
N, K and seed always give the same articles, so `importer preview --sample N`
and `importer upload --sample N` agree; the selection file removes any doubt.

BATCH/selection.json (format "importer-selection/1"), written by
`importer preview --sample N / --every K`, read with `--selection FILE`:

    {
      "format": "importer-selection/1",
      "method": {"sample": 10, "every": null, "seed": 0},
      "batch": {"articles": 41, "fingerprint": "<sha1 of the batch's ids>"},
      "count": 10,
      "ids": ["1-453c22b2e6", ...],          # what counts, in printed order
      "titles": ["Абай Құнанбайұлы", ...]     # for people reading the file
    }

`read_selection` refuses a file whose ids are not all in the batch (the batch
was rebuilt from other input); a changed fingerprint with all ids present only
means articles were added or removed elsewhere, and the ids still hold.
"""
from __future__ import annotations

import hashlib
import json
import os
import random
from pathlib import Path
from typing import Iterable

from .errors import InputFileError, UsageError

FORMAT = "importer-selection/1"
FILE_NAME = "selection.json"


def select(articles: list[dict], sample: int | None = None, every: int | None = None,
           seed: int = 0) -> list[str]:
    """The ids of the chosen articles, in printed order (all of them with no option)."""
    if sample is not None and sample < 1:
        raise UsageError(f"--sample must be at least 1 (got {sample})")
    if every is not None and every < 1:
        raise UsageError(f"--every must be at least 1 (got {every})")
    chosen = list(articles)
    if every and every > 1:
        chosen = chosen[::every]
    if sample is not None and sample < len(chosen):
        picked = set(random.Random(seed).sample(range(len(chosen)), sample))
        chosen = [a for i, a in enumerate(chosen) if i in picked]
    return [a["id"] for a in chosen]


def fingerprint(articles: Iterable[dict]) -> str:
    """A digest of the batch's ids in order: tells whether a selection was made on it."""
    digest = hashlib.sha1()
    for article in articles:
        digest.update(str(article["id"]).encode("utf-8") + b"\n")
    return digest.hexdigest()


def apply(articles: list[dict], ids: Iterable[str]) -> list[dict]:
    """The articles whose id is in `ids`, in printed order."""
    wanted = set(ids)
    return [a for a in articles if a["id"] in wanted]


def to_json(articles: list[dict], ids: list[str], sample: int | None = None,
            every: int | None = None, seed: int = 0) -> dict:
    titles = {a["id"]: a.get("title") for a in articles}
    return {
        "format": FORMAT,
        "method": {"sample": sample, "every": every, "seed": seed},
        "batch": {"articles": len(articles), "fingerprint": fingerprint(articles)},
        "count": len(ids),
        "ids": list(ids),
        "titles": [titles.get(i) for i in ids],
    }


def write_selection(batch: Path, articles: list[dict], ids: list[str],
                    sample: int | None = None, every: int | None = None, seed: int = 0,
                    path: Path | None = None) -> Path:
    """Writes BATCH/selection.json (or `path`) atomically; returns its path."""
    path = Path(path) if path is not None else Path(batch) / FILE_NAME
    data = to_json(articles, ids, sample, every, seed)
    tmp = path.with_name(path.name + ".partial")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def read_selection(path: str | os.PathLike, articles: list[dict] | None = None) -> list[str]:
    """The ids of a selection file; checked against `articles` when given."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputFileError(path, f"cannot read the selection ({exc.strerror})") from None
    except ValueError as exc:
        raise InputFileError(path, f"not a selection file ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputFileError(path, f"not a selection file (expected format {FORMAT!r})")
    ids = data.get("ids")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise InputFileError(path, "the selection has no list of ids")
    if articles is not None:
        known = {a["id"] for a in articles}
        missing = [i for i in ids if i not in known]
        if missing:
            raise InputFileError(path, f"{len(missing)} of {len(ids)} selected articles are not "
                                       f"in this batch (first: {missing[0]}); it was made for "
                                       "another build: select again")
    return ids
