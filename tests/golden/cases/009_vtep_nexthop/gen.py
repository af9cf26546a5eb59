#!/usr/bin/python3
"""VTEP next hop: on-link VTEPs (inside core0's prefix) get their own neighbour MAC, others (just outside the /24 or /64, or far away) the gateway's. Ports without mac: use 02:54:53:00:HI:LO of their index; decap requires that MAC as destination."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403

c = Case(sys.argv[1])
CORE = default_port_mac(3)
ACC0 = default_port_mac(0)
att = Attachment("acc0", 1234)
tr = Trunk("trk0", 3001)
vt = [Vtep("192.0.2.2", 100001, "02:bb:00:00:00:02", port_mac=CORE),
      Vtep("192.0.2.77", 100001, "02:bb:00:00:00:77", port_mac=CORE),
      Vtep("192.0.3.5", 100001, GW4_MAC, port_mac=CORE),
      Vtep("198.51.100.7", 100001, GW4_MAC, port_mac=CORE),
      Vtep("2001:db8:ffff::2", 100001, "02:bb:00:00:01:02", port_mac=CORE),
      Vtep("2001:db8:fffe::9", 100001, GW6_MAC, port_mac=CORE)]
red = Tenant("red", 100001, [att, tr] + vt)
A = host(0x80)

f = frame(BCAST, A)
c.send("acc0", att.ingress(f))
c.flood(red, f, att)

# Each VTEP's host, learned by decap (dst MAC = core0's derived MAC), then A -> it.
for i, v in enumerate(vt):
    R = host(0x81 + i)
    f = frame(A, R, sport=10 + i)
    c.send("core0", v.ingress(f))
    c.deliver(att, f)
    f = frame(R, A, sport=20 + i)
    c.send("acc0", att.ingress(f))
    c.deliver(v, f)

# The acc0 MAC is not used by L2 forwarding; a frame to it is plain unknown unicast.
f = frame(ACC0, host(0x90))
c.send("trk0", tr.ingress(f))
c.flood(red, f, tr)
c.write()
