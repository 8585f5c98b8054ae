"""`importer build`: runs the stages in order. The only module that knows the order.

sources -> pages.jsonl (pages.py) -> articles.jsonl (articles.py) -> report.json
"""
from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from .batch import attach_log, detach_log, open_batch
from .errors import ImporterError, PartialFailure
from .pages import PageStats, build_pages
from .profile import load_profile

log = logging.getLogger("importer")


@dataclass
class BuildResult:
    batch: Path
    pages: PageStats
    articles: dict | None = None
    seconds: float = 0.0
    report: dict = field(default_factory=dict)

    def exit_code(self) -> int:
        return PartialFailure.exit_code if self.pages.failed else 0


def build(sources: list[str], profile_name: str, out: str, default_volume: int = 1,
          workers: int | None = None, progress: bool = True, pages_only: bool = False) -> BuildResult:
    profile = load_profile(profile_name)
    batch = open_batch(out)
    handler = attach_log(batch)
    started = time.monotonic()
    try:
        log.info("build %s with profile %s into %s", sources, profile.name, batch)
        stats = build_pages(sources, profile, batch, default_volume, workers, progress)
        if stats.pages == 0:
            if stats.failed:
                problems = "; ".join(str(e) for e in stats.failed[:3])
                more = f" and {len(stats.failed) - 3} more" if len(stats.failed) > 3 else ""
                raise PartialFailure(f"no pages read: {problems}{more}")
            raise ImporterError(f"no pages found in {', '.join(sources)}")
        result = BuildResult(batch=batch, pages=stats)
        if not pages_only:
            from .articles import build_articles
            result.articles = build_articles(batch, profile, progress=progress)
        result.seconds = time.monotonic() - started
        result.report = _write_report(batch, profile, result)
        return result
    finally:
        detach_log(handler)


def _write_report(batch: Path, profile, result: BuildResult) -> dict:
    report_path = batch / "report.json"
    report = {
        "profile": {"name": profile.name, "path": str(profile.path), "title": profile.title},
        "pages": result.pages.to_json(),
        "seconds": round(result.seconds, 2),
    }
    if result.articles is not None:
        report["articles"] = result.articles
    tmp = report_path.with_suffix(".json.partial")
    tmp.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(report_path)
    return report


def format_summary(result: BuildResult) -> str:
    stats = result.pages
    parts = [f"Read {stats.pages} pages from {stats.files} files in {result.seconds:.1f} s"]
    if stats.ocr_pages:
        parts.append(f"OCR: {stats.ocr_pages} pages ({stats.ocr_cached} from the cache)")
    dropped = ", ".join(f"{n} {kind}" for kind, n in sorted(stats.dropped.items())) or "none"
    parts.append(f"dropped lines: {dropped}")
    parts.append(f"hyphenated words joined: {stats.hyphens_joined}, own hyphens kept: "
                 f"{stats.hyphens_kept}")
    repairs = stats.to_json()["repairs"]
    parts.append("repairs: " + (", ".join(f"{n} {kind}" for kind, n in repairs.items()) or "none"))
    confidence = stats.to_json()["confidence"]
    if confidence is not None:
        parts.append(f"mean word confidence: {confidence:.2f}")
    parts.append(f"wrote {result.batch / 'pages.jsonl'}")
    if result.articles is not None:
        counts = result.articles.get("counts", result.articles)
        parts.append("articles: " + ", ".join(f"{k} {v}" for k, v in counts.items()
                                              if isinstance(v, int)))
        parts.append(f"wrote {result.batch / 'articles.jsonl'}")
    if stats.failed:
        parts.append(f"FAILED {len(stats.failed)} input(s); the others were processed:")
        parts.extend(f"  {error}" for error in stats.failed)
    parts.append(f"log: {result.batch / 'importer.log'}")
    return "\n".join(parts)
