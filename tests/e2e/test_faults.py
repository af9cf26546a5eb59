"""Faults under traffic (issue 7 item 3), on the topology of test_live.py.

(a) The underlay link goes down for a second (both ends) and comes back while a tenant
    pings a host behind the remote VTEP and another pair of its hosts talks through access
    ports: nothing crosses while it is down, the access traffic loses nothing, the VXLAN
    traffic resumes (the slowest reply measured), the dataplane stays up.
(b) Floods of frames the node must drop (an unknown VLAN, truncated frames, VXLAN for an
    unknown VNI, VXLAN cut inside its header, UDP not to the node, UDP to the node beyond
    what its kernel side takes) into two ports at once, as fast as a Python sender goes,
    while the tenant's hosts on the other ports ping: every flood is counted under its drop
    reason, no ping is lost, the dataplane stays up (RTT before and during printed; on two
    cores the senders compete with the dataplane for CPU).
(c) SIGKILL of the dataplane under traffic and a restart while tsunagid runs on.
(d) A full MAC table: 4 000 new source MACs into a table of 256 slots while both tenants'
    hosts ping: the MACs that do not fit are counted, the table never holds more than it
    can, the hosts learned before lose no ping.
(e) A full table image: a reload that adds 200 tenants to a node of one, more than the
    image has room for, is published as a new image while the first tenant pings: no ping
    lost, and the new tenants forward.
"""
import re
import signal
import time

from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Dot1Q, Ether
from scapy.layers.vxlan import VXLAN

from lib import netns, prom, yamlcfg
from lib.flood import Flood
from lib.procs import wait_until
from lib.shell import show_json
from lib.topo import NODE_V4, PORT_MAC, SITE_MAC, SITE_V4, TENANTS, Topology, host_mac


def _drops(ctx, t):
    return {d["reason"]: d["packets"] for d in show_json(ctx, t, "show drops")["drops"]}


def test_fault_a_underlay_link_flap(ctx):
    ctx.require_node()
    with Topology(ctx, tenants=[1]) as t:
        t.start_node()
        t.wait_forwarding("cloud", 1, "remote", timeout=20)
        for a, b in (("cloud", "srv"), ("srv", "cloud"), ("cloud", "remote")):
            t.static_neighbors(a, 1, b)
        over_vxlan = t.pinger("ping-remote", "cloud", 1, "remote").start()
        local = t.pinger("ping-local", "srv", 1, "cloud").start()
        wait_until(lambda: over_vxlan.progress()["received"] >= 50, 10, what="pings over VXLAN")
        # Both ends: a veth whose own end is down still passes frames its peer sends.
        netns.ip(t.ns["dp"], "link", "set", t.dev["core0"], "down")
        netns.ip(t.ns["site"], "link", "set", t.dev["s-core"], "down")
        mid = over_vxlan.progress()
        time.sleep(1.0)
        stalled = over_vxlan.progress()
        netns.ip(t.ns["site"], "link", "set", t.dev["s-core"], "up")
        netns.ip(t.ns["dp"], "link", "set", t.dev["core0"], "up")
        t_up = time.time()
        wait_until(lambda: (over_vxlan.progress()["last_reply_at"] or 0) > t_up + 1.0, 20, interval=0.1,
                   what="a second of pings after the link came back")
        rv, rl = over_vxlan.stop(), local.stop()
        assert t.dataplane.alive(), "the dataplane died on a link flap:\n%s" % t.dataplane.tail()
        assert rl["lost"] == 0, "access traffic lost %d of %d during the underlay flap" % (rl["lost"], rl["sent"])
        # Frames the dataplane sent while the link was down wait in its af_packet ring and
        # leave when the link is back: late, not lost.
        assert stalled["received"] - mid["received"] <= 2, "replies while the link was down: %s" % stalled
        ctx.note("underlay link down 1.0 s: VXLAN pings %d/%d lost, slowest reply %.0f ms (held while the link "
                 "was down); access pings %d/%d lost" % (rv["lost"], rv["sent"], rv["rtt_ms"][2], rl["lost"],
                                                         rl["sent"]))
        assert rv["rtt_ms"][2] < 3000, "VXLAN traffic took %.0f ms to recover" % rv["rtt_ms"][2]


def test_fault_b_floods_of_garbage(ctx):
    ctx.require_node()
    with Topology(ctx, tenants=[1]) as t:
        t.start_node(probe=("srv", 1, "bb"))
        for a, b in (("srv", "bb"), ("bb", "srv")):
            t.static_neighbors(a, 1, b)
        p = t.pinger("ping", "srv", 1, "bb").start()
        wait_until(lambda: p.progress()["received"] >= 100, 10, what="100 replies before the floods")
        before = p.progress()
        drops0 = _drops(ctx, t)
        stranger = "02:de:ad:be:ef:01"
        on_access = [
            Ether(src=stranger, dst="ff:ff:ff:ff:ff:ff") / Dot1Q(vlan=999) / IP() / UDP(),  # unknown VLAN
            bytes(Ether(src=stranger, dst=PORT_MAC["cloud0"]))[:10],  # truncated below Ethernet
        ]
        inner = Ether(src=stranger, dst=host_mac(1, "cloud")) / IP() / UDP()
        vx = Ether(src=SITE_MAC, dst=PORT_MAC["core0"]) / IP(src=SITE_V4, dst=NODE_V4) / UDP(sport=50000, dport=4789)
        on_underlay = [
            vx / VXLAN(vni=TENANTS[1]["vni"] + 777) / inner,  # a VNI of no tenant
            bytes(vx / VXLAN(vni=TENANTS[1]["vni"]) / inner)[:50],  # cut inside the VXLAN header
            # not to the node's address: not_vxlan
            Ether(src=SITE_MAC, dst=PORT_MAC["core0"]) / IP(src=SITE_V4, dst="192.0.2.77") / UDP(dport=4789),
            # to the node but not VXLAN: the kernel's (punted), as much as its queue takes
            Ether(src=SITE_MAC, dst=PORT_MAC["core0"]) / IP(src=SITE_V4, dst=NODE_V4) / UDP(sport=5, dport=9),
        ]
        seconds = 5
        fa = Flood(t.procs, "flood-access", t.ns["cloud"], t.dev["h-cloud"], on_access, seconds).start()
        fu = Flood(t.procs, "flood-underlay", t.ns["site"], t.dev["s-core"], on_underlay, seconds).start()
        ra, ru = fa.result(), fu.result()
        during = p.progress()
        wait_until(lambda: p.progress()["sent"] >= during["sent"] + 100, 10, what="100 more pings after the floods")
        rp = p.stop()
        assert t.dataplane.alive(), "the dataplane died under the floods:\n%s" % t.dataplane.tail()
        drops = _drops(ctx, t)
        grew = {k: drops[k] - drops0.get(k, 0) for k in drops if drops[k] != drops0.get(k, 0)}
        sent = ra["sent"] + ru["sent"]
        counted = sum(grew.get(k, 0) for k in ("unknown_vlan", "malformed", "unknown_vni", "not_vxlan", "punt_full"))
        ctx.note("floods: %d frames in %.1f s (%.0f/s) into cloud0 and core0; drops counted %s"
                 % (sent, ra["seconds"], sent / ra["seconds"], grew))
        # RTT: the pinger's averages before the floods and over the whole run.
        ctx.note("pings srv -> bb (other ports): %d/%d lost; RTT avg %.2f ms before, %.2f ms overall"
                 % (rp["lost"], rp["sent"], before["rtt_ms"][1], rp["rtt_ms"][1]))
        assert rp["lost"] == 0, "%d of %d pings lost during the floods" % (rp["lost"], rp["sent"])
        for reason in ("unknown_vlan", "malformed", "unknown_vni", "not_vxlan"):
            assert grew.get(reason, 0) > 0, "no %s drops counted: %s" % (reason, grew)
        # The kernel may refuse some of a flood on its side (a full socket queue); what reaches
        # the dataplane is counted, all of it.
        assert counted >= 0.5 * sent, "%d of %d flood frames counted as drops" % (counted, sent)


def test_fault_c_dataplane_sigkill_and_restart(ctx):
    """(c) SIGKILL of the dataplane under traffic, then a restart while tsunagid runs on: the
    new process replaces the dead one's counters segment and sockets, forwards again from the
    tables in shared memory, and tsunagid's shell sees it (outage and loss measured)."""
    ctx.require_node()
    with Topology(ctx, tenants=[1]) as t:
        t.start_node()
        t.static_neighbors("cloud", 1, "srv")
        pa = t.pinger("ping", "cloud", 1, "srv").start()
        wait_until(lambda: pa.progress()["received"] >= 100, 10, what="100 replies before the kill")
        pid_before = _dataplane_pid(ctx, t)
        t0 = time.monotonic()
        t.dataplane.stop(signal.SIGKILL, timeout=10)
        t.start_dataplane()
        t.wait_forwarding("cloud", 1, "srv", timeout=60)
        t_back = time.monotonic() - t0
        n = pa.progress()["received"]
        wait_until(lambda: pa.progress()["received"] >= n + 50, 10, what="steady pings after the restart")
        ra = pa.stop()
        wait_until(lambda: _dataplane_pid(ctx, t) not in (None, pid_before), 10,
                   what="tsunagid to see the new dataplane")
        assert t.tsunagid.alive(), "tsunagid died with the dataplane:\n%s" % t.tsunagid.tail()
        ctx.note("dataplane SIGKILL -> restarted and forwarding after %.2f s; pings at 10 ms: %d/%d lost, "
                 "longest outage %.0f ms" % (t_back, ra["lost"], ra["sent"], ra["outage_ms"]))
        last_lost = ra["runs"][-1][1] if ra["runs"] else -1
        assert last_lost < ra["sent"] - 50, "still losing after the restart: %s" % ra["runs"]


def _dataplane_pid(ctx, t):
    d = show_json(ctx, t, "show dataplane")
    return d["pid"] if d["running"] else None


def _metric(t, port, name):
    status, _, body = prom.http_get(t.ns["dp"], "http://127.0.0.1:%d/metrics" % port)
    assert status == 200, "GET /metrics: HTTP %d" % status
    return sum(float(m.group(1)) for m in re.finditer(r"^%s(?:\{[^}]*\})? (\S+)$" % re.escape(name), body, re.M))


def test_fault_d_full_mac_table(ctx):
    """(d) 4 000 new source MACs into a 256-slot MAC table under pings of both tenants: counted as
    table full, at most 256 entries, 0 pings lost for the hosts learned before."""
    ctx.require_node()
    port = 9469
    with Topology(ctx, tenants=[1, 2]) as t:
        t.write_config()
        t.start_tsunagid(args=["--metrics-address", "127.0.0.1:%d" % port])
        t.start_dataplane(args=["--mac-capacity", "256"])
        # The pings run between ports the new MACs' frames never touch (srv0, bb0): a host's
        # shim reads every frame on its veth, and Python shims must not be what loses pings.
        for tn in (1, 2):
            t.wait_forwarding("srv", tn, "bb", timeout=60)
            t.static_neighbors("srv", tn, "bb")
            t.static_neighbors("bb", tn, "srv")
        t.wait_forwarding("cloud", 1, "remote", timeout=20)  # where the new MACs' frames go
        pings = [t.pinger("ping-t%d" % tn, "srv", tn, "bb").start() for tn in (1, 2)]
        wait_until(lambda: all(p.progress()["received"] >= 50 for p in pings), 10, what="50 replies per tenant")
        full0 = _metric(t, port, "tsunagi_mac_table_full_total")
        drops0 = _drops(ctx, t)
        strangers = [Ether(src="02:f0:00:00:%02x:%02x" % (i >> 8, i & 0xff), dst=host_mac(1, "remote"))
                     / Dot1Q(vlan=TENANTS[1]["cloud"][0]) / IP(src="10.1.0.99", dst="10.1.0.3") / UDP(dport=9)
                     for i in range(4000)]
        fl = Flood(t.procs, "new-macs", t.ns["cloud"], t.dev["h-cloud"], strangers, 4, pps=2000).start()
        res = fl.result()
        n = [p.progress()["received"] for p in pings]
        wait_until(lambda: all(p.progress()["received"] >= k + 50 for p, k in zip(pings, n)), 10,
                   what="50 more replies per tenant after the flood")
        got = [p.stop() for p in pings]
        full = _metric(t, port, "tsunagi_mac_table_full_total") - full0
        drops = _drops(ctx, t)
        grew = {k: drops[k] - drops0.get(k, 0) for k in drops if drops[k] != drops0.get(k, 0)}
        entries = show_json(ctx, t, "show mac-table")["entries"]
        ctx.note("%d frames of 4000 new MACs into 256 slots: %d not learned (table full), %d entries held, "
                 "drops %s; pings srv<->bb %s" % (res["sent"], full, len(entries), grew or "none",
                                                  ", ".join("t%d %d/%d lost" % (tn, r["lost"], r["sent"])
                                                            for r, tn in zip(got, (1, 2)))))
        assert full > 0, "no MAC counted as not learned for a full table"
        assert len(entries) <= 256, "%d entries in a 256-slot table" % len(entries)
        for r, tn in zip(got, (1, 2)):
            assert r["lost"] == 0, "tenant %d lost %d of %d pings with a full MAC table" % (tn, r["lost"], r["sent"])
        assert t.dataplane.alive(), "the dataplane died with a full MAC table:\n%s" % t.dataplane.tail()


def test_fault_e_full_image_builds_a_new_one(ctx):
    """(e) a reload adding 200 tenants to a node of one runs out of the image's room: published as a
    new image, 0 pings lost on the first tenant, the real second tenant forwards."""
    ctx.require_node()
    with Topology(ctx, tenants=[1, 2]) as t:
        t.start_node(tenants=[1])
        t.static_neighbors("cloud", 1, "srv")
        pa = t.pinger("ping", "cloud", 1, "srv").start()
        wait_until(lambda: pa.progress()["received"] >= 100, 10, what="100 replies before the reload")
        cfg = t.config([1, 2])
        for i in range(200):
            cfg["tenants"].append({"name": "bulk-%03d" % i, "vni": 300000 + i, "hybrid_vlan": 2000 + i,
                                   "attachments": [{"port": "cloud0", "vlan": 2000 + i},
                                                   {"port": "srv0", "vlan": 2000 + i}]})
        yamlcfg.write(t.config_path, cfg, header="end-to-end test node: 202 tenants")
        off = len(t.tsunagid.log())
        t.tsunagid.kill(signal.SIGHUP)
        pub = wait_until(lambda: re.search(r"published table generation (\d+) \(([^)]*)\)", t.tsunagid.log()[off:]),
                         20, what="the reload's publication")
        assert pub.group(2).startswith("new image"), \
            "200 tenants more fitted the image's room (%s): the test provokes nothing" % pub.group(0)
        n = pa.progress()["sent"]
        wait_until(lambda: pa.progress()["sent"] >= n + 100, 10, what="100 pings after the reload")
        ra = pa.stop()
        ctx.note("reload adding 201 tenants: generation %s (%s); cust-0001 %d/%d lost"
                 % (pub.group(1), pub.group(2), ra["lost"], ra["sent"]))
        assert ra["lost"] == 0, "%d of %d pings lost across the new image: %s" % (ra["lost"], ra["sent"], ra["runs"])
        t.wait_forwarding("cloud", 2, "srv", timeout=20)
        assert t.dataplane.alive() and t.tsunagid.alive()
