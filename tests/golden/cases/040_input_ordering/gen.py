#!/usr/bin/python3
"""Output ordering across input files with interleaved timestamps: packets are processed in timestamp order across files (MAC learning proves it), ties broken by --in order (acc1 is given first, then acc0, then trk0) and then by file order; every output capture is in that order, stamped with the input's time. Tenant blue has one member per port, so the order is strict."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1])
red, blue = base_tenants()
b0, b1, btr, bv = blue.members
H, X, Y, Z, T = host(0x1B0), host(0x1B1), host(0x1B2), host(0x1B3), host(0x1B4)

# acc0: 1.000 1.200 1.300 1.300 1.500 | acc1: 1.100 1.300 1.400 | trk0: 1.050 1.250 1.300
f = frame(BCAST, H)
c.send("acc0", b0.ingress(f), t=1.000)                # H learned on acc0
c.flood(blue, f, b0)
f = frame(BCAST, T)
c.send("trk0", btr.ingress(f, pcp=1), t=1.050)        # T learned on the trunk
c.flood(blue, f, btr, pcp=1)
f = frame(H, X)
c.send("acc1", b1.ingress(f), t=1.100)                # H known only if acc0@1.0 came first
c.deliver(b0, f)
f = frame(X, H)
c.send("acc0", b0.ingress(f), t=1.200)
c.deliver(b1, f)
f = frame(H, T)
c.send("trk0", btr.ingress(f, pcp=2), t=1.250)
c.deliver(b0, f, pcp=2)
# tie at 1.300 on all three files: acc1 (first --in) learns Y, then acc0's two packets in
# file order (H -> Y known: acc1 only; H -> Z unknown: flood), then trk0's (T -> Y).
f = frame(BCAST, Y)
c.send("acc1", b1.ingress(f), t=1.300)
c.flood(blue, f, b1)
f = frame(Y, H, sport=1)
c.send("acc0", b0.ingress(f, pcp=3), t=1.300)
c.deliver(b1, f, pcp=3)
f = frame(Z, H, sport=2)
c.send("acc0", b0.ingress(f, pcp=4), t=1.300)
c.flood(blue, f, b0, pcp=4)
f = frame(Y, T, sport=3)
c.send("trk0", btr.ingress(f, pcp=5), t=1.300)
c.deliver(b1, f, pcp=5)
f = frame(BCAST, Z)                                   # Z on acc1 at 1.4 ...
c.send("acc1", b1.ingress(f), t=1.400)
c.flood(blue, f, b1)
f = frame(Z, H, sport=4)                              # ... so 1.5 goes to acc1 only
c.send("acc0", b0.ingress(f), t=1.500)
c.deliver(b1, f)

c.in_order = ["acc1", "acc0", "trk0"]
c.meta["ordered"] = True
c.write()
