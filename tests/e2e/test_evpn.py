"""End-to-end tests of BGP EVPN (issue 19, docs/evpn.md) against an FRR leaf: no `vteps` in
the node's YAML, the leaf's VTEP learned from its type-3 route and its host's MAC from its
type-2 route; the leaf learns the node's VTEP from the node's own type-3 route.

  cloud1 10.1.0.1 ─┐                                   leaf (namespace "site"): FRR 8.4,
  srv1   10.1.0.2 ─┴─ tsunagi-dataplane ── core0 ═══ s-core 192.0.2.2, kernel bridge + vxlan
                      tsunagid --frr (FRR: iBGP        VNI 100001 (nolearning, learning off),
                      L2VPN EVPN to 192.0.2.2)         remote1 10.1.0.3 behind it
"""
import json
import os
import re
import signal
import time

from lib import capture, frr, gobgp, netns, pinger, prom, shell, yamlcfg
from lib.procs import wait_until
from lib.topo import NODE_V4, PORT_MAC, SITE_V4, TENANTS, Topology, host_ip, host_mac

LEAF_CONF_TEMPLATE = """frr version 8.4
frr defaults traditional
hostname leaf
service integrated-vtysh-config
!
router bgp 65000
 bgp router-id %s
 no bgp default ipv4-unicast
 neighbor %s remote-as 65000
 neighbor %s timers 3 9
 neighbor %s timers connect 2
 !
 address-family l2vpn evpn
  neighbor %s activate
  advertise-all-vni
 exit-address-family
exit
"""
LEAF_CONF = LEAF_CONF_TEMPLATE % ((SITE_V4,) + (NODE_V4,) * 4)
RR_V4 = "192.0.2.3"  # the GoBGP route reflector on the underlay segment


def _rr_conf():
    """GoBGP 3.10 as an L2VPN EVPN route reflector for the node and the leaf (no graceful
    restart: its default)."""
    conf = """[global.config]
  as = 65000
  router-id = "%s"
  local-address-list = ["%s"]
""" % (RR_V4, RR_V4)
    for client in (NODE_V4, SITE_V4):
        conf += """
[[neighbors]]
  [neighbors.config]
    neighbor-address = "%s"
    peer-as = 65000
  [neighbors.timers.config]
    hold-time = 9
    keepalive-interval = 3
    connect-retry = 2
  [neighbors.route-reflector.config]
    route-reflector-client = true
    route-reflector-cluster-id = "%s"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "l2vpn-evpn"
""" % (client, RR_V4)
    return conf


def _build_leaf(t, peer=NODE_V4):
    """The leaf's VTEP on s-core, as FRR's EVPN wants it (../shared/notes/frr-8.4-evpn-on-
    this-kernel.md): a bridge with a vxlan device that neither learns nor has a remote, and
    the host's veth; FRR fills the vxlan device's FDB from the node's routes."""
    site, rem, s = t.ns["site"], t.ns["remote"], t.sfx
    sc = t.dev["s-core"]
    if peer == RR_V4:
        # The underlay segment as a bridge, with the route reflector's namespace on it.
        t.ns["rr"] = t.net.ns("rr")
        t.net.veth(site, "s-rr-%s" % s, t.ns["rr"], "r-rr-%s" % s, ipv6_a=False, ipv6_b=False)
        netns.ip(t.ns["rr"], "addr", "add", RR_V4 + "/24", "dev", "r-rr-%s" % s)
        sc = t.net.bridge(site, "bu-%s" % s, [sc, "s-rr-%s" % s])
    netns.ip(site, "addr", "add", SITE_V4 + "/24", "dev", sc)
    netns.ip(site, "neigh", "replace", NODE_V4, "lladdr", PORT_MAC["core0"], "dev", sc, "nud", "permanent")
    vx, br, sr, rr = "vx1-%s" % s, "br1-%s" % s, "sr1-%s" % s, "rr1-%s" % s
    netns.ip(site, "link", "add", vx, "type", "vxlan", "id", str(TENANTS[1]["vni"]), "dstport", "4789",
             "local", SITE_V4, "nolearning")
    netns.no_offloads(site, vx)
    t.net.veth(site, sr, rem, rr, mtu=1500, mac_b=host_mac(1, "remote"), ipv6_a=False)
    t.net.bridge(site, br, [vx, sr], mtu=1500)
    netns.ip(site, "link", "set", "dev", vx, "type", "bridge_slave", "learning", "off")
    netns.ip(site, "link", "set", "dev", vx, "up")
    netns.ip(rem, "addr", "add", host_ip(1, "remote") + "/24", "dev", rr)
    t.dev["remote1"] = rr
    conf = LEAF_CONF_TEMPLATE % ((SITE_V4,) + (peer,) * 4)
    return frr.Frr(site, os.path.join(t.dir, "leaf-frr"), conf, "leaf").start()


def _config(t, peer=SITE_V4):
    cfg = t.config([1])
    cfg["node"]["evpn"] = {"peers": [{"address": peer}]}
    for ten in cfg["tenants"]:
        ten.pop("vteps", None)
        ten["evpn"] = True
    return cfg


def _start(ctx, t, rr=False):
    """The leaf (and with `rr` the GoBGP route reflector both peer with), then the node with
    FRR; returns the leaf once each side has the other's VTEP."""
    leaf = _build_leaf(t, RR_V4 if rr else NODE_V4)
    if rr:
        gobgp.GoBgp(t.procs, t.ns["rr"], os.path.join(t.dir, "rr"), _rr_conf()).start()
    yamlcfg.write(t.config_path, _config(t, RR_V4 if rr else SITE_V4), header="test evpn: no vteps, an FRR leaf")
    t.start_tsunagid(args=["--frr"])
    t.start_dataplane()

    def vteps():
        try:
            doc = shell.show_json(ctx, t, "show evpn vni")
        except (AssertionError, ValueError):
            return None
        vnis = doc.get("vnis", [])
        return vnis and SITE_V4 in vnis[0]["remoteVteps"]

    t0 = time.monotonic()
    wait_until(vteps, 60, interval=0.2, what="the leaf's type-3 route in show evpn vni")
    ctx.note("leaf VTEP learned over EVPN %.1f s after start" % (time.monotonic() - t0))
    wait_until(lambda: NODE_V4 in leaf.vtysh("show evpn vni %d json" % TENANTS[1]["vni"]), 30,
               interval=0.2, what="the node's type-3 route at the leaf")
    for src, dst in ((t.ns["cloud"], host_ip(1, "remote")), (t.ns["remote"], host_ip(1, "cloud"))):
        wait_until(lambda: pinger.ping_ok(src, dst, timeout=2.0), 30, what="ping %s over EVPN" % dst)
    return leaf


def _pingers(t, name, count):
    return [pinger.Pinger(t.procs, "ping-%s-%s" % (name, dst), src, dst, interval=0.02, count=count).start()
            for src, dst in ((t.ns["cloud"], host_ip(1, "remote")), (t.ns["remote"], host_ip(1, "cloud")))]


def _ping_both_ways(t, name, count):
    """`count` pings each way between cloud1 and remote1, all answered."""
    for r in [p.result() for p in _pingers(t, name, count)]:
        assert r["received"] == count, "%s: ping to %s: %s" % (name, r["dst"], r)


def _leaf_host_mac(ctx, t):
    """The leaf host's MAC as `show evpn mac` has it, once its type-2 route is in."""
    macs = wait_until(lambda: [m for m in shell.show_json(ctx, t, "show evpn mac")["macs"]
                               if m["mac"] == host_mac(1, "remote")], 20, interval=0.2,
                      what="the leaf host's type-2 route")
    return macs[0]


def _leaf_macs(leaf):
    """The leaf's EVPN MACs of the tenant's VNI: MAC -> the VTEP it is behind, or "local"."""
    doc = json.loads(leaf.vtysh("show evpn mac vni %d json" % TENANTS[1]["vni"]) or "{}")
    return {m: e.get("remoteVtep", "local") for m, e in doc.get("macs", {}).items()}


def test_evpn_a_frr_leaf(ctx):
    """(a) an FRR leaf with its own kernel bridge + vxlan VTEP and no `vteps` in the YAML:
    each side learns the other's VTEP over BGP EVPN, hosts ping both ways, the leaf's host
    MAC is a remote MAC in the node's tables, and once known it is not flooded."""
    ctx.require_node()
    with Topology(ctx, tenants=[1], site=False) as t:
        leaf = _start(ctx, t)
        remote = host_ip(1, "remote")
        _ping_both_ways(t, "evpn-a", 50)
        ctx.note("ping over EVPN: 50/50 each way")

        # The leaf's host MAC came as a type-2 route and is a remote MAC behind its VTEP.
        got = _leaf_host_mac(ctx, t)
        assert got["vtep"] == SITE_V4, got

        # The same in tsunagid's /metrics: the EVPN session, the tenant's remote VTEP and MAC.
        text = prom.http_get(t.ns["dp"], "http://127.0.0.1:9469/metrics")[2]
        # At least: the leaf may advertise MACs of its own too.
        for series, want in (('tsunagi_bgp_session_up{peer="%s"}' % SITE_V4, 1),
                             ('tsunagi_evpn_remote_vteps{tenant="cust-0001"}', 1),
                             ('tsunagi_evpn_remote_macs{tenant="cust-0001"}', 1)):
            m = re.search(r"^%s (\S+)$" % re.escape(series), text, re.M)
            assert m and float(m.group(1)) >= want, "%s in /metrics: %s" % (series, m and m.group(0))

        # Known now: unicast to it reaches neither the node's other access host.
        cap = capture.Capture(t.procs, "tcpdump-srv", t.ns["srv"], "h-srv-%s" % t.sfx,
                              os.path.join(t.dir, "srv.pcap")).start()
        r = pinger.Pinger(t.procs, "ping-known", t.ns["cloud"], remote, interval=0.02, count=50).start().result()
        pkts = cap.stop()
        assert r["received"] == 50, r
        flooded = [p for p in pkts if p.haslayer("Ether") and p["Ether"].dst == host_mac(1, "remote")]
        assert not flooded, "%d frames to the known remote MAC were flooded to srv0" % len(flooded)
        ctx.note("ping to the known remote MAC: 50/50, 0 frames flooded to srv0")

        # The other way: what the node learned on its access port went out as a type-2
        # route, and the leaf has the cloud host behind the node's VTEP.
        cloud = host_mac(1, "cloud")
        wait_until(lambda: _leaf_macs(leaf).get(cloud) == NODE_V4, 10, interval=0.1,
                   what="the node's local MAC at the leaf")
        # Forgotten by the dataplane, withdrawn; learned again, advertised again.
        # No ARP between the hosts from here on, which would have the node learn it again
        # before the leaf heard of its withdrawal.
        t.static_neighbors("cloud", 1, "remote")
        t.static_neighbors("remote", 1, "cloud")
        shell.run(ctx, t, "clear mac-table")
        t0 = time.monotonic()
        wait_until(lambda: cloud not in _leaf_macs(leaf), 10, interval=0.05,
                   what="the cleared MAC withdrawn at the leaf")
        gone = time.monotonic() - t0
        assert pinger.ping_ok(t.ns["cloud"], remote, timeout=2.0)
        t0 = time.monotonic()
        wait_until(lambda: _leaf_macs(leaf).get(cloud) == NODE_V4, 10, interval=0.05,
                   what="the MAC learned again at the leaf")
        local = [m for m in shell.show_json(ctx, t, "show evpn mac")["macs"] if m["type"] == "local"]
        assert [m["mac"] for m in local] == [cloud], local
        text = prom.http_get(t.ns["dp"], "http://127.0.0.1:9469/metrics")[2]
        assert re.search(r'^tsunagi_evpn_local_macs\{tenant="cust-0001"\} 1$', text, re.M), \
            [line for line in text.splitlines() if "local_macs" in line]
        ctx.note("the node's local MAC at the leaf behind %s; after clear mac-table withdrawn in %.2f s, "
                 "back %.2f s after one ping" % (NODE_V4, gone, time.monotonic() - t0))


GARP = """import socket, struct, sys
dev, mac, ip = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", "")), socket.inet_aton(sys.argv[3])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((dev, 0))
s.send(b"\\xff" * 6 + mac + b"\\x08\\x06" + struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + mac + ip + bytes(6) + ip)
"""
LEAF_HOST_V4 = "10.1.0.9"  # the leaf's bridge itself, as a host on the segment


def _move_host(t, mac, addr, leaf_mac):
    """The leaf's host moves to the node's access port that srv1 had: the old one goes
    quiet (its address gone, another MAC, its link up, so the leaf's kernel keeps its stale
    FDB entry), and srv1 takes its MAC and address and announces itself with a gratuitous
    ARP, as a migrated VM does."""
    rem, srv, dev = t.ns["remote"], t.ns["srv"], "t1-%s" % t.sfx
    netns.ip(rem, "addr", "flush", "dev", t.dev["remote1"])
    netns.ip(rem, "link", "set", "dev", t.dev["remote1"], "address", "02:e2:01:00:00:7f")
    netns.ip(srv, "addr", "flush", "dev", dev)
    netns.ip(srv, "link", "set", "dev", dev, "address", mac)
    netns.ip(srv, "addr", "add", addr + "/24", "dev", dev)
    for peer, peer_mac in ((host_ip(1, "cloud"), host_mac(1, "cloud")), (LEAF_HOST_V4, leaf_mac)):
        netns.ip(srv, "neigh", "replace", peer, "lladdr", peer_mac, "dev", dev, "nud", "permanent")
    netns.sh(["/usr/bin/python3", "-c", GARP, dev, mac, addr], ns=srv)


def test_evpn_c_mac_moves_from_the_leaf_to_the_node(ctx):
    """(c) a host moves from the FRR leaf to the node's access port while hosts on both
    sides ping it. Its MAC was a remote MAC in the node's tables (type-2 from the leaf);
    its first frame on the access port moves it there in the dataplane, tsunagid advertises
    it as the node's local MAC, and zebra's MAC mobility numbering (RFC 7432 §15) makes the
    leaf, whose kernel still has the host on its old port, send it to the node's VTEP. Both
    pingers lose at most 1 s; the leaf's withdrawal of its old route then leaves the
    node's learned entry in place."""
    ctx.require_node()
    with Topology(ctx, tenants=[1], site=False) as t:
        leaf = _start(ctx, t)
        moving, addr = host_mac(1, "remote"), host_ip(1, "remote")
        _ping_both_ways(t, "evpn-c", 20)
        assert _leaf_host_mac(ctx, t)["vtep"] == SITE_V4
        rows = [e for e in shell.show_json(ctx, t, "show mac-table")["entries"] if e["mac"] == moving]
        assert [e["type"] for e in rows] == ["remote"] and rows[0]["vtep"] == SITE_V4, rows

        # The leaf's bridge as a host beside the one that moves away.
        site, br = t.ns["site"], "br1-%s" % t.sfx
        netns.ip(site, "addr", "add", LEAF_HOST_V4 + "/24", "dev", br)
        netns.ip(site, "neigh", "replace", addr, "lladdr", moving, "dev", br, "nud", "permanent")
        leaf_mac = json.loads(netns.ip(site, "-j", "link", "show", "dev", br))[0]["address"]
        t.static_neighbors("cloud", 1, "remote")
        count = 400  # 8 s at 20 ms
        pingers = [pinger.Pinger(t.procs, "ping-move-%s" % name, ns, addr, interval=0.02, count=count).start()
                   for name, ns in (("node", t.ns["cloud"]), ("leaf", site))]
        time.sleep(2.0)
        _move_host(t, moving, addr, leaf_mac)
        moved = time.monotonic()
        wait_until(lambda: _leaf_macs(leaf).get(moving) == NODE_V4, 10, interval=0.05,
                   what="the moved MAC behind the node's VTEP at the leaf")
        at_leaf = time.monotonic() - moved
        results = {name: p.result() for name, p in zip(("node", "leaf"), pingers)}
        for name, r in results.items():
            assert r["received"] > count / 2, "%s side: %s" % (name, r)
            assert r["outage_ms"] <= 1000, "%s side: the moved host unreachable for %.0f ms: %s" % (
                name, r["outage_ms"], r)
        # The leaf withdrew its own route: the node's learned entry stays, advertised.
        wait_until(lambda: [m["type"] for m in shell.show_json(ctx, t, "show evpn mac")["macs"]
                            if m["mac"] == moving] == ["local"], 10, interval=0.1,
                   what="the moved MAC local in show evpn mac")
        rows = [e for e in shell.show_json(ctx, t, "show mac-table")["entries"] if e["mac"] == moving]
        assert [(e["type"], e["port"]) for e in rows] == [("dynamic", "srv0")], rows
        assert pinger.ping_ok(site, addr, timeout=2.0) and pinger.ping_ok(t.ns["cloud"], addr, timeout=2.0)
        ctx.note("host moved from the leaf to srv0: pings from the node side lost %.0f ms, from the leaf %.0f ms; "
                 "the leaf had the MAC behind %s %.2f s after the move" % (
                     results["node"]["outage_ms"], results["leaf"]["outage_ms"], NODE_V4, at_leaf))


def test_evpn_b_gobgp_route_reflector(ctx):
    """(b), with another BGP daemon: the node and the FRR leaf peer only with a GoBGP route
    reflector (no graceful restart, no enhanced route refresh), which reflects each one's
    type-3 and type-2 routes to the other; hosts ping both ways and the leaf host's MAC is a
    remote MAC behind the leaf's VTEP (the reflector's next hop left unchanged)."""
    ctx.require_node()
    gobgp.require()
    with Topology(ctx, tenants=[1], site=False) as t:
        _start(ctx, t, rr=True)
        _ping_both_ways(t, "evpn-rr", 50)
        got = _leaf_host_mac(ctx, t)
        assert got["vtep"] == SITE_V4, got
        vteps = shell.show_json(ctx, t, "show evpn vteps")["vteps"]
        assert [v["vtep"] for v in vteps] == [SITE_V4], vteps
        ctx.note("through a GoBGP route reflector: 50/50 pings each way, the leaf's MAC behind %s" % SITE_V4)


def test_evpn_e_sigkill_tsunagid_and_bgpd(ctx):
    """(e) SIGKILL of tsunagid (started again) while hosts ping across VXLAN both ways: not
    one ping is lost. The dataplane keeps the remote VTEP and MAC it has, and the restarted
    tsunagid holds its first publication until the EVPN session has sent its routes again.
    Then SIGKILL of the node's bgpd (tsunagid starts it again): the node's tables keep the
    leaf's VTEP and MAC throughout (nothing is published), and forwarding comes back once
    the session is. The restarted tsunagid keeps the node's local MAC advertised. The FRR 8.4 leaf removes the node's flood entry from its kernel 0.1 s
    after the session drops although both ends negotiate graceful restart for L2VPN EVPN
    (seen with `bridge fdb show` on the leaf): its side is lost until the session is back."""
    ctx.require_node()
    with Topology(ctx, tenants=[1], site=False) as t:
        leaf = _start(ctx, t)

        def seen(line):  # in the log of every start so far
            return t.tsunagid.log(True).count(line)

        pingers = _pingers(t, "tsunagid", 600)
        time.sleep(1.0)
        t.tsunagid.kill(signal.SIGKILL)
        t.tsunagid.wait(10)
        t.start_tsunagid(wait=False, args=["--frr"])
        wait_until(lambda: seen("routes are back; publishing") > 0, 30, interval=0.1,
                   what="the restarted tsunagid to publish")
        for r in [p.result() for p in pingers]:
            assert r["sent"] == 600 and r["received"] == 600, "tsunagid SIGKILL: %s" % r
        # The restarted tsunagid found the node's local MAC on the shadow port and kept it:
        # the leaf never heard a withdrawal.
        restarted = t.tsunagid.log(True).rsplit("running; SIGHUP reloads", 1)[-1]
        assert re.search(r"EVPN local MACs: [1-9]\d* already on the shadow ports", restarted), restarted
        assert not re.search(r"[1-9]\d* taken off", restarted), restarted
        assert _leaf_macs(leaf).get(host_mac(1, "cloud")) == NODE_V4, _leaf_macs(leaf)
        ctx.note("tsunagid SIGKILL and restart: 600/600 pings each way across VXLAN; the node's local MAC "
                 "stayed advertised")

        pingers = _pingers(t, "bgpd", 600)
        time.sleep(1.0)
        generations = seen("published table generation")
        started = seen("frr: bgpd started")
        pids = frr.daemon_pids(t.runtime_dir + "/frr")
        bgpd = [pid for pf, pid in pids.items() if pf.endswith("bgpd.pid")]
        assert bgpd, pids
        os.kill(bgpd[0], signal.SIGKILL)
        wait_until(lambda: seen("frr: bgpd started") > started, 30, interval=0.1, what="tsunagid to start bgpd again")
        wait_until(lambda: '"state":"Established"' in leaf.vtysh("show bgp summary json").replace(" ", ""), 60,
                   interval=0.2, what="the EVPN session back")
        results = [p.result() for p in pingers]
        for r in results:
            assert r["received"] > 0 and r["lost"] == r["longest_run"], "bgpd SIGKILL: %s" % r
            assert not any(run[0] + run[2] / 20 > 590 for run in r["runs"]), "no recovery: %s" % r
        assert seen("published table generation") == generations, "the node's tables changed"
        doc = shell.show_json(ctx, t, "show evpn vni")
        assert doc["vnis"][0]["remoteVteps"] == [SITE_V4] and doc["vnis"][0]["remoteMacs"] == 1, doc
        ctx.note("node bgpd SIGKILL: the node's tables unchanged; pings lost while the leaf had no flood "
                 "entry: %s ms" % ", ".join("%.0f" % r["outage_ms"] for r in results))
