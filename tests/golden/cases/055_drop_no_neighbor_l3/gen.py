#!/usr/bin/python3
"""Drop reason no_neighbor for routed packets: a connected destination whose MAC is unknown (IPv4, IPv6; the router asks for it by ARP or ND, flooded in the segment, at most once a second per address), a static route via an address that is neither a tenant neighbour nor an Option-A neighbour, an Option-A neighbour without a MAC, an Option-B peer without a MAC."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1], ports=BASE_PORTS + ["ix0", "ix1"])
red, blue = base_tenants()
a0, a1, tr, v4, vgw, v6 = red.members
H1 = host(0x500)
for dst in ("10.1.0.77", "10.9.1.1", "10.70.1.1", "198.51.100.2", "10.50.1.1"):
    c.send("acc0", to_router(a0, H1, ip4("10.1.0.10", dst)))
    c.drops(no_neighbor=1)
    if dst == "10.1.0.77":
        c.flood(red, arp_request(dst), None)
c.send("acc0", to_router(a0, H1, ip6("2001:db8:1::10", "2001:db8:1::77")))
c.drops(no_neighbor=1)
c.flood(red, neighbor_solicitation("2001:db8:1::77"), None)
# Asked already this second: no second request.
c.send("core0", v4.ingress(l3frame(RMAC, host(0x504), ip4("10.1.0.40", "10.1.0.77"))))
c.drops(no_neighbor=1)

# Control: a host route (MAC not learned: flooded).
p = ip4("10.1.0.10", "10.1.0.20")
c.send("acc0", to_router(a0, H1, p))
c.flood(red, routed_inner(host(0x502), p), None)
c.write()
