#!/usr/bin/python3
"""Drop reason not_vxlan: underlay frames not to core0's MAC (another unicast MAC, another port's MAC, broadcast ARP, IPv6 multicast), and to core0's MAC but not IPv4/IPv6 + UDP 4789 to the node's vtep (other destination address, TCP, ICMP, other UDP ports, ARP)."""
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
bad(Ether(dst=BCAST, src=v4.nh_mac) / ARP(op=1, hwsrc=v4.nh_mac, psrc="192.0.2.2", pdst="192.0.2.1"))
bad(Ether(dst=CORE, src=v4.nh_mac) / ARP(op=2, hwsrc=v4.nh_mac, psrc="192.0.2.2", hwdst=CORE, pdst="192.0.2.1"))
bad(v4.ingress(inner, dst="192.0.2.50"))
bad(v6.ingress(inner, dst="2001:db8:ffff::50"))
bad(Ether(dst=CORE, src=v4.nh_mac) / IP(src="192.0.2.2", dst=VTEP4) / TCP(sport=50000, dport=4789) / Raw(b"x" * 60))
bad(Ether(dst=CORE, src=v4.nh_mac) / IP(src="192.0.2.2", dst=VTEP4) / ICMP() / Raw(b"x" * 60))
bad(Ether(dst=CORE, src=v4.nh_mac) / IP(src="192.0.2.2", dst=VTEP4) / UDP(sport=4789, dport=4790) / Raw(bytes(VXLAN(vni=100001) / inner)))
bad(Ether(dst=CORE, src=v4.nh_mac) / IP(src="192.0.2.2", dst=VTEP4) / UDP(sport=4789, dport=53) / Raw(b"q" * 60))
bad(Ether(dst=CORE, src=v6.nh_mac) / IPv6(src="2001:db8:ffff::2", dst=VTEP6) / UDP(sport=4789, dport=53) / Raw(b"q" * 60))
bad(Ether(dst=CORE, src=v6.nh_mac) / IPv6(src="2001:db8:ffff::2", dst=VTEP6) / TCP(sport=1, dport=4789) / Raw(b"q" * 60))
bad(Ether(dst=CORE, src=v4.nh_mac, type=0x88b5) / Raw(b"\x00" * 60))

c.send("core0", v4.ingress(inner))                   # control
c.flood(red, inner, v4)
c.write()
