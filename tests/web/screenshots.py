"""Retakes the README's console screenshots (docs/img/web-*.png) from a
running console, e.g. after `make demo` and `build/stationd -d -c
demo/station.ini`. Usage: screenshots.py BASE USER PASSWORD [OUTDIR]"""
import sys
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

base, user, password = sys.argv[1], sys.argv[2], sys.argv[3]
out = sys.argv[4] if len(sys.argv) > 4 else "docs/img"
o = webdriver.ChromeOptions()
o.binary_location = "/usr/bin/chromium"
for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
          "--user-data-dir=" + tempfile.mkdtemp(), "--window-size=1280,800", "--hide-scrollbars"):
    o.add_argument(a)
d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
try:
    d.get(base + "/login")
    d.find_element(By.ID, "user").send_keys(user)
    d.find_element(By.ID, "password").send_keys(password)
    d.find_element(By.ID, "login").click()
    for path, name, height in (("/", "web-floor", 420), ("/?tv=1", "web-floor-tv", 700),
                               ("/orders", "web-queue", 900),
                               ("/orders/%231010", "web-order", 1000),
                               ("/log", "web-log", 800), ("/stats?all=1", "web-stats", 1000)):
        d.set_window_size(1280, height)
        d.get(base + path)
        time.sleep(0.4)	# let the live page connect before the picture
        d.save_screenshot("%s/%s.png" % (out, name))
finally:
    d.quit()
