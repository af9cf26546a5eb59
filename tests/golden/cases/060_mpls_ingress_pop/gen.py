#!/usr/bin/python3
"""MPLS ingress: one label (S set) equal to a VRF's configured vrf.label, to the interconnect port's MAC, is popped, the IP TTL / hop limit set from the MPLS TTL (uniform model) and the packet routed in that VRF (to a host, flooded, back out to an Option-B route); MPLS TTL 1 or 0 is ttl_expired; an IPv4 header that fails its checksum is malformed."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1], ports=BASE_PORTS + ["ix0"])
red, blue = base_tenants()
a0, a1, tr, v4, vgw, v6 = red.members
IX, PEER = PORT_MAC["ix0"], "02:cc:00:00:01:01"
H2, B1 = host(0x502), host(0x520)
f = frame(BCAST, H2)
c.send("acc1", a1.ingress(f))
c.flood(red, f, a1)
f = frame(BCAST, B1)
c.send("acc0", blue.members[0].ingress(f))
c.flood(blue, f, blue.members[0])


def popped(label, mttl, p, tc=0):
    """Send p under one label with MPLS TTL mttl; return p as the VRF routes it (TTL mttl-1)."""
    c.send("ix0", mpls_frame(IX, PEER, [label], mttl, p, tc=tc))
    return set_ttl(p, mttl - 1)


c.deliver(a1, l3frame(H2, RMAC, popped(2001, 50, ip4("10.50.0.1", "10.1.0.20", ttl=200))))
c.deliver(a1, l3frame(H2, RMAC, popped(2001, 30, ip4("10.50.0.1", "10.1.0.20", ttl=5, sport=5))))
c.deliver(a1, l3frame(H2, RMAC, popped(2001, 2, ip4("10.50.0.1", "10.1.0.20", ttl=64, sport=6), tc=5)))
c.deliver(a1, l3frame(H2, RMAC, popped(2001, 64, ip6("2001:db8:50::1", "2001:db8:1::20", hlim=9))))
c.deliver(blue.members[0], l3frame(B1, RMAC, popped(2002, 255, ip4("10.50.0.1", "10.2.0.10", ttl=1))))
c.deliver(blue.members[0], l3frame(B1, RMAC, popped(2002, 100, ip6("2001:db8:50::1", "2001:db8:2::10"))))
c.flood(red, l3frame(host(0x506), RMAC, popped(2001, 20, ip4("10.50.0.1", "10.1.0.60"))), None)
out = popped(2001, 50, ip4("10.50.0.1", "10.50.7.7", ttl=9))
c.expect("ix0", mpls_frame(PEER, IX, [3000], 49, out))
c.send("ix0", mpls_frame(IX, PEER, [2001], 1, ip4("10.50.0.1", "10.1.0.20", ttl=64, sport=8)))
c.drops(ttl_expired=1)
c.send("ix0", mpls_frame(IX, PEER, [2001], 0, ip4("10.50.0.1", "10.1.0.20", ttl=64, sport=18)))
c.drops(ttl_expired=1)
c.send("ix0", mpls_frame(IX, PEER, [2002], 1, ip6("2001:db8:50::1", "2001:db8:2::10", hlim=64, sport=8)))
c.drops(ttl_expired=1)
c.send("ix0", mpls_frame(IX, PEER, [2002], 50, ip4("10.50.0.1", "10.1.0.20", sport=9)))   # red's host, blue's label
c.drops(no_route=1)
bad = bytearray(ip4("10.50.0.1", "10.1.0.20", sport=10))
bad[11] ^= 0x40
c.send("ix0", mpls_frame(IX, PEER, [2001], 50, bytes(bad)))
c.drops(malformed=1)
c.write()
