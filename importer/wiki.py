"""The wiki, through pywikibot: the only module of the importer that imports it.

Two ways to name a wiki:

- ``site="kk:wikipedia"``: the volunteer's own pywikibot setup (user-config.py,
  user-password.py with BotPassword tuples, or OAuth) is used as it is;
- ``api="https://wiki.example.org/w/api.php"``: no pywikibot setup is needed. We
  write what pywikibot needs into ``BATCH/.pywikibot/`` (mode 700): a family file
  for the URL, a user-config.py, and a user-password.py (mode 600) with the
  account from ``IMPORTER_USERNAME``/``IMPORTER_PASSWORD`` or a password file.
  That file is the only place the password is ever written; it is deleted when
  the run ends (`Wiki.close`).

Reads go through pywikibot's ``Request`` (its retries bounded by our config).
The edit POST is sent *once* per call through pywikibot's own HTTP session,
cookies, user agent and parameter encoding (``Request`` + ``comms.http.fetch``),
so that the caller sees status, ``Retry-After`` and the API error code and owns
the retry policy (importer/upload.py). This keeps an upload at about one API
request per created article: no pre-checks, no ``Page.save`` bookkeeping.
"""
from __future__ import annotations

import hashlib
import logging
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .errors import BatchError, LoginError, UsageError, WikiError

log = logging.getLogger("importer.wiki")

PRIVATE_DIR = ".pywikibot"
PASSWORD_FILE = "user-password.py"
USER_AGENT = "importer/0.1 (encyclopedia batch uploader; https://example.invalid/importer)"
_pwb = None  # the pywikibot module, once imported


@dataclass
class Credentials:
    user: str
    password: str = field(repr=False)

    def __repr__(self) -> str:  # never print the password
        return f"Credentials(user={self.user!r}, password=***)"


def credentials(user: str | None = None, password_file: str | None = None) -> Credentials:
    """The account for ``--api``: the user name from the option or
    IMPORTER_USERNAME; the password from the password file (its first line)
    or IMPORTER_PASSWORD. Never from the command line."""
    user = user or os.environ.get("IMPORTER_USERNAME")
    if not user:
        raise UsageError("no account: set IMPORTER_USERNAME (e.g. Bot@import, a BotPassword "
                         "login) and IMPORTER_PASSWORD, or use --password-file")
    if password_file:
        try:
            password = Path(password_file).read_text(encoding="utf-8").splitlines()[0].strip()
        except (OSError, IndexError) as exc:
            raise UsageError(f"{password_file}: cannot read the password file "
                             f"({getattr(exc, 'strerror', None) or 'empty'})") from None
    else:
        password = os.environ.get("IMPORTER_PASSWORD", "")
    if not password:
        raise UsageError("no password: set IMPORTER_PASSWORD or use --password-file")
    return Credentials(user, password)


# --- the private pywikibot folder ------------------------------------------------

def _family_name(api: str) -> str:
    return "importer" + hashlib.sha1(api.encode()).hexdigest()[:8]


def _write_file(path: Path, text: str, mode: int = 0o644) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def prepare_private_dir(batch: Path, api: str, creds: Credentials | None, code: str) -> dict:
    """Write BATCH/.pywikibot/{user-config.py, user-password.py, families/...};
    without an account (``creds=None``, reading only) no user and no password file."""
    parts = urlsplit(api)
    if parts.scheme not in ("http", "https") or not parts.netloc or \
            not parts.path.endswith("/api.php"):
        raise UsageError(f"--api {api}: expected the URL of the wiki's api.php, "
                         "e.g. https://wiki.example.org/w/api.php")
    scriptpath = parts.path[: -len("/api.php")]
    name = _family_name(api)
    d = Path(batch) / PRIVATE_DIR
    try:
        (d / "families").mkdir(parents=True, exist_ok=True)
        os.chmod(d, 0o700)
        _write_file(d / "families" / f"{name}_family.py", (
            "# Written by importer for " + api + "\n"
            "from pywikibot import family\n\n\n"
            "class Family(family.SingleSiteFamily):\n"
            f"    name = {name!r}\n"
            f"    code = {code!r}\n"
            f"    domain = {parts.netloc!r}\n\n"
            "    def scriptpath(self, code):\n"
            f"        return {scriptpath!r}\n\n"
            "    def protocol(self, code):\n"
            f"        return {parts.scheme!r}\n"))
        if creds is None:  # anonymous reading: no account, no password file
            _write_file(d / "user-config.py", (
                "# Written by importer for anonymous reading (no account).\n"
                f"family = {name!r}\nmylang = {code!r}\n"
                f"user_agent_description = {USER_AGENT!r}\n"))
            return {"dir": d, "family": name, "code": code, "user": None,
                    "password_path": None}
        user, _, app = creds.user.partition("@")
        _write_file(d / "user-config.py", (
            "# Written by importer; the password is in user-password.py (mode 600).\n"
            f"family = {name!r}\nmylang = {code!r}\n"
            f"usernames[{name!r}][{code!r}] = {user!r}\n"
            f"password_file = {PASSWORD_FILE!r}\n"
            "put_throttle = 0\n"
            f"user_agent_description = {USER_AGENT!r}\n"))
        entry = (f"({user!r}, BotPassword({app!r}, {creds.password!r}))" if app
                 else f"({user!r}, {creds.password!r})")
        _write_file(d / PASSWORD_FILE, entry + "\n", 0o600)
    except OSError as exc:
        raise BatchError(f"{d}: cannot write the pywikibot settings ({exc.strerror})") from None
    return {"dir": d, "family": name, "code": code, "user": user,
            "password_path": d / PASSWORD_FILE}


def _import_pywikibot(base_dir: Path | None):
    """Import pywikibot with PYWIKIBOT_DIR set first (only possible once per process)."""
    global _pwb
    if _pwb is None:
        if base_dir is not None and "pywikibot" not in sys.modules:
            os.environ["PYWIKIBOT_DIR"] = str(base_dir)
        os.environ.pop("PYWIKIBOT_NO_USER_CONFIG", None) if base_dir else None
        import pywikibot  # noqa: the only import of pywikibot in the importer
        import pywikibot.comms.http  # noqa
        import pywikibot.data.api  # noqa
        import pywikibot.bot  # noqa
        _pwb = pywikibot
        # We pace and retry ourselves: pywikibot's own waits stay short and bounded.
        cfg = pywikibot.config
        cfg.put_throttle = 0
        cfg.minthrottle = 0
        cfg.maxthrottle = 0
        cfg.max_retries = 3
        cfg.retry_wait = 1
        cfg.retry_max = 10
        cfg.write_maxlag = 5
        cfg.read_maxlag = 5
        cfg.socket_timeout = (6.05, 60)
        cfg.noisysleep = 600.0
        cfg.log = []
        cfg.cosmetic_changes = False
        # pywikibot's console output (tracebacks of retried requests, "Logging in")
        # would bury our one-line errors; our own log says what happened.
        pywikibot.bot.init_handlers()
        pwlog = logging.getLogger("pywiki")
        for h in list(pwlog.handlers):
            pwlog.removeHandler(h)
        pwlog.addHandler(logging.NullHandler())
    return _pwb


# --- answers -------------------------------------------------------------------

@dataclass
class Reply:
    """One edit request's outcome, as the wiki (or the network) gave it."""
    ok: bool = False
    revid: int | None = None
    code: str | None = None        # API error code, "http503", "network", "badjson"
    info: str = ""
    http_status: int | None = None
    retry_after: float | None = None


@dataclass
class Revision:
    title: str        # the title as the wiki has it (normalized)
    revid: int
    sha1: str | None
    user: str | None
    comment: str | None


@dataclass
class PageState:
    """A page as the wiki has it now (`prop=info|revisions`)."""
    title: str                     # the title as the wiki has it (normalized)
    exists: bool
    pageid: int | None = None
    lastrevid: int | None = None   # the page's latest revision
    last_user: str | None = None   # who made it


def _page_state(page: dict) -> PageState:
    if page.get("missing") or page.get("invalid") or not page.get("pageid"):
        return PageState(page.get("title", ""), False)
    revs = page.get("revisions") or []
    last = page.get("lastrevid") or (revs[0]["revid"] if revs else None)
    user = next((r.get("user") for r in revs if r.get("revid") == last), None)
    return PageState(page["title"], True, int(page["pageid"]),
                     int(last) if last else None, user)


class Wiki:
    """A logged-in session on one wiki."""

    def __init__(self, site, password_path: Path | None = None):
        self.site = site
        self.password_path = password_path
        self._token: str | None = None
        self.requests = 0  # requests this object made itself (edits and queries)

    # --- connecting -------------------------------------------------------------
    @classmethod
    def connect(cls, batch: Path, api: str | None = None, site: str | None = None,
                creds: Credentials | None = None, code: str = "kk") -> "Wiki":
        if bool(api) == bool(site):
            raise UsageError("name the wiki with exactly one of --site (e.g. kk:wikipedia) "
                             "or --api URL")
        private = None
        if api:
            private = prepare_private_dir(batch, api, creds or credentials(), code)
        pwb = _import_pywikibot(private["dir"] if private else None)
        password_path = None
        try:
            if private:
                cfg = pwb.config
                # A second wiki in the same process (tests): register it by hand.
                cfg.family_files[private["family"]] = str(
                    private["dir"] / "families" / f"{private['family']}_family.py")
                cfg.usernames.setdefault(private["family"], {})[code] = private["user"]
                cfg.password_file = str(private["password_path"])
                password_path = private["password_path"]
                s = pwb.Site(code, private["family"], user=private["user"])
            else:
                lang, _, fam = site.partition(":")
                s = pwb.Site(lang, fam or "wikipedia")
        except pwb.exceptions.Error as exc:
            cls._forget(password_path)
            raise WikiError(f"cannot reach the wiki at {api or site}: "
                            f"{_first_line(exc)}") from None
        wiki = cls(s, password_path)
        try:
            s.login()
        except pwb.exceptions.NoUsernameError as exc:
            wiki.close()
            raise LoginError(f"login failed: {_first_line(exc)}") from None
        except pwb.exceptions.APIError as exc:
            wiki.close()
            raise LoginError(f"login to {api or site} failed: {exc.code} "
                             f"({_first_line(exc.info)})") from None
        except Exception as exc:  # requests/pywikibot network errors, TimeoutError
            wiki.close()
            raise WikiError(f"cannot reach the wiki at {api or site}: "
                            f"{type(exc).__name__}: {_first_line(exc)}") from None
        if not s.logged_in():
            wiki.close()
            raise LoginError(f"login to {api or site} failed (not logged in)")
        log.info("logged in to %s as %s (bot right: %s)", s, s.user(), wiki.bot)
        return wiki

    @staticmethod
    def _forget(path: Path | None) -> None:
        if path is not None:
            try:
                path.unlink()
            except OSError:
                pass

    def close(self) -> None:
        """Delete the password file: it is needed only while we log in."""
        self._forget(self.password_path)

    # --- facts about the account ---------------------------------------------------
    @property
    def user(self) -> str:
        return self.site.user() or ""

    @property
    def bot(self) -> bool:
        return self.site.has_right("bot")

    @property
    def highlimits(self) -> bool:
        return self.site.has_right("apihighlimits")

    def has_right(self, right: str) -> bool:
        return self.site.has_right(right)

    # --- the edit ---------------------------------------------------------------------
    def token(self, refresh: bool = False) -> str:
        if refresh or self._token is None:
            try:
                if refresh:
                    self.site.tokens.clear()
                self._token = self.site.tokens["csrf"]
            except Exception as exc:
                raise WikiError(f"cannot get an edit token: {_first_line(exc)}") from None
            self.requests += 1
        return self._token

    def create(self, title: str, text: str, summary: str,
               starttimestamp: str | None = None) -> Reply:
        """One `action=edit` POST with createonly; no retries here."""
        params = {
            "action": "edit", "title": title, "text": text, "summary": summary,
            "createonly": True, "notminor": True, "watchlist": "nochange",
            "md5": hashlib.md5(text.encode("utf-8")).hexdigest(),
            "token": self.token(),
        }
        if self.bot:
            params["bot"] = True
        if starttimestamp:
            params["starttimestamp"] = starttimestamp  # refuses to recreate a deleted page
        sent = self._send(params, "bot" if self.bot else "user")
        if isinstance(sent, Reply):
            return sent
        data, status = sent
        edit = data.get("edit", {})
        if edit.get("result") == "Success" and edit.get("newrevid"):
            return Reply(ok=True, revid=int(edit["newrevid"]), http_status=status)
        return Reply(code="unexpected", info=_first_line(str(edit))[:300], http_status=status)

    # --- reading ----------------------------------------------------------------------
    def _query(self, **params) -> dict:
        try:
            req = _pwb.data.api.Request(site=self.site, parameters=params)
            self.requests += 1
            return req.submit()
        except Exception as exc:
            raise WikiError(f"query failed: {type(exc).__name__}: {_first_line(exc)}") from None

    def latest_revisions(self, titles: list[str]) -> dict[str, Revision | None]:
        """The latest revision of each title (None: no such page); one query per
        50 titles (500 with apihighlimits)."""
        out: dict[str, Revision | None] = {}
        size = 500 if self.highlimits else 50
        for i in range(0, len(titles), size):
            chunk = titles[i:i + size]
            data = self._query(action="query", prop="revisions", titles="|".join(chunk),
                               rvprop="ids|sha1|user|comment", formatversion="2")
            q = data.get("query", {})
            back: dict[str, str] = {}
            for n in q.get("normalized", []):
                back[n["to"]] = n["from"]
            for page in q.get("pages", []):
                asked = back.get(page["title"], page["title"])
                revs = page.get("revisions")
                if page.get("missing") or not revs:
                    out[asked] = None
                else:
                    r = revs[0]
                    out[asked] = Revision(page["title"], r["revid"], r.get("sha1"),
                                          r.get("user"), r.get("comment"))
            for t in chunk:
                out.setdefault(t, None)
        return out

    def page_text(self, title: str) -> str | None:
        data = self._query(action="query", prop="revisions", titles=title,
                           rvprop="content", rvslots="main", formatversion="2")
        for page in data.get("query", {}).get("pages", []):
            revs = page.get("revisions")
            if revs:
                return revs[0].get("slots", {}).get("main", {}).get("content", "")
        return None

    # --- preview: the wiki's own rendering, and which titles exist -----------------------
    @property
    def cache_key(self) -> str:
        """Names this wiki in the preview's parse cache."""
        return f"{self.site.family.name}:{self.site.code}"

    def parse(self, title: str, wikitext: str) -> str:
        """The wiki's HTML for a text, through its own parser; nothing is saved."""
        try:
            request = _pwb.data.api.Request(
                site=self.site, use_get=False,
                parameters={"action": "parse", "title": title, "text": wikitext,
                            "contentmodel": "wikitext", "prop": "text",
                            "disableeditsection": "1", "disablelimitreport": "1",
                            "formatversion": "2"})
            self.requests += 1
            data = request.submit()
        except Exception as exc:
            raise WikiError(f"parse failed: {type(exc).__name__}: {_first_line(exc)}") from None
        return data.get("parse", {}).get("text", "")

    def existing(self, titles: list[str]) -> dict[str, dict]:
        """What the wiki has under each title: {exists, redirect, text, title, invalid}.

        One query per 50 titles (500 with apihighlimits). `converttitles` maps a
        title to the variant spelling the wiki holds (kk: Cyrillic/Latin), so a
        page that exists in the other script is not taken for a new one.
        """
        out: dict[str, dict] = {}
        size = self.chunk_size()
        for i in range(0, len(titles), size):
            chunk = titles[i:i + size]
            data = self._query(action="query", prop="info|revisions", titles="|".join(chunk),
                               rvprop="content", rvslots="main", converttitles="1",
                               formatversion="2")
            q = data.get("query", {})
            back: dict[str, str] = {}
            for mapping in q.get("normalized", []) + q.get("converted", []):
                back[mapping["to"]] = back.get(mapping["from"], mapping["from"])
            for page in q.get("pages", []):
                asked = back.get(page.get("title"), page.get("title"))
                if page.get("invalid"):
                    out[asked] = {"exists": False, "redirect": False, "text": None,
                                  "invalid": True}
                    continue
                revisions = page.get("revisions") or []
                text = (revisions[0].get("slots", {}).get("main", {}).get("content")
                        if revisions else None)
                out[asked] = {"exists": not page.get("missing"),
                              "redirect": bool(page.get("redirect")),
                              "text": text, "title": page.get("title")}
            for title in chunk:
                out.setdefault(title, {"exists": False, "redirect": False, "text": None})
        return out

    def still_logged_in(self) -> bool:
        data = self._query(action="query", meta="userinfo")
        ui = data.get("query", {}).get("userinfo", {})
        return "anon" not in ui and ui.get("name") == self.site.user()


    # --- undo: what became of the pages we created, and their deletion ------------
    def chunk_size(self) -> int:
        return 500 if self.highlimits else 50

    def page_states(self, titles: list[str]) -> dict[str, PageState]:
        """Each title's page now: its id, latest revision id and that revision's
        user; one query per 50 titles (500 with apihighlimits)."""
        out: dict[str, PageState] = {}
        size = self.chunk_size()
        for i in range(0, len(titles), size):
            chunk = titles[i:i + size]
            data = self._query(action="query", prop="info|revisions", titles="|".join(chunk),
                               rvprop="ids|user", formatversion="2")
            q = data.get("query", {})
            back = {n["to"]: n["from"] for n in q.get("normalized", [])}
            for page in q.get("pages", []):
                out[back.get(page.get("title"), page.get("title"))] = _page_state(page)
            for t in chunk:
                out.setdefault(t, PageState(t, False))
        return out

    def revision_pages(self, revids: list[int]) -> dict[int, PageState | None]:
        """The page that holds each revision now (after a move: under its new
        title); None when the revision is gone (the page was deleted)."""
        out: dict[int, PageState | None] = {}
        size = self.chunk_size()
        for i in range(0, len(revids), size):
            chunk = revids[i:i + size]
            data = self._query(action="query", prop="info|revisions",
                               revids="|".join(str(r) for r in chunk), rvprop="ids",
                               formatversion="2")
            for page in data.get("query", {}).get("pages", []):
                if page.get("missing") or not page.get("pageid"):
                    continue
                state = PageState(page["title"], True, int(page["pageid"]),
                                  page.get("lastrevid"))
                for r in page.get("revisions") or []:
                    out[int(r["revid"])] = state
            for r in chunk:
                out.setdefault(r, None)
        return out

    def page_state_by_id(self, pageid: int) -> PageState:
        """One page by its id, read just before it is deleted."""
        data = self._query(action="query", prop="info|revisions", pageids=str(pageid),
                           rvprop="ids|user", formatversion="2")
        for page in data.get("query", {}).get("pages", []):
            return _page_state(page)
        return PageState("", False)

    def _send(self, params: dict, assertion: str) -> "tuple[dict, int] | Reply":
        """One POST through pywikibot's session (maxlag, user agent, cookies); no
        retries here: the caller sees the status, Retry-After and API error code.
        Returns the answer's JSON and HTTP status, or a Reply saying what went wrong."""
        pwb = _pwb
        req = pwb.data.api.Request(site=self.site, parameters=params)
        req["assert"] = assertion
        req._add_defaults()  # maxlag=5, format=json
        paramstring = req._http_param_string()
        _, uri, body, headers = req._get_request_params(False, paramstring)
        headers["user-agent"] = pwb.comms.http.user_agent(self.site)
        self.requests += 1
        r = pwb.comms.http.fetch(self.site.base_url(uri), method="POST", data=body,
                                 headers=headers, default_error_handling=False,
                                 verify=self.site.verify_SSL_certificate())
        if isinstance(r, Exception):
            return Reply(code="network", info=f"{type(r).__name__}: {_first_line(r)}")
        retry_after = _seconds(r.headers.get("retry-after"))
        try:
            data = r.json()
        except ValueError:
            code = f"http{r.status_code}" if r.status_code >= 400 else "badjson"
            return Reply(code=code, info=f"HTTP {r.status_code}", http_status=r.status_code,
                         retry_after=retry_after)
        if "error" in data:
            err = data["error"]
            return Reply(code=err.get("code", "unknown"),
                         info=_first_line(err.get("info", "")),
                         http_status=r.status_code, retry_after=retry_after)
        return data, r.status_code

    def _post(self, params: dict, assertion: str = "user") -> Reply:
        sent = self._send(params, assertion)
        if isinstance(sent, Reply):
            return sent
        data, status = sent
        answer = data.get(params["action"], {})
        if isinstance(answer, dict) and answer:
            return Reply(ok=True, revid=answer.get("logid"), http_status=status,
                         info=_first_line(str(answer))[:300])
        return Reply(code="unexpected", info=_first_line(str(data))[:300], http_status=status)

    def delete(self, pageid: int, reason: str) -> Reply:
        """One `action=delete` POST by page id (the page we checked, even if it was
        moved meanwhile); `Reply.revid` holds the deletion's log id."""
        return self._post({"action": "delete", "pageid": pageid, "reason": reason,
                           "watchlist": "nochange", "token": self.token()})

    # --- changes: what became of the pages a batch created (read only) ------------------
    # `importer changes` (importer/changes.py). Every list query is batched (50 values,
    # 500 with apihighlimits) and follows the API's `continue`; only the history of a
    # page that changed and the log of a moved or deleted title are read per page.

    @classmethod
    def connect_reader(cls, batch: Path, api: str | None = None, site: str | None = None,
                       creds: Credentials | None = None, code: str = "kk") -> "Wiki":
        """A session for reading: logged in as `connect` does when there is an account
        (or with --site, the volunteer's own setup); with --api and no account,
        anonymous (a public wiki needs no login to be read; the limits are lower)."""
        if site or creds or not api:
            return cls.connect(batch, api=api, site=site, creds=creds, code=code)
        private = prepare_private_dir(batch, api, None, code)
        pwb = _import_pywikibot(private["dir"])
        try:
            pwb.config.family_files[private["family"]] = str(
                private["dir"] / "families" / f"{private['family']}_family.py")
            wiki = cls(pwb.Site(code, private["family"]))
            wiki._query(action="query", meta="siteinfo")  # is the wiki there at all?
        except Exception as exc:  # pywikibot and network errors
            raise WikiError(f"cannot reach the wiki at {api}: "
                            f"{type(exc).__name__}: {_first_line(exc)}") from None
        log.info("reading %s anonymously", api)
        return wiki

    def index_url(self) -> str:
        """The wiki's index.php, for links to pages, histories and diffs."""
        return self.site.base_url(self.site.family.path(self.site.code))

    def _query_all(self, **params):
        """The answers to one query and its continuations, one after the other."""
        params.setdefault("formatversion", "2")
        while True:
            data = self._query(**params)
            yield data
            if "continue" not in data:
                return
            params.update(data["continue"])

    def created_revisions(self, revids: list[int]) -> dict[int, dict | None]:
        """For each revision id: the page that holds it now (followed by page id, so
        a move shows as a new title) and the revision itself; None when the
        revision is gone (its page was deleted).

        {"pageid", "title", "lastrevid", "length", "redirect",
         "revision": {"revid", "user", "timestamp", "size", "sha1"}}"""
        out: dict[int, dict | None] = {}
        size = self.chunk_size()
        for i in range(0, len(revids), size):
            chunk = revids[i:i + size]
            for data in self._query_all(action="query", prop="info|revisions",
                                        revids="|".join(str(r) for r in chunk),
                                        rvprop="ids|user|timestamp|size|sha1"):
                for page in data.get("query", {}).get("pages", []):
                    if page.get("missing") or not page.get("pageid"):
                        continue
                    for rev in page.get("revisions") or []:
                        out[int(rev["revid"])] = {
                            "pageid": int(page["pageid"]), "title": page["title"],
                            "lastrevid": page.get("lastrevid"), "length": page.get("length"),
                            "redirect": bool(page.get("redirect")),
                            "revision": {k: rev.get(k) for k in
                                         ("revid", "user", "timestamp", "size", "sha1")}}
            for r in chunk:
                out.setdefault(r, None)
        return out

    def current_revisions(self, pageids: list[int]) -> dict[int, dict]:
        """The latest revision of each page, with its wikitext:
        {"revid", "user", "timestamp", "size", "sha1", "text"}."""
        out: dict[int, dict] = {}
        size = self.chunk_size()
        for i in range(0, len(pageids), size):
            chunk = pageids[i:i + size]
            for data in self._query_all(action="query", prop="revisions",
                                        pageids="|".join(str(p) for p in chunk),
                                        rvprop="ids|user|timestamp|size|sha1|content",
                                        rvslots="main"):
                for page in data.get("query", {}).get("pages", []):
                    for rev in page.get("revisions") or []:  # absent until its continuation
                        out[int(page["pageid"])] = {
                            **{k: rev.get(k) for k in
                               ("revid", "user", "timestamp", "size", "sha1")},
                            "text": rev.get("slots", {}).get("main", {}).get("content")}
        return out

    def revisions_after(self, pageid: int, revid: int) -> list[dict]:
        """The page's revisions after `revid`, oldest first:
        {"revid", "user", "timestamp", "size", "sha1", "comment"}."""
        out = []
        for data in self._query_all(action="query", prop="revisions", pageids=str(pageid),
                                    rvstartid=str(revid), rvdir="newer", rvlimit="max",
                                    rvprop="ids|user|timestamp|size|sha1|comment"):
            for page in data.get("query", {}).get("pages", []):
                for rev in page.get("revisions") or []:
                    if int(rev["revid"]) != revid:  # rvstartid includes our own
                        out.append({k: rev.get(k) for k in
                                    ("revid", "user", "timestamp", "size", "sha1", "comment")})
        return out

    def title_targets(self, titles: list[str]) -> dict[str, dict]:
        """What each title is now: {"title": as the wiki normalizes it, "exists",
        "redirect_to": the target of a redirect (with #fragment) or None}."""
        out: dict[str, dict] = {}
        size = self.chunk_size()
        for i in range(0, len(titles), size):
            chunk = titles[i:i + size]
            data = self._query(action="query", titles="|".join(chunk), redirects="1",
                               formatversion="2")
            q = data.get("query", {})
            normalized = {n["from"]: n["to"] for n in q.get("normalized", [])}
            targets = {r["from"]: r["to"] + (f"#{r['tofragment']}" if r.get("tofragment")
                                             else "") for r in q.get("redirects", [])}
            present = {p["title"] for p in q.get("pages", [])
                       if not p.get("missing") and not p.get("invalid")}
            for t in chunk:
                title = normalized.get(t, t)
                target = targets.get(title)
                out[t] = {"title": title, "exists": target is not None or title in present,
                          "redirect_to": target}
        return out

    def log_events(self, title: str) -> list[dict]:
        """Every log entry of a title (moves, deletions, creations...), oldest first:
        {"type", "action", "title", "logpage" (the page id), "user", "timestamp",
        "comment", "target" (a move's new title)}."""
        out = []
        for data in self._query_all(action="query", list="logevents", letitle=title,
                                    ledir="newer", lelimit="max",
                                    leprop="ids|title|type|user|timestamp|comment|details"):
            for e in data.get("query", {}).get("logevents", []):
                out.append({"type": e.get("type"), "action": e.get("action"),
                            "title": e.get("title"), "logpage": e.get("logpage"),
                            "user": e.get("user"),
                            "timestamp": e.get("timestamp"), "comment": e.get("comment"),
                            "target": (e.get("params") or {}).get("target_title")})
        return out


def _seconds(value) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _first_line(x) -> str:
    s = str(x).strip()
    return s.splitlines()[0] if s else ""


def utc_iso(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
