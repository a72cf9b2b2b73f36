#!/usr/bin/python3
"""Raw control-socket clients for tests/e2e_control.sh: behave as stationctl
never would (pipeline without reading, watch without reading, send raw
requests), so the daemon's limits can be tested.

  ctl_client.py flood SOCK MBYTES   write MBYTES of ping requests, never read;
                                    prints the bytes written, then waits for stdin EOF
  ctl_client.py watch SOCK          subscribe to every station, never read until stdin EOF;
                                    then read for up to 5 s and print each "event" name
                                    (runs of one name once, with a count: "scan 123")
  ctl_client.py scans SOCK N CODE   pipeline N scans of CODE at pack-1, read every reply;
                                    prints the number of replies
  ctl_client.py raw SOCK LINE       send LINE (a request) and print the reply line
  ctl_client.py many SOCK N         hold N connections open at once, ping on each;
                                    prints "ok=X refused=Y"
  ctl_client.py dying SOCK          a daemon that dies mid-request: listens on SOCK,
                                    accepts one client, reads 10 bytes, closes, exits
"""
import socket
import sys
import threading


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s


def flood(path, mbytes):
    s = connect(path)
    s.settimeout(2.0)
    line = b'{"cmd":"ping"}\n'
    chunk = line * (65536 // len(line))
    total = int(mbytes) * 1024 * 1024
    sent = 0
    try:
        while sent < total:
            sent += s.send(chunk)
    except (socket.timeout, BlockingIOError):
        pass
    print(sent, flush=True)
    sys.stdin.read()


def watch(path):
    import json
    import time
    s = connect(path)
    s.sendall(b'{"cmd":"watch"}\n')
    print("watching", flush=True)
    sys.stdin.read()
    s.settimeout(0.5)
    deadline = time.time() + 5
    buf = b""
    runs = []
    while time.time() < deadline:
        try:
            d = s.recv(65536)
        except socket.timeout:
            continue
        if not d:
            break
        buf += d
        *lines, buf = buf.split(b"\n")
        for ln in lines:
            m = json.loads(ln)
            name = m.get("event", "reply")
            if runs and runs[-1][0] == name:
                runs[-1][1] += 1
            else:
                runs.append([name, 1])
            if name == "dropped":
                print("dropped", m.get("dropped"), m.get("message"))
    for name, count in runs:
        print(name, count)


def scans(path, n, code):
    s = connect(path)
    n = int(n)
    got = [0]

    def reader():
        buf = b""
        while got[0] < n:
            d = s.recv(65536)
            if not d:
                break
            buf += d
            got[0] += buf.count(b"\n")
            buf = buf[buf.rfind(b"\n") + 1:]

    t = threading.Thread(target=reader)
    t.start()
    req = ('{"cmd":"scan","station":"pack-1","code":"%s"}\n' % code).encode()
    for i in range(0, n, 100):
        s.sendall(req * min(100, n - i))
    t.join()
    print(got[0], flush=True)


def raw(path, line):
    s = connect(path)
    s.sendall(line.encode() + b"\n")
    f = s.makefile("rb")
    sys.stdout.write(f.readline().decode("utf-8", "replace"))


def many(path, n):
    import json
    conns = []
    for _ in range(int(n)):
        s = connect(path)
        s.sendall(b'{"cmd":"ping"}\n')
        conns.append(s)
    ok = refused = 0
    for s in conns:
        s.settimeout(5)
        line = s.makefile("rb").readline()
        rep = json.loads(line) if line else {}
        if rep.get("ok"):
            ok += 1
        elif rep.get("error") == "too many control clients":
            refused += 1
    print("ok=%d refused=%d" % (ok, refused))


def dying(path):
    import os
    ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ls.bind(path + ".tmp")
    ls.listen(1)
    os.rename(path + ".tmp", path)
    c, _ = ls.accept()
    c.recv(10)
    c.close()
    ls.close()
    os.unlink(path)


if __name__ == "__main__":
    {"flood": flood, "watch": watch, "scans": scans, "raw": raw,
     "many": many, "dying": dying}[sys.argv[1]](*sys.argv[2:])
