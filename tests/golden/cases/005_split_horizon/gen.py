#!/usr/bin/python3
"""Split horizon: frames decapsulated from a VTEP flood to attachments and trunk but never to other VTEPs (IPv4 and IPv6 underlay, broadcast and unknown unicast)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1])
red, blue = base_tenants()
v4, vgw, v6 = red.members[3], red.members[4], red.members[5]
R = host(0x40)

f = frame(BCAST, R)
c.send("core0", v4.ingress(f))
c.flood(red, f, v4)

f = frame(host(0x41), host(0x42), sport=9)      # unknown unicast from the v6 VTEP
c.send("core0", v6.ingress(f))
c.flood(red, f, v6)

f = frame(BCAST, host(0x43))                     # from the VTEP beyond the gateway
c.send("core0", vgw.ingress(f))
c.flood(red, f, vgw)

f = frame(BCAST, host(0x44))                     # blue, VNI 100002
c.send("core0", blue.members[3].ingress(f))
c.flood(blue, f, blue.members[3])
c.write()
