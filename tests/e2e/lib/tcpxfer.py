#!/usr/bin/python3
"""TCP transfer with a checksum check (a script, and a helper that runs both ends).

    tcpxfer.py server --bind ADDR --port P        prints LISTENING, accepts one connection,
                                                  reads to EOF, answers "<bytes> <sha256>"
    tcpxfer.py client --connect ADDR --port P --bytes N
                                                  sends N random bytes, half-closes, reads the
                                                  answer, prints one JSON line; exit 0 iff the
                                                  server saw exactly those bytes

`transfer(server_ns, server_addr, client_ns, nbytes)` runs both in their namespaces and
returns the client's JSON (ok, bytes, seconds, mbit_s); it raises AssertionError on a
mismatch or time-out.
"""
import hashlib
import json
import os
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PY = "/usr/bin/python3"


def server(bind, port, timeout):
    fam = socket.AF_INET6 if ":" in bind else socket.AF_INET
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((bind, port))
    ls.listen(1)
    ls.settimeout(timeout)
    print("LISTENING", flush=True)
    c, peer = ls.accept()
    c.settimeout(timeout)
    h = hashlib.sha256()
    n = 0
    while True:
        b = c.recv(1 << 16)
        if not b:
            break
        h.update(b)
        n += len(b)
    c.sendall(("%d %s\n" % (n, h.hexdigest())).encode())
    c.close()
    print("RECEIVED %d bytes from %s" % (n, peer[0]), flush=True)
    return 0


def client(connect, port, nbytes, timeout):
    data = os.urandom(nbytes)
    want = hashlib.sha256(data).hexdigest()
    fam = socket.AF_INET6 if ":" in connect else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(timeout)
    t0 = time.monotonic()
    s.connect((connect, port))
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    reply = b""
    while not reply.endswith(b"\n"):
        b = s.recv(256)
        if not b:
            break
        reply += b
    dt = time.monotonic() - t0
    s.close()
    parts = reply.decode().split()
    ok = len(parts) == 2 and parts[0] == str(nbytes) and parts[1] == want
    print(json.dumps({"ok": ok, "bytes": nbytes, "server_reply": reply.decode().strip(), "sha256": want,
                      "seconds": round(dt, 3), "mbit_s": round(nbytes * 8 / dt / 1e6, 1)}), flush=True)
    return 0 if ok else 1


def transfer(server_ns, server_addr, client_ns, nbytes=2 << 20, port=5001, timeout=60.0):
    srv = subprocess.Popen(["ip", "netns", "exec", server_ns, PY, os.path.join(HERE, "tcpxfer.py"), "server",
                            "--bind", server_addr, "--port", str(port), "--timeout", str(timeout)],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = srv.stdout.readline()
        if "LISTENING" not in line:
            raise AssertionError("tcp server in %s did not start: %s%s" % (server_ns, line, srv.stdout.read()))
        try:
            r = subprocess.run(["ip", "netns", "exec", client_ns, PY, os.path.join(HERE, "tcpxfer.py"), "client",
                                "--connect", server_addr, "--port", str(port), "--bytes", str(nbytes),
                                "--timeout", str(timeout)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout + 10)
        except subprocess.TimeoutExpired:
            raise AssertionError("tcp transfer %s -> %s timed out" % (client_ns, server_addr))
        out = r.stdout.strip().splitlines()
        try:
            res = json.loads(out[-1])
        except (ValueError, IndexError):
            raise AssertionError("tcp client %s -> %s failed: %s" % (client_ns, server_addr, r.stdout.strip()[-800:]))
        if not res.get("ok"):
            raise AssertionError("tcp transfer %s -> %s: checksum/size mismatch: %s" % (client_ns, server_addr, res))
        return res
    finally:
        try:
            srv.wait(timeout=5)
        except subprocess.TimeoutExpired:
            srv.kill()
            srv.wait()
        srv.stdout.close()


if __name__ == "__main__":
    import argparse

    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["server", "client"])
    p.add_argument("--bind")
    p.add_argument("--connect")
    p.add_argument("--port", type=int, default=5001)
    p.add_argument("--bytes", type=int, default=2 << 20)
    p.add_argument("--timeout", type=float, default=60.0)
    a = p.parse_args()
    if a.mode == "server":
        sys.exit(server(a.bind, a.port, a.timeout))
    sys.exit(client(a.connect, a.port, a.bytes, a.timeout))
