#!/usr/bin/python3
"""Every trunk port is a member of every tenant: with two trunks, a frame from one trunk floods to the other (same hybrid_vlan), a MAC learned on trk1 is reached from trk0 and from an attachment, and a frame from trk1 to it is filtered."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1], ports=BASE_PORTS + ["trk1"])
red, blue = base_tenants()
t1 = Trunk("trk1", 3001)
red.members.insert(3, t1)
a0, a1, t0 = red.members[0], red.members[1], red.members[2]
blue.members.insert(3, Trunk("trk1", 3002))
T1, T0, A = host(0x1C0), host(0x1C1), host(0x1C2)

f = frame(BCAST, T1)
c.send("trk1", t1.ingress(f, pcp=6))
c.flood(red, f, t1, pcp=6)
f = frame(T1, T0)
c.send("trk0", t0.ingress(f, pcp=2))
c.deliver(t1, f, pcp=2)
f = frame(T0, T1, sport=5)
c.send("trk1", t1.ingress(f))
c.deliver(t0, f)
f = frame(T1, A, sport=6)
c.send("acc0", a0.ingress(f, pcp=1))
c.deliver(t1, f, pcp=1)
c.send("trk1", t1.ingress(frame(T1, host(0x1C3))))
c.drops(filtered=1)
f = frame(BCAST, host(0x1C4))                      # blue from trk1
c.send("trk1", blue.members[3].ingress(f))
c.flood(blue, f, blue.members[3])
c.counters({"mac": {"moved": 0}})
c.write()
