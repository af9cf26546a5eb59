#!/usr/bin/python3
"""Option-A egress: a packet routed to an Option-A neighbour (itself, or via a static route) leaves the interconnect port with one 0x8100 tag (PCP 0, the VRF's VLAN), port MAC -> neighbour MAC, TTL-1; red and blue use their own sub-interfaces for the same prefix; another tenant's neighbour or host is no next hop (no_neighbor)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1], ports=BASE_PORTS + ["ix0"])
red, blue = base_tenants()
a0, a1, tr, v4, vgw, v6 = red.members
ra = SubIf("ix0", 801, "02:cc:00:00:00:02")
ba = SubIf("ix0", 802, "02:cc:00:00:00:06")
H1, H2, H3, B1 = host(0x500), host(0x502), host(0x503), host(0x520)

for m, src, p, kw in ((a0, H1, ip4("10.1.0.10", "10.70.1.1"), {"pcp": 5, "dei": 1}),
                      (a0, H1, ip4("10.1.0.10", "198.51.100.2", sport=2), {}),
                      (a1, H2, ip4("10.1.0.20", "10.70.200.9", proto="tcp"), {"pcp": 7, "inner_pcp": 7}),
                      (tr, H3, ip4("10.1.0.30", "10.70.0.1", ttl=2), {"pcp": 1})):
    c.send(m.port, to_router(m, src, p, **kw))
    c.expect("ix0", ra.egress_of(p))
p = ip4("10.1.0.40", "10.70.3.3", sport=4)
c.send("core0", v4.ingress(l3frame(RMAC, host(0x504), p)))
c.expect("ix0", ra.egress_of(p))
for p, m in ((ip4("10.2.0.10", "10.70.1.1"), blue.members[0]),
             (ip4("10.2.0.10", "198.51.100.6", ttl=100), blue.members[1])):
    c.send(m.port, to_router(m, B1, p, pcp=3))
    c.expect("ix0", ba.egress_of(p))
# Blue has no route to red's neighbour.
c.send("acc0", to_router(blue.members[0], B1, ip4("10.2.0.10", "198.51.100.2")))
c.drops(no_route=1)
# A next hop of the other tenant does not resolve: blue via red's Option-A neighbour, red via blue's host.
c.send("acc0", to_router(blue.members[0], B1, ip4("10.2.0.10", "10.80.0.1")))
c.drops(no_neighbor=1)
c.send("acc0", to_router(a0, H1, ip4("10.1.0.10", "10.81.0.1")))
c.drops(no_neighbor=1)
c.write()
