#!/usr/bin/python3
"""Drop reason unknown_vlan: untagged, priority-tagged, unknown VID, a VID configured on another port, QinQ with a wrong outer or inner VID, 0x88a8 whose second TPID is not 0x8100, QinQ on a single-tag attachment's VID, other TPIDs; on the trunk untagged, unknown hybrid_vlan, an attachment VID, QinQ. Controls: acc1 single tag 100 is blue, 0x88a8 100 + 20 is red."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1])
red, blue = base_tenants()
A = host(0x101)
f = frame(host(0x102), A)


def bad(port, tags):
    c.send(port, tag(f, tags) if tags else f)
    c.drops(unknown_vlan=1)


C, S = TPID_C, TPID_S
bad("acc0", [])                                   # untagged
bad("acc0", [(C, 0, 0, 0)])                       # priority tag, VID 0
bad("acc0", [(C, 3, 0, 999)])                     # no attachment
bad("acc0", [(C, 0, 0, 100)])                     # VID 100 is acc1's
bad("acc1", [(C, 0, 0, 1234)])                    # VID 1234 is acc0's
bad("acc1", [(C, 0, 0, 20)])                      # the inner VID alone
bad("acc1", [(S, 0, 0, 100), (C, 0, 0, 21)])      # wrong inner VID
bad("acc1", [(S, 0, 0, 101), (C, 0, 0, 20)])      # wrong outer VID
bad("acc1", [(S, 0, 0, 100), (S, 0, 0, 20)])      # second TPID 0x88a8
bad("acc1", [(S, 0, 0, 100), (0x9100, 0, 0, 20)])  # second TPID 0x9100
bad("acc1", [(S, 0, 0, 100)])                     # 0x88a8 then IPv4 EtherType
bad("acc0", [(S, 0, 0, 1234), (C, 0, 0, 5)])      # QinQ on a single-tag attachment's VID
bad("acc0", [(0x9100, 0, 0, 1234)])               # not an 802.1Q TPID
bad("trk0", [])                                   # trunk untagged
bad("trk0", [(C, 0, 0, 3999)])                    # unknown hybrid_vlan
bad("trk0", [(C, 0, 0, 1234)])                    # an attachment VID
bad("trk0", [(C, 0, 0, 0)])                       # priority tag
bad("trk0", [(S, 0, 0, 3001), (C, 0, 0, 3001)])   # QinQ on the trunk
bad("trk0", [(S, 0, 0, 3001)])                    # 802.1ad on the trunk

# Controls (one per key) pass.
g = frame(BCAST, host(0x103))
c.send("acc1", blue.members[1].ingress(g))
c.flood(blue, g, blue.members[1])
g = frame(BCAST, host(0x104))
c.send("acc1", red.members[1].ingress(g))
c.flood(red, g, red.members[1])
c.write()
