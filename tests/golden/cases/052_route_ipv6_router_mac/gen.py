#!/usr/bin/python3
"""IPv6 routing on a configured node.router_mac: hop limit decremented, source MAC = router_mac, delivered to the learned member (attachment, trunk, IPv6 VTEP); IPv4 uses the same MAC; a frame to the MAC derived from router_id is plain L2 (flooded)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1], ports=BASE_PORTS + ["ix0"])
red, blue = base_tenants()
a0, a1, tr, v4, vgw, v6 = red.members
RM = "02:00:00:00:fe:01"
H1, H2, H3, H5 = host(0x500), host(0x502), host(0x503), host(0x505)
for m, h in ((a1, H2), (tr, H3), (v6, H5)):
    f = frame(BCAST, h)
    c.send(m.port, m.ingress(f))
    c.flood(red, f, m)

for dst, hm, m, hl in (("2001:db8:1::20", H2, a1, 64), ("2001:db8:1::30", H3, tr, 2),
                       ("2001:db8:1::50", H5, v6, 255)):
    p = ip6("2001:db8:1::10", dst, hlim=hl)
    c.send("acc0", to_router(a0, H1, p, rmac=RM, pcp=3))
    c.deliver(m, routed_inner(hm, p, rmac=RM))
p = ip6("2001:db8:1::50", "2001:db8:1::10", sport=5050)     # back from the VTEP to H1
c.send("core0", v6.ingress(l3frame(RM, H5, p)))
c.deliver(a0, routed_inner(H1, p, rmac=RM))
p = ip4("10.1.0.10", "10.1.0.20")
c.send("acc0", to_router(a0, H1, p, rmac=RM))
c.deliver(a1, routed_inner(H2, p, rmac=RM))

# 02:00:0a:ff:00:01 (derived from router_id) is not the router MAC here: unknown unicast.
f = l3frame(router_mac("10.255.0.1"), H1, ip6("2001:db8:1::10", "2001:db8:1::20", sport=7))
c.send("acc0", a0.ingress(f, pcp=2))
c.flood(red, f, a0, pcp=2)
c.write()
