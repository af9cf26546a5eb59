#!/usr/bin/python3
"""MAC move: a host learned on one attachment moves to another attachment, then to the trunk, then behind a VTEP, then back; each later unicast follows it (mac.moved counts the moves)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1])
red, blue = base_tenants()
a0, a1, tr, v4, vgw, v6 = red.members
H, X = host(0xA0), host(0xA1)

f = frame(BCAST, X)                      # X on the trunk
c.send("trk0", tr.ingress(f))
c.flood(red, f, tr)

f = frame(X, H)                          # H on acc0
c.send("acc0", a0.ingress(f))
c.deliver(tr, f)
toH = frame(H, X, sport=31)
c.send("trk0", tr.ingress(toH, pcp=3))
c.deliver(a0, toH, pcp=3)

for m in (a1, v6, a0):                   # H moves: QinQ attachment, IPv6 VTEP, back
    f = frame(X, H, sport=40)
    c.send(m.port, m.ingress(f))
    c.deliver(tr, f)
    c.send("trk0", tr.ingress(toH, pcp=3))
    c.deliver(m, toH, pcp=3)

c.counters({"mac": {"learned": 2, "moved": 3, "aged": 0}, "tenants": {"red": {"mac_entries": 2}}})
c.write()
