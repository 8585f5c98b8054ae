"""`importer export`: the XML imports into a real MediaWiki with importDump.php."""
from __future__ import annotations

import json
import os
import subprocess

import pytest
from lxml import etree

from conftest import run_importer
from wikihelp import api_get, local_wiki, page_revisions  # noqa: F401 (fixture)

pytestmark = pytest.mark.wiki

ARTICLES = [
    {"id": "1-a", "title": "Экспорт сынағы Абай", "kind": "article", "target": None,
     "wikitext": "'''Экспорт сынағы Абай''' — ақын & <ойшыл>.\n\n== Дереккөздер ==\n{{ҚҰЭ|том=1}}",
     "summary": "«Қазақстан» ұлттық энциклопедиясы (CC BY-SA 3.0)", "publishable": True},
    {"id": "1-b", "title": "Экспорт сынағы Алма-Ата", "kind": "redirect",
     "target": "Экспорт сынағы Абай", "wikitext": "#REDIRECT [[Экспорт сынағы Абай]]",
     "summary": "айдау", "publishable": True},
    {"id": "1-c", "title": "Экспорт сынағы жарамсыз", "kind": "article", "target": None,
     "wikitext": "бұзылған", "summary": "x", "publishable": False},
]


def test_export_imports_with_importdump(local_wiki, tmp_path):
    batch = tmp_path / "batch"
    batch.mkdir()
    with open(batch / "articles.jsonl", "w", encoding="utf-8") as handle:
        for article in ARTICLES:
            handle.write(json.dumps(article, ensure_ascii=False) + "\n")
    xml = tmp_path / "export.xml"
    done = run_importer("export", str(batch), "--xml", str(xml), "--profile", "kk-encyclopedia")
    assert done.returncode == 0, done.stderr
    assert "2 pages (1 redirects), 1 not publishable skipped" in done.stdout
    root = etree.parse(str(xml)).getroot()
    assert root.tag == "{http://www.mediawiki.org/xml/export-0.11/}mediawiki"

    env = dict(os.environ, MW_CONFIG_FILE=os.path.join(local_wiki["dir"], "LocalSettings.php"))
    imported = subprocess.run(["php", "maintenance/importDump.php", str(xml)], cwd="/usr/share/mediawiki",
                              env=env, capture_output=True, text=True, timeout=300)
    assert imported.returncode == 0, imported.stderr
    revisions = page_revisions(local_wiki, "Экспорт сынағы Абай")
    assert len(revisions) == 1
    assert revisions[0]["content"] == ARTICLES[0]["wikitext"]
    assert revisions[0]["comment"] == ARTICLES[0]["summary"]
    info = api_get(local_wiki, action="query", titles="Экспорт сынағы Алма-Ата|Экспорт сынағы жарамсыз",
                   prop="info", format="json", formatversion="2")
    pages = {p["title"]: p for p in info["query"]["pages"]}
    assert pages["Экспорт сынағы Алма-Ата"].get("redirect") is True
    assert pages["Экспорт сынағы жарамсыз"].get("missing") is True


def test_export_without_articles_is_a_clear_error(tmp_path):
    done = run_importer("export", str(tmp_path), "--xml", str(tmp_path / "x.xml"))
    assert done.returncode == 74
    assert done.stderr.strip() == f"importer: error: {tmp_path}: no articles.jsonl (run `importer build` first)"
