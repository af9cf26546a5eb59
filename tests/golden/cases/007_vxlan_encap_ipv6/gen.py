#!/usr/bin/python3
"""VXLAN encapsulation over an IPv6 underlay: outer IPv6 hop limit 64, traffic class and flow label 0, UDP sport in range, dport 4789 and a VALID UDP checksum (the runner recomputes it with scapy), VXLAN 0x08 + VNI."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1])
red, blue = base_tenants()
a0, a1, tr, v6 = red.members[0], red.members[1], red.members[2], red.members[5]
R, A = host(0x60), host(0x61)

f = frame(BCAST, R)
c.send("core0", v6.ingress(f))
c.flood(red, f, v6)

for i, pcp in enumerate([0, 5, 7]):
    f = frame(R, A, sport=100 + i)
    c.send("acc0", a0.ingress(f, pcp=pcp, dei=1))
    c.deliver(v6, f)
f = frame(R, host(0x62), size=1000)
c.send("acc1", a1.ingress(f, pcp=2))
c.deliver(v6, f)
f = frame(R, host(0x63), payload=IPv6(src="2001:db8:1::1", dst="2001:db8:1::2") / UDP(sport=7, dport=8) / Raw(b"6" * 33))
c.send("trk0", tr.ingress(f))
c.deliver(v6, f)
c.write()
