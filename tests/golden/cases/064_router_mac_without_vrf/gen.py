#!/usr/bin/python3
"""Frames to the router MAC in a tenant without vrf are plain L2: unknown unicast flooded unchanged (TTL / hop limit untouched, even 1; PCP kept); the same MAC is routed in a tenant with vrf."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1], ports=BASE_PORTS + ["ix0"])
red, blue = base_tenants()
b0, b1 = blue.members[0], blue.members[1]
B1, B2 = host(0x520), host(0x521)
for m, p, pcp in ((b0, ip4("10.2.0.10", "10.2.0.20"), 3), (b0, ip6("2001:db8:2::10", "2001:db8:2::20"), 0),
                  (b1, ip4("10.2.0.20", "10.1.0.10", ttl=1), 5), (b1, ip6("2001:db8:2::20", "2001:db8:1::20", hlim=0), 1)):
    f = l3frame(RMAC, B1 if m is b0 else B2, p)
    c.send(m.port, m.ingress(f, pcp=pcp))
    c.flood(blue, f, m, pcp=pcp)
# A blue host answers to RMAC after red routed a frame: still unknown in blue.
p = ip4("10.1.0.10", "10.1.0.60")
c.send("acc0", to_router(red.members[0], host(0x500), p))
c.flood(red, routed_inner(host(0x506), p), None)
f = l3frame(RMAC, B1, ip4("10.2.0.10", "10.2.0.20", sport=9))
c.send("acc0", b0.ingress(f))
c.flood(blue, f, b0)
c.counters({"tenants": {"red": {"mac_entries": 1}, "blue": {"mac_entries": 2}}})
c.write()
