#!/usr/bin/python3
"""Access to access known unicast: single tag <-> QinQ translation, PCP/DEI of the ingress outer tag copied into every egress tag."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1])
red, blue = base_tenants()
a0, a1 = red.members[0], red.members[1]          # acc0/1234, acc1/100.20 (QinQ)
A, B = host(1), host(2)

# B (QinQ side) talks first: A unknown -> flood; B learned on acc1.
f = frame(A, B)
c.send("acc1", a1.ingress(f, pcp=3, dei=1, inner_pcp=6))
c.flood(red, f, a1, pcp=3, dei=1)

# A -> B: known, only acc1, single tag 1234 -> 0x88a8 100 + 0x8100 20, PCP 5 DEI 1 in both.
f = frame(B, A, sport=1111)
c.send("acc0", a0.ingress(f, pcp=5, dei=1))
c.deliver(a1, f, pcp=5, dei=1)

# B -> A: known now, QinQ -> single tag; the OUTER tag's PCP/DEI (2/0) kept, inner's (7/1) not.
f = frame(A, B, sport=2222)
c.send("acc1", a1.ingress(f, pcp=2, dei=0, inner_pcp=7, inner_dei=1))
c.deliver(a0, f, pcp=2, dei=0)

# PCP 7 DEI 0 and PCP 0 DEI 1 (DEI alone survives).
f = frame(B, A, sport=3333)
c.send("acc0", a0.ingress(f, pcp=7, dei=0))
c.deliver(a1, f, pcp=7, dei=0)
f = frame(A, B, sport=4444)
c.send("acc1", a1.ingress(f, pcp=0, dei=1))
c.deliver(a0, f, pcp=0, dei=1)

c.counters({"mac": {"learned": 2, "moved": 0}, "tenants": {"red": {"mac_entries": 2}, "blue": {"mac_entries": 0}}})
c.write()
