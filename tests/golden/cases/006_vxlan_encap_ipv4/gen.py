#!/usr/bin/python3
"""VXLAN encapsulation over IPv4 to a learned remote MAC: inner frame untagged (from single-tag, QinQ and trunk ingress), outer Ethernet port MAC -> next hop, IPv4 DF/TTL 64/id 0/TOS 0/valid checksum, UDP sport in 49152-65535 (same flow same port), dport 4789, checksum 0, VXLAN flags 0x08 + the tenant's VNI."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1])
red, blue = base_tenants()
a0, a1, tr, v4 = red.members[0], red.members[1], red.members[2], red.members[3]
R, A, Q, T = host(0x50), host(0x51), host(0x52), host(0x53)

# R is learned behind 192.0.2.2 (its frame floods locally).
f = frame(BCAST, R)
c.send("core0", v4.ingress(f, sport=50000))
c.flood(red, f, v4)

# A (acc0/1234, PCP 5 DEI 1) -> R: one VXLAN packet, inner untagged, PCP not carried.
f = frame(R, A)
c.send("acc0", a0.ingress(f, pcp=5, dei=1))
c.deliver(v4, f)
c.send("acc0", a0.ingress(f, pcp=0))          # same flow, other PCP: same sport
c.deliver(v4, f)
# Q (QinQ) -> R: both tags stripped.
f = frame(R, Q, sport=4242)
c.send("acc1", a1.ingress(f, pcp=3, inner_pcp=4))
c.deliver(v4, f)
# T (trunk) -> R.
f = frame(R, T, sport=4343)
c.send("trk0", tr.ingress(f, pcp=1))
c.deliver(v4, f)
# A TCP and an ARP reply, too.
f = frame(R, A, payload=IP(src="10.0.0.1", dst="10.0.0.2") / TCP(sport=33000, dport=22) / Raw(b"t" * 30))
c.send("acc0", a0.ingress(f))
c.deliver(v4, f)
f = frame(R, A, payload=ARP(op=2, hwsrc=A, psrc="10.0.0.1", hwdst=R, pdst="10.0.0.2"))
c.send("acc0", a0.ingress(f))
c.deliver(v4, f)
# Blue to a blue MAC behind the same VTEP: VNI 100002.
B = host(0x54)
f = frame(BCAST, B)
c.send("core0", blue.members[3].ingress(f))
c.flood(blue, f, blue.members[3])
f = frame(B, A)
c.send("acc0", blue.members[0].ingress(f, pcp=2))
c.deliver(blue.members[3], f)
c.write()
