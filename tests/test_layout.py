"""Reading order, running heads and page numbers, on real files and built pages."""
from __future__ import annotations

from importer import layout
from importer.model import Box, Line, Page, Word
from importer.readers import read_pages


def _line(text: str, x0: int, y0: int, x1: int, block: str) -> Line:
    words, x = [], x0
    step = (x1 - x0) // max(1, len(text.split()))
    for token in text.split():
        words.append(Word(token, Box(x, y0, x + step - 8, y0 + 20)))
        x += step
    return Line(words=words, box=Box(x0, y0, x1, y0 + 20), block=block)


def _two_column_page(interleaved: bool) -> tuple[Page, list[str]]:
    """A page whose engine split each column into two blocks."""
    left = [f"left {i} text words here" for i in range(12)]
    right = [f"right {i} text words here" for i in range(12)]
    blocks = {
        "L1": [_line(t, 100, 100 + 30 * i, 480, "L1") for i, t in enumerate(left[:6])],
        "L2": [_line(t, 100, 100 + 30 * i, 480, "L2") for i, t in enumerate(left[6:], 6)],
        "R1": [_line(t, 540, 100 + 30 * i, 920, "R1") for i, t in enumerate(right[:6])],
        "R2": [_line(t, 540, 100 + 30 * i, 920, "R2") for i, t in enumerate(right[6:], 6)],
    }
    order = ["L1", "R1", "L2", "R2"] if interleaved else ["L1", "L2", "R1", "R2"]
    lines = [line for name in order for line in blocks[name]]
    return Page(lines=lines, source="synthetic", width=1000, height=1400), left + right


def test_interleaved_blocks_are_read_column_by_column():
    page, expected = _two_column_page(interleaved=True)
    assert [l.text for l in page.lines] != expected  # the engine's order is wrong
    assert [l.text for l in layout.order_lines(page)] == expected


def test_columns_found_from_boxes():
    page, _ = _two_column_page(interleaved=False)
    columns = layout.find_columns(page.lines)
    assert columns.count == 2
    (gutter_start, gutter_end), = columns.gutters
    assert 480 <= gutter_start and gutter_end <= 540


def test_line_merged_across_the_gutter_is_split():
    page, expected = _two_column_page(interleaved=False)
    first_left, first_right = page.lines[0], page.lines[12]
    merged = Line(words=first_left.words + first_right.words,
                  box=Box(100, 100, 920, 120), block="merged")
    page.lines = [merged] + page.lines[1:12] + page.lines[13:]
    assert [l.text for l in layout.order_lines(page)] == expected


def test_full_width_heading_cuts_the_page_into_bands():
    top_left = [_line(f"a{i} top left words", 100, 100 + 30 * i, 480, "A") for i in range(4)]
    top_right = [_line(f"b{i} top right words", 540, 100 + 30 * i, 920, "B") for i in range(4)]
    heading = _line("A HEADING ACROSS THE WHOLE PAGE WIDTH", 100, 250, 920, "H")
    low_left = [_line(f"c{i} low left words", 100, 300 + 30 * i, 480, "C") for i in range(4)]
    low_right = [_line(f"d{i} low right words", 540, 300 + 30 * i, 920, "D") for i in range(4)]
    page = Page(lines=low_right + heading.words and [heading] + low_left + top_right + top_left
                + low_right, source="synthetic")
    texts = [l.text for l in layout.order_lines(page)]
    expected = ([l.text for l in top_left + top_right] + [heading.text]
                + [l.text for l in low_left + low_right])
    assert texts == expected


def test_tesseract_alto_two_columns_in_order(real_ocr):
    """testfile.xml: a one-column section, then two columns (Tesseract 4.1 ALTO)."""
    page = next(read_pages(real_ocr / "alto" / "testfile.xml"))
    texts = [l.text for l in layout.order_lines(page)]
    # The one-column part is read first, whole, then column one, then column two.
    assert texts.index("iaculis at est.") < texts.index("LEVEL 4 HEADING")
    end_of_first = texts.index("odio cursus iaculis.")
    assert texts.index("LEVEL 4 HEADING") < end_of_first
    # Column two starts at the top of the page's lower part, after all of column one.
    assert texts[end_of_first + 1] == "LEVEL 5 HEADING"
    assert texts.index("Level 6 Heading") > end_of_first + 1


def test_page_numbers_read_through_ocr_damage():
    assert layout.page_number_of("17") == "17"
    assert layout.page_number_of("ІІ") == "11"
    assert layout.page_number_of("..-15-.") == "15"
    assert layout.page_number_of("( 484 )") == "484"
    assert layout.page_number_of("Абай") is None
    assert layout.page_number_of("1845 жылы туған") is None


def test_guide_words():
    assert layout.looks_like_guide_words("АБАЙ — ӘУЕЗОВ")
    assert layout.looks_like_guide_words("АҚСУ - АЛМАТЫ")
    assert not layout.looks_like_guide_words("АБАЙ — ақын, ойшыл")
    assert not layout.looks_like_guide_words("Абай — Әуезов")


def test_page_xml_roles_are_dropped(real_ocr):
    page = next(read_pages(real_ocr / "page" / "kant_aufklaerung_1784_0020.xml"))
    lines = layout.order_lines(page)
    classified = layout.classify(page, lines, repeated=set())
    dropped = {lines[i].text: role for i, role in classified.dropped}
    assert dropped["( 484 )"] == "page-number"
    assert classified.printed_number == "484"
    assert "Stan-" in dropped  # the catch-word
    first_body = next(line for line in lines if line.role == "body")
    assert first_body.text.startswith("gewiegelt worden; ſo ſchaͤdlich")
    assert first_body.text not in dropped


def test_running_head_on_top_row_and_page_number_by_position():
    lines = [_line("АБАЙ — АЛМАТЫ", 400, 40, 620, "head"), _line("17", 880, 40, 920, "num")]
    lines += [_line(f"мәтін жолы {i} сөздер", 100, 100 + 30 * i, 480, "L") for i in range(10)]
    lines += [_line(f"екінші баған {i} сөздер", 540, 100 + 30 * i, 920, "R") for i in range(10)]
    page = Page(lines=lines, source="synthetic")
    ordered = layout.order_lines(page)
    classified = layout.classify(page, ordered, repeated=set())
    dropped = sorted((ordered[i].text, role) for i, role in classified.dropped)
    assert dropped == [("17", "page-number"), ("АБАЙ — АЛМАТЫ", "header")]
    assert classified.printed_number == "17"


def test_body_line_at_the_top_is_kept():
    lines = [_line(f"мәтін жолы {i} сөздер бар", 100, 100 + 30 * i, 480, "L") for i in range(10)]
    lines += [_line(f"екінші баған {i} сөздер", 540, 100 + 30 * i, 920, "R") for i in range(10)]
    page = Page(lines=lines, source="synthetic")
    ordered = layout.order_lines(page)
    assert layout.classify(page, ordered, repeated=set()).dropped == []


# --- noisy scans: pieces of lines, heads OCR damaged, unreadable folios, specks ---

def _words_line(words: list[tuple[str, int, int]], y0: int, height: int = 24,
                block: str = "b") -> Line:
    """A line from (text, x0, x1) words, all at one height."""
    boxed = [Word(text, Box(x0, y0, x1, y0 + height)) for text, x0, x1 in words]
    return Line(words=boxed, box=Box.union([w.box for w in boxed]), block=block)


def _column_text(x0: int, x1: int, top: int, count: int, prefix: str) -> list[Line]:
    return [_line(f"{prefix} {i} мәтін сөздер жолы", x0, top + 30 * i, x1, prefix)
            for i in range(count)]


def test_pieces_of_one_printed_line_side_by_side_are_joined():
    """Tesseract read "АТЫРАУ —" and "Атырау облысының" as two lines of one row."""
    lines = _column_text(100, 480, 100, 6, "сол") + _column_text(540, 920, 100, 6, "оң")
    head = _words_line([("АТЫРАУ", 130, 240), ("—", 250, 280)], 281, block="x")
    rest = _words_line([("Атырау", 300, 390), ("облысының", 400, 480)], 280, block="y")
    page = Page(lines=[rest] + lines + [head], source="synthetic")
    texts = [line.text for line in layout.order_lines(page)]
    assert "АТЫРАУ — Атырау облысының" in texts
    assert texts.index("АТЫРАУ — Атырау облысының") == 6  # after the left column's lines


def test_lines_one_above_the_other_are_not_joined():
    """A speck stretches a line's box down over the next line: words overlap, two lines."""
    lines = _column_text(100, 480, 100, 6, "сол") + _column_text(540, 920, 100, 6, "оң")
    long_line = _words_line([("әлемдегі", 100, 200), ("ең", 210, 240), ("ірі", 250, 480)], 280)
    long_line.box = Box(100, 280, 480, 330)
    short = _words_line([("болды,", 100, 170)], 312)
    page = Page(lines=lines + [long_line, short], source="synthetic")
    texts = [line.text for line in layout.order_lines(page)]
    assert "әлемдегі ең ірі" in texts and "болды," in texts


def test_running_head_and_folio_on_one_row_stay_apart():
    head = _words_line([("АБАЙ", 400, 470), ("—", 480, 500), ("АЛМАТЫ", 510, 620)], 40)
    folio = _words_line([("17", 880, 920)], 40)
    rows = _column_text(100, 480, 100, 10, "a") + _column_text(540, 920, 100, 10, "b")
    page = Page(lines=[head, folio] + rows, source="synthetic")
    texts = [line.text for line in layout.order_lines(page)]
    assert "17" in texts and "АБАЙ — АЛМАТЫ" in texts


def _three_columns(top: int = 160) -> list[Line]:
    return (_column_text(100, 560, top, 12, "a") + _column_text(600, 1060, top, 12, "b")
            + _column_text(1100, 1560, top, 12, "c"))


def test_running_head_set_across_the_columns_is_dropped_though_ocr_lost_its_dash():
    """"АҢЫРАҚАЙ шайқасы Е Әі-блғышн ..." over three columns: no dash, a speck-tall box."""
    head = _words_line([("АҢЫРАҚАЙ", 300, 500), ("шайқасы", 520, 680), ("Е", 700, 720),
                        ("атындығы", 740, 980), ("ҰЛТТЫҚ", 1000, 1200),
                        ("УНИВЕРСИТЕТІ", 1220, 1380)], 70, height=40)
    head.box = Box(300, 70, 1380, 150)  # specks stretch it down to the text below
    page = Page(lines=[head] + _three_columns(), source="synthetic")
    ordered = layout.order_lines(page)
    top_row, _ = layout.edge_rows(ordered)
    assert ordered.index(head) in top_row
    classified = layout.classify(page, ordered, repeated=set())
    assert (ordered.index(head), "header") in classified.dropped


def test_full_width_text_line_at_the_top_is_kept():
    """A line across the columns with ordinary line spacing below is text, not a head."""
    first = _words_line([("Бірінші", 100, 400), ("жол", 420, 900), ("бүкіл", 920, 1200),
                         ("бет", 1220, 1560)], 130)
    page = Page(lines=[first] + _three_columns(top=160), source="synthetic")
    ordered = layout.order_lines(page)
    assert layout.classify(page, ordered, repeated=set()).dropped == []


def test_unreadable_folio_centred_at_the_bottom_is_dropped():
    """The folio "41" read as "ЕТ": a short mark centred alone under the columns."""
    folio = _words_line([("ЕТ", 800, 860)], 540)
    page = Page(lines=_three_columns(top=160) + [folio], source="synthetic")
    ordered = layout.order_lines(page)
    classified = layout.classify(page, ordered, repeated=set())
    assert [(ordered[i].text, role) for i, role in classified.dropped] == [("ЕТ", "page-number")]
    assert classified.printed_number is None


def test_specks_at_the_line_ends_are_stripped():
    line = _words_line([("“", 90, 93), (":", 96, 99), ("ескерткіштеріне", 110, 300),
                        ("Атасу,", 310, 380), ("|", 470, 472), ("-", 480, 483)], 100)
    stripped, removed = layout.strip_edge_specks(line)
    assert stripped.text == "ескерткіштеріне Атасу,"
    assert removed == 4
    assert stripped.box == Box(110, 100, 380, 124)  # the box of the text, for indents


def test_real_dashes_and_signs_at_the_line_ends_are_kept():
    line = _words_line([("§", 100, 112), ("12", 118, 140), ("Қозы", 150, 210),
                        ("Көрпеш", 220, 310), ("—", 320, 350)], 100)
    assert layout.strip_edge_specks(line) == (line, 0)


def test_marks_glued_after_a_line_end_hyphen_are_specks():
    line = _words_line([("ақын", 100, 160), ("қа-:", 170, 220)], 100)
    stripped, removed = layout.strip_edge_specks(line)
    assert stripped.text == "ақын қа-"
    assert removed == 1


def test_a_line_of_specks_only_becomes_empty():
    line = _words_line([(".", 100, 103), ("“", 300, 303)], 100)
    stripped, removed = layout.strip_edge_specks(line)
    assert stripped.text == "" and removed == 2
