#!/usr/bin/python3
"""MAC aging with node.mac_aging 10 s on pcap timestamps: a destination stays known while its entry is fresh, is flooded again once it is more than 10 s old (looking it up as a destination does not refresh it), and is learned again from its next frame."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1])
red, blue = base_tenants()
a0, a1, tr, v4, vgw, v6 = red.members
H, X, R = host(0xB0), host(0xB1), host(0xB2)

f = frame(BCAST, H)
c.send("acc0", a0.ingress(f), t=1.0)            # H learned at 1
c.flood(red, f, a0)
toH = frame(H, X)
c.send("acc1", a1.ingress(toH), t=5.0)          # X learned at 5; H known
c.deliver(a0, toH)
c.send("acc1", a1.ingress(toH), t=9.0)          # 8 s old: still known
c.deliver(a0, toH)
c.send("acc1", a1.ingress(toH), t=25.0)         # 24 s: H (1) and X (9) aged out -> flood
c.flood(red, toH, a1)
toX = frame(X, H, sport=3)
c.send("acc0", a0.ingress(toX), t=26.0)         # X (re-learned at 25) known
c.deliver(a1, toX)

# A MAC behind a VTEP ages the same way.
f = frame(BCAST, R)
c.send("core0", v4.ingress(f), t=30.0)
c.flood(red, f, v4)
toR = frame(R, H, sport=4)
c.send("acc0", a0.ingress(toR), t=31.0)
c.deliver(v4, toR)
c.send("acc0", a0.ingress(toR), t=60.0)         # R (30) aged; H (31) too, re-learned
c.flood(red, toR, a0)

c.counters({"mac": {"learned": 6, "moved": 0, "aged": 5},
            "tenants": {"red": {"mac_entries": 1}}})
c.write()
