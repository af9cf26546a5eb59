"""Live end-to-end tests of Option B against a real carrier (issue 4): the node runs FRR
(tsunagid --frr), an FRR ASBR in its own namespace is the carrier, on the interconnect
port ix0.

  cloud1 10.1.0.1 ─┐                                     ┌ carrier ASBR (FRR, AS 2516)
  srv2   10.2.0.2 ─┴─ tsunagi-dataplane ── ix0 ═══ c-ix ─┤ 203.0.113.1, VPNv4/VPNv6 with labels
                      tsunagid --frr (zebra, bgpd)        └ 172.16.0.0/16 for both tenants

cust-0001 imports RT 2516:1001 (172.16/16 label 30001, 2001:db8:99::/48 label 30003),
cust-0002 imports RT 2516:1002 (172.16/16 label 30002): the same prefix, two tenants.
The carrier's kernel has no MPLS: what leaves the node is captured on c-ix, and what the
carrier "sends" is injected there with scapy.
"""
import os
import re
import signal
import time

from lib import capture, continuity, frr, pinger, prom, shell, yamlcfg
from scapy.contrib.mpls import MPLS  # noqa: F401 - binds EtherType 0x8847 before pcaps are read
from lib.procs import wait_until
from lib.topo import CARRIER_IX, CARRIER_MAC, NODE_IX, PORT_MAC, Topology, host_mac

ROUTER_MAC = "02:00:0a:ff:00:01"  # derived from router_id 10.255.0.1

CARRIER_CONF = """frr version 8.4
frr defaults traditional
hostname carrier
service integrated-vtysh-config
no ip forwarding
no ipv6 forwarding
!
route-map RT1 permit 10
 set extcommunity rt 2516:1001
exit
route-map RT2 permit 10
 set extcommunity rt 2516:1002
exit
route-map RTX permit 10
 set extcommunity rt 2516:9999
exit
!
router bgp 2516
 bgp router-id 203.0.113.1
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 neighbor 203.0.113.2 remote-as 65000
 neighbor 203.0.113.2 timers connect 2
 !
 address-family ipv4 vpn
  neighbor 203.0.113.2 activate
  network 172.16.0.0/16 rd 2516:1 label 30001 route-map RT1
  network 172.16.0.0/16 rd 2516:2 label 30002 route-map RT2
  network 172.18.0.0/16 rd 2516:9 label 30009 route-map RTX
 exit-address-family
 !
 address-family ipv6 vpn
  neighbor 203.0.113.2 activate
  network 2001:db8:99::/48 rd 2516:1 label 30003 route-map RT1
 exit-address-family
exit
"""

# tenant → (label of this node, host namespace role, host address, carrier's label to it)
TENANT = {1: (2001, "cloud", "10.1.0.1", 30001), 2: (2002, "srv", "10.2.0.2", 30002)}


def _config(t):
    cfg = t.config([1, 2])
    for ten, n in zip(cfg["tenants"], (1, 2)):
        ten["vrf"] = {"rd": "65000:%d" % n, "label": TENANT[n][0],
                      "gateway": ["10.%d.0.254/24" % n, "fd00:%d::fe/64" % n],
                      "route_targets": {"import": ["2516:100%d" % n], "export": ["65000:%d" % n]}}
    cfg.setdefault("neighbors", []).extend([
        {"tenant": "cust-0001", "address": "10.1.0.1", "mac": host_mac(1, "cloud")},
        {"tenant": "cust-0002", "address": "10.2.0.2", "mac": host_mac(2, "srv")},
    ])
    cfg["peers"] = [{"name": "carrier", "option": "B", "port": "ix0", "address": CARRIER_IX, "asn": 2516,
                     "tenants": ["cust-0001", "cust-0002"]}]
    return cfg


def _imported(t):
    """The number of imported routes tsunagid last published, or -1."""
    m = re.findall(r"; (\d+) imported routes\)", t.tsunagid.log(True))
    return int(m[-1]) if m else -1


def _established(carrier):
    try:
        n = carrier.json("show bgp neighbors %s json" % NODE_IX)
    except Exception:  # noqa: BLE001 - not up yet
        return False
    return n.get(NODE_IX, {}).get("bgpState") == "Established"


def _start(ctx, t):
    carrier = frr.Frr(t.ns["carrier"], t.dir + "/carrier-frr", CARRIER_CONF, "carrier").start()
    yamlcfg.write(t.config_path, _config(t), header="test option B")
    t.start_tsunagid(args=["--frr", "--stale-hold", "30"])
    t.start_dataplane()
    t0 = time.monotonic()
    wait_until(lambda: _established(carrier), 60, interval=0.2, what="the BGP session with the carrier")
    wait_until(lambda: _imported(t) == 3, 30, interval=0.1, what="3 imported routes published")
    ctx.note("session established and routes published %.1f s after the dataplane started"
             % (time.monotonic() - t0))
    return carrier


def _mpls_frames(pkts, label=None):
    return [p for p in pkts if MPLS in p and (label is None or p[MPLS].label == label)]


def _ping_and_capture(t, n, count=20, dst="172.16.0.1"):
    """count pings from tenant n's host towards the carrier; the frames that reached it."""
    _, role, _, _ = TENANT[n]
    cap = capture.Capture(t.procs, "cap-%d-%d" % (n, time.monotonic_ns()), t.ns["carrier"], t.dev["c-ix"],
                          "%s/cap-%d-%d.pcap" % (t.dir, n, time.monotonic_ns())).start()
    pinger.Pinger(t.procs, "ping-%d-%d" % (n, time.monotonic_ns()), t.ns[role], dst, interval=0.02,
                  count=count, wait=0.2).start().result()
    time.sleep(0.3)
    return cap.stop()


def _inject(t, label, src, dst):
    """The carrier sends an echo request with `label` towards `dst`."""
    from scapy.contrib.mpls import MPLS
    from scapy.layers.inet import ICMP, IP
    from scapy.layers.l2 import Ether
    f = (Ether(src=CARRIER_MAC, dst=PORT_MAC["ix0"]) / MPLS(label=label, s=1, ttl=64) /
         IP(src=src, dst=dst, ttl=64) / ICMP(type=8, id=0x4242, seq=label & 0xffff) / (b"x" * 32))
    capture.inject(t.ns["carrier"], t.dev["c-ix"], [f])


def _route_hosts(t):
    from lib import netns
    for n, (_, role, _, _) in TENANT.items():
        netns.ip(t.ns[role], "route", "replace", "172.16.0.0/16", "via", "10.%d.0.254" % n)
        netns.ip(t.ns[role], "neigh", "replace", "10.%d.0.254" % n, "lladdr", ROUTER_MAC, "dev",
                 "t%d-%s" % (n, t.sfx), "nud", "permanent")


def test_h_option_b_with_a_carrier(ctx):
    """(a)+(d) Option B with an FRR carrier: VPN routes with labels reach the dataplane; the
    tenants' traffic leaves with the carrier's label for their VRF, from the port MAC to the
    carrier's MAC; labelled traffic with this node's label reaches the right tenant only;
    the carrier receives the tenants' prefixes with this node's labels and route targets."""
    ctx.require_node()
    with Topology(ctx, tenants=[1, 2], site=False, carrier=True) as t:
        carrier = _start(ctx, t)
        log = t.tsunagid.log(True)
        assert "frr: zebra started" in log and "frr: bgpd started" in log, log[-2000:]

        # tsunagid's /metrics (default address, in the node's namespace): the session, and
        # the VRF's imported routes beside its configured ones.
        def metric(head):
            text = prom.http_get(t.ns["dp"], "http://127.0.0.1:9469/metrics")[2]
            m = re.search(r"^%s (\S+)$" % re.escape(head), text, re.M)
            return float(m.group(1)) if m else None

        wait_until(lambda: metric('tsunagi_bgp_session_up{peer="carrier"}') == 1, 10, interval=0.2,
                   what="tsunagi_bgp_session_up 1 for the carrier")
        routes = metric('tsunagi_vrf_routes{tenant="cust-0001"}')
        assert routes is not None and routes >= 2, "tsunagi_vrf_routes of cust-0001: %s" % routes
        ctx.note("/metrics: BGP session with the carrier up, %d routes in cust-0001's VRF" % routes)

        # The shell: FRR's own view through the passthrough, and the dataplane's routes.
        summary = shell.run(ctx, t, "show bgp ipv4 vpn summary | include %s" % CARRIER_IX)
        assert re.search(r"^%s\s+4\s+2516\s" % re.escape(CARRIER_IX), summary, re.M), summary
        vrf = shell.show_json(ctx, t, "show vrf cust-0001 routes")
        hops = [h for r in vrf["routes"] if r["prefix"] == "172.16.0.0/16" for h in r["nextHops"]]
        assert hops == [{"type": "optionB", "port": "ix0", "labels": [TENANT[1][3]], "mac": CARRIER_MAC}], hops
        ctx.note("tsunagi-sh: `show bgp ipv4 vpn summary` through FRR lists the carrier; "
                 "`show vrf cust-0001 routes` has 172.16.0.0/16 via ix0 label %d" % TENANT[1][3])

        # The carrier has both tenants' prefixes with this node's label and RT.
        for n in (1, 2):
            d = carrier.json("show bgp ipv4 vpn 10.%d.0.0/24 json" % n)
            text = str(d)
            assert "'remoteLabel': %d" % TENANT[n][0] in text, "carrier's view of 10.%d.0.0/24: %s" % (n, text)
            assert "RT:65000:%d" % n in text, "carrier's view of 10.%d.0.0/24: %s" % (n, text)
            # Each prefix carries its own tenant's target only.
            assert "RT:65000:%d" % (3 - n) not in text, text
        ctx.note("carrier received 10.1.0.0/24 (label 2001, RT 65000:1) and 10.2.0.0/24 (label 2002, RT 65000:2)")

        # Tenant → carrier: the carrier's label for that tenant's VRF, MPLS TTL = IP TTL.
        _route_hosts(t)
        for n in (1, 2):
            pkts = _ping_and_capture(t, n)
            frames = _mpls_frames(pkts)
            labels = sorted({p["MPLS"].label for p in frames})
            assert len(frames) == 20 and labels == [TENANT[n][3]], \
                "tenant %d: %d labelled frames, labels %s (want 20 with %d)" % (n, len(frames), labels, TENANT[n][3])
            f = frames[0]
            assert f.src == PORT_MAC["ix0"] and f.dst == CARRIER_MAC, (f.src, f.dst)
            assert f["MPLS"].s == 1 and f["MPLS"].ttl == 63 and f["IP"].ttl == 63, f.show(dump=True)
            ctx.note("tenant %d → 172.16.0.1: 20/20 frames with label %d, TTL 63" % (n, TENANT[n][3]))
        # IPv6 (VPNv6 over the IPv4 session): the carrier's 2001:db8:99::/48, label 30003.
        from lib import netns
        netns.ip(t.ns["cloud"], "-6", "route", "replace", "2001:db8:99::/48", "via", "fd00:1::fe")
        wait_until(lambda: pinger.ping_ok(t.ns["cloud"], "fd00:1::fe"), 10, what="ND and ping for fd00:1::fe")
        frames = _mpls_frames(_ping_and_capture(t, 1, dst="2001:db8:99::1"))
        assert len(frames) == 20 and {p["MPLS"].label for p in frames} == {30003}, \
            "IPv6: %d labelled frames, labels %s" % (len(frames), {p["MPLS"].label for p in frames})
        assert frames[0].haslayer("IPv6") and frames[0]["IPv6"].hlim == 63 and frames[0]["MPLS"].ttl == 63
        text = str(carrier.json("show bgp ipv6 vpn fd00:1::/64 json"))
        assert "'remoteLabel': 2001" in text and "RT:65000:1" in text, text
        ctx.note("IPv6: tenant 1 → 2001:db8:99::1: 20/20 frames with label 30003, hop limit 63; "
                 "the carrier has fd00:1::/64 with label 2001")
        # Routes whose targets nobody imports stay out.
        frames = _mpls_frames(_ping_and_capture(t, 1, count=5, dst="172.18.0.1"))
        assert not frames, "172.18/16 (RT 2516:9999) was imported: %d frames" % len(frames)

        # Carrier → tenant: this node's label selects the VRF; the reply goes back labelled.
        for n in (1, 2):
            label, _, host, theirs = TENANT[n]
            cap = capture.Capture(t.procs, "cap-in-%d" % n, t.ns["carrier"], t.dev["c-ix"],
                                  "%s/cap-in-%d.pcap" % (t.dir, n)).start()
            _inject(t, label, "172.16.0.9", host)
            # Label of the other tenant, address of this one: no route there.
            _inject(t, TENANT[3 - n][0], "172.16.0.9", host)
            time.sleep(0.5)
            replies = [p for p in _mpls_frames(cap.stop()) if p.haslayer("ICMP") and p["ICMP"].type == 0]
            assert len(replies) == 1, "tenant %d: %d echo replies to labelled requests" % (n, len(replies))
            assert replies[0]["MPLS"].label == theirs and replies[0]["IP"].src == host, replies[0].show(dump=True)
            ctx.note("carrier → label %d → %s: answered, reply with label %d; label %d to it dropped"
                     % (label, host, theirs, TENANT[3 - n][0]))

        # A reload that adds a prefix to tenant 1 is applied to FRR with its reload tool, the
        # diff in tsunagid's log; the carrier learns the prefix, and loses it when it goes.
        cfg = _config(t)
        cfg["tenants"][0]["vrf"]["static_routes"] = [{"prefix": "10.9.0.0/16", "via": "10.1.0.1"}]
        for step, want in (("add", True), ("remove", False)):
            off = len(t.tsunagid.log(True))
            yamlcfg.write(t.config_path, cfg if want else _config(t), header="test option B: %s" % step)
            t.tsunagid.kill(signal.SIGHUP)

            def carrier_has():
                return "10.9.0.0/16" in carrier.vtysh("show bgp ipv4 vpn")

            wait_until(lambda: carrier_has() == want, 20, interval=0.2,
                       what="the carrier to %s 10.9.0.0/16" % ("learn" if want else "lose"))
            # The diff frr-reload.py showed, and nothing it failed to apply.
            pat = r"frr: +(no )?network 10\.9\.0\.0/16 +rd 65000:1 label 2001 route-map TSUNAGI-EXPORT-cust-0001"
            wait_until(lambda: re.search(pat, t.tsunagid.log(True)[off:]) and
                       "published table generation" in t.tsunagid.log(True)[off:], 20, what="the reload's FRR diff")
            log = t.tsunagid.log(True)[off:]
            assert "left over" not in log, log
        ctx.note("reload: 10.9.0.0/16 added to and removed from FRR through frr-reload.py, seen by the carrier")
        carrier.stop()


def test_i_option_b_withdraw_reset_restart(ctx):
    """(c) A withdrawal stops forwarding to the prefix; a session reset and a SIGKILL of the
    node's bgpd (restarted by tsunagid) lose no forwarding state while the session comes
    back."""
    ctx.require_node()
    with Topology(ctx, tenants=[1, 2], site=False, carrier=True) as t:
        carrier = _start(ctx, t)
        _route_hosts(t)
        assert len(_mpls_frames(_ping_and_capture(t, 1, count=5))) == 5

        carrier.configure("router bgp 2516", "address-family ipv4 vpn",
                          "no network 172.16.0.0/16 rd 2516:1 label 30001")
        wait_until(lambda: _imported(t) == 2, 20, interval=0.1, what="the withdrawal to be published")
        frames = _mpls_frames(_ping_and_capture(t, 1, count=5))
        assert not frames, "tenant 1 still reaches 172.16/16 after the withdrawal: %d frames" % len(frames)
        assert len(_mpls_frames(_ping_and_capture(t, 2, count=5), 30002)) == 5, "tenant 2 lost its route"
        ctx.note("withdrawal: tenant 1's 172.16/16 gone, tenant 2's stays")

        def during(what, action, settle):
            return continuity.forwarding_during(ctx, t, what, t.ns["srv"], "172.16.0.1", lambda pkts: _mpls_frames(pkts, 30002), action, settle)

        def session_back():
            time.sleep(1.0)
            wait_until(lambda: _established(carrier), 60, interval=0.1, what="the session back")

        log = during("session reset", lambda: carrier.vtysh("clear bgp *"), session_back)
        assert "203.0.113.1 down" in log or "203.0.113.1 up" in log, log

        pids = frr.daemon_pids(t.runtime_dir + "/frr")
        bgpd = [pid for pf, pid in pids.items() if pf.endswith("bgpd.pid")]
        assert bgpd, pids
        log = during("node bgpd SIGKILL", lambda: os.kill(bgpd[0], signal.SIGKILL), session_back)
        assert "frr: bgpd started" in log, log
        wait_until(lambda: _imported(t) == 2, 20, interval=0.1, what="the routes after the restart")
        assert len(_mpls_frames(_ping_and_capture(t, 2, count=5), 30002)) == 5

        # tsunagid itself: killed and started again, it keeps the dataplane on the tables it
        # left until the carriers have sent their routes again, then publishes them.
        def restart_tsunagid():
            t.tsunagid.kill(signal.SIGKILL)
            t.tsunagid.wait(10)
            t.start_tsunagid(wait=False, args=["--frr", "--stale-hold", "30"])

        def routes_back():
            wait_until(lambda: "the carriers' routes are back; publishing" in t.tsunagid.log(True), 30,
                       interval=0.1, what="tsunagid to publish the carriers' routes again")

        during("tsunagid SIGKILL and restart", restart_tsunagid, routes_back)
        log = t.tsunagid.log(True)
        assert "keeping the published tables" in log, log
        assert re.search(r"new image of \d+ bytes, 2 learned routes", log), log
        assert len(_mpls_frames(_ping_and_capture(t, 2, count=5), 30002)) == 5
        carrier.stop()
