#!/usr/bin/python3
"""Unknown unicast floods like broadcast; once the destination has been learned, the same frame goes to its member only."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1])
red, blue = base_tenants()
a0, a1, tr = red.members[0], red.members[1], red.members[2]
A, U = host(0x30), host(0x31)

f = frame(U, A)
c.send("acc1", a1.ingress(f, pcp=2))
c.flood(red, f, a1, pcp=2)
c.send("acc1", a1.ingress(f, pcp=2))        # still unknown
c.flood(red, f, a1, pcp=2)

# U appears behind the trunk (to a third, unknown MAC: flooded too).
g = frame(host(0x99), U)
c.send("trk0", tr.ingress(g))
c.flood(red, g, tr)

# now A -> U: trunk only.
c.send("acc1", a1.ingress(f, pcp=2))
c.deliver(tr, f, pcp=2)
c.counters({"mac": {"learned": 2}})
c.write()
