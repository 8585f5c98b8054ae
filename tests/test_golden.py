"""Golden files: page-stream snippets and the articles and wikitext they must give.

The format is described in tests/golden/README.md.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from importer.articles import articles_from_pages
from importer.model import PageRecord
from importer.profile import load_profile

GOLDEN = Path(__file__).parent / "golden"


@dataclass
class Case:
    name: str
    file: str
    label: str = ""
    profile: str = "kk-encyclopedia"
    pages: list[PageRecord] = field(default_factory=list)
    articles: list[tuple] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    wikitexts: dict[str, str] = field(default_factory=dict)
    issues: dict[str, list[str]] = field(default_factory=dict)
    leftovers: list[tuple] | None = None


def _pages(lines: list[str]) -> list[PageRecord]:
    pages, current, meta = [], None, None
    for line in lines + ["@end"]:
        if line.startswith("@page") or line == "@end":
            if current is not None:
                while current and not current[-1].strip():
                    current.pop()
                pages.append(PageRecord(volume=meta.get("volume", 1), page=meta["page"],
                                        source=f"golden/{meta['page']}",
                                        text="\n".join(current), confidence=0.9))
            if line == "@end":
                break
            words = line.split()[1:]
            meta = {"page": int(words[0])}
            for word in words[1:]:
                key, _, value = word.partition("=")
                meta[key] = int(value)
            current = []
        elif current is None:
            if line.strip():
                raise ValueError(f"text before the first @page: {line!r}")
        else:
            current.append(line)
    return pages


def load_cases(path: Path) -> list[Case]:
    cases: list[Case] = []
    case = section = None
    body: list[str] = []

    def close():
        if case is None or section is None:
            return
        while body and not body[-1].strip():
            body.pop()
        kind, _, arg = section.partition(" ")
        if kind == "pages":
            case.pages = _pages(body)
        elif kind == "articles":
            for line in body:
                what, _, rest = line.partition(": ")
                title, _, target = rest.partition(" -> ")
                case.articles.append((what.strip(), title.strip(), target.strip() or None))
        elif kind == "text":
            case.texts[arg] = "\n".join(body)
        elif kind == "wikitext":
            case.wikitexts[arg] = "\n".join(body)
        elif kind == "issues":
            case.issues[arg] = [line.strip() for line in body if line.strip()]
        elif kind == "leftovers":
            case.leftovers = [tuple(p.strip() for p in line.split(": ", 1)) for line in body]
        else:
            raise ValueError(f"{path.name}: unknown section {section!r}")

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("=== "):
            close()
            case, section, body = Case(name=line[4:].strip(), file=path.name), None, []
            cases.append(case)
        elif case is None:
            continue
        elif line.startswith("--- "):
            close()
            section, body = line[4:].strip(), []
        elif section is None:
            key, _, value = line.partition(":")
            if key.strip() == "label":
                case.label = value.strip()
            elif key.strip() == "profile":
                case.profile = value.strip()
            elif line.strip():
                raise ValueError(f"{path.name}: unexpected line {line!r}")
        else:
            body.append(line)
    close()
    return cases


CASES = [case for path in sorted(GOLDEN.glob("*.txt")) for case in load_cases(path)]


def run_case(case: Case):
    return articles_from_pages(case.pages, load_profile(case.profile))


def test_golden_files_exist():
    names = {case.file for case in CASES}
    for needed in ("wrapped-headword.txt", "page-break.txt", "homonyms.txt", "redirect.txt",
                   "cross-reference.txt", "markup.txt", "abbreviation.txt"):
        assert needed in names
    assert all(case.pages and case.articles for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=[f"{c.file}:{c.name}" for c in CASES])
def test_golden(case: Case):
    articles, leftovers, _ = run_case(case)
    got = [(a["kind"], a["title"], a["target"]) for a in articles]
    assert got == case.articles, case.label
    by_title = {a["title"]: a for a in articles}
    for title, text in case.texts.items():
        assert by_title[title]["text"] == text
    for title, wikitext in case.wikitexts.items():
        assert by_title[title]["wikitext"].rstrip("\n") == wikitext
    for title, kinds in case.issues.items():
        assert sorted(i["kind"] for i in by_title[title]["issues"]) == sorted(kinds)
    if case.leftovers is not None:
        assert [(l["reason"], l["text"]) for l in leftovers] == case.leftovers
    # Nothing is lost: every printed line is in exactly one article or leftover.
    seen = []
    for record in articles + leftovers:
        for page, _seq, first, last in record["spans"]:
            seen += [(page, i) for i in range(first, last + 1)]
    printed = [(p.page, i) for p in case.pages for i in range(len(p.text.split("\n")))]
    assert sorted(seen) == sorted(printed)
