"""`importer build` on real files and on hostile input, as a user runs it."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import run_importer

PROFILE = ["--profile", "kk-encyclopedia"]


def _pages(batch: Path) -> list[dict]:
    with open(batch / "pages.jsonl", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def test_every_real_ocr_file_builds(real_ocr, tmp_path):
    batch = tmp_path / "batch"
    # One SOURCE per format: within one folder the same page in two formats is read once.
    done = run_importer("build", *(str(real_ocr / kind) for kind in ("alto", "hocr", "page")),
                        *PROFILE, "--out", str(batch), "--pages-only")
    assert done.returncode == 0, done.stderr
    pages = _pages(batch)
    sources = {Path(p["source"]).name for p in pages}
    expected = {p.name for p in real_ocr.rglob("*") if p.suffix in {".xml", ".alto", ".hocr", ".html"}}
    assert sources == expected
    by_name = {Path(p["source"]).name: p for p in pages}
    # ALTO HYP + SUBS_CONTENT: "naissance" joined onto its first line.
    assert "dès la naissance" in by_name["417576986_0012.alto"]["text"]
    # PAGE page-number and header regions are dropped and give the printed number.
    estor = by_name["estor_rechtsgelehrsamkeit02_1758_0117.xml"]
    assert estor["page"] == 65
    assert "65" in estor["dropped"]
    assert "von den erbſchaften one lezten willen." in estor["dropped"]
    assert "von den erbſchaften one lezten willen." not in estor["text"]
    # ALTO TopMargin page number (ABBYY) and the Tesseract page number by position.
    assert by_name["PPN750717092-00000780.ocr.xml"]["page"] == 676
    assert by_name["wetzel_reisebegleiter_1901_0021.alto"]["page"] == 15
    assert "..-15-." in by_name["wetzel_reisebegleiter_1901_0021.alto"]["dropped"]
    # Word confidences become a page mean in 0..1.
    assert 0.5 < by_name["tess.hocr"]["confidence"] <= 1
    report = json.loads((batch / "report.json").read_text())
    assert report["pages"]["pages"] == len(pages)
    assert (batch / "importer.log").stat().st_size > 0


def test_same_page_in_two_formats_is_read_once(real_ocr, tmp_path):
    done = run_importer("build", str(real_ocr), *PROFILE, "--out", str(tmp_path / "b"),
                        "--pages-only")
    assert done.returncode == 0, done.stderr
    names = [Path(p["source"]).name for p in _pages(tmp_path / "b")]
    # ALTO is preferred over hOCR for the same page (417576986_0012, wetzel_...).
    assert "417576986_0012.alto" in names and "417576986_0012.hocr" not in names
    assert len(names) == len(set(Path(n).stem for n in names))


def test_plain_text_pages_split_on_form_feed(tmp_path):
    source = tmp_path / "vol.txt"
    source.write_text("17\nАБАЙ — ақын, қала-\nсы бар.\n\fЕкінші бет мәтіні\nжәне жалғасы\n",
                      encoding="utf-8")
    batch = tmp_path / "batch"
    done = run_importer("build", str(source), *PROFILE, "--out", str(batch), "--pages-only")
    assert done.returncode == 0, done.stderr
    pages = _pages(batch)
    assert [p["page"] for p in pages] == [17, 2]
    assert pages[0]["text"] == "АБАЙ — ақын, қаласы\nбар."
    assert pages[0]["dropped"] == ["17"]
    assert pages[1]["text"] == "Екінші бет мәтіні\nжәне жалғасы"


def test_hyphenated_word_across_a_page_break(tmp_path):
    source = tmp_path / "vol.txt"
    source.write_text("бірінші бет\nсоңғы жолы қала-\n\fсы бар екінші\nбет мәтіні\n", encoding="utf-8")
    batch = tmp_path / "batch"
    assert run_importer("build", str(source), *PROFILE, "--out", str(batch),
                        "--pages-only").returncode == 0
    first, second = _pages(batch)
    assert first["text"].endswith("соңғы жолы қаласы")
    assert second["text"].startswith("бар екінші")


def _hostile_files(folder: Path) -> dict[str, Path]:
    folder.mkdir()
    files = {
        "truncated": folder / "truncated.xml",
        "binary": folder / "binary.xml",
        "empty": folder / "empty.txt",
        "cp1251": folder / "cp1251.txt",
        "utf16": folder / "utf16.txt",
        "bomb": folder / "bomb.xml",
        "xxe": folder / "xxe.xml",
        "bad_image": folder / "bad.png",
    }
    files["truncated"].write_text('<?xml version="1.0"?><alto xmlns="http://www.loc.gov/standards/'
                                  'alto/ns-v3#"><Layout><Page><PrintSpace><TextBlock>')
    files["binary"].write_bytes(bytes(range(256)) * 8)
    files["empty"].write_bytes(b"")
    files["cp1251"].write_bytes("Абай — қазақ ақыны, ойшыл".encode("cp1251", errors="replace"))
    files["utf16"].write_text("Абай — қазақ ақыны", encoding="utf-16")
    lol = '<!ENTITY a "lollollollollollollollollollol">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
    files["bomb"].write_text(f'<?xml version="1.0"?><!DOCTYPE alto [{lol}]>'
                             '<alto xmlns="http://www.loc.gov/standards/alto/ns-v3#"><Layout>'
                             '<Page WIDTH="100" HEIGHT="100"><PrintSpace><TextBlock><TextLine>'
                             '<String CONTENT="&j;" HPOS="1" VPOS="1" WIDTH="5" HEIGHT="5"/>'
                             '</TextLine></TextBlock></PrintSpace></Page></Layout></alto>')
    secret = folder / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    files["xxe"].write_text(f'<?xml version="1.0"?><!DOCTYPE alto [<!ENTITY x SYSTEM '
                            f'"file://{secret}">]><alto xmlns="http://www.loc.gov/standards/alto/'
                            'ns-v3#"><Layout><Page WIDTH="100" HEIGHT="100"><PrintSpace>'
                            '<TextBlock><TextLine><String CONTENT="before &x; after" HPOS="1" '
                            'VPOS="1" WIDTH="5" HEIGHT="5"/></TextLine></TextBlock></PrintSpace>'
                            '</Page></Layout></alto>')
    files["bad_image"].write_bytes(b"\x89PNG\r\n\x1a\n" + b"this is not really an image" * 20)
    return files


@pytest.mark.parametrize("kind", ["truncated", "binary", "empty", "cp1251", "utf16", "bomb",
                                  "bad_image"])
def test_hostile_input_gives_one_line_error(tmp_path, kind):
    path = _hostile_files(tmp_path / "in")[kind]
    done = run_importer("build", str(path), *PROFILE, "--out", str(tmp_path / "b"), "--pages-only")
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("importer: error")]
    assert len(errors) == 1, done.stderr
    assert path.name in errors[0]


def test_external_entity_is_never_expanded(tmp_path):
    path = _hostile_files(tmp_path / "in")["xxe"]
    batch = tmp_path / "b"
    done = run_importer("build", str(path), *PROFILE, "--out", str(batch), "--pages-only")
    assert "Traceback" not in done.stderr
    written = "".join(p.read_text(errors="replace") for p in batch.rglob("*") if p.is_file())
    assert "TOP-SECRET-CONTENT" not in written + done.stdout + done.stderr


def test_one_bad_file_among_good_ones(tmp_path, real_ocr):
    files = _hostile_files(tmp_path / "in")
    good = tmp_path / "good"
    good.mkdir()
    shutil.copy(real_ocr / "hocr" / "tess.hocr", good / "page-1.hocr")
    shutil.copy(real_ocr / "alto" / "testfile.xml", good / "page-2.xml")
    batch = tmp_path / "b"
    done = run_importer("build", str(good), str(files["truncated"]), str(files["cp1251"]),
                        *PROFILE, "--out", str(batch), "--pages-only", "-q")
    assert done.returncode == 65
    assert "Traceback" not in done.stderr
    assert "truncated.xml" in done.stdout and "cp1251.txt" in done.stdout
    assert "FAILED 2 input(s)" in done.stdout
    pages = _pages(batch)
    assert [Path(p["source"]).name for p in pages] == ["page-1.hocr", "page-2.xml"]
    report = json.loads((batch / "report.json").read_text())
    assert {Path(f["file"]).name for f in report["pages"]["failed"]} == {"truncated.xml", "cp1251.txt"}


def test_unknown_profile_is_a_clear_error(tmp_path, real_ocr):
    done = run_importer("build", str(real_ocr / "hocr" / "tess.hocr"), "--profile", "nope",
                        "--out", str(tmp_path / "b"))
    assert done.returncode == 78
    assert done.stderr.strip().startswith("importer: error: profile 'nope' not found")


# --- page numbers, line-end specks and hyphens on noisy scans ---------------------

def test_page_number_confirmed_by_its_file_name_anchors_the_volume():
    """3 columns, heavy noise: "42" read as "2222", "44" as "22", "41" not at all;
    "43" agrees with page-043.xml, so the others follow from it."""
    from importer.pages import page_numbers
    assert page_numbers([None, "2222", "43", "22"], [41, 42, 43, 44]) == [41, 42, 43, 44]


def test_page_numbers_without_agreement_are_left_as_read():
    from importer.pages import page_numbers
    # File names that are scan counts, not printed pages, confirm nothing.
    assert page_numbers([None, "2222", "43", "22"], [1, 2, 3, 4]) == [1, 2222, 43, 22]
    # Neighbours agreeing still anchor, as before.
    assert page_numbers(["217", "18", "19"], [None, None, None]) == [17, 18, 19]


def test_file_number_is_the_last_number_of_the_name():
    from importer.pages import file_number
    assert file_number(Path("scans/vol-2/page-041.png")) == 41
    assert file_number(Path("IMG_0001_0417.xml")) == 417
    assert file_number(Path("title.xml")) is None


def test_multi_page_file_names_confirm_no_page(tmp_path):
    """One file, many pages: its name says nothing about each page's number."""
    source = tmp_path / "page-005.txt"
    source.write_text("5\nбірінші\nбет мәтіні\n\f13\nекінші\nбет мәтіні\n", encoding="utf-8")
    batch = tmp_path / "batch"
    assert run_importer("build", str(source), *PROFILE, "--out", str(batch),
                        "--pages-only").returncode == 0
    # "5" is not confirmed by the name page-005 (the file holds two pages): as read.
    assert [p["page"] for p in _pages(batch)] == [5, 13]


def test_specks_at_line_ends_removed_in_the_page_text(tmp_path):
    """An ALTO page whose lines carry specks at both ends: the text has none of them,
    and the box of each line is its text's (indentation stays visible)."""
    lines = []
    for i in range(6):
        y = 100 + 40 * i
        indent = 30 if i == 3 else 0
        lines.append(
            f'<TextLine HPOS="60" VPOS="{y}" WIDTH="600" HEIGHT="30">'
            f'<String CONTENT="“" HPOS="60" VPOS="{y}" WIDTH="3" HEIGHT="3"/>'
            f'<String CONTENT="жолдың{i}" HPOS="{100 + indent}" VPOS="{y}" WIDTH="150" HEIGHT="28"/>'
            f'<String CONTENT="мәтіні" HPOS="{270 + indent}" VPOS="{y}" WIDTH="150" HEIGHT="28"/>'
            f'<String CONTENT="|" HPOS="655" VPOS="{y}" WIDTH="3" HEIGHT="20"/></TextLine>')
    alto = ('<?xml version="1.0" encoding="UTF-8"?>'
            '<alto xmlns="http://www.loc.gov/standards/alto/ns-v3#"><Layout>'
            '<Page WIDTH="800" HEIGHT="1000" PHYSICAL_IMG_NR="1"><PrintSpace>'
            '<TextBlock HPOS="60" VPOS="100" WIDTH="600" HEIGHT="300">' + "".join(lines)
            + '</TextBlock></PrintSpace></Page></Layout></alto>')
    (tmp_path / "page-001.xml").write_text(alto, encoding="utf-8")
    batch = tmp_path / "batch"
    done = run_importer("build", str(tmp_path / "page-001.xml"), *PROFILE, "--out", str(batch),
                        "--pages-only")
    assert done.returncode == 0, done.stderr
    page, = _pages(batch)
    assert page["text"].split("\n") == [f"жолдың{i} мәтіні" for i in range(6)]
    assert [box[0] for box in page["boxes"]] == [100, 100, 100, 130, 100, 100]
    assert page["repairs"]["speck"] == 12


def test_edge_specks_can_be_kept_by_the_profile(tmp_path):
    """A typography that spaces its punctuation (« mot ») turns the rule off."""
    from test_profile import write_variant
    profile = write_variant(tmp_path, lambda d: d.setdefault("repair", {}).update(
        edge_specks=False))
    source = tmp_path / "page-001.xml"
    source.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<alto xmlns="http://www.loc.gov/standards/alto/ns-v3#"><Layout>'
        '<Page WIDTH="800" HEIGHT="1000"><PrintSpace><TextBlock>'
        '<TextLine HPOS="100" VPOS="100" WIDTH="400" HEIGHT="30">'
        '<String CONTENT="«" HPOS="100" VPOS="100" WIDTH="12" HEIGHT="20"/>'
        '<String CONTENT="mot" HPOS="120" VPOS="100" WIDTH="60" HEIGHT="20"/>'
        '<String CONTENT="»" HPOS="190" VPOS="100" WIDTH="12" HEIGHT="20"/></TextLine>'
        '</TextBlock></PrintSpace></Page></Layout></alto>', encoding="utf-8")
    batch = tmp_path / "batch"
    done = run_importer("build", str(source), "--profile", str(profile), "--out", str(batch),
                        "--pages-only")
    assert done.returncode == 0, done.stderr
    assert _pages(batch)[0]["text"] == "« mot »"


def test_broken_word_goes_on_past_specks_glued_to_its_second_part():
    from collections import Counter
    from importer.hyphens import join_lines
    first, rest, was_break = join_lines("Шыңғыстау баурайында ту-", "“ған. Әкесі", Counter())
    assert (first, rest, was_break) == ("Шыңғыстау баурайында туған.", "Әкесі", True)


def test_lower_case_word_does_not_go_on_in_capitals():
    """"жерлен-" (OCR lost "ген.") then the next article's "АЗИЯ —": no join."""
    from collections import Counter
    from importer.hyphens import join_lines
    first, rest, was_break = join_lines("кесенесіне жерлен-", "АЗИЯ — құрлық", Counter())
    assert (first, rest) == ("кесенесіне жерлен-", "АЗИЯ — құрлық")
    assert join_lines("Алма-", "Ата қаласы", Counter())[0] == "Алма-Ата"
