#!/usr/bin/python3
"""Routing re-frames the IP packet: Ethernet padding after it (a short packet padded to the 60-byte minimum) does not travel on, toward a host in the segment or with labels to an Option-B peer; an IP total length beyond the frame is malformed."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1], ports=BASE_PORTS + ["ix0"])
red, blue = base_tenants()
a0, a1 = red.members[0], red.members[1]
PEER = "02:cc:00:00:01:01"
H1, H2 = host(0x500), host(0x502)   # 10.1.0.10 on acc0, 10.1.0.20 on acc1 (config)

# H2 speaks first, so its MAC is learned on acc1.
c.send("acc1", a1.ingress(frame(BCAST, H2)))
c.flood(red, frame(BCAST, H2), a1)

short = ip4("10.1.0.10", "10.1.0.20", body=2)              # 30 bytes of IP
padded = to_router(a0, H1, short + bytes(30))              # what a NIC delivers
c.send("acc0", padded)
c.expect("acc1", a1.egress(routed_inner(H2, short)))

short6 = ip4("10.1.0.10", "10.50.1.1", body=2)
c.send("acc0", to_router(a0, H1, short6 + bytes(30)))
c.expect("ix0", option_b_egress("ix0", PEER, [3000, 4000], short6))

# The IPv4 header claims more than the frame holds.
bad = bytearray(ip4("10.1.0.10", "10.1.0.20", body=2))
bad[2:4] = (200).to_bytes(2, "big")
c.send("acc0", to_router(a0, H1, bytes(bad)))
c.drops(malformed=1)
c.write()
