#!/usr/bin/python3
"""The VRF's gateway answers for itself: an ARP request for a gateway address gets a reply from the router MAC back to the asking member (tagged as that member, VXLAN to a VTEP), and an ICMP echo request to it gets an echo reply (TTL 64) the same way; ARP for other addresses is flooded as L2."""
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

# ARP for a host of the segment is an ordinary broadcast.
other = Ether(dst=BCAST, src=H) / ARP(op=1, hwsrc=H, psrc="10.1.0.11", pdst="10.1.0.12")
c.send("acc0", red.members[0].ingress(Ether(bytes(other))))
c.flood(red, Ether(bytes(other)), red.members[0])
c.write()
