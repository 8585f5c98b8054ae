"""The preview report as a person sees it: index.html opened from disk in headless
Chromium (Debian package `chromium`; `make test` installs it). Each check loads one
address (`#kind=redirect`, `#a/ID`, ...), lets the page's script run
(--virtual-time-budget) and reads the DOM it built (--dump-dom).

Screenshots are kept in test-artifacts/ (preview.png: an article; preview-list.png:
the table)."""
from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from lxml import html as lhtml

from importer import preview as pv

from conftest import ROOT, SAMPLES, run_importer
from test_preview import (FakeWiki, LICENSE, SUMMARY, XSS_IMG, XSS_SCRIPT, make_batch,
                          sample_articles)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = ROOT / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (Debian package "
                                                "`chromium`; `make test` installs it)"),
]


def chromium(tmp_path: Path, url: str, screenshot: Path | None = None,
             size: str = "1400,1800") -> str:
    """Loads `url` in a fresh headless Chromium; the DOM after the scripts ran."""
    profile = tmp_path / f"chromium-{uuid.uuid4().hex[:8]}"
    args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-extensions", "--hide-scrollbars",
            f"--user-data-dir={profile}", "--virtual-time-budget=5000", f"--window-size={size}"]
    args.append(f"--screenshot={screenshot}" if screenshot else "--dump-dom")
    proc = subprocess.run(args + [url], capture_output=True, text=True, timeout=180,
                          stdin=subprocess.DEVNULL)
    shutil.rmtree(profile, ignore_errors=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    if screenshot:
        assert screenshot.is_file() and screenshot.stat().st_size > 10_000
    return proc.stdout


def load(tmp_path: Path, batch: Path, fragment: str = ""):
    url = (batch / "preview" / "index.html").as_uri()
    if fragment:
        url += "#" + quote(fragment, safe="/=&")
    dom = lhtml.fromstring(chromium(tmp_path, url))
    body = dom.find("body")
    assert body.get("data-state") == "ready", dom.get_element_by_id("progress").text_content()
    return dom


def text_of(dom, element_id: str) -> str:
    return dom.get_element_by_id(element_id).text_content()


def row_titles(dom) -> list[str]:
    return [a.text_content() for a in dom.xpath("//tbody[@id='rows']//a[@class='title']")]


def assert_nothing_ran(dom) -> None:
    body = dom.find("body")
    assert body.get("data-pwned") is None
    assert "pwned" not in (dom.findtext(".//title") or "").lower()
    scripts = [s.get("src") for s in dom.iter("script")]
    assert all(src and (src in ("preview.js", "data/meta.js") or src.startswith("data/"))
               for src in scripts), scripts
    assert not [e for e in dom.iter() if isinstance(e.tag, str) and
                any(a.startswith("on") for a in e.attrib)]


@pytest.fixture
def batch(tmp_path) -> Path:
    batch = make_batch(tmp_path / "batch")
    pv.preview(batch)
    return batch


def test_the_table_shows_every_article(tmp_path, batch):
    dom = load(tmp_path, batch)
    count = dom.get_element_by_id("count")
    assert (count.get("data-total"), count.get("data-shown")) == ("6", "6")
    assert count.text_content() == "6 articles and redirects"
    assert row_titles(dom) == ["Абай Құнанбайұлы", "Абай жолы", "Ақмола", "Астана",
                               "Зиянды мәтін", "ҚАТЕ"]
    summary = text_of(dom, "summary")
    assert "CC BY-SA 3.0" in summary and "volume 1: 17–18" in summary
    assert [o.text for o in dom.xpath("//select[@id='issue']/option")] == [
        "all", "no issue", "not publishable", "abbreviation-left", "bad-title", "odd-text"]
    assert_nothing_ran(dom)


@pytest.mark.parametrize("fragment, titles", [
    ("kind=redirect", ["Ақмола"]),
    ("filter=redirect&q=Ақ", ["Ақмола"]),
    ("q=абай", ["Абай Құнанбайұлы", "Абай жолы"]),
    ("filter=abbreviation-left", ["Абай жолы"]),
    ("issue=unpublishable", ["ҚАТЕ"]),
])
def test_filters_from_the_address(tmp_path, batch, fragment, titles):
    dom = load(tmp_path, batch, fragment)
    assert row_titles(dom) == titles
    assert dom.get_element_by_id("count").get("data-shown") == str(len(titles))
    assert dom.get_element_by_id("count").text_content() == f"{len(titles)} of 6 articles and " \
                                                            "redirects match"


def test_an_article_with_its_scan_wikitext_rendering_license_and_summary(tmp_path, batch):
    dom = load(tmp_path, batch, "a/1-abai")
    article = sample_articles()[0]
    assert dom.get_element_by_id("detail").get("hidden") is None
    assert text_of(dom, "article-title") == "Абай Құнанбайұлы"
    assert text_of(dom, "printed") == article["text"]
    assert text_of(dom, "wikitext") == article["wikitext"]
    rendered = dom.get_element_by_id("rendered")
    assert [b.text_content() for b in rendered.iter("b")] == ["Абай (Ибраһим) Құнанбайұлы"]
    assert "қазақ жазба әдебиетінің негізін салушы. Қара сөздер авторы (қ. Абай жолы)." in \
        rendered.text_content()
    assert [(a.text_content(), a.get("href")) for a in rendered.iter("a")] == [
        ("Абай жолы", "#a/1-jol")]
    assert "{{ҚҰЭ}}" in rendered.text_content() and "CC BY-SA 3.0" in rendered.text_content()
    assert [p.text_content() for p in dom.xpath("//pre[@class='licensecode']")] == [LICENSE]
    assert text_of(dom, "editsummary") == SUMMARY
    crops = dom.get_element_by_id("crops")
    assert crops.get("data-count") == "1" and crops.get("data-loaded") == "1"
    img = crops.find(".//img")
    assert img.get("src").startswith("crops/") and int(img.get("data-natural-width")) > 0
    assert (dom.findtext(".//title") or "").startswith("Абай Құнанбайұлы")
    assert_nothing_ran(dom)


def test_html_from_the_scan_is_shown_as_text_and_never_runs(tmp_path, batch):
    dom = load(tmp_path, batch, "a/1-xss")
    assert XSS_SCRIPT in text_of(dom, "printed") and XSS_IMG in text_of(dom, "printed")
    assert XSS_SCRIPT in text_of(dom, "wikitext")
    rendered = text_of(dom, "rendered")
    assert XSS_SCRIPT in rendered and XSS_IMG in rendered and "<b>escaped</b>" in rendered
    assert XSS_SCRIPT in text_of(dom, "editsummary")
    assert f"strange: {XSS_IMG}" in dom.xpath("//ul[@class='issuelist']")[0].text_content()
    assert_nothing_ran(dom)


def test_an_unpublishable_article_and_a_redirect(tmp_path, batch):
    dom = load(tmp_path, batch, "a/1-bad")
    assert "(no wikitext: not publishable)" == text_of(dom, "wikitext")
    assert "no title" in text_of(dom, "detail")
    dom = load(tmp_path, batch, "a/1-akmola")
    assert "redirect to Астана" in text_of(dom, "rendered")
    assert dom.xpath("//div[@id='rendered']//a/@href") == ["#a/1-astana"]


def test_details_are_loaded_lazily(tmp_path, monkeypatch):
    monkeypatch.setattr(pv, "DETAILS_PER_CHUNK", 2)
    monkeypatch.setattr(pv, "ROWS_PER_CHUNK", 4)
    batch = make_batch(tmp_path / "batch")
    pv.preview(batch)
    dom = load(tmp_path, batch, "a/1-bad")              # the 6th article: the 3rd chunk
    assert [s.get("src") for s in dom.iter("script")] == [
        "preview.js", "data/meta.js", "data/rows-0001.js", "data/rows-0002.js",
        "data/articles-0003.js"]
    assert text_of(dom, "article-title") == "(no title) ҚАТЕ"


def test_with_a_wiki_status_live_page_diff_and_the_wikis_rendering(tmp_path):
    batch = make_batch(tmp_path / "batch")
    wiki = FakeWiki({"Абай Құнанбайұлы": "'''Абай''' — ақын.\n\n== Дереккөздер ==\n" + LICENSE,
                     "Астана": "#REDIRECT [[Нұр-Сұлтан]]"})
    pv.preview(batch, wiki=wiki)
    dom = load(tmp_path, batch, "status=new")
    assert row_titles(dom) == ["Абай жолы", "Ақмола", "Зиянды мәтін", "ҚАТЕ"]
    assert [td.text for td in dom.xpath("//td[contains(@class,'status')]")] == ["new"] * 4
    dom = load(tmp_path, batch, "a/1-abai")
    frame = dom.get_element_by_id("wikihtml")
    assert frame.get("sandbox") == "" and "<b>Абай Құнанбайұлы</b> rendered" in frame.get("srcdoc")
    diff = dom.get_element_by_id("diff")
    assert ("del", "-'''Абай''' — ақын.\n") in [(s.get("class"), s.text) for s in diff.iter("span")]
    assert any(s.get("class") == "add" for s in diff.iter("span"))
    assert "already exists on the wiki" in text_of(dom, "detail")
    assert_nothing_ran(dom)
    ARTIFACTS.mkdir(exist_ok=True)
    chromium(tmp_path, (batch / "preview" / "index.html").as_uri() + "#a/1-abai",
             screenshot=ARTIFACTS / "preview-wiki.png", size="1400,2400")


def _sample_batch(tmp_path: Path) -> Path:
    """The bundled sample volume built as a user would; the hand-made batch without it."""
    hocr = SAMPLES / "kk-sample" / "hocr"
    if not hocr.is_dir() or not any(hocr.glob("*.hocr")):
        return make_batch(tmp_path / "batch")
    batch = tmp_path / "sample"
    proc = run_importer("build", str(hocr), "--profile", "kk-encyclopedia", "--out", str(batch),
                        "-q")
    assert proc.returncode == 0, proc.stderr
    return batch


def test_screenshots_of_the_sample_volume(tmp_path):
    batch = _sample_batch(tmp_path)
    proc = run_importer("preview", str(batch), "-q") if _cli_has_preview() else None
    if proc is None or proc.returncode != 0:
        pv.preview(batch)
    first = pv.load_articles(batch)[0]
    dom = load(tmp_path, batch, f"a/{first['id']}")
    assert text_of(dom, "article-title") == first["title"]
    assert dom.get_element_by_id("crops").get("data-loaded") == \
        dom.get_element_by_id("crops").get("data-count") != "0"
    ARTIFACTS.mkdir(exist_ok=True)
    index = (batch / "preview" / "index.html").as_uri()
    chromium(tmp_path, f"{index}#a/{quote(first['id'])}", screenshot=ARTIFACTS / "preview.png",
             size="1400,2000")
    chromium(tmp_path, index, screenshot=ARTIFACTS / "preview-list.png", size="1400,1400")


def _cli_has_preview() -> bool:
    from importer.cli import make_parser
    try:
        make_parser().parse_args(["preview", "x"])
    except SystemExit:
        return False
    return True


def test_ten_thousand_articles_stay_light(tmp_path):
    base = sample_articles()[:5]
    articles = []
    for i in range(10_000):
        a = dict(base[i % 5], id=f"1-{i:05d}", title=f"{base[i % 5]['title']} {i}")
        a.pop("spans", None)
        articles.append(a)
    batch = make_batch(tmp_path / "big", articles, images=False)
    pv.preview(batch)
    out = batch / "preview"
    assert (out / "index.html").stat().st_size < 20_000
    assert max(p.stat().st_size for p in (out / "data").iterdir()) < 1_000_000
    assert len(list((out / "wikitext").glob("*.wiki"))) == 10_000
    dom = load(tmp_path, batch, "p=50")
    titles = row_titles(dom)
    assert len(titles) == 100 and titles[0] == "Абай Құнанбайұлы 4900"
    assert dom.get_element_by_id("count").get("data-total") == "10000"
    assert text_of(dom, "pageinfo") == "page 50 of 100 (rows 4901–5000)"
    assert not [s for s in dom.iter("script") if "articles-" in (s.get("src") or "")]
    dom = load(tmp_path, batch, "q=астана 999")
    assert row_titles(dom) == ["Астана 9993", "Астана 9998"]
    dom = load(tmp_path, batch, "a/1-09998")
    assert text_of(dom, "article-title") == "Астана 9998"
    assert [s.get("src") for s in dom.iter("script")][-1] == "data/articles-0200.js"
