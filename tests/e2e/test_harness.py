"""Self-tests of the e2e harness, without Tsunagi: a Linux bridge (or a kernel vxlan
device) stands in for the node, so the topology, the VLAN shims and the kernel VTEP site
are known to work before the live tests rely on them.

    tsn-cloud                 tsn-dp (Linux bridge br-dp)               tsn-srv
   +-------------+          +-----------------------------+          +-------------+
   | tap (host)  |          |  d-cloud ---- br-dp ---- d-srv |        | tap (host)  |
   | vlan_shim   |--h-cloud-|    ^ tcpdump: tags checked   |--h-srv---| vlan_shim   |
   +-------------+          +-----------------------------+          +-------------+

    tsn-dp (stand-in node)                        tsn-site                 tsn-remote
   +--------------------------------+        +-------------------+     +------------+
   | 10.1.0.9 br -- vxlan 100001    |        | vxlan 100001 - br |     | 10.1.0.3   |
   | d-core 192.0.2.1 / 2001:db8::1 |--------| s-core 192.0.2.2  |-----| rr1        |
   +--------------------------------+        +-------------------+     +------------+
"""
import os

from scapy.layers.inet import UDP
from scapy.layers.l2 import Dot1AD, Dot1Q, Ether
from scapy.layers.vxlan import VXLAN

from lib import netns, pinger, tcpxfer
from lib.capture import Capture, inject
from lib.topo import (NODE_V4, NODE_V6, PORT_MAC, SITE_MAC, SITE_V4, SITE_V6, TENANTS, Topology, host_ip,
                      host_mac)


def _tags(p):
    """[(tpid, vid, pcp), ...] of the VLAN tags of an Ether frame."""
    out, tpid, layer = [], p[Ether].type, p[Ether].payload
    while isinstance(layer, (Dot1Q, Dot1AD)):
        out.append((tpid, layer.vlan, layer.prio))
        tpid, layer = layer.type, layer.payload
    return out


def _check_tags(pkts, mac, want):
    """Every frame from mac carries exactly the tags want; returns how many there were."""
    n = 0
    for p in pkts:
        if Ether in p and p[Ether].src == mac:
            got = _tags(p)
            assert got == want, "frame from %s tagged %s, expected %s: %r" % (mac, got, want, p.summary())
            n += 1
    assert n > 0, "no frames from %s captured" % mac
    return n


def _shim_roundtrip(ctx, hosts, pair, want_tags, bystander=None):
    ctx.require_root()
    with Topology(ctx, tenants=[1, 2], hosts=hosts, dataplane="bridge", site=False) as t:
        (ra, ta), (rb, tb) = pair
        cap = Capture(t.procs, "tcpdump-cloud", t.ns["dp"], t.dev["cloud0"], os.path.join(t.dir, "cloud0.pcap")).start()
        for v6 in (False, True):
            pinger.wait_ping(t.ns[ra], host_ip(tb, rb, v6), timeout=10)
            pinger.wait_ping(t.ns[rb], host_ip(ta, ra, v6), timeout=10)
        res = tcpxfer.transfer(t.ns[rb], host_ip(tb, rb), t.ns[ra], 1 << 20)
        ctx.note("tcp 1 MiB %s%d -> %s%d through the shims: %.1f Mbit/s" % (ra, ta, rb, tb, res["mbit_s"]))
        # frames that must be dropped by the shim on h-cloud: untagged, another VID, another TPID
        bad_src = "02:99:00:00:00:01"
        base = Ether(dst="ff:ff:ff:ff:ff:ff", src=bad_src)
        inject(t.ns["dp"], t.dev["cloud0"], [
            base / (b"\x00" * 46),
            Ether(dst="ff:ff:ff:ff:ff:ff", src=bad_src, type=0x8100) / Dot1Q(vlan=99) / (b"\x00" * 46),
            Ether(dst="ff:ff:ff:ff:ff:ff", src=bad_src, type=0x9100) / Dot1Q(vlan=want_tags[0][1]) / (b"\x00" * 46),
        ])
        pkts = cap.stop()
        ours = _check_tags(pkts, host_mac(ta, ra), list(want_tags))
        theirs = _check_tags(pkts, host_mac(tb, rb), [(tp, vid, 0) for (tp, vid, _) in want_tags])
        ctx.note("captured on d-cloud: %d frames from the cloud host, %d from the srv host, tags %s"
                 % (ours, theirs, "+".join("%#x/%d" % (tp, v) for tp, v, _ in want_tags)))
        key = "%s%d" % (ra, ta)
        st = t.shim_stats(key)
        assert st["rx_dropped_untagged"] >= 1, "untagged frame not dropped by the shim: %s" % st
        assert st["rx_dropped_other_tag"] >= 2, "foreign-tag frames not dropped by the shim: %s" % st
        assert st["rx_tag_from_auxdata"] > 0, "no tag came through PACKET_AUXDATA: %s" % st
        assert st["tx_errors"] == 0 and st["rx_tap_errors"] == 0, st
        if bystander:
            bs = t.shim_stats(bystander)
            assert bs["rx_frames"] == 0, "shim %s accepted frames of another tag set: %s" % (bystander, bs)
            assert bs["rx_dropped_other_tag"] > 0, bs
            ctx.note("bystander shim %s (same outer VID, other tag set) accepted 0, dropped %d"
                     % (bystander, bs["rx_dropped_other_tag"]))


def test_harness_shim_single_tag(ctx):
    """Two shims on VLAN 1234 (PCP 3 / 0) through a Linux bridge: ping v4/v6, TCP, tags on the wire."""
    hosts = [("cloud", 1, 1234, 0, 3), ("srv", 1, 1234, 0, 0)]
    _shim_roundtrip(ctx, hosts, (("cloud", 1), ("srv", 1)), [(0x8100, 1234, 3)])


def test_harness_shim_qinq(ctx):
    """Two QinQ shims (0x88a8/100 + 0x8100/20) through a Linux bridge; a single-tag VLAN 100 shim
    on the same veth sees none of it."""
    hosts = [("cloud", 2, 100, 20, 5), ("srv", 2, 100, 20, 0), ("srv", 1, 100, 0, 0)]
    _shim_roundtrip(ctx, hosts, (("cloud", 2), ("srv", 2)), [(0x88A8, 100, 5), (0x8100, 20, 5)], bystander="srv1")


def _site(ctx, underlay):
    ctx.require_root()
    with Topology(ctx, underlay=underlay, tenants=[1], hosts=[], dataplane="bridge") as t:
        dp, dc = t.ns["dp"], t.dev["core0"]
        netns.sysctl(dp, "net.ipv6.conf.%s.disable_ipv6" % dc, 0)
        netns.ip(dp, "addr", "add", NODE_V4 + "/24", "dev", dc)
        netns.ip(dp, "addr", "add", NODE_V6 + "/64", "dev", dc, "nodad")
        local, remote = (NODE_V6, SITE_V6) if underlay == "v6" else (NODE_V4, SITE_V4)
        vx = t.net.vxlan(dp, "vxn-" + t.sfx, TENANTS[1]["vni"], local, remote, dev=dc)
        br = t.net.bridge(dp, "brn-" + t.sfx, [vx], mtu=1500, ipv6=True)
        netns.ip(dp, "addr", "add", "10.1.0.9/24", "dev", br)
        netns.ip(dp, "addr", "add", "fd00:1::9/64", "dev", br, "nodad")
        cap = Capture(t.procs, "tcpdump-core", dp, dc, os.path.join(t.dir, "core0.pcap"), bpf="udp").start()
        for v6 in (False, True):
            pinger.wait_ping(dp, host_ip(1, "remote", v6), timeout=10)
            pinger.wait_ping(t.ns["remote"], "fd00:1::9" if v6 else "10.1.0.9", timeout=10)
        res = tcpxfer.transfer(t.ns["remote"], host_ip(1, "remote"), dp, 1 << 20)
        res2 = tcpxfer.transfer(dp, "10.1.0.9", t.ns["remote"], 1 << 20)
        pkts = cap.stop()
        vx_pkts = [p for p in pkts if UDP in p and p[UDP].dport == 4789 and VXLAN in p]
        from_site = [p for p in vx_pkts if p[Ether].src == SITE_MAC]
        assert from_site, "no VXLAN from the kernel VTEP captured on d-core"
        for p in from_site:
            assert p[VXLAN].vni == TENANTS[1]["vni"], p.summary()
            assert p[Ether].dst == PORT_MAC["core0"], "site sent to %s, not the core0 MAC" % p[Ether].dst
            ip_src = p.payload.src
            assert ip_src == (SITE_V6 if underlay == "v6" else SITE_V4), ip_src
        ctx.note("kernel VTEP over IPv%s: %d VXLAN packets from the site, vni %d, to %s; tcp %.1f / %.1f Mbit/s"
                 % ("6" if underlay == "v6" else "4", len(from_site), TENANTS[1]["vni"], PORT_MAC["core0"],
                    res["mbit_s"], res2["mbit_s"]))


def test_harness_site_vxlan_ipv4(ctx):
    """The remote site (kernel vxlan 100001 on a bridge) against a kernel stand-in node, IPv4 underlay."""
    _site(ctx, "v4")


def test_harness_site_vxlan_ipv6(ctx):
    """The same over an IPv6 underlay (UDP checksums required by the site's kernel)."""
    _site(ctx, "v6")
