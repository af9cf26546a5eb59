#!/usr/bin/python3
"""Helpers for golden-case generators (tests/golden/cases/*/gen.py).

Everything here is written from DESIGN.md §3 (L2 packet semantics), never from the
pipeline code: a member's egress() builds the frame exactly as the contract says it
must leave the node, ingress() builds what that member would send us.

A generator does:

    c = golden.Case(sys.argv[1])
    t = c.send("acc0", frame)          # input on acc0, timestamp auto (or t=...)
    c.expect("acc1", out_frame)        # output expected for the last input
    c.flood(RED, inner, src_member)    # expected copies to every eligible member
    c.drops(malformed=2)               # every other drop reason must be 0
    c.write()

write() produces in-PORT.pcap, expect-PORT.pcap, expect-counters.json and
expect-meta.json in the output directory. Per-port rx/tx packet and byte counts,
packets_in/packets_out and every drop reason are always part of the expected counters.

Convention: an expected VXLAN packet whose outer UDP source port is 0 means "any port
in 49152-65535"; the runner then checks the rule (range, one port per inner flow),
recomputes the IPv6 UDP checksum with the port it got, and compares every other field.
"""
import json
import logging
import os

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.config import conf  # noqa: E402

conf.verb = 0
from scapy.layers.inet import IP, UDP, TCP, ICMP  # noqa: E402,F401
from scapy.layers.inet6 import IPv6  # noqa: E402
from scapy.layers.l2 import ARP, Dot1AD, Dot1Q, Ether  # noqa: E402,F401
from scapy.layers.vxlan import VXLAN  # noqa: E402
from scapy.packet import Raw  # noqa: E402
from scapy.utils import wrpcap  # noqa: E402

DROP_REASONS = [
    "malformed", "unknown_vlan", "unknown_vni", "unknown_vtep", "not_vxlan",
    "bad_src_mac", "mac_limit", "filtered", "flood_empty", "mtu_exceeded",
    "no_neighbor", "no_mbuf", "unsupported", "no_tables", "tx_full", "punt_full",
    "no_route", "ttl_expired", "unknown_label",
]

BCAST = "ff:ff:ff:ff:ff:ff"
VXLAN_PORT = 4789
TPID_C, TPID_S = 0x8100, 0x88A8

# ---- the base topology (cases/*/config.yaml start from the same text) ----------------
PORT_MAC = {
    "acc0": "02:00:00:00:01:01",
    "acc1": "02:00:00:00:01:02",
    "trk0": "02:00:00:00:01:03",
    "core0": "02:00:00:00:01:04",
}
BASE_PORTS = ["acc0", "acc1", "trk0", "core0"]
VTEP4 = "192.0.2.1"
VTEP6 = "2001:db8:ffff::1"
GW4_MAC = "02:bb:00:00:00:fe"   # 192.0.2.254
GW6_MAC = "02:bb:00:00:01:fe"   # 2001:db8:ffff::fe


def host(n):
    """A unicast, locally administered host MAC."""
    return "02:00:00:aa:%02x:%02x" % (n >> 8, n & 0xFF)


def default_port_mac(index):
    """A port without `mac:` in replay: 02:54:53:00:HI:LO of its index in the port list."""
    return "02:54:53:00:%02x:%02x" % (index >> 8, index & 0xFF)


def frame(dst, src, payload=None, size=None, sport=1000, dport=2000, ip=("10.0.0.1", "10.0.0.2")):
    """An untagged Ethernet frame (the 'inner' frame of a segment).

    size: total frame length in bytes (payload padded with Raw); default IPv4/UDP with
    a 64-byte body (98 bytes, so tag removal never produces a runt)."""
    if payload is None:
        payload = IP(src=ip[0], dst=ip[1], id=7) / UDP(sport=sport, dport=dport)
        body = 64 if size is None else size - 14 - 28
        assert body >= 0, size
        payload = payload / Raw(bytes((i * 7 + 3) & 0xFF for i in range(body)))
    return Ether(bytes(Ether(dst=dst, src=src) / payload))


def _split(inner):
    """(dst, src, ethertype, body bytes) of an untagged frame."""
    raw = bytes(inner)
    return raw[0:6], raw[6:12], raw[12:14], raw[14:]


def tag(inner, tags):
    """Insert 802.1Q/802.1ad tags: tags = [(tpid, pcp, dei, vid), ...] outermost first."""
    dst, src, etype, body = _split(inner)
    hdr = b""
    for tpid, pcp, dei, vid in tags:
        hdr += tpid.to_bytes(2, "big") + ((pcp << 13) | (dei << 12) | vid).to_bytes(2, "big")
    return Ether(dst + src + hdr + etype + body)


# ---- members ---------------------------------------------------------------------------
class Attachment:
    kind = "attachment"

    def __init__(self, port, vlan, inner_vlan=None):
        self.port, self.vlan, self.inner_vlan = port, vlan, inner_vlan

    def __repr__(self):
        return "att(%s,%s,%s)" % (self.port, self.vlan, self.inner_vlan)

    def ingress(self, inner, pcp=0, dei=0, inner_pcp=0, inner_dei=0):
        if self.inner_vlan is None:
            return tag(inner, [(TPID_C, pcp, dei, self.vlan)])
        return tag(inner, [(TPID_S, pcp, dei, self.vlan), (TPID_C, inner_pcp, inner_dei, self.inner_vlan)])

    def egress(self, inner, pcp=0, dei=0):
        # DESIGN §3: tags set to the attachment's; PCP/DEI of the ingress outer tag kept
        # (0 from VXLAN) -- in every egress tag.
        if self.inner_vlan is None:
            return tag(inner, [(TPID_C, pcp, dei, self.vlan)])
        return tag(inner, [(TPID_S, pcp, dei, self.vlan), (TPID_C, pcp, dei, self.inner_vlan)])


class Trunk:
    kind = "trunk"

    def __init__(self, port, hybrid_vlan):
        self.port, self.vlan = port, hybrid_vlan

    def __repr__(self):
        return "trunk(%s,%s)" % (self.port, self.vlan)

    def ingress(self, inner, pcp=0, dei=0):
        return tag(inner, [(TPID_C, pcp, dei, self.vlan)])

    def egress(self, inner, pcp=0, dei=0):
        return tag(inner, [(TPID_C, pcp, dei, self.vlan)])


class Vtep:
    """A remote VTEP of a tenant: addr, the next-hop MAC the node must use towards it."""
    kind = "vtep"

    def __init__(self, addr, vni, nh_mac, port="core0", port_mac=None, local=None):
        self.addr, self.vni, self.nh_mac, self.port = addr, vni, nh_mac, port
        self.port_mac = port_mac or PORT_MAC[port]
        self.v6 = ":" in addr
        self.local = local or (VTEP6 if self.v6 else VTEP4)

    def __repr__(self):
        return "vtep(%s,vni %d)" % (self.addr, self.vni)

    def ingress(self, inner, pcp=0, dei=0, sport=54321, vni=None, flags=0x08, src_mac=None,
                dst_mac=None, dst=None, src=None):
        """What this remote VTEP sends us: VXLAN to the node's vtep (pcp/dei ignored)."""
        vni = self.vni if vni is None else vni
        outer = Ether(dst=dst_mac or self.port_mac, src=src_mac or self.nh_mac)
        if self.v6:
            l3 = IPv6(src=src or self.addr, dst=dst or self.local, hlim=60)
        else:
            l3 = IP(src=src or self.addr, dst=dst or self.local, ttl=60, id=99)
        return Ether(bytes(outer / l3 / UDP(sport=sport, dport=VXLAN_PORT) /
                           VXLAN(flags=flags, vni=vni) / Raw(bytes(inner))))

    def egress(self, inner, pcp=0, dei=0):
        """DESIGN §3 VTEP egress; UDP sport 0 = placeholder checked by rule."""
        outer = Ether(dst=self.nh_mac, src=self.port_mac)
        if self.v6:
            l3 = IPv6(src=self.local, dst=self.addr, hlim=64, tc=0, fl=0)
            udp = UDP(sport=0, dport=VXLAN_PORT)          # checksum computed (valid)
        else:
            l3 = IP(src=self.local, dst=self.addr, flags="DF", ttl=64, id=0, tos=0)
            udp = UDP(sport=0, dport=VXLAN_PORT, chksum=0)
        return Ether(bytes(outer / l3 / udp / VXLAN(flags=0x08, vni=self.vni) / Raw(bytes(inner))))


class Tenant:
    def __init__(self, name, vni, members):
        self.name, self.vni, self.members = name, vni, members

    def flood_targets(self, from_member):
        out = []
        for m in self.members:
            if m is from_member:
                continue
            if from_member is not None and from_member.kind == "vtep" and m.kind == "vtep":
                continue   # split horizon
            out.append(m)
        return out


def base_tenants():
    """RED and BLUE of the base config.yaml."""
    red = Tenant("red", 100001, [
        Attachment("acc0", 1234),
        Attachment("acc1", 100, 20),
        Trunk("trk0", 3001),
        Vtep("192.0.2.2", 100001, "02:bb:00:00:00:02"),
        Vtep("198.51.100.7", 100001, GW4_MAC),                 # beyond the gateway
        Vtep("2001:db8:ffff::2", 100001, "02:bb:00:00:01:02"),
    ])
    blue = Tenant("blue", 100002, [
        Attachment("acc0", 1235),
        Attachment("acc1", 100),
        Trunk("trk0", 3002),
        Vtep("192.0.2.2", 100002, "02:bb:00:00:00:02"),
    ])
    return red, blue


# ---- the case --------------------------------------------------------------------------
class Case:
    def __init__(self, outdir, ports=None, t0=1.0, step=0.001):
        self.outdir = outdir
        self.ports = list(ports or BASE_PORTS)
        self.inputs = {}       # port -> [(t, pkt)]
        self.in_order = []
        self.expects = {}      # port -> [(t, pkt)]
        self.punts = {}        # port -> [(t, pkt)]: handed to the port's kernel interface
        self.t = t0 - step
        self.step = step
        self.last = None
        self._drops = {}
        self.extra = {}
        self.meta = {}

    def send(self, port, pkt, t=None):
        """Queue an input packet on `port`; returns its timestamp."""
        if t is None:
            t = self.t + self.step
        self.t = max(self.t, t)
        t = round(t, 6)
        self.inputs.setdefault(port, []).append((t, Ether(bytes(pkt))
                                                  if len(bytes(pkt)) >= 14 else Raw(bytes(pkt))))
        if port not in self.in_order:
            self.in_order.append(port)
        self.last = t
        return t

    def expect(self, port, pkt, t=None):
        """Expect `pkt` on `port`, stamped with the input's time (default: the last input)."""
        t = self.last if t is None else t
        self.expects.setdefault(port, []).append((t, Ether(bytes(pkt))))

    def punt(self, port, pkt, t=None):
        """Expect `pkt` (as received) to go to `port`'s kernel interface (replay writes
        PORT.punt.pcap)."""
        t = self.last if t is None else t
        self.punts.setdefault(port, []).append((t, Ether(bytes(pkt))))

    def deliver(self, member, inner, pcp=0, dei=0, t=None):
        self.expect(member.port, member.egress(inner, pcp, dei), t)

    def flood(self, tenant, inner, from_member, pcp=0, dei=0, t=None, skip=()):
        """Expect the flood of `inner` (ingress `from_member`) to every eligible member.
        skip: members whose copy is dropped (e.g. mtu_exceeded), not expected."""
        for m in tenant.flood_targets(from_member):
            if m in skip:
                continue
            self.deliver(m, inner, pcp, dei, t)

    def drops(self, **kw):
        for k, v in kw.items():
            assert k in DROP_REASONS, k
            self._drops[k] = self._drops.get(k, 0) + v

    def counters(self, d):
        """Merge extra exact-match counters, e.g. {"mac": {"moved": 2}}."""
        def merge(a, b):
            for k, v in b.items():
                if isinstance(v, dict):
                    merge(a.setdefault(k, {}), v)
                else:
                    a[k] = v
        merge(self.extra, d)

    def write(self):
        os.makedirs(self.outdir, exist_ok=True)
        for pattern, by_port in (("in-%s.pcap", self.inputs), ("expect-%s.pcap", self.expects),
                                 ("expect-%s.punt.pcap", self.punts)):
            for port, lst in by_port.items():
                pkts = []
                for t, p in lst:          # file order = the order they were queued
                    p.time = t
                    pkts.append(p)
                wrpcap(os.path.join(self.outdir, pattern % port), pkts, linktype=1)
        ports = {}
        for port in sorted(set(self.ports) | set(self.inputs) | set(self.expects)):
            ins = self.inputs.get(port, [])
            outs = self.expects.get(port, [])
            ports[port] = {
                "rx_packets": len(ins), "rx_bytes": sum(len(bytes(p)) for _, p in ins),
                "tx_packets": len(outs), "tx_bytes": sum(len(bytes(p)) for _, p in outs),
            }
        drops = {r: self._drops.get(r, 0) for r in DROP_REASONS}
        counters = {
            "ports": ports,
            "drops": drops,
            "drops_total": sum(drops.values()),
            "packets_in": sum(len(v) for v in self.inputs.values()),
            "packets_out": sum(len(v) for v in self.expects.values()),
            "punted": {port: len(self.punts.get(port, [])) for port in ports},
        }
        extra = json.loads(json.dumps(self.extra))
        for k, v in extra.items():
            if isinstance(v, dict) and isinstance(counters.get(k), dict):
                for k2, v2 in v.items():
                    if isinstance(v2, dict) and isinstance(counters[k].get(k2), dict):
                        counters[k][k2].update(v2)
                    else:
                        counters[k][k2] = v2
            else:
                counters[k] = v
        with open(os.path.join(self.outdir, "expect-counters.json"), "w") as f:
            json.dump(counters, f, indent=1, sort_keys=True)
        meta = dict(self.meta)
        meta["in_order"] = self.in_order
        with open(os.path.join(self.outdir, "expect-meta.json"), "w") as f:
            json.dump(meta, f, indent=1)


# ---- private link (DESIGN.md §4) -------------------------------------------------------
# Written from the L3 contract: routed frames are re-framed from the IP packet (TTL / hop
# limit decremented, IPv4 checksum valid), MPLS stacks are built byte by byte.
PORT_MAC["ix0"] = "02:00:00:00:01:05"
PORT_MAC["ix1"] = "02:00:00:00:01:06"
ETH_IP4, ETH_IP6, ETH_MPLS = 0x0800, 0x86DD, 0x8847
AUTO_LABEL_BASE = 983040       # a VRF without vrf.label: 983040 + the tenant's index


def router_mac(router_id="10.255.0.1"):
    """The default router MAC: 02:00 followed by the four bytes of node.router_id."""
    return "02:00:" + ":".join("%02x" % int(x) for x in router_id.split("."))


RMAC = router_mac()


def ip4(src, dst, ttl=64, sport=1000, dport=2000, body=64, ident=7, options=None, proto="udp"):
    """Bytes of an IPv4 packet (UDP, or TCP with proto="tcp") with a `body`-byte payload."""
    kw = {} if options is None else {"options": options}
    l4 = UDP(sport=sport, dport=dport) if proto == "udp" else TCP(sport=sport, dport=dport)
    p = IP(src=src, dst=dst, ttl=ttl, id=ident, **kw) / l4 / \
        Raw(bytes((i * 5 + 1) & 0xFF for i in range(body)))
    return bytes(p)


def ip6(src, dst, hlim=64, sport=1000, dport=2000, body=64):
    """Bytes of an IPv6/UDP packet with a `body`-byte payload."""
    p = IPv6(src=src, dst=dst, hlim=hlim) / UDP(sport=sport, dport=dport) / \
        Raw(bytes((i * 5 + 1) & 0xFF for i in range(body)))
    return bytes(p)


def _csum(hdr):
    s = 0
    for i in range(0, len(hdr), 2):
        s += (hdr[i] << 8) | hdr[i + 1]
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ip_ttl(l3):
    """TTL (IPv4) or hop limit (IPv6) of an IP packet's bytes."""
    return l3[8] if (l3[0] >> 4) == 4 else l3[7]


def set_ttl(l3, ttl):
    """The IP packet with its TTL / hop limit set to `ttl`, the IPv4 header checksum
    recomputed from scratch over the whole header (options included)."""
    b = bytearray(l3)
    if (b[0] >> 4) == 4:
        ihl = (b[0] & 0x0F) * 4
        b[8] = ttl
        b[10:12] = b"\0\0"
        b[10:12] = _csum(bytes(b[:ihl])).to_bytes(2, "big")
    else:
        b[7] = ttl
    return bytes(b)


def decrement(l3, n=1):
    """What a router forwards: TTL / hop limit minus n, valid IPv4 checksum."""
    return set_ttl(l3, ip_ttl(l3) - n)


def l3frame(dst, src, l3):
    """An untagged Ethernet frame carrying the IP packet `l3` (bytes)."""
    etype = ETH_IP4 if (l3[0] >> 4) == 4 else ETH_IP6
    return Ether(mac2b(dst) + mac2b(src) + etype.to_bytes(2, "big") + bytes(l3))


def mac2b(mac):
    return bytes(int(x, 16) for x in mac.split(":"))


def mpls_stack(labels, ttl, tc=0, bos_last=True):
    """Label stack entries, outermost first: label(20) TC(3) S(1) TTL(8); S on the last
    only (bos_last=False: on none). ttl: one value for all, or a list."""
    out = b""
    ttls = ttl if isinstance(ttl, (list, tuple)) else [ttl] * len(labels)
    for i, lab in enumerate(labels):
        s = 1 if (bos_last and i == len(labels) - 1) else 0
        out += ((lab << 12) | (tc << 9) | (s << 8) | ttls[i]).to_bytes(4, "big")
    return out


def mpls_frame(dst, src, labels, ttl, l3, tc=0, bos_last=True):
    """Ethernet (EtherType 0x8847) / label stack / IP packet bytes."""
    return Ether(mac2b(dst) + mac2b(src) + ETH_MPLS.to_bytes(2, "big") +
                 mpls_stack(labels, ttl, tc, bos_last) + bytes(l3))


def option_b_egress(port, peer_mac, labels, l3_in):
    """DESIGN §4 Option-B egress of an IP packet that arrived as `l3_in`: peer MAC <- port
    MAC, the labels pushed (TC 0, S on the last), MPLS TTL = the decremented IP TTL, the
    IP packet inside decremented too."""
    out = decrement(l3_in)
    return mpls_frame(peer_mac, PORT_MAC[port], labels, ip_ttl(out), out)


class SubIf:
    """An Option-A sub-interface: (interconnect port, VLAN) with its neighbour's MAC."""
    kind = "subif"

    def __init__(self, port, vlan, nbr_mac):
        self.port, self.vlan, self.nbr_mac = port, vlan, nbr_mac
        self.port_mac = PORT_MAC[port]

    def __repr__(self):
        return "subif(%s.%s)" % (self.port, self.vlan)

    def ingress(self, l3, pcp=0, dst_mac=None, src_mac=None):
        """What the neighbour sends us: one 0x8100 tag with the VRF's VLAN."""
        return tag(l3frame(dst_mac or self.port_mac, src_mac or self.nbr_mac, l3),
                   [(TPID_C, pcp, 0, self.vlan)])

    def egress_of(self, l3_in):
        """DESIGN §4 Option-A egress of `l3_in`: port MAC -> neighbour MAC, one 0x8100 tag
        (PCP 0, the VLAN), the IP packet decremented."""
        return tag(l3frame(self.nbr_mac, self.port_mac, decrement(l3_in)),
                   [(TPID_C, 0, 0, self.vlan)])


def to_router(member, src, l3, rmac=RMAC, **kw):
    """What a host behind `member` sends to the router: dst router MAC, src its MAC
    (kw: the member's ingress() arguments, e.g. pcp)."""
    return member.ingress(l3frame(rmac, src, l3), **kw)


def routed_inner(host_mac, l3_in, rmac=RMAC):
    """The frame a routed packet becomes in a tenant segment (before the member's
    egress tags): router MAC -> host MAC, the IP packet decremented."""
    return l3frame(host_mac, rmac, decrement(l3_in))


def arp_request(target, gateway="10.1.0.1", rmac=RMAC):
    """What the router floods in a segment for a host it has no MAC for (a 60-byte frame)."""
    return (Ether(dst=BCAST, src=rmac) /
            ARP(op=1, hwsrc=rmac, psrc=gateway, hwdst="00:00:00:00:00:00", pdst=target) / Raw(b"\0" * 18))


def neighbor_solicitation(target, gateway="2001:db8:1::1", rmac=RMAC):
    """The IPv6 equivalent: to the target's solicited-node group, with the router MAC."""
    from scapy.layers.inet6 import ICMPv6ND_NS, ICMPv6NDOptSrcLLAddr
    import ipaddress
    low = ipaddress.IPv6Address(target).packed[13:]
    group = str(ipaddress.IPv6Address(bytes.fromhex("ff02" + "00" * 9 + "01ff") + low))
    mac = "33:33:ff:%02x:%02x:%02x" % tuple(low)
    return (Ether(dst=mac, src=rmac) / IPv6(src=gateway, dst=group, hlim=255) / ICMPv6ND_NS(tgt=target) /
            ICMPv6NDOptSrcLLAddr(lladdr=rmac))
