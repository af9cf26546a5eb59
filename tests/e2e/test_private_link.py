"""Live end-to-end tests of the private link (issue 4), on the standard topology
(tests/e2e/test_live.py): cust-0001's segment gets a VRF by a reload, its hosts use the
dataplane as their router.

  cloud1 10.1.0.1/24 ── gateway 10.1.0.254 ┐
                                           ├─ VRF cust-0001 in tsunagi-dataplane
  srv1  10.11.0.2/24 ── gateway 10.11.0.254┘

Both hosts sit in the same L2 segment (VLAN 1234 on cloud0, VLAN 100 on srv0), but in two
subnets: every packet between them is routed by the dataplane, once each way.
"""
import re
import signal

import time

from lib import netns, pinger, yamlcfg
from lib.procs import wait_until
from lib.topo import Topology, host_ip


def _vrf_config(t):
    cfg = t.config([1])
    ten = cfg["tenants"][0]
    ten["vrf"] = {"rd": "65000:1", "label": 2001, "gateway": ["10.1.0.254/24", "10.11.0.254/24",
                                                                 "fd00:1::fe/64"]}
    # No `neighbors:` for the hosts: the router finds them by ARP and ND.
    return cfg


def _ping(t, ns, dst, count):
    r = pinger.Pinger(t.procs, "ping-%s-%d" % (dst, time.monotonic_ns()), ns, dst, interval=0.02,
                      count=count).start().result()
    return r["received"], set(r["ttls"]), r


def test_g_routed_in_a_vrf(ctx):
    """(g) a reload gives cust-0001 a VRF, edited in place; the dataplane answers ARP, ND and
    ping for its gateways and routes between two subnets of the segment, TTL decremented
    once, both ways; the hosts are found by ARP, none is configured."""
    ctx.require_node()
    with Topology(ctx, tenants=[1], site=False) as t:
        t.start_node(tenants=[1])
        # srv1 moves to its own subnet; each host routes to the other through its gateway.
        cloud, srv = t.ns["cloud"], t.ns["srv"]
        tap = "t1-%s" % t.sfx
        netns.ip(srv, "addr", "del", host_ip(1, "srv") + "/24", "dev", tap)
        netns.ip(srv, "addr", "add", "10.11.0.2/24", "dev", tap)
        netns.ip(srv, "route", "add", "10.1.0.0/24", "via", "10.11.0.254")
        netns.ip(cloud, "route", "add", "10.11.0.0/24", "via", "10.1.0.254")

        off = len(t.tsunagid.log())
        yamlcfg.write(t.config_path, _vrf_config(t), header="test g: cust-0001 with a VRF")
        t.tsunagid.kill(signal.SIGHUP)
        pub = wait_until(lambda: re.search(r"published table generation (\d+) \(([^)]*)\)",
                                           t.tsunagid.log()[off:]), 10, what="the reload to publish")
        assert pub.group(2).startswith("edited in place"), \
            "adding a VRF built a new image instead of editing in place: %s" % pub.group(0)

        # The gateways answer ARP and echo themselves.
        for ns, gw in ((cloud, "10.1.0.254"), (srv, "10.11.0.254")):
            wait_until(lambda: pinger.ping_ok(ns, gw), 10, what="ping to gateway %s" % gw)
            got, ttls, out = _ping(t, ns, gw, 20)
            assert got == 20, "gateway %s answered %d of 20: %s" % (gw, got, out)
            assert ttls == {64}, "gateway %s answered with TTLs %s" % (gw, ttls)
            ctx.note("ping gateway %s: %d/20, TTL 64" % (gw, got))
        # IPv6: neighbour discovery and echo for the gateway.
        wait_until(lambda: pinger.ping_ok(cloud, "fd00:1::fe"), 10, what="ping to gateway fd00:1::fe")
        got, _, out = _ping(t, cloud, "fd00:1::fe", 20)
        assert got == 20, "gateway fd00:1::fe answered %d of 20: %s" % (got, out)
        ctx.note("ping gateway fd00:1::fe: %d/20" % got)
        # Routed across the subnets, each direction once.
        for ns, dst in ((cloud, "10.11.0.2"), (srv, "10.1.0.1")):
            wait_until(lambda: pinger.ping_ok(ns, dst), 10, what="routed ping to %s" % dst)
            got, ttls, out = _ping(t, ns, dst, 50)
            assert got == 50, "routed ping to %s: %d of 50: %s" % (dst, got, out)
            assert ttls == {63}, "routed ping to %s: TTLs %s, want 63 (one hop each way)" % (dst, ttls)
            ctx.note("routed ping to %s: %d/50, TTL 63" % (dst, got))
        arp = netns.sh(["ip", "neigh", "show", "10.1.0.254"], ns=cloud, check=False)
        assert "02:00:0a:ff:00:01" in arp, "cloud1 resolved its gateway to %r, not the router MAC" % arp

        # A host that never spoke to the router: the first packet makes it ask (ARP), the
        # host's kernel answers, and the rest is routed.
        netns.ip(srv, "addr", "add", "10.11.0.3/24", "dev", tap)
        got, ttls, out = _ping(t, cloud, "10.11.0.3", 20)
        assert got >= 19 and ttls == {63}, "routed ping to a silent host 10.11.0.3: %d of 20: %s" % (got, out)
        ctx.note("routed ping to 10.11.0.3, found by the router's ARP request: %d/20" % got)
