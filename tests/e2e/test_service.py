"""The systemd units (issue 5 item 4): the unit files pass `systemd-analyze verify`, and both
daemons speak systemd's notify protocol the way the units expect: READY=1 only when they do
their job (the dataplane: forwarding with tsunagid's tables), WATCHDOG=1 at half the period,
RELOADING=1 then READY=1 around a SIGHUP reload, and the units' synchronous ExecReload
failing for a refused configuration. A socket the test binds stands in for systemd.
"""
import os
import re
import shutil
import socket
import subprocess
import time

from lib.context import Skip
from lib.topo import TENANTS, Topology

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class NotifySocket:
    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.messages = []  # (monotonic time, text)
        self.consumed = 0  # messages before this one were matched or passed over

    def read(self, timeout):
        self.sock.settimeout(timeout)
        try:
            self.messages.append((time.monotonic(), self.sock.recv(4096).decode()))
            return True
        except socket.timeout:
            return False

    def wait_for(self, pattern, timeout=20.0):
        """The next message matching `pattern` after the last one returned."""
        deadline = time.monotonic() + timeout
        while True:
            while self.consumed < len(self.messages):
                t, m = self.messages[self.consumed]
                self.consumed += 1
                if re.search(pattern, m):
                    return t, m
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("no %r from the daemon; got %s" % (pattern, self.messages))
            self.read(left)


def test_service_units_verify(ctx):
    ctx.require_node()
    if shutil.which("systemd-analyze") is None:
        raise Skip("systemd-analyze missing")
    d = ctx.new_workdir("units")
    bindir = os.path.join(d, "bin")
    os.makedirs(bindir)
    for name, path in (("tsunagid", ctx.bins["tsunagid"]), ("tsunagi-dataplane", ctx.bins["dataplane"]),
                       ("tsunagi-sh", ctx.bins["shell"])):
        os.symlink(path, os.path.join(bindir, name))
    for unit in ("tsunagid.service", "tsunagi-dataplane.service"):
        text = open(os.path.join(REPO, "tools", "systemd", unit + ".in")).read()
        text = text.replace("@BINDIR@", bindir).replace("@DOCDIR@", d)
        with open(os.path.join(d, unit), "w") as f:
            f.write(text)
    r = subprocess.run(["systemd-analyze", "verify", os.path.join(d, "tsunagid.service"),
                        os.path.join(d, "tsunagi-dataplane.service")], capture_output=True, text=True)
    # Outside a running systemd, verify may only complain that it cannot reach the manager.
    problems = [ln for ln in (r.stdout + r.stderr).splitlines()
                if ln.strip() and "Failed to connect" not in ln and "bus" not in ln.lower()]
    assert not problems, "systemd-analyze verify:\n%s" % "\n".join(problems)
    ctx.note("systemd-analyze verify: both units clean")


def test_service_notify_ready_watchdog_reload(ctx):
    ctx.require_node()
    with Topology(ctx, tenants=[1, 2]) as t:
        t.write_config(tenants=[1])
        nd = NotifySocket(os.path.join(t.dir, "notify-tsunagid"))
        nd_dp = NotifySocket(os.path.join(t.dir, "notify-dataplane"))
        env = {"NOTIFY_SOCKET": nd.path, "WATCHDOG_USEC": "1000000"}
        t.tsunagid = t.procs.add("tsunagid", t.ns["dp"], [ctx.bins["tsunagid"], "--config", t.config_path],
                                 env=env)
        t.tsunagid.start()
        _, ready = nd.wait_for(r"READY=1")
        assert "table generation 1" in ready, ready
        # (Times are when the test read a message: the first ones may have queued.)
        for _ in range(3):
            t1, _ = nd.wait_for(r"WATCHDOG=1", 5)
        t2, _ = nd.wait_for(r"WATCHDOG=1", 5)
        assert 0.3 < t2 - t1 < 0.8, "watchdog pings %.2f s apart for a 1 s watchdog" % (t2 - t1)
        # SIGHUP: RELOADING=1, then READY=1 once applied.
        t.write_config(tenants=[1, 2])
        t.tsunagid.kill(__import__("signal").SIGHUP)
        nd.wait_for(r"RELOADING=1", 10)
        _, again = nd.wait_for(r"READY=1\nSTATUS=reloaded", 10)
        # The dataplane: READY=1 only after its workers use the tables.
        t.dataplane = t.procs.add("dataplane", t.ns["dp"], [ctx.bins["dataplane"], "--config", t.config_path],
                                  env={"NOTIFY_SOCKET": nd_dp.path, "WATCHDOG_USEC": "2000000"})
        t.dataplane.start()
        t_ready, msg = nd_dp.wait_for(r"READY=1", 60)
        assert "forwarding with table generation" in msg, msg
        assert re.search(r"using table generation", t.dataplane.log()), \
            "the dataplane said READY before using tables:\n%s" % t.dataplane.tail()
        nd_dp.wait_for(r"WATCHDOG=1", 5)
        t.wait_forwarding("cloud", 2, "srv", timeout=20)
        # The units' ExecReload: synchronous, and failing for a refused file.
        bad = open(t.config_path).read().replace("vni: %d" % TENANTS[2]["vni"], "vni: %d" % TENANTS[1]["vni"])
        t.write_config(text=bad)
        r = subprocess.run([ctx.bins["shell"], "--runtime-dir", t.runtime_dir, "-c", "configure", "-c", "reload"],
                           capture_output=True, text=True, timeout=30)
        assert r.returncode == 1 and "the running configuration stays" in r.stdout, (r.returncode, r.stdout)
        ctx.note("tsunagid READY: %s; dataplane READY: %s" % (ready.splitlines()[-1], msg.splitlines()[-1]))
