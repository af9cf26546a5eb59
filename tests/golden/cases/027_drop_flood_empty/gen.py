#!/usr/bin/python3
"""Drop reason flood_empty: broadcast / unknown unicast in a tenant whose only member is the ingress attachment, and from a VTEP in a VTEP-only tenant (split horizon leaves nobody). Control: tenant pair floods VTEP -> attachment."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1], ports=["acc0", "core0"])
att = Attachment("acc0", 10)
va, vb = Vtep("192.0.2.2", 300, "02:bb:00:00:00:02"), Vtep("192.0.2.3", 300, "02:bb:00:00:00:03")
pair_att, pair_v = Attachment("acc0", 40), Vtep("192.0.2.2", 400, "02:bb:00:00:00:02")
pair = Tenant("pair", 400, [pair_att, pair_v])
for f in (frame(BCAST, host(0x170)), frame(host(0x171), host(0x170)), frame("01:00:5e:01:02:03", host(0x170))):
    c.send("acc0", att.ingress(f, pcp=1))
    c.drops(flood_empty=1)
for v in (va, vb):
    for f in (frame(BCAST, host(0x172)), frame(host(0x173), host(0x174))):
        c.send("core0", v.ingress(f))
        c.drops(flood_empty=1)
f = frame(BCAST, host(0x175))
c.send("core0", pair_v.ingress(f))
c.flood(pair, f, pair_v)
f = frame(BCAST, host(0x176))
c.send("acc0", pair_att.ingress(f, pcp=4))
c.flood(pair, f, pair_att, pcp=4)
c.write()
