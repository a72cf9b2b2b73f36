"""N browsers following the floor: logs in once, opens N /events streams and
reads them until SIGTERM; then prints how many scan events each stream got
(min/max). Used by bench/web.sh. Usage: sse_clients.py BASE USER PASSWORD N"""
import selectors
import signal
import socket
import sys
import urllib.parse

import http.client

base, user, password, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
u = urllib.parse.urlparse(base)
c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
c.request("POST", "/login", urllib.parse.urlencode({"user": user, "password": password}),
          {"Content-Type": "application/x-www-form-urlencoded"})
r = c.getresponse()
cookie = r.getheader("Set-Cookie").split(";")[0]
c.close()
sel = selectors.DefaultSelector()
counts = {}
for i in range(n):
    s = socket.create_connection((u.hostname, u.port))
    s.sendall(("GET /events HTTP/1.1\r\nHost: x\r\nCookie: %s\r\n\r\n" % cookie).encode())
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ, i)
    counts[i] = 0
stop = False


def on_term(sig, frame):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_term)
print("open %d" % n, flush=True)
while not stop and sel.get_map():
    for key, _ in sel.select(0.5):
        try:
            data = key.fileobj.recv(65536)
        except BlockingIOError:
            continue
        if not data:
            sel.unregister(key.fileobj)
            continue
        counts[key.data] += data.count(b"event: scan")
print("events per stream: min %d max %d (%d streams still open)" %
      (min(counts.values()), max(counts.values()), len(sel.get_map())), flush=True)
