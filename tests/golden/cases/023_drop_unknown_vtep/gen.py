#!/usr/bin/python3
"""Drop reason unknown_vtep: a source VTEP not listed for the VNI's tenant -- unknown addresses (IPv4, IPv6), and VTEPs of tenant red sending with tenant blue's VNI. Control: 192.0.2.2, listed for both, is accepted with blue's VNI."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1])
red, blue = base_tenants()
v4, vgw, v6 = red.members[3], red.members[4], red.members[5]
f = frame(BCAST, host(0x120))
cases = [
    (Vtep("192.0.2.9", 100001, "02:bb:00:00:00:09"), None),
    (Vtep("2001:db8:ffff::9", 100001, "02:bb:00:00:01:09"), None),
    (Vtep("10.0.0.1", 100001, GW4_MAC), None),
    (v6, 100002),        # red's VTEP with blue's VNI
    (vgw, 100002),       # red's VTEP with blue's VNI
    (Vtep(VTEP4, 100001, "02:bb:00:00:00:01"), None),   # our own address as source
]
for v, vni in cases:
    c.send("core0", v.ingress(f, vni=vni))
    c.drops(unknown_vtep=1)
bv = blue.members[3]
c.send("core0", bv.ingress(f))
c.flood(blue, f, bv)
c.write()
