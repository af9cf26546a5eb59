#!/usr/bin/python3
"""Drop reason malformed: truncated Ethernet/802.1Q/802.1ad headers on access and trunk ports; on the underlay a bad IPv4 header checksum, VXLAN without the I flag (IPv4 and IPv6), IPv4 fragments (MF, offset), truncated/short IPv4 headers, bad IP version, lengths that overrun the frame, a UDP length too short for VXLAN + Ethernet. Each is dropped and nothing leaks; a valid frame afterwards still passes."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1])
red, blue = base_tenants()
a0, a1, tr, v4, vgw, v6 = red.members
D, S = bytes.fromhex("020000aa0101"), bytes.fromhex("020000aa0102")
CORE = bytes.fromhex(PORT_MAC["core0"].replace(":", ""))
R = host(0xF0)
inner = frame(host(0xF1), R)


def bad(port, raw):
    c.send(port, Raw(raw) if len(raw) < 14 else Ether(raw))
    c.drops(malformed=1)


# access and trunk: truncated headers
bad("acc0", D + S[:4])                                          # 10 bytes: no EtherType
bad("acc0", D + S + b"\x81\x00\x04")                            # 15 bytes: 802.1Q tag cut
bad("acc0", D + S + b"\x81\x00")                                # 14 bytes: TPID, no TCI
bad("acc1", D + S + b"\x88\xa8\x00\x64\x81\x00")                # 802.1ad, inner TCI missing
bad("acc1", D + S + b"\x88\xa8\x00\x64\x81\x00\x00")            # ... one byte of it
bad("trk0", D + S[:3])                                          # 9 bytes
bad("trk0", D + S + b"\x81\x00\x0b")                            # 15 bytes: trunk tag cut
bad("trk0", D + S + b"\x81\x00")                                # 14 bytes: TPID, no TCI
bad("core0", CORE + S[:2])                                      # 8 bytes on the underlay


def mutate(v, fn, extra=b"", trim=0):
    p = v.ingress(inner)
    fn(p)
    raw = bytes(p) + extra
    return raw[:len(raw) - trim] if trim else raw


def set_(layer, **kw):
    def f(p):
        for k, val in kw.items():
            setattr(p[layer], k, val)
    return f


bad("core0", mutate(v4, set_(IP, chksum=0x1234)))                # bad IPv4 header checksum
bad("core0", mutate(v4, set_(VXLAN, flags=0x00)))                # no I flag
bad("core0", mutate(v4, set_(VXLAN, flags=0x80)))                # other flag, no I
bad("core0", mutate(v6, set_(VXLAN, flags=0x00)))                # no I flag over IPv6
bad("core0", mutate(v4, set_(IP, flags="MF")))                   # first fragment
bad("core0", mutate(v4, set_(IP, flags=0, frag=100)))            # later fragment
bad("core0", mutate(v4, set_(IP, flags="DF+MF")))                # MF with DF
bad("core0", CORE + S + b"\x08\x00" + bytes(IP(src=v4.addr, dst=VTEP4))[:12])   # IPv4 cut
bad("core0", mutate(v4, set_(IP, len=400)))                      # total length > frame
bad("core0", mutate(v4, set_(UDP, len=300)))                     # UDP length > IP payload
bad("core0", mutate(v4, set_(UDP, len=8 + 8 + 13)))              # < UDP+VXLAN+Ethernet
bad("core0", mutate(v6, set_(IPv6, plen=500)))                   # IPv6 payload > frame
bad("core0", mutate(v6, set_(UDP, len=200)))                     # UDP length > IPv6 payload
bad("core0", mutate(v4, set_(IP, version=5)))                    # not version 4
bad("core0", mutate(v4, set_(IP, ihl=4)))                        # IHL < 5
bad("core0", mutate(v6, set_(IPv6, version=4)))                  # IPv6 EtherType, version 4
bad("core0", mutate(v4, lambda p: None, trim=len(bytes(inner)) + 4))  # VXLAN header cut

# A valid one still goes through.
c.send("core0", v4.ingress(inner))
c.flood(red, inner, v4)
c.write()
