"""Helpers for tests against a real local MediaWiki (scripts/localwiki.py).

Standard library only for HTTP (urllib, http.cookiejar). Import the fixture in
conftest.py with ``from wikihelp import local_wiki  # noqa: F401``.

    info = start_wiki(tmpdir)            # dict printed by `localwiki.py up`
    api_get(info, action="query", meta="siteinfo")        # -> parsed JSON
    s = api_login_session(info, info["bot_user"], info["bot_password"])
    s.edit("Title", "text", createonly=1)                 # -> parsed JSON
    s.post(action="edit", ...); s.raw_post(...)           # raw: (status, headers, data)
    page_revisions(info, "Title")        # -> list of revisions, oldest first
    mark = log_mark(info); ...; count_requests(info, action="edit", since=mark)
    set_faults(info, {"http503": 1}); get_faults(info)
    stop_wiki(info)

Requests made by these helpers appear in the wiki's request log like any other.
"""

from __future__ import annotations

import fcntl
import http.client
import http.cookiejar
import json
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "localwiki.py"
USER_AGENT = "importer-tests/0.1 (local test wiki; https://example.invalid/importer)"
TIMEOUT = 60


class WikiError(RuntimeError):
    pass


# --- the wiki's life cycle -----------------------------------------------------

def _run_script(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)


def start_wiki(tmpdir, *extra: str) -> dict:
    """`localwiki.py up --dir TMPDIR EXTRA...`; returns its JSON as a dict."""
    proc = _run_script("up", "--dir", str(tmpdir), *extra)
    if proc.returncode != 0:
        raise WikiError(f"localwiki.py up failed (exit {proc.returncode}):\n{proc.stderr}")
    return json.loads(proc.stdout)


def stop_wiki(info: dict) -> None:
    proc = _run_script("down", "--dir", info["dir"])
    if proc.returncode != 0:
        raise WikiError(f"localwiki.py down failed:\n{proc.stderr}")


def wiki_available() -> str | None:
    """None if a wiki can run here, else the reason why not."""
    if shutil.which("php") is None:
        return "php is not installed (scripts/setup-system.sh)"
    if not Path(os.environ.get("LOCALWIKI_MW_DIR", "/usr/share/mediawiki"),
                "maintenance", "install.php").is_file():
        return "MediaWiki is not installed (scripts/setup-system.sh)"
    return None


@pytest.fixture(scope="session")
def local_wiki(tmp_path_factory):
    """One wiki for the whole test session, stopped at the end."""
    reason = wiki_available()
    if reason:
        pytest.skip(reason)
    d = tmp_path_factory.mktemp("localwiki")
    info = start_wiki(d)
    try:
        yield info
    finally:
        stop_wiki(info)


# --- HTTP ------------------------------------------------------------------------

@dataclass
class Response:
    status: int
    headers: dict          # lower-cased names
    data: dict | None      # parsed JSON, None if the body is not JSON
    body: bytes

    @property
    def error(self) -> str | None:
        if isinstance(self.data, dict) and isinstance(self.data.get("error"), dict):
            return self.data["error"].get("code")
        return None


def _encode(params: dict) -> dict:
    out = {}
    for k, v in params.items():
        if v is None:
            continue
        if isinstance(v, bool):
            v = "1" if v else "0"
        elif isinstance(v, (list, tuple)):
            v = "|".join(str(x) for x in v)
        out[k] = str(v)
    out.setdefault("format", "json")
    out.setdefault("formatversion", "2")
    return out


class WikiSession:
    """A cookie session against the wiki's api.php (urllib + http.cookiejar)."""

    def __init__(self, info: dict):
        self.info = info
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies))
        self._csrf: str | None = None

    def request(self, params: dict, method: str = "GET") -> Response:
        """One HTTP request; HTTP errors come back as a Response, a dropped
        connection raises (http.client.RemoteDisconnected, ConnectionError...)."""
        data = urllib.parse.urlencode(_encode(params)).encode()
        url = self.info["api"]
        if method == "GET":
            req = urllib.request.Request(f"{url}?{data.decode()}", method="GET")
        else:
            req = urllib.request.Request(url, data=data, method="POST")
            req.add_header("Content-Type", "application/x-www-form-urlencoded")
        req.add_header("User-Agent", USER_AGENT)
        try:
            with self.opener.open(req, timeout=TIMEOUT) as r:
                status, headers, body = r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            status, headers, body = e.code, e.headers, e.read()
        try:
            parsed = json.loads(body.decode("utf-8"))
        except ValueError:
            parsed = None
        return Response(status, {k.lower(): v for k, v in headers.items()}, parsed, body)

    def raw_get(self, **params) -> Response:
        return self.request(params, "GET")

    def raw_post(self, **params) -> Response:
        return self.request(params, "POST")

    def get(self, **params) -> dict:
        return self._json(self.raw_get(**params))

    def post(self, **params) -> dict:
        return self._json(self.raw_post(**params))

    @staticmethod
    def _json(r: Response) -> dict:
        if r.data is None:
            raise WikiError(f"HTTP {r.status}, not JSON: {r.body[:300]!r}")
        return r.data

    def csrf_token(self, refresh: bool = False) -> str:
        if self._csrf is None or refresh:
            self._csrf = self.get(action="query", meta="tokens", type="csrf")[
                "query"]["tokens"]["csrftoken"]
        return self._csrf

    def edit(self, title: str, text: str, **params) -> dict:
        """action=edit with this session's CSRF token (parsed JSON answer)."""
        params.setdefault("summary", "test edit")
        return self.post(action="edit", title=title, text=text,
                         token=self.csrf_token(), **params)


def api_get(info: dict, **params) -> dict:
    """An anonymous GET to api.php; returns the parsed JSON."""
    return WikiSession(info).get(**params)


def api_login_session(info: dict, user: str, password: str) -> WikiSession:
    """A session logged in with action=login (works for BotPasswords
    "Name@app" and, on this wiki, for main passwords too)."""
    s = WikiSession(info)
    token = s.get(action="query", meta="tokens", type="login")["query"]["tokens"]["logintoken"]
    r = s.post(action="login", lgname=user, lgpassword=password, lgtoken=token)
    result = r.get("login", {}).get("result")
    if result != "Success":
        raise WikiError(f"login as {user} failed: {r}")
    return s


def page_revisions(info: dict, title: str, content: bool = True) -> list[dict]:
    """All revisions of a page, oldest first ([] if the page does not exist).
    Each has revid, user, timestamp, comment, size (and content if asked)."""
    prop = "ids|user|timestamp|comment|size|flags" + ("|content" if content else "")
    params = dict(action="query", prop="revisions", titles=title, rvprop=prop,
                  rvslots="main", rvlimit="max", rvdir="newer")
    revs: list[dict] = []
    while True:
        data = api_get(info, **params)
        pages = data.get("query", {}).get("pages", [])
        for page in pages:
            for rev in page.get("revisions", []):
                if content:
                    rev["content"] = rev.get("slots", {}).get("main", {}).get("content")
                revs.append(rev)
        if "continue" not in data:
            return revs
        params.update(data["continue"])


# --- request log -----------------------------------------------------------------

LOG_FIELDS = ("time", "method", "status", "script", "action", "error", "title", "fault")


def request_log(info: dict, since: int = 0) -> list[dict]:
    """The request log's lines (from line number `since` on) as dicts."""
    try:
        lines = Path(info["request_log"]).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    out = []
    for line in lines[since:]:
        parts = line.split("\t")
        rec = dict(zip(LOG_FIELDS, parts))
        out.append({k: (None if v == "-" else v) for k, v in rec.items()})
    return out


def log_mark(info: dict) -> int:
    """The number of lines in the request log now (pass as since=)."""
    try:
        with open(info["request_log"], "rb") as f:
            return sum(1 for _ in f)
    except FileNotFoundError:
        return 0


def count_requests(info: dict, action: str | None = None, since: int = 0,
                   title: str | None = None, method: str | None = None,
                   error: str | None = None) -> int:
    """How many requests the wiki received (since line `since`), optionally only
    those with this API action / title parameter / method / API error code."""
    n = 0
    for rec in request_log(info, since):
        if action is not None and rec["action"] != action:
            continue
        if title is not None and rec["title"] != title:
            continue
        if method is not None and rec["method"] != method.upper():
            continue
        if error is not None and rec["error"] != error:
            continue
        n += 1
    return n


# --- faults ------------------------------------------------------------------------

def set_faults(info: dict, faults: dict) -> None:
    """Replace DIR/faults.json (under flock, as the wiki's hook reads it), e.g.
    {"maxlag": 2, "http503": 1, "ratelimited": 1, "badtoken": 1, "drop": 1}."""
    path = Path(info["dir"]) / "faults.json"
    with open(path, "a+", encoding="utf-8") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        f.seek(0)
        f.truncate()
        f.write(json.dumps(faults) + "\n")
        f.flush()
        fcntl.flock(f, fcntl.LOCK_UN)


def get_faults(info: dict) -> dict:
    """The counters left in DIR/faults.json ({} if none)."""
    path = Path(info["dir"]) / "faults.json"
    try:
        with open(path, encoding="utf-8") as f:
            fcntl.flock(f, fcntl.LOCK_SH)
            text = f.read()
            fcntl.flock(f, fcntl.LOCK_UN)
    except FileNotFoundError:
        return {}
    return json.loads(text) if text.strip() else {}


def clear_faults(info: dict) -> None:
    set_faults(info, {})


__all__ = [
    "WikiError", "WikiSession", "Response", "start_wiki", "stop_wiki", "local_wiki",
    "api_get", "api_login_session", "page_revisions", "request_log", "log_mark",
    "count_requests", "set_faults", "get_faults", "clear_faults", "wiki_available",
    "DROPPED",
]

# Exceptions a dropped connection raises, for tests: pytest.raises(DROPPED)
DROPPED = (http.client.RemoteDisconnected, ConnectionError, http.client.BadStatusLine,
           urllib.error.URLError)
