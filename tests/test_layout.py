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
