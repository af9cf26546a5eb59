#!/usr/bin/python3
"""Drop reason unsupported: any frame arriving on an interconnect port (untagged, VLAN-tagged with an attachment's VID, VXLAN to the node's vtep, ARP, MPLS) is dropped and counted as unsupported."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1], ports=BASE_PORTS + ["ix0"])
red, blue = base_tenants()
IX = "02:00:00:00:01:05"
f = frame(BCAST, host(0x1A0))
for p in (f, red.members[0].ingress(f), red.members[2].ingress(f),
          Ether(bytes(red.members[3].ingress(f, dst_mac=IX))),
          Ether(dst=BCAST, src=host(0x1A1)) / ARP(psrc="203.0.113.1", pdst="203.0.113.2"),
          Ether(dst=IX, src=host(0x1A1), type=0x8847) / Raw(bytes.fromhex("07d1013f") + bytes(IP(dst="10.0.0.1") / UDP()))):
    c.send("ix0", p)
    c.drops(unsupported=1)
c.write()
