"""The local MediaWiki used by the uploader tests (scripts/localwiki.py) works as
the other tests expect: real installs, real HTTP, no mocks."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from wikihelp import (  # noqa: F401  (local_wiki is a fixture)
    DROPPED,
    SCRIPT,
    WikiSession,
    api_get,
    api_login_session,
    count_requests,
    get_faults,
    local_wiki,
    log_mark,
    page_revisions,
    request_log,
    set_faults,
    start_wiki,
    stop_wiki,
    wiki_available,
)

pytestmark = pytest.mark.wiki


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def bot(local_wiki):
    return api_login_session(local_wiki, local_wiki["bot_user"], local_wiki["bot_password"])


@pytest.fixture
def no_faults(local_wiki):
    set_faults(local_wiki, {})
    yield
    set_faults(local_wiki, {})


def test_up_prints_the_documented_json(local_wiki):
    info = local_wiki
    for key in ("api", "url", "port", "dir", "pid", "bot_user", "bot_password",
                "bot_account", "other_user", "other_password", "admin_user",
                "admin_password", "request_log"):
        assert info.get(key), key
    assert info["api"] == f"http://127.0.0.1:{info['port']}/api.php"
    assert info["bot_user"] == "ImportBot@import"
    assert info["bot_account"] == "ImportBot"
    assert len(info["bot_password"]) >= 32
    wiki_json = Path(info["dir"]) / "wiki.json"
    assert stat.S_IMODE(wiki_json.stat().st_mode) == 0o600
    assert json.loads(wiki_json.read_text())["bot_password"] == info["bot_password"]


def test_siteinfo_answers_in_kazakh(local_wiki):
    data = api_get(local_wiki, action="query", meta="siteinfo", siprop="general|namespaces")
    general = data["query"]["general"]
    assert general["lang"] == "kk"
    assert general["generator"].startswith("MediaWiki 1.")
    assert general["server"] == local_wiki["url"]
    assert data["query"]["namespaces"]["14"]["name"] == "Санат"


def test_bot_password_logs_in_with_bot_right(local_wiki, bot):
    ui = bot.get(action="query", meta="userinfo", uiprop="rights|groups")["query"]["userinfo"]
    assert ui["name"] == "ImportBot"
    assert "bot" in ui["groups"]
    assert "bot" in ui["rights"]
    assert "apihighlimits" in ui["rights"]  # the highvolume grant


def test_other_user_and_admin(local_wiki):
    other = api_login_session(local_wiki, local_wiki["other_user"], local_wiki["other_password"])
    ui = other.get(action="query", meta="userinfo", uiprop="rights|groups")["query"]["userinfo"]
    assert ui["name"] == "OtherUser"
    assert "bot" not in ui["rights"]
    admin = api_login_session(local_wiki, local_wiki["admin_user"], local_wiki["admin_password"])
    ui = admin.get(action="query", meta="userinfo", uiprop="groups")["query"]["userinfo"]
    assert {"sysop", "bot", "bureaucrat"} <= set(ui["groups"])


def test_createonly_creates_then_articleexists(local_wiki, bot, no_faults):
    title = unique("Сынақ мақала")
    first = bot.edit(title, "Бірінші нұсқа.", createonly=1, bot=1)
    assert first["edit"]["result"] == "Success"
    assert first["edit"]["new"] is True
    second = bot.edit(title, "Екінші нұсқа.", createonly=1, bot=1)
    assert second["error"]["code"] == "articleexists"
    revs = page_revisions(local_wiki, title)
    assert len(revs) == 1
    assert revs[0]["user"] == "ImportBot"
    assert revs[0]["content"] == "Бірінші нұсқа."


def test_request_log_has_one_line_per_request(local_wiki, bot, no_faults):
    title = unique("Лог")
    mark = log_mark(local_wiki)
    base = local_wiki["url"]
    made = 0

    api_get(local_wiki, action="query", meta="siteinfo"); made += 1
    token = bot.csrf_token(refresh=True); made += 1
    bot.post(action="edit", title=title, text="x", token=token, createonly=1); made += 1
    bot.post(action="edit", title=title, text="y", token=token, createonly=1); made += 1
    bot.raw_get(action="nosuchaction"); made += 1
    page_revisions(local_wiki, title); made += 1
    # (a title with spaces would get a 301 to its canonical URL: two requests)
    for path in ("/index.php?title=" + urllib.request.quote(title.replace(" ", "_")),
                 "/load.php?modules=startup&only=scripts&lang=kk",  # ResourceLoader
                 "/resources/assets/change-your-logo.svg",          # static file
                 "/no-such-file.txt"):                              # 404
        try:
            with urllib.request.urlopen(base + path, timeout=30) as r:
                r.read()
        except urllib.error.HTTPError as e:
            assert e.code == 404 and path == "/no-such-file.txt"
        made += 1

    recs = request_log(local_wiki, since=mark)
    assert len(recs) == made, "\n".join(map(str, recs))
    assert count_requests(local_wiki, since=mark) == made
    assert count_requests(local_wiki, action="edit", since=mark) == 2
    assert count_requests(local_wiki, action="edit", title=title, since=mark) == 2
    assert count_requests(local_wiki, action="edit", error="articleexists", since=mark) == 1
    assert count_requests(local_wiki, title=title, since=mark) == 3  # 2 edits, query
    assert recs[6]["title"] == title.replace(" ", "_")  # page view
    assert [r["script"] for r in recs[-4:]] == [
        "/index.php", "/load.php", "/resources/assets/change-your-logo.svg", "/no-such-file.txt"]
    assert recs[-1]["status"] == "404"
    assert recs[4]["error"] == "badvalue"  # unknown action
    assert all(r["method"] in ("GET", "POST") for r in recs)
    # count_requests without since counts the whole log, readiness checks included
    assert count_requests(local_wiki) >= made


def _edit(session: WikiSession, title: str, **extra):
    return session.raw_post(action="edit", title=title, text="Мәтін.", createonly=1,
                            token=session.csrf_token(), **extra)


@pytest.mark.parametrize("fault,error,status", [
    ("badtoken", "badtoken", 200),
    ("ratelimited", "ratelimited", 200),
    ("readonly", "readonly", 200),
    ("http503", None, 503),
])
def test_edit_faults_are_seen_by_a_plain_client(local_wiki, bot, no_faults, fault, error, status):
    bot.csrf_token()
    set_faults(local_wiki, {fault: 1})
    title = unique(f"Ақау {fault}")
    mark = log_mark(local_wiki)
    r = _edit(bot, title)
    assert r.status == status
    assert r.error == error
    if fault == "http503":
        assert r.data is None and r.headers.get("retry-after") == "5"
    assert get_faults(local_wiki)[fault] == 0
    assert page_revisions(local_wiki, title) == []
    # counted down: the next edit goes through
    ok = _edit(bot, title)
    assert ok.status == 200 and ok.data["edit"]["result"] == "Success"
    recs = request_log(local_wiki, since=mark)
    assert [(x["action"], x["fault"]) for x in recs if x["action"] == "edit"] == [
        ("edit", fault), ("edit", None)]


def test_maxlag_fault_on_any_request_with_maxlag(local_wiki, bot, no_faults):
    set_faults(local_wiki, {"maxlag": 2})
    # requests without maxlag are not affected and do not count down
    assert "query" in api_get(local_wiki, action="query", meta="siteinfo")
    assert get_faults(local_wiki)["maxlag"] == 2
    r = WikiSession(local_wiki).raw_get(action="query", meta="siteinfo", maxlag=5)
    assert r.status == 200 and r.error == "maxlag"
    assert int(r.headers["retry-after"]) >= 5
    assert r.data["error"]["lag"] == 7
    title = unique("Кідіріс")
    r = _edit(bot, title, maxlag=5)
    assert r.status == 200 and r.error == "maxlag"
    assert page_revisions(local_wiki, title) == []
    assert get_faults(local_wiki)["maxlag"] == 0
    assert _edit(bot, title, maxlag=5).data["edit"]["result"] == "Success"


def test_fault_counters_apply_to_edit_posts_only(local_wiki, bot, no_faults):
    set_faults(local_wiki, {"http503": 2, "badtoken": 1})
    bot.get(action="query", meta="userinfo")
    bot.post(action="query", meta="userinfo")
    assert get_faults(local_wiki) == {"http503": 2, "badtoken": 1}
    title = unique("Екі ақау")
    assert _edit(bot, title).status == 503
    assert _edit(bot, title).status == 503
    assert _edit(bot, title).error == "badtoken"  # one fault per request, in order
    assert _edit(bot, title).data["edit"]["result"] == "Success"


def test_drop_closes_the_connection_before_the_edit(local_wiki, bot, no_faults):
    bot.csrf_token()
    set_faults(local_wiki, {"drop": 1})
    title = unique("Үзіліс")
    with pytest.raises(DROPPED):
        _edit(bot, title)
    assert get_faults(local_wiki)["drop"] == 0
    assert page_revisions(local_wiki, title) == []
    assert _edit(bot, title).data["edit"]["result"] == "Success"  # server still fine


def test_drop_after_makes_the_edit_but_no_answer(local_wiki, bot, no_faults):
    bot.csrf_token()
    set_faults(local_wiki, {"drop_after": 1})
    title = unique("Кейінгі үзіліс")
    with pytest.raises(DROPPED):
        _edit(bot, title)
    assert len(page_revisions(local_wiki, title)) == 1
    assert _edit(bot, title).error == "articleexists"


def test_logout_fault_gives_assertuserfailed(local_wiki, bot, no_faults):
    bot.csrf_token()
    set_faults(local_wiki, {"logout": 1})
    title = unique("Сессия")
    r = _edit(bot, title, **{"assert": "user"})
    assert r.error == "assertuserfailed"
    assert page_revisions(local_wiki, title) == []
    assert _edit(bot, title, **{"assert": "user"}).data["edit"]["result"] == "Success"


def test_edit_rate_option_applies_to_a_running_wiki(local_wiki, no_faults):
    info = start_wiki(local_wiki["dir"], "--edit-rate", "2/60")
    assert info["pid"] == local_wiki["pid"] and info["edit_rate"] == "2/60"
    try:
        other = api_login_session(local_wiki, local_wiki["other_user"],
                                  local_wiki["other_password"])
        limits = other.get(action="query", meta="userinfo",
                           uiprop="ratelimits")["query"]["userinfo"]["ratelimits"]
        assert limits["edit"]["user"] == {"hits": 2, "seconds": 60}
        codes = [other.edit(unique("Жылдамдық"), "x").get("error", {}).get("code")
                 for _ in range(3)]
        assert codes == [None, None, "ratelimited"]
    finally:
        info = start_wiki(local_wiki["dir"], "--edit-rate", "default")
    assert info["edit_rate"] is None


def _pid_running(pid: int) -> bool:
    """True while the process exists and is not a zombie (a zombie waits for
    init to reap it: php -S was reparented when `localwiki.py up` exited)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_up_down_restart_reset(tmp_path):
    reason = wiki_available()
    if reason:
        pytest.skip(reason)
    d = tmp_path / "wiki"
    t0 = time.monotonic()
    info = start_wiki(d)
    first_start = time.monotonic() - t0
    try:
        pid, port = info["pid"], info["port"]
        assert info["install_seconds"] > 0
        assert (d / "server.pid").read_text().strip() == str(pid)
        assert _port_open(port)
        assert os.getpgid(pid) == pid  # its own process group
        again = start_wiki(d)  # already running: same server, same JSON
        assert again["pid"] == pid and again["bot_password"] == info["bot_password"]
        assert "install_seconds" not in again
        stop_wiki(info)
        assert not (d / "server.pid").exists()
        assert not _pid_running(pid)
        assert not _port_open(port)
        t1 = time.monotonic()
        restarted = start_wiki(d)  # restart: same port, same accounts, no install
        restart = time.monotonic() - t1
        assert restarted["port"] == port and restarted["pid"] != pid
        assert restarted["bot_password"] == info["bot_password"]
        api_login_session(restarted, restarted["bot_user"], restarted["bot_password"])
        print(f"\nlocalwiki: install+start {first_start:.2f} s, restart {restart:.2f} s")
    finally:
        stop_wiki(info)
    subprocess.run([sys.executable, str(SCRIPT), "reset", "--dir", str(d)], check=True)
    assert not d.exists()
