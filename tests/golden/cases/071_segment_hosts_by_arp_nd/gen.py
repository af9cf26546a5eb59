#!/usr/bin/python3
"""Hosts of a VRF's segment found by ARP and ND, without `neighbors:`: a host that asked for its gateway is routed to at once (IPv4 ARP, IPv6 neighbour solicitation); a packet to an unknown host is lost (no_neighbor) and the router floods an ARP request or a solicitation to the solicited-node group from the gateway address; the host's answer to the router MAC is taken (not forwarded) and the next packet is delivered; a second packet in the same second asks no second time; an entry older than the MAC aging time is asked for again; an advertisement from a carrier is never learned."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from golden import *  # noqa: E402,F401,F403
from scapy.layers.inet6 import ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6NDOptDstLLAddr, ICMPv6NDOptSrcLLAddr  # noqa: E402

c = Case(sys.argv[1], ports=BASE_PORTS + ["ix0"])
red, blue = base_tenants()
a0, a1, tr, v4, vgw, v6 = red.members
HA, HB, HC = host(0x711), host(0x712), host(0x713)


def routed(dst, t=None):
    """A packet from host B (on a1, another subnet) to `dst`, through the router."""
    p = ip6("2001:db8:2::5", dst) if ":" in dst else ip4("10.2.0.5", dst)
    c.send("acc1", to_router(a1, HB, p), t=t)
    return p


# Host A asks for its gateway: answered, and known from then on.
ask = Ether(dst=BCAST, src=HA) / ARP(op=1, hwsrc=HA, psrc="10.1.0.11", pdst="10.1.0.1")
c.send("acc0", a0.ingress(ask))
c.expect("acc0", a0.egress(Ether(dst=HA, src=RMAC) /
                           ARP(op=2, hwsrc=RMAC, psrc="10.1.0.1", hwdst=HA, pdst="10.1.0.11")))
p = routed("10.1.0.11")
c.deliver(a0, routed_inner(HA, p))

# Host C is unknown: the packet is lost and the router asks, flooded in the segment; once
# more in the same second, no second request.
routed("10.1.0.13")
c.drops(no_neighbor=1)
c.flood(red, arp_request("10.1.0.13"), None)
routed("10.1.0.13")
c.drops(no_neighbor=1)
# C answers the router (on the trunk): taken, not forwarded; then C is routed to.
reply = Ether(dst=RMAC, src=HC) / ARP(op=2, hwsrc=HC, psrc="10.1.0.13", hwdst=RMAC, pdst="10.1.0.1")
c.send("trk0", tr.ingress(reply))
p = routed("10.1.0.13")
c.deliver(tr, routed_inner(HC, p))

# IPv6: a solicitation to C's solicited-node group, its advertisement to the router MAC.
routed("2001:db8:1::13")
c.drops(no_neighbor=1)
c.flood(red, neighbor_solicitation("2001:db8:1::13"), None)
na = (Ether(dst=RMAC, src=HC) / IPv6(src="2001:db8:1::13", dst="2001:db8:1::1", hlim=255) /
      ICMPv6ND_NA(R=0, S=1, O=1, tgt="2001:db8:1::13") / ICMPv6NDOptDstLLAddr(lladdr=HC))
c.send("trk0", tr.ingress(na))
p = routed("2001:db8:1::13")
c.deliver(tr, routed_inner(HC, p))

# Host A solicits its IPv6 gateway: answered, and known.
ns = (Ether(dst="33:33:ff:00:00:01", src=HA) / IPv6(src="2001:db8:1::11", dst="ff02::1:ff00:1", hlim=255) /
      ICMPv6ND_NS(tgt="2001:db8:1::1") / ICMPv6NDOptSrcLLAddr(lladdr=HA))
c.send("acc0", a0.ingress(ns))
c.expect("acc0", a0.egress(Ether(dst=HA, src=RMAC) / IPv6(src="2001:db8:1::1", dst="2001:db8:1::11", hlim=255) /
                           ICMPv6ND_NA(R=1, S=1, O=1, tgt="2001:db8:1::1") / ICMPv6NDOptDstLLAddr(lladdr=RMAC)))
p = routed("2001:db8:1::11")
c.deliver(a0, routed_inner(HA, p))

# A carrier cannot speak for a host of the segment: an advertisement arriving labelled from
# the interconnect (red's automatic label 983040) is taken but not learned, so the next
# packet to that address makes the router ask the segment.
forged = (IPv6(src="2001:db8:1::15", dst="2001:db8:1::1", hlim=255) /
          ICMPv6ND_NA(R=0, S=1, O=1, tgt="2001:db8:1::15") / ICMPv6NDOptDstLLAddr(lladdr=host(0x7ff)))
# Label TTL 255: the pop copies it into the hop limit, which ND requires to be 255.
c.send("ix0", mpls_frame("02:00:00:00:01:05", "02:cc:00:00:00:01", [983040], 255, bytes(forged)))
routed("2001:db8:1::15")
c.drops(no_neighbor=1)
c.flood(red, neighbor_solicitation("2001:db8:1::15"), None)

# Long after (beyond the MAC aging time): A is asked for again.
routed("10.1.0.11", t=5000.0)
c.drops(no_neighbor=1)
c.flood(red, arp_request("10.1.0.11"), None, t=5000.0)
c.write()
