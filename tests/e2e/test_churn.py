"""Churn under load (issue 7 item 2): 10 000 table changes while two tenants carry traffic.

Two untouched tenants ping at 10 ms (cust-0001 cloud -> srv, cust-0002 srv -> cloud) while a
client of tsunagid's shell socket applies configurations that, one reload after another,
add and remove tenants (with attachments on the same access ports and VTEPs), move their
attachments to other VLANs, add and remove their static MACs, and add and remove routes in
their VRFs: 10 000 changes as tsunagid's reload diffs count them. Proved: zero pings lost,
zero frames of one tenant delivered to the other's hosts (captured on each host's tagged
interface), tsunagid and the dataplane still up, and the last configuration in force.
"""
import json
import os
import random
import socket
import time

from lib import yamlcfg
from lib.capture import Capture
from lib.procs import wait_until
from lib.topo import Topology

CHANGES = int(os.environ.get("TSUNAGI_CHURN_CHANGES", "10000"))


class ShellClient:
    """tsunagid's shell protocol (control/shell/protocol.hpp) on one connection."""

    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.connect(path)
        self.f = self.s.makefile("rw")

    def exec(self, line):
        self.f.write(json.dumps({"op": "exec", "line": line}) + "\n")
        self.f.flush()
        return json.loads(self.f.readline())


class Churn:
    """Tenants churn-N on the access ports, each with its own VLANs, VNI and hybrid VLAN."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.tenants = {}
        self.next_id = 0
        self.free_vlans = list(range(2000, 2400))
        self.rng.shuffle(self.free_vlans)

    def _new(self):
        n = self.next_id
        self.next_id += 1
        t = {"name": "churn-%d" % n, "vni": 300000 + n, "hybrid_vlan": 3100 + n % 800,
             "cloud": self.free_vlans.pop(), "srv": self.free_vlans.pop(), "mac": False,
             "vrf": n % 2 == 0, "routes": set(), "n": n}
        self.tenants[t["name"]] = t

    def step(self):
        kinds = ["add", "remove", "move", "mac", "route"]
        if len(self.tenants) < 4:
            kind = "add"
        elif len(self.tenants) > 40:
            kind = "remove"
        else:
            kind = self.rng.choice(kinds)
        if kind == "add":
            # hybrid VLANs cycle through 800 values: never two live tenants on one
            if all(t["hybrid_vlan"] != 3100 + self.next_id % 800 for t in self.tenants.values()):
                return self._new()
            kind = "remove"
        t = self.tenants[self.rng.choice(sorted(self.tenants))]
        if kind == "remove":
            del self.tenants[t["name"]]
            self.free_vlans[:0] = [t["cloud"], t["srv"]]
        elif kind == "move":
            old = t["cloud"]
            t["cloud"] = self.free_vlans.pop()
            self.free_vlans.insert(0, old)
        elif kind == "mac":
            t["mac"] = not t["mac"]
        elif kind == "route" and t["vrf"]:
            r = self.rng.randrange(16)
            t["routes"] ^= {r}
        else:
            t["mac"] = not t["mac"]

    def yaml_tenants(self, site_vtep):
        out = []
        for t in sorted(self.tenants.values(), key=lambda x: x["n"]):
            d = {"name": t["name"], "vni": t["vni"], "hybrid_vlan": t["hybrid_vlan"],
                 "attachments": [{"port": "cloud0", "vlan": t["cloud"]}, {"port": "srv0", "vlan": t["srv"]}],
                 "vteps": [site_vtep]}
            if t["mac"]:
                d["static_macs"] = [{"mac": "02:cc:%02x:%02x:00:01" % (t["n"] >> 8 & 255, t["n"] & 255),
                                     "port": "cloud0", "vlan": t["cloud"]}]
            if t["vrf"]:
                a, b = 100 + (t["n"] >> 8) % 100, t["n"] & 255
                d["vrf"] = {"rd": "65000:%d" % (1000 + t["n"]), "gateway": ["10.%d.%d.1/24" % (a, b)],
                            "route_targets": {"import": ["65000:%d" % (1000 + t["n"])],
                                              "export": ["65000:%d" % (1000 + t["n"])]},
                            "static_routes": [{"prefix": "172.%d.%d.0/24" % (16 + r, b), "via": "10.%d.%d.9" % (a, b)}
                                              for r in sorted(t["routes"])]}
            out.append(d)
        return out


def test_churn_10000_changes_under_traffic(ctx):
    ctx.require_node()
    with Topology(ctx, tenants=[1, 2]) as t:
        t.start_node()
        t.wait_forwarding("srv", 2, "cloud", timeout=20)
        base = t.config()
        site_vtep = base["tenants"][0]["vteps"][0]
        for n in (1, 2):
            t.static_neighbors("cloud", n, "srv")
            t.static_neighbors("srv", n, "cloud")
        caps = {}
        for role, n in (("cloud", 1), ("cloud", 2), ("srv", 1), ("srv", 2)):
            caps[(role, n)] = Capture(t.procs, "cap-%s%d" % (role, n), t.ns[role], "t%d-%s" % (n, t.sfx),
                                      os.path.join(t.dir, "%s%d.pcap" % (role, n)), bpf="ip").start()
        p1 = t.pinger("ping-1", "cloud", 1, "srv").start()
        p2 = t.pinger("ping-2", "srv", 2, "cloud").start()
        wait_until(lambda: p1.progress()["received"] >= 20 and p2.progress()["received"] >= 20, 10,
                   what="both tenants forwarding")
        sh = ShellClient(os.path.join(t.runtime_dir, "shell.sock"))
        assert sh.exec("configure")["ok"]
        churn = Churn(seed=7)
        changes = reloads = 0
        t0 = time.monotonic()
        while changes < CHANGES:
            for _ in range(4):
                churn.step()
            cfg = dict(base)
            cfg["tenants"] = base["tenants"] + churn.yaml_tenants(site_vtep)
            yamlcfg.write(t.config_path, cfg)
            r = sh.exec("reload")
            assert r["ok"], "reload %d refused:\n%s" % (reloads, r["output"])
            lines = [ln for ln in r["output"].splitlines() if ln not in ("applied", "no changes")]
            changes += len(lines)
            reloads += 1
        took = time.monotonic() - t0
        assert t.tsunagid.alive() and t.dataplane.alive(), "a daemon died under churn"
        r1, r2 = p1.stop(), p2.stop()
        names = [x["name"] for x in json.loads(sh.exec("do show tenants json")["output"])["tenants"]]
        assert names == [x["name"] for x in cfg["tenants"]], "the last configuration is not in force"
        leaks = []
        for (role, n), cap in caps.items():
            other = "10.%d." % (3 - n)
            for p in cap.stop():
                if p.haslayer("IP") and (p["IP"].src.startswith(other) or p["IP"].dst.startswith(other)):
                    leaks.append("%s%d saw %s > %s" % (role, n, p["IP"].src, p["IP"].dst))
        ctx.note("%d changes in %d reloads over %.1f s (%.0f changes/s); up to 40 churning tenants"
                 % (changes, reloads, took, changes / took))
        ctx.note("cust-0001: %d/%d lost; cust-0002: %d/%d lost; frames of the other tenant at a host: %d"
                 % (r1["lost"], r1["sent"], r2["lost"], r2["sent"], len(leaks)))
        assert r1["lost"] == 0 and r2["lost"] == 0, "lost under churn: %s, %s" % (r1["runs"], r2["runs"])
        assert not leaks, "misdelivered: %s" % leaks[:5]
