"""`importer export BATCH --xml FILE`: MediaWiki export XML for importDump.php.

For admins who import on the server instead of through the API. Written as a
stream (one <page> at a time), schema 0.11, one revision per page with the
license tagger's edit summary as its comment.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from lxml import etree

from .errors import BatchError
from .profile import Profile

NAMESPACE = "http://www.mediawiki.org/xml/export-0.11/"
SCHEMA = "http://www.mediawiki.org/xml/export-0.11.xsd"
XML_NS = "http://www.w3.org/XML/1998/namespace"


@dataclass
class ExportResult:
    path: Path
    pages: int
    redirects: int
    skipped: int


def base36_sha1(text: str) -> str:
    """The revision sha1 as MediaWiki writes it in dumps (base 36, 31 digits)."""
    number = int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16)
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out.rjust(31, "0")


def _read_articles(batch: Path):
    path = batch / "articles.jsonl"
    if not path.exists():
        raise BatchError(f"{batch}: no articles.jsonl (run `importer build` first)")
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            try:
                yield json.loads(line)
            except ValueError:
                raise BatchError(f"{path}: line {number} is not valid JSON") from None


def export_xml(batch: Path, target: Path, profile: Profile | None = None,
               username: str = "importer", prefix: str = "",
               ids: set[str] | None = None) -> ExportResult:
    """Write every publishable article of the batch as export XML to `target`."""
    timestamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    site = (profile.raw.get("site", {}) if profile else {}) or {}
    pages = redirects = skipped = 0
    partial = target.with_name(target.name + ".partial")
    try:
        handle = open(partial, "wb")
    except OSError as exc:
        raise BatchError(f"{target}: cannot write ({exc.strerror})") from None
    with handle, etree.xmlfile(handle, encoding="utf-8") as xml:
        xml.write_declaration()
        with xml.element("mediawiki", {"xmlns": NAMESPACE, "version": "0.11",
                                       "{http://www.w3.org/2001/XMLSchema-instance}"
                                       "schemaLocation": f"{NAMESPACE} {SCHEMA}"},
                         nsmap={"xsi": "http://www.w3.org/2001/XMLSchema-instance"}):
            xml.write(_siteinfo(site, profile))
            for article in _read_articles(batch):
                if ids is not None and article["id"] not in ids:
                    continue
                if article.get("publishable") is False or not article.get("wikitext"):
                    skipped += 1
                    continue
                xml.write(_page(article, prefix, username, timestamp))
                pages += 1
                redirects += article.get("kind") == "redirect"
    partial.replace(target)
    return ExportResult(target, pages, redirects, skipped)


def _siteinfo(site: dict, profile: Profile | None) -> etree._Element:
    info = etree.Element("siteinfo")
    etree.SubElement(info, "sitename").text = site.get("name", profile.title if profile else "wiki")
    etree.SubElement(info, "generator").text = "importer"
    etree.SubElement(info, "case").text = "first-letter"
    namespaces = etree.SubElement(info, "namespaces")
    etree.SubElement(namespaces, "namespace", key="0", case="first-letter")
    return info


def _page(article: dict, prefix: str, username: str, timestamp: str) -> etree._Element:
    text = article["wikitext"]
    page = etree.Element("page")
    etree.SubElement(page, "title").text = prefix + article["title"]
    etree.SubElement(page, "ns").text = "0"
    if article.get("kind") == "redirect" and article.get("target"):
        etree.SubElement(page, "redirect", title=article["target"])
    revision = etree.SubElement(page, "revision")
    etree.SubElement(revision, "timestamp").text = timestamp
    contributor = etree.SubElement(revision, "contributor")
    etree.SubElement(contributor, "username").text = username
    etree.SubElement(revision, "comment").text = article.get("summary", "")
    etree.SubElement(revision, "model").text = "wikitext"
    etree.SubElement(revision, "format").text = "text/x-wiki"
    body = etree.SubElement(revision, "text", bytes=str(len(text.encode("utf-8"))))
    body.set(f"{{{XML_NS}}}space", "preserve")
    body.text = text
    etree.SubElement(revision, "sha1").text = base36_sha1(text)
    return page
