"""Line-end hyphens and OCR repair of Kazakh text."""
from __future__ import annotations

from collections import Counter

import pytest

from importer.hyphens import ends_with_break, join_lines
from importer.repair import RepairRules, repair_line


@pytest.mark.parametrize("marker", ["-", "\u00ad", "\u2010", "\u2e17"])
def test_break_hyphen_variants_join(marker):
    first, rest, was_break = join_lines(f"ежелгі қала{marker}", "сы бар", Counter())
    assert (first, rest, was_break) == ("ежелгі қаласы", "бар", True)


def test_own_hyphen_kept_when_the_volume_spells_it_so():
    vocabulary = Counter({"ән-күй": 2})
    assert join_lines("қазақ ән-", "күй мен", vocabulary)[:2] == ("қазақ ән-күй", "мен")


def test_break_when_the_volume_spells_the_word_whole():
    vocabulary = Counter({"алматы": 4, "алма-ты": 0})
    assert join_lines("қаласы Алма-", "ты, ол", vocabulary)[0] == "қаласы Алматы,"


def test_capitalised_compound_keeps_its_hyphen_without_evidence():
    first, rest, was_break = join_lines("бұрынғы атауы Алма-", "Ата. Ол", Counter())
    assert (first, rest, was_break) == ("бұрынғы атауы Алма-Ата.", "Ол", False)


def test_explicit_joined_word_from_the_source_wins():
    first, rest, _ = join_lines("la nais\u00ad", "sance de", Counter(), explicit_word="naissance")
    assert (first, rest) == ("la naissance", "de")


def test_dash_at_line_end_is_no_break():
    assert not ends_with_break("АБАЙ —")
    assert not ends_with_break("сөз -")
    assert ends_with_break("қала-")


def _repair(text: str) -> tuple[str, Counter]:
    counts = Counter()
    return repair_line(text, RepairRules(), counts), counts


def test_em_dash_read_as_double_hyphen_glued_to_headword():
    text, counts = _repair("АҚЫН---қазақ халқының")
    assert text == "АҚЫН — қазақ халқының"
    assert counts["dash"] == 1


def test_spaced_hyphen_is_a_dash_but_a_compound_is_not():
    assert _repair("Абай - ақын")[0] == "Абай — ақын"
    assert _repair("Алма-Ата қаласы")[0] == "Алма-Ата қаласы"


def test_latin_lookalikes_inside_cyrillic_words():
    text, counts = _repair("бiрiншi hәм Aлмaты")
    assert text == "бірінші һәм Алматы"
    assert counts["latin-lookalike"] == 6


def test_latin_words_are_left_alone():
    assert _repair("Gutenberg және Unesco")[0] == "Gutenberg және Unesco"


def test_quotes_and_nfc():
    decomposed = "и\u0306"  # й as и + combining breve
    text, counts = _repair(f'"Абай жолы" ро{decomposed}ы')
    assert text == "«Абай жолы» ройы"
    assert counts["quotes"] == 2 and counts["nfc"] == 1


def test_square_unit_read_as_question_mark():
    assert _repair("ауданы 20 км? жер")[0] == "ауданы 20 км² жер"
    assert _repair("Неге? Себебі")[0] == "Неге? Себебі"
