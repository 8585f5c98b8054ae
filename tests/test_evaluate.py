"""Evaluation against a ground truth."""
from __future__ import annotations

import json

import pytest

from importer.articles import build_articles
from importer.errors import InputFileError
from importer.evaluate import align, evaluate, format_evaluation, start_key
from importer.model import PageRecord
from importer.profile import load_profile

TRUTH = [
    {"headword": "АҚМОЛА", "title": "Ақмола", "kind": "redirect", "target": "Астана",
     "text": "АҚМОЛА — қ. Астана."},
    {"headword": "АҚСУ", "title": "Ақсу (қала)", "kind": "article", "target": None,
     "text": "АҚСУ — Павлодар облысындағы қала."},
    {"headword": "АҚСУ", "title": "Ақсу (өзен)", "kind": "article", "target": None,
     "text": "АҚСУ — Алматы облысындағы өзен."},
    {"headword": "АСТАНА", "title": "Астана", "kind": "article", "target": None,
     "text": "АСТАНА — Қазақстан Республикасының астанасы.\nЕсіл өзенінің бойында."},
]


def make_batch(tmp_path, page_texts):
    batch = tmp_path / "batch"
    batch.mkdir()
    with (batch / "pages.jsonl").open("w", encoding="utf-8") as fh:
        for i, text in enumerate(page_texts):
            fh.write(json.dumps(PageRecord(volume=1, page=i + 1, source="s",
                                           text=text).to_json(), ensure_ascii=False) + "\n")
    build_articles(batch, load_profile("kk-encyclopedia"), progress=False)
    truth = tmp_path / "truth.json"
    truth.write_text(json.dumps({"format": "importer-truth/1", "articles": TRUTH},
                                ensure_ascii=False), encoding="utf-8")
    return batch, truth


def test_perfect_batch(tmp_path):
    batch, truth = make_batch(tmp_path, [
        "АҚМОЛА — қ. Астана.\nАҚСУ — Павлодар облысындағы қала.\nАҚСУ — Алматы облысындағы",
        "өзен.\nАСТАНА — Қазақстан Республикасының астанасы.\n\nЕсіл өзенінің бойында."])
    result = evaluate(batch, truth)
    assert result["boundary"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert result["titles"]["exact"] == 1.0
    assert result["redirects"]["accuracy"] == 1.0
    assert result["cer"] == 0.0
    assert result["raw_cer"] == 0.0       # the same text, only cut into lines
    text = format_evaluation(result)
    assert "F1 100.0%" in text and "titles exact: 100.0%" in text


def test_missed_and_merged_articles_count(tmp_path):
    # The second АҚСУ is lost inside the first (its line does not start a head).
    batch, truth = make_batch(tmp_path, [
        "АҚМОЛА — Астана.\nАҚСУ — Павлодар облысындағы қала.\nАкcу Алматы облысындағы өзен.\n"
        "АСТАНА — Қазақстан Республикасының астанасы. Есіл өзенінің бойында."])
    result = evaluate(batch, truth)
    assert result["articles"] == {"truth": 4, "predicted": 3, "matched": 3}
    assert result["boundary"]["precision"] == 1.0
    assert result["boundary"]["recall"] == 0.75
    assert result["boundary"]["f1"] == pytest.approx(0.8571, abs=1e-4)
    assert result["redirects"]["accuracy"] == 0.0
    assert result["titles"]["exact"] == pytest.approx(2 / 3, abs=1e-4)   # "Ақсу" unqualified
    assert result["titles"]["wrong"] == [["Ақсу", "Ақсу (қала)"]]
    assert result["missed"] == ["Ақсу (өзен)"]
    assert 0 < result["cer"] < 0.1


def test_alignment_is_fuzzy_and_ordered():
    truth = [start_key(t) for t in ["АБАЙ — ақын", "АБАЙ ЖОЛЫ — роман", "АЙТЫС — сайыс"]]
    predicted = [start_key(t) for t in ["AБAЙ — aкын", "АЙТЫС — сайыс", "АЙТЫС ӨНЕРІ — сайыс"]]
    assert align(predicted, truth) == [(0, 0), (1, 2)]


def test_bad_truth_file(tmp_path):
    path = tmp_path / "t.json"
    path.write_text('{"articles": []}', encoding="utf-8")
    with pytest.raises(InputFileError, match="importer-truth/1"):
        evaluate(tmp_path, path)
