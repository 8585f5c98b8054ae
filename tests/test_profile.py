"""Profiles: load, validate, and refuse what Wikipedia cannot take."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from importer.errors import ProfileError
from importer.profile import MAPPINGS_DIR, load_profile


def write_variant(tmp_path: Path, edit) -> Path:
    """A copy of the Kazakh profile (with its tables) after `edit(dict)`."""
    data = tomllib.loads((MAPPINGS_DIR / "kk-encyclopedia.toml").read_text(encoding="utf-8"))
    edit(data)
    (tmp_path / "kk-encyclopedia").mkdir(exist_ok=True)
    (tmp_path / "kk-encyclopedia" / "abbreviations.tsv").write_text(
        (MAPPINGS_DIR / "kk-encyclopedia" / "abbreviations.tsv").read_text(encoding="utf-8"),
        encoding="utf-8")
    path = tmp_path / "variant.toml"
    path.write_text(_dump(data), encoding="utf-8")
    return path


def _dump(data: dict) -> str:
    def value(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return str(v)
        if isinstance(v, str):
            return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{" + ", ".join(f"{value(k)} = {value(x)}" for k, x in v.items()) + "}"
        raise TypeError(v)
    out = []
    for key, v in data.items():
        if not isinstance(v, (dict, list)) or (isinstance(v, list) and not v) or \
                (isinstance(v, list) and not isinstance(v[0], dict)):
            out.append(f"{key} = {value(v)}")
    for key, v in data.items():
        if isinstance(v, dict):
            out.append(f"[{key}]")
            out += [f"{value(k)} = {value(x)}" for k, x in v.items()]
        elif isinstance(v, list) and v and isinstance(v[0], dict):
            for entry in v:
                out.append(f"[[{key}]]")
                out += [f"{k} = {value(x)}" for k, x in entry.items()]
    return "\n".join(out) + "\n"


def test_kazakh_profile_loads():
    profile = load_profile("kk-encyclopedia")
    assert profile.name == "kk-encyclopedia" and profile.language == "kk"
    assert profile.ocr_language == "kaz"
    assert profile.title == "«Қазақстан» ұлттық энциклопедиясы"
    assert profile.letters[:3] == ["А", "Ә", "Б"] and len(profile.letters) == 42
    assert profile.get("see", "marker") == "қ."
    assert profile.license_label == "CC BY-SA 3.0"
    assert profile.license_error is None
    shorts = {a.short: a for a in profile.abbreviations}
    assert shorts["ж."].expansion == "жылы" and shorts["ж."].when == "after-year"
    assert shorts["км"].when == "never"
    assert profile.volume_for("/x/kk-sample/hocr/p1.hocr") == 1
    assert profile.volume_for("/elsewhere/p1.hocr", default=7) == 7
    # The letters this script's print and OCR confuse, for repairing headwords.
    assert "кқ" in profile.get("alphabet", "confusable")
    assert profile.get("alphabet", "confusable_splits")["ш"] == ["ін", "іі", "ііі"]
    assert profile.get("repair", "edge_specks") is True


def test_second_profile_has_nothing_kazakh():
    profile = load_profile("en-encyclopedia")
    assert profile.language == "en" and profile.letters[0] == "A"
    assert profile.get("attribution", "template") == "CC-notice"
    assert profile.get("see", "marker") == "see"
    assert profile.get("alphabet", "confusable") == []
    assert profile.get("alphabet", "confusable_splits") == {}


def test_profile_by_path(tmp_path):
    path = write_variant(tmp_path, lambda d: d.update(name="copy"))
    assert load_profile(str(path)).name == "copy"
    assert load_profile(path).path == path


def test_unknown_profile_names_the_known_ones():
    with pytest.raises(ProfileError, match="kk-encyclopedia"):
        load_profile("no-such-encyclopedia")


@pytest.mark.parametrize("edit, key", [
    (lambda d: d.update(colour="red"), "colour"),
    (lambda d: d["see"].update(markr="x"), "see.markr"),
    (lambda d: d["see"].pop("marker"), "see.marker"),
    (lambda d: d.pop("alphabet"), "alphabet"),
    (lambda d: d["attribution"].pop("template"), "attribution.template"),
    (lambda d: d["headword"].update(max_lines="two"), "headword.max_lines"),
    (lambda d: d["summary"].update(pattern="{work} {colour}"), "summary.pattern"),
    (lambda d: d["summary"].update(pattern="{work"), "summary.pattern"),
    (lambda d: d["attribution"]["params"].update(x="{nope}"), "attribution.params.x"),
    (lambda d: d["see"].update(inline="(қ.)"), "see.inline"),
    (lambda d: d["alphabet"].update(letters="А а"), "alphabet.letters"),
    (lambda d: d["titles"].update(homonym_qualifier="colour"), "titles.homonym_qualifier"),
    (lambda d: d["license"].update(name="CC BY-NC-SA"), "license.name"),
    (lambda d: d["license"].update(name="CC BY-ND"), "license.name"),
    (lambda d: d["license"].update(name="GFDL"), "license.name"),
    (lambda d: d["license"].update(name="All rights reserved"), "license.name"),
    (lambda d: d["license"].update(version="1.0"), "license.version"),
    (lambda d: d["abbreviations"].update(file="nope.tsv"), "abbreviations.file"),
    (lambda d: d["volumes"][0].pop("number"), "volumes[0].number"),
    (lambda d: d["alphabet"].update(confusable="кқ"), "alphabet.confusable"),
    (lambda d: d["alphabet"].update(confusable=["к"]), "alphabet.confusable"),
    (lambda d: d["alphabet"].update(confusable=["КҚ"]), "alphabet.confusable"),
    (lambda d: d["alphabet"].update(confusable=["ккқ"]), "alphabet.confusable"),
    (lambda d: d["alphabet"].update(confusable_splits={"шш": ["ін"]}),
     "alphabet.confusable_splits.шш"),
    (lambda d: d["alphabet"].update(confusable_splits={"ш": "ін"}),
     "alphabet.confusable_splits.ш"),
    (lambda d: d["alphabet"].update(confusable_splits={"ш": []}),
     "alphabet.confusable_splits.ш"),
    (lambda d: d.setdefault("repair", {}).update(edge_specks="yes"), "repair.edge_specks"),
])
def test_bad_profile_names_the_key(tmp_path, edit, key):
    path = write_variant(tmp_path, edit)
    with pytest.raises(ProfileError) as caught:
        load_profile(str(path))
    assert key in str(caught.value)


def test_bad_abbreviation_rule_names_the_line(tmp_path):
    path = write_variant(tmp_path, lambda d: None)
    table = tmp_path / "kk-encyclopedia" / "abbreviations.tsv"
    table.write_text("ж.\tжылы\tsometimes\n", encoding="utf-8")
    with pytest.raises(ProfileError, match=r"line 1.*sometimes"):
        load_profile(str(path))


def test_missing_license_evidence_loads_but_is_recorded(tmp_path):
    def edit(d):
        d["license"].pop("source_url")
    profile = load_profile(str(write_variant(tmp_path, edit)))
    assert profile.license_error and "license.source_url" in profile.license_error


def test_ticket_is_license_evidence(tmp_path):
    def edit(d):
        d["license"].pop("source_url")
        d["license"]["ticket"] = "2024010110000001"
    assert load_profile(str(write_variant(tmp_path, edit))).license_error is None


def test_not_toml(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("name = [", encoding="utf-8")
    with pytest.raises(ProfileError, match="not valid TOML"):
        load_profile(str(path))
