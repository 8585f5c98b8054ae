"""Titles: the letter confusions that repair damaged headword words come from the profile."""
from __future__ import annotations

import pytest

from importer.profile import load_profile
from importer.titles import Confusions, Speller, ocr_distance


@pytest.fixture(scope="module")
def kk():
    return load_profile("kk-encyclopedia")


def test_confusions_come_from_the_profile(kk):
    confusions = Confusions.from_profile(kk)
    assert confusions.fold("э") == confusions.fold("ә") == confusions.fold("а")
    assert ocr_distance("құнанбайұлы", "құнанбайүлік", confusions) == 2.0
    assert ocr_distance("шығыс", "інығыс", confusions) == 0.5   # Ш read as ІН


def test_without_confusions_every_edit_costs_one():
    assert ocr_distance("құнанбайұлы", "құнанбайүлік") == 3.0
    assert ocr_distance("шығыс", "інығыс") == 2.0
    assert Confusions().fold("э") == "э"


def test_english_profile_has_no_cyrillic_confusions():
    en = load_profile("en-encyclopedia")
    assert en.get("alphabet", "confusable") == []
    assert Confusions.from_profile(en).sibling == {}


def test_letters_in_two_groups_fold_together(kk):
    """і is confused with и (иійї) and with ы (ыі): one bucket for all of them."""
    confusions = Confusions.from_profile(kk)
    assert confusions.fold("ы") == confusions.fold("и") == confusions.fold("і")
    assert ocr_distance("ы", "і", confusions) == ocr_distance("и", "і", confusions) == 0.5


def _speller(profile=None) -> Speller:
    speller = Speller(profile)
    speller.add_text("Әулие-Ата қаласы. Әулие-Ата маңы. Әулиелер.", 1)
    return speller


def test_speller_repairs_a_confused_first_letter_with_the_profile(kk):
    assert _speller(kk).respell("ЭУЛИЕ-АТА") == "ӘУЛИЕ-АТА"


def test_speller_without_a_profile_knows_no_confusions():
    assert _speller().respell("ЭУЛИЕ-АТА") is None
