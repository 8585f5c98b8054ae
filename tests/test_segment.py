"""Segmentation: headwords, wraps, running heads, order, redirects, nothing lost."""
from __future__ import annotations

import pytest

from importer.model import PageRecord
from importer.profile import load_profile
from importer.segment import HeadParser, Segmenter, iter_volumes


@pytest.fixture(scope="module")
def profile():
    return load_profile("kk-encyclopedia")


@pytest.fixture(scope="module")
def parser(profile):
    return HeadParser(profile)


def segment(profile, *texts, volume=1, boxes=None, width=None):
    pages = [PageRecord(volume=volume, page=i + 1, source="t", text=t,
                        boxes=(boxes or {}).get(i, []), width=width)
             for i, t in enumerate(texts)]
    result = []
    for vol, lines in iter_volumes(pages):
        result += Segmenter(profile).segment(vol, lines)
    return result


@pytest.mark.parametrize("line, headword, details, rest", [
    ("АЛМАТЫ — қала", "АЛМАТЫ", "", "қала"),
    ("АЛМАТЫ - қала", "АЛМАТЫ", "", "қала"),
    ("АЛМАТЫ – қала", "АЛМАТЫ", "", "қала"),
    ("АЛМАТЫ -- қала", "АЛМАТЫ", "", "қала"),
    ("АЛМА-АТА — бұрынғы атауы", "АЛМА-АТА", "", "бұрынғы атауы"),
    ("АБАЙ (Ибраһим) Құнанбайұлы (1845—1904) — ақын", "АБАЙ (Ибраһим) Құнанбайұлы",
     "(1845—1904)", "ақын"),
    ("АБЫЛАЙ хан (Әбілмансұр) (1711—1781) — хан", "АБЫЛАЙ хан", "(Әбілмансұр) (1711—1781)",
     "хан"),
    ("ӘУЕЗОВ Мұхтар Омарханұлы (1897—1961) — жазушы", "ӘУЕЗОВ Мұхтар Омарханұлы",
     "(1897—1961)", "жазушы"),
    ("AЛМАТЫ — қала", "АЛМАТЫ", "", "қала"),          # Latin A repaired
    ("АЛМАТЫ —", "АЛМАТЫ", "", ""),                   # definition on the next line
    ("2 .ӘН — сөз", "ӘН", "", "сөз"),                  # specks before the headword
    ("і АЛАКӨЛ — көл", "АЛАКӨЛ", "", "көл"),           # a speck read as a letter
    ("«АЛДАР: КӨСЕ- қазақ", "АЛДАР КӨСЕ", "", "қазақ"),  # a speck between the words
    ("АЙМАНОВ Шәкен Кенжетайұлы. (1914—1970) — актер", "АЙМАНОВ Шәкен Кенжетайұлы",
     "(1914—1970)", "актер"),                          # a speck before the dates
    ("ӚЛ-ФАРАБИ 5 (870—950) — философ", "ӘЛ-ФАРАБИ", "(870—950)", "философ"),
    ("АҚМОЛА-к. Астана.", "АҚМОЛА", "", "к. Астана."),  # the dash glued to the see-marker
    ("ӘУЛИЕ- АТА- Тараз", "ӘУЛИЕ-АТА", "", "Тараз"),   # a compound broken by a space
])
def test_heads(parser, line, headword, details, rest):
    head = parser.parse(line)
    assert (head.headword, head.details, head.rest) == (headword, details, rest)


@pytest.mark.parametrize("line, expected", [
    ("Алматы — қала", None),                 # not capitals
    ("КСРО ыдырағаннан кейін", None),         # no dash
    ("АБАЙ — АЛМАТЫ", "guide"),              # running head
    ("АБАЙ ЖОЛЫ — АЙТЫС 17", "guide"),
    ("ӘЛ-ФАРАБИ АТЫНДАҒЫ ҚАЗАҚ", "partial"),  # may wrap
    ("АБАЙ (Ибраһим", "partial"),
    ("1845 ж. — туды", None),
    ("АЛМАТЫ-қала", None),                   # a hyphen inside a word is no dash
    ("АБЫЛАЙ хан (Әбілмансұр) .", "partial"),  # a speck at the end: the head goes on
    ("АБАЙ- АҚЫН", "guide"),                 # no dash after АҚЫН: no compound
])
def test_not_heads(parser, line, expected):
    assert parser.parse(line) == expected


def test_wrapped_headword(profile):
    segs = segment(profile, "ӘЛ-ФАРАБИ АТЫНДАҒЫ ҚАЗАҚ ҰЛТТЫҚ\nУНИВЕРСИТЕТІ — оқу орны.")
    assert [s.kind for s in segs] == ["article"]
    assert segs[0].head.headword == "ӘЛ-ФАРАБИ АТЫНДАҒЫ ҚАЗАҚ ҰЛТТЫҚ УНИВЕРСИТЕТІ"
    assert segs[0].head.lines == 2


def test_short_capitals_at_page_top_are_a_running_head_not_a_wrap(profile):
    segs = segment(profile, "АБАЙ — ақын, ойшыл, ағартушы, композитор, қазақтың.",
                   "АБАЙ\nАБАЙ ЖОЛЫ — роман-эпопея, ұзақ жазылған шығарма.")
    assert [(s.kind, s.reason) for s in segs] == [("article", ""), ("leftover", "running-head"),
                                                  ("article", "")]
    assert segs[2].head.headword == "АБАЙ ЖОЛЫ"


def test_article_continues_across_pages_and_keeps_paragraphs(profile):
    segs = segment(profile, "АЛАКӨЛ — көл. Ауданы\n\n2650 км².", "Көлге өзендер\nқұяды.")
    assert len(segs) == 1
    assert segs[0].text == "АЛАКӨЛ — көл. Ауданы\n2650 км². Көлге өзендер құяды."
    assert segs[0].pages == [1, 2]
    assert segs[0].spans == [[1, 0, 0, 2], [2, 1, 0, 1]]


def test_indentation_from_boxes_marks_paragraphs(profile):
    text = "АЛАКӨЛ — көл. Ауданы\n2650 км². Терең.\nКөлге өзендер құяды.\nЖағасы тегіс.\nСоңы."
    boxes = {0: [[128, 100, 900, 130], [100, 140, 900, 170], [128, 180, 900, 210],
                 [100, 220, 900, 250], [100, 260, 500, 290]]}
    segs = segment(profile, text, boxes=boxes, width=2000)
    assert segs[0].paragraphs() == ["АЛАКӨЛ — көл. Ауданы 2650 км². Терең.",
                                    "Көлге өзендер құяды. Жағасы тегіс. Соңы."]


def test_see_entries_are_redirects(profile):
    segs = segment(profile, "АҚМОЛА — қ. Астана.\n"
                            "АЛМА-АТА — Алматы қаласының бұрынғы атауы. қ. Алматы.\n"
                            "АЛМАТЫ — ең ірі қала (қ. Алматы облысы).")
    assert [(s.kind, s.target) for s in segs] == [("redirect", "Астана"),
                                                  ("redirect", "Алматы"), ("article", None)]


def test_long_definition_with_a_see_at_the_end_is_an_article(profile):
    words = " ".join(["сөз"] * 20)
    segs = segment(profile, f"АЛМАТЫ — {words}. қ. Алматы.")
    assert segs[0].kind == "article"


def test_weak_start_out_of_order_goes_back_into_its_article(profile):
    segs = segment(profile, "АЛТАЙ — тау. Ең биік\nнүктесі\nМҰЗТАУ — биіктігі 4506 м.\n"
                            "АЛТЫН АДАМ — мүрде.\nАЛТЫНЕМЕЛ — жота.")
    assert [s.head.headword for s in segs] == ["АЛТАЙ", "АЛТЫН АДАМ", "АЛТЫНЕМЕЛ"]
    assert "МҰЗТАУ — биіктігі" in segs[0].text


def test_strong_start_out_of_order_is_kept_with_an_issue(profile):
    segs = segment(profile, "АЛТАЙ — тау.\nЯССЫ — қала.\nАЛТЫН АДАМ — мүрде.\nАЛТЫНЕМЕЛ — жота.")
    assert [s.head.headword for s in segs] == ["АЛТАЙ", "ЯССЫ", "АЛТЫН АДАМ", "АЛТЫНЕМЕЛ"]
    assert [i["kind"] for i in segs[1].issues] == ["out-of-order"]
    assert not segs[0].issues and not segs[2].issues


def test_nothing_is_lost(profile):
    pages = ["кейінгі сөз.\nАБАЙ — АЛМАТЫ\nАБАЙ — ақын.\n\nекінші абзац", "17\nАЛМАТЫ — қала."]
    segs = segment(profile, *pages)
    lines = sorted((l.sequence, l.index) for s in segs for l in s.lines)
    assert lines == sorted((p, i) for p, text in enumerate(pages)
                           for i in range(len(text.split("\n"))))
    assert [(s.kind, s.reason) for s in segs if s.kind == "leftover"] == [
        ("leftover", "before-first-headword"), ("leftover", "running-head"),
        ("leftover", "page-number")]


def test_volumes_are_segmented_apart(profile):
    pages = [PageRecord(volume=1, page=1, source="a", text="ЯССЫ — қала."),
             PageRecord(volume=2, page=1, source="b", text="соңы.\nБАЙҚОҢЫР — айлақ.")]
    result = [(vol, [s.kind for s in Segmenter(profile).segment(vol, lines)])
              for vol, lines in iter_volumes(pages)]
    assert result == [(1, ["article"]), (2, ["leftover", "article"])]


# --- noisy scans: indents, dashes and headwords OCR damaged ------------------------

def _boxes(indents: list[int], edge: int = 100, width: int = 460) -> list[list[int]]:
    """Line boxes in one column: each line starts `indent` pixels right of the edge."""
    return [[edge + indent, 100 + 30 * i, edge + width, 124 + 30 * i]
            for i, indent in enumerate(indents)]


def test_indent_found_though_specks_push_some_lines_into_the_margin(profile):
    """The column's edge is where most lines start, not the left-most start."""
    text = ("АЛАКӨЛ — көл. Ауданы\nүлкен. Терең.\nКөлге өзендер құяды.\nЖағасы тегіс,\n"
            "құмды. Суы ащы.\nАралдары көп.\nСоңы.")
    boxes = {0: _boxes([28, -30, 0, -12, 0, 28, 0])}
    segs = segment(profile, text, boxes=boxes, width=1654)
    assert segs[0].paragraphs() == [
        "АЛАКӨЛ — көл. Ауданы үлкен. Терең. Көлге өзендер құяды. Жағасы тегіс, құмды. Суы ащы.",
        "Аралдары көп. Соңы."]


def test_small_offsets_are_no_indent(profile):
    """A few pixels right of the edge (a rough scan, a lost first letter's ink) is no
    new paragraph; an indent is a good part of a line's height."""
    text = "АЛАКӨЛ — көл.\nАуданы үлкен.\nТерең жері\n54 м.\nСуы ащы."
    segs = segment(profile, text, boxes={0: _boxes([28, 0, 0, 9, 0])}, width=1654)
    assert len(segs[0].paragraphs()) == 1


def test_damaged_dash_taken_where_a_head_starts(parser):
    """"АҚТАУ — Маңғыстау" read as "АҚТАУ. ж- Тыс": only where the layout says so."""
    assert parser.parse("АҚТАУ. ж- Тыс облысының") is None
    head = parser.parse("АҚТАУ. ж- Тыс облысының", damaged_dash=True)
    assert (head.headword, head.rest) == ("АҚТАУ", "Тыс облысының")
    assert parser.parse("КСРО кезінде жаңа", damaged_dash=True) is None


def test_damaged_dash_starts_an_article_at_an_indented_line_after_a_sentence(profile):
    text = ("АҚСУ — өзен. Суы\nегістік суаруға пайдаланылады.\nАҚТАУ. ж- Тыс облысының\n"
            "орталығы, Каспий теңізінің\nжағалауындағы қала.\nАҚТӨБЕ — қала.")
    segs = segment(profile, text, boxes={0: _boxes([28, 0, 28, 0, 0, 28])}, width=1654)
    assert [s.head.headword for s in segs] == ["АҚСУ", "АҚТАУ", "АҚТӨБЕ"]
    assert not segs[1].strong  # weak evidence: out of order it would go back


def test_damaged_dash_ignored_mid_paragraph(profile):
    """Not indented, or no sentence end before it: no head."""
    text = ("АҚСУ — өзен. Суы\nегістік суаруға\nАҚТАУ. ж- Тыс облысының\n"
            "орталығы, Каспий теңізінің\nжағалауындағы қала.\nАҚТӨБЕ — қала.")
    segs = segment(profile, text, boxes={0: _boxes([28, 0, 28, 0, 0, 28])}, width=1654)
    assert [s.head.headword for s in segs] == ["АҚСУ", "АҚТӨБЕ"]


def test_headword_whose_start_ocr_lost_is_restored_from_the_article(profile):
    """"АЙТЫС —" read as "С —": the line starts far right of the usual indent, and the
    article keeps using "Айтыс..."; АЙТЫС sorts between АЙМАНОВ and АЙША."""
    text = ("АЙМАНОВ Шәкен — актер.\nКино өнері.\nС — қазақ ауыз әдебиетіндегі\n"
            "ақындардың сайысы. Айтысқа екі\nақын қатысады. Айтыстың\nтүрлері бар.\n"
            "АЙША БИБІ КЕСЕНЕСІ — ескерткіш.")
    boxes = {0: _boxes([28, 0, 120, 0, 0, 0, 30])}
    segs = segment(profile, text, boxes=boxes, width=1654)
    assert [s.head.headword for s in segs] == ["АЙМАНОВ Шәкен", "АЙТЫС", "АЙША БИБІ КЕСЕНЕСІ"]
    assert segs[1].text.startswith("АЙТЫС — қазақ ауыз")
    assert [i["kind"] for i in segs[1].issues] == ["title-guessed"]


def test_short_headword_at_the_usual_indent_is_left_alone(profile):
    text = ("АЙМАНОВ Шәкен — актер.\nКино өнері.\nӘН — сөз бен әуен. Әнші\nәнін айтады. Әнді\n"
            "сүйеді.\nӘНШІ — адам.")
    segs = segment(profile, text, boxes={0: _boxes([28, 0, 30, 0, 0, 27])}, width=1654)
    assert [s.head.headword for s in segs] == ["АЙМАНОВ Шәкен", "ӘН", "ӘНШІ"]
    assert not segs[1].issues
