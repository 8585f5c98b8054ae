"""Loads and validates an encyclopedia profile (mappings/NAME.toml).

Everything specific to one encyclopedia lives in its profile, nothing in code.
A profile is validated on load: a missing or unknown key, a value of the wrong
type, a bad pattern, or a license Wikipedia cannot take is a ProfileError
naming the key.

Schema (section.key: type, * = required):

    name*, title*, language*           str
    [ocr] language                     str   Tesseract -l (default "kaz")
    [[volumes]] number* title year match
    [alphabet] letters*                str   collation order, space-separated capitals
               lookalikes              table Latin look-alike -> letter (headwords only)
               confusable              list  groups of lower-case letters print and OCR
                                             confuse (["аәэ", "кқ"]): repairing a headword
                                             word from the volume's spelling, such a
                                             confusion costs half an edit (default: none)
               confusable_splits       table letter -> list of letter sequences OCR reads
                                             it as (ш = ["ін"]), also at half an edit
    [headword] dashes                  list  separators between headword and definition
               max_lines               int   lines a headword may wrap onto (default 2)
               name_particles          list  lower-case words allowed in a headword
               max_name_parts          int   name parts before the dash (default 6)
    [see] marker*                      str   the "see" marker ("қ.")
          variants                     list  OCR'd forms of the marker, trusted in a see context
          inline                       str   how "(қ. X)" is written; {links}
          redirect_max_words           int   longest definition that may be a redirect
    [abbreviations] file               str   TSV beside the profile (abbr, expansion, when, note)
    [titles] homonym_format            str   "{title} ({qualifier})"
             homonym_qualifier         str   "definition" | "number"
             hyphen_parts              str   "capitalize" | "lower"
             forbidden                 str   "repair" | "reject"
             person_format             str   "SURNAME Given Patronymic" -> e.g. "{given} {surname}"
                                             ("" keeps the printed order)
             patronymic_suffixes       list  a name part ending so is a patronymic, not a given name
    [license] name* version* url source_work* editors publisher place years
              source_url ticket adapted_note
              (source_url or ticket is required: the license evidence)
    [attribution] heading* template* params on_redirects
    [summary] pattern* redirect_pattern
    [redirect] magic_word               str  (default "#REDIRECT")
    [categories] articles redirects     list of category names
    [site] family code url
    [repair] cyrillic_lookalikes dashes superscripts (bool), quotes (str)   page stage
             edge_specks               bool  marks standing alone at a line's ends (. : “ |,
                                             a dash narrower than half a letter) are specks
                                             and removed (default true; false for a
                                             typography that spaces its punctuation, « mot »)

Placeholders allowed in attribution params and summary patterns:
{volume} {pages} {title} {license} {license_url} {work} {years} {publisher}
{source_url} {ticket} {note}.
"""
from __future__ import annotations

import fnmatch
import string
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import regex

from .errors import ProfileError

MAPPINGS_DIR = Path(__file__).resolve().parent.parent / "mappings"

PLACEHOLDERS = {"volume", "pages", "title", "license", "license_url", "work", "years",
                "publisher", "source_url", "ticket", "note"}
ABBREVIATION_RULES = {"always", "after-year", "after-number", "before-number",
                      "after-roman", "after-name", "never"}
# Licenses Wikipedia takes (conventions.md): CC BY-SA 2.0-4.0, CC BY, CC0, public domain.
ACCEPTED_LICENSES = {
    "CC BY-SA": {"2.0", "2.5", "3.0", "4.0"},
    "CC BY": {"2.0", "2.5", "3.0", "4.0"},
    "CC0": {"1.0"},
    "PD": {""},
}

# section -> key -> (type, required, default)
_STR, _INT, _BOOL, _LIST, _TABLE = str, int, bool, list, dict
SCHEMA: dict[str, dict[str, tuple]] = {
    "ocr": {"language": (_STR, False, "kaz")},
    "alphabet": {"letters": (_STR, True, None), "lookalikes": (_TABLE, False, {}),
                 "confusable": (_LIST, False, []), "confusable_splits": (_TABLE, False, {})},
    "headword": {"dashes": (_LIST, False, ["—", "–", "--", "-"]),
                 "max_lines": (_INT, False, 2),
                 "name_particles": (_LIST, False, []),
                 "max_name_parts": (_INT, False, 6)},
    "see": {"marker": (_STR, True, None), "variants": (_LIST, False, []),
            "inline": (_STR, False, "({links})"),
            "redirect_max_words": (_INT, False, 12)},
    "abbreviations": {"file": (_STR, False, "")},
    "titles": {"homonym_format": (_STR, False, "{title} ({qualifier})"),
               "homonym_qualifier": (_STR, False, "definition"),
               "hyphen_parts": (_STR, False, "capitalize"),
               "forbidden": (_STR, False, "repair"),
               "person_format": (_STR, False, ""),
               "patronymic_suffixes": (_LIST, False, [])},
    # Required license keys are checked by check_license, not on load, so that
    # a profile still being written can OCR; rendering refuses it (license.py).
    "license": {"name": (_STR, False, ""), "version": (_STR, False, ""),
                "url": (_STR, False, ""), "source_work": (_STR, False, ""),
                "editors": (_LIST, False, []), "publisher": (_STR, False, ""),
                "place": (_STR, False, ""), "years": (_STR, False, ""),
                "source_url": (_STR, False, ""), "ticket": (_STR, False, ""),
                "adapted_note": (_STR, False, "adapted from OCR, wikified")},
    "attribution": {"heading": (_STR, True, None), "template": (_STR, True, None),
                    "params": (_TABLE, False, {}), "on_redirects": (_BOOL, False, False)},
    "summary": {"pattern": (_STR, True, None), "redirect_pattern": (_STR, False, "")},
    "redirect": {"magic_word": (_STR, False, "#REDIRECT")},
    "categories": {"articles": (_LIST, False, []), "redirects": (_LIST, False, [])},
    "site": {"family": (_STR, False, "wikipedia"), "code": (_STR, False, ""),
             "url": (_STR, False, "")},
    # Read by the page stage (repair.RepairRules.from_profile).
    "repair": {"cyrillic_lookalikes": (_BOOL, False, True), "dashes": (_BOOL, False, True),
               "quotes": (_STR, False, "«»"), "superscripts": (_BOOL, False, True),
               "edge_specks": (_BOOL, False, True)},
}
REQUIRED_SECTIONS = {"alphabet", "see", "attribution", "summary"}
_TOP_KEYS = {"name", "title", "language", "volumes"} | set(SCHEMA)


@dataclass
class Volume:
    number: int
    title: str = ""
    year: int | None = None
    match: str = ""  # glob matched against a source path; "" matches nothing

    def matches(self, path: str) -> bool:
        return bool(self.match) and fnmatch.fnmatch(path, self.match)


@dataclass(frozen=True)
class Abbreviation:
    short: str
    expansion: str
    when: str
    note: str = ""


@dataclass
class Profile:
    name: str
    path: Path
    title: str
    language: str                     # content language, e.g. "kk"
    ocr_language: str = "kaz"         # Tesseract -l
    volumes: list[Volume] = field(default_factory=list)
    raw: dict = field(default_factory=dict)
    # Validated sections with defaults filled in (see SCHEMA).
    sections: dict[str, dict] = field(default_factory=dict)
    abbreviations: list[Abbreviation] = field(default_factory=list)
    # Why the license is not (yet) usable: missing evidence. None when it is.
    # A license Wikipedia cannot take never loads at all.
    license_error: str | None = None

    def volume_for(self, source: str, default: int = 1) -> int:
        for volume in self.volumes:
            if volume.matches(source):
                return volume.number
        return default

    def get(self, section: str, key: str):
        """A validated value (or its default): profile.get("see", "marker")."""
        if section not in SCHEMA or key not in SCHEMA[section]:
            raise KeyError(f"{section}.{key} is not a profile key")
        return self.sections.get(section, {}).get(key, SCHEMA[section][key][2])

    @property
    def letters(self) -> list[str]:
        return self.get("alphabet", "letters").split()

    @property
    def license_label(self) -> str:
        """"CC BY-SA 3.0"."""
        return f"{self.get('license', 'name')} {self.get('license', 'version')}".strip()


def resolve_profile_path(name_or_path: str) -> Path:
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" or candidate.exists():
        if not candidate.is_file():
            raise ProfileError(f"profile {name_or_path}: no such file")
        return candidate
    named = MAPPINGS_DIR / f"{name_or_path}.toml"
    if not named.is_file():
        known = ", ".join(sorted(p.stem for p in MAPPINGS_DIR.glob("*.toml"))) or "none"
        raise ProfileError(f"profile {name_or_path!r} not found in mappings/ (known: {known})")
    return named


def load_profile(name_or_path: str | Path) -> Profile:
    path = resolve_profile_path(str(name_or_path))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(f"profile {path}: not valid TOML ({exc})") from None
    return profile_from_dict(data, path)


def profile_from_dict(data: dict, path: Path) -> Profile:
    """Validates a parsed profile; `path` names it in errors and anchors its tables."""
    def fail(key: str, problem: str):
        raise ProfileError(f"profile {path}: {key}: {problem}")

    unknown = set(data) - _TOP_KEYS
    if unknown:
        fail(sorted(unknown)[0], "unknown key")
    for key in ("name", "title", "language"):
        if key not in data:
            fail(key, "missing key")
        if not isinstance(data[key], str) or not data[key].strip():
            fail(key, "must be a non-empty string")
    for section in sorted(REQUIRED_SECTIONS):
        if section not in data:
            fail(section, "missing section")

    sections: dict[str, dict] = {}
    for section, keys in SCHEMA.items():
        given = data.get(section, {})
        if not isinstance(given, dict):
            fail(section, "must be a table")
        for key in given:
            if key not in keys:
                fail(f"{section}.{key}", "unknown key")
        values = {}
        for key, (kind, required, default) in keys.items():
            name = f"{section}.{key}"
            if key not in given:
                if required:
                    fail(name, "missing key")
                values[key] = default
                continue
            value = given[key]
            if kind is int and (not isinstance(value, int) or isinstance(value, bool)):
                fail(name, f"must be an integer, not {value!r}")
            elif kind is not int and not isinstance(value, kind):
                fail(name, f"must be a {kind.__name__}, not {type(value).__name__}")
            if kind is str and required and not value.strip():
                fail(name, "must not be empty")
            values[key] = value
        sections[section] = values

    _check_alphabet(sections, fail)
    _check_patterns(sections, fail)
    license_error = None
    try:
        check_license(sections["license"], fail)
    except ProfileError as exc:
        if not getattr(exc, "missing", False):
            raise
        license_error = exc.message

    volumes = []
    for index, entry in enumerate(data.get("volumes", [])):
        where = f"volumes[{index}]"
        if not isinstance(entry, dict):
            fail(where, "must be a table")
        for key in entry:
            if key not in {"number", "title", "year", "match"}:
                fail(f"{where}.{key}", "unknown key")
        if "number" not in entry:
            fail(f"{where}.number", "missing key")
        if not isinstance(entry["number"], int):
            fail(f"{where}.number", "must be an integer")
        volumes.append(Volume(number=int(entry["number"]), title=entry.get("title", ""),
                              year=entry.get("year"), match=entry.get("match", "")))

    abbreviations = _load_abbreviations(path, sections["abbreviations"]["file"], fail)
    return Profile(name=data["name"], path=path, title=data["title"],
                   language=data["language"], ocr_language=sections["ocr"]["language"],
                   volumes=volumes, raw=data, sections=sections,
                   abbreviations=abbreviations, license_error=license_error)


def _check_alphabet(sections, fail) -> None:
    letters = sections["alphabet"]["letters"].split()
    if not letters:
        fail("alphabet.letters", "must list at least one letter")
    if len(set(letters)) != len(letters):
        fail("alphabet.letters", "lists a letter twice")
    for letter in letters:
        if not regex.fullmatch(r"\p{Lu}+", letter):
            fail("alphabet.letters", f"{letter!r} is not an upper-case letter")
    for src, dst in sections["alphabet"]["lookalikes"].items():
        if not isinstance(dst, str) or len(src) != 1 or len(dst) != 1:
            fail(f"alphabet.lookalikes.{src}", "must map one character to one character")
    for group in sections["alphabet"]["confusable"]:
        if not isinstance(group, str) or len(group) < 2 or not regex.fullmatch(r"\p{Ll}+", group):
            fail("alphabet.confusable", f"{group!r} is not a group of two or more lower-case letters")
        if len(set(group)) != len(group):
            fail("alphabet.confusable", f"{group!r} lists a letter twice")
    for letter, forms in sections["alphabet"]["confusable_splits"].items():
        if not regex.fullmatch(r"\p{Ll}", letter):
            fail(f"alphabet.confusable_splits.{letter}", "the key must be one lower-case letter")
        if not isinstance(forms, list) or not forms or not all(
                isinstance(f, str) and regex.fullmatch(r"\p{Ll}+", f) for f in forms):
            fail(f"alphabet.confusable_splits.{letter}",
                 "must be a list of lower-case letter sequences")
    dashes = sections["headword"]["dashes"]
    if not dashes or not all(isinstance(d, str) and d and not d.isspace() for d in dashes):
        fail("headword.dashes", "must be a list of non-empty strings")
    if sections["headword"]["max_lines"] < 1:
        fail("headword.max_lines", "must be at least 1")
    if not all(isinstance(p, str) for p in sections["headword"]["name_particles"]):
        fail("headword.name_particles", "must be a list of strings")
    if sections["titles"]["homonym_qualifier"] not in {"definition", "number"}:
        fail("titles.homonym_qualifier", "must be 'definition' or 'number'")
    if sections["titles"]["hyphen_parts"] not in {"capitalize", "lower"}:
        fail("titles.hyphen_parts", "must be 'capitalize' or 'lower'")
    if sections["titles"]["forbidden"] not in {"repair", "reject"}:
        fail("titles.forbidden", "must be 'repair' or 'reject'")
    if not sections["redirect"]["magic_word"].startswith("#"):
        fail("redirect.magic_word", "must start with '#'")
    for key in ("articles", "redirects"):
        if not all(isinstance(c, str) and c.strip() for c in sections["categories"][key]):
            fail(f"categories.{key}", "must be a list of category names")


def _fields(pattern: str, name: str, allowed: set[str], fail) -> None:
    try:
        parsed = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        fail(name, f"bad pattern {pattern!r} ({exc})")
    for _, field_name, spec, conversion in parsed:
        if field_name is None:
            continue
        if field_name not in allowed:
            fail(name, f"unknown placeholder {{{field_name}}} in {pattern!r}"
                       f" (known: {', '.join(sorted(allowed))})")
        if spec or conversion:
            fail(name, f"placeholder {{{field_name}}} takes no format spec")


def _check_patterns(sections, fail) -> None:
    _fields(sections["see"]["inline"], "see.inline", {"links"}, fail)
    if "{links}" not in sections["see"]["inline"]:
        fail("see.inline", "must contain {links}")
    _fields(sections["titles"]["homonym_format"], "titles.homonym_format",
            {"title", "qualifier"}, fail)
    if "{title}" not in sections["titles"]["homonym_format"] or \
            "{qualifier}" not in sections["titles"]["homonym_format"]:
        fail("titles.homonym_format", "must contain {title} and {qualifier}")
    _fields(sections["titles"]["person_format"], "titles.person_format",
            {"given", "surname"}, fail)
    _fields(sections["summary"]["pattern"], "summary.pattern", PLACEHOLDERS, fail)
    _fields(sections["summary"]["redirect_pattern"], "summary.redirect_pattern",
            PLACEHOLDERS, fail)
    template = sections["attribution"]["template"]
    if regex.search(r"[{}\[\]|#<>]", template):
        fail("attribution.template", f"{template!r} is not a template name")
    for key, value in sections["attribution"]["params"].items():
        if not isinstance(value, str):
            fail(f"attribution.params.{key}", "must be a string")
        if regex.search(r"[{}|=]", key) and key.strip():
            fail(f"attribution.params.{key}", "bad parameter name")
        _fields(value, f"attribution.params.{key}", PLACEHOLDERS, fail)


def check_license(lic: dict, fail) -> None:
    """Rejects a license Wikipedia cannot take, or one without evidence.

    A license Wikipedia cannot take (NC, ND, GFDL-only, unknown) is reported
    through `fail`; missing keys or missing evidence raise a ProfileError with
    `missing = True`, which load_profile keeps for the render stage.
    """
    def missing(key: str, problem: str):
        error = ProfileError(f"{key}: {problem}")
        error.missing = True
        raise error

    raw_name = str(lic.get("name", "")).strip()
    name = " ".join(raw_name.replace("-", " ").upper().split())
    version = str(lic.get("version", "")).strip()
    words = name.split()
    if raw_name:
        if "NC" in words or "ND" in words:
            fail("license.name", f"{raw_name!r}: NC and ND licenses cannot be used on Wikipedia")
        if "GFDL" in words or "FDL" in words:
            fail("license.name", f"{raw_name!r}: GFDL-only text cannot be used on Wikipedia")
        canonical = {"CC BY SA": "CC BY-SA", "CC BY": "CC BY", "CC0": "CC0",
                     "PD": "PD", "PUBLIC DOMAIN": "PD"}.get(name)
        if canonical is None:
            fail("license.name", f"unknown license {raw_name!r} (accepted: "
                                 f"{', '.join(sorted(ACCEPTED_LICENSES))})")
        if canonical != "PD" and version and version not in ACCEPTED_LICENSES[canonical]:
            fail("license.version",
                 f"{canonical} {version!r} is not a version Wikipedia accepts")
    if not raw_name:
        missing("license.name", "no license: the profile must name the license")
    if canonical != "PD" and not version:
        missing("license.version", "missing key")
    if not str(lic.get("source_work", "")).strip():
        missing("license.source_work", "missing key: name the source work")
    if not str(lic.get("source_url", "")).strip() and not str(lic.get("ticket", "")).strip():
        missing("license.source_url", "no license evidence: give source_url or ticket")


def _load_abbreviations(path: Path, relative: str, fail) -> list[Abbreviation]:
    if not relative:
        return []
    table = (path.parent / relative).resolve()
    if not table.is_file():
        fail("abbreviations.file", f"{table}: no such file")
    result, seen = [], set()
    for number, line in enumerate(table.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = line.split("\t")
        where = f"abbreviations.file ({table.name}, line {number})"
        if len(cells) < 3:
            fail(where, "needs abbreviation, expansion and when, separated by tabs")
        short, expansion, when = (c.strip() for c in cells[:3])
        if not short or not expansion:
            fail(where, "empty abbreviation or expansion")
        if not set(when.split("|")) <= ABBREVIATION_RULES:
            fail(where, f"unknown rule {when!r} (known: {', '.join(sorted(ABBREVIATION_RULES))})")
        if short in seen:
            fail(where, f"{short!r} listed twice")
        seen.add(short)
        result.append(Abbreviation(short, expansion, when,
                                   cells[3].strip() if len(cells) > 3 else ""))
    return result
