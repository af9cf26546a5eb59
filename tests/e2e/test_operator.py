"""Operating the node by hand (issue 20): what an operator meets with their own files, a
terminal, restarts and mistakes, on the live node of test_live.py.

  cloud1 ─┐                         ┌─ site: kernel VXLAN VTEP (192.0.2.2)
  srv1   ─┼─ tsunagi-dataplane ─ core0
  bb1    ─┘   tsunagid (RUNTIME_DIR = the test's run/)

(o1) One tsunagid and one dataplane per runtime directory: a second of either is refused,
     naming the running one's PID, and changes nothing (the socket stays, a reload of the
     first still reaches the dataplane); after SIGKILL the next one starts.
(o2) runtime_dir and the files given to --check: `..` is refused, an existing directory is
     never changed (one anybody can write to is refused, left as it was), a directory or a
     binary file is named for what it is, in printable text, and a device string with shell
     syntax is refused by --check; no run leaves DPDK's runtime directory behind.
(o3) With ARP resolving the VTEP, show vteps has one row, resolved; show dataplane counts
     live entries; a removed tenant's MACs leave show mac-table with it.
(o4) The configuration history survives a restart of tsunagid, and rollback reaches what
     was applied before it; a configuration over the size limit is refused and nothing
     changes; an unconfirmed reload that rolls back tells the terminal that asked, and the
     running configuration still names its file.
(o5) A port without `mac:` keeps its device's MAC, and the tables carry it: VXLAN leaves
     the underlay port with the veth's own address as source.
"""
import glob
import os
import re
import signal
import stat
import subprocess
import time

from lib import capture, netns, shell, yamlcfg
from lib.procs import wait_until
from lib.term import Terminal
from lib.topo import PORT_MAC, SITE_MAC, SITE_V4, Topology, host_mac

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _dpdk_dirs(sfx):
    return glob.glob("/var/run/dpdk/*%s*" % sfx)


def _run(argv, timeout=30):
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, errors="replace")


def test_o1_one_daemon_per_runtime_directory(ctx):
    """(o1) A second tsunagid or dataplane on the same runtime directory is refused."""
    ctx.require_node()
    with Topology(ctx, tenants=[1, 2]) as t:
        t.start_node(tenants=[1])
        first = t.tsunagid.pid
        sock = os.path.join(t.runtime_dir, "shell.sock")
        ino = os.stat(sock).st_ino
        second = t.procs.add("tsunagid-2", t.ns["dp"], [ctx.bins["tsunagid"], "--config", t.config_path])
        second.start()
        rc = second.wait(10)
        assert rc == 4, "a second tsunagid was not refused (rc %s):\n%s" % (rc, second.tail())
        want = "another tsunagid (pid %d) runs for runtime directory %s" % (first, t.runtime_dir)
        assert want in second.log(), second.tail()
        assert os.stat(sock).st_ino == ino, "the refused tsunagid replaced the shell socket"
        # The first one still owns the dataplane: a tenant it adds gets through.
        t.write_config(tenants=[1, 2])
        out = shell.run(ctx, t, "configure", "reload")
        assert "applied" in out, out
        t.wait_forwarding("cloud", 2, "srv", timeout=20)

        dp2 = t.procs.add("dataplane-2", t.ns["dp"], [ctx.bins["dataplane"], "--config", t.config_path])
        dp2.start()
        rc = dp2.wait(20)
        want = "another tsunagi-dataplane (pid %d)" % t.dataplane.pid
        assert rc == 4 and want in dp2.log(), "a second dataplane (rc %s):\n%s" % (rc, dp2.tail())
        t.wait_forwarding("cloud", 1, "srv", timeout=10)

        # SIGKILL leaves the lock file; the kernel took the lock with the process.
        t.tsunagid.stop(signal.SIGKILL)
        t.start_tsunagid(wait=False)
        t.tsunagid.wait_log(r"running; SIGHUP reloads", 20)
        t.wait_forwarding("cloud", 2, "srv", timeout=20)
        ctx.note("second tsunagid and dataplane refused naming pids %d and %d; restart after SIGKILL works"
                 % (first, t.dataplane.pid))

        # A stopped dataplane takes DPDK's runtime directory with it.
        assert _dpdk_dirs(t.sfx), "no DPDK runtime directory while the dataplane runs"
        t.dataplane.stop()
        assert not _dpdk_dirs(t.sfx), "left behind: %s" % _dpdk_dirs(t.sfx)


def test_o2_runtime_dir_and_check(ctx):
    """(o2) runtime_dir must be normalised; an existing directory is never changed; --check
    names a directory, prints no control bytes and refuses shell syntax in a device."""
    ctx.require_node()
    d = ctx.new_workdir("o2-%d" % os.getpid())
    tsunagid = ctx.bins["tsunagid"]

    def config(runtime_dir, device="net_null0"):
        cfg = yamlcfg.node_config("o2", runtime_dir, None, [{"name": "a0", "role": "access", "device": device}],
                                  [], [])
        del cfg["node"]["vtep"]
        path = os.path.join(d, "node.yaml")
        yamlcfg.write(path, cfg)
        return path

    r = _run([tsunagid, "--check", config("/run/tsunagi/../../tmp")])
    assert r.returncode == 3 and "must be normalised: no '.' or '..' components" in r.stderr, r.stderr
    r = _run([tsunagid, "--check", config("/run/tsunagi-o2", device="net_tap0,iface=x;reboot")])
    assert r.returncode == 3 and "is not a DPDK device" in r.stderr, r.stderr

    # A directory anybody may write to (as /tmp): refused, and not touched.
    open_dir = os.path.join(d, "open")
    os.mkdir(open_dir)
    os.chmod(open_dir, 0o1777)
    r = _run([tsunagid, "--config", config(open_dir)], timeout=20)
    assert r.returncode == 4 and "can be written by every user" in r.stderr, r.stderr
    assert stat.S_IMODE(os.stat(open_dir).st_mode) == 0o1777
    # The operator's own directory: used as it is.
    own = os.path.join(d, "own")
    os.mkdir(own, 0o700)
    os.chmod(own, 0o700)
    p = subprocess.Popen([tsunagid, "--config", config(own)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         text=True)
    try:
        wait_until(lambda: os.path.exists(os.path.join(own, "shell.sock")) or p.poll() is not None, 20,
                   what="tsunagid on an existing directory")
        assert p.poll() is None, p.stderr.read()
        assert stat.S_IMODE(os.stat(own).st_mode) == 0o700, "tsunagid changed the mode of %s" % own
    finally:
        p.terminate()
        p.wait(10)
        for o in glob.glob("/dev/shm/*o2*"):
            os.unlink(o)

    r = _run([tsunagid, "--check", d])
    assert r.returncode == 3 and "%s: is a directory, not a YAML file" % d in r.stderr, r.stderr
    binary = os.path.join(d, "binary.yaml")
    with open(binary, "wb") as f:
        f.write(b"node:\n  name: \"a\\\x00\x1b[2J\"\n")
    r = subprocess.run([tsunagid, "--check", binary], capture_output=True, timeout=20)
    assert r.returncode == 3, r.stderr
    assert not re.search(rb"[\x00-\x09\x0b-\x1f\x7f]", r.stderr), "control bytes in: %r" % r.stderr
    assert b"\\x00" in r.stderr, r.stderr

    # tsunagi-replay leaves no DPDK runtime directory either.
    case = os.path.join(REPO, "tests", "golden", "cases", "003_flood_broadcast")
    out = os.path.join(d, "replay")
    replay = subprocess.Popen([os.path.join(ctx.build, "tools", "tsunagi-replay"), "--config",
                               os.path.join(case, "config.yaml"), "--out", out], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    text, _ = replay.communicate(timeout=60)
    assert replay.returncode == 0, text
    left = glob.glob("/var/run/dpdk/tsunagi-replay-%d" % replay.pid)
    assert not left, "tsunagi-replay left %s" % left
    ctx.note("runtime_dir with '..' refused; 1777 directory refused and unchanged; 0700 kept; "
             "--check on a directory and a binary file answered in printable text")


def test_o3_show_output_from_live_entries(ctx):
    """(o3) show vteps after ARP resolves the VTEP; counts of live entries; a removed tenant's MACs."""
    ctx.require_node()
    with Topology(ctx, tenants=[1, 2], resolve="arp") as t:
        t.start_node(tenants=[1, 2], probe=("cloud", 1, "remote"))
        t.wait_forwarding("cloud", 2, "srv", timeout=20)
        vteps = shell.show_json(ctx, t, "show vteps")["vteps"]
        assert len(vteps) == 1 and vteps[0]["vtep"] == SITE_V4 and vteps[0]["resolved"], vteps
        tables = shell.show_json(ctx, t, "show dataplane")["tables"]
        # Each tenant: the trunk, two attachments and the VTEP.
        assert tables["tenants"] == 2 and tables["vteps"] == 1 and tables["members"] == 8, tables
        macs = {(e["tenant"], e["mac"]) for e in shell.show_json(ctx, t, "show mac-table")["entries"]}
        assert ("cust-0002", host_mac(2, "cloud")) in macs, macs
        t.write_config(tenants=[1])
        shell.run(ctx, t, "configure", "reload")
        entries = shell.show_json(ctx, t, "show mac-table")["entries"]
        assert {e["tenant"] for e in entries} == {"cust-0001"}, entries
        out = shell.run(ctx, t, "show mac-table tenant cust-0002", ok=False)
        assert out.startswith("% No tenant named cust-0002"), out
        tables = shell.show_json(ctx, t, "show dataplane")["tables"]
        assert tables["tenants"] == 1 and tables["members"] == 4, tables
        ctx.note("show vteps: 1 row, resolved by ARP; %d members, %d VTEP after removing cust-0002"
                 % (tables["members"], tables["vteps"]))


def test_o4_history_limits_and_notices(ctx):
    """(o4) history across a restart, the size limit, the notice of a rollback by itself."""
    ctx.require_node()
    with Topology(ctx, tenants=[1, 2]) as t:
        t.start_node(tenants=[1])
        names = lambda: [x["name"] for x in shell.show_json(ctx, t, "show tenants")["tenants"]]  # noqa: E731
        t.write_config(tenants=[1, 2])
        shell.run(ctx, t, "configure", "reload")
        assert names() == ["cust-0001", "cust-0002"]
        t.tsunagid.restart()
        t.tsunagid.wait_log(r"running; SIGHUP reloads", 20)
        hist = shell.show_json(ctx, t, "show config-history")["history"]
        assert [h["origin"] for h in hist] == ["reload", "startup"], hist
        shell.run(ctx, t, "configure", "rollback 1")
        assert names() == ["cust-0001"], "rollback 1 after a restart did not return to the startup config"

        # 17 MiB, valid YAML (mostly a comment): refused, nothing changes.
        t.write_config(tenants=[1, 2])
        with open(t.config_path, "a") as f:
            f.write("# " + "x" * (17 << 20) + "\n")
        t0 = time.monotonic()
        out = shell.run(ctx, t, "configure", "reload", ok=False)
        took = time.monotonic() - t0
        assert "over the limit of 16777216 bytes (--max-config-size)" in out and out.startswith("% "), out
        assert names() == ["cust-0001"]
        ctx.note("a 17 MiB configuration refused in %.2f s" % took)

        # An unconfirmed reload rolls back by itself: the terminal that asked is told.
        t.write_config(tenants=[1, 2])
        term = Terminal([ctx.bins["shell"], "--runtime-dir", t.runtime_dir],
                        env={"TERM": "dumb", "HOME": t.dir, "TSUNAGI_PAGER": "cat"})
        try:
            cprompt = re.escape("e2e-%s(config)# " % t.sfx)
            term.expect(re.escape("e2e-%s# " % t.sfx))
            term.send("configure\r")
            term.expect(cprompt)
            term.send("reload confirm-within 2\r")
            term.expect("rolls back in 2 s")
            term.expect(cprompt)
            out = term.expect(r"% the reload was not confirmed in time: the configuration before it was applied "
                              r"again", timeout=15)
            term.send("exit\r")
            term.send("exit\r")
            term.wait(10)
        finally:
            term.close()
        assert names() == ["cust-0001"]
        running = shell.show_json(ctx, t, "show running-config")
        assert running["file"] == t.config_path, running["file"]
        ctx.note("history kept across a restart; rollback 1 reached the startup config; the notice reached "
                 "the terminal")


def test_o5_port_without_mac_keeps_its_device_mac(ctx):
    """(o5) No `mac:` on the underlay port: its veth keeps its MAC, and VXLAN leaves from it."""
    ctx.require_node()
    with Topology(ctx, tenants=[1]) as t:
        cfg = t.config()
        for p in cfg["ports"]:
            if p["name"] == "core0":
                del p["mac"]
        yamlcfg.write(t.config_path, cfg)
        core = t.dev["core0"]
        before = netns.link_mac(t.ns["dp"], core)
        t.start_tsunagid()
        t.start_dataplane()
        t.tsunagid.wait_log(r"port core0 \(no mac: given\) has its device's MAC " + re.escape(before), 20)
        t.wait_forwarding("cloud", 1, "remote", timeout=30)
        assert netns.link_mac(t.ns["dp"], core) == before, "the dataplane rewrote core0's MAC"
        ifs = {i["name"]: i for i in shell.show_json(ctx, t, "show interfaces")["interfaces"]}
        assert ifs["core0"]["mac"] == before, ifs["core0"]
        cap = capture.Capture(t.procs, "cap-core", t.ns["site"], t.dev["s-core"],
                              os.path.join(t.dir, "core.pcap"), bpf="udp port 4789").start()
        r = t.pinger("ping", "cloud", 1, "remote", count=5).start().result()
        frames = cap.stop()
        assert r["lost"] == 0 and frames, (r, len(frames))
        sources = {f.src for f in frames if f.dst == SITE_MAC}
        assert sources == {before}, "VXLAN from %s, the device has %s" % (sources, before)
        ctx.note("core0 keeps %s (PORT_MAC %s); %d VXLAN frames from it" % (before, PORT_MAC["core0"], len(frames)))
