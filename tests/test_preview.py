"""importer/preview.py without a browser: files, escaping, rendering, crops, the wiki path
(with a fake wiki object), the command line. `make_batch` is shared with
test_preview_browser.py."""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import pytest

from importer import preview as pv
from importer import preview_crops as pc
from importer import preview_render as pr
from importer import selection as sel
from importer.errors import BatchError, ImporterError, UsageError

XSS_SCRIPT = "<script>document.body.setAttribute('data-pwned','script')</script>"
XSS_IMG = "<img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">"
LICENSE = "{{ҚҰЭ|том=1|бет=17|лицензия=CC BY-SA 3.0|ескерту=OCR, уикилендіру}}"
SUMMARY = "«Қазақстан» ұлттық энциклопедиясы, 1-том, 17 б. (CC BY-SA 3.0) мәтінінен бейімделді"

PAGE_LINES = {
    17: ["АБАЙ (Ибраһим) Құнанбайұлы (1845—1904) —",
         "ақын, ағартушы, ойшыл, композитор, қазақ",
         "жазба әдебиетінің негізін салушы. «Қара",
         "сөздер» авторы (қ. Абай жолы).",
         "АБАЙ ЖОЛЫ — М. Әуезовтің роман-эпопеясы.",
         "Төрт кітаптан тұрады. Абайдың өмірі мен",
         "заманы суреттеледі. 1959 ж. Лениндік"],
    18: ["сыйлық берілді.",
         "АҚМОЛА — қ. Астана.",
         "АСТАНА — Қазақстан Республикасының",
         "астанасы. 1997 жылдан бері астана.",
         "ЗИЯНДЫ МӘТІН — " + XSS_SCRIPT,
         XSS_IMG,
         "ҚАТЕ"],
}


def _boxes(lines: list[str]) -> list[list[int]]:
    return [[100, 120 + 60 * i, 100 + 18 * len(t), 160 + 60 * i] for i, t in enumerate(lines)]


def _article(aid, title, kind, text, wikitext, pages, spans, issues=(), **extra) -> dict:
    record = {
        "id": aid, "title": title, "kind": kind, "target": extra.pop("target", None),
        "headword": extra.pop("headword", (title or "").upper()), "text": text,
        "wikitext": wikitext, "summary": SUMMARY, "source": {"volume": 1, "pages": pages},
        "confidence": 0.92, "issues": list(issues), "publishable": wikitext is not None,
    }
    if spans is not None:
        record["spans"] = spans
    record.update(extra)
    return record


def sample_articles() -> list[dict]:
    abai = ("'''Абай (Ибраһим) Құнанбайұлы''' (1845—1904) — ақын, ағартушы, ойшыл, композитор, "
            "қазақ жазба әдебиетінің негізін салушы. ''Қара сөздер'' авторы "
            "(қ. [[Абай жолы]]).\n\n== Дереккөздер ==\n" + LICENSE)
    return [
        _article("1-abai", "Абай Құнанбайұлы", "article",
                 " ".join(PAGE_LINES[17][:4]), abai, [17], [[17, 0, 0, 3]],
                 headword="АБАЙ (Ибраһим) Құнанбайұлы"),
        _article("1-jol", "Абай жолы", "article", " ".join(PAGE_LINES[17][4:]) + " сыйлық берілді.",
                 "'''Абай жолы''' — [[Мұхтар Әуезов|М. Әуезовтің]] роман-эпопеясы.\n\n"
                 "== Дереккөздер ==\n" + LICENSE, [17, 18], [[17, 0, 4, 6], [18, 1, 0, 0]],
                 [{"kind": "abbreviation-left", "message": "ж. left as printed",
                   "severity": "warning"}]),
        _article("1-akmola", "Ақмола", "redirect", "АҚМОЛА — қ. Астана.", "#REDIRECT [[Астана]]",
                 [18], [[18, 1, 1, 1]], target="Астана"),
        # No spans: the preview finds the lines by their text.
        _article("1-astana", "Астана", "article", " ".join(PAGE_LINES[18][2:4]),
                 "'''Астана''' — Қазақстан Республикасының астанасы.\n\n== Дереккөздер ==\n"
                 + LICENSE, [18], None, headword="АСТАНА"),
        _article("1-xss", "Зиянды мәтін", "article", f"ЗИЯНДЫ МӘТІН — {XSS_SCRIPT}\n{XSS_IMG}",
                 f"'''Зиянды мәтін''' — {XSS_SCRIPT} {XSS_IMG} &lt;b&gt;escaped&lt;/b&gt;\n\n"
                 "== Дереккөздер ==\n" + LICENSE, [18], [[18, 1, 4, 5]],
                 [{"kind": "odd-text", "message": f"strange: {XSS_IMG}", "severity": "warning"}],
                 summary=f"{SUMMARY} {XSS_SCRIPT}"),
        _article("1-bad", None, "article", "ҚАТЕ", None, [18], [[18, 1, 6, 6]],
                 [{"kind": "bad-title", "message": "no title", "severity": "error"}],
                 headword="ҚАТЕ", confidence=0.0),
    ]


def make_batch(folder: Path, articles: list[dict] | None = None, images: bool = True,
               work: str = "«Қазақстан» ұлттық энциклопедиясы") -> Path:
    """A small batch as `importer build` writes it, with page images drawn by Pillow."""
    folder.mkdir(parents=True, exist_ok=True)
    pages = []
    for seq, (number, lines) in enumerate(PAGE_LINES.items()):
        image = None
        if images:
            from PIL import Image, ImageDraw
            image = folder / "scans" / f"page-{number:03d}.png"
            image.parent.mkdir(exist_ok=True)
            im = Image.new("L", (1000, 1400), 255)
            draw = ImageDraw.Draw(im)
            for box in _boxes(lines):
                draw.rectangle(box, fill=60)
            im.save(image)
            image = str(image)
        pages.append({"volume": 1, "page": number, "source": f"page-{number:03d}.hocr",
                      "text": "\n".join(lines), "dropped": [], "confidence": 0.92,
                      "repairs": {}, "image": image, "width": 1000, "height": 1400,
                      "sequence": 0, "boxes": _boxes(lines)})
    (folder / "pages.jsonl").write_text(
        "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pages), encoding="utf-8")
    articles = sample_articles() if articles is None else articles
    (folder / "articles.jsonl").write_text(
        "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles), encoding="utf-8")
    (folder / "report.json").write_text(json.dumps({
        "profile": {"name": "kk-encyclopedia", "title": work},
        "articles": {"license": "CC BY-SA 3.0"}}, ensure_ascii=False), encoding="utf-8")
    return folder


def read_data(path: Path):
    """The JSON inside a data file written by js_data."""
    text = path.read_text(encoding="utf-8")
    m = re.fullmatch(r'previewData\("(\w+)",(\d+),(.*)\);\n', text, re.S)
    assert m, text[:200]
    return json.loads(m.group(3))


def all_details(out: Path) -> dict:
    details = {}
    for f in sorted((out / "data").glob("articles-*.js")):
        details.update({d["id"]: d for d in read_data(f)})
    return details


def all_rows(out: Path) -> list:
    return [r for f in sorted((out / "data").glob("rows-*.js")) for r in read_data(f)]


class FakeWiki:
    """The two methods importer/wiki.py will offer, answering from dicts."""

    cache_key = "fake:kk"

    def __init__(self, pages: dict[str, str]):
        self.pages = pages
        self.parsed: list[str] = []
        self.asked: list[list[str]] = []

    def parse(self, title: str, wikitext: str) -> str:
        self.parsed.append(title)
        return f"<div class=\"mw-parser-output\"><p><b>{title}</b> rendered</p>{XSS_IMG}</div>"

    def existing(self, titles):
        self.asked.append(list(titles))
        out = {}
        for t in titles:
            text = self.pages.get(t)
            out[t] = {"exists": text is not None,
                      "redirect": bool(text and text.startswith("#REDIRECT")), "text": text}
        return out


@pytest.fixture
def batch(tmp_path) -> Path:
    return make_batch(tmp_path / "batch")


# -- files ------------------------------------------------------------------------------

def test_every_article_has_a_wikitext_file_and_the_index_maps_it(batch):
    result = pv.preview(batch)
    out = batch / "preview"
    assert result.index == out / "index.html" and result.index.is_file()
    rows = (out / "wikitext" / "index.tsv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "file\tid\tkind\ttitle"
    index = {line.split("\t")[1]: line.split("\t") for line in rows[1:]}
    listed = json.loads((out / "wikitext" / "index.json").read_text(encoding="utf-8"))
    for article in sample_articles():
        file, _, kind, title = index[article["id"]]
        assert kind == article["kind"] and title == (article["title"] or "")
        if article["wikitext"] is None:
            assert file == ""                       # not publishable: no file
            continue
        assert re.fullmatch(r"[a-z0-9-]+-[0-9a-f]{10}\.wiki", file)
        assert (out / "wikitext" / file).read_text(encoding="utf-8") == article["wikitext"] + "\n"
    assert {e["id"] for e in listed} == {a["id"] for a in sample_articles()}
    assert len(list((out / "wikitext").glob("*.wiki"))) == 5


def test_a_second_run_removes_files_of_articles_that_are_gone(batch):
    pv.preview(batch)
    make_batch(batch, sample_articles()[:2])
    pv.preview(batch)
    assert len(list((batch / "preview" / "wikitext").glob("*.wiki"))) == 2
    assert len(all_rows(batch / "preview")) == 2


@pytest.mark.parametrize("title, expected", [
    ("Абай Құнанбайұлы", "abay-qunanbayuly"),
    ("Әл-Фараби", "al-farabi"),
    ('CON', "con"),
    ('a<b>:c"d/e\\f|g?h*i.', "a-b-c-d-e-f-g-h-i"),
    ("", "untitled"),
    ("...", "untitled"),
    ("Zürich Café", "zurich-cafe"),
    ("Ἀθῆναι", "untitled"),          # no ASCII at all: the hash of the id tells them apart
])
def test_file_names_are_ascii_and_safe_on_windows(title, expected):
    assert pv.slug(title) == expected


def test_file_names_are_unique_and_short():
    articles = [{"id": f"1-{i}", "title": "Ақсу"} for i in range(300)]
    articles.append({"id": "x", "title": "ж" * 500})
    names = pv.file_names(articles)
    assert len(set(names.values())) == len(articles)
    assert max(len(n) for n in names.values()) <= 60 + 1 + 10 + 5
    assert len({n.lower() for n in names.values()}) == len(articles)


def test_data_files_cannot_end_a_script_and_hold_the_exact_text():
    data = [{"text": f"</script>{XSS_SCRIPT}<!-- & \u2028"}]
    text = pv.js_data("articles", 3, data)
    assert "<" not in text and ">" not in text and "\u2028" not in text
    m = re.fullmatch(r'previewData\("articles",3,(.*)\);\n', text, re.S)
    assert json.loads(m.group(1)) == data


def test_index_html_escapes_what_came_from_the_batch_and_has_no_inline_script(tmp_path):
    batch = make_batch(tmp_path / "b", work=f"Том {XSS_SCRIPT}")
    pv.preview(batch)
    page = (batch / "preview" / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;document.body" in page
    assert "<script>document" not in page
    assert all(re.fullmatch(r'<script src="[^"]+"></script>', tag)
               for tag in re.findall(r"<script[^>]*>.*?</script>", page, re.S))
    assert re.search(r"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                     r"script-src 'self'", page)
    assert "onerror" not in page
    script = (batch / "preview" / "preview.js").read_text(encoding="utf-8")
    for sink in (".innerHTML", ".outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script


def test_summary_counts(batch):
    result = pv.preview(batch)
    meta = read_data(batch / "preview" / "data" / "meta.js")
    s = meta["summary"]
    assert (s["kinds"], s["unpublishable"], s["license"]) == (
        {"article": 5, "redirect": 1}, 1, "CC BY-SA 3.0")
    assert s["issues"] == {"abbreviation-left": 1, "bad-title": 1, "odd-text": 1}
    assert s["pages"] == {"1": "17–18"} and s["page_count"] == 2
    assert s["statuses"] == {"unchecked": 6} and not s["checked"]
    assert meta["count"] == 6 and result.counts == {"article": 5, "redirect": 1}
    page = result.index.read_text(encoding="utf-8")
    for text in ("Articles", "CC BY-SA 3.0", "2 (volume 1: 17–18)", "abbreviation-left: 1"):
        assert text in page


def test_rows_and_details(batch):
    pv.preview(batch)
    out = batch / "preview"
    rows = all_rows(out)
    assert [r[0] for r in rows] == [a["id"] for a in sample_articles()]
    assert rows[1] == ["1-jol", "Абай жолы", "article", "17–18", 1, 0.92, ["abbreviation-left"],
                       "unchecked", 1, 2]
    assert rows[5][1] == "ҚАТЕ" and rows[5][8] == 0      # no title: the headword, unpublishable
    details = all_details(out)
    abai = details["1-abai"]
    assert abai["wikitext"].startswith("'''Абай") and abai["summary"] == SUMMARY
    assert abai["license"] == [LICENSE]
    assert details["1-akmola"]["target_id"] == "1-astana"
    assert details["1-xss"]["text"] == f"ЗИЯНДЫ МӘТІН — {XSS_SCRIPT}\n{XSS_IMG}"


def test_details_are_split_into_chunks(batch, monkeypatch):
    monkeypatch.setattr(pv, "DETAILS_PER_CHUNK", 4)
    monkeypatch.setattr(pv, "ROWS_PER_CHUNK", 5)
    pv.preview(batch)
    out = batch / "preview"
    assert sorted(p.name for p in (out / "data").glob("*.js")) == [
        "articles-0001.js", "articles-0002.js", "meta.js", "rows-0001.js", "rows-0002.js"]
    meta = read_data(out / "data" / "meta.js")
    assert meta["details_per_chunk"] == 4 and meta["rows"] == ["data/rows-0001.js",
                                                              "data/rows-0002.js"]
    assert [len(read_data(out / "data" / f"articles-000{n}.js")) for n in (1, 2)] == [4, 2]


# -- the built-in rendering ---------------------------------------------------------------

def _text(inl) -> str:
    return "".join(x if isinstance(x, str) else _text(x[-1]) if x[0] != "code" else x[1]
                   for x in inl)


def test_rendering_paragraphs_bold_italic_links_headings_and_the_license_box():
    wikitext = ("'''Абай''' — ''ақын'', [[Абай жолы]] және [[Мұхтар Әуезов|Әуезов]].\n"
                "Екінші жол.\n\nЕкінші абзац &#91;1&#93; &lt;b&gt;\n\n== Дереккөздер ==\n" + LICENSE)
    blocks = pr.render_tree(wikitext)
    assert [b[0] for b in blocks] == ["p", "p", "h", "box"]
    first = blocks[0][1]
    assert first[0] == ["b", ["Абай"]]
    assert ["i", ["ақын"]] in first
    assert ["a", "Абай жолы", ["Абай жолы"]] in first
    assert ["a", "Мұхтар Әуезов", ["Әуезов"]] in first
    assert _text(first).endswith("Әуезов. Екінші жол.")       # one line break is a space
    assert _text(blocks[1][1]) == "Екінші абзац [1] <b>"
    assert blocks[2] == ["h", 2, ["Дереккөздер"]]
    assert blocks[3] == ["box", "ҚҰЭ", [["том", "1"], ["бет", "17"], ["лицензия", "CC BY-SA 3.0"],
                                        ["ескерту", "OCR, уикилендіру"]]]
    assert pr.license_blocks(wikitext) == [LICENSE]


def test_rendering_shows_markup_it_does_not_know_as_code_never_as_html():
    blocks = pr.render_tree(f"Мәтін {XSS_SCRIPT} {XSS_IMG} {{{{Басқа}}}} соңы")
    kinds = [x[0] for x in blocks[0][1] if not isinstance(x, str)]
    assert kinds == ["code", "code", "code"]
    assert XSS_SCRIPT in [x[1] for x in blocks[0][1] if not isinstance(x, str)]


def test_rendering_a_redirect_and_nothing():
    assert pr.render_tree("#REDIRECT [[Астана]]") == [["redirect", "Астана"]]
    assert pr.render_tree("#АЙДАУ [[Астана#Тарихы]]") == [["redirect", "Астана"]]
    assert pr.render_tree(None) == [] and pr.license_blocks(None) == []


# -- scan crops -------------------------------------------------------------------------

def test_crops_are_cut_from_the_page_images(batch):
    from PIL import Image
    result = pv.preview(batch)
    details = all_details(batch / "preview")
    abai = details["1-abai"]
    assert len(abai["crops"]) == 1 and abai["crop_note"] is None
    crop = abai["crops"][0]
    assert crop["page"] == 17 and crop["src"].startswith("crops/")
    with Image.open(batch / "preview" / crop["src"]) as im:
        # lines 0-3: x 100..100+18*longest, y 120..340, plus the margin
        longest = max(len(t) for t in PAGE_LINES[17][:4])
        assert im.size == (18 * longest + 2 * pc.CROP_MARGIN, 220 + 2 * pc.CROP_MARGIN)
        assert im.getpixel((50, pc.CROP_MARGIN + 20)) < 128      # the first "line"
        assert im.getpixel((50, pc.CROP_MARGIN + 50)) > 200      # the gap after it
    assert [c["page"] for c in details["1-jol"]["crops"]] == [17, 18]
    astana = details["1-astana"]                         # no spans: found by its text
    assert len(astana["crops"]) == 1 and "matching the text" in astana["crop_note"]
    assert result.crops == sum(len(d["crops"]) for d in details.values())
    assert len(list((batch / "preview" / "crops").iterdir())) == result.crops


def test_crop_files_are_reused_and_stale_ones_removed(batch):
    pv.preview(batch)
    crops = batch / "preview" / "crops"
    stale = crops / "stale.jpg"
    stale.write_bytes(b"x")
    before = {p.name: p.stat().st_mtime_ns for p in crops.iterdir() if p != stale}
    pv.preview(batch)
    after = {p.name: p.stat().st_mtime_ns for p in crops.iterdir()}
    assert after == before


def test_no_page_images_no_crops_and_a_note(tmp_path):
    batch = make_batch(tmp_path / "b", images=False)
    result = pv.preview(batch)
    assert result.crops == 0 and any("no page images" in n for n in result.notes)
    assert not (batch / "preview" / "crops").exists()


def test_missing_image_files_are_noted(batch):
    for p in (batch / "scans").iterdir():
        p.unlink()
    result = pv.preview(batch)
    assert result.crops == 0 and any("not found" in n for n in result.notes)


def test_without_pillow_the_preview_is_written_with_a_note(batch, monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)
    result = pv.preview(batch)
    assert result.crops == 0 and any("Pillow" in n for n in result.notes)
    assert result.index.is_file()


# -- the wiki path (a fake wiki) ------------------------------------------------------------

def test_status_diff_and_parse_with_a_wiki(batch):
    wiki = FakeWiki({"Абай Құнанбайұлы": "'''Абай''' — ақын.\n\n== Дереккөздер ==\n" + LICENSE,
                     "Астана": "#REDIRECT [[Нұр-Сұлтан]]"})
    result = pv.preview(batch, wiki=wiki)
    details = all_details(batch / "preview")
    status = {i: d["status"] for i, d in details.items()}
    assert status == {"1-abai": "exists", "1-jol": "new", "1-akmola": "new",
                      "1-astana": "exists-as-redirect", "1-xss": "new", "1-bad": "new"}
    assert result.checked and result.statuses == {"exists": 1, "exists-as-redirect": 1, "new": 4}
    live = details["1-abai"]["live"]
    assert live["text"].startswith("'''Абай''' — ақын.") and not live["same"]
    assert "-'''Абай''' — ақын." in live["diff"]
    assert any(line.startswith("+'''Абай (Ибраһим)") for line in live["diff"])
    assert details["1-jol"]["live"] is None
    assert "rendered" in details["1-abai"]["parsed"]
    assert wiki.asked == [["Абай Құнанбайұлы", "Абай жолы", "Ақмола", "Астана", "Зиянды мәтін"]]
    assert sorted(wiki.parsed) == sorted(a["title"] for a in sample_articles() if a["wikitext"])


def test_parse_results_are_cached_in_the_batch(batch):
    wiki = FakeWiki({})
    pv.preview(batch, wiki=wiki)
    assert len(wiki.parsed) == 5
    cached = list((batch / "preview" / "cache" / "parse").rglob("*.html"))
    assert len(cached) == 5
    again = FakeWiki({})
    pv.preview(batch, wiki=again)
    assert again.parsed == []                       # all from the cache
    articles = sample_articles()
    articles[0]["wikitext"] += "\nӨзгеріс."
    make_batch(batch, articles)
    third = FakeWiki({})
    pv.preview(batch, wiki=third)
    assert third.parsed == ["Абай Құнанбайұлы"]     # only what changed


def test_existence_is_asked_in_chunks(batch, monkeypatch):
    monkeypatch.setattr(pv, "EXISTING_CHUNK", 2)
    wiki = FakeWiki({})
    pv.preview(batch, wiki=wiki)
    assert [len(c) for c in wiki.asked] == [2, 2, 1]


def test_duplicate_titles_are_a_title_conflict(tmp_path):
    articles = sample_articles()[:2]
    articles[1]["title"] = articles[0]["title"]
    batch = make_batch(tmp_path / "b", articles)
    pv.preview(batch)
    assert [r[7] for r in all_rows(batch / "preview")] == ["title-conflict"] * 2
    assert "more than one article" in all_details(batch / "preview")["1-abai"]["conflict"]


def test_titles_the_wiki_refuses_or_finds_under_another_spelling_are_conflicts(batch):
    class Wiki(FakeWiki):
        def existing(self, titles):
            out = super().existing(titles)
            out["Абай жолы"] = {"exists": True, "redirect": False, "text": "x",
                                "title": "Abay joly"}
            out["Астана"] = {"exists": False, "invalid": True}
            return out
    pv.preview(batch, wiki=Wiki({}))
    details = all_details(batch / "preview")
    assert details["1-jol"]["status"] == details["1-astana"]["status"] == "title-conflict"
    assert "'Abay joly'" in details["1-jol"]["conflict"]
    assert "does not accept" in details["1-astana"]["conflict"]
    assert details["1-abai"]["status"] == "new" and details["1-abai"]["conflict"] is None


# -- selections ---------------------------------------------------------------------------

def test_preview_of_a_selection_shows_only_those_articles(batch):
    pv.preview(batch, ids=["1-jol", "1-xss"], selection_note="sample 2, seed 0")
    rows = all_rows(batch / "preview")
    assert [r[0] for r in rows] == ["1-jol", "1-xss"]
    s = read_data(batch / "preview" / "data" / "meta.js")["summary"]
    assert (s["shown"], s["total"]) == (2, 6)
    assert "Trial selection" in (batch / "preview" / "index.html").read_text(encoding="utf-8")


# -- the command line -------------------------------------------------------------------

def _parser() -> argparse.ArgumentParser:
    from importer.cli import _common
    from importer.preview_cli import add_commands
    parser = argparse.ArgumentParser(prog="importer")
    parser.add_argument("-q", "--quiet", action="store_true")
    parser.add_argument("--debug", action="store_true")
    add_commands(parser.add_subparsers(dest="command", required=True), _common())
    return parser


def _run(*argv) -> int:
    args = _parser().parse_args(list(argv))
    args.quiet = getattr(args, "quiet", False)
    return args.handler(args)


def test_cli_writes_the_preview_and_a_selection(batch, capsys):
    assert _run("preview", str(batch), "--sample", "3", "--seed", "7", "-q") == 0
    out = capsys.readouterr().out
    assert out.rstrip().endswith(str(batch / "preview" / "index.html"))
    assert "--selection" in out
    chosen = sel.read_selection(batch / "selection.json", sample_articles())
    assert chosen == sel.select(sample_articles(), sample=3, seed=7)
    assert [r[0] for r in all_rows(batch / "preview")] == chosen
    # the same selection again, from the file
    assert _run("preview", str(batch), "--selection", str(batch / "selection.json"), "-q") == 0
    assert [r[0] for r in all_rows(batch / "preview")] == chosen


def test_cli_errors_are_importer_errors(tmp_path, batch):
    with pytest.raises(BatchError):
        _run("preview", str(tmp_path / "nothing"))
    with pytest.raises(UsageError):
        _run("preview", str(batch), "--sample", "2", "--selection", "x.json")
    with pytest.raises(UsageError):
        _run("preview", str(batch), "--every", "0")
    (batch / "articles.jsonl").write_text("{broken\n", encoding="utf-8")
    with pytest.raises(ImporterError):
        _run("preview", str(batch))
    (batch / "articles.jsonl").unlink()
    with pytest.raises(BatchError):
        _run("preview", str(batch))


def test_cli_with_a_wiki_uses_its_parse_and_existing(batch, monkeypatch, capsys):
    import importer.wiki
    wiki = FakeWiki({"Астана": "'''Астана''' — қала."})
    wiki.closed = False
    wiki.close = lambda: setattr(wiki, "closed", True)
    monkeypatch.setattr(importer.wiki.Wiki, "connect", classmethod(lambda cls, *a, **k: wiki))
    assert _run("preview", str(batch), "--site", "kk:wikipedia", "-q") == 0
    assert "on the wiki: 1 exists, 5 new" in capsys.readouterr().out
    assert wiki.closed and wiki.asked


def test_cli_with_a_wiki_that_cannot_render_yet(batch, monkeypatch):
    import importer.wiki
    from importer.errors import WikiError

    class Old:
        closed = False

        def close(self):
            Old.closed = True
    monkeypatch.setattr(importer.wiki.Wiki, "connect", classmethod(lambda cls, *a, **k: Old()))
    with pytest.raises(WikiError, match="parse"):
        _run("preview", str(batch), "--site", "kk:wikipedia", "-q")
    assert Old.closed
