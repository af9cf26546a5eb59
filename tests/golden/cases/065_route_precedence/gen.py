#!/usr/bin/python3
"""Route selection: longest prefix first; between identical prefixes the connected subnet, a host route or a static route wins over an Option-B route (IPv4 and IPv6); a longer Option-B prefix still wins over a shorter static route."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1], ports=BASE_PORTS + ["ix0"])
red, blue = base_tenants()
a0, a1, tr, v4, vgw, v6 = red.members
PEER = "02:cc:00:00:01:01"
H1, H2, H3 = host(0x500), host(0x502), host(0x503)
for m, h in ((a0, H1), (a1, H2)):
    f = frame(BCAST, h)
    c.send(m.port, m.ingress(f))
    c.flood(red, f, m)


def send(p):
    c.send("trk0", to_router(tr, H3, p))


for dst, out in (("10.9.1.1", (a0, H1)), ("10.9.7.1", [3006]), ("10.1.0.20", (a1, H2)),
                 ("10.20.5.1", [3004, 3005]), ("10.20.6.1", [3003]), ("10.20.5.255", [3004, 3005])):
    p = ip4("10.1.0.30", dst)
    send(p)
    if isinstance(out, list):
        c.expect("ix0", option_b_egress("ix0", PEER, out, p))
    else:
        c.deliver(out[0], routed_inner(out[1], p))
p = ip6("2001:db8:1::30", "2001:db8:1::20")
send(p)
c.deliver(a1, routed_inner(H2, p))
send(ip4("10.1.0.30", "10.1.0.77"))             # connected /24 over the VPN /24: asked for
c.drops(no_neighbor=1)
c.flood(red, arp_request("10.1.0.77"), None)
send(ip6("2001:db8:1::30", "2001:db8:1::77"))   # connected /64 over the VPN /64
c.drops(no_neighbor=1)
c.flood(red, neighbor_solicitation("2001:db8:1::77"), None)
c.write()
