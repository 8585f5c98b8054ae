"""The preview against the real local wiki: its own rendering, and which titles exist."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import ROOT
from test_upload_wiki import env_for, make_batch
from wikihelp import api_login_session, count_requests, local_wiki, log_mark  # noqa: F401

pytestmark = pytest.mark.wiki


def test_preview_renders_through_the_wiki_and_shows_existing_pages(local_wiki, tmp_path):
    batch, articles = make_batch(tmp_path / "batch", 6, tag="preview")
    taken = articles[1]
    other = api_login_session(local_wiki, local_wiki["other_user"], local_wiki["other_password"])
    other.edit(taken["title"], "Бұрыннан бар бет.\n", summary="бұрынғы бет")
    mark = log_mark(local_wiki)
    done = subprocess.run([sys.executable, "-m", "importer", "preview", str(batch), "-q",
                           "--api", local_wiki["api"], "--no-crops"],
                          capture_output=True, text=True, cwd=ROOT, env=env_for(local_wiki),
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert local_wiki["bot_password"] not in done.stdout + done.stderr
    # Nothing was written to the wiki: no edit request at all.
    assert count_requests(local_wiki, action="edit", since=mark) == 0
    # One existence query for the six titles (plus the login and parse requests).
    queries = [r for r in __import__("wikihelp").request_log(local_wiki, since=mark)
               if r.get("action") == "query" and "preview" in (r.get("title") or "")]
    assert len(queries) == 1
    assert count_requests(local_wiki, action="parse", since=mark) == len(articles)

    data = "".join(p.read_text(encoding="utf-8") for p in (batch / "preview" / "data").glob("*.js"))
    assert "Бұрыннан бар бет." in data            # the live page, for the diff
    cached = list((batch / "preview" / "cache").rglob("*.html"))
    assert len(cached) == len(articles)
    rendered = "".join(p.read_text(encoding="utf-8") for p in cached)
    assert "<b>" + articles[0]["title"] + "</b>" in rendered  # the wiki's own parser made it

    # A second run takes the rendering from the cache: no parse request.
    mark = log_mark(local_wiki)
    again = subprocess.run([sys.executable, "-m", "importer", "preview", str(batch), "-q",
                            "--api", local_wiki["api"], "--no-crops"],
                           capture_output=True, text=True, cwd=ROOT, env=env_for(local_wiki),
                           timeout=300)
    assert again.returncode == 0, again.stderr
    assert count_requests(local_wiki, action="parse", since=mark) == 0
