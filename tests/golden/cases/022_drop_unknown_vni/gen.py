#!/usr/bin/python3
"""Drop reason unknown_vni: VXLAN to the node's vtep (IPv4 and IPv6) with a VNI no tenant has, from a VTEP that is listed for other VNIs."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1])
red, blue = base_tenants()
v4, v6 = red.members[3], red.members[5]
f = frame(BCAST, host(0x110))
for v, vni in ((v4, 999), (v4, 0), (v4, 100003), (v4, 0xFFFFFF), (v6, 5), (v6, 100000)):
    c.send("core0", v.ingress(f, vni=vni))
    c.drops(unknown_vni=1)
c.send("core0", v6.ingress(f))                       # control
c.flood(red, f, v6)
c.write()
