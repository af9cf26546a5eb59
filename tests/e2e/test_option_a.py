"""Live end-to-end tests of Option A against a real carrier (issue 4): a per-VRF eBGP
session on a VLAN sub-interface of the interconnect port ix0, through the dataplane.

  cloud1 10.1.0.1 ─┐                          ┌ VLAN 801 198.51.100.2 ┐ carrier ASBR
  srv2   10.2.0.2 ─┴─ tsunagi-dataplane ─ ix0 ═╡                      ├ (FRR, AS 2516),
                      tsunagid --frr           └ VLAN 802 198.51.100.6 ┘ 172.20.0.1, 172.21.0.1

The node's FRR runs cust-0001's session in VRF cust-0001 (a network namespace holding the
sub-interface's punt TAP tsu-ix0.801, 198.51.100.1/30) and cust-0002's in VRF cust-0002
(tsu-ix0.802, 198.51.100.5/30). The carrier is one FRR instance with two plain IPv4
sessions, its tagged sub-interfaces made by vlan_shim on c-ix (this kernel has no 802.1Q
devices), and announces 172.20.0.0/16 and 172.21.0.0/16 on both: the same prefixes in two
tenants, which must stay apart.
"""
import os
import re
import signal
import time

from lib import capture, continuity, frr, netns, pinger, shell, yamlcfg
from lib.procs import wait_until
from lib.topo import PORT_MAC, SHIM, PY, Topology

ROUTER_MAC = "02:00:0a:ff:00:01"  # derived from router_id 10.255.0.1
# tenant → (VLAN, node address, carrier address, carrier sub-interface MAC, host role, host)
LINK = {1: (801, "198.51.100.1", "198.51.100.2", "02:cc:00:00:08:01", "cloud", "10.1.0.1"),
        2: (802, "198.51.100.5", "198.51.100.6", "02:cc:00:00:08:02", "srv", "10.2.0.2")}

CARRIER_CONF = """frr version 8.4
frr defaults traditional
hostname carrier
service integrated-vtysh-config
no ip forwarding
no ipv6 forwarding
!
router bgp 2516
 bgp router-id 198.51.100.2
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor 198.51.100.1 remote-as 65000
 neighbor 198.51.100.1 timers connect 2
 neighbor 198.51.100.5 remote-as 65000
 neighbor 198.51.100.5 timers connect 2
 !
 address-family ipv4 unicast
  network 172.20.0.0/16
  network 172.21.0.0/16
 exit-address-family
exit
"""


def _config(t):
    cfg = t.config([1, 2])
    for ten, n in zip(cfg["tenants"], (1, 2)):
        ten["vrf"] = {"rd": "65000:%d" % n, "gateway": ["10.%d.0.254/24" % n],
                      "route_targets": {"import": ["65000:%d" % n], "export": ["65000:%d" % n]}}
    cfg["peers"] = [{"name": "carrier", "option": "A", "port": "ix0", "asn": 2516,
                     "vrfs": [{"tenant": "cust-000%d" % n, "vlan": LINK[n][0], "address": LINK[n][1] + "/30",
                               "neighbor": LINK[n][2]} for n in (1, 2)]}]
    return cfg


def _established(carrier, addr):
    try:
        n = carrier.json("show bgp neighbors %s json" % addr)
    except Exception:  # noqa: BLE001 - not up yet
        return False
    return n.get(addr, {}).get("bgpState") == "Established"


def _hops(ctx, t, n, prefix):
    vrf = shell.show_json(ctx, t, "show vrf cust-000%d routes" % n)
    return [h for r in vrf["routes"] if r["prefix"] == prefix for h in r["nextHops"]]


def _want_hop(n):
    vlan, _, _, mac, _, _ = LINK[n]
    return [{"type": "optionA", "port": "ix0", "vlan": vlan, "mac": mac}]


def _start(ctx, t):
    c, cix = t.ns["carrier"], t.dev["c-ix"]
    netns.ip(c, "addr", "add", "172.20.0.1/32", "dev", "lo")
    netns.ip(c, "addr", "add", "172.21.0.1/32", "dev", "lo")
    for n, (vlan, _, theirs, mac, _, _) in LINK.items():
        p = t.procs.start("shim-carrier-%d" % vlan, c,
                          [PY, SHIM, "--veth", cix, "--tap", "ca%d" % vlan, "--mac", mac,
                           "--addr", theirs + "/30", "--vlan", str(vlan)])
        p.wait_log(r"^READY ", 15)
    carrier = frr.Frr(c, t.dir + "/carrier-frr", CARRIER_CONF, "carrier").start()
    yamlcfg.write(t.config_path, _config(t), header="test option A")
    t.start_tsunagid(args=["--frr", "--stale-hold", "30"], host_mounts=True)
    t.start_dataplane()
    t0 = time.monotonic()
    try:
        for n in (1, 2):
            wait_until(lambda: _established(carrier, LINK[n][1]), 60, interval=0.2,
                       what="cust-000%d's session with the carrier" % n)
    except Exception:
        node = frr.Frr(None, t.runtime_dir + "/frr", "", "")
        for cmd in ("show vrf", "show interface vrf all brief", "show bgp vrf all summary",
                    "show ip route vrf all"):
            ctx.note("node: %s:\n%s" % (cmd, node.vtysh(cmd, check=False)))
        ctx.note("carrier: %s" % carrier.vtysh("show bgp summary", check=False))
        raise
    for n in (1, 2):
        wait_until(lambda: _hops(ctx, t, n, "172.20.0.0/16") == _want_hop(n), 30, interval=0.2,
                   what="172.20.0.0/16 in cust-000%d's VRF via VLAN %d" % (n, LINK[n][0]))
    ctx.note("both VRF sessions established and 172.20/16 published in each %.1f s after the dataplane "
             "started" % (time.monotonic() - t0))
    for n, (_, _, _, _, role, _) in LINK.items():
        for dst in ("172.20.0.0/16", "172.21.0.0/16"):
            netns.ip(t.ns[role], "route", "replace", dst, "via", "10.%d.0.254" % n)
        netns.ip(t.ns[role], "neigh", "replace", "10.%d.0.254" % n, "lladdr", ROUTER_MAC, "dev",
                 "t%d-%s" % (n, t.sfx), "nud", "permanent")
    return carrier


def _ping(t, n, dst="172.20.0.1", count=20):
    """count pings from tenant n's host; (pinger result, frames that reached the carrier)."""
    role = LINK[n][4]
    tag = "%d-%d" % (n, time.monotonic_ns())
    cap = capture.Capture(t.procs, "cap-" + tag, t.ns["carrier"], t.dev["c-ix"],
                          "%s/cap-%s.pcap" % (t.dir, tag)).start()
    r = pinger.Pinger(t.procs, "ping-" + tag, t.ns[role], dst, interval=0.02, count=count,
                      wait=0.3).start().result()
    time.sleep(0.3)
    return r, cap.stop()


def _requests(pkts, vlan, dst):
    return [p for p in pkts if p.haslayer("Dot1Q") and p["Dot1Q"].vlan == vlan and p.haslayer("ICMP")
            and p["ICMP"].type == 8 and p["IP"].dst == dst]


def test_j_option_a_with_a_carrier(ctx):
    """(b)+(d) Option A with an FRR carrier: each VRF's session on its VLAN sub-interface
    comes up through the dataplane; the carrier's routes reach each VRF with the carrier's
    MAC on that VLAN; the carrier learns each tenant's prefix from that tenant's session
    only; the tenants' traffic leaves tagged with their VRF's VLAN and is answered."""
    ctx.require_node()
    with Topology(ctx, tenants=[1, 2], site=False, carrier=True) as t:
        carrier = _start(ctx, t)
        log = t.tsunagid.log(True)
        assert "tsu-ix0.801 moved in, 198.51.100.1/30" in log, log[-3000:]
        assert "left over" not in log, log[-3000:]

        # The carrier learned each tenant's prefix on that tenant's session. Both ends
        # connect at once, so a session often comes up through a connection collision, and
        # the node's first UPDATE on it may follow a while after the carrier's routes came in.
        t0 = time.monotonic()

        def carrier_hops(n):
            d = carrier.json("show bgp ipv4 unicast 10.%d.0.0/24 json" % n)
            return {h.get("ip") for p in d.get("paths", []) for h in p.get("nexthops", [])}

        node = frr.Frr(None, t.runtime_dir + "/frr", "", "")
        for n in (1, 2):
            try:
                wait_until(lambda: LINK[n][1] in carrier_hops(n), 30, interval=0.2,
                           what="the carrier to learn 10.%d.0.0/24 from cust-000%d's session" % (n, n))
            except Exception:
                ctx.note("node: %s" % node.vtysh("show bgp vrf cust-000%d neighbors %s advertised-routes"
                                                 % (n, LINK[n][2]), check=False))
                ctx.note("carrier: %s" % carrier.vtysh("show bgp summary", check=False))
                raise
            assert LINK[3 - n][1] not in carrier_hops(n), "10.%d.0.0/24 leaked into the other VRF" % n
        ctx.note("carrier learned 10.1.0.0/24 via 198.51.100.1 (VLAN 801) and 10.2.0.0/24 via "
                 "198.51.100.5 (VLAN 802), %.1f s after both VRFs had its routes" % (time.monotonic() - t0))
        # Each tenant's prefix, reflected by the carrier to the other session, is an AS loop:
        # it never enters the other VRF.
        assert not _hops(ctx, t, 2, "10.1.0.0/24") and not _hops(ctx, t, 1, "10.2.0.0/24")

        for n in (1, 2):
            vlan, _, _, mac, _, _ = LINK[n]
            r, pkts = _ping(t, n)
            reqs = _requests(pkts, vlan, "172.20.0.1")
            assert r["received"] >= 19, "tenant %d → 172.20.0.1: %s" % (n, r)
            assert len(reqs) == 20, "tenant %d: %d requests tagged %d reached the carrier" % (n, len(reqs), vlan)
            f = reqs[0]
            assert f.src == PORT_MAC["ix0"] and f.dst == mac and f["IP"].ttl == 63, f.show(dump=True)
            other = _requests(pkts, LINK[3 - n][0], "172.20.0.1")
            assert not other, "tenant %d's traffic on the other VLAN" % n
            ctx.note("tenant %d → 172.20.0.1: %d/20 answered; 20 requests tagged %d, TTL 63, %s → %s"
                     % (n, r["received"], vlan, f.src, f.dst))
        carrier.stop()


def test_k_option_a_withdraw_reset_restart(ctx):
    """(c) over Option A: a withdrawal stops forwarding to the prefix; a session reset and a
    SIGKILL of the node's bgpd (restarted by tsunagid) lose no forwarding state."""
    ctx.require_node()
    with Topology(ctx, tenants=[1, 2], site=False, carrier=True) as t:
        carrier = _start(ctx, t)
        r, pkts = _ping(t, 1, "172.21.0.1", count=5)
        assert len(_requests(pkts, 801, "172.21.0.1")) == 5, r

        carrier.configure("router bgp 2516", "address-family ipv4 unicast", "no network 172.21.0.0/16")
        for n in (1, 2):
            wait_until(lambda: not _hops(ctx, t, n, "172.21.0.0/16"), 20, interval=0.2,
                       what="172.21/16 withdrawn from cust-000%d" % n)
        r, pkts = _ping(t, 1, "172.21.0.1", count=5)
        assert not _requests(pkts, 801, "172.21.0.1"), "172.21/16 still forwarded after the withdrawal"
        assert _hops(ctx, t, 1, "172.20.0.0/16") == _want_hop(1)
        ctx.note("withdrawal: 172.21/16 gone from both VRFs, nothing forwarded to it; 172.20/16 stays")

        def during(what, action, settle):
            return continuity.forwarding_during(ctx, t, what, t.ns["cloud"], "172.20.0.1", lambda pkts: _requests(pkts, 801, "172.20.0.1"), action, settle)

        def session_back():
            time.sleep(1.0)
            wait_until(lambda: _established(carrier, "198.51.100.1"), 60, interval=0.1,
                       what="cust-0001's session back")

        during("session reset", lambda: carrier.vtysh("clear bgp *"), session_back)
        pids = frr.daemon_pids(t.runtime_dir + "/frr")
        bgpd = [pid for pf, pid in pids.items() if pf.endswith("bgpd.pid")]
        assert bgpd, pids
        log = during("node bgpd SIGKILL", lambda: os.kill(bgpd[0], signal.SIGKILL), session_back)
        assert "frr: bgpd started" in log, log
        wait_until(lambda: _hops(ctx, t, 1, "172.20.0.0/16") == _want_hop(1), 30, interval=0.2,
                   what="172.20/16 in cust-0001 after bgpd's restart")
        r, pkts = _ping(t, 1, count=5)
        assert r["received"] >= 4 and len(_requests(pkts, 801, "172.20.0.1")) == 5, r
        assert re.search(r"BGP peer 198\.51\.100\.2\S* (up|down)", t.tsunagid.log(True)), t.tsunagid.log(True)[-2000:]

        # tsunagid itself: killed and started again, it finds the VRFs' namespaces (they
        # outlive it, as FRR does), keeps the dataplane on the tables it left until the
        # sessions have sent their routes again, then publishes them.
        def restart_tsunagid():
            t.tsunagid.kill(signal.SIGKILL)
            t.tsunagid.wait(10)
            t.start_tsunagid(wait=False, args=["--frr", "--stale-hold", "30"], host_mounts=True)

        def routes_back():
            wait_until(lambda: "the carriers' routes are back; publishing" in t.tsunagid.log(True), 30,
                       interval=0.1, what="tsunagid to publish the carriers' routes again")

        during("tsunagid SIGKILL and restart", restart_tsunagid, routes_back)
        log = t.tsunagid.log(True)
        assert "keeping the published tables" in log, log
        assert re.search(r"new image of \d+ bytes, 2 learned routes", log), log
        assert _hops(ctx, t, 1, "172.20.0.0/16") == _want_hop(1)
        r, pkts = _ping(t, 2, count=5)
        assert r["received"] >= 4 and len(_requests(pkts, 802, "172.20.0.1")) == 5, r
        carrier.stop()
