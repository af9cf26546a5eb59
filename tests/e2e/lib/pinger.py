#!/usr/bin/python3
"""Continuous ping with exact accounting (a script, and helpers that run it in a namespace).

As a script (run inside the source namespace):

    pinger.py DST [--interval 0.01] [--count N] [--wait 1.0] [--size 56]

sends ICMP / ICMPv6 echo requests from a raw socket every INTERVAL seconds on a fixed
schedule (no drift), each with its own sequence number, until COUNT have been sent or
SIGINT/SIGTERM arrives; then waits WAIT seconds for late replies and prints one line of
JSON: sent, received, lost (count), lost_seqs (first 50), loss runs, the longest run in
packets and in milliseconds of send time (the outage), duplicates, RTT min/avg/max,
and the wall-clock times of the first send, first reply and last reply. SIGUSR1 prints
the same summary so far, without stopping.

With --until-reply DEADLINE it is a reachability probe: exit 0 at the first reply, 1 at the
deadline.

Helpers: `Pinger` (start/stop/result around a Proc) and `ping_ok` / `wait_ping` (probes).
No iputils needed.
"""
import json
import os
import random
import select
import signal
import socket
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def _csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def main(argv):
    import argparse

    p = argparse.ArgumentParser()
    p.add_argument("dst")
    p.add_argument("--interval", type=float, default=0.01)
    p.add_argument("--count", type=int, default=0, help="0: until SIGINT/SIGTERM")
    p.add_argument("--wait", type=float, default=1.0, help="seconds to wait for late replies")
    p.add_argument("--size", type=int, default=56)
    p.add_argument("--until-reply", type=float, default=0.0, metavar="DEADLINE",
                   help="probe mode: stop at the first reply (exit 0) or after DEADLINE seconds (exit 1)")
    a = p.parse_args(argv)

    v6 = ":" in a.dst
    if v6:
        s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
        req_type, rep_type = 128, 129
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        req_type, rep_type = 8, 0
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    ident = random.randrange(1, 0xFFFF)
    payload_len = max(a.size, 8)
    stopping = [False]
    sent_t = []  # index = sequence number (no wrap below 65536 packets)
    rx_t = {}  # seq -> rtt
    dups = [0]
    ttls = set()  # IPv4: the TTLs replies arrived with (how many routers they crossed)
    first_reply = [None]
    last_reply = [None]
    start_wall = time.time()

    def summary():
        n = len(sent_t)
        lost = [q for q in range(n) if q not in rx_t]
        runs, cur = [], None
        for q in lost:
            if cur and q == cur[1] + 1:
                cur[1] = q
            else:
                cur = [q, q]
                runs.append(cur)
        longest = max(runs, key=lambda r: r[1] - r[0]) if runs else None
        rtts = sorted(rx_t.values())

        def run_ms(r):
            end = sent_t[r[1] + 1] if r[1] + 1 < n else sent_t[r[1]] + a.interval
            return round((end - sent_t[r[0]]) * 1000.0, 1)

        return {
            "dst": a.dst, "interval_ms": a.interval * 1000, "sent": n, "received": len(rx_t),
            "lost": len(lost), "lost_seqs": lost[:50], "loss_runs": len(runs),
            "longest_run": (longest[1] - longest[0] + 1) if longest else 0,
            "outage_ms": run_ms(longest) if longest else 0.0,
            "runs": [[r[0], r[1], run_ms(r)] for r in runs[:20]],
            "duplicates": dups[0], "ttls": sorted(ttls),
            "rtt_ms": ([round(rtts[0] * 1e3, 3), round(sum(rtts) / len(rtts) * 1e3, 3), round(rtts[-1] * 1e3, 3)]
                       if rtts else None),
            "first_send_at": start_wall, "first_reply_at": first_reply[0], "last_reply_at": last_reply[0],
        }

    def on_stop(_s, _f):
        stopping[0] = True

    signal.signal(signal.SIGINT, on_stop)
    signal.signal(signal.SIGTERM, on_stop)
    signal.signal(signal.SIGUSR1, lambda _s, _f: print("PROGRESS " + json.dumps(summary()), flush=True))

    print("STARTED id=%d" % ident, flush=True)
    t0 = time.monotonic()
    base_mono_to_wall = time.time() - t0

    def send(seq):
        body = struct.pack("!d", time.monotonic()) + bytes((seq + i) & 0xFF for i in range(payload_len - 8))
        hdr = struct.pack("!BBHHH", req_type, 0, 0, ident, seq & 0xFFFF)
        if not v6:
            hdr = struct.pack("!BBHHH", req_type, 0, _csum(hdr + body), ident, seq & 0xFFFF)
        sent_t.append(time.monotonic())
        try:
            s.sendto(hdr + body, (a.dst, 0))
        except OSError:
            pass  # counted as lost

    def receive(until):
        while True:
            left = until - time.monotonic()
            if left <= 0:
                return
            try:
                r, _, _ = select.select([s], [], [], left)
            except InterruptedError:
                continue
            if not r:
                return
            data = s.recv(65535)
            now = time.monotonic()
            off = 0 if v6 else (data[0] & 0x0F) * 4
            if len(data) < off + 8:
                continue
            typ, _code, _ck, rid, rseq = struct.unpack_from("!BBHHH", data, off)
            if typ != rep_type or rid != ident:
                continue
            # Map the 16-bit sequence to the most recent send with those low bits.
            n = len(sent_t)
            seq = rseq + ((n - 1 - rseq) // 65536) * 65536 if n else rseq
            if seq < 0 or seq >= n:
                continue
            if seq in rx_t:
                dups[0] += 1
                continue
            rx_t[seq] = now - sent_t[seq]
            if not v6:
                ttls.add(data[8])
            wall = now + base_mono_to_wall
            if first_reply[0] is None:
                first_reply[0] = wall
            last_reply[0] = wall

    seq = 0
    if a.until_reply:
        while not stopping[0] and not rx_t and time.monotonic() - t0 < a.until_reply:
            send(seq)
            seq += 1
            receive(min(t0 + seq * a.interval, t0 + a.until_reply))
        print("RESULT " + json.dumps(summary()), flush=True)
        return 0 if rx_t else 1
    while not stopping[0] and (a.count == 0 or seq < a.count):
        send(seq)
        seq += 1
        receive(t0 + seq * a.interval)
    receive(time.monotonic() + a.wait)
    print("RESULT " + json.dumps(summary()), flush=True)
    return 0


# ---- helpers used by the tests ---------------------------------------------------------------
class Pinger:
    """A pinger.py process in a namespace; result() returns the parsed summary."""

    def __init__(self, procs, name, ns, dst, interval=0.01, count=0, wait=1.0):
        argv = ["/usr/bin/python3", os.path.join(HERE, "pinger.py"), dst, "--interval", str(interval),
                "--count", str(count), "--wait", str(wait)]
        self.proc = procs.add(name, ns, argv)
        self.count = count

    def start(self):
        self.proc.start()
        self.proc.wait_log(r"^STARTED", 10)  # signal handlers are in place from here on
        return self

    def progress(self, timeout=5.0):
        """The summary so far (SIGUSR1)."""
        from .procs import wait_until
        n = self.proc.log(since_start=True).count("PROGRESS ")
        self.proc.kill(signal.SIGUSR1)
        wait_until(lambda: self.proc.log(since_start=True).count("PROGRESS ") > n, timeout, what="pinger progress")
        line = [ln for ln in self.proc.log(since_start=True).splitlines() if ln.startswith("PROGRESS ")][-1]
        return json.loads(line[len("PROGRESS "):])

    def stop(self):
        self.proc.kill(signal.SIGINT)
        return self.result()

    def result(self, timeout=None):
        if timeout is None:
            timeout = 30.0 + (self.count * 0.02 if self.count else 0)
        rc = self.proc.wait(timeout)
        if rc is None:
            self.proc.stop(signal.SIGKILL)
            raise AssertionError("pinger %s did not finish in %.0fs" % (self.proc.name, timeout))
        for ln in self.proc.log(since_start=True).splitlines():
            if ln.startswith("RESULT "):
                return json.loads(ln[len("RESULT "):])
        raise AssertionError("pinger %s printed no result (rc %s):\n%s" % (self.proc.name, rc, self.proc.tail()))


def ping_ok(ns, dst, timeout=1.0, interval=0.05):
    """Reachability probe (pinger.py --until-reply): echo requests every interval until the first
    reply (True) or timeout seconds (False). Needs no iputils."""
    r = subprocess.run(["ip", "netns", "exec", ns, "/usr/bin/python3", os.path.join(HERE, "pinger.py"), dst,
                        "--interval", str(interval), "--until-reply", str(timeout)],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return r.returncode == 0


def wait_ping(ns, dst, timeout=30.0):
    """Poll with one-shot pings until dst answers; returns seconds waited. Raises on timeout."""
    t0 = time.monotonic()
    deadline = t0 + timeout
    while True:
        if ping_ok(ns, dst, timeout=min(2.0, max(0.1, deadline - time.monotonic()))):
            return time.monotonic() - t0
        if time.monotonic() > deadline:
            raise AssertionError("no ping reply from %s (in %s) within %.0fs" % (dst, ns, timeout))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
