#!/usr/bin/python3
"""The route-install rate from FRR into the dataplane (issue 4): an FRR carrier in its own
namespace announces N VPNv4 routes (default 100 000) to the node over Option B; the node's
bgpd mirrors them to tsunagid (BMP), which imports them into a tenant's VRF and publishes
them to the running tsunagi-dataplane. Prints the time from the first route published to
the last, the rate in routes per second, and when the dataplane used the last generation.

usage: bench/route_feed.py [--routes N] [--build DIR]   (root; builds on tests/e2e/lib)
"""
import argparse
import os
import re
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))
sys.dont_write_bytecode = True

from lib import frr, yamlcfg  # noqa: E402
from lib.context import Context  # noqa: E402
from lib.procs import wait_until  # noqa: E402
from lib.topo import CARRIER_IX, NODE_IX, Topology  # noqa: E402


def carrier_conf(n):
    lines = ["frr version 8.4", "frr defaults traditional", "hostname carrier",
             "service integrated-vtysh-config", "no ip forwarding", "no ipv6 forwarding", "!",
             "route-map RT permit 10", " set extcommunity rt 2516:1001", "exit", "!",
             "router bgp 2516", " bgp router-id %s" % CARRIER_IX, " no bgp ebgp-requires-policy",
             " no bgp default ipv4-unicast", " neighbor %s remote-as 65000" % NODE_IX,
             " neighbor %s timers connect 2" % NODE_IX, " !", " address-family ipv4 vpn",
             "  neighbor %s activate" % NODE_IX]
    for i in range(n):
        lines.append("  network %d.%d.%d.0/24 rd 2516:1 label %d route-map RT"
                     % (16 + (i >> 16), (i >> 8) & 255, i & 255, 16 + i % 100000))
    lines += [" exit-address-family", "exit", ""]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--routes", type=int, default=100000)
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    a = ap.parse_args()
    ctx = Context(a.build)
    ctx.require_node()
    with Topology(ctx, tenants=[1], site=False, carrier=True) as t:
        cfg = t.config([1])
        cfg["tenants"][0]["vrf"] = {"rd": "65000:1", "label": 2001, "gateway": ["10.1.0.254/24"],
                                    "route_targets": {"import": ["2516:1001"], "export": ["65000:1"]}}
        cfg["peers"] = [{"name": "carrier", "option": "B", "port": "ix0", "address": CARRIER_IX, "asn": 2516,
                         "tenants": ["cust-0001"]}]
        yamlcfg.write(t.config_path, cfg, header="bench/route_feed.py")
        t0 = time.monotonic()
        carrier = frr.Frr(t.ns["carrier"], t.dir + "/carrier-frr", carrier_conf(a.routes), "carrier").start()
        print("carrier FRR started with %d routes in %.1f s" % (a.routes, time.monotonic() - t0), flush=True)
        t.start_tsunagid(args=["--frr"])
        t.start_dataplane()

        pat = re.compile(r"published table generation (\d+) \((\d+) routes from the carriers, (\d+) imported in all; "
                         r"\d+ bytes written, in (\d+) us")
        up = first = last = None
        last_gen = 0
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            log = t.tsunagid.log(True)
            if up is None and "203.0.113.1 up;" in log:
                up = time.monotonic()
            hits = pat.findall(log)
            if hits and first is None:
                first = time.monotonic()
            if hits and int(hits[-1][2]) >= a.routes:
                last = time.monotonic()
                last_gen = int(hits[-1][0])
                batches = len(hits)
                break
            time.sleep(0.01)
        if last is None:
            print("FAILED: %s imported routes after 600 s" % (hits[-1][2] if hits else 0))
            return 1
        used = wait_until(lambda: re.search(r"using table generation %d .*?(\d+) us after publication" % last_gen,
                                            t.dataplane.log(True)), 30, what="the dataplane to use the last generation")
        writing = sum(int(h[3]) for h in hits) / 1e6
        print("routes: %d imported into the VRF in %d generations" % (a.routes, batches))
        print("BGP session up to the last publication: %.2f s (the log polled every 10 ms)" % (last - up))
        print("route-install rate, session up to dataplane: %.0f routes/s" % (a.routes / (last - up)))
        print("tsunagid's table writes: %.3f s in all, %.0f routes/s" % (writing, a.routes / writing))
        print("dataplane used the last generation %s us after its publication" % used.group(1))
        carrier.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
