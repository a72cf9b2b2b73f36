"""The web console in Debian's Chromium, headless, through selenium: log in,
a scan shows on its bench tile within a second, hold and release from the
order page, the log filter, the statistics chart against stationctl stats,
a viewer without buttons whose forged POST gets 403. Screenshots of every
page go to WEB_OUT."""
import json
import os
import shutil
import tempfile
import time
import urllib.parse

from selenium import webdriver
from selenium.common.exceptions import (NoAlertPresentException, NoSuchElementException,
                                        StaleElementReferenceException, TimeoutException)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

import webtest as w

HOSTILE = "<script>alert(1)</script>"


def browser():
    profile = tempfile.mkdtemp(prefix="station-chromium-")
    o = webdriver.ChromeOptions()
    o.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--user-data-dir=" + profile, "--window-size=1280,900", "--no-first-run",
              "--disable-extensions", "--disable-background-networking"):
        o.add_argument(a)
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
    d.set_page_load_timeout(20)
    return d, profile


def shot(d, name):
    d.save_screenshot(os.path.join(w.OUT, name + ".png"))


def until(d, cond, seconds):
    """Waits for cond(d) with a deadline; the seconds it took or None."""
    t0 = time.monotonic()
    try:
        # a page being replaced (after a POST, a redirect) answers "stale": ask again
        WebDriverWait(d, seconds, poll_frequency=0.02, ignored_exceptions=(
            StaleElementReferenceException, NoSuchElementException)).until(cond)
    except TimeoutException:
        return None
    return time.monotonic() - t0


def no_alert(d, where):
    try:
        d.switch_to.alert
        w.fail("no script ran in " + where, "an alert() popped up")
    except NoAlertPresentException:
        w.ok("no script ran in " + where)


def log_in(d, user, password):
    d.get(w.BASE + "/")
    w.expect_true("%s: sent to the login page" % user, "/login" in d.current_url, d.current_url)
    d.find_element(By.ID, "user").send_keys(user)
    d.find_element(By.ID, "password").send_keys(password)
    shot(d, "login") if user == "boss" else None
    d.find_element(By.ID, "login").click()
    took = until(d, lambda x: x.find_elements(By.ID, "floor"), 5)
    w.expect_true("%s logs in and sees the floor" % user, took is not None)


def tile(d, station):
    for t in d.find_elements(By.CSS_SELECTOR, ".tile"):
        if t.get_attribute("data-station") == station:
            return t
    return None


def tile_text(d, station, cls):
    t = tile(d, station)
    return t.find_element(By.CLASS_NAME, cls).text if t else None


def floor(d):
    d.get(w.BASE + "/")
    w.expect_true("floor stream live", until(d, lambda x: x.find_element(
        By.TAG_NAME, "body").get_attribute("data-live") == "1", 5) is not None)
    w.expect_eq("hostile order name shown as text on its tile", HOSTILE,
                tile_text(d, "pack-1", "order"))
    no_alert(d, "the floor")
    rc, out = w.ctl("scan", "--station", "pack-2", "TEE-NAT-L")
    took = until(d, lambda x: tile_text(x, "pack-2", "verdict") == "completed", 1.0)
    w.expect_true("scan shows on its tile within a second (completed)", took is not None,
                  "tile says %r" % tile_text(d, "pack-2", "verdict"))
    rc, out = w.ctl("scan", "--station", "pack-2", "#3005")
    took = until(d, lambda x: tile_text(x, "pack-2", "order") == "#3005", 1.0)
    w.expect_true("opened order on its tile within a second", took is not None)
    if took is not None:
        print("     (tile updated %.0f ms after stationctl scan returned)" % (took * 1000))
    link = tile(d, "pack-2").find_element(By.CSS_SELECTOR, "a.order").get_attribute("href")
    w.expect_eq("the tile's order link follows", w.BASE + "/orders/%233005", link)
    w.expect_eq("tile: progress and box, no reload",
                ["0 of 2 units", "1", "opened", "bob"],
                [tile_text(d, "pack-2", "progress"), tile_text(d, "pack-2", "box"),
                 tile_text(d, "pack-2", "verdict"), tile_text(d, "pack-2", "packer")])
    w.ctl("scan", "--station", "pack-2", "PEN-BLU-10")
    until(d, lambda x: tile_text(x, "pack-2", "progress") == "1 of 2 units", 1.0)
    w.expect_eq("progress follows the scans", "1 of 2 units", tile_text(d, "pack-2", "progress"))
    shot(d, "floor")
    d.get(w.BASE + "/?tv=1")
    until(d, lambda x: x.find_elements(By.CSS_SELECTOR, "body.tv"), 5)
    w.expect_true("TV mode", d.find_elements(By.CSS_SELECTOR, "body.tv"))
    shot(d, "floor_tv")


def queue(d):
    d.get(w.BASE + "/orders")
    w.expect_true("queue shows counts", d.find_elements(By.ID, "counts"))
    no_alert(d, "the queue")
    shot(d, "queue")
    d.find_element(By.ID, "q").send_keys("PEN-BLU-10")
    d.find_element(By.CSS_SELECTOR, "#filter button").click()
    until(d, lambda x: "q=PEN-BLU-10" in x.current_url, 5)
    names = [r.find_element(By.TAG_NAME, "td").text
             for r in d.find_elements(By.CSS_SELECTOR, "#orders tbody tr")]
    w.expect_eq("search by SKU finds its order", ["#3005"], names)


def hold_release(d):
    name = "#3004"
    d.get(w.BASE + "/orders/" + urllib.parse.quote(name, safe=""))
    d.find_element(By.ID, "reason").send_keys("damaged <b>box</b>")
    d.find_element(By.ID, "btn-hold").click()
    until(d, lambda x: x.find_element(By.ID, "status").text == "on_hold", 5)
    o = w.ctl_json("show", name, "--format", "json")
    w.expect_eq("held from the page: stationctl show", ["on_hold", "damaged <b>box</b>"],
                [o["status"], o["hold_reason"]])
    w.expect_eq("the reason shows as typed", "damaged <b>box</b>",
                d.find_element(By.ID, "hold-reason").text)
    shot(d, "order_held")
    d.find_element(By.ID, "btn-release").click()
    until(d, lambda x: x.find_element(By.ID, "status").text == "ready", 5)
    w.expect_eq("released from the page: stationctl show", "ready",
                w.ctl_json("show", name, "--format", "json")["status"])
    d.get(w.BASE + "/orders/" + urllib.parse.quote("#3001", safe=""))
    shot(d, "order")


def log_page(d):
    d.get(w.BASE + "/log")
    shot(d, "log")
    d.find_element(By.ID, "f-order").send_keys("#3001")
    d.find_element(By.ID, "apply").click()
    until(d, lambda x: "order=%233001" in x.current_url, 5)
    rows = [[c.text for c in r.find_elements(By.TAG_NAME, "td")]
            for r in d.find_elements(By.CSS_SELECTOR, "#log tbody tr")]
    want = w.ctl_json("log", "--order", "#3001", "--format", "json")
    w.expect_true("log filter narrows to one order", rows and all(r[2] == "#3001" for r in rows),
                  repr(rows[:3]))
    w.expect_eq("as many events as stationctl log --order", len(want), len(rows))
    w.expect_eq("the same messages", [e["message"] for e in want], [r[6] for r in rows])
    d.get(w.BASE + "/log")
    d.find_element(By.ID, "follow").click()
    w.ctl("scan", "--station", "pack-1", "FOLLOW-ME-42")
    took = until(d, lambda x: x.execute_script(
        "return document.querySelector('#log tbody').textContent.indexOf('FOLLOW-ME-42') >= 0"),
        3)
    w.expect_true("live follow shows a new event", took is not None)


def stats(d):
    d.get(w.BASE + "/stats")
    bars = {b.get_attribute("data-group"): float(b.get_attribute("data-value"))
            for b in d.find_elements(By.CSS_SELECTOR, "#chart-packer rect.bar")}
    today = time.strftime("%Y-%m-%d")
    want = {r["group"]: float(r["units"])
            for r in w.ctl_json("stats", "--since", today, "--by", "packer", "--format", "json")}
    w.expect_true("the chart has bars", len(bars) >= 2, repr(bars))
    w.expect_eq("chart bars match stationctl stats --by packer", want, bars)
    hourly = d.find_elements(By.CSS_SELECTOR, "#chart-hour-packer rect.bar")
    w.expect_true("units per hour by packer drawn", len(hourly) >= 2)
    for cid in ("chart-station", "chart-hour-station", "chart-shipments", "chart-misscans"):
        w.expect_true("chart %s drawn" % cid, d.find_elements(By.ID, cid))
    shot(d, "stats")


def viewer(d):
    d.delete_all_cookies()
    log_in(d, "eve", "eve-password")
    d.get(w.BASE + "/orders/" + urllib.parse.quote("#3004", safe=""))
    w.expect_true("viewer sees no action buttons", not d.find_elements(By.ID, "actions") and
                  not d.find_elements(By.TAG_NAME, "button") or
                  all(b.text == "Log out" for b in d.find_elements(By.TAG_NAME, "button")))
    shot(d, "order_viewer")
    status = d.execute_async_script("""
        var done = arguments[arguments.length - 1];
        var body = 'op=hold&order=%233004&reason=forged&csrf=' + document.body.dataset.csrf;
        fetch('/act', {method: 'POST', body: body, credentials: 'same-origin',
            headers: {'Content-Type': 'application/x-www-form-urlencoded'}, redirect: 'manual'})
            .then(function (r) { done(r.status); }, function (e) { done(String(e)); });""")
    w.expect_eq("viewer's forged POST: 403", 403, status)
    w.expect_eq("and the order is not held", "ready",
                w.ctl_json("show", "#3004", "--format", "json")["status"])


def main():
    d, profile = browser()
    try:
        log_in(d, "boss", "boss-password")
        floor(d)
        queue(d)
        hold_release(d)
        log_page(d)
        stats(d)
        viewer(d)
    finally:
        d.quit()
        shutil.rmtree(profile, ignore_errors=True)
    w.finish("web browser")


if __name__ == "__main__":
    main()
