"""Rendering: escaping, links, abbreviations, the node check, titles."""
from __future__ import annotations

import html

import mwparserfromhell
import pytest

from importer.profile import load_profile
from importer.render import Renderer, escape
from importer.titles import TitleMaker, Vocabulary


@pytest.fixture(scope="module")
def profile():
    return load_profile("kk-encyclopedia")


@pytest.fixture(scope="module")
def renderer(profile):
    return Renderer(profile)


NASTY = ["[[Абай]]", "{{тест}}", "''көлбеу''", "'''қалың'''", "<ref>x</ref>", "<!-- x -->",
         "~~~~", "~~~", "__NOTOC__", "__TOC__", "----", "= Бөлім =", "* тізім", "# нөмір",
         ": шегініс", "; анықтама", " бос орын", "&amp; &nbsp;", "http://example.org/a",
         "https://x.kz", "mailto:a@b.kz", "ISBN 5-7667-2949-1", "RFC 1149", "PMID 123",
         "a | b", "-{zh-hans:x}-", "{|", "[http://a.b c]", "'", "x'", "'x"]


@pytest.mark.parametrize("text", NASTY)
def test_escape_shows_the_printed_text(text):
    escaped = escape(text, line_start=True)
    assert html.unescape(escaped) == text
    nodes = mwparserfromhell.parse(escaped).filter(recursive=True)
    assert {type(n).__name__ for n in nodes} <= {"Text", "HTMLEntity"}


@pytest.mark.parametrize("text", NASTY)
def test_rendered_article_with_markup_passes_the_check(renderer, text):
    rendered = renderer.article(title="Айтыс", display="Айтыс", headword="АЙТЫС",
                                paragraphs=[f"АЙТЫС — {text} соңы", text], volume=1, pages=[5])
    assert [i for i in rendered.issues if i["severity"] == "error"] == []


def test_plain_text_is_not_escaped_needlessly():
    assert escape("Абай — ақын, ойшыл (1845—1904). «Қара сөз»: 45 бөлім; т.б.") == \
        "Абай — ақын, ойшыл (1845—1904). «Қара сөз»: 45 бөлім; т.б."


def test_check_catches_nodes_the_renderer_did_not_make(renderer):
    for wikitext in ["x [[Басқа]]", "x {{Басқа}}", "x <ref>a</ref>", "x [http://a b]",
                     "x ''y''", "== Басқа ==", "x <!-- c -->"]:
        issues = renderer.check(wikitext, links=["Абай"], bold=0)
        assert issues and issues[0]["severity"] == "error", wikitext
    assert renderer.check("'''Абай''' [[Алматы]] &#91;\n\n== Дереккөздер ==\n{{ҚҰЭ|том=1}}",
                          links=["Алматы"], bold=1) == []


def test_lead_links_abbreviations_and_source(renderer):
    rendered = renderer.article(
        title="Абай Құнанбайұлы", display="Абай (Ибраһим) Құнанбайұлы",
        headword="АБАЙ (Ибраһим) Құнанбайұлы",
        paragraphs=["АБАЙ (Ибраһим) Құнанбайұлы (1845—1904) — ақын. 1845 ж. Семей обл. туған "
                    "(қ. Абай ауданы).", "Өлеңдері т.б. (қ. АБАЙ ЖОЛЫ)"],
        volume=1, pages=[17, 18])
    assert rendered.wikitext == (
        "'''Абай (Ибраһим) Құнанбайұлы''' (1845—1904) — ақын. 1845 жылы Семей облысы туған "
        "(қ. [[Абай ауданы]]).\n\nӨлеңдері тағы басқа (қ. [[Абай жолы]])\n\n"
        "== Дереккөздер ==\n{{ҚҰЭ|том=1|бет=17–18|лицензия=CC BY-SA 3.0|"
        "ескерту=OCR, уикилендіру}}\n")
    assert rendered.links == ["Абай ауданы", "Абай жолы"]
    assert rendered.expansions == 3


@pytest.mark.parametrize("printed, expanded", [
    ("1845 ж. туған", "1845 жылы туған"),
    ("1941—45 жж. соғыс", "1941—45 жылдары соғыс"),
    ("XIX ғ. басы", "XIX ғасыр басы"),
    ("19 ғ. басы", "19 ғасыр басы"),
    ("Алматы қ. орталығы", "Алматы қаласы орталығы"),
    ("бірнеше ж. бұрын", "бірнеше ж. бұрын"),       # not after a year: kept
    ("ұзындығы 20 км жол", "ұзындығы 20 км жол"),   # units kept
    ("сөз қ. сөз", "сөз қ. сөз"),                   # not after a name: kept
    ("мал т.б. бар", "мал тағы басқа бар"),
    ("мал т.б.", "мал тағы басқа."),
    ("қала 1996 ж.", "қала 1996 жылы."),            # the full stop ended the paragraph
])
def test_abbreviations(renderer, printed, expanded):
    issues = []
    assert renderer.paragraph(printed, False, issues, [], [0]) == expanded


def test_redirect(renderer):
    rendered = renderer.redirect(title="Алма-Ата", target="Алматы", volume=1, pages=[18])
    assert rendered.wikitext == "#REDIRECT [[Алматы]]\n" and rendered.issues == []


def test_titles_take_the_casing_of_the_volume(profile):
    maker = TitleMaker(profile)
    caps = ["ӘЛ-ФАРАБИ", "АТЫНДАҒЫ", "ҚАЗАҚ", "ҰЛТТЫҚ", "УНИВЕРСИТЕТІ"]
    vocab = Vocabulary([caps, ["КСРО"], ["АЛТЫН", "ОРДА"], ["АЛТЫН", "АДАМ"]])
    vocab.add_text("қазақ тілі, қазақ халқы. Алматыдағы әл-Фараби атындағы Қазақ ұлттық "
                   "университетінің студенттері. КСРО кезінде, КСРО ыдырады. Алтын Орда ханы.")
    assert maker.make(caps, [], vocab)[0] == "Әл-Фараби атындағы Қазақ ұлттық университеті"
    assert maker.make(["КСРО"], [], vocab)[0] == "КСРО"
    assert maker.make(["АЛТЫН", "ОРДА"], [], vocab)[0] == "Алтын Орда"
    assert maker.make(["АЛТЫН", "АДАМ"], [], vocab)[0] == "Алтын адам"
    assert maker.make(["АЛМАТЫ"], [], None)[0] == "Алматы"
    once = Vocabulary([["АЛЖИР"], ["АЛТАЙ"]])
    once.add_text("АЛЖИР-ден 18 мың адам өтті. АЛТАЙ тауы.")   # suffixed capitals: an acronym
    assert maker.make(["АЛЖИР"], [], once)[0] == "АЛЖИР"
    assert maker.make(["АЛТАЙ"], [], once)[0] == "Алтай"
    assert maker.make(["АЛМА-АТА"], [], None)[0] == "Алма-Ата"


def test_person_titles(profile):
    maker = TitleMaker(profile)
    assert maker.make(["ӘУЕЗОВ"], [("name", "Мұхтар"), ("name", "Омарханұлы")], None) == \
        ("Мұхтар Әуезов", "Әуезов Мұхтар Омарханұлы")
    assert maker.make(["АБАЙ"], [("paren", "(Ибраһим)"), ("name", "Құнанбайұлы")], None) == \
        ("Абай Құнанбайұлы", "Абай (Ибраһим) Құнанбайұлы")
    assert maker.make(["АБЫЛАЙ"], [("name", "хан")], None)[0] == "Абылай хан"


def test_forbidden_title_characters(profile, tmp_path):
    maker = TitleMaker(profile)
    assert maker.repair("Абай [ақын]")[0] == "Абай (ақын)"
    assert maker.repair("Абай # | <x>")[0] == "Абай x"
    assert maker.repair("Абай")[1] is None
    assert maker.repair("[]#")[0] is None
    maker.forbidden_mode = "reject"
    title, problem = maker.repair("Абай [ақын]")
    assert title is None and "forbids" in problem


def test_homonym_qualifiers(profile):
    maker = TitleMaker(profile)
    assert maker.qualifiers(["Павлодар облысындағы қала.", "Алматы облысындағы өзен, ұзын."]) \
        == ["қала", "өзен"]
    assert maker.qualifiers(["облыстағы ауыл.", "ауданғы ауыл."]) == ["1", "2"]
