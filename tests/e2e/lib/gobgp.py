"""GoBGP (Debian `gobgpd`) in a namespace: a carrier's ASBR that, unlike FRR, negotiates no
graceful restart and no enhanced route refresh, so it sends no End-of-RIB and no
End-of-Route-Refresh: only UPDATEs, also when asked for a route refresh."""
import os
import subprocess

from .context import Skip

GOBGPD = "/usr/bin/gobgpd"
GOBGP = "/usr/bin/gobgp"
API = "127.0.0.1:50051"  # the carrier namespace's own loopback


def config(asn, router_id, neighbor, peer_as, hold=9, connect_retry=5):
    """One eBGP neighbour with VPNv4; graceful restart stays off (GoBGP's default). gobgpd
    waits 5 s in Idle after a session ends, then connects after 1 to 2 connect-retry
    intervals (at least 5 s): a session it ends comes back 10 to 15 s later."""
    return """[global.config]
  as = %d
  router-id = "%s"
  local-address-list = ["%s"]

[[neighbors]]
  [neighbors.config]
    neighbor-address = "%s"
    peer-as = %d
  [neighbors.timers.config]
    hold-time = %d
    keepalive-interval = %d
    connect-retry = %d
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "l3vpn-ipv4-unicast"
""" % (asn, router_id, router_id, neighbor, peer_as, hold, max(1, hold // 3), connect_retry)


def require():
    if not os.access(GOBGPD, os.X_OK) or not os.access(GOBGP, os.X_OK):
        raise Skip("%s not installed (Debian gobgpd)" % GOBGPD)


class GoBgp:
    def __init__(self, procs, ns, directory, conf):
        self.procs, self.ns, self.dir, self.conf = procs, ns, directory, conf
        self.proc = None

    def start(self):
        os.makedirs(self.dir, exist_ok=True)
        path = os.path.join(self.dir, "gobgpd.toml")
        with open(path, "w") as f:
            f.write(self.conf)
        self.proc = self.procs.start("gobgpd", self.ns, [GOBGPD, "-f", path, "-p", "--api-hosts", API,
                                                         "--pprof-disable"])
        return self

    def cli(self, *args, check=True):
        argv = ["ip", "netns", "exec", self.ns, GOBGP, "-u", API.split(":")[0], "-p", API.split(":")[1]]
        r = subprocess.run(argv + list(args), capture_output=True, text=True, timeout=20)
        if check and r.returncode != 0:
            raise RuntimeError("gobgp %s: rc %d: %s%s" % (" ".join(args), r.returncode, r.stdout, r.stderr))
        return r.stdout

    def add_vpn4(self, prefix, rd, label, rt):
        self.cli("global", "rib", "-a", "vpnv4", "add", prefix, "label", str(label), "rd", rd, "rt", rt)

    def del_vpn4(self, prefix, rd, label, rt):
        self.cli("global", "rib", "-a", "vpnv4", "del", prefix, "label", str(label), "rd", rd, "rt", rt)

    def state(self, neighbor):
        """The session's FSM state as `gobgp neighbor` prints it (e.g. "ESTABLISHED")."""
        out = self.cli("neighbor", neighbor, check=False)
        for line in out.splitlines():
            if "BGP state" in line:
                return line.split("=", 1)[1].split(",")[0].strip()
        return ""

    def established(self, neighbor):
        return "ESTABLISHED" in self.state(neighbor).upper()
