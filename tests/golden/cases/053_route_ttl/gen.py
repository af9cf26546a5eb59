#!/usr/bin/python3
"""TTL / hop limit: a routed packet leaves with TTL / hop limit minus one and a valid IPv4 header checksum (IP options, checksums 0x0000 before or after); one whose IPv4 header fails its checksum is dropped as malformed (RFC 1812), not sent on with a checksum made good; one arriving with TTL / hop limit 1 or 0 is dropped as ttl_expired (its source MAC is still learned)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

from scapy.layers.inet import IPOption_NOP, IPOption_EOL  # noqa: E402

c = Case(sys.argv[1], ports=BASE_PORTS + ["ix0"])
red, blue = base_tenants()
a0, a1, tr, v4, vgw, v6 = red.members
H1, H2, H7 = host(0x500), host(0x502), host(0x507)
f = frame(BCAST, H2)
c.send("acc1", a1.ingress(f))
c.flood(red, f, a1)


def fwd(p, src=H1, m=a0):
    c.send(m.port, to_router(m, src, p))
    c.deliver(a1, routed_inner(H2, p))


def expired(p, src=H1, m=a0):
    c.send(m.port, to_router(m, src, p))
    c.drops(ttl_expired=1)


for ttl in (2, 255, 128):
    fwd(ip4("10.1.0.10", "10.1.0.20", ttl=ttl, sport=ttl))
for ttl in (1, 0):
    expired(ip4("10.1.0.10", "10.1.0.20", ttl=ttl, sport=ttl))
fwd(ip4("10.1.0.10", "10.1.0.20", ttl=33, sport=44,
        options=[IPOption_NOP(), IPOption_NOP(), IPOption_NOP(), IPOption_EOL()]))   # IHL 6

# Checksum 0x0000 after the decrement, and 0x0000 on arrival (found by varying the IP id).
after = before = None
for ident in range(65536):
    p = ip4("10.1.0.10", "10.1.0.20", ttl=64, sport=55, ident=ident)
    if after is None and decrement(p)[10:12] == b"\0\0":
        after = p
    if before is None and p[10:12] == b"\0\0":
        before = p
    if after and before:
        break
fwd(after)
fwd(before)

# A damaged header (one checksum bit flipped, or the checksum zeroed) is refused, whatever
# its TTL.
for ttl, damage in ((64, "flip"), (1, "flip"), (64, "zero")):
    bad = bytearray(ip4("10.1.0.10", "10.1.0.20", ttl=ttl, sport=66))
    assert bad[10:12] != b"\0\0"
    if damage == "flip":
        bad[10] ^= 0x01
    else:
        bad[10:12] = b"\0\0"
    c.send(a0.port, to_router(a0, H1, bytes(bad)))
    c.drops(malformed=1)

for hl in (2, 255):
    fwd(ip6("2001:db8:1::10", "2001:db8:1::20", hlim=hl, sport=hl))
for hl in (1, 0):
    expired(ip6("2001:db8:1::10", "2001:db8:1::20", hlim=hl, sport=hl))

# H7 only ever sends expiring packets (from the trunk); it is learned all the same.
expired(ip4("10.1.0.70", "10.1.0.20", ttl=1), src=H7, m=tr)
expired(ip6("2001:db8:1::70", "2001:db8:1::20", hlim=1), src=H7, m=tr)
f = frame(H7, H2, sport=77)
c.send("acc1", a1.ingress(f))
c.deliver(tr, f)
c.counters({"tenants": {"red": {"mac_entries": 3}}})
c.write()
