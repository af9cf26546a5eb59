#!/usr/bin/python3
"""MPLS ingress on automatic VRF labels: a VRF without vrf.label has label 983040 + its tenant's index in the tenants list (red 0 -> 983040, green 2 -> 983042); the index of blue, which has no VRF, is nobody's label (unknown_label)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1], ports=BASE_PORTS + ["ix0"])
red, blue = base_tenants()
a0, a1, tr, v4, vgw, v6 = red.members
green = Tenant("green", 100003, [Attachment("acc0", 1236), Trunk("trk0", 3003)])
IX, PEER = PORT_MAC["ix0"], "02:cc:00:00:01:01"
H2, G1 = host(0x502), host(0x530)
f = frame(BCAST, H2)
c.send("acc1", a1.ingress(f))
c.flood(red, f, a1)

p = ip4("10.50.0.1", "10.1.0.20")
c.send("ix0", mpls_frame(IX, PEER, [AUTO_LABEL_BASE + 0], 40, p))
c.deliver(a1, l3frame(H2, RMAC, set_ttl(p, 39)))
p = ip6("2001:db8:50::1", "2001:db8:1::20")
c.send("ix0", mpls_frame(IX, PEER, [AUTO_LABEL_BASE + 0], 40, p))
c.deliver(a1, l3frame(H2, RMAC, set_ttl(p, 39)))
p = ip4("10.50.0.1", "10.3.0.10")                    # green: G1 not learned, flooded
c.send("ix0", mpls_frame(IX, PEER, [AUTO_LABEL_BASE + 2], 40, p))
c.flood(green, l3frame(G1, RMAC, set_ttl(p, 39)), None)
c.send("ix0", mpls_frame(IX, PEER, [AUTO_LABEL_BASE + 1], 40, ip4("10.50.0.1", "10.1.0.20", sport=3)))
c.drops(unknown_label=1)
c.send("ix0", mpls_frame(IX, PEER, [AUTO_LABEL_BASE + 3], 40, ip4("10.50.0.1", "10.1.0.20", sport=4)))
c.drops(unknown_label=1)
c.write()
