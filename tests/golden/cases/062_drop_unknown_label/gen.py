#!/usr/bin/python3
"""Drop reason unknown_label: an MPLS packet to the interconnect port whose label is not one of this node's VRF labels (another value, the automatic label of a VRF that has vrf.label), or with more than one label (this node's label on top, at the bottom, or both)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1], ports=BASE_PORTS + ["ix0"])
red, blue = base_tenants()
IX, PEER = PORT_MAC["ix0"], "02:cc:00:00:01:01"
p = ip4("10.50.0.1", "10.1.0.20")
for labels in ([2002], [2000], [AUTO_LABEL_BASE], [16], [1048575],
               [2001, 2001], [2001, 16], [16, 2001], [2001, 2001, 2001]):
    c.send("ix0", mpls_frame(IX, PEER, labels, 50, p))
    c.drops(unknown_label=1)
# Control: 2001 alone is red's (10.1.0.20 not learned: flooded).
c.send("ix0", mpls_frame(IX, PEER, [2001], 50, p))
c.flood(red, l3frame(host(0x502), RMAC, set_ttl(p, 49)), None)
c.write()
