#!/usr/bin/python3
"""Broadcast and multicast flood to every member but the ingress: attachments on two ports (single tag and QinQ), the trunk, and three VTEPs (on-link IPv4, IPv4 beyond the gateway, on-link IPv6), each rewritten for its member."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1])
red, blue = base_tenants()
a0, a1, tr = red.members[0], red.members[1], red.members[2]
A = host(0x20)

# ARP broadcast from acc0 (PCP 5).
arp = Ether(dst=BCAST, src=A) / ARP(op=1, hwsrc=A, psrc="10.0.0.1", pdst="10.0.0.2")
f = frame(BCAST, A, payload=arp.payload)
c.send("acc0", a0.ingress(f, pcp=5))
c.flood(red, f, a0, pcp=5)

# IPv4 multicast from the QinQ attachment.
f = frame("01:00:5e:00:00:fb", host(0x21), ip=("10.0.0.9", "224.0.0.251"), sport=5353, dport=5353)
c.send("acc1", a1.ingress(f, pcp=1, dei=1))
c.flood(red, f, a1, pcp=1, dei=1)

# IPv6 multicast (33:33:...) from the trunk.
f = frame("33:33:00:00:00:01", host(0x22),
          payload=IPv6(src="fe80::1", dst="ff02::1") / UDP(sport=1, dport=2) / Raw(b"m" * 40))
c.send("trk0", tr.ingress(f))
c.flood(red, f, tr)

# Blue: broadcast from acc1/100 (single tag): acc0/1235, trk0/3002, VTEP 192.0.2.2 VNI 100002.
f = frame(BCAST, host(0x23))
c.send("acc1", blue.members[1].ingress(f, pcp=7))
c.flood(blue, f, blue.members[1], pcp=7)
c.write()
