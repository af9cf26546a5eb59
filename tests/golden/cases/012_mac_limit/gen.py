#!/usr/bin/python3
"""mac_limit 3 on red: a 4th source MAC is not learned and its frame is dropped (mac_limit), known ones keep working; another tenant is not affected."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1])
red, blue = base_tenants()
a0, a1, tr, v4, vgw, v6 = red.members
hs = [host(0xC0 + i) for i in range(5)]

for i, (m, h) in enumerate(zip((a0, a1, v4), hs)):
    f = frame(BCAST, h, sport=i)
    c.send(m.port, m.ingress(f))
    c.flood(red, f, m)

for m, h in ((tr, hs[3]), (a0, hs[4]), (v6, hs[3])):   # beyond the limit: dropped
    c.send(m.port, m.ingress(frame(hs[0], h)))
    c.drops(mac_limit=1)

f = frame(hs[1], hs[0], sport=77)                       # known MACs still work
c.send("acc0", a0.ingress(f))
c.deliver(a1, f)
f = frame(hs[2], hs[1], sport=78)
c.send("acc1", a1.ingress(f))
c.deliver(v4, f)

f = frame(BCAST, hs[3])                                 # blue has no limit
c.send("acc1", blue.members[1].ingress(f))
c.flood(blue, f, blue.members[1])

c.counters({"tenants": {"red": {"mac_entries": 3}, "blue": {"mac_entries": 1}},
            "mac": {"entries": 4, "learned": 4}})
c.write()
