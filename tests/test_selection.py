"""Trial selections (importer/selection.py): reproducible, the uploader's choice, on disk."""
from __future__ import annotations

import json

import pytest

from importer import selection as sel
from importer.errors import InputFileError, UsageError


def articles(n: int) -> list[dict]:
    return [{"id": f"1-{i:05d}", "title": f"Мақала {i}", "kind": "article", "wikitext": "x"}
            for i in range(n)]


def test_no_option_selects_everything_in_printed_order():
    batch = articles(7)
    assert sel.select(batch) == [a["id"] for a in batch]


def test_every_k_takes_the_first_and_then_every_kth():
    assert sel.select(articles(10), every=3) == ["1-00000", "1-00003", "1-00006", "1-00009"]
    assert sel.select(articles(3), every=1) == ["1-00000", "1-00001", "1-00002"]


def test_sample_is_reproducible_in_printed_order_and_depends_on_the_seed():
    batch = articles(1000)
    first = sel.select(batch, sample=25)
    assert len(first) == 25 == len(set(first))
    assert first == sel.select(batch, sample=25)
    assert first == sorted(first)                                   # printed order
    assert sel.select(batch, sample=25, seed=1) != first
    assert sel.select(batch, sample=5000) == [a["id"] for a in batch]


def test_every_then_sample():
    batch = articles(100)
    chosen = sel.select(batch, sample=5, every=10)
    assert len(chosen) == 5 and all(int(i[2:]) % 10 == 0 for i in chosen)


@pytest.mark.parametrize("sample, every, seed", [(None, None, 0), (10, None, 0), (10, None, 3),
                                                 (None, 4, 0), (7, 3, 5), (500, None, 0)])
def test_the_uploader_makes_the_same_choice(sample, every, seed):
    from importer.upload import Options, select
    batch = articles(200)
    theirs = select(batch, Options(sample=sample, every=every, seed=seed))
    assert sel.select(batch, sample=sample, every=every, seed=seed) == [a["id"] for a in theirs]


@pytest.mark.parametrize("options", [{"sample": 0}, {"sample": -1}, {"every": 0}])
def test_bad_numbers_are_usage_errors(options):
    with pytest.raises(UsageError):
        sel.select(articles(5), **options)


def test_write_and_read_back(tmp_path):
    batch = articles(50)
    ids = sel.select(batch, sample=4, seed=2)
    path = sel.write_selection(tmp_path, batch, ids, sample=4, seed=2)
    assert path == tmp_path / "selection.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == "importer-selection/1"
    assert data["method"] == {"sample": 4, "every": None, "seed": 2}
    assert data["batch"] == {"articles": 50, "fingerprint": sel.fingerprint(batch)}
    assert data["count"] == 4 and data["ids"] == ids
    assert data["titles"] == [f"Мақала {int(i[2:])}" for i in ids]
    assert sel.read_selection(path, batch) == ids
    assert [a["id"] for a in sel.apply(batch, reversed(ids))] == ids
    assert not list(tmp_path.glob("*.partial"))


def test_a_selection_of_another_batch_is_refused(tmp_path):
    path = sel.write_selection(tmp_path, articles(10), ["1-00003", "1-00009"])
    # articles added after the selection: its ids still hold
    assert sel.read_selection(path, articles(12)) == ["1-00003", "1-00009"]
    with pytest.raises(InputFileError, match="1 of 2 selected articles are not in this batch"):
        sel.read_selection(path, articles(5))


@pytest.mark.parametrize("content", ["", "{", "[]", '{"format": "other"}',
                                     '{"format": "importer-selection/1", "ids": "x"}'])
def test_not_a_selection_file(tmp_path, content):
    path = tmp_path / "s.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputFileError):
        sel.read_selection(path)


def test_missing_selection_file(tmp_path):
    with pytest.raises(InputFileError, match="cannot read"):
        sel.read_selection(tmp_path / "nope.json")
