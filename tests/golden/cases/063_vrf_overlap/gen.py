#!/usr/bin/python3
"""Two VRFs with the same prefixes stay apart: red and blue both have 10.1.0.0/24 and 2001:db8:1::/64, host 10.1.0.10 and a static 10.9.0.0/16 via it, a VPN route 10.50.0.0/16; each tenant's packets (and each VRF label's) reach its own host or labels only."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1], ports=BASE_PORTS + ["ix0"])
red, blue = base_tenants()
ra0, rtr = red.members[0], red.members[2]
ba0, btr = blue.members[0], blue.members[2]
IX, PEER = PORT_MAC["ix0"], "02:cc:00:00:01:01"
R10, B10, S = host(0x500), host(0x520), host(0x508)      # S sends in both tenants
for t, m, h in ((red, rtr, R10), (blue, btr, B10)):
    f = frame(BCAST, h)
    c.send(m.port, m.ingress(f))
    c.flood(t, f, m)

for a, tr, hm, lab, vpn in ((ra0, rtr, R10, 2001, 3000), (ba0, btr, B10, 2002, 3100)):
    for p in (ip4("10.1.0.8", "10.1.0.10"), ip4("10.1.0.8", "10.9.1.1", sport=2),
              ip6("2001:db8:1::8", "2001:db8:1::10")):
        c.send("acc0", to_router(a, S, p))
        c.deliver(tr, routed_inner(hm, p))
    p = ip4("10.1.0.8", "10.50.1.1")
    c.send("acc0", to_router(a, S, p))
    c.expect("ix0", option_b_egress("ix0", PEER, [vpn], p))
    p = ip4("10.50.0.1", "10.1.0.10", sport=3)
    c.send("ix0", mpls_frame(IX, PEER, [lab], 60, p))
    c.deliver(tr, l3frame(hm, RMAC, set_ttl(p, 59)))
    p = ip6("2001:db8:50::1", "2001:db8:1::10", sport=3)
    c.send("ix0", mpls_frame(IX, PEER, [lab], 60, p))
    c.deliver(tr, l3frame(hm, RMAC, set_ttl(p, 59)))
c.counters({"mac": {"moved": 0}, "tenants": {"red": {"mac_entries": 2}, "blue": {"mac_entries": 2}}})
c.write()
