#!/usr/bin/python3
"""Option-A sub-interfaces' own traffic goes to the kernel, still tagged (replay writes
ix0.punt.pcap; the dataplane's punt path gives each sub-interface a TAP of its own and
strips the tag there), counted under `punted`: ARP requests and replies on the VLAN,
IPv6 neighbour discovery to a solicited-node group and to a link-local address, and IP
(BGP) to the sub-interface's own address. Each VRF's own address is reachable only from
its VLAN; ARP to another MAC, or on a VLAN that is no sub-interface, is not punted. A host
of the segment pinging the sub-interface address is answered by the dataplane."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403
from scapy.layers.inet6 import ICMPv6ND_NS  # noqa: E402

c = Case(sys.argv[1], ports=BASE_PORTS + ["ix0"])
red, blue = base_tenants()
a0, a1, tr, v4, vgw, v6 = red.members
ra = SubIf("ix0", 801, "02:cc:00:00:00:02")
ba = SubIf("ix0", 802, "02:cc:00:00:00:06")
IX = PORT_MAC["ix0"]


def punted(pkt):
    c.send("ix0", pkt)
    c.punt("ix0", pkt)


punted(tag(Ether(dst=BCAST, src=ra.nbr_mac) /
           ARP(op=1, hwsrc=ra.nbr_mac, psrc="198.51.100.2", pdst="198.51.100.1"),
           [(TPID_C, 0, 0, 801)]))
punted(tag(Ether(dst=IX, src=ba.nbr_mac) /
           ARP(op=2, hwsrc=ba.nbr_mac, psrc="198.51.100.6", hwdst=IX, pdst="198.51.100.5"),
           [(TPID_C, 0, 0, 802)]))
punted(ra.ingress(bytes(IP(src="198.51.100.2", dst="198.51.100.1") /
                  TCP(sport=40000, dport=179, flags="S"))))
punted(ba.ingress(bytes(IP(src="198.51.100.6", dst="198.51.100.5", ttl=1) /
                  TCP(sport=179, dport=40001, flags="SA"))))
punted(tag(Ether(dst="33:33:ff:00:00:01", src=ra.nbr_mac) /
           IPv6(src="fe80::2", dst="ff02::1:ff00:1") / ICMPv6ND_NS(tgt="fe80::1"),
           [(TPID_C, 0, 0, 801)]))
punted(ra.ingress(bytes(IPv6(src="fe80::2", dst="fe80::1") / ICMPv6ND_NS(tgt="fe80::1"))))

# The other VRF's sub-interface address is not reachable through this VLAN.
c.send("ix0", ra.ingress(bytes(IP(src="198.51.100.2", dst="198.51.100.5") / TCP(dport=179))))
c.drops(no_route=1)
# ARP to somebody else's MAC, and on a VLAN that is no sub-interface.
c.send("ix0", tag(Ether(dst="02:cc:00:00:00:99", src=ra.nbr_mac) /
                  ARP(op=2, psrc="198.51.100.2", pdst="198.51.100.3"), [(TPID_C, 0, 0, 801)]))
c.drops(unsupported=1)
c.send("ix0", tag(Ether(dst=BCAST, src=ra.nbr_mac) /
                  ARP(op=1, psrc="198.51.100.10", pdst="198.51.100.9"), [(TPID_C, 0, 0, 803)]))
c.drops(unknown_vlan=1)

# A host of red's segment pings red's sub-interface address: the router answers.
H = host(0x320)
echo = Ether(dst=RMAC, src=H) / IP(src="10.1.0.11", dst="198.51.100.1", ttl=5, id=3) / ICMP(type=8, id=7, seq=1) / Raw(b"subif-ping")
c.send("acc1", a1.ingress(Ether(bytes(echo))))
back = Ether(dst=H, src=RMAC) / IP(src="198.51.100.1", dst="10.1.0.11", ttl=64, id=3) / ICMP(type=0, id=7, seq=1) / Raw(b"subif-ping")
c.expect("acc1", a1.egress(Ether(bytes(back))))
c.counters({"punted": {"ix0": 6}})
c.write()
