"""The standard end-to-end topology (see the drawing in tests/e2e/test_live.py).

Namespaces (SUFFIX is per topology, so parallel runs never collide):

  tsn-dp-SUFFIX      the node: DP-side veth ends d-cloud/d-srv/d-bb/d-core (no addresses,
                     IPv6 off, MAC = the port's `mac:`), tsunagid and tsunagi-dataplane
  tsn-cloud-SUFFIX   cloud service hosts: one vlan_shim (TAP) per tenant on h-cloud
  tsn-srv-SUFFIX     dedicated-server hosts: one vlan_shim per tenant on h-srv (QinQ for 2)
  tsn-bb-SUFFIX      the backbone peer: one vlan_shim per tenant with its hybrid_vlan on h-bb
  tsn-site-SUFFIX    the remote site: s-core (192.0.2.2/24, 2001:db8::2/64), one kernel
                     vxlan + bridge per tenant, veths to the remote hosts
  tsn-remote-SUFFIX  the hosts behind the kernel VTEP, untagged

Tenant t's hosts: 10.t.0.X/24 and fd00:t::X/64, MAC 02:e2:0t:00:00:0X with X = 1 cloud,
2 srv, 3 remote, 4 bb.
"""
import glob
import os
import shutil
import signal
import subprocess
import time

from . import frr, netns, pinger, yamlcfg
from .procs import ProcError, ProcSet, wait_until

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SHIM = os.path.join(REPO, "tools", "netns", "vlan_shim.py")
PY = "/usr/bin/python3"

TENANTS = {
    1: {"name": "cust-0001", "vni": 100001, "hybrid_vlan": 3001, "cloud": (1234, 0), "srv": (100, 0)},
    2: {"name": "cust-0002", "vni": 100002, "hybrid_vlan": 3002, "cloud": (1235, 0), "srv": (100, 20)},
}
PORT_MAC = {"cloud0": "02:00:00:00:01:01", "srv0": "02:00:00:00:01:02", "bb0": "02:00:00:00:01:03",
            "core0": "02:00:00:00:01:04", "ix0": "02:00:00:00:01:05"}
# The carrier's ASBR behind the interconnect port ix0 (carrier=True).
CARRIER_MAC = "02:cc:00:00:00:01"
NODE_IX, CARRIER_IX = "203.0.113.2", "203.0.113.1"
SITE_MAC = "02:bb:00:00:00:02"
NODE_V4, SITE_V4 = "192.0.2.1", "192.0.2.2"
NODE_V6, SITE_V6 = "2001:db8::1", "2001:db8::2"
HOST_X = {"cloud": 1, "srv": 2, "remote": 3, "bb": 4}
ROLE_PORT = {"cloud": "cloud0", "srv": "srv0", "bb": "bb0"}
CLOUD_PCP = 3  # the cloud hosts tag with PCP 3; DESIGN.md §3 keeps it across translation


def host_ip(t, role, v6=False):
    return ("fd00:%d::%d" if v6 else "10.%d.0.%d") % (t, HOST_X[role])


def host_mac(t, role):
    return "02:e2:%02x:00:00:%02x" % (t, HOST_X[role])


def default_hosts(tenants):
    """Tagged hosts: (role, tenant, vlan, inner_vlan, pcp)."""
    hosts = []
    for t in tenants:
        d = TENANTS[t]
        hosts.append(("cloud", t, d["cloud"][0], d["cloud"][1], CLOUD_PCP))
        hosts.append(("srv", t, d["srv"][0], d["srv"][1], 0))
        hosts.append(("bb", t, d["hybrid_vlan"], 0, 0))
    return hosts


class Topology:
    """Build with `with Topology(ctx, ...) as t:`; everything is removed on exit."""

    def __init__(self, ctx, underlay="v4", tenants=(1, 2), hosts=None, dataplane="tsunagi", site=True,
                 resolve="static", carrier=False, workers=0):
        """resolve: "static" gives both VTEPs each other's MAC up front; "arp" leaves it to
        ARP/ND through the node's punt path. workers: dataplane worker lcores, each polling
        its own queue of every port (af_packet qpairs, spread by the kernel's flow hash);
        0 keeps the default (TSUNAGI_E2E_LCORES, else one lcore that forwards inline)."""
        self.ctx = ctx
        self.resolve = resolve
        self.underlay = underlay
        self.tenants = list(tenants)
        self.hosts = hosts if hosts is not None else default_hosts(self.tenants)
        self.mode = dataplane  # "tsunagi" or "bridge" (a Linux bridge stands in: harness self-tests)
        self.with_site = site
        self.with_carrier = carrier
        self.workers = workers
        self.net = netns.Net()
        self.sfx = self.net.suffix
        self.dir = ctx.new_workdir(self.sfx)
        self.runtime_dir = os.path.join(self.dir, "run")
        self.config_path = os.path.join(self.dir, "tsunagi.yaml")
        self.procs = ProcSet(self.dir)
        self.shims = {}
        self.tsunagid = None
        self.dataplane = None
        self.ns = {}
        self.dev = {}

    # ---- building ------------------------------------------------------------------------
    def __enter__(self):
        try:
            self.build()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def close(self):
        errs = []
        frr.kill_daemons(self.dir)  # the node's FRR (tsunagid --frr) and the carrier's
        try:
            self.procs.close()
        except Exception as e:  # noqa: BLE001
            errs.append("processes: %s" % e)
        errs += self.net.close()
        errs += _unmount_under(self.dir)
        # what the node left behind: shared memory objects and DPDK runtime files of this run
        for p in glob.glob("/dev/shm/*%s*" % self.sfx):
            try:
                os.unlink(p)
            except OSError:
                pass
        for p in glob.glob("/var/run/dpdk/*%s*" % self.sfx):
            shutil.rmtree(p, ignore_errors=True)
        return errs

    def build(self):
        n = self.net
        os.makedirs(self.runtime_dir, exist_ok=True)
        for role in ("dp", "cloud", "srv", "bb", "site", "remote"):
            self.ns[role] = n.ns(role)
        s = self.sfx
        dp = self.ns["dp"]
        for role, port in ROLE_PORT.items():
            d, h = "d-%s-%s" % (role, s), "h-%s-%s" % (role, s)
            n.veth(dp, d, self.ns[role], h, mac_a=PORT_MAC[port], ipv6_a=False, ipv6_b=False)
            self.dev[port] = d
            self.dev["h-" + role] = h
        d, sc = "d-core-%s" % s, "s-core-%s" % s
        n.veth(dp, d, self.ns["site"], sc, mac_a=PORT_MAC["core0"], mac_b=SITE_MAC, ipv6_a=False)
        self.dev["core0"] = d
        self.dev["s-core"] = sc
        if self.with_carrier:
            self.ns["carrier"] = n.ns("carrier")
            d, c = "d-ix-%s" % s, "c-ix-%s" % s
            n.veth(dp, d, self.ns["carrier"], c, mac_a=PORT_MAC["ix0"], mac_b=CARRIER_MAC, ipv6_a=False)
            netns.ip(self.ns["carrier"], "addr", "add", CARRIER_IX + "/30", "dev", c)
            self.dev["ix0"] = d
            self.dev["c-ix"] = c
        if self.mode == "bridge":
            n.bridge(dp, "br-dp", [self.dev[p] for p in ("cloud0", "srv0", "bb0")])
        if self.with_site:
            self._build_site()
        for role, t, vlan, inner, pcp in self.hosts:
            self.start_shim(role, t, vlan, inner, pcp)
        for p in self.shims.values():
            p.wait_log(r"^READY ", 15)

    def _build_site(self):
        site, rem, s = self.ns["site"], self.ns["remote"], self.sfx
        sc = self.dev["s-core"]
        netns.ip(site, "addr", "add", SITE_V4 + "/24", "dev", sc)
        netns.ip(site, "addr", "add", SITE_V6 + "/64", "dev", sc, "nodad")
        if self.resolve == "static":
            # The node's VTEP address as a static neighbour, so no test depends on ARP timing.
            netns.ip(site, "neigh", "replace", NODE_V4, "lladdr", PORT_MAC["core0"], "dev", sc, "nud", "permanent")
            netns.ip(site, "neigh", "replace", NODE_V6, "lladdr", PORT_MAC["core0"], "dev", sc, "nud", "permanent")
        local, remote = (SITE_V6, NODE_V6) if self.underlay == "v6" else (SITE_V4, NODE_V4)
        for t in self.tenants:
            vx = n_vx = "vx%d-%s" % (t, s)
            self.net.vxlan(site, vx, TENANTS[t]["vni"], local, remote, dev=sc, mtu=1500)
            sr, rr = "sr%d-%s" % (t, s), "rr%d-%s" % (t, s)
            self.net.veth(site, sr, rem, rr, mtu=1500, mac_b=host_mac(t, "remote"), ipv6_a=False)
            self.net.bridge(site, "br%d-%s" % (t, s), [n_vx, sr], mtu=1500)
            netns.ip(rem, "addr", "add", host_ip(t, "remote") + "/24", "dev", rr)
            netns.ip(rem, "addr", "add", host_ip(t, "remote", True) + "/64", "dev", rr, "nodad")
            self.dev["remote%d" % t] = rr

    def start_shim(self, role, t, vlan, inner=0, pcp=0):
        key = "%s%d" % (role, t)
        argv = [PY, SHIM, "--veth", self.dev["h-" + role], "--tap", "t%d-%s" % (t, self.sfx),
                "--mac", host_mac(t, role), "--addr", host_ip(t, role) + "/24",
                "--addr", host_ip(t, role, True) + "/64", "--vlan", str(vlan), "--pcp", str(pcp)]
        if inner:
            argv += ["--inner-vlan", str(inner)]
        p = self.procs.start("shim-" + key, self.ns[role], argv)
        self.shims[key] = p
        return p

    def shim_stats(self, key, timeout=5.0):
        """The shim's counters now (SIGUSR1)."""
        import json
        p = self.shims[key]
        n = p.log(True).count("STATS ")
        p.kill(signal.SIGUSR1)
        wait_until(lambda: p.log(True).count("STATS ") > n, timeout, what="shim %s stats" % key)
        line = [ln for ln in p.log(True).splitlines() if ln.startswith("STATS ")][-1]
        return json.loads(line[6:])

    # ---- the node --------------------------------------------------------------------------
    def config(self, tenants=None):
        tenants = self.tenants if tenants is None else tenants
        ports, k = [], 0
        qpairs = max(1, self.workers)
        for port, role in (("cloud0", "access"), ("srv0", "access"), ("bb0", "trunk"), ("core0", "underlay")):
            p = {"name": port, "role": role,
                 "device": "net_af_packet%d,iface=%s,qpairs=%d" % (k, self.dev[port], qpairs),
                 "mac": PORT_MAC[port]}
            if role == "underlay":
                p["address"] = [NODE_V4 + "/24", NODE_V6 + "/64"]
                p["mtu"] = 1600
            ports.append(p)
            k += 1
        if self.with_carrier:
            ports.append({"name": "ix0", "role": "interconnect", "mac": PORT_MAC["ix0"], "address": NODE_IX + "/30",
                          "device": "net_af_packet%d,iface=%s,qpairs=%d" % (k, self.dev["ix0"], qpairs)})
        v6 = self.underlay == "v6"
        site_vtep = SITE_V6 if v6 else SITE_V4
        neighbors = [{"port": "core0", "address": site_vtep, "mac": SITE_MAC}] if self.resolve == "static" else []
        tl = []
        for t in tenants:
            d = TENANTS[t]
            att = []
            for role in ("cloud", "srv"):
                vlan, inner = d[role]
                a = {"port": ROLE_PORT[role], "vlan": vlan}
                if inner:
                    a["inner_vlan"] = inner
                att.append(a)
            tl.append({"name": d["name"], "vni": d["vni"], "hybrid_vlan": d["hybrid_vlan"], "attachments": att,
                       "vteps": [site_vtep]})
        eal = None
        if self.workers:
            # lcore 0 looks after the tables; workers wrap round the machine's CPUs.
            cpus = max(1, os.cpu_count() or 1)
            eal = {"lcores": ",".join(["0@0"] + ["%d@%d" % (i, i % cpus) for i in range(1, self.workers + 1)])}
        elif os.environ.get("TSUNAGI_E2E_LCORES"):
            eal = {"lcores": os.environ["TSUNAGI_E2E_LCORES"]}
        return yamlcfg.node_config("e2e-" + self.sfx, self.runtime_dir, NODE_V6 if v6 else NODE_V4, ports,
                                   neighbors, tl, eal=eal)

    def write_config(self, tenants=None, text=None):
        if text is not None:
            tmp = self.config_path + ".tmp"
            with open(tmp, "w") as f:
                f.write(text)
            os.replace(tmp, self.config_path)
            return
        yamlcfg.write(self.config_path, self.config(tenants),
                      header="end-to-end test node, generated by tests/e2e (topology %s)" % self.sfx)

    def start_tsunagid(self, wait=True, args=(), host_mounts=False):
        """host_mounts: in the node's network namespace but the machine's mount namespace
        (nsenter, not `ip netns exec`, which gives each run a mount namespace of its own), as
        under systemd: the VRF namespaces tsunagid --frr mounts outlive it, so a restarted
        tsunagid finds them."""
        if self.tsunagid is None:
            argv = [self.ctx.bins["tsunagid"], "--config", self.config_path] + list(args)
            if host_mounts:
                argv = ["nsenter", "--net=/run/netns/" + self.ns["dp"]] + argv
            self.tsunagid = self.procs.add("tsunagid", None if host_mounts else self.ns["dp"], argv)
        self.tsunagid.start()
        if wait:
            self.wait_published()
        return self.tsunagid

    def shm_objects(self):
        return sorted(glob.glob("/dev/shm/*%s*" % self.sfx))

    def wait_published(self, timeout=20.0):
        """tsunagid is up and has published: a shared-memory object named after this run's
        runtime_dir exists (DESIGN.md §5), or its log mentions a generation."""
        p = self.tsunagid

        def ready():
            if not p.alive():
                raise ProcError("tsunagid exited (rc %s):\n%s" % (p.popen.poll(), p.tail()))
            return self.shm_objects() or ("generation" in p.log(True).lower())

        wait_until(ready, timeout, interval=0.05, what="tsunagid to publish tables")

    def start_dataplane(self, args=()):
        if self.dataplane is None:
            self.dataplane = self.procs.add("dataplane", self.ns["dp"],
                                            [self.ctx.bins["dataplane"], "--config", self.config_path] + list(args))
        return self.dataplane.start()

    def start_node(self, tenants=None, probe=("cloud", 1, "srv"), timeout=60.0):
        """Config, tsunagid, dataplane; returns seconds until the probe ping got through."""
        self.write_config(tenants)
        self.start_tsunagid()
        t0 = time.monotonic()
        self.start_dataplane()
        self.wait_forwarding(*probe, timeout=timeout)
        return time.monotonic() - t0

    def wait_forwarding(self, src_role, t, dst_role, v6=False, timeout=60.0):
        def ok():
            for p in (self.tsunagid, self.dataplane):
                if p is not None and p.starts and not p.stopped_on_purpose and not p.alive():
                    raise ProcError("%s exited (rc %s):\n%s" % (p.name, p.popen.poll(), p.tail()))
            return pinger.ping_ok(self.ns[src_role], host_ip(t, dst_role, v6), timeout=2.0)

        return wait_until(ok, timeout, interval=0.01,
                          what="ping %s%d -> %s%d" % (src_role, t, dst_role, t))

    def pinger(self, name, src_role, t, dst_role, v6=False, count=0, interval=0.01):
        return pinger.Pinger(self.procs, name, self.ns[src_role], host_ip(t, dst_role, v6), interval=interval,
                             count=count)

    def static_neighbors(self, src_role, t, dst_role):
        """Skip ARP/ND from src to dst (for timing measurements that ARP retries would blur)."""
        ns = self.ns[src_role]
        dev = self.dev["remote%d" % t] if src_role == "remote" else "t%d-%s" % (t, self.sfx)
        for v6 in (False, True):
            netns.ip(ns, "neigh", "replace", host_ip(t, dst_role, v6), "lladdr", host_mac(t, dst_role), "dev", dev,
                     "nud", "permanent")

    def logs_hint(self):
        return self.dir


def _unmount_under(directory):
    """Unmounts what a test left mounted under its directory (tsunagid --frr's VRF
    namespaces, their directory), deepest first."""
    errs = []
    top = os.path.realpath(directory) + "/"
    points = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            at = line.split()[4]
            if (at + "/").startswith(top):
                points.append(at)
    for at in sorted(set(points), key=len, reverse=True):
        r = subprocess.run(["umount", "-l", at], capture_output=True, text=True)
        if r.returncode != 0:
            errs.append("umount %s: %s" % (at, r.stderr.strip()))
    return errs
