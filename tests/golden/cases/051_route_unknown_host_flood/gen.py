#!/usr/bin/python3
"""Routing to a host whose MAC is not learned: the routed frame (router MAC -> host MAC, PCP 0) is flooded to every member of the tenant, the ingress member and every VTEP included (the router is not a member), IPv4 and IPv6; once the host is learned, only its member gets it."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1], ports=BASE_PORTS + ["ix0"])
red, blue = base_tenants()
a0, a1, tr, v4, vgw, v6 = red.members
H1, H4, H6 = host(0x500), host(0x504), host(0x506)

p = ip4("10.1.0.10", "10.1.0.60")
c.send("acc0", to_router(a0, H1, p, pcp=4))
c.flood(red, routed_inner(H6, p), None)
p = ip6("2001:db8:1::10", "2001:db8:1::60")
c.send("acc0", to_router(a0, H1, p))
c.flood(red, routed_inner(H6, p), None)
p = ip4("10.1.0.40", "10.1.0.60", sport=4040)          # from a VTEP: VTEPs get it too
c.send("core0", v4.ingress(l3frame(RMAC, H4, p)))
c.flood(red, routed_inner(H6, p), None)
p = ip4("10.1.0.30", "10.1.0.60", sport=3030, ttl=2)   # from the QinQ attachment
c.send("acc1", to_router(a1, host(0x503), p, pcp=6, inner_pcp=1))
c.flood(red, routed_inner(H6, p), None)

# H6 shows up on trk0: now it is known.
f = frame(BCAST, H6)
c.send("trk0", tr.ingress(f))
c.flood(red, f, tr)
p = ip4("10.1.0.10", "10.1.0.60", sport=1111)
c.send("acc0", to_router(a0, H1, p))
c.deliver(tr, routed_inner(H6, p))
p = ip6("2001:db8:1::10", "2001:db8:1::60", sport=1111)
c.send("acc0", to_router(a0, H1, p))
c.deliver(tr, routed_inner(H6, p))
c.counters({"tenants": {"red": {"mac_entries": 4}, "blue": {"mac_entries": 0}}})
c.write()
