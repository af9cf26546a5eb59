#!/usr/bin/python3
"""The punt path: what the underlay port receives for the node itself goes, unchanged, to
the port's kernel interface (replay writes core0.punt.pcap) and is counted under
`punted`: ARP requests and replies, ICMP echo, TCP and other UDP ports on the VTEP
address, IPv6 neighbour discovery to a solicited-node multicast group, ICMPv6 to the
VTEP. VXLAN itself is not punted, and nothing for other addresses is."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403
from scapy.layers.inet6 import ICMPv6EchoRequest, ICMPv6ND_NS  # noqa: E402

c = Case(sys.argv[1])
red, blue = base_tenants()
v4, v6 = red.members[3], red.members[5]
CORE = PORT_MAC["core0"]
inner = frame(BCAST, host(0x131))


def punted(p):
    c.send("core0", Ether(bytes(p)))
    c.punt("core0", p)


punted(Ether(dst=BCAST, src=v4.nh_mac) / ARP(op=1, hwsrc=v4.nh_mac, psrc="192.0.2.2", pdst="192.0.2.1"))
punted(Ether(dst=CORE, src=v4.nh_mac) / ARP(op=2, hwsrc=v4.nh_mac, psrc="192.0.2.2", hwdst=CORE, pdst="192.0.2.1"))
punted(Ether(dst=CORE, src=v4.nh_mac) / IP(src="192.0.2.2", dst=VTEP4) / ICMP() / Raw(b"x" * 40))
punted(Ether(dst=CORE, src=v4.nh_mac) / IP(src="192.0.2.2", dst=VTEP4) / TCP(sport=50000, dport=179) / Raw(b"x" * 20))
punted(Ether(dst=CORE, src=v4.nh_mac) / IP(src="192.0.2.2", dst=VTEP4) / UDP(sport=4789, dport=53) / Raw(b"q" * 30))
punted(Ether(dst="33:33:ff:00:00:01", src=v6.nh_mac) /
       IPv6(src="2001:db8:ffff::2", dst="ff02::1:ff00:1") / ICMPv6ND_NS(tgt=VTEP6))
punted(Ether(dst=CORE, src=v6.nh_mac) / IPv6(src="2001:db8:ffff::2", dst=VTEP6) / ICMPv6EchoRequest())
punted(Ether(dst=CORE, src=v6.nh_mac) / IPv6(src="fe80::2", dst="fe80::1") / ICMPv6EchoRequest())

# Not for the node: dropped, not punted.
c.send("core0", Ether(dst=CORE, src=v4.nh_mac) / IP(src="192.0.2.2", dst="192.0.2.77") / ICMP())
c.drops(not_vxlan=1)
# VXLAN is forwarded, not punted.
c.send("core0", v4.ingress(inner))
c.flood(red, inner, v4)
c.write()
