#!/usr/bin/python3
"""Drop reason no_neighbor: a VTEP whose next-hop MAC is not in neighbors: (on-link IPv4 VTEP without an entry, IPv6 VTEP beyond a gateway without an entry). Floods lose only those copies; unicast to MACs behind them is dropped; decapsulation from them still works."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1])
a0, a1, tr = Attachment("acc0", 1234), Attachment("acc1", 100, 20), Trunk("trk0", 3001)
good = Vtep("192.0.2.2", 100001, "02:bb:00:00:00:02")
n4 = Vtep("192.0.2.9", 100001, "02:bb:00:00:00:09")       # nh_mac only used for ingress
n6 = Vtep("2001:db8:200::7", 100001, "02:bb:00:00:01:fe")
red = Tenant("red", 100001, [a0, a1, tr, good, n4, n6])
A, R4, R6 = host(0x190), host(0x191), host(0x192)
f = frame(BCAST, A)
c.send("acc0", a0.ingress(f))
c.flood(red, f, a0, skip=(n4, n6))
c.drops(no_neighbor=2)
for v, h in ((n4, R4), (n6, R6)):
    f = frame(BCAST, h)
    c.send("core0", v.ingress(f))
    c.flood(red, f, v)
    c.send("acc0", a0.ingress(frame(h, A)))
    c.drops(no_neighbor=1)
f = frame(BCAST, host(0x193))
c.send("trk0", tr.ingress(f))
c.flood(red, f, tr, skip=(n4, n6))
c.drops(no_neighbor=2)
c.write()
