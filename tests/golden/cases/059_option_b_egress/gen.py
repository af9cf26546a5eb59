#!/usr/bin/python3
"""Option-B egress: a packet to a VPN route leaves the peer's port as port MAC -> peer MAC, EtherType 0x8847, the labels outermost first (TC 0, S on the last only, MPLS TTL = the decremented IP TTL), the IP packet decremented with a valid checksum; IPv4 and IPv6, one and two labels, each VRF its own routes; a static route via an address behind a VPN route is unresolved (no_neighbor)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1], ports=BASE_PORTS + ["ix0"])
red, blue = base_tenants()
a0, a1, tr, v4, vgw, v6 = red.members
PEER = "02:cc:00:00:01:01"
H1, H2, H3, H4, B1 = host(0x500), host(0x502), host(0x503), host(0x504), host(0x520)

for m, src, p, labels, kw in (
        (a0, H1, ip4("10.1.0.10", "10.50.1.1"), [3000, 4000], {"pcp": 5}),
        (a0, H1, ip6("2001:db8:1::10", "2001:db8:50::1"), [3001, 4001], {}),
        (a1, H2, ip4("10.1.0.20", "10.60.0.1", ttl=2), [1048575, 16], {"pcp": 7, "inner_pcp": 3}),
        (a1, H2, ip6("2001:db8:1::20", "2001:db8:50:ffff::9", hlim=2), [3001, 4001], {}),
        (tr, H3, ip4("10.1.0.30", "10.61.0.1", ttl=200, proto="tcp"), [5000], {"pcp": 1})):
    c.send(m.port, to_router(m, src, p, **kw))
    c.expect("ix0", option_b_egress("ix0", PEER, labels, p))
p = ip4("10.1.0.40", "10.50.9.9", sport=4)
c.send("core0", v4.ingress(l3frame(RMAC, H4, p)))
c.expect("ix0", option_b_egress("ix0", PEER, [3000, 4000], p))
p = ip4("10.2.0.10", "10.50.1.1")
c.send("acc0", to_router(blue.members[0], B1, p, pcp=4))
c.expect("ix0", option_b_egress("ix0", PEER, [6000], p))
c.send("acc0", to_router(blue.members[0], B1, ip4("10.2.0.10", "10.60.0.1")))
c.drops(no_route=1)
c.send("acc0", to_router(a0, H1, ip4("10.1.0.10", "10.50.1.1", ttl=1)))
c.drops(ttl_expired=1)
# A static route via an address behind an Option-B route is not resolved through it.
c.send("acc0", to_router(a0, H1, ip4("10.1.0.10", "10.82.0.1")))
c.drops(no_neighbor=1)
c.write()
