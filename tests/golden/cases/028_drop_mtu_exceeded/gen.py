#!/usr/bin/python3
"""Drop reason mtu_exceeded: VXLAN encapsulation over IPv4 (20+8+8+inner) and IPv6 (40+8+8+inner) against core0's MTU 1600, exactly at the limit and one byte over; tagged egress to acc0 (default MTU 1500: frame - 14 - egress tags), from VXLAN and from QinQ; a flood where only some copies exceed their port's MTU."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1])
red, blue = base_tenants()
a0, a1, tr, v4, vgw, v6 = red.members
A, Q, T, R, R6 = host(0x180), host(0x181), host(0x182), host(0x183), host(0x184)
for m, h in ((a0, A), (a1, Q), (tr, T), (v4, R), (v6, R6)):
    f = frame(BCAST, h)
    c.send(m.port, m.ingress(f))
    c.flood(red, f, m)

# encap IPv4: inner (untagged) 1564 -> 20+8+8+1564 = 1600 ok; 1565 -> dropped.
f = frame(R, A, size=1564)
c.send("acc0", a0.ingress(f))
c.deliver(v4, f)
c.send("acc0", a0.ingress(frame(R, A, size=1565)))
c.drops(mtu_exceeded=1)
# the QinQ tags do not count: 1564 untagged arriving with 8 bytes of tags.
f = frame(R, Q, size=1564)
c.send("acc1", a1.ingress(f))
c.deliver(v4, f)
# encap IPv6: 40+8+8+1544 = 1600 ok; 1545 -> dropped.
f = frame(R6, A, size=1544)
c.send("acc0", a0.ingress(f))
c.deliver(v6, f)
c.send("trk0", tr.ingress(frame(R6, T, size=1545)))
c.drops(mtu_exceeded=1)

# tagged egress to acc0 (MTU 1500): L3 = 1500 ok, 1501 dropped; from VXLAN ...
f = frame(A, R, size=1514)
c.send("core0", v4.ingress(f))
c.deliver(a0, f)
c.send("core0", v4.ingress(frame(A, R, size=1515)))
c.drops(mtu_exceeded=1)
# ... and from QinQ (8 bytes of tags in, 4 out).
f = frame(A, Q, size=1514)
c.send("acc1", a1.ingress(f))
c.deliver(a0, f)
c.send("acc1", a1.ingress(frame(A, Q, size=1515)))
c.drops(mtu_exceeded=1)
# MTU 9000 on the trunk and acc1: 3000 bytes fine.
f = frame(T, Q, size=3000)
c.send("acc1", a1.ingress(f))
c.deliver(tr, f)

# flood of a 1545-byte frame from the trunk: acc0 (L3 1531 > 1500) and the IPv6 VTEP
# (1601 > 1600) dropped; acc1 and the two IPv4 VTEPs (1581) get it.
f = frame(BCAST, T, size=1545)
c.send("trk0", tr.ingress(f, pcp=2))
c.flood(red, f, tr, pcp=2, skip=(a0, v6))
c.drops(mtu_exceeded=2)
c.write()
