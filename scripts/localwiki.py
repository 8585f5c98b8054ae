#!/usr/bin/env python3
"""A throw-away MediaWiki (SQLite, PHP's built-in server) on 127.0.0.1 for tests.

Uses the Debian package's code in /usr/share/mediawiki read-only and keeps all
state in one folder DIR (LocalSettings.php is found through MW_CONFIG_FILE).
Standard library only.

Commands
  up --dir DIR [--port PORT] [--lang kk] [--edit-rate N/SECONDS]
     [--bot-noratelimit yes|no] [--timeout 30]
      Install a wiki into DIR if it has none, start `php -S 127.0.0.1:PORT` in its
      own process group (PID in DIR/server.pid), wait until the API answers, and
      print one JSON object (also written to DIR/wiki.json, mode 600). When the
      wiki in DIR is already running, only print its JSON. --edit-rate and
      --bot-noratelimit are stored in DIR/options.json and take effect at once,
      also on a running wiki; options not given keep their stored value.
      Without --port a free port is picked on install and kept ($wgServer).
  down --dir DIR      stop the server (SIGTERM to its process group, SIGKILL after
                      5 s), remove DIR/server.pid
  status --dir DIR    print {"running": bool, ...wiki.json}; exit 0 if running, 3 if not
  reset --dir DIR     down, then delete DIR (only if it holds a wiki made by this script)

JSON fields printed by `up` (and in DIR/wiki.json)
  api, url, port, dir, pid, lang, bot_user ("ImportBot@import", a BotPassword
  login name), bot_password, bot_account ("ImportBot", groups bot), other_user
  ("OtherUser", an ordinary user), other_password, admin_user ("Admin": sysop,
  bureaucrat, bot), admin_password, request_log (DIR/requests.log), faults_file
  (DIR/faults.json), server_log (DIR/server.log), edit_rate, bot_noratelimit,
  install_seconds (only when this call installed), start_seconds.

Wiki settings (LocalSettings.php includes DIR/localwiki-settings.php, rewritten by
every `up`): $wgEnableUploads = false; $wgRateLimits stay at core defaults
(edit/user 90 per 60 s) unless --edit-rate N/S sets $wgRateLimits['edit']['user'];
$wgGroupPermissions['bot']['noratelimit'] per --bot-noratelimit (core: no).
The BotPassword "import" has the grants basic, highvolume, editpage,
createeditmovepage.

Request log (DIR/requests.log): the router (scripts/localwiki/router.php, copied to
DIR/router.php) appends exactly one tab-separated line per HTTP request:
  time  method  status  script  action  error  title  fault
("-" for empty fields; error is the MediaWiki-API-Error header; title is the
title/titles/page parameter; fault is the name of an injected fault). The readiness
checks of `up` are logged too (GET api.php action=query).

Fault injection (scripts/localwiki/faults.php, copied to DIR/faults.php and
included from LocalSettings.php): write DIR/faults.json, a JSON object of
counters, e.g.
  {"maxlag": 2, "http503": 1, "ratelimited": 1, "badtoken": 1, "drop": 1}
Each counter > 0 makes the next matching request fail and is decremented in the
file (under flock; write it under flock too, as tests/wikihelp.set_faults does).
At most one fault fires per request, tried in this order:
  drop        action=edit POST: connection closed without an answer; edit NOT made
  http503     action=edit POST: HTTP 503 with Retry-After ("retry_after" key,
              default 5 s), plain HTML body; edit NOT made
  badtoken    action=edit POST: the token is replaced: error badtoken
  readonly    action=edit POST: $wgReadOnly for the request: error readonly
  logout      action=edit POST: cookies ignored (lost session): with assert=user
              error assertuserfailed
  maxlag      ANY api.php request with maxlag=N (not only edits): the
              ApiMaxLagInfo hook reports lag N+2: HTTP 200, error maxlag,
              Retry-After max(N,5) (MediaWiki's own minimum), X-Database-Lag
  ratelimited action=edit POST: PingLimiter hook says "limited": error
              ratelimited (also for accounts with noratelimit)
  drop_after  action=edit POST: edit made and committed, then the connection is
              closed without an answer
Other keys are not counters: "retry_after" (seconds, for http503).
The drop faults shutdown(2) the request's socket through PHP FFI (the server runs
with -d ffi.enable=1), found by its ports in /proc/net/tcp: Linux only.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

MW_DIR = Path(os.environ.get("LOCALWIKI_MW_DIR", "/usr/share/mediawiki"))
HERE = Path(__file__).resolve().parent
PHP_SNIPPETS = HERE / "localwiki"
PHP = os.environ.get("LOCALWIKI_PHP", "php")

DB_NAME = "testwiki"
ADMIN = "Admin"
BOT_ACCOUNT = "ImportBot"
BOT_APP = "import"
BOT_GRANTS = "basic,highvolume,editpage,createeditmovepage"
OTHER = "OtherUser"
MARKER = ".localwiki"  # written once the install is complete

LOCALSETTINGS_BLOCK = """
# --- added by scripts/localwiki.py ---
$wgEnableUploads = false;
$wgShowExceptionDetails = true;
require __DIR__ . '/localwiki-settings.php';
require_once __DIR__ . '/faults.php';
"""


class LocalWikiError(Exception):
    pass


def log(msg: str) -> None:
    print(f"localwiki: {msg}", file=sys.stderr, flush=True)


# --- small helpers -------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_is_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (not yet reaped) counts as gone.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat.rsplit(")", 1)[1].split()[0] == "Z":
            return False
    except OSError:
        pass
    return True


def pid_is_our_server(pid: int, port: int | None) -> bool:
    """The PID runs `php ... -S 127.0.0.1:PORT` (guards against PID reuse)."""
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return pid_alive(pid)  # no /proc: trust the PID file
    args = [c.decode(errors="replace") for c in cmd]
    if "-S" not in args:
        return False
    return port is None or f"127.0.0.1:{port}" in args


def write_private(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def mw_env(d: Path) -> dict:
    env = dict(os.environ)
    env["MW_CONFIG_FILE"] = str(d / "LocalSettings.php")
    env["MW_INSTALL_PATH"] = str(MW_DIR)
    return env


def run_php(d: Path, args: list[str], what: str, secret_args: tuple = ()) -> str:
    proc = subprocess.run(
        [PHP, *args], cwd=MW_DIR, env=mw_env(d), stdin=subprocess.DEVNULL,
        capture_output=True, text=True,
    )
    if proc.returncode != 0:
        out = (proc.stdout + proc.stderr)[-3000:]
        for s in secret_args:
            out = out.replace(s, "***")
        raise LocalWikiError(f"{what} failed (exit {proc.returncode}):\n{out}")
    return proc.stdout


def installed_port(d: Path) -> int | None:
    try:
        text = (d / "LocalSettings.php").read_text(encoding="utf-8")
    except OSError:
        return None
    m = re.search(r'^\$wgServer\s*=\s*"http://127\.0\.0\.1:(\d+)";', text, re.M)
    return int(m.group(1)) if m else None


def set_installed_port(d: Path, port: int) -> None:
    ls = d / "LocalSettings.php"
    text = ls.read_text(encoding="utf-8")
    text = re.sub(r'^\$wgServer\s*=\s*"[^"]*";',
                  f'$wgServer = "http://127.0.0.1:{port}";', text, count=1, flags=re.M)
    ls.write_text(text, encoding="utf-8")


def is_installed(d: Path) -> bool:
    return (d / MARKER).is_file() and (d / "LocalSettings.php").is_file() \
        and (d / "data" / f"{DB_NAME}.sqlite").is_file()


def looks_like_wiki(d: Path) -> bool:
    """DIR was made by this script (possibly a half-finished install), or is empty."""
    names = {p.name for p in d.iterdir()} - {".lock"}
    return not names or bool(names & {MARKER, "LocalSettings.php", "wiki.json",
                                      "server.pid", "credentials.json"})


def parse_rate(value: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", value)
    if not m or int(m.group(2)) <= 0:
        raise argparse.ArgumentTypeError("expected N/SECONDS, e.g. 5/60")
    return int(m.group(1)), int(m.group(2))


# --- install -------------------------------------------------------------------

def copy_snippets(d: Path) -> None:
    for name in ("router.php", "faults.php"):
        src = PHP_SNIPPETS / name
        dst = d / name
        tmp = d / (name + ".tmp")
        shutil.copyfile(src, tmp)
        os.replace(tmp, dst)


def write_settings(d: Path, opts: dict) -> None:
    lines = [
        "<?php",
        "# Written by scripts/localwiki.py on every `up`; included from LocalSettings.php.",
        "$wgEnableUploads = false;",
    ]
    if opts.get("edit_rate"):
        n, s = opts["edit_rate"]
        lines.append(f"$wgRateLimits['edit']['user'] = [ {int(n)}, {int(s)} ];")
    else:
        lines.append("# $wgRateLimits: core defaults (edit/user: 90 per 60 s)")
    flag = "true" if opts.get("bot_noratelimit") else "false"
    lines.append(f"$wgGroupPermissions['bot']['noratelimit'] = {flag};")
    text = "\n".join(lines) + "\n"
    tmp = d / "localwiki-settings.php.tmp"
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, d / "localwiki-settings.php")


def install(d: Path, port: int, lang: str, opts: dict) -> dict:
    if (d / "LocalSettings.php").exists() or (d / "data").exists():
        log(f"removing an incomplete install in {d}")
        for name in ("LocalSettings.php", "data", "wiki.json", "localwiki-settings.php"):
            p = d / name
            if p.is_dir():
                shutil.rmtree(p)
            elif p.exists():
                p.unlink()
    d.mkdir(parents=True, exist_ok=True)
    creds = {
        "admin_password": "Adm-" + secrets.token_urlsafe(18),
        "bot_password": secrets.token_hex(20),  # 40 characters (>= 32 required)
        "other_password": "Oth-" + secrets.token_urlsafe(18),
    }
    passfile = d / ".adminpass"
    write_private(passfile, creds["admin_password"])
    try:
        run_php(d, [
            "maintenance/install.php", "--confpath", str(d), "--dbtype", "sqlite",
            "--dbpath", str(d / "data"), "--dbname", DB_NAME,
            "--server", f"http://127.0.0.1:{port}", "--scriptpath", "",
            "--lang", lang, "--passfile", str(passfile), "--skins", "Vector",
            "Test wiki", ADMIN,
        ], "install.php")
    finally:
        passfile.unlink(missing_ok=True)
    with open(d / "LocalSettings.php", "a", encoding="utf-8") as f:
        f.write(LOCALSETTINGS_BLOCK)
    copy_snippets(d)
    write_settings(d, opts)
    run_php(d, ["maintenance/createAndPromote.php", "--bot", BOT_ACCOUNT,
                creds["bot_password"] + "-account"],
            "createAndPromote.php (ImportBot)", (creds["bot_password"],))
    run_php(d, ["maintenance/createBotPassword.php", "--appid", BOT_APP,
                "--grants", BOT_GRANTS, BOT_ACCOUNT, creds["bot_password"]],
            "createBotPassword.php", (creds["bot_password"],))
    run_php(d, ["maintenance/createAndPromote.php", OTHER, creds["other_password"]],
            "createAndPromote.php (OtherUser)", (creds["other_password"],))
    run_php(d, ["maintenance/createAndPromote.php", "--force", "--bot", ADMIN],
            "createAndPromote.php (Admin)")
    write_private(d / "credentials.json", json.dumps(creds, indent=2) + "\n")
    (d / MARKER).write_text("installed by scripts/localwiki.py\n", encoding="utf-8")
    return creds


# --- server --------------------------------------------------------------------

def siteinfo_ok(port: int, timeout: float = 2.0) -> bool:
    url = f"http://127.0.0.1:{port}/api.php?action=query&meta=siteinfo&format=json"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            data = json.loads(r.read().decode("utf-8"))
        return "query" in data and "general" in data["query"]
    except (OSError, ValueError, urllib.error.URLError):
        return False


def read_pid(d: Path) -> int | None:
    try:
        return int((d / "server.pid").read_text().strip())
    except (OSError, ValueError):
        return None


def running_pid(d: Path) -> int | None:
    pid = read_pid(d)
    if pid and pid_alive(pid) and pid_is_our_server(pid, installed_port(d)):
        return pid
    return None


def start_server(d: Path, port: int, timeout: float) -> int:
    if port_is_open(port):
        raise LocalWikiError(
            f"port {port} on 127.0.0.1 is already in use by another process "
            f"(the wiki in {d} is configured for it; pass --port to move it)")
    server_log = open(d / "server.log", "ab")
    cmd = [PHP, "-d", "opcache.enable=1", "-d", "opcache.revalidate_freq=0",
           "-d", "ffi.enable=1", "-d", "display_errors=stderr",
           "-q",  # no "Accepted"/"Closing" lines in server.log; errors still go there
           "-S", f"127.0.0.1:{port}", "-t", str(MW_DIR), str(d / "router.php")]
    env = mw_env(d)
    env.pop("PHP_CLI_SERVER_WORKERS", None)  # one process: sessions, log order
    proc = subprocess.Popen(cmd, cwd=d, env=env, stdin=subprocess.DEVNULL,
                            stdout=server_log, stderr=server_log,
                            start_new_session=True)
    server_log.close()
    (d / "server.pid").write_text(f"{proc.pid}\n")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            (d / "server.pid").unlink(missing_ok=True)
            raise LocalWikiError(
                f"php -S exited with code {proc.returncode}; last lines of "
                f"{d / 'server.log'}:\n{tail(d / 'server.log')}")
        if siteinfo_ok(port):
            return proc.pid
        time.sleep(0.1)
    stop_pid(proc.pid)
    (d / "server.pid").unlink(missing_ok=True)
    raise LocalWikiError(
        f"the wiki did not answer api.php?action=query&meta=siteinfo on port {port} "
        f"within {timeout:.0f} s; last lines of {d / 'server.log'}:\n{tail(d / 'server.log')}")


def tail(path: Path, n: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return "(no log)"


def stop_pid(pid: int, grace: float = 5.0) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)  # started with setsid: pgid == pid
    except ProcessLookupError:
        return
    except PermissionError:
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            break
        time.sleep(0.05)
    else:
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    # Reap it if it is our child (only when `up` failed in this process).
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def info_for(d: Path, port: int, pid: int | None, creds: dict, opts: dict, lang: str) -> dict:
    url = f"http://127.0.0.1:{port}"
    rate = opts.get("edit_rate")
    return {
        "api": f"{url}/api.php",
        "url": url,
        "port": port,
        "dir": str(d),
        "pid": pid,
        "lang": lang,
        "bot_user": f"{BOT_ACCOUNT}@{BOT_APP}",
        "bot_password": creds["bot_password"],
        "bot_account": BOT_ACCOUNT,
        "other_user": OTHER,
        "other_password": creds["other_password"],
        "admin_user": ADMIN,
        "admin_password": creds["admin_password"],
        "request_log": str(d / "requests.log"),
        "faults_file": str(d / "faults.json"),
        "server_log": str(d / "server.log"),
        "edit_rate": f"{rate[0]}/{rate[1]}" if rate else None,
        "bot_noratelimit": bool(opts.get("bot_noratelimit")),
    }


def installed_lang(d: Path) -> str:
    try:
        text = (d / "LocalSettings.php").read_text(encoding="utf-8")
    except OSError:
        return "?"
    m = re.search(r'^\$wgLanguageCode\s*=\s*"([^"]*)";', text, re.M)
    return m.group(1) if m else "?"


def load_opts(d: Path) -> dict:
    raw = read_json(d / "options.json")
    opts = {"bot_noratelimit": bool(raw.get("bot_noratelimit", False))}
    if raw.get("edit_rate"):
        opts["edit_rate"] = tuple(raw["edit_rate"])
    return opts


def save_opts(d: Path, opts: dict) -> None:
    data = {"bot_noratelimit": bool(opts.get("bot_noratelimit")),
            "edit_rate": list(opts["edit_rate"]) if opts.get("edit_rate") else None}
    (d / "options.json").write_text(json.dumps(data) + "\n", encoding="utf-8")


def cmd_up(a) -> int:
    d = Path(a.dir).resolve()
    if not (MW_DIR / "maintenance" / "install.php").is_file():
        raise LocalWikiError(f"MediaWiki not found in {MW_DIR} (run scripts/setup-system.sh)")
    if shutil.which(PHP) is None:
        raise LocalWikiError("php not found (run scripts/setup-system.sh)")
    d.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()

    opts = load_opts(d)
    if a.edit_rate is not None:
        opts["edit_rate"] = None if a.edit_rate == "default" else parse_rate(a.edit_rate)
    if a.bot_noratelimit is not None:
        opts["bot_noratelimit"] = a.bot_noratelimit == "yes"

    extra = {}
    if is_installed(d):
        creds = read_json(d / "credentials.json")
        port = installed_port(d)
        if port is None:
            raise LocalWikiError(f"cannot read $wgServer from {d / 'LocalSettings.php'}")
        pid = running_pid(d)
        if pid and a.port and a.port != port:
            raise LocalWikiError(f"the wiki in {d} runs on port {port}; `down` it first "
                                 f"to move it to port {a.port}")
        if a.lang and a.lang != installed_lang(d):
            log(f"note: the wiki in {d} was installed with --lang {installed_lang(d)}; "
                f"`reset` it to change the language")
        write_settings(d, opts)
        save_opts(d, opts)
        if pid and siteinfo_ok(port):
            info = info_for(d, port, pid, creds, opts, installed_lang(d))
            write_private(d / "wiki.json", json.dumps(info, indent=2) + "\n")
            print(json.dumps(info))
            return 0
        if pid:  # alive but not answering: restart it
            log(f"server PID {pid} does not answer; restarting it")
            stop_pid(pid)
        if a.port and a.port != port:
            set_installed_port(d, a.port)
            port = a.port
    else:
        port = a.port or free_port()
        creds = install(d, port, a.lang or "kk", opts)
        save_opts(d, opts)
        extra["install_seconds"] = round(time.monotonic() - t0, 2)

    copy_snippets(d)  # pick up changes to the router and fault hooks
    t1 = time.monotonic()
    pid = start_server(d, port, a.timeout)
    extra["start_seconds"] = round(time.monotonic() - t1, 2)
    info = info_for(d, port, pid, creds, opts, installed_lang(d))
    info.update(extra)
    write_private(d / "wiki.json", json.dumps(info, indent=2) + "\n")
    print(json.dumps(info))
    return 0


def cmd_down(a) -> int:
    d = Path(a.dir).resolve()
    pid = read_pid(d)
    if pid and pid_alive(pid) and pid_is_our_server(pid, installed_port(d)):
        stop_pid(pid)
        log(f"stopped server PID {pid}")
    elif pid:
        log(f"server PID {pid} was not running")
    (d / "server.pid").unlink(missing_ok=True)
    return 0


def cmd_status(a) -> int:
    d = Path(a.dir).resolve()
    info = read_json(d / "wiki.json")
    pid = running_pid(d) if is_installed(d) else None
    port = installed_port(d)
    answering = bool(pid and port and siteinfo_ok(port))
    info.update({"installed": is_installed(d), "running": answering, "pid": pid,
                 "dir": str(d)})
    print(json.dumps(info))
    return 0 if answering else 3


def cmd_reset(a) -> int:
    d = Path(a.dir).resolve()
    cmd_down(a)
    if not d.exists():
        return 0
    if not looks_like_wiki(d):
        raise LocalWikiError(f"{d} does not look like a wiki made by localwiki.py; not deleting it")
    shutil.rmtree(d)
    log(f"deleted {d}")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    up = sub.add_parser("up", help="install if needed, start, print JSON")
    up.add_argument("--dir", required=True)
    up.add_argument("--port", type=int, default=None)
    up.add_argument("--lang", default=None, help="content language on install (default kk)")
    up.add_argument("--edit-rate", default=None, metavar="N/SECONDS",
                    help="$wgRateLimits['edit']['user'] (or 'default' for core's 90/60)")
    up.add_argument("--bot-noratelimit", choices=("yes", "no"), default=None,
                    help="give the bot group 'noratelimit' (core default: no)")
    up.add_argument("--timeout", type=float, default=30.0,
                    help="seconds to wait for the API to answer (default 30)")
    for name in ("down", "status", "reset"):
        sp = sub.add_parser(name)
        sp.add_argument("--dir", required=True)
    a = p.parse_args(argv)
    if a.cmd == "up" and a.edit_rate not in (None, "default"):
        try:
            parse_rate(a.edit_rate)
        except argparse.ArgumentTypeError as e:
            p.error(f"--edit-rate: {e}")
    try:
        d = Path(a.dir).resolve()
        if a.cmd == "status":
            return cmd_status(a)
        # One `up`/`down`/`reset` at a time per wiki: flock on DIR/.lock.
        for _ in range(3):
            if a.cmd == "up":
                d.mkdir(parents=True, exist_ok=True)
            elif not d.is_dir():
                return 0  # nothing to stop or delete
            elif not looks_like_wiki(d):
                raise LocalWikiError(f"{d} does not look like a wiki made by localwiki.py; "
                                     f"leaving it alone")
            with open(d / ".lock", "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                if not d.is_dir():
                    continue  # a concurrent `reset` deleted DIR meanwhile
                return {"up": cmd_up, "down": cmd_down, "reset": cmd_reset}[a.cmd](a)
        raise LocalWikiError(f"{d} keeps disappearing (concurrent reset?)")
    except LocalWikiError as e:
        log(f"error: {e}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
