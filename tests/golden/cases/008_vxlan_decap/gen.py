#!/usr/bin/python3
"""Decapsulation from IPv4 and IPv6 VTEPs to known MACs on a single-tag attachment, a QinQ attachment and the trunk (PCP/DEI 0). The inner frame length is the UDP length's: Ethernet padding after the IP packet is not forwarded. An outer IPv4 header with options is accepted."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1])
red, blue = base_tenants()
a0, a1, tr, v4, vgw, v6 = red.members
A, Q, T, R = host(0x70), host(0x71), host(0x72), host(0x73)

for m, h in ((a0, A), (a1, Q), (tr, T)):               # learn the local hosts
    f = frame(BCAST, h)
    c.send(m.port, m.ingress(f, pcp=6, dei=1))
    c.flood(red, f, m, pcp=6, dei=1)

for v in (v4, v6, vgw):
    for m, h in ((a0, A), (a1, Q), (tr, T)):
        f = frame(h, R, sport=len(c.inputs.get("core0", [])))
        c.send("core0", v.ingress(f))
        c.deliver(m, f)                                  # PCP/DEI 0 from VXLAN

# Outer frame with 6 bytes of trailing Ethernet padding (IPv4 total length and UDP length
# exclude them): only the UDP-length inner frame is forwarded.
f = frame(A, R, sport=600)
c.send("core0", Ether(bytes(v4.ingress(f)) + b"\x00" * 6))
c.deliver(a0, f)
f = frame(Q, R, sport=601)
c.send("core0", Ether(bytes(v6.ingress(f)) + b"\xee" * 6))
c.deliver(a1, f)

# IPv4 with options (IHL 6, a NOP-padded router alert would do; 4 bytes of NOPs).
f = frame(T, R, sport=602)
raw = bytes(Ether(dst=PORT_MAC["core0"], src=v4.nh_mac) /
            IP(src=v4.addr, dst=VTEP4, ttl=9, options=[b"\x01\x01\x01\x00"]) /
            UDP(sport=50001, dport=4789) / VXLAN(flags=0x08, vni=100001) / Raw(bytes(f)))
c.send("core0", Ether(raw))
c.deliver(tr, f)
c.write()
