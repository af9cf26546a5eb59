#!/usr/bin/python3
"""Option-A ingress: a tagged IPv4/IPv6 packet to the interconnect port's MAC on a sub-interface VLAN is routed in that sub-interface's VRF (to a learned host, flooded to an unknown one, PCP 0, TTL-1); the other VRF's hosts are not reachable from it; TTL 1 is ttl_expired."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1], ports=BASE_PORTS + ["ix0"])
red, blue = base_tenants()
a0, a1, tr, v4, vgw, v6 = red.members
ra = SubIf("ix0", 801, "02:cc:00:00:00:02")
ba = SubIf("ix0", 802, "02:cc:00:00:00:06")
H2, B1 = host(0x502), host(0x520)
f = frame(BCAST, H2)
c.send("acc1", a1.ingress(f))
c.flood(red, f, a1)
f = frame(BCAST, B1)
c.send("acc0", blue.members[0].ingress(f))
c.flood(blue, f, blue.members[0])

p = ip4("10.70.1.1", "10.1.0.20")
c.send("ix0", ra.ingress(p, pcp=3))
c.deliver(a1, routed_inner(H2, p))
p = ip6("2001:db8:70::1", "2001:db8:1::20")
c.send("ix0", ra.ingress(p))
c.deliver(a1, routed_inner(H2, p))
p = ip4("10.70.1.1", "10.1.0.60", ttl=2)
c.send("ix0", ra.ingress(p))
c.flood(red, routed_inner(host(0x506), p), None)
p = ip4("10.70.1.1", "10.2.0.10", sport=9)
c.send("ix0", ba.ingress(p, pcp=6))
c.deliver(blue.members[0], routed_inner(B1, p))
p = ip6("2001:db8:70::1", "2001:db8:2::10")
c.send("ix0", ba.ingress(p))
c.deliver(blue.members[0], routed_inner(B1, p))

c.send("ix0", ba.ingress(ip4("10.70.1.1", "10.1.0.20", sport=10)))      # red's host from blue's VLAN
c.drops(no_route=1)
c.send("ix0", ra.ingress(ip4("10.70.1.1", "10.2.0.10", sport=11)))      # blue's host from red's VLAN
c.drops(no_route=1)
c.send("ix0", ra.ingress(ip4("10.70.1.1", "10.1.0.20", ttl=1)))
c.drops(ttl_expired=1)
c.counters({"tenants": {"red": {"mac_entries": 1}, "blue": {"mac_entries": 1}}})
c.write()
