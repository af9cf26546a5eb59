"""An FRR instance in a namespace: a carrier's ASBR for the private-link tests, and the
clean-up of the node's own FRR daemons (which tsunagid --frr starts and deliberately leaves
running when it exits)."""
import glob
import json
import os
import pwd
import signal
import subprocess

SBIN = "/usr/lib/frr"
DAEMONS = ("zebra", "staticd", "bgpd")


class Frr:
    def __init__(self, ns, directory, conf, hostname):
        self.ns, self.dir, self.conf, self.hostname = ns, directory, conf, hostname

    def start(self):
        os.makedirs(self.dir, exist_ok=True)
        with open(os.path.join(self.dir, "frr.conf"), "w") as f:
            f.write(self.conf)
        with open(os.path.join(self.dir, "vtysh.conf"), "w") as f:
            f.write("service integrated-vtysh-config\nhostname %s\n" % self.hostname)
        pw = pwd.getpwnam("frr")
        for p in [self.dir] + [os.path.join(self.dir, x) for x in os.listdir(self.dir)]:
            os.chown(p, pw.pw_uid, pw.pw_gid)
        for d in ("zebra", "bgpd"):
            self.start_daemon(d)
        return self

    def start_daemon(self, d):
        argv = ["ip", "netns", "exec", self.ns, os.path.join(SBIN, d), "-d", "-P", "0",
                "-f", os.path.join(self.dir, "frr.conf"), "--vty_socket", self.dir,
                "-i", os.path.join(self.dir, d + ".pid"), "-z", os.path.join(self.dir, "zserv.api"),
                "--log", "file:" + os.path.join(self.dir, d + ".log")]
        if d == "zebra":
            argv += ["-s", "90000000"]  # as Debian's /etc/frr/daemons: EVPN VNIs by the thousand
        subprocess.run(argv, check=True, timeout=30, capture_output=True)

    def vtysh(self, *cmds, check=True):
        argv = ["vtysh", "--vty_socket", self.dir]
        for c in cmds:
            argv += ["-c", c]
        r = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        if check and r.returncode != 0:
            raise RuntimeError("vtysh %s: rc %d: %s%s" % (cmds, r.returncode, r.stdout, r.stderr))
        return r.stdout

    def json(self, cmd):
        out = self.vtysh(cmd)
        return json.loads(out) if out.strip() else {}

    def configure(self, *lines):
        self.vtysh("configure terminal", *lines)

    def stop(self):
        kill_daemons(self.dir)


def daemon_pids(directory):
    """FRR daemons running from pid files under directory (recursively): {name: pid}."""
    out = {}
    for pf in glob.glob(os.path.join(directory, "**", "*.pid"), recursive=True):
        name = os.path.basename(pf)[:-4]
        if name not in DAEMONS:
            continue
        try:
            pid = int(open(pf).read().strip())
            with open("/proc/%d/comm" % pid) as f:
                if f.read().strip() == name:
                    out[pf] = pid
        except (OSError, ValueError):
            pass
    return out


def kill_daemons(directory, sig=signal.SIGKILL):
    for pid in daemon_pids(directory).values():
        try:
            os.kill(pid, sig)
        except OSError:
            pass
