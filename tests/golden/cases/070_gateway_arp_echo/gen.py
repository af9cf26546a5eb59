#!/usr/bin/python3
"""The VRF's gateway answers for itself: an ARP request for a gateway address gets a reply from the router MAC back to the asking member (tagged as that member, VXLAN to a VTEP), an IPv6 neighbour solicitation (multicast or unicast) an advertisement (R, S, O, the router MAC), and ICMP and ICMPv6 echo requests to it echo replies (TTL / hop limit 64) the same way; ARP and solicitations for other addresses are flooded as L2."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1], ports=BASE_PORTS + ["ix0"])
red, blue = base_tenants()
RMAC = "02:00:0a:ff:00:01"   # 02:00 + router_id 10.255.0.1
H = host(0x701)

for member in (red.members[0], red.members[1], red.members[2], red.members[3]):
    ask = Ether(dst=BCAST, src=H) / ARP(op=1, hwsrc=H, psrc="10.1.0.11", pdst="10.1.0.1")
    c.send(member.port, member.ingress(Ether(bytes(ask))))
    reply = Ether(dst=H, src=RMAC) / ARP(op=2, hwsrc=RMAC, psrc="10.1.0.1", hwdst=H, pdst="10.1.0.11")
    c.expect(member.port, member.egress(Ether(bytes(reply))))

    echo = Ether(dst=RMAC, src=H) / IP(src="10.1.0.11", dst="10.1.0.1", ttl=5, id=3) / ICMP(type=8, id=9, seq=1) / Raw(b"gw-ping")
    c.send(member.port, member.ingress(Ether(bytes(echo))))
    back = Ether(dst=H, src=RMAC) / IP(src="10.1.0.1", dst="10.1.0.11", ttl=64, id=3) / ICMP(type=0, id=9, seq=1) / Raw(b"gw-ping")
    c.expect(member.port, member.egress(Ether(bytes(back))))

from scapy.layers.inet6 import ICMPv6ND_NS, ICMPv6ND_NA, ICMPv6NDOptSrcLLAddr, ICMPv6NDOptDstLLAddr, ICMPv6EchoRequest, ICMPv6EchoReply  # noqa: E402
GW6, H6 = "2001:db8:1::1", "2001:db8:1::11"
SOLICITED = "ff02::1:ff00:1"   # of 2001:db8:1::1
for member in (red.members[0], red.members[2], red.members[5]):
    ns = Ether(dst="33:33:ff:00:00:01", src=H) / IPv6(src=H6, dst=SOLICITED, hlim=255) / ICMPv6ND_NS(tgt=GW6) / ICMPv6NDOptSrcLLAddr(lladdr=H)
    c.send(member.port, member.ingress(Ether(bytes(ns))))
    na = Ether(dst=H, src=RMAC) / IPv6(src=GW6, dst=H6, hlim=255) / ICMPv6ND_NA(R=1, S=1, O=1, tgt=GW6) / ICMPv6NDOptDstLLAddr(lladdr=RMAC)
    c.expect(member.port, member.egress(Ether(bytes(na))))
    # Neighbour unreachability detection: unicast, to the router MAC.
    ns = Ether(dst=RMAC, src=H) / IPv6(src=H6, dst=GW6, hlim=255) / ICMPv6ND_NS(tgt=GW6) / ICMPv6NDOptSrcLLAddr(lladdr=H)
    c.send(member.port, member.ingress(Ether(bytes(ns))))
    c.expect(member.port, member.egress(Ether(bytes(na))))
    echo = Ether(dst=RMAC, src=H) / IPv6(src=H6, dst=GW6, hlim=3) / ICMPv6EchoRequest(id=5, seq=2, data=b"gw6")
    c.send(member.port, member.ingress(Ether(bytes(echo))))
    back = Ether(dst=H, src=RMAC) / IPv6(src=GW6, dst=H6, hlim=64) / ICMPv6EchoReply(id=5, seq=2, data=b"gw6")
    c.expect(member.port, member.egress(Ether(bytes(back))))

# A solicitation for a host of the segment is an ordinary multicast.
other6 = Ether(dst="33:33:ff:00:00:12", src=H) / IPv6(src=H6, dst="ff02::1:ff00:12", hlim=255) / ICMPv6ND_NS(tgt="2001:db8:1::12") / ICMPv6NDOptSrcLLAddr(lladdr=H)
c.send("acc0", red.members[0].ingress(Ether(bytes(other6))))
c.flood(red, Ether(bytes(other6)), red.members[0])

# ARP for a host of the segment is an ordinary broadcast.
other = Ether(dst=BCAST, src=H) / ARP(op=1, hwsrc=H, psrc="10.1.0.11", pdst="10.1.0.12")
c.send("acc0", red.members[0].ingress(Ether(bytes(other))))
c.flood(red, Ether(bytes(other)), red.members[0])
c.write()
