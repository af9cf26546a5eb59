#!/usr/bin/python3
"""Drop reason filtered: a known destination on the ingress member itself (single-tag attachment, QinQ attachment, trunk, VTEP), or VTEP -> VTEP (a MAC behind one VTEP reached from another, IPv6 and IPv4). Controls deliver normally."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1])
red, blue = base_tenants()
a0, a1, tr, v4, vgw, v6 = red.members
H, Q, T, R = host(0x150), host(0x151), host(0x152), host(0x153)
for m, h in ((a0, H), (a1, Q), (tr, T), (v4, R)):
    f = frame(BCAST, h)
    c.send(m.port, m.ingress(f))
    c.flood(red, f, m)
for m, h, n in ((a0, H, 0x160), (a1, Q, 0x161), (tr, T, 0x162), (v4, R, 0x163),
                (v6, R, 0x164), (vgw, R, 0x165)):
    c.send(m.port, m.ingress(frame(h, host(n))))
    c.drops(filtered=1)
f = frame(H, host(0x166))                              # control: VTEP -> attachment
c.send("core0", v6.ingress(f))
c.deliver(a0, f)
f = frame(R, host(0x160), sport=9)                     # control: attachment -> VTEP
c.send("acc0", a0.ingress(f))
c.deliver(v4, f)
c.write()
