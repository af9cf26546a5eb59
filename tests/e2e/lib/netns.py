"""Network namespaces, veth pairs, bridges and vxlan devices, with guaranteed cleanup.

`Net` owns everything it creates. Use it as a context manager; on exit (normal, exception,
Ctrl-C, or SIGTERM once run.py has turned it into SystemExit) it runs its clean-ups in
reverse order: processes registered with it first, then the namespaces (deleting a
namespace deletes the links inside it). A module-level atexit hook closes any Net that is
still open, as a last resort.

Names carry a per-run suffix so parallel runs never collide; interface names are checked
against the kernel's 15-character limit.
"""
import atexit
import secrets
import subprocess

IFNAMSIZ = 15
_open_nets = []


class NetError(Exception):
    pass


def new_suffix():
    return secrets.token_hex(3)  # 6 hex chars


def sh(argv, ns=None, check=True, timeout=30):
    """Run argv (in namespace ns if given); return stdout. Raise NetError on failure."""
    full = (["ip", "netns", "exec", ns] if ns else []) + list(argv)
    r = subprocess.run(full, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise NetError("%s: exit %d: %s" % (" ".join(full), r.returncode, r.stdout.strip()))
    return r.stdout


def ip(ns, *args, check=True):
    return sh(["ip"] + list(args), ns=ns, check=check)


def _ifname(name):
    if len(name) > IFNAMSIZ:
        raise NetError("interface name %r is longer than %d characters" % (name, IFNAMSIZ))
    return name


class Net:
    def __init__(self, suffix=None):
        self.suffix = suffix or new_suffix()
        self._cleanups = []  # (description, callable), run in reverse order
        self.namespaces = []
        self.closed = False
        _open_nets.append(self)

    # ---- lifetime ----------------------------------------------------------------------
    def defer(self, what, fn):
        """Register a clean-up; they run last-in first-out."""
        self._cleanups.append((what, fn))

    def close(self):
        if self.closed:
            return []
        self.closed = True
        errors = []
        while self._cleanups:
            what, fn = self._cleanups.pop()
            try:
                fn()
            except Exception as e:  # noqa: BLE001 -- keep cleaning
                errors.append("%s: %s" % (what, e))
        if self in _open_nets:
            _open_nets.remove(self)
        return errors

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # ---- objects -----------------------------------------------------------------------
    def ns(self, role):
        """Create namespace tsn-ROLE-SUFFIX with loopback up; returns its name."""
        name = "tsn-%s-%s" % (role, self.suffix)
        ip(None, "netns", "add", name)
        self.namespaces.append(name)

        def delete():
            subprocess.run(["ip", "netns", "del", name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.namespaces.remove(name)

        self.defer("netns %s" % name, delete)
        ip(name, "link", "set", "lo", "up")
        # Quiet hosts: no router solicitations or DAD delays on the test links.
        sysctl(name, "net.ipv6.conf.all.accept_dad", 0)
        sysctl(name, "net.ipv6.conf.default.accept_dad", 0)
        sysctl(name, "net.ipv6.conf.default.router_solicitations", 0)
        return name

    def veth(self, ns_a, name_a, ns_b, name_b, mtu=1600, mac_a=None, mac_b=None, ipv6_a=True, ipv6_b=True,
             offloads=False):
        """A veth pair created directly in its two namespaces, both ends up.

        ipv6_x=False disables IPv6 on that end (a raw port: the kernel sends nothing there).
        offloads=False turns off checksum offload, TSO, GSO and GRO on both ends, so that frames
        read by AF_PACKET (DPDK's net_af_packet, the shims) are complete, checksummed,
        MTU-sized Ethernet frames."""
        _ifname(name_a)
        _ifname(name_b)
        ip(None, "link", "add", "name", name_a, "netns", ns_a, "mtu", str(mtu), "type", "veth",
           "peer", "name", name_b, "netns", ns_b, "mtu", str(mtu))
        for ns, name, mac, v6 in ((ns_a, name_a, mac_a, ipv6_a), (ns_b, name_b, mac_b, ipv6_b)):
            if mac:
                ip(ns, "link", "set", "dev", name, "address", mac)
            if not v6:
                sysctl(ns, "net.ipv6.conf.%s.disable_ipv6" % name, 1)
            if not offloads:
                no_offloads(ns, name)
            ip(ns, "link", "set", "dev", name, "up")
        return name_a, name_b

    def bridge(self, ns, name, ports=(), mtu=None, ipv6=False):
        """A plain learning bridge (no STP, no multicast snooping); IPv6 off unless asked for."""
        _ifname(name)
        ip(ns, "link", "add", "name", name, "type", "bridge", "stp_state", "0", "forward_delay", "0",
           "mcast_snooping", "0")
        if not ipv6:
            sysctl(ns, "net.ipv6.conf.%s.disable_ipv6" % name, 1)
        if mtu:
            ip(ns, "link", "set", "dev", name, "mtu", str(mtu))
        for p in ports:
            ip(ns, "link", "set", "dev", p, "master", name)
        ip(ns, "link", "set", "dev", name, "up")
        return name

    def vxlan(self, ns, name, vni, local, remote, dev=None, port=4789, mtu=1500, learning=False):
        """A kernel VXLAN endpoint (the remote VTEP of the tests)."""
        _ifname(name)
        args = ["link", "add", "name", name, "type", "vxlan", "id", str(vni), "dstport", str(port),
                "local", local, "remote", remote]
        if dev:
            args += ["dev", dev]
        if not learning:
            args += ["nolearning"]
        # IPv6: no udp6zerocsumrx, so the kernel drops VXLAN/IPv6 packets whose UDP checksum is
        # zero or wrong; the node must compute it (DESIGN.md §3). It sends with checksums too.
        ip(ns, *args)
        ip(ns, "link", "set", "dev", name, "mtu", str(mtu))
        no_offloads(ns, name)
        ip(ns, "link", "set", "dev", name, "up")
        return name


def sysctl(ns, key, value):
    path = "/proc/sys/" + key.replace(".", "/")
    sh(["sh", "-c", "echo %s > %s" % (value, path)], ns=ns)


def no_offloads(ns, dev):
    # "Could not change any device features" for some keywords is fine: best effort per feature.
    for feat in ("tx", "tso", "gso", "gro", "tx-udp_tnl-segmentation", "tx-udp_tnl-csum-segmentation"):
        sh(["ethtool", "-K", dev, feat, "off"], ns=ns, check=False)


def link_mac(ns, dev):
    return sh(["cat", "/sys/class/net/%s/address" % dev], ns=ns).strip()


@atexit.register
def _close_all():
    for n in list(_open_nets):
        n.close()
