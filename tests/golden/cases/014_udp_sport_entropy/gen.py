#!/usr/bin/python3
"""VXLAN UDP source-port entropy: 20 inner flows (different L4 ports / addresses) to the same remote MAC give at least 2 distinct source ports, all in 49152-65535; every packet of one flow gets the same port (flows sent twice, with different PCPs and from different ingress tags)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1])
red, blue = base_tenants()
a0, a1, tr, v4, vgw, v6 = red.members
R, A = host(0xE0), host(0xE1)
f = frame(BCAST, R)
c.send("core0", v4.ingress(f))
c.flood(red, f, v4)

flows = [frame(R, A, sport=10000 + 7 * i, dport=53 + i % 3) for i in range(14)]
flows += [frame(R, A, ip=("10.1.%d.1" % i, "10.2.0.%d" % (i + 3))) for i in range(6)]
for rnd in range(2):
    for i, f in enumerate(flows):
        c.send("acc0", a0.ingress(f, pcp=(i + rnd) % 8, dei=rnd))
        c.deliver(v4, f)
# A broadcast is one flow too: all its VTEP copies carry the same port.
f = frame(BCAST, A, sport=1)
c.send("acc0", a0.ingress(f, pcp=1))
c.flood(red, f, a0, pcp=1)
c.meta["min_distinct_sports"] = 2
c.write()
