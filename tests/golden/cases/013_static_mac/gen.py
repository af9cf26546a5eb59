#!/usr/bin/python3
"""Static MACs (on an attachment, a QinQ attachment, the trunk, an IPv4 and an IPv6 VTEP) are known without being seen, never move when the MAC shows up as a source elsewhere, and never age (mac_aging 10, frames 100 s later)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1])
red, blue = base_tenants()
a0, a1, tr, v4, vgw, v6 = red.members
S = ["02:00:00:00:5a:0%d" % i for i in range(1, 6)]
where = [a0, a1, tr, v4, v6]
X, Y = host(0xD0), host(0xD1)


def sender(m):
    """VTEP -> VTEP would be filtered: hosts behind VTEPs are reached from acc0 (Y)."""
    return (a0, Y) if m.kind == "vtep" else (vgw, X)


for m, h in ((vgw, X), (a0, Y)):
    f = frame(BCAST, h)
    c.send(m.port, m.ingress(f))
    c.flood(red, f, m)
for s, m in zip(S, where):              # known at once
    src, h = sender(m)
    f = frame(s, h, sport=1)
    c.send(src.port, src.ingress(f))
    c.deliver(m, f)

# Each static MAC appears as a source on another member: forwarded, not moved.
for i, (s, m) in enumerate(zip(S, where)):
    other = where[(i + 1) % len(where)]
    f = frame(BCAST, s, sport=2 + i)
    c.send(other.port, other.ingress(f))
    c.flood(red, f, other)

for i, (s, m) in enumerate(zip(S, where)):
    src, h = sender(m)
    f = frame(s, h, sport=20 + i)
    c.send(src.port, src.ingress(f), t=100.0 + i)   # X/Y re-learned; statics never age
    c.deliver(m, f)

c.counters({"mac": {"moved": 0}, "tenants": {"red": {"mac_entries": 7}}})
c.write()
