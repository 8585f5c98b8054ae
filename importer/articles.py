"""The article stage: BATCH/pages.jsonl -> BATCH/articles.jsonl (+ leftovers.jsonl).

    build_articles(batch_dir, profile) -> summary dict

One volume at a time (memory holds one volume, never the batch): segment the
volume's lines into articles, redirects and leftovers; count how the words of
its headwords are written elsewhere in it; make titles (homonyms qualified,
forbidden characters repaired or rejected); render wikitext with the license
tag; write one JSON object per article in printed order.

articles.jsonl fields: id (stable across runs of the same input), title, kind
("article" | "redirect"), target (redirects), headword, text (printed text,
headword first, paragraphs separated by "\\n"), wikitext, summary, source
{volume, pages}, confidence, issues [{kind, message, severity}], spans
[[page, sequence, first line, last line], ...] (lines of pages.jsonl, for scan
crops), publishable (false when an issue has severity "error": do not upload).

leftovers.jsonl: lines that belong to no article (text before a volume's first
headword, leaked running heads, page numbers): volume, pages, spans, reason, text.

Run alone:  python -m importer.articles BATCH --profile kk-encyclopedia
"""
from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Iterable, Iterator

import regex

from . import license as lic
from .errors import BatchError, ImporterError
from .model import PageRecord
from .profile import Profile, load_profile
from .render import Renderer
from .segment import Segment, Segmenter, iter_volumes
from .titles import FORBIDDEN, Speller, TitleMaker, Vocabulary, is_all_caps


def iter_pages(path: Path, progress: bool = False) -> Iterator[PageRecord]:
    if not path.is_file():
        raise BatchError(f"{path}: no such file (run the page stage first: importer build)")
    bar = None
    if progress:
        try:
            from tqdm import tqdm
            with path.open("rb") as fh:
                total = sum(1 for _ in fh)
            bar = tqdm(total=total, unit="page", desc="articles", file=sys.stderr, leave=False)
        except ImportError:  # pragma: no cover - tqdm is a dependency
            bar = None
    try:
        with path.open(encoding="utf-8") as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    record = PageRecord.from_json(json.loads(line))
                except (ValueError, TypeError) as exc:
                    raise BatchError(f"{path}, line {number}: not a page record ({exc})") from None
                yield record
                if bar is not None:
                    bar.update(1)
    finally:
        if bar is not None:
            bar.close()


class ArticleBuilder:
    """Turns the segments of one volume after another into article records."""

    def __init__(self, profile: Profile):
        lic.require_license(profile)
        self.profile = profile
        self.segmenter = Segmenter(profile)
        self.titles = TitleMaker(profile)
        self.taken: Counter = Counter()     # titles used so far in the batch
        self.counts: Counter = Counter()
        self.issues: Counter = Counter()
        self.repairs: Counter = Counter()

    # -- one volume ------------------------------------------------------------
    def volume(self, volume: int, lines) -> tuple[list[dict], list[dict]]:
        segments = self.segmenter.segment(volume, lines)
        entries = [s for s in segments if s.kind != "leftover"]
        self._respell(segments, entries)
        vocab = Vocabulary(s.head.caps for s in entries)
        for segment in segments:
            if segment.kind == "leftover" and segment.reason != "before-first-headword":
                continue            # running heads are capitals: they say nothing of case
            text = segment.text
            if segment.head is not None:
                text = text[len(segment.head.headword):]
            vocab.add_text(text)

        def title_for(printed: str) -> str | None:
            words = printed.split()
            if words and all(is_all_caps(w) or len(w) == 1 for w in words):
                title = " ".join(self.titles.case_words(words, vocab))
            else:
                title = printed[:1].upper() + printed[1:]
            if not title or any(c in FORBIDDEN for c in title):
                return None
            return title

        renderer = Renderer(self.profile, title_for)
        titles = self._titles(entries, vocab)
        occurrences: Counter = Counter()
        records = []
        for segment, title, display in zip(entries, *zip(*titles) if titles else ([], [])):
            key = segment.head.headword.upper()
            occurrences[key] += 1
            records.append(self._record(segment, title, display, renderer, title_for,
                                        occurrences[key]))
        leftovers = [self._leftover(s) for s in segments if s.kind == "leftover"]
        return records, leftovers

    def _respell(self, segments: list[Segment], entries: list[Segment]) -> None:
        """Headword words OCR damaged take the volume's spelling ("Құнанбайүлік"
        -> "Құнанбайұлы", "ЭУЛИЕ-АТА" -> "ӘУЛИЕ-АТА"), with an issue for review."""
        speller = Speller(self.profile)
        for segment in segments:
            if segment.kind == "leftover" and segment.reason == "page-number":
                continue
            text = segment.text
            if segment.head is not None:
                text = text[len(segment.head.headword):]
            # A running head repeats a headword as printed: good spelling evidence.
            speller.add_text(text, 2 if segment.reason == "running-head" else 1)
            for line in segment.lines:
                for dropped in line.dropped:
                    speller.add_text(dropped, 2)
        keys = [self.segmenter.sort_key(s.head)[0] for s in entries]
        for number, segment in enumerate(entries):
            head = segment.head
            changed = []
            caps = [speller.respell(word) or word for word in head.caps]
            if caps != head.caps:
                # Alphabetical order is evidence too: a respelling that puts the
                # headword out of order among its neighbours ("АҚТӨБЕ" -> the
                # "АКТӨБЕ" OCR wrote in the text) is not taken.
                key = self.segmenter.sort_key(dataclasses.replace(head, caps=caps))[0]
                before = keys[number - 1] if number else None
                after = keys[number + 1] if number + 1 < len(keys) else None
                if (before is None or before <= key) and (after is None or key <= after):
                    changed += [(w, f) for w, f in zip(head.caps, caps) if w != f]
                    head.caps[:] = caps
            for index, (kind, word) in enumerate(head.parts):
                fixed = speller.respell(word) if kind == "name" else None
                if fixed:
                    changed.append((word, fixed))
                    head.parts[index] = (kind, fixed)
            if not changed:
                continue
            printed = head.headword
            for word, fixed in changed:
                head.headword = regex.sub(r"(?<![\p{L}\p{M}])" + regex.escape(word)
                                          + r"(?![\p{L}\p{M}])", fixed, head.headword, count=1)
            self.repairs["headword-spelling"] += 1
            segment.add_issue("title-guessed",
                              f"headword {printed!r} read as {head.headword!r} "
                              f"({', '.join(f'{w} -> {f}' for w, f in changed)}: "
                              f"how the volume spells it elsewhere)")

    def _titles(self, entries: list[Segment], vocab: Vocabulary) -> list[tuple[str | None, str]]:
        made = []
        for segment in entries:
            title, display = self.titles.make(segment.head.caps, segment.head.parts, vocab)
            repaired, problem = self.titles.repair(title)
            if problem:
                segment.add_issue("bad-title" if repaired is None else "title-repaired", problem,
                                  "error" if repaired is None else "warning")
                if repaired is not None:
                    self.repairs["title"] += 1
            made.append([repaired, display])
        # Homonyms of this volume: every member gets a qualifier.
        groups: dict[str, list[int]] = {}
        for index, (title, _) in enumerate(made):
            if title is not None:
                groups.setdefault(title, []).append(index)
        for title, members in groups.items():
            if len(members) < 2 and not self.taken[title]:
                continue
            definitions = [_definition(entries[i]) for i in members]
            qualifiers = self.titles.qualifiers(definitions)
            for i, qualifier in zip(members, qualifiers):
                new = self.titles.qualified(title, qualifier)
                number = 2
                while self.taken[new]:
                    new = self.titles.qualified(title, f"{qualifier}, {number}"
                                                if not qualifier.isdigit() else str(number))
                    number += 1
                entries[i].add_issue("homonym", f"{title!r} is used by more than one article;"
                                                f" this one is {new!r}")
                made[i][0] = new
                self.taken[new] += 1
        for title, _ in made:
            if title is not None and title in groups and len(groups[title]) == 1:
                self.taken[title] += 1
        return [tuple(m) for m in made]

    def _record(self, segment: Segment, title: str | None, display: str,
                renderer: Renderer, title_for, occurrence: int) -> dict:
        pages = segment.pages
        volume = segment.volume
        paragraphs = segment.paragraphs()
        target = None
        if segment.kind == "redirect":
            target = title_for(segment.target)
            if target is None:
                segment.add_issue("bad-title", f"redirect target {segment.target!r} is not a title",
                                  "error")
        wikitext = None
        if title is not None and (segment.kind == "article" or target is not None):
            if segment.kind == "redirect":
                rendered = renderer.redirect(title=title, target=target, volume=volume,
                                             pages=pages)
            else:
                rendered = renderer.article(title=title, display=display,
                                            headword=segment.head.headword,
                                            paragraphs=paragraphs, volume=volume, pages=pages)
            wikitext = rendered.wikitext
            segment.issues.extend(rendered.issues)
            if rendered.expansions:
                self.repairs["abbreviation"] += rendered.expansions
        issues = segment.issues
        publishable = wikitext is not None and not any(i["severity"] == "error" for i in issues)
        confidence = _confidence(segment, publishable)
        for issue in issues:
            self.issues[issue["kind"]] += 1
        self.counts[segment.kind + "s"] += 1
        if not publishable:
            self.counts["unpublishable"] += 1
        digest = hashlib.sha1(f"{volume}\x1f{segment.head.headword.upper()}\x1f{occurrence}"
                              .encode("utf-8")).hexdigest()[:10]
        return {
            "id": f"{volume}-{digest}",
            "title": title,
            "kind": segment.kind,
            "target": target,
            "headword": segment.head.headword,
            "text": "\n".join(paragraphs),
            "wikitext": wikitext,
            "summary": lic.summary(self.profile, segment.kind, volume, pages, title or ""),
            "source": {"volume": volume, "pages": pages},
            "confidence": confidence,
            "issues": issues,
            "spans": segment.spans,
            "publishable": publishable,
        }

    def _leftover(self, segment: Segment) -> dict:
        self.counts["leftovers"] += 1
        self.counts["leftover_lines"] += sum(1 for line in segment.lines if line.text.strip())
        return {"volume": segment.volume, "pages": segment.pages, "spans": segment.spans,
                "reason": segment.reason, "text": segment.text}

    def summary(self) -> dict:
        return {
            "profile": self.profile.name,
            "license": self.profile.license_label,
            "articles": self.counts["articles"],
            "redirects": self.counts["redirects"],
            "leftovers": self.counts["leftovers"],
            "leftover_lines": self.counts["leftover_lines"],
            "unpublishable": self.counts["unpublishable"],
            "issues": dict(sorted(self.issues.items())),
            "repairs": dict(sorted(self.repairs.items())),
        }


def _definition(segment: Segment) -> str:
    first = segment.paragraphs()[0]
    return first.split(" — ", 1)[1] if " — " in first else ""


def _confidence(segment: Segment, publishable: bool) -> float:
    if not publishable:
        return 0.0
    known = [line.confidence for line in segment.lines if line.confidence is not None]
    value = sum(known) / len(known) if known else 1.0
    if not segment.strong:
        value *= 0.9
    kinds = {i["kind"] for i in segment.issues}
    if "out-of-order" in kinds:
        value *= 0.7
    if "title-repaired" in kinds:
        value *= 0.8
    return round(value, 3)


def build_articles(batch_dir: Path, profile: Profile, progress: bool = True) -> dict:
    """pages.jsonl -> articles.jsonl and leftovers.jsonl; returns the counts for report.json.

    Raises ProfileError (before writing anything) when the profile has no usable
    license, BatchError when pages.jsonl is missing or corrupt.
    """
    batch_dir = Path(batch_dir)
    builder = ArticleBuilder(profile)
    pages_path = batch_dir / "pages.jsonl"
    if not pages_path.is_file():
        raise BatchError(f"{pages_path}: no such file (run the page stage first: importer build)")
    out_path, left_path = batch_dir / "articles.jsonl", batch_dir / "leftovers.jsonl"
    tmp_out, tmp_left = out_path.with_suffix(".jsonl.tmp"), left_path.with_suffix(".jsonl.tmp")
    try:
        with tmp_out.open("w", encoding="utf-8") as out, tmp_left.open("w", encoding="utf-8") as left:
            for volume, lines in iter_volumes(iter_pages(pages_path, progress)):
                records, leftovers = builder.volume(volume, lines)
                # Let go of this volume before the next one is read: the loop
                # variables would keep its lines and records alive until then.
                del lines
                for record in records:
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
                for record in leftovers:
                    left.write(json.dumps(record, ensure_ascii=False) + "\n")
                del records, leftovers
        os.replace(tmp_out, out_path)
        os.replace(tmp_left, left_path)
    except OSError as exc:
        raise BatchError(f"{batch_dir}: cannot write articles ({exc})") from None
    finally:
        for tmp in (tmp_out, tmp_left):
            if tmp.exists():
                tmp.unlink()
    return builder.summary()


def articles_from_pages(pages: Iterable[PageRecord], profile: Profile) -> tuple[list, list, dict]:
    """In memory (tests, golden files): (articles, leftovers, summary)."""
    builder = ArticleBuilder(profile)
    articles, leftovers = [], []
    for volume, lines in iter_volumes(pages):
        records, lefts = builder.volume(volume, lines)
        articles += records
        leftovers += lefts
    return articles, leftovers, builder.summary()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m importer.articles", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("batch", type=Path)
    parser.add_argument("--profile", required=True)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    try:
        summary = build_articles(args.batch, load_profile(args.profile), not args.quiet)
        report_path = args.batch / "report.json"
        report = json.loads(report_path.read_text(encoding="utf-8")) if report_path.is_file() else {}
        report.update({k: v for k, v in summary.items() if k not in ("repairs",)})
        report.setdefault("repairs", {}).update(summary["repairs"])
        report_path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n",
                               encoding="utf-8")
    except ImporterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    print(f"wrote {args.batch / 'articles.jsonl'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
