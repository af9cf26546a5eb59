"""Live end-to-end tests (issue 3 (a)-(e)): tsunagid + tsunagi-dataplane on veth pairs.

   tsn-cloud-X                                                              tsn-srv-X
  +----------------------------+                              +----------------------------+
  | t1: 10.1.0.1 fd00:1::1     |                              | t1: 10.1.0.2 fd00:1::2     |
  |   vlan_shim 0x8100/1234 p3 |                              |   vlan_shim 0x8100/100     |
  | t2: 10.2.0.1 fd00:2::1     |                              | t2: 10.2.0.2 fd00:2::2     |
  |   vlan_shim 0x8100/1235 p3 |                              |   vlan_shim 0x88a8/100     |
  |          h-cloud           |                              |        +0x8100/20 (QinQ)   |
  +-------------|--------------+                              |          h-srv             |
                |                                             +-------------|--------------+
                |             tsn-dp-X  (the node)                          |
  +-------------|-------------------------------------------------------------|------------+
  |          d-cloud = cloud0 (access)                        d-srv = srv0 (access)        |
  |                 net_af_packet0                            net_af_packet1               |
  |                                                                                        |
  |        tsunagid --config tsunagi.yaml  ==shm==>  tsunagi-dataplane --config ...        |
  |                                                                                        |
  |          d-bb = bb0 (trunk)                     d-core = core0 (underlay)              |
  |          net_af_packet2                         net_af_packet3  192.0.2.1/24           |
  |                                                 2001:db8::1/64  mac 02:00:00:00:01:04  |
  +-------------|-------------------------------------------------|------------------------+
                |                                                 |
  +-------------|--------------+            +---------------------|------------------------+
  |          h-bb              |            |  s-core 192.0.2.2/24 2001:db8::2/64          |
  | t1: 10.1.0.4  0x8100/3001  |            |  mac 02:bb:00:00:00:02, static neighbour     |
  | t2: 10.2.0.4  0x8100/3002  |            |  192.0.2.1 / 2001:db8::1 -> 02:00:00:00:01:04|
  |   (hybrid VLANs, trunk)    |            |  vx1: vxlan id 100001 dstport 4789 nolearning|
  |   tsn-bb-X: backbone peer  |            |  local .2 remote .1 (IPv4 or IPv6 underlay)  |
  +----------------------------+            |  br1 = { vx1, sr1 }   (vx2/br2/sr2: 100002)  |
                                            |  tsn-site-X: the remote VTEP (Linux kernel)  |
                                            +----------------|-----------------------------+
                                                             |
                                            +----------------|-----------------------------+
                                            |  rr1: 10.1.0.3 fd00:1::3   rr2: 10.2.0.3 ... |
                                            |  tsn-remote-X: hosts behind the kernel VTEP  |
                                            +----------------------------------------------+

  cust-0001: vni 100001, hybrid_vlan 3001, cloud0/1234, srv0/100          (10.1.0.0/24)
  cust-0002: vni 100002, hybrid_vlan 3002, cloud0/1235, srv0/100+20 QinQ  (10.2.0.0/24)

Most tests give the site a static neighbour for the node's VTEP address and the node's
YAML the site's VTEP MAC (`neighbors:`), so that no measurement depends on ARP timing;
test f resolves both through ARP/ND over the node's punt path instead. Every test builds
its own copy of this topology (suffix X), and removes it at the end.
"""
import os
import re
import signal
import time

from scapy.layers.inet import IP, UDP
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import Dot1Q, Ether
from scapy.packet import Raw
from scapy.layers.vxlan import VXLAN

from lib import tcpxfer
from lib.capture import Capture
from lib.flood import Flood
from lib.procs import wait_until
from lib.topo import NODE_V4, NODE_V6, PORT_MAC, SITE_MAC, TENANTS, Topology, host_ip

XFER = 2 << 20  # bytes per TCP transfer


def _pings(ctx, t, src, tn, dst, count=100):
    """Reachability both address families, then `count` pings at 10 ms with zero loss."""
    for v6 in (False, True):
        t.wait_forwarding(src, tn, dst, v6=v6, timeout=20)
        r = t.pinger("ping-%s%d-%s%d-%s" % (src, tn, dst, tn, "v6" if v6 else "v4"), src, tn, dst, v6=v6,
                     count=count).start().result()
        assert r["lost"] == 0, "%s%d -> %s (IPv%s): %d of %d lost: %s" % (
            src, tn, host_ip(tn, dst, v6), "6" if v6 else "4", r["lost"], r["sent"], r["lost_seqs"])
        ctx.note("ping %s%d -> %s%d IPv%s: %d/%d, rtt avg %.2f ms" % (src, tn, dst, tn, "6" if v6 else "4",
                                                                     r["received"], r["sent"], r["rtt_ms"][1]))


def _tcp(ctx, t, a, b, tn=1, nbytes=XFER):
    """TCP a->b and b->a (the client sends), IPv4 inner."""
    for src, dst in ((a, b), (b, a)):
        res = tcpxfer.transfer(t.ns[dst], host_ip(tn, dst), t.ns[src], nbytes)
        ctx.note("tcp %s%d -> %s%d: %d bytes, sha256 ok, %.1f Mbit/s" % (src, tn, dst, tn, nbytes, res["mbit_s"]))


def _check_node_alive(t):
    for p in (t.tsunagid, t.dataplane):
        assert p.alive(), "%s exited (rc %s):\n%s" % (p.name, p.popen.poll(), p.tail())


def _test_a(ctx, underlay):
    ctx.require_node()
    with Topology(ctx, underlay=underlay, tenants=[1]) as t:
        cap = Capture(t.procs, "tcpdump-site", t.ns["site"], t.dev["s-core"], os.path.join(t.dir, "s-core.pcap"),
                      bpf="udp port 4789").start()
        up = t.start_node()
        ctx.note("node up: dataplane start -> first forwarded ping %.2f s" % up)
        _pings(ctx, t, "cloud", 1, "srv")
        _pings(ctx, t, "srv", 1, "cloud")
        _pings(ctx, t, "cloud", 1, "remote")
        _pings(ctx, t, "remote", 1, "cloud")
        _tcp(ctx, t, "cloud", "srv")
        _tcp(ctx, t, "cloud", "remote")
        _check_node_alive(t)
        # VLAN translation keeps the priority bits (DESIGN.md §3): the cloud host tags with PCP 3.
        st = t.shim_stats("srv1")
        assert st.get("rx_pcp", {}).get("3", 0) > 0, "srv host never received PCP 3 from the cloud host: %s" % st
        ctx.note("srv host (VLAN 100) received by PCP: %s" % st["rx_pcp"])
        # What the node sent to the kernel VTEP.
        pkts = [p for p in cap.stop() if VXLAN in p and p[Ether].src == PORT_MAC["core0"]]
        assert pkts, "no VXLAN from the node captured on the site's s-core"
        v6 = underlay == "v6"
        for p in pkts:
            outer = p[IPv6] if v6 else p[IP]
            assert outer.src == (NODE_V6 if v6 else NODE_V4) and p[Ether].dst == SITE_MAC, p.summary()
            assert p[VXLAN].vni == TENANTS[1]["vni"] and p[VXLAN].flags & 0x08, p.summary()
            assert 49152 <= p[UDP].sport <= 65535, "UDP source port %d outside 49152-65535" % p[UDP].sport
            assert (outer.hlim if v6 else outer.ttl) == 64, p.summary()
            inner = p[VXLAN].payload
            assert isinstance(inner, Ether) and inner.type != 0x8100, "inner frame not untagged: %s" % p.summary()
        ctx.note("%d VXLAN packets node -> kernel VTEP over IPv%s: vni %d, TTL/hop limit 64, sport in range"
                 % (len(pkts), "6" if v6 else "4", TENANTS[1]["vni"]))


def test_a_translation_and_vxlan_ipv4_underlay(ctx):
    """(a) cloud VLAN 1234 <-> srv VLAN 100 and cloud <-> host behind the kernel VTEP: ping + TCP
    both ways, IPv4 underlay."""
    _test_a(ctx, "v4")


def test_a_translation_and_vxlan_ipv6_underlay(ctx):
    """(a) the same over an IPv6 underlay."""
    _test_a(ctx, "v6")


def test_b_qinq_and_trunk_members(ctx):
    """(b) QinQ member (srv0 S-VLAN 100 / C-VLAN 20, cust-0002) and trunk members (bb0, hybrid
    VLANs 3001/3002) reach the other members; the single-tagged VLAN 100 host sees none of it."""
    ctx.require_node()
    with Topology(ctx, tenants=[1, 2]) as t:
        cap = Capture(t.procs, "tcpdump-srv-t1", t.ns["srv"], "t1-%s" % t.sfx, os.path.join(t.dir, "srv-t1.pcap")).start()
        t.start_node()
        _pings(ctx, t, "srv", 2, "cloud", count=50)   # QinQ <-> single tag 1235
        _pings(ctx, t, "cloud", 2, "srv", count=50)
        _pings(ctx, t, "srv", 2, "remote", count=50)  # QinQ <-> VXLAN 100002
        _pings(ctx, t, "bb", 1, "cloud", count=50)    # trunk 3001 <-> access 1234
        _pings(ctx, t, "bb", 1, "remote", count=50)   # trunk <-> VXLAN
        _pings(ctx, t, "bb", 2, "srv", count=50)      # trunk 3002 <-> QinQ
        _tcp(ctx, t, "srv", "cloud", tn=2, nbytes=1 << 20)
        _tcp(ctx, t, "bb", "cloud", tn=1, nbytes=1 << 20)
        _check_node_alive(t)
        leaked = [p for p in cap.stop() if Ether in p and p[Ether].src.startswith("02:e2:02:")]
        assert not leaked, "the VLAN 100 host of cust-0001 received %d frames of cust-0002, e.g. %s" % (
            len(leaked), leaked[0].summary())
        ctx.note("isolation: the srv VLAN 100 host (cust-0001) received 0 frames from cust-0002 hosts")


def test_c_tsunagid_sigkill_and_restart(ctx):
    """(c) tsunagid SIGKILLed during 500 pings at 10 ms: zero lost; a YAML change made while it is
    down (cust-0002 added) takes effect when it restarts."""
    ctx.require_node()
    with Topology(ctx, tenants=[1, 2]) as t:
        t.start_node(tenants=[1])
        t.wait_forwarding("cloud", 1, "srv")
        pg = t.pinger("ping-kill", "cloud", 1, "srv", count=500).start()
        wait_until(lambda: pg.progress()["received"] >= 100, 10, what="100 replies before the kill")
        t.tsunagid.kill(signal.SIGKILL)
        rc = t.tsunagid.wait(10)
        assert rc is not None, "tsunagid did not die on SIGKILL"
        r = pg.result()
        assert t.dataplane.alive(), "dataplane exited after tsunagid was killed:\n%s" % t.dataplane.tail()
        ctx.note("SIGKILL tsunagid during %d pings at 10 ms: %d lost" % (r["sent"], r["lost"]))
        assert r["lost"] == 0, "%d of %d pings lost around the SIGKILL: runs %s" % (r["lost"], r["sent"], r["runs"])
        # headless: still forwarding across VXLAN too
        t.wait_forwarding("cloud", 1, "remote", timeout=5)

        t.write_config(tenants=[1, 2])  # the change made while tsunagid is down
        t.static_neighbors("cloud", 2, "srv")  # no ARP retries blurring the resync time
        t.static_neighbors("srv", 2, "cloud")
        pg2 = t.pinger("ping-restart", "cloud", 1, "srv").start()
        wait_until(lambda: pg2.progress()["received"] >= 20, 10, what="pings before the restart")
        t0 = time.monotonic()
        t.start_tsunagid(wait=False)
        t.wait_forwarding("cloud", 2, "srv", timeout=30)
        resync = time.monotonic() - t0
        r2 = pg2.stop()
        ctx.note("tsunagid restarted with cust-0002 added: new tenant forwarding after %.2f s; "
                 "cust-0001 pings during the restart: %d/%d lost" % (resync, r2["lost"], r2["sent"]))
        _pings(ctx, t, "srv", 2, "cloud", count=50)
        _pings(ctx, t, "cloud", 2, "remote", count=50)
        _check_node_alive(t)
        assert r2["lost"] == 0, "%d of %d cust-0001 pings lost while tsunagid restarted: runs %s" % (
            r2["lost"], r2["sent"], r2["runs"])


def test_d_reload_adds_tenant(ctx):
    """(d) SIGHUP reload adding cust-0002 during 10 ms pings on cust-0001: zero lost there, the new
    tenant forwards (time from SIGHUP to its first reply measured)."""
    ctx.require_node()
    with Topology(ctx, tenants=[1, 2]) as t:
        t.start_node(tenants=[1])
        t.static_neighbors("cloud", 2, "srv")  # no ARP retries blurring the measurement
        t.static_neighbors("srv", 2, "cloud")
        pa = t.pinger("ping-existing", "cloud", 1, "srv").start()
        pb = t.pinger("ping-new", "cloud", 2, "srv").start()
        wait_until(lambda: pa.progress()["received"] >= 100, 10, what="100 replies on cust-0001")
        before = pb.progress()
        assert before["received"] == 0, "cust-0002 forwarded before it was configured: %s" % before
        t.write_config(tenants=[1, 2])
        off = len(t.tsunagid.log())
        t_hup = time.time()
        t.tsunagid.kill(signal.SIGHUP)
        wait_until(lambda: pb.progress()["received"] > 0, 20, interval=0.05, what="cust-0002 to forward after SIGHUP")
        # The reload is an edit of the image in use, not a new image, and the workers take it.
        pub = re.search(r"published table generation (\d+) \(([^)]*)\)", t.tsunagid.log()[off:])
        assert pub, "tsunagid logged no publication after SIGHUP:\n%s" % t.tsunagid.tail()
        assert pub.group(2).startswith("edited in place"), \
            "adding a tenant built a new image instead of editing in place: %s" % pub.group(0)
        used = wait_until(lambda: re.search(r"using table generation %s \(.*?(\d+) us after publication"
                                            % pub.group(1), t.dataplane.log()), 10,
                          what="the dataplane to use generation %s" % pub.group(1))
        ctx.note("reload published as generation %s (%s); workers used it %s us after publication"
                 % (pub.group(1), pub.group(2), used.group(1)))
        wait_until(lambda: pa.progress()["sent"] >= 100 + before["sent"], 10, what="more pings after the reload")
        ra, rb = pa.stop(), pb.stop()
        lat = (rb["first_reply_at"] - t_hup) * 1000.0
        ctx.note("SIGHUP (add cust-0002): cust-0001 %d/%d lost; SIGHUP -> first reply on cust-0002 %.0f ms "
                 "(10 ms probe interval, includes one RTT)" % (ra["lost"], ra["sent"], lat))
        assert ra["lost"] == 0, "%d of %d pings lost on cust-0001 across the reload: runs %s" % (
            ra["lost"], ra["sent"], ra["runs"])
        _pings(ctx, t, "srv", 2, "cloud", count=50)
        _pings(ctx, t, "cloud", 2, "remote", count=50)
        _pings(ctx, t, "bb", 2, "srv", count=50)
        _check_node_alive(t)


def test_d_reload_invalid_keeps_state(ctx):
    """SIGHUP with an invalid file: the error is printed with file:line:col, nothing changes, no
    packet lost; tsunagid keeps running."""
    ctx.require_node()
    with Topology(ctx, tenants=[1, 2]) as t:
        t.start_node(tenants=[1])
        pa = t.pinger("ping-existing", "cloud", 1, "srv").start()
        wait_until(lambda: pa.progress()["received"] >= 50, 10, what="50 replies")
        # add cust-0002 but with cust-0001's VNI: a duplicate VNI
        t.write_config(tenants=[1, 2])
        bad = open(t.config_path).read().replace("vni: %d" % TENANTS[2]["vni"], "vni: %d" % TENANTS[1]["vni"])
        t.write_config(text=bad)
        off = len(t.tsunagid.log())
        t.tsunagid.kill(signal.SIGHUP)
        name = os.path.basename(t.config_path)
        wait_until(lambda: re.search(re.escape(name) + r":\d+:\d+", t.tsunagid.log()[off:]), 10,
                   what="tsunagid to report the invalid file as FILE:LINE:COL")
        wait_until(lambda: pa.progress()["sent"] >= 150, 10, what="pings after the bad reload")
        ra = pa.stop()
        assert t.tsunagid.alive(), "tsunagid exited on an invalid reload:\n%s" % t.tsunagid.tail()
        err = [ln for ln in t.tsunagid.log()[off:].splitlines() if name in ln][:3]
        ctx.note("invalid reload reported: %s" % " | ".join(err))
        ctx.note("cust-0001 during the invalid reload: %d/%d lost" % (ra["lost"], ra["sent"]))
        assert ra["lost"] == 0, "%d pings lost across an invalid reload" % ra["lost"]
        t.static_neighbors("cloud", 2, "srv")
        from lib.pinger import ping_ok
        assert not ping_ok(t.ns["cloud"], host_ip(2, "srv"), timeout=1.0), \
            "cust-0002 forwards although its config was rejected"


def test_e_dataplane_restart_headless(ctx):
    """(e) the dataplane restarted (SIGTERM, start) while tsunagid is frozen (SIGSTOP, so it cannot
    republish): forwarding resumes from the tables in shared memory; the outage is measured."""
    ctx.require_node()
    with Topology(ctx, tenants=[1]) as t:
        t.start_node()
        t.wait_forwarding("cloud", 1, "remote")
        pa = t.pinger("ping-dp-restart", "cloud", 1, "srv").start()
        wait_until(lambda: pa.progress()["received"] >= 100, 10, what="100 replies before the restart")
        shm_before = {p: os.stat(p).st_mtime for p in t.shm_objects()}
        t.tsunagid.kill(signal.SIGSTOP)
        try:
            t0 = time.monotonic()
            rc = t.dataplane.stop(signal.SIGTERM, timeout=15)
            t_stop = time.monotonic() - t0
            t.start_dataplane()
            t.wait_forwarding("cloud", 1, "srv", timeout=60)
            t_back = time.monotonic() - t0
            t.wait_forwarding("cloud", 1, "remote", timeout=10)
            n = pa.progress()["received"]
            wait_until(lambda: pa.progress()["received"] >= n + 50, 10, what="steady pings after the restart")
            ra = pa.stop()
            shm_after = {p: os.stat(p).st_mtime for p in t.shm_objects()}
            ctx.note("dataplane SIGTERM -> exit %.2f s (rc %s); restart -> forwarding again after %.2f s from "
                     "SIGTERM, with tsunagid stopped" % (t_stop, rc, t_back))
            ctx.note("pings at 10 ms across the restart: %d/%d lost, longest outage %.0f ms (%d in a row)"
                     % (ra["lost"], ra["sent"], ra["outage_ms"], ra["longest_run"]))
            changed = [p for p in shm_before if shm_after.get(p) != shm_before[p]]
            ctx.note("table objects in /dev/shm for this node: %d; modified during the restart: %s"
                     % (len(shm_before), ", ".join(os.path.basename(p) for p in changed) or "none"))
            last_lost = ra["runs"][-1][1] if ra["runs"] else -1
            assert last_lost < ra["sent"] - 50, "still losing after the restart: loss runs %s of %d sent" % (
                ra["runs"], ra["sent"])
        finally:
            t.tsunagid.kill(signal.SIGCONT)
        _pings(ctx, t, "srv", 1, "cloud", count=50)
        _check_node_alive(t)


def test_e_dataplane_waits_for_tables(ctx):
    """(e) a dataplane started before tsunagid forwards nothing until the first tables arrive,
    then forwards."""
    ctx.require_node()
    with Topology(ctx, tenants=[1]) as t:
        t.write_config()
        t.start_dataplane()
        t.dataplane.wait_log(r"waiting for tables", 30)
        t.static_neighbors("cloud", 1, "srv")
        t.static_neighbors("srv", 1, "cloud")
        pa = t.pinger("ping-before-tables", "cloud", 1, "srv").start()
        time.sleep(3)
        before = pa.progress()
        assert before["sent"] >= 100 and before["received"] == 0, \
            "frames crossed a dataplane without tables: %s" % before
        t.start_tsunagid()
        t.wait_forwarding("cloud", 1, "srv", timeout=30)
        n = pa.progress()["received"]
        wait_until(lambda: pa.progress()["received"] >= n + 50, 10, what="steady pings once the tables came")
        ra = pa.stop()
        # The requests sent meanwhile waited in the port's receive ring, as on a NIC, and
        # were answered late once forwarding began.
        ctx.note("no tables: %d pings sent over 3 s, 0 answered meanwhile; tsunagid started: %d/%d "
                 "answered by the end" % (before["sent"], ra["received"], ra["sent"]))
        _check_node_alive(t)


def _test_f(ctx, underlay):
    ctx.require_node()
    with Topology(ctx, underlay=underlay, tenants=[1], resolve="arp") as t:
        up = t.start_node()
        ctx.note("IPv%s underlay, no static neighbours: node forwarding (cloud -> srv) after %.2f s"
                 % ("6" if underlay == "v6" else "4", up))
        _pings(ctx, t, "cloud", 1, "remote")
        _pings(ctx, t, "remote", 1, "cloud")
        log = t.tsunagid.log(True)
        assert "neighbours changed" in log, "tsunagid never learned a neighbour:\n" + t.tsunagid.tail()
        ctx.note("tsunagid: " + [ln for ln in log.splitlines() if "neighbours changed" in ln][0])
        _check_node_alive(t)


def test_f_vtep_resolved_by_arp(ctx):
    """(f) punt path: the node answers the kernel VTEP's ARP for its VTEP address, and learns
    the kernel VTEP's MAC through ARP on its TAP; no `neighbors:` entry, no static neighbour."""
    _test_f(ctx, "v4")


def test_f_vtep_resolved_by_nd(ctx):
    """(f) the same over the IPv6 underlay, through neighbour discovery."""
    _test_f(ctx, "v6")


def test_g_long_broadcast_shares_its_payload(ctx):
    """(g) a 1 000-byte broadcast from the cloud host: its copies to the srv host, the
    backbone and the kernel VTEP leave as chains (a header segment of their own in front of
    the frame's payload, shared; af_packet sends chains), and each arrives whole."""
    ctx.require_node()
    with Topology(ctx, tenants=[1]) as t:
        t.start_node()
        payload = bytes(range(256)) * 4
        frame = (Ether(src="02:de:ad:be:ef:02", dst="ff:ff:ff:ff:ff:ff") / Dot1Q(vlan=TENANTS[1]["cloud"][0])
                 / IP(src="10.1.0.99", dst="10.1.0.255") / UDP(sport=7777, dport=7777) / Raw(payload))
        caps = {}
        for role, ns, dev in (("srv", "srv", "h-srv"), ("bb", "bb", "h-bb"), ("site", "site", "s-core")):
            caps[role] = Capture(t.procs, "tcpdump-big-" + role, t.ns[ns], t.dev[dev],
                                 os.path.join(t.dir, "big-%s.pcap" % role)).start()
        sent = Flood(t.procs, "big-broadcast", t.ns["cloud"], t.dev["h-cloud"], [frame], 2, pps=20).start().result()
        time.sleep(0.5)
        for role, cap in caps.items():
            got = [p for p in cap.stop() if payload in bytes(p)]
            assert got, "no copy of the 1 000-byte broadcast reached %s (%d sent)" % (role, sent["sent"])
            if role == "site":
                assert all(VXLAN in p and p[VXLAN].vni == TENANTS[1]["vni"] for p in got), got[0].summary()
            ctx.note("%s: %d of %d long broadcasts received whole" % (role, len(got), sent["sent"]))
        _check_node_alive(t)
        assert "flood copies are whole frames" not in t.dataplane.log(), "a port without chains:\n%s" % (
            t.dataplane.tail())
