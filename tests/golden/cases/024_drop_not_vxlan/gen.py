#!/usr/bin/python3
"""Drop reason not_vxlan: underlay frames to another unicast MAC (another host's, another
port's), VXLAN to a broadcast or multicast MAC, packets for addresses that are not the
node's, and EtherTypes the underlay does not carry. What is for the node itself (ARP, ICMP,
other UDP/TCP ports on its addresses, neighbour discovery) is punted: see 031_punt."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1])
red, blue = base_tenants()
v4, v6 = red.members[3], red.members[5]
CORE = PORT_MAC["core0"]
inner = frame(BCAST, host(0x130))
vx = lambda: UDP(sport=50000, dport=4789) / VXLAN(flags=0x08, vni=100001) / Raw(bytes(inner))


def bad(p):
    c.send("core0", Ether(bytes(p)))
    c.drops(not_vxlan=1)


bad(v4.ingress(inner, dst_mac="02:00:00:00:09:09"))
bad(v4.ingress(inner, dst_mac=PORT_MAC["acc0"]))
bad(v6.ingress(inner, dst_mac="33:33:00:00:00:01"))
bad(v4.ingress(inner, dst_mac=BCAST))
bad(v4.ingress(inner, dst="192.0.2.50"))
bad(v6.ingress(inner, dst="2001:db8:ffff::50"))
bad(Ether(dst=CORE, src=v4.nh_mac, type=0x88b5) / Raw(b"\x00" * 60))

c.send("core0", v4.ingress(inner))                   # control
c.flood(red, inner, v4)
c.write()
