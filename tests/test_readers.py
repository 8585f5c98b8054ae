"""Readers: real third-party OCR files (shared/fixtures/real-ocr) and hostile input.

Expected strings below were read off the fixture files themselves.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from importer.errors import InputFileError
from importer.model import (BODY, CATCH_WORD, FOOTNOTE, HEADER, MARGINALIA, PAGE_NUMBER,
                            SIGNATURE, Page)
from importer.readers import READERS, detect_format, read_pages
from importer.readers.alto import read_alto
from importer.readers.hocr import parse_title, read_hocr
from importer.readers.pagexml import read_page_xml
from importer.readers.text import read_text


def _shared() -> Path:
    if os.environ.get("IMPORTER_SHARED"):
        return Path(os.environ["IMPORTER_SHARED"])
    return Path(__file__).resolve().parents[2] / "shared"


REAL = _shared() / "fixtures" / "real-ocr"
needs_real = pytest.mark.skipif(not REAL.is_dir(), reason=f"real OCR fixtures not found at {REAL}")
REAL_FILES = sorted(p for p in REAL.glob("*/*") if p.suffix != ".md") if REAL.is_dir() else []
EXPECTED_FORMAT = {"alto": "alto", "hocr": "hocr", "page": "page"}


def page_of(relative: str) -> Page:
    pages = list(read_pages(REAL / relative))
    assert len(pages) == 1
    return pages[0]


def all_words(page: Page):
    return [w for line in page.lines for w in line.words]


# --- every real file -----------------------------------------------------------

@needs_real
def test_the_fixture_set_is_complete():
    assert len(REAL_FILES) == 19


@needs_real
@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.name)
def test_every_real_file_reads_into_pages_with_boxed_words(path):
    assert detect_format(path) == EXPECTED_FORMAT[path.parent.name]
    pages = list(read_pages(path))
    assert pages and all(page.source == str(path) for page in pages)
    page = pages[0]
    assert page.width and page.height
    words = all_words(page)
    assert len(words) >= 20
    assert all(w.text and not w.text.isspace() and " " not in w.text for w in words)
    assert all(w.box is not None for w in words)
    assert all(line.box is not None for line in page.lines)
    for w in words:
        assert w.box.x0 <= w.box.x1 and w.box.y0 <= w.box.y1
        assert w.confidence is None or 0.0 <= w.confidence <= 1.0


# --- ALTO ----------------------------------------------------------------------

@needs_real
def test_alto_abbyy_hyphenation_subs_and_confidence():
    page = page_of("alto/417576986_0012.alto")
    assert (page.width, page.height) == (702, 1558)
    first, second, third = page.lines[:3]
    assert first.text == "PREFACE'" and first.block == "Page1_Block1"
    assert first.words[0].confidence == pytest.approx(0.5725, abs=1e-4)
    # <String CONTENT="nais" SUBS_TYPE="HypPart1" SUBS_CONTENT="naissance"/><HYP CONTENT="U+00AD"/>
    assert second.hyphenated and not first.hyphenated
    last = second.words[-1]
    assert last.text == "nais\u00ad"
    assert (last.hyphen_part, last.joined) == (1, "naissance")
    assert (third.words[0].text, third.words[0].hyphen_part, third.words[0].joined) == \
        ("sance", 2, "naissance")
    assert (third.words[-1].joined, page.lines[3].words[0].text) == ("conservation", "servation")
    joined = {w.joined for w in all_words(page) if w.hyphen_part == 1}
    assert {"naissance", "conservation", "morale", "véritable", "remonter",
            "attentivement", "religion"} <= joined
    assert sum(line.hyphenated for line in page.lines) == 13


@needs_real
def test_alto_top_margin_is_running_head_and_page_number():
    page = page_of("alto/PPN750717092-00000780.ocr.xml")
    assert [(line.role, line.text) for line in page.lines[:2]] == [
        (PAGE_NUMBER, "676"), (HEADER, "1896. Dezember 15.")]
    assert all(line.role == BODY for line in page.lines[2:])
    assert page.lines[2].text == "Übertrag... Jk 5 125.—"


@needs_real
def test_alto_legacy_14_bold_from_stylerefs_and_printed_number():
    page = page_of("alto/logan.alto")
    assert page.printed_number == "PAGE ONE"
    assert (page.width, page.height) == (17836, 24444)   # inch1200, kept as is
    words = all_words(page)
    # Every String but two references a TextStyle with FONTSTYLE "bold ..."; TS_23.0 has none.
    assert sum(w.bold for w in words) == len(words) - 2
    assert {w.text for w in words if not w.bold} == {"U'", ";i"}
    assert page.lines[2].text == "BOOSTERS SHOW" and page.lines[2].block == "TB.0128b.2.2"
    hyphen_parts = [w for w in words if w.hyphen_part == 1]
    assert hyphen_parts[0].text == "Vnud-" and hyphen_parts[0].joined == "Vnud-vlllo"


@needs_real
def test_alto_v3_tesseract_and_v4_escriptorium():
    tess = page_of("alto/testfile.xml")
    assert tess.lines[0].text == "LEVEL 2 HEADING"
    assert tess.lines[0].words[0].confidence == pytest.approx(0.95)
    assert all(w.confidence is not None for w in all_words(tess))
    esc = page_of("alto/image100.xml")
    # One String per line: split into words, each with the String's box.
    assert esc.lines[0].text == "72"
    assert [w.text for w in esc.lines[1].words] == ["ꝛiS", "(O)", "Et-"]
    assert esc.image == "image100.jpg"
    wetzel = page_of("alto/wetzel_reisebegleiter_1901_0021.alto")
    assert wetzel.lines[0].text == "..-15-." and wetzel.lines[0].block == "par_1_1"
    assert all(w.confidence is None for w in all_words(wetzel))


# --- hOCR ----------------------------------------------------------------------

@needs_real
def test_hocr_tesseract_words_confidence_bold_blocks():
    page = page_of("hocr/tess.hocr")
    assert (page.width, page.height) == (2488, 3507)
    assert page.image == "alice_1.png"   # not beside the fixture, so kept as written
    first = page.lines[0]
    assert first.text == "1 Down the Rabbit-Hole" and first.block == "par_1_1"
    assert first.words[0].confidence == pytest.approx(0.96)
    assert (first.words[1].box.x0, first.words[1].box.y1) == (588, 581)
    assert [w.text for w in all_words(page) if w.bold] == ["A"]
    assert len(all_words(page)) == 503


@needs_real
def test_hocr_strong_inside_word_is_bold():
    page = page_of("hocr/426117689_0459.html")
    assert page.lines[0].text == "de veteri uile/Le jiutu. « 429"
    assert [w.text for w in all_words(page) if w.bold] == ["Irer,", ",", ",", "N", ":"]


@needs_real
def test_hocr_kraken_html_not_xml_characters_joined_into_words():
    page = page_of("hocr/kraken_bw_example.hocr")
    assert (page.width, page.height) == (924, 1624)
    assert page.image == "tests/resources/bw.png"   # from "bbox ..., image ..." (comma form)
    texts = [line.text for line in page.lines]
    assert texts[0] == "s14"
    assert texts[1] == "H I S T O I R E"   # letter-spaced running title, as printed
    assert texts[2] == "cerveaun. Tous ces fails paroissent ineon-"
    assert texts[3] == "testables ; on doit &tre suurpris quils aient"   # the raw '&'
    word = page.lines[2].words[0]
    assert word.text == "cerveaun." and (word.box.x0, word.box.x1) == (89, 240)
    assert 0.8 < word.confidence < 0.9   # mean of its x_confs


@needs_real
def test_hocr_ocropy_lines_without_words():
    page = page_of("hocr/litver.html")
    assert len(page.lines) == 105
    line = page.lines[2]
    assert line.text.startswith("THUM, Cornelius (2000): 2Zur Ausgestaltung")
    assert all(w.box == line.box for w in line.words)   # only the line is located
    assert page.lines[3].text == "In: Bayerische Verwaltungsbl\\&ttcr S. 33--43, 74-79."


@needs_real
def test_hocr_converted_from_alto_keeps_par_blocks_and_hyphens():
    page = page_of("hocr/417576986_0012.hocr")
    assert page.image is None   # title says 'image ;'
    assert page.lines[1].text == "esprit ont établies dès la nais-"
    assert {line.block for line in page.lines} == {"Page1_Block1"}


def test_hocr_title_properties():
    assert parse_title('image "a; b.png"; bbox 0 0 10 20; ppageno 0') == {
        "image": '"a; b.png"', "bbox": "0 0 10 20", "ppageno": "0"}
    assert parse_title("bbox 86 61 152 101, x_confs 0.9 0.8") == {
        "bbox": "86 61 152 101", "x_confs": "0.9 0.8"}
    assert parse_title("bbox 1 2 3 4; cuts 0,0,20,0 27,0,41,0")["cuts"] == "0,0,20,0 27,0,41,0"
    assert parse_title(None) == {}


def test_hocr_several_pages_and_float_bbox(tmp_path):
    path = tmp_path / "two.hocr"
    path.write_text(
        "<html><body>"
        "<div class='ocr_page' title='bbox 0 0 100 200'>"
        "<span class='ocr_line' title='bbox 1 2 50 12'>"
        "<span class='ocrx_word' title='bbox 1.4 2 20 12; x_wconf 150'>Erste</span></span></div>"
        "<div class='ocr_page' title='bbox 0 0 100 200'>"
        "<span class='ocr_header' title='bbox 1 2 50 12'>"
        "<span class='ocrx_word' title='bbox 1 2 20 12'><b>Zweite</b></span></span></div>"
        "</body></html>", encoding="utf-8")
    pages = list(read_pages(path))
    assert [p.sequence for p in pages] == [0, 1]
    assert pages[0].lines[0].words[0].confidence == 1.0   # clamped
    assert pages[0].lines[0].words[0].box.x0 == 1
    assert pages[1].lines[0].words[0].bold and pages[1].text == "Zweite"


# --- PAGE XML ------------------------------------------------------------------

@needs_real
def test_page_kant_reading_order_roles_and_word_regrouping():
    page = page_of("page/kant_aufklaerung_1784_0020.xml")
    assert page.ordered and (page.width, page.height) == (1457, 2084)
    assert (page.lines[0].role, page.lines[0].text) == (PAGE_NUMBER, "( 484 )")
    body = [line for line in page.lines if line.role == BODY]
    # Words "worden" ";" are regrouped to the line text "worden;".
    assert body[0].text == "gewiegelt worden; ſo ſchaͤdlich iſt es Vorurtheile zu"
    assert body[0].block == "r_2_1"
    assert (page.lines[-1].role, page.lines[-1].text) == (CATCH_WORD, "Stan-")


@needs_real
def test_page_estor_running_heads_marginalia_and_bold():
    page = page_of("page/estor_rechtsgelehrsamkeit02_1758_0117.xml")
    roles = [(line.role, line.text) for line in page.lines if line.role != BODY]
    assert roles[:3] == [(HEADER, "von den erbſchaften one lezten willen."), (PAGE_NUMBER, "65"),
                         (MARGINALIA, "die ſchweſter-")]
    assert roles[-2:] == [(SIGNATURE, "II teil. E"), (CATCH_WORD, "der")]
    assert [w.text for w in all_words(page) if w.bold] == [
        "von", "den", "erbſchaften", "one", "lezten", "willen.", "65"]


@needs_real
def test_page_blumenbach_footnotes():
    page = page_of("page/blumenbach_anatomie_1805_0047.xml")
    assert [(line.role, line.text) for line in page.lines[:2]] == [
        (HEADER, "Vom Gerippe der Säugethiere."), (PAGE_NUMBER, "25")]
    footnotes = [line.text for line in page.lines if line.role == FOOTNOTE]
    assert footnotes[0] == "gen Stellen aufmerksam macht, “ vbi ex"   # footnote-continued
    assert "*) Ich darf nicht alles hier wiederholen," in footnotes
    assert [line.role for line in page.lines].count(CATCH_WORD) == 2


@needs_real
def test_page_glauber_register_order_and_line_level_bold():
    page = page_of("page/glauber_opera01_1658_0009.xml")
    assert (page.lines[0].role, page.lines[0].text) == (HEADER, "Regiſter")
    assert [line.text for line in page.lines[1:3]] == ["Aphtha, wie es curirt wird.", "557"]
    # TextStyle bold="true" on the TextLine applies to its words.
    bold_lines = [line.text for line in page.lines if line.words[0].bold]
    assert "Aqua Vitæ Philoſophorum." in bold_lines and "Aſelli." in bold_lines


@needs_real
def test_page_2013_transkribus_and_raw_tesseract_confidence():
    page = page_of("page/1870_244_0431.xml")
    assert page.ordered and (page.lines[0].role, page.lines[0].text) == (PAGE_NUMBER, "8")
    assert page.lines[1].text.startswith("punkte zu Studien über die Bauſtyle")
    tess = page_of("page/OCR-D-OCR-TESS_0001.xml")
    assert [line.text for line in tess.lines[:2]] == ["20", "e CG 54"]   # r10 is empty
    assert tess.lines[0].words[0].confidence == pytest.approx(0.93)


def _pcgts(namespace_year: str, body: str) -> str:
    return (f'<PcGts xmlns="http://schema.primaresearch.org/PAGE/gts/pagecontent/{namespace_year}">'
            f'<Page imageFilename="p.png" imageWidth="100" imageHeight="200">{body}</Page></PcGts>')


def _region(region_id: str, text: str, kind: str = "paragraph") -> str:
    return (f'<TextRegion id="{region_id}" type="{kind}"><Coords points="0,0 10,0 10,10 0,10"/>'
            f'<TextLine id="{region_id}l"><Coords points="1,1 9,1 9,9 1,9"/>'
            f'<TextEquiv index="1"><Unicode>not this</Unicode></TextEquiv>'
            f'<TextEquiv index="0"><Unicode>{text}</Unicode></TextEquiv></TextLine></TextRegion>')


def test_page_nested_reading_order_and_leftovers(tmp_path):
    order = ('<ReadingOrder><OrderedGroup id="g">'
             '<RegionRefIndexed index="2" regionRef="c"/>'
             '<UnorderedGroupIndexed index="0" id="u"><RegionRef regionRef="b"/></UnorderedGroupIndexed>'
             '<RegionRefIndexed index="1" regionRef="a"/>'
             '</OrderedGroup></ReadingOrder>')
    regions = (_region("a", "eins") + _region("b", "null", "page-number") + _region("c", "zwei")
               + _region("d", "drei") + _region("e", "   "))
    path = tmp_path / "ro.xml"
    path.write_text(_pcgts("2013-07-15", order + regions), encoding="utf-8")
    page = next(read_pages(path))
    assert page.ordered
    assert [line.text for line in page.lines] == ["null", "eins", "zwei", "drei"]
    assert page.lines[0].role == PAGE_NUMBER
    assert page.lines[0].words[0].box.x0 == 1   # line box for words split from line text
    path.write_text(_pcgts("2019-07-15", regions), encoding="utf-8")
    page = next(read_pages(path))
    assert not page.ordered and page.text == "eins\nnull\nzwei\ndrei"


# --- plain text ----------------------------------------------------------------

def test_text_pages_paragraphs_and_bom(tmp_path):
    path = tmp_path / "vol.txt"
    path.write_bytes("\ufeffАБАЙ Құнанбайұлы\n\nақын\f\nекінші  бет\n\f".encode("utf-8"))
    pages = list(read_pages(path))
    assert [p.sequence for p in pages] == [0, 1] and all(p.ordered for p in pages)
    assert [line.text for line in pages[0].lines] == ["АБАЙ Құнанбайұлы", "", "ақын"]
    assert pages[0].lines[1].words == []          # paragraph break kept
    assert [w.text for w in pages[1].lines[0].words] == ["екінші", "бет"]
    assert pages[1].lines[0].box is None


def test_text_in_cp1251_says_so(tmp_path):
    path = tmp_path / "cyr.txt"
    path.write_bytes("Абай Кунанбаев — казахский поэт, просветитель.\n".encode("cp1251"))
    with pytest.raises(InputFileError) as error:
        list(read_pages(path))
    assert "not UTF-8" in error.value.problem and "CP1251" in error.value.problem
    assert "iconv" in error.value.problem


def test_text_in_utf16_says_so(tmp_path):
    path = tmp_path / "u16.txt"
    path.write_bytes("Some text\nmore text\n".encode("utf-16"))
    with pytest.raises(InputFileError) as error:
        list(read_text(path))
    assert "UTF-16" in error.value.problem and "iconv" in error.value.problem
    other = tmp_path / "u16.dat"
    other.write_bytes("Some text\nmore text\n".encode("utf-16"))
    with pytest.raises(InputFileError, match="not a recognised OCR format.*UTF-16"):
        detect_format(other)


# --- format detection ------------------------------------------------------------

@pytest.mark.parametrize("head, expected", [
    (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "image"),
    (b"II*\x00\x08\x00\x00\x00", "image"),
    (b"MM\x00*\x00\x00\x00\x08", "image"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image"),
    (b'<?xml version="1.0"?>\n<!-- c -->\n<alto xmlns="http://www.loc.gov/standards/alto/ns-v4#"/>',
     "alto"),
    (b'<alto xmlns="http://www.loc.gov/standards/alto/ns-v3#"/>', "alto"),
    (b'<alto xmlns="http://schema.ccs-gmbh.com/ALTO"/>', "alto"),
    (b'<pc:PcGts xmlns:pc="http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"/>',
     "page"),
    (b"<!DOCTYPE html>\n<html><body><div class='ocr_page'></div></body></html>", "hocr"),
    ("просто текст\n".encode("utf-8"), "text"),
])
def test_detect_format_by_content(tmp_path, head, expected):
    path = tmp_path / "input.bin"   # the extension says nothing
    path.write_bytes(head)
    assert detect_format(path) == expected


def test_detect_format_utf16_xml(tmp_path):
    path = tmp_path / "page.xml"
    path.write_bytes(_pcgts("2019-07-15", _region("a", "eins")).encode("utf-16"))
    assert detect_format(path) == "page"
    assert next(read_pages(path)).text == "eins"


@pytest.mark.parametrize("content, phrase", [
    (b"<html><body><p>no OCR here</p></body></html>", "HTML without hOCR"),
    (b"<TEI><text/></TEI>", "XML root <TEI>"),
    (bytes(range(256)) * 8, "binary"),
])
def test_detect_format_rejects_other_files(tmp_path, content, phrase):
    path = tmp_path / "input.dat"
    path.write_bytes(content)
    with pytest.raises(InputFileError) as error:
        detect_format(path)
    assert error.value.problem.startswith("not a recognised OCR format (")
    assert phrase in error.value.problem


def test_read_pages_refuses_images_and_readers_cover_text_formats(tmp_path):
    assert set(READERS) == {"alto", "page", "hocr", "text"}
    path = tmp_path / "scan.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    with pytest.raises(InputFileError, match="page image"):
        read_pages(path)


# --- hostile and broken input ------------------------------------------------------

def _one_line(error: InputFileError) -> str:
    message = str(error)
    assert "\n" not in message and "Traceback" not in message
    return message


SECRET = "s3cr3t-hostname-7f1c"


def _xxe_files(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    doctype = (f'<!DOCTYPE x [<!ENTITY x SYSTEM "file://{secret}">'
               f'<!ENTITY h SYSTEM "file:///etc/hostname">]>')
    yield read_page_xml, doctype + _pcgts("2019-07-15", _region("a", "vor &x; &h; nach"))
    yield read_hocr, (doctype + "<html><body><div class='ocr_page' title='bbox 0 0 9 9'>"
                      "<span class='ocr_line' title='bbox 0 0 9 9'><span class='ocrx_word' "
                      "title='bbox 0 0 9 9'>vor &x; &h; nach</span></span></div></body></html>")
    yield read_alto, (doctype + '<alto xmlns="http://www.loc.gov/standards/alto/ns-v2#"><Layout>'
                      '<Page WIDTH="9" HEIGHT="9"><PrintSpace><TextBlock ID="b"><TextLine>'
                      '<String CONTENT="vor"/><String CONTENT="&x;"/></TextLine></TextBlock>'
                      '</PrintSpace></Page></Layout></alto>')


def test_external_entities_are_never_expanded(tmp_path):
    hostname = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else ""
    for reader, document in _xxe_files(tmp_path):
        path = tmp_path / f"xxe_{reader.__name__}.xml"
        path.write_text(document, encoding="utf-8")
        try:
            output = "\n".join(page.text for page in read_pages(path))
        except InputFileError as error:
            output = _one_line(error)
        assert SECRET not in output
        if len(hostname) > 3:
            assert hostname not in output
        assert "&x;" not in output


def _bomb(levels: int = 10) -> str:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels))
    return f"<!DOCTYPE x [{entities}]>"


@pytest.mark.parametrize("reader_name", ["page", "hocr", "alto"])
def test_billion_laughs_neither_expands_nor_hangs(tmp_path, reader_name):
    bomb = _bomb()
    documents = {
        "page": bomb + _pcgts("2019-07-15", _region("a", "&lol9;")),
        "hocr": bomb + ("<html><body><div class='ocr_page' title='bbox 0 0 9 9'><span "
                        "class='ocr_line' title='bbox 0 0 9 9'>&lol9;</span></div></body></html>"),
        "alto": bomb + ('<alto><Layout><Page WIDTH="9" HEIGHT="9"><PrintSpace><TextBlock>'
                        '<TextLine><String CONTENT="&lol9;"/></TextLine></TextBlock></PrintSpace>'
                        '</Page></Layout></alto>'),
    }
    path = tmp_path / "bomb.xml"
    path.write_text(documents[reader_name], encoding="utf-8")
    started = time.monotonic()
    try:
        output = "\n".join(page.text for page in READERS[reader_name](path))
    except InputFileError as error:
        output = _one_line(error)
    assert time.monotonic() - started < 2
    assert output.count("lol") < 10


@needs_real
@pytest.mark.parametrize("relative", [
    "page/kant_aufklaerung_1784_0020.xml", "alto/417576986_0012.alto", "hocr/tess.hocr"])
def test_truncated_files_fail_with_one_line(tmp_path, relative):
    data = (REAL / relative).read_bytes()
    path = tmp_path / Path(relative).name
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputFileError) as error:
        list(read_pages(path))
    message = _one_line(error.value)
    assert str(path) in message
    assert "truncated or malformed XML" in message and "line " in message


@pytest.mark.parametrize("reader", [read_alto, read_page_xml, read_hocr, read_text])
def test_binary_and_empty_files_fail_cleanly(tmp_path, reader):
    binary = tmp_path / "random.bin"
    binary.write_bytes(bytes(range(256)) * 64)
    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"")
    blank = tmp_path / "blank.txt"
    blank.write_bytes(b"  \n\n ")
    for path, phrase in ((binary, "binary"), (empty, "empty"), (blank, "empty")):
        with pytest.raises(InputFileError) as error:
            list(reader(path))
        assert phrase in _one_line(error.value)
    with pytest.raises(InputFileError, match="empty"):
        detect_format(empty)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(InputFileError, match="no such file"):
        detect_format(tmp_path / "nope.xml")
    with pytest.raises(InputFileError, match="folder"):
        list(read_alto(tmp_path))


@pytest.mark.parametrize("reader, document", [
    (read_alto, '<alto xmlns="http://www.loc.gov/standards/alto/ns-v2#"><Layout/></alto>'),
    (read_page_xml, '<PcGts xmlns="http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"/>'),
    (read_hocr, "<html><head><meta name='ocr-capabilities' content='ocr_page'/></head></html>"),
])
def test_files_without_pages_say_so(tmp_path, reader, document):
    path = tmp_path / "nopage.xml"
    path.write_text(document, encoding="utf-8")
    with pytest.raises(InputFileError, match="nothing to read"):
        list(reader(path))
