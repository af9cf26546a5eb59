#!/usr/bin/python3
"""The live part of tools/demo.sh: tsunagid + tsunagi-dataplane on a network-namespace topology.

usage: tools/demo/live.py [--build DIR] [--count N] [--interval S] [--timeout S]

Builds the single-tenant topology of tests/e2e (tests/e2e/lib/topo.py: namespaces, veth
pairs, tagged service hosts through tools/netns/vlan_shim.py, a remote site whose VTEP is
the Linux kernel's own vxlan device), writes the node's YAML (config/examples/demo.yaml's
cust-0001 with this topology's interfaces), starts the node, pings across the VLAN
translation, the VXLAN tunnel and the trunk, and prints what it saw: per ping sent,
received and RTT, the hosts' tag counters, and the node's own log lines.

Everything it creates (namespaces tsn-ROLE-SUFFIX, links, processes, the node's /dev/shm
objects and DPDK runtime files) is removed at the end, also on failure, Ctrl-C, SIGTERM or
its own time limit. The work directory (/tmp/tsunagi-demo-SUFFIX: YAML and logs) is kept
only when something failed. Exit status 0 iff every ping got all its replies.
Needs root and /usr/bin/python3; no scapy, no iputils.
"""
import argparse
import os
import shutil
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))
sys.dont_write_bytecode = True

from lib import pinger, yamlcfg  # noqa: E402
from lib.context import Context  # noqa: E402
from lib.topo import NODE_V4, SITE_MAC, SITE_V4, TENANTS, Topology, host_ip  # noqa: E402


class Stop(BaseException):
    """SIGTERM/SIGHUP or the demo's time limit: unwinds through the clean-up like Ctrl-C."""


T = 1  # the one tenant: cust-0001
NAMES = {"cloud": "cloud host", "srv": "srv host", "bb": "backbone host", "remote": "remote host"}

# (what it crosses, source role, destination role, IPv6?)
PINGS = [
    ("VLAN translation  1234 -> 100", "cloud", "srv", False),
    ("VLAN translation   100 -> 1234", "srv", "cloud", False),
    ("VLAN translation  1234 -> 100", "cloud", "srv", True),
    ("VXLAN tunnel  VLAN 1234 -> VNI", "cloud", "remote", False),
    ("VXLAN tunnel   VNI -> VLAN 1234", "remote", "cloud", False),
    ("VXLAN tunnel  VLAN 1234 -> VNI", "cloud", "remote", True),
    ("trunk  hybrid 3001 -> 1234", "bb", "cloud", False),
    ("trunk  hybrid 3001 -> VNI", "bb", "remote", False),
    ("trunk  VLAN 100 -> hybrid 3001", "srv", "bb", False),
]


PICTURE = r"""
   tsn-cloud-SUFFIX                                 tsn-srv-SUFFIX
   cloud host 10.1.0.1  fd00:1::1                   srv host 10.1.0.2  fd00:1::2
   TAP + vlan_shim: VLAN 1234                       TAP + vlan_shim: VLAN 100
         │ veth                                           │ veth
   ┌─────┴────────────────────────────────────────────────┴────────────────────────────────┐
   │ cloud0  access  VLAN 1234 = cust-0001          srv0  access  VLAN 100 = cust-0001 |
   |
   │ tsn-dp-SUFFIX: the node tky-edge-1; its ports are DPDK net_af_packet on the veths |
   │      tsunagid --config tsunagi.yaml ══shm══> tsunagi-dataplane --config tsunagi.yaml |
   |
   │ bb0  trunk  hybrid VLAN 3001 = cust-0001        core0  underlay 192.0.2.1/24 |
   └─────┬────────────────────────────────────────────────┬────────────────────────────────┘
         │ veth                                           │ veth
   TAP + vlan_shim: VLAN 3001                       s-core 192.0.2.2  (mac 02:bb:00:00:00:02)
   backbone host 10.1.0.4  fd00:1::4                vx1: the Linux kernel's vxlan device,
   tsn-bb-SUFFIX                                        VNI 100001, dstport 4789
                                                    br1: bridge { vx1, veth }
                                                    tsn-site-SUFFIX (the remote VTEP)
                                                          │ veth
                                                    remote host 10.1.0.3  fd00:1::3
                                                    tsn-remote-SUFFIX (untagged)
"""


def drawing(sfx):
    width = len(PICTURE.splitlines()[5])
    lines = []
    for ln in PICTURE.replace("SUFFIX", sfx).splitlines():
        if ln.startswith("   │") or ln == "   |":  # a line inside the node's box: pad to the frame
            ln = ("   │" + ln[4:].rstrip(" |│")).ljust(width - 2) + " │"
        lines.append(ln)
    return ("Topology (namespaces tsn-ROLE-%s):\n" % sfx + "\n".join(lines) +
            "\n\ncust-0001 (config/examples/demo.yaml): VNI 100001, hybrid VLAN 3001 on the trunk bb0,\n"
            "cloud0 VLAN 1234, srv0 VLAN 100, VTEPs [192.0.2.2]; the node is VTEP 192.0.2.1 (core0).\n"
            "All hosts are in its segment 10.1.0.0/24, fd00:1::/64.\n")


TAGGING = """\
How the hosts tag without 802.1Q devices: this kernel has no VLAN devices (no eth0.1234),
so each tagged host is a TAP interface driven by tools/netns/vlan_shim.py. The host's own
stack (ARP, ND, ICMP) uses the TAP; the shim pushes the tag on every frame it reads from
the TAP and sends it on the veth through an AF_PACKET raw socket, and on the way back
accepts only frames with exactly that tag (rebuilt from PACKET_AUXDATA, since the kernel
strips it into metadata), pops it and writes the frame to the TAP.
"""


def demo_config(t):
    """config/examples/demo.yaml's node and cust-0001, on this topology's veths."""
    cfg = t.config(tenants=[T])
    cfg["node"]["name"] = "tky-edge-1"
    for p in cfg["ports"]:
        if p["role"] == "underlay":
            p["address"] = NODE_V4 + "/24"
            p["gateway"] = "192.0.2.254"
    cfg["neighbors"] = [{"port": "core0", "address": "192.0.2.254", "mac": "02:bb:00:00:00:fe"},
                        {"port": "core0", "address": SITE_V4, "mac": SITE_MAC}]
    return cfg


def log_lines(proc):
    """The process's own lines from its log: not the harness's start header, not DPDK's (EAL:, ...)."""
    return [ln for ln in proc.log().splitlines() if ln.startswith(("tsunagid:", "tsunagi-dataplane:"))]


def run(a, ctx):
    t = Topology(ctx, tenants=[T])
    ok = shown_logs = False
    try:
        print(drawing(t.sfx))
        print(TAGGING)
        t0 = time.monotonic()
        print("Building the topology ...", flush=True)
        t.build()
        print("  6 namespaces, 4 veth pairs to the node, 3 vlan_shim hosts, kernel VTEP: %.1f s" %
              (time.monotonic() - t0))
        yamlcfg.write(t.config_path, demo_config(t),
                      header="tools/demo.sh live demo (config/examples/demo.yaml's cust-0001), topology %s" % t.sfx)
        print("Starting the node: tsunagid --config %s, then tsunagi-dataplane --config (same file)" % t.config_path,
              flush=True)
        t.start_tsunagid()
        t1 = time.monotonic()
        t.start_dataplane()
        t.wait_forwarding("cloud", T, "srv", timeout=30)
        print("  first ping forwarded %.2f s after the dataplane started" % (time.monotonic() - t1))

        print("\nPings: %d echo requests each, %d ms apart (lib/pinger.py, raw ICMP sockets)\n" %
              (a.count, a.interval * 1000))
        hdr = "  %-32s %-34s %5s %5s  %s" % ("across", "from -> to", "sent", "recv", "rtt min/avg/max ms")
        print(hdr)
        print("  " + "-" * (len(hdr) - 2))
        failed = 0
        for i, (what, src, dst, v6) in enumerate(PINGS):
            route = "%s -> %s %s" % (NAMES[src].split()[0], NAMES[dst].split()[0], host_ip(T, dst, v6))
            try:
                t.wait_forwarding(src, T, dst, v6=v6, timeout=5)
                r = pinger.Pinger(t.procs, "ping%d-%s-%s" % (i, src, dst), t.ns[src], host_ip(T, dst, v6),
                                  interval=a.interval, count=a.count, wait=0.5).start().result(timeout=20)
            except Exception as e:  # noqa: BLE001 -- report it as a failed ping and go on
                failed += 1
                print("  %-32s %-34s FAILED: %s" % (what, route, str(e).splitlines()[0]), flush=True)
                continue
            rtt = "%.3f/%.3f/%.3f" % tuple(r["rtt_ms"]) if r["rtt_ms"] else "-"
            bad = r["received"] != r["sent"] or r["sent"] != a.count
            failed += bad
            print("  %-32s %-34s %5d %5d  %s%s" % (what, route, r["sent"], r["received"], rtt,
                                                   "   <-- LOST %d" % r["lost"] if bad else ""), flush=True)

        print("\nThe hosts' tagging shims (frames tagged and sent / received with the tag and untagged;")
        print("frames the shim refused because they lacked its tag; PCP of received frames):")
        for key, vlan in (("cloud1", TENANTS[T]["cloud"][0]), ("srv1", TENANTS[T]["srv"][0]),
                          ("bb1", TENANTS[T]["hybrid_vlan"])):
            st = t.shim_stats(key)
            print("  %-14s VLAN %-4d  tagged+sent %4d  received+untagged %4d  refused %d  rx PCP %s" % (
                NAMES[key[:-1]], vlan, st["tx_frames"], st["rx_frames"],
                st["rx_dropped_untagged"] + st["rx_dropped_other_tag"] + st["rx_dropped_short"],
                st.get("rx_pcp", {})))
        print("  (the cloud host tags with PCP 3; the dataplane keeps PCP across the translation)")

        shm = [os.path.basename(o) for o in t.shm_objects()]
        # Stop the node so that its last lines are in the logs too.
        t.dataplane.stop()
        t.tsunagid.stop()
        shown_logs = True
        print("\nThe node's own view (its log lines, DPDK's own left out; SIGTERM at the end):")
        for p in (t.tsunagid, t.dataplane):
            for ln in log_lines(p):
                print("  " + ln)
        pre = os.path.commonprefix(shm)
        print("  shared memory between the two while running: /dev/shm/%s{%s}" %
              (pre, ",".join(o[len(pre):] for o in shm)))
        if failed:
            print("\nlive: %d of %d pings FAILED" % (failed, len(PINGS)))
        else:
            print("\nlive: all %d pings answered, none lost" % len(PINGS))
        ok = not failed
        return ok
    finally:
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)  # let the clean-up finish
        signal.alarm(0)
        interrupted = isinstance(sys.exc_info()[1], KeyboardInterrupt)
        if not ok and not interrupted and not shown_logs:
            for name in ("tsunagid", "dataplane"):
                p = getattr(t, name)
                if p is not None and p.starts:
                    print("\n--- last lines of %s's log ---\n%s" % (p.name, p.tail(20)))
        errs = t.close()
        for e in errs:
            print("clean-up: %s" % e)
        left = [n for n in t.net.namespaces]
        print("\nCleaned up: namespaces, links, processes, /dev/shm objects of tsn-*-%s%s" %
              (t.sfx, " (left: %s)" % left if left else ""))
        if ok or interrupted:
            shutil.rmtree(t.dir, ignore_errors=True)
        else:
            print("Kept the YAML and logs in %s" % t.dir)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(REPO, "build"), help="build directory (default: build)")
    ap.add_argument("--count", type=int, default=20, help="echo requests per ping (default 20)")
    ap.add_argument("--interval", type=float, default=0.02, help="seconds between them (default 0.02)")
    ap.add_argument("--timeout", type=int, default=90, help="time limit in seconds (default 90)")
    a = ap.parse_args()

    ctx = Context(a.build, workdir_prefix="tsunagi-demo")
    if os.geteuid() != 0:
        print("live demo: needs root (network namespaces)", file=sys.stderr)
        return 2
    for b in ctx.bins.values():
        if not os.access(b, os.X_OK):
            print("live demo: %s is not built" % b, file=sys.stderr)
            return 2

    def on_signal(signum, _frame):
        raise Stop(signal.Signals(signum).name)

    signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C: KeyboardInterrupt, even if inherited ignored
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    signal.signal(signal.SIGALRM, lambda _s, _f: on_signal_timeout())

    def on_signal_timeout():
        raise Stop("time limit of %d s" % a.timeout)

    signal.alarm(a.timeout)
    try:
        return 0 if run(a, ctx) else 1
    except KeyboardInterrupt:
        print("\nlive demo: interrupted (Ctrl-C)", file=sys.stderr)
        return 130
    except Stop as e:
        print("\nlive demo: stopped: %s" % e, file=sys.stderr)
        return 1
    except Exception as e:  # noqa: BLE001
        print("\nlive demo: FAILED: %s: %s" % (type(e).__name__, e), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
