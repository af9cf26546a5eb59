#!/usr/bin/python3
"""Trunk ingress/egress: a trunk frame is classified on hybrid_vlan, leaves other trunks/attachments rewritten; frames to a host behind the trunk carry one 0x8100 tag = hybrid_vlan with the ingress PCP/DEI. Tenants stay apart on the trunk."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1])
red, blue = base_tenants()
a0, a1, tr = red.members[0], red.members[1], red.members[2]
b0, b1, btr = blue.members[0], blue.members[1], blue.members[2]
T, A, Q = host(0x10), host(0x11), host(0x12)

# T behind the trunk (vlan 3001, PCP 2) broadcasts: flood to acc0/1234, acc1/100.20, 3 VTEPs.
f = frame(BCAST, T)
c.send("trk0", tr.ingress(f, pcp=2, dei=0))
c.flood(red, f, tr, pcp=2)

# A (acc0/1234, PCP 6 DEI 1) -> T: only trk0, one tag 3001, PCP 6 DEI 1.
f = frame(T, A)
c.send("acc0", a0.ingress(f, pcp=6, dei=1))
c.deliver(tr, f, pcp=6, dei=1)

# T -> A: only acc0, tag 1234, PCP 4.
f = frame(A, T, sport=5)
c.send("trk0", tr.ingress(f, pcp=4))
c.deliver(a0, f, pcp=4)

# Q on QinQ acc1/100.20 -> T: QinQ tags removed, one 0x8100 3001 tag, outer PCP 1 DEI 1.
f = frame(T, Q)
c.send("acc1", a1.ingress(f, pcp=1, dei=1, inner_pcp=5))
c.deliver(tr, f, pcp=1, dei=1)

# The same MAC T on vlan 3002 is blue's: a blue broadcast floods blue only (acc0/1235,
# acc1/100 single tag, blue's VTEP with VNI 100002), and red's T is untouched.
f = frame(BCAST, T, sport=77)
c.send("trk0", btr.ingress(f, pcp=3))
c.flood(blue, f, btr, pcp=3)

# A -> T in red still goes to the trunk with 3001.
f = frame(T, A, sport=78)
c.send("acc0", a0.ingress(f))
c.deliver(tr, f)

c.counters({"tenants": {"red": {"mac_entries": 3}, "blue": {"mac_entries": 1}}})
c.write()
