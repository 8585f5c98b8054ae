"""The preview's built-in rendering of wikitext (no wiki needed): safe data, not HTML.

    blocks = render_tree(wikitext)          # what the report shows as "Rendered"
    templates = license_blocks(wikitext)    # the attribution/license block(s)
    blocks, templates = render(wikitext)    # both with one parse

Good enough to read: paragraphs, '''bold''', ''italic'', [[links]] and [[x|y]],
headings, templates as a box of their parameters, redirects. Anything else is shown
as its code. The report's script turns the blocks into DOM nodes with textContent,
so nothing in the wikitext can become markup.
"""
from __future__ import annotations

import html
import re

_REDIRECT = re.compile(r"\A\s*#[^\s\[]+\s*:?\s*\[\[([^\]|#]+)")


def render_tree(wikitext: str | None) -> list:
    """A safe, small rendering of wikitext as data the page turns into DOM nodes.

    Blocks: ["p", inl], ["h", level, inl], ["box", name, [[key, value], ...]]
    (templates: the license block), ["redirect", target], ["code", text].
    Inlines: text, ["b", inl], ["i", inl], ["a", target, inl], ["ext", url, inl],
    ["code", text].
    Nothing is ever HTML: the page builds elements and sets their textContent.
    """
    return render(wikitext)[0]


def license_blocks(wikitext: str | None) -> list[str]:
    """The templates of the article (the attribution/license block), as wikitext."""
    return render(wikitext)[1]


def render(wikitext: str | None) -> tuple[list, list[str]]:
    """(render_tree, license_blocks) with one parse."""
    if not wikitext:
        return [], []
    m = _REDIRECT.match(wikitext)
    if m:
        return [["redirect", m.group(1).strip()]], []
    import mwparserfromhell
    from mwparserfromhell.nodes import Heading, Template, Text
    blocks: list = []
    templates: list[str] = []
    para: list = []

    def flush():
        if not _blank(para):
            blocks.append(["p", _strip(_merge(para))])
        para.clear()

    for node in mwparserfromhell.parse(wikitext).nodes:
        if isinstance(node, Heading):
            flush()
            blocks.append(["h", node.level, _strip(_merge(_inline(node.title.nodes)))])
        elif isinstance(node, Template) and _blank(para):
            flush()
            blocks.append(_template(node))
            templates.append(str(node))
        elif isinstance(node, Text):
            parts = re.split(r"\n[ \t]*\n", str(node.value))
            para.append(parts[0])
            for part in parts[1:]:
                flush()
                para.append(part)
        else:
            if isinstance(node, Template):
                templates.append(str(node))
            para.extend(_inline([node]))
    flush()
    return blocks, templates


def _blank(inl: list) -> bool:
    return all(isinstance(x, str) and not x.strip() for x in inl)


def _template(node) -> list:
    params = [[str(p.name).strip() if p.showkey else "", _plain(p.value)] for p in node.params]
    return ["box", str(node.name).strip(), params]


def _plain(code) -> str:
    return html.unescape(code.strip_code(normalize=True, collapse=True)).strip() or \
        str(code).strip()


def _inline(nodes) -> list:
    from mwparserfromhell.nodes import (Comment, ExternalLink, HTMLEntity, Tag, Template, Text,
                                        Wikilink)
    out: list = []
    for node in nodes:
        if isinstance(node, Text):
            out.append(str(node.value))
        elif isinstance(node, HTMLEntity):
            out.append(node.normalize())
        elif isinstance(node, Wikilink):
            target = html.unescape(str(node.title)).strip()
            label = _inline(node.text.nodes) if node.text is not None else [target]
            out.append(["a", target, _merge(label)])
        elif isinstance(node, ExternalLink):
            label = _inline(node.title.nodes) if node.title is not None else [str(node.url)]
            out.append(["ext", str(node.url), _merge(label)])
        elif isinstance(node, Tag) and str(node.tag).lower() in ("b", "i") and node.contents:
            out.append([str(node.tag).lower(), _merge(_inline(node.contents.nodes))])
        elif isinstance(node, Tag) and str(node.tag).lower() == "br":
            out.append("\n")
        elif isinstance(node, Template):
            out.append(["code", str(node)])
        elif isinstance(node, Comment):
            continue
        else:
            out.append(["code", str(node)])
    return out


def _merge(inl: list) -> list:
    out: list = []
    for x in inl:
        if isinstance(x, str):
            x = re.sub(r"\s*\n\s*", " ", x) if x != "\n" else x
            if out and isinstance(out[-1], str):
                out[-1] += x
                continue
        out.append(x)
    return out


def _strip(inl: list) -> list:
    if inl and isinstance(inl[0], str):
        inl[0] = inl[0].lstrip()
    if inl and isinstance(inl[-1], str):
        inl[-1] = inl[-1].rstrip()
    return [x for x in inl if x != ""]


