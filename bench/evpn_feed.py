#!/usr/bin/python3
"""BGP EVPN convergence (issue 19, docs/evpn.md): an FRR 8.4 leaf in its own namespace, iBGP
L2VPN EVPN with the node's FRR over the underlay port, VNI devices as FRR's EVPN wants them
(../shared/notes/frr-8.4-evpn-on-this-kernel.md).

1. VNIs: the node has V EVPN tenants (default 1 000) and no `vteps`; the leaf has the same
   V VNIs. Prints the time from the leaf's FRR starting until every tenant's flood list in
   the node's tables holds the leaf's VTEP (`show evpn vni`), and until the dataplane uses
   that generation.
2. MACs: N static MACs (default 100 000) added at once to one VNI's bridge on the leaf
   (`bridge -batch`); prints the time until the node's tables hold all N as remote MACs of
   that tenant and the dataplane uses that generation, and the rate.
3. Local MACs: L frames (default 10 000), each from its own source MAC, sent into the
   node's access port in the first tenant's attachment; prints the time from the first
   frame until tsunagid has put all L on the tenant's shadow port (zebra's view) and until
   the leaf's kernel holds all L behind the node's VTEP (advertised as type-2 routes, end to
   end), and the rates.

usage: bench/evpn_feed.py [--vnis V] [--macs N] [--local-macs L] [--build DIR]
       (root; builds on tests/e2e/lib)
"""
import argparse
import os
import re
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))
sys.dont_write_bytecode = True

from lib import frr, netns, shell, yamlcfg  # noqa: E402
from lib.context import Context  # noqa: E402
from lib.procs import wait_until  # noqa: E402
from lib.topo import NODE_V4, PORT_MAC, SITE_V4, Topology  # noqa: E402

VNI0 = 200000


def leaf_conf():
    return "\n".join(["frr version 8.4", "frr defaults traditional", "hostname leaf",
                      "service integrated-vtysh-config", "!", "router bgp 65000",
                      " bgp router-id %s" % SITE_V4, " no bgp default ipv4-unicast",
                      " neighbor %s remote-as 65000" % NODE_V4, " neighbor %s timers 3 9" % NODE_V4,
                      " neighbor %s timers connect 2" % NODE_V4, " !", " address-family l2vpn evpn",
                      "  neighbor %s activate" % NODE_V4, "  advertise-all-vni", " exit-address-family",
                      "exit", ""])


def batch(ns, tool, lines, path):
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    subprocess.run(["ip", "netns", "exec", ns, tool, "-batch", path], check=True, capture_output=True,
                   timeout=600)


def build_leaf(t, vnis):
    site = t.ns["site"]
    sc = t.dev["s-core"]
    netns.ip(site, "addr", "add", SITE_V4 + "/24", "dev", sc)
    netns.ip(site, "neigh", "replace", NODE_V4, "lladdr", PORT_MAC["core0"], "dev", sc, "nud", "permanent")
    netns.sysctl(site, "net.ipv6.conf.all.disable_ipv6", 1)
    netns.sysctl(site, "net.ipv6.conf.default.disable_ipv6", 1)
    lines = []
    for i in range(vnis):
        vni = VNI0 + i
        lines += ["link add b%d type bridge" % vni,
                  "link add x%d type vxlan id %d local %s dstport 4789 nolearning" % (vni, vni, SITE_V4),
                  "link set x%d master b%d" % (vni, vni), "link set x%d type bridge_slave learning off" % vni,
                  "link set x%d up" % vni, "link set b%d up" % vni]
    # The MACs' port: a veth whose peer stays down (the notes: a down port still advertises).
    lines += ["link add p0 type veth peer name p0peer", "link set p0 master b%d" % VNI0, "link set p0 up"]
    batch(site, "ip", lines, os.path.join(t.dir, "leaf-links.batch"))


def node_config(t, vnis):
    cfg = t.config([1])
    cfg["node"]["evpn"] = {"peers": [{"address": SITE_V4}]}
    cfg["tenants"] = [{"name": "e%d" % i, "vni": VNI0 + i, "hybrid_vlan": 1 + i % 4094, "evpn": True,
                       "attachments": [{"port": "cloud0", "vlan": 1 + i % 4094, "inner_vlan": 1 + i // 4094}]}
                      for i in range(vnis)]
    return cfg


# Sends frame i from source MAC 02:1c:i (broadcast, so the dataplane floods rather than
# drops it, and learns the source), in the QinQ attachment of tenant e0: outer VID 1 with
# TPID 0x88a8, inner VID 1.
SENDER = """
import socket, struct, sys, time
n, pps = int(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
t0 = time.monotonic()
for i in range(n):
    while i > (time.monotonic() - t0) * pps:
        time.sleep(0.0002)
    mac = b"\\x02\\x1c" + struct.pack("!I", i)
    s.send(b"\\xff" * 6 + mac + b"\\x88\\xa8\\x00\\x01\\x81\\x00\\x00\\x01\\x08\\x00" + bytes(46))
"""


def count_lines(ns, argv, *patterns):
    out = subprocess.run(["ip", "netns", "exec", ns] + argv, capture_output=True, text=True, timeout=60).stdout
    return sum(1 for line in out.splitlines() if all(p in line for p in patterns))


def local_macs(t, n):
    """Phase 3: n MACs learned on the node's access port, out to the leaf over EVPN."""
    port, leaf_vx = "tsp%d" % VNI0, "x%d" % VNI0
    at_node = lambda: count_lines(t.ns["dp"], ["bridge", "fdb", "show", "dev", port], "02:1c:")
    # The bridge's entry of each MAC (zebra adds a vxlan `self` entry with the VTEP beside it).
    at_leaf = lambda: count_lines(t.ns["site"], ["bridge", "fdb", "show", "dev", leaf_vx], "02:1c:", "master")
    def send(pps):
        subprocess.run(["ip", "netns", "exec", t.ns["cloud"], "/usr/bin/python3", "-c", SENDER,
                        t.dev["h-cloud"], str(n), str(pps)], check=True, timeout=600)

    t0 = time.monotonic()
    send(10000)
    sent_s = time.monotonic() - t0
    node_s = leaf_s = None
    resent = False
    last, last_change = -1, time.monotonic()
    while leaf_s is None:
        now_node = at_node()
        if node_s is None and now_node == n:
            node_s = time.monotonic() - t0
        if at_leaf() == n:
            leaf_s = time.monotonic() - t0
        if now_node != last:
            last, last_change = now_node, time.monotonic()
        elif now_node < n and not resent and time.monotonic() - last_change > 2:
            # Frames the port dropped (no room in its ring) were never learned: once more,
            # slowly; the figures then include this second round.
            print("local MACs: %d of %d learned from the first round; sending again" % (now_node, n), flush=True)
            send(2000)
            resent = True
        if time.monotonic() - t0 > 600:
            raise RuntimeError("local MACs: %d at the node's port, %d at the leaf after 600 s"
                               % (at_node(), at_leaf()))
        time.sleep(0.1)
    node_s = node_s or leaf_s
    print("local MACs: %d learned from frames sent in %.2f s; on the node's shadow port %.2f s after the first "
          "(%.0f MACs/s), in the leaf's kernel behind the node's VTEP %.2f s after it (%.0f MACs/s)"
          % (n, sent_s, node_s, n / node_s, leaf_s, n / leaf_s), flush=True)
    puts = [int(x) for x in re.findall(r"EVPN local MACs: (\d+) put on the shadow ports", t.tsunagid.log(True))]
    print("tsunagid: %d bridge -batch runs put them there (at most %d MACs in one)" % (len(puts), max(puts or [0])),
          flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vnis", type=int, default=1000)
    ap.add_argument("--macs", type=int, default=100000)
    ap.add_argument("--local-macs", type=int, default=10000)
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    a = ap.parse_args()
    ctx = Context(a.build)
    ctx.require_node()
    with Topology(ctx, tenants=[1], site=False) as t:
        t0 = time.monotonic()
        build_leaf(t, a.vnis)
        print("leaf: %d VNI devices made in %.1f s" % (a.vnis, time.monotonic() - t0), flush=True)
        yamlcfg.write(t.config_path, node_config(t, a.vnis), header="bench/evpn_feed.py")
        t.start_tsunagid(args=["--frr"], wait=True)
        t.start_dataplane()
        wait_until(lambda: "using table generation" in t.dataplane.log(True), 60, what="the dataplane to start")

        def complete():
            if not t.tsunagid.alive():
                raise RuntimeError("tsunagid exited:\n" + t.tsunagid.tail())
            try:
                doc = shell.show_json(ctx, t, "show evpn vni")
            except AssertionError:  # its shell socket not there yet
                return -1
            return sum(1 for v in doc["vnis"] if SITE_V4 in v["remoteVteps"])

        t0 = time.monotonic()
        leaf = frr.Frr(t.ns["site"], os.path.join(t.dir, "leaf-frr"), leaf_conf(), "leaf").start()
        wait_until(lambda: complete() == a.vnis, 300, interval=0.1, what="%d flood lists" % a.vnis)
        flood_s = time.monotonic() - t0
        gen = shell.show_json(ctx, t, "show dataplane")["publishedGeneration"]
        wait_until(lambda: shell.show_json(ctx, t, "show dataplane")["inUseGeneration"] >= gen, 30, interval=0.05,
                   what="the dataplane to use generation %d" % gen)
        used_s = time.monotonic() - t0
        print("VNIs: %d flood lists complete in the node's tables %.2f s after the leaf's FRR started, "
              "in the dataplane after %.2f s" % (a.vnis, flood_s, used_s), flush=True)

        if a.macs:
            lines = ["fdb add 02:%02x:%02x:%02x:%02x:01 dev p0 master static"
                     % ((i >> 24) & 255, (i >> 16) & 255, (i >> 8) & 255, i & 255) for i in range(a.macs)]
            path = os.path.join(t.dir, "leaf-fdb.batch")
            with open(path, "w") as f:
                f.write("\n".join(lines) + "\n")

            def remote_macs():
                doc = shell.show_json(ctx, t, "show evpn vni")
                return next(v["remoteMacs"] for v in doc["vnis"] if v["vni"] == VNI0)

            t0 = time.monotonic()
            adder = subprocess.Popen(["ip", "netns", "exec", t.ns["site"], "bridge", "-batch", path],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            first = done = None
            while True:
                if done is None and adder.poll() is not None:
                    done = time.monotonic()
                n = remote_macs()
                if n > 0 and first is None:
                    first = time.monotonic()
                if n == a.macs:
                    break
                if time.monotonic() - t0 > 600:
                    raise RuntimeError("%d of %d remote MACs after 600 s" % (n, a.macs))
                time.sleep(0.25)  # each poll lists every remote MAC: keep its cost small
            macs_s = time.monotonic() - t0
            adder.wait(600)
            done = done or time.monotonic()
            gen = shell.show_json(ctx, t, "show dataplane")["publishedGeneration"]
            wait_until(lambda: shell.show_json(ctx, t, "show dataplane")["inUseGeneration"] >= gen, 60,
                       interval=0.05, what="the dataplane to use generation %d" % gen)
            used_s = time.monotonic() - t0
            pubs = re.findall(r"published table generation \d+ \(\d+ EVPN tenants, now with \d+ remote VTEPs "
                              r"and (\d+) remote MACs, \d+ bytes written, in (\d+) us", t.tsunagid.log(True))
            writing = sum(int(us) for _, us in pubs) / 1e6
            print("MACs: %d static MACs added at once on the leaf; in the dataplane %.2f s later (%.0f MACs/s); "
                  "the node's tables held the first %.2f s and all %.2f s after the start"
                  % (a.macs, used_s, a.macs / used_s, first - t0, macs_s), flush=True)
            print("the leaf's own bridge -batch took %.2f s (its kernel and zebra paced the routes)"
                  % (done - t0), flush=True)
            print("tsunagid: %d generations for EVPN changes, %.3f s writing tables in all"
                  % (len(pubs), writing), flush=True)
        if a.local_macs:
            local_macs(t, a.local_macs)
        leaf.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
