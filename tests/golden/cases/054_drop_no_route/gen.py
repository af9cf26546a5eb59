#!/usr/bin/python3
"""Drop reason no_route: a destination no route of the VRF covers (IPv4 from an attachment, IPv6 in a VRF without an IPv6 gateway, after an MPLS pop, from an Option-A sub-interface); a covered destination is routed."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1], ports=BASE_PORTS + ["ix0"])
red, blue = base_tenants()
a0, a1, tr, v4, vgw, v6 = red.members
IX = PORT_MAC["ix0"]
H1, PEER = host(0x500), "02:cc:00:00:01:01"
sub = SubIf("ix0", 801, "02:cc:00:00:00:02")

c.send("acc0", to_router(a0, H1, ip4("10.1.0.10", "10.99.0.1")))
c.drops(no_route=1)
c.send("acc0", to_router(a0, H1, ip4("10.1.0.10", "203.0.113.1")))     # the ix0 subnet is not in the VRF
c.drops(no_route=1)
c.send("acc0", to_router(a0, H1, ip6("2001:db8:1::10", "2001:db8:1::20")))
c.drops(no_route=1)
c.send("trk0", to_router(tr, host(0x503), ip4("10.1.0.30", "10.99.0.1", sport=3)))
c.drops(no_route=1)
c.send("ix0", mpls_frame(IX, PEER, [2001], 50, ip4("10.50.0.1", "10.99.0.1")))
c.drops(no_route=1)
c.send("ix0", sub.ingress(ip4("10.70.0.1", "10.99.0.1")))
c.drops(no_route=1)

# Controls: the Option-A neighbour and a connected host are routed.
p = ip4("10.1.0.10", "198.51.100.2")
c.send("acc0", to_router(a0, H1, p))
c.expect("ix0", sub.egress_of(p))
p = ip4("10.70.0.1", "10.1.0.20")
c.send("ix0", sub.ingress(p))
c.flood(red, routed_inner(host(0x502), p), None)
c.write()
