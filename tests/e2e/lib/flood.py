#!/usr/bin/python3
"""Sends a set of frames round and round from a raw socket, as fast as it can or at a rate.

As a script (run inside the namespace):  flood.py DEV SECONDS [--pps N] HEX-FRAME...
prints "STARTED", then at the end one line of JSON: {"sent": N, "seconds": S}.
Helper: Flood (a flood.py process in a namespace, like lib/pinger.Pinger).
"""
import json
import os
import socket
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def main(argv):
    dev, seconds = argv[0], float(argv[1])
    rest = argv[2:]
    pps = 0
    if rest and rest[0] == "--pps":
        pps, rest = int(rest[1]), rest[2:]
    frames = [bytes.fromhex(h) for h in rest]
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((dev, 0))
    print("STARTED", flush=True)
    sent, t0 = 0, time.monotonic()
    end = t0 + seconds
    while True:
        now = time.monotonic()
        if now >= end:
            break
        if pps and sent > (now - t0) * pps:
            time.sleep(0.0005)
            continue
        for f in frames:
            try:
                s.send(f)
                sent += 1
            except OSError:  # a full queue: the point of a flood; count only what left
                pass
    print(json.dumps({"sent": sent, "seconds": round(time.monotonic() - t0, 3)}), flush=True)


class Flood:
    def __init__(self, procs, name, ns, dev, frames, seconds, pps=0):
        argv = ["/usr/bin/python3", os.path.join(HERE, "flood.py"), dev, str(seconds)]
        if pps:
            argv += ["--pps", str(pps)]
        self.proc = procs.add(name, ns, argv + [bytes(f).hex() for f in frames])
        self.seconds = seconds

    def start(self):
        self.proc.start()
        self.proc.wait_log(r"^STARTED", 10)
        return self

    def result(self):
        self.proc.wait(self.seconds + 20)
        return json.loads(self.proc.log().strip().splitlines()[-1])


if __name__ == "__main__":
    main(sys.argv[1:])
