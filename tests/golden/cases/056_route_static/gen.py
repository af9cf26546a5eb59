#!/usr/bin/python3
"""Static routes via tenant hosts, by longest prefix: a /16 and a more specific /24 via different hosts, a default route, an IPv6 /48; the connected /24 beats the default (MAC unknown: no_neighbor, and an ARP request); no IPv6 default: no_route."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1], ports=BASE_PORTS + ["ix0"])
red, blue = base_tenants()
a0, a1, tr, v4, vgw, v6 = red.members
H1, H1b, H2, H3, H4 = host(0x500), host(0x501), host(0x502), host(0x503), host(0x504)
for m, h in ((a0, H1), (a1, H2), (tr, H3)):
    f = frame(BCAST, h)
    c.send(m.port, m.ingress(f))
    c.flood(red, f, m)

for dst, hm, m in (("10.9.1.1", H1, a0), ("10.9.5.7", H2, a1), ("10.9.255.255", H1, a0),
                   ("10.200.0.1", H3, tr), ("192.0.2.2", H3, tr), ("10.1.0.20", H2, a1)):
    p = ip4("10.1.0.40", dst)
    c.send("core0", v4.ingress(l3frame(RMAC, H4, p)))
    c.deliver(m, routed_inner(hm, p))
p = ip6("2001:db8:1::11", "2001:db8:9:ffff::1")
c.send("acc0", to_router(a0, H1b, p))
c.deliver(a1, routed_inner(H2, p))
c.send("acc0", to_router(a0, H1b, ip4("10.1.0.11", "10.1.0.77")))
c.drops(no_neighbor=1)
c.flood(red, arp_request("10.1.0.77"), None)
c.send("acc0", to_router(a0, H1b, ip6("2001:db8:1::11", "2001:db8:99::1")))
c.drops(no_route=1)
c.write()
