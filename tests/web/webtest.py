"""Shared helpers for the web console's tests (tests/e2e_web.sh runs them).

Environment: WEB_BASE (http://127.0.0.1:PORT), STATIONCTL, CONF, WEB_OUT (where
screenshots and logs go). Every wait has a deadline; nothing sleeps and hopes.
"""
import http.client
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse

BASE = os.environ["WEB_BASE"]
HOST, PORT = urllib.parse.urlparse(BASE).hostname, urllib.parse.urlparse(BASE).port
CTL = [os.environ["STATIONCTL"], "-c", os.environ["CONF"]]
OUT = os.environ.get("WEB_OUT", "/tmp")
PASSED = 0
FAILED = 0


def ok(name):
    global PASSED
    PASSED += 1
    print("ok   " + name)


def fail(name, msg):
    global FAILED
    FAILED += 1
    print("FAIL " + name + ": " + msg)


def expect_eq(name, want, got):
    if want == got:
        ok(name)
    else:
        fail(name, "want %r, got %r" % (want, got))


def expect_true(name, cond, msg=""):
    if cond:
        ok(name)
    else:
        fail(name, msg or "condition false")


def finish(label):
    print("%s: %d passed, %d failed" % (label, PASSED, FAILED))
    sys.exit(1 if FAILED else 0)


def ctl(*args, stdin=None):
    """stationctl ARGS: (exit status, stdout)."""
    p = subprocess.run(CTL + list(args), input=stdin, capture_output=True, text=True, timeout=30)
    return p.returncode, p.stdout


def ctl_exact(*args):
    """stationctl's stdout exactly as written (CSV lines end in CRLF)."""
    return subprocess.run(CTL + list(args), capture_output=True, timeout=30).stdout.decode()


def ctl_json(*args):
    rc, out = ctl(*args)
    return json.loads(out) if rc == 0 or out.strip() else None


def request(method, path, body=None, cookie=None, headers=None, timeout=10):
    """One HTTP request, no redirects followed: (status, headers dict, body text)."""
    c = http.client.HTTPConnection(HOST, PORT, timeout=timeout)
    h = dict(headers or {})
    if cookie:
        h["Cookie"] = cookie
    if body is not None and not isinstance(body, (bytes, str)):
        body = urllib.parse.urlencode(body)
        h["Content-Type"] = "application/x-www-form-urlencoded"
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read().decode("utf-8", "replace")
    hdrs = {k.lower(): v for k, v in r.getheaders()}
    c.close()
    return r.status, hdrs, data


def login(user, password):
    """Logs in; returns (cookie header value, the raw Set-Cookie)."""
    st, h, _ = request("POST", "/login", {"user": user, "password": password, "next": "/"})
    if st != 303 or "set-cookie" not in h:
        raise RuntimeError("login %s: status %d" % (user, st))
    return h["set-cookie"].split(";")[0], h["set-cookie"]


def csrf_of(cookie):
    st, _, page = request("GET", "/", cookie=cookie)
    m = re.search(r'data-csrf="([0-9a-f]{64})"', page)
    return m.group(1) if m else None


def wait_until(cond, seconds, step=0.02):
    """Polls cond() until true or the deadline: the time it took, or None."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds:
        if cond():
            return time.monotonic() - t0
        time.sleep(step)
    return None
