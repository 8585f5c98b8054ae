"""The CC-license tagger: attribution on every article, summaries, refusal without evidence."""
from __future__ import annotations

import json

import pytest

from importer import license as lic
from importer.articles import articles_from_pages, build_articles
from importer.errors import ProfileError
from importer.model import PageRecord
from importer.profile import load_profile
from tests.test_profile import write_variant


@pytest.fixture(scope="module")
def profile():
    return load_profile("kk-encyclopedia")


def test_attribution_template_from_the_profile(profile):
    assert lic.attribution(profile, 1, [17, 18]) == \
        "{{ҚҰЭ|том=1|бет=17–18|лицензия=CC BY-SA 3.0|ескерту=OCR, уикилендіру}}"
    assert lic.attribution(profile, 3, [5]) == \
        "{{ҚҰЭ|том=3|бет=5|лицензия=CC BY-SA 3.0|ескерту=OCR, уикилендіру}}"


def test_english_attribution():
    profile = load_profile("en-encyclopedia")
    assert lic.attribution(profile, 1, [3]) == \
        "{{CC-notice|cc=by-sa4|url=https://example.org/encyclopaedia|author=Example Press}}"
    assert lic.source_section(profile, 1, [3]).startswith("== References ==\n{{CC-notice|")


def test_summary_names_source_license_and_adaptation(profile):
    text = lic.summary(profile, "article", 1, [17, 18])
    assert text == ("«Қазақстан» ұлттық энциклопедиясы, 1-том, 17–18 б. (CC BY-SA 3.0) "
                    "мәтінінен бейімделді: OCR, уикилендіру")
    redirect = lic.summary(profile, "redirect", 1, [18])
    assert "«Қазақстан» ұлттық энциклопедиясы" in redirect and "CC BY-SA 3.0" in redirect


def test_summary_adds_what_the_pattern_forgets(tmp_path):
    path = write_variant(tmp_path, lambda d: d["summary"].update(pattern="импорт {pages}"))
    text = lic.summary(load_profile(str(path)), "article", 1, [4])
    assert text == "импорт 4; «Қазақстан» ұлттық энциклопедиясы (CC BY-SA 3.0)"


def test_parameter_values_cannot_break_the_template(tmp_path):
    path = write_variant(tmp_path, lambda d: d["license"].update(adapted_note="OCR | }} [[x]]"))
    text = lic.attribution(load_profile(str(path)), 1, [1])
    assert text.count("|") == 4 and text.endswith("OCR &#124; &#125;&#125; &#91;&#91;x&#93;&#93;}}")


def test_every_article_carries_the_attribution_redirects_do_not(profile):
    pages = [PageRecord(volume=2, page=9, source="s",
                        text="АҚМОЛА — қ. Астана.\nАСТАНА — қала.\nАТЫРАУ — қала."),
             PageRecord(volume=2, page=10, source="s", text="Жайық бойында.")]
    articles, _, _ = articles_from_pages(pages, profile)
    by_title = {a["title"]: a for a in articles}
    assert "{{ҚҰЭ|том=2|бет=9|" in by_title["Астана"]["wikitext"]
    assert "{{ҚҰЭ|том=2|бет=9–10|" in by_title["Атырау"]["wikitext"]
    assert "ҚҰЭ" not in by_title["Ақмола"]["wikitext"]
    for article in articles:
        assert "CC BY-SA 3.0" in article["summary"]


def test_on_redirects_puts_the_template_on_redirects_too(tmp_path):
    path = write_variant(tmp_path, lambda d: d["attribution"].update(on_redirects=True))
    pages = [PageRecord(volume=1, page=1, source="s", text="АҚМОЛА — қ. Астана.")]
    articles, _, _ = articles_from_pages(pages, load_profile(str(path)))
    assert articles[0]["wikitext"].startswith("#REDIRECT [[Астана]]\n\n{{ҚҰЭ|том=1|бет=1|")
    assert articles[0]["issues"] == []


@pytest.mark.parametrize("edit", [
    lambda d: d.pop("license"),
    lambda d: d["license"].pop("source_url"),
    lambda d: d["license"].pop("source_work"),
])
def test_no_license_evidence_renders_nothing(tmp_path, edit):
    profile = load_profile(str(write_variant(tmp_path, edit)))
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "pages.jsonl").write_text(json.dumps(
        PageRecord(volume=1, page=1, source="s", text="АСТАНА — қала.").to_json()) + "\n",
        encoding="utf-8")
    with pytest.raises(ProfileError, match="license"):
        build_articles(batch, profile, progress=False)
    assert not (batch / "articles.jsonl").exists()
