#!/usr/bin/python3
"""IPv4 routing to a learned host: a frame to the router MAC (from an attachment, QinQ attachment, trunk or VTEP) leaves as router MAC -> host MAC, PCP 0, TTL-1 with a valid checksum, on the member the host was learned on only (the ingress member or VTEP too); the sender's MAC is learned, the router MAC is not."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1], ports=BASE_PORTS + ["ix0"])
red, blue = base_tenants()
a0, a1, tr, v4, vgw, v6 = red.members
H1, H1b, H2, H3, H4, H5, H4b = (host(n) for n in (0x500, 0x501, 0x502, 0x503, 0x504, 0x505, 0x509))

# H2 (acc1 QinQ), H3 (trk0), H4 and H4b (behind 192.0.2.2), H1b (acc0) are learned from broadcasts.
for m, h in ((a1, H2), (tr, H3), (v4, H4), (a0, H1b), (v4, H4b)):
    f = frame(BCAST, h)
    c.send(m.port, m.ingress(f))
    c.flood(red, f, m)

# H1 (acc0/1234, PCP 5) -> each host: one copy, on the host's member; 10.1.0.11 is on acc0 itself.
for dst, hm, m, ttl in (("10.1.0.20", H2, a1, 64), ("10.1.0.30", H3, tr, 17),
                        ("10.1.0.40", H4, v4, 255), ("10.1.0.11", H1b, a0, 64)):
    p = ip4("10.1.0.10", dst, ttl=ttl)
    c.send("acc0", to_router(a0, H1, p, pcp=5, dei=1))
    c.deliver(m, routed_inner(hm, p))
p = ip4("10.1.0.10", "10.1.0.20", proto="tcp", sport=33000, dport=22, body=30)
c.send("acc0", to_router(a0, H1, p))
c.deliver(a1, routed_inner(H2, p))

# H1 was learned from its routed frames: back to it goes to acc0 only.
p = ip4("10.1.0.20", "10.1.0.10", ttl=9)
c.send("acc1", to_router(a1, H2, p, pcp=2, inner_pcp=6))
c.deliver(a0, routed_inner(H1, p))
p = ip4("10.1.0.30", "10.1.0.20", sport=3030)                          # trunk -> QinQ
c.send("trk0", to_router(tr, H3, p, pcp=7))
c.deliver(a1, routed_inner(H2, p))
p = ip4("10.1.0.40", "10.1.0.10", sport=4040)                          # VTEP (IPv4) -> attachment
c.send("core0", v4.ingress(l3frame(RMAC, H4, p)))
c.deliver(a0, routed_inner(H1, p))
p = ip4("10.1.0.40", "10.1.0.41", sport=4041)                          # VTEP -> the same VTEP
c.send("core0", v4.ingress(l3frame(RMAC, H4, p)))
c.deliver(v4, routed_inner(H4b, p))
p = ip4("10.1.0.50", "10.1.0.30", sport=5050)                          # VTEP (IPv6) -> trunk
c.send("core0", v6.ingress(l3frame(RMAC, H5, p)))
c.deliver(tr, routed_inner(H3, p))

# A plain L2 frame H2 -> H1 is still bridged, to acc0 only (H1 learned).
f = frame(H1, H2, sport=6060)
c.send("acc1", a1.ingress(f, pcp=1))
c.deliver(a0, f, pcp=1)

c.counters({"mac": {"learned": 7, "moved": 0},
            "tenants": {"red": {"mac_entries": 7}, "blue": {"mac_entries": 0}}})
c.write()
