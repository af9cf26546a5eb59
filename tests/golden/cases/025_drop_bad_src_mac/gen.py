#!/usr/bin/python3
"""Drop reason bad_src_mac: a multicast or broadcast source MAC (single-tag access, QinQ access, trunk, inside VXLAN from IPv4 and IPv6 VTEPs) is dropped and never learned."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1])
red, blue = base_tenants()
a0, a1, tr, v4, vgw, v6 = red.members
for m, src in ((a0, "01:00:5e:00:00:01"), (a1, "33:33:00:00:00:01"), (tr, BCAST),
               (v4, "03:00:00:00:00:01"), (v6, "01:80:c2:00:00:00"), (blue.members[1], BCAST)):
    c.send(m.port, m.ingress(frame(BCAST, src)))
    c.drops(bad_src_mac=1)
    c.send(m.port, m.ingress(frame(host(0x140), src)))
    c.drops(bad_src_mac=1)
c.counters({"mac": {"entries": 0, "learned": 0}, "tenants": {"red": {"mac_entries": 0}}})
c.write()
