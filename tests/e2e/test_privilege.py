"""Least privilege (issue 7 item 5), live: tsunagid as an unprivileged user.

The node's YAML names a group (`node.group: nogroup`); the dataplane runs as root, tsunagid
as user nobody of that group with no capabilities at all (setpriv: no ambient, inheritable
or bounding capabilities, no supplementary groups). Both daemons give what they create to
the group, mode 0660, and nothing to other users.

  (p) tables published, frames forwarded both ways; tsunagid's uid is nobody's and its
      effective capabilities are none; every shared-memory object and both sockets are
      the group's, mode 0660; the MAC table (tsunagid asking the dataplane over its
      command socket) and a reload through the shell work.
"""
import grp
import os
import pwd
import stat

from lib import shell, yamlcfg
from lib.topo import Topology, host_mac

USER, GROUP = "nobody", "nogroup"


def _status(pid):
    with open("/proc/%d/status" % pid) as f:
        return dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)


def test_p_tsunagid_without_root(ctx):
    """(p) tsunagid as nobody:nogroup, no capabilities: forwards, shares only with the group."""
    ctx.require_node()
    uid, gid = pwd.getpwnam(USER).pw_uid, grp.getgrnam(GROUP).gr_gid
    with Topology(ctx, tenants=[1]) as t:
        cfg = t.config()
        cfg["node"]["group"] = GROUP
        yamlcfg.write(t.config_path, cfg, header="end-to-end test node: tsunagid without root")
        # What nobody must reach: its configuration, and a runtime directory of its own.
        os.chmod(t.dir, 0o711)
        os.chmod(t.config_path, 0o644)
        os.makedirs(t.runtime_dir, exist_ok=True)
        os.chown(t.runtime_dir, uid, gid)
        os.chmod(t.runtime_dir, 0o770)

        t.tsunagid = t.procs.add("tsunagid", t.ns["dp"], [
            "setpriv", "--reuid=" + USER, "--regid=" + GROUP, "--clear-groups", "--inh-caps=-all",
            "--ambient-caps=-all", "--bounding-set=-all", "--no-new-privs",
            ctx.bins["tsunagid"], "--config", t.config_path])
        t.tsunagid.start()
        t.wait_published()
        t.start_dataplane()
        t.wait_forwarding("cloud", 1, "srv", timeout=60)
        t.wait_forwarding("srv", 1, "cloud", timeout=20)

        st = _status(t.tsunagid.popen.pid)
        assert st["Name"].startswith("tsunagid"), st["Name"]
        assert st["Uid"].split()[:2] == [str(uid)] * 2, "tsunagid runs as uid %s" % st["Uid"]
        assert int(st["CapEff"], 16) == 0 and int(st["CapBnd"], 16) == 0, \
            "tsunagid has capabilities: CapEff %s CapBnd %s" % (st["CapEff"], st["CapBnd"])
        ctx.note("tsunagid: uid %s, gid %s, CapEff %s, CapBnd %s" % (st["Uid"].split()[0], st["Gid"].split()[0],
                                                                   st["CapEff"], st["CapBnd"]))

        objects = t.shm_objects()
        assert objects, "no shared-memory objects"
        paths = objects + [os.path.join(t.runtime_dir, n) for n in ("shell.sock", "dataplane.sock")]
        for p in paths:
            s = os.stat(p)
            assert s.st_gid == gid and stat.S_IMODE(s.st_mode) == 0o660, \
                "%s: group %d, mode %o (want %d, 660)" % (p, s.st_gid, stat.S_IMODE(s.st_mode), gid)
        owners = sorted({(pwd.getpwuid(os.stat(p).st_uid).pw_name, os.path.basename(p)) for p in paths})
        ctx.note("group %s, mode 0660, nothing for others: %s" % (GROUP, ", ".join("%s (%s)" % (n, o)
                                                                                for o, n in owners)))
        tables = [p for p in objects if os.stat(p).st_uid == uid]
        assert tables, "no object of tsunagid's own (the tables): %s" % objects

        # tsunagid, as nobody, asks the dataplane (root) for its MAC table.
        macs = shell.show_json(ctx, t, "show mac-table")
        learned = {e["mac"] for e in macs["entries"]}
        assert host_mac(1, "cloud") in learned and host_mac(1, "srv") in learned, macs
        out = shell.run(ctx, t, "configure", "reload")
        assert "error" not in out.lower(), out
        t.wait_forwarding("cloud", 1, "srv", timeout=20)
        assert t.tsunagid.alive() and t.dataplane.alive()
