"""Article -> wikitext: the bold lead, paragraphs, cross-reference links,
abbreviations expanded where the profile says so, the source section; and the
escaping that makes the page show exactly the printed text.

Every rendered page is parsed back with mwparserfromhell: it may hold only the
nodes the renderer made (its links, the profile's template, its heading, the
bold lead, the entities of its escaping, text). Anything else fails the article.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Callable

import mwparserfromhell
import regex
from mwparserfromhell.nodes import Heading, HTMLEntity, Tag, Template, Text, Wikilink

from . import license as lic
from .profile import Profile

# -- escaping -------------------------------------------------------------------

_ALWAYS = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "[": "&#91;", "]": "&#93;",
           "{": "&#123;", "}": "&#125;", "|": "&#124;"}
_LINE_START = {"*": "&#42;", "#": "&#35;", ":": "&#58;", ";": "&#59;", "=": "&#61;",
               " ": "&#32;", "-": "&#45;"}
# URL schemes MediaWiki links by itself ($wgUrlProtocols without the "//" form).
_PROTOCOL = regex.compile(
    r"(?i)(?<![\p{L}\p{N}])(?:https?|ftps?|sftp|mailto|news|nntp|irc|ircs|gopher|telnet|"
    r"worldwind|svn|git|mms|ssh|magnet|tel|sip|sips|sms|urn|xmpp|geo|bitcoin|matrix|redis)(:)")
_MAGIC = regex.compile(r"(?<![\p{L}\p{N}])(ISBN|RFC|PMID)(?=[\s\u00a0]*[\dXx])")
# Values an entity of ours may stand for (checked on the parsed page).
ESCAPED = set(_ALWAYS) | set(_LINE_START) | {"'", "~", "_"} | set("IRP")


def escape(text: str, line_start: bool = False) -> str:
    """Wikitext that shows `text` exactly as it is (html.unescape gives it back)."""
    special: dict[int, str] = {}
    for m in _PROTOCOL.finditer(text):
        special[m.start(1)] = "&#58;"
    for m in _MAGIC.finditer(text):
        special[m.start(1)] = f"&#{ord(text[m.start(1)])};"
    if line_start and text:
        if text.startswith("----"):
            special[0] = "&#45;"
        elif text[0] in _LINE_START and text[0] != "-":
            special[0] = _LINE_START[text[0]]
    out = []
    n = len(text)
    for i, c in enumerate(text):
        if i in special:
            out.append(special[i])
        elif c in _ALWAYS:
            out.append(_ALWAYS[c])
        elif c == "'" and (i == 0 or i == n - 1 or text[i - 1] == "'" or text[i + 1] == "'"):
            # '' and ''' are italics and bold; at a piece's edge a quote could
            # join the markup next to it.
            out.append("&#39;")
        elif c == "~" and ("~~" in text[max(0, i - 2):i + 3]):
            out.append("&#126;")
        elif c == "_" and ((i > 0 and text[i - 1] == "_") or (i + 1 < n and text[i + 1] == "_")):
            out.append("&#95;")
        elif c == "\n":
            out.append(" ")
        else:
            out.append(c)
    return "".join(out)


# -- pieces -----------------------------------------------------------------------

@dataclass
class Rendered:
    wikitext: str
    issues: list[dict] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    expansions: int = 0


def _issue(kind: str, message: str, severity: str = "warning") -> dict:
    return {"kind": kind, "message": message, "severity": severity}


class Renderer:
    def __init__(self, profile: Profile, title_for: Callable[[str], str | None] | None = None):
        """`title_for(printed)` turns a printed cross-reference target into a
        title (None: not a valid title); by default capitals become normal case."""
        self.profile = profile
        self.title_for = title_for or default_title
        markers = [profile.get("see", "marker")] + list(profile.get("see", "variants"))
        alternatives = "|".join(regex.escape(m) for m in sorted(markers, key=len, reverse=True))
        self.inline_ref = regex.compile(
            r"\(\s*(?:" + alternatives + r")\s+(?P<targets>[^()]+?)\s*\)")
        # "қ. X." as a sentence of its own (after a full stop or at the start).
        self.sentence_ref = regex.compile(
            r"(?:(?<=^)|(?<=[.!?]\s+))(?:" + alternatives +
            r")\s+(?P<targets>[^.;()!?]+?)\s*(?P<end>\.|$)")
        self.inline = profile.get("see", "inline")
        self.abbreviations = {a.short: a for a in profile.abbreviations}
        shorts = sorted(self.abbreviations, key=len, reverse=True)
        self.abbr_re = regex.compile(
            r"(?<![\p{L}\p{N}.])(?:" + "|".join(regex.escape(s) for s in shorts) +
            r")(?![\p{L}\p{N}])") if shorts else None
        self.template = profile.get("attribution", "template")
        self.heading = profile.get("attribution", "heading")
        self.magic = profile.get("redirect", "magic_word")

    # -- cross-references ------------------------------------------------------
    def _links(self, targets: str, issues: list, made: list) -> str | None:
        """Wikitext of the links for "X, Y", or None if one is not a good title."""
        rendered = []
        for printed in regex.split(r"\s*[,;]\s*", targets.strip()):
            printed = printed.strip().rstrip(".")
            if not printed:
                continue
            title = self.title_for(printed)
            if not title:
                issues.append(_issue("bad-link", f"cross-reference {printed!r} is not a title"))
                return None
            made.append(title)
            shown = printed if printed == title or printed.lower() != title.lower() else title
            if shown == title:
                rendered.append(f"[[{title}]]")
            else:
                rendered.append(f"[[{title}|{escape(shown)}]]")
        return ", ".join(rendered) if rendered else None

    # -- abbreviations ---------------------------------------------------------
    def _expand(self, text: str, at_end: bool, issues: list, counter: list) -> str:
        if not self.abbr_re:
            return text
        out, last = [], 0
        for m in self.abbr_re.finditer(text):
            abbr = self.abbreviations[m.group()]
            before, after = text[:m.start()], text[m.end():]
            if abbr.when == "never":
                continue
            if not _context_ok(abbr.when, before, after):
                issues.append(_issue("abbreviation-left",
                                     f"{abbr.short!r} kept: its context is not {abbr.when}",
                                     "info"))
                continue
            expansion = abbr.expansion
            # The abbreviation's full stop also ended the paragraph: keep one.
            if abbr.short.endswith(".") and at_end and not after.strip():
                expansion += "."
            out.append(text[last:m.start()])
            out.append(expansion)
            last = m.end()
            counter[0] += 1
        out.append(text[last:])
        return "".join(out)

    # -- a paragraph -----------------------------------------------------------
    def paragraph(self, text: str, line_start: bool, issues: list, made: list,
                  counter: list) -> str:
        """Wikitext of one printed paragraph (or the rest of the lead)."""
        pieces: list[tuple[str, str]] = []   # ("text"|"wiki", value)
        last = 0
        refs = sorted(list(self.inline_ref.finditer(text)) + list(self.sentence_ref.finditer(text)),
                      key=lambda m: m.start())
        for m in refs:
            if m.start() < last:
                continue
            links = self._links(m.group("targets"), issues, made)
            if links is None:
                continue
            pieces.append(("text", text[last:m.start()]))
            wiki = self.inline.format(links=links) if m.group(0).startswith("(") else \
                self.inline.format(links=links).strip("()") + (m.groupdict().get("end") or "")
            pieces.append(("wiki", wiki))
            last = m.end()
        pieces.append(("text", text[last:]))
        out = []
        for index, (kind, value) in enumerate(pieces):
            if kind == "wiki":
                out.append(value)
                continue
            is_last = index == len(pieces) - 1
            value = self._expand(value, is_last, issues, counter)
            out.append(escape(value, line_start=line_start and index == 0))
        return "".join(out)

    # -- whole pages -----------------------------------------------------------
    def article(self, *, title: str, display: str, headword: str, paragraphs: list[str],
                volume: int, pages: list, categories: list[str] | None = None) -> Rendered:
        issues: list[dict] = []
        made: list[str] = []
        counter = [0]
        blocks = []
        first = paragraphs[0] if paragraphs else headword
        rest = first[len(headword):] if first.startswith(headword) else first
        if not first.startswith(headword):
            issues.append(_issue("lead", "the text does not start with the headword"))
        lead = "'''" + escape(display) + "'''" + self.paragraph(rest, False, issues, made, counter)
        blocks.append(lead)
        for text in paragraphs[1:]:
            blocks.append(self.paragraph(text, True, issues, made, counter))
        blocks.append(lic.source_section(self.profile, volume, pages, title))
        cats = list(categories if categories is not None
                    else self.profile.get("categories", "articles"))
        if cats:
            blocks.append("\n".join(f"[[{c}]]" for c in cats))
        wikitext = "\n\n".join(blocks) + "\n"
        issues += self.check(wikitext, links=made + cats, bold=1)
        return Rendered(wikitext, issues, made, counter[0])

    def redirect(self, *, title: str, target: str, volume: int, pages: list) -> Rendered:
        issues: list[dict] = []
        text = f"{self.magic} [[{target}]]\n"
        cats = list(self.profile.get("categories", "redirects"))
        if self.profile.get("attribution", "on_redirects"):
            text += "\n" + lic.attribution(self.profile, volume, pages, title) + "\n"
        if cats:
            text += "\n" + "\n".join(f"[[{c}]]" for c in cats) + "\n"
        issues += self.check(text, links=[target] + cats, bold=0, redirect=True)
        return Rendered(text, issues, [target])

    # -- the check -------------------------------------------------------------
    def check(self, wikitext: str, links: list[str], bold: int,
              redirect: bool = False) -> list[dict]:
        """Issues for every node the renderer did not mean to make."""
        problems = []
        allowed_links = {_norm(t) for t in links}
        bolds = 0
        try:
            code = mwparserfromhell.parse(wikitext)
        except Exception as exc:  # the parser should never raise; if it does, fail the page
            return [_issue("unexpected-markup", f"wikitext does not parse: {exc}", "error")]
        for index, node in enumerate(code.filter(recursive=True)):
            if redirect and index == 0 and isinstance(node, Tag) and node.wiki_markup == "#":
                continue   # the parser reads "#REDIRECT" as a list item
            if isinstance(node, Text):
                continue
            if isinstance(node, HTMLEntity) and node.normalize() in ESCAPED:
                continue
            if isinstance(node, Wikilink) and _norm(str(node.title)) in allowed_links:
                continue
            if isinstance(node, Template) and _norm(str(node.name)) == _norm(self.template):
                continue
            if isinstance(node, Heading) and node.level == 2 and \
                    str(node.title).strip() == self.heading:
                continue
            if isinstance(node, Tag) and node.wiki_markup == "'''" and str(node.tag) == "b":
                bolds += 1
                if bolds <= bold:
                    continue
            snippet = str(node)[:60]
            problems.append(_issue("unexpected-markup",
                                   f"{type(node).__name__} the renderer did not make: {snippet!r}",
                                   "error"))
        return problems


def _norm(title: str) -> str:
    title = " ".join(html.unescape(title).replace("_", " ").split())
    return title[:1].upper() + title[1:]


def _context_ok(when: str, before: str, after: str) -> bool:
    if "|" in when:
        return any(_context_ok(w, before, after) for w in when.split("|"))
    if when == "always":
        return True
    if when == "after-year":
        return bool(regex.search(r"(?<!\d)\d{3,4}(?:\s*[—–-]\s*\d{1,4})?\s*$", before))
    if when == "after-number":
        return bool(regex.search(r"\d\s*$", before))
    if when == "before-number":
        return bool(regex.match(r"\s*\d", after))
    if when == "after-roman":
        return bool(regex.search(
            r"(?<![\p{L}\p{N}])[IVXLCDMІХ]{1,6}(?:\s*[—–-]\s*[IVXLCDMІХ]{1,6})?\s*$", before))
    if when == "after-name":
        return bool(regex.search(r"(?<![\p{L}\p{N}])\p{Lu}[\p{L}\p{M}'’-]*\s+$", before))
    return False


def default_title(printed: str) -> str | None:
    """A printed cross-reference target as a title: capitals to normal case."""
    words = printed.split()
    if not words:
        return None
    fixed = []
    for i, word in enumerate(words):
        letters = [c for c in word if c.isalpha()]
        if len(letters) > 1 and all(c.isupper() for c in letters):
            word = word[:1] + word[1:].lower() if i == 0 else word.lower()
        fixed.append(word)
    title = " ".join(fixed)
    if any(c in "#<>[]|{}" for c in title):
        return None
    return title[:1].upper() + title[1:]
