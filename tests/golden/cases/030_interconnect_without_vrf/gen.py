#!/usr/bin/python3
"""An interconnect port with no VRF on it: ARP goes to the punt path; an untagged frame not for the node (broadcast IPv4, VXLAN to the node's vtep) is unsupported; a VLAN-tagged frame is unknown_vlan (no Option-A sub-interface); MPLS is unknown_label (no VRF label)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1], ports=BASE_PORTS + ["ix0"])
red, blue = base_tenants()
IX = "02:00:00:00:01:05"
f = frame(BCAST, host(0x1A0))
c.send("ix0", f)
c.drops(unsupported=1)
c.send("ix0", Ether(bytes(red.members[3].ingress(f, dst_mac=IX))))
c.drops(unsupported=1)
for p in (red.members[0].ingress(f), red.members[2].ingress(f)):
    c.send("ix0", p)
    c.drops(unknown_vlan=1)
arp = Ether(dst=BCAST, src=host(0x1A1)) / ARP(psrc="203.0.113.1", pdst="203.0.113.2")
c.send("ix0", arp)
c.punt("ix0", arp)
c.send("ix0", Ether(dst=IX, src=host(0x1A1), type=0x8847) / Raw(bytes.fromhex("07d1013f") + bytes(IP(dst="10.0.0.1") / UDP())))
c.drops(unknown_label=1)
c.write()
