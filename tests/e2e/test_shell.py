"""The operator's shell (issue 5): tsunagi-sh against a live node (the topology of
test_live.py), driven through a pseudo-terminal as a person types, and one-shot with -c.

(a) In a terminal: `?` lists the next words with their help and keeps the line; Tab completes
    a word and a tenant name; unique prefixes abbreviate (`sh ten`); `| include` and `| count`
    filter; configure mode, `do`, `end` and `exit`; history; long output through the pager.
(b) -c: every show command's `json` parses, with the documented keys and the traffic just
    sent counted per port and per tenant.
(c) `reload` from the shell: `reload check` shows the diff and applies nothing; `reload`
    applies it; a broken file is refused with FILE:LINE:COL, exit status 1, and no ping lost.
(e) `reload confirm-within`, `confirm`, `rollback N` and `show config-history`.
(f) `show mac-table` and `clear mac-table` under traffic.
(g) `trace PORT HEX-FRAME`.
(d) The socket is mode 0660 and refuses a user outside its group.
"""
import json
import os
import re
import signal
import socket
import stat
import time

from lib.procs import wait_until
from lib.shell import run as _sh
from lib.shell import show_json as _json
from lib.term import Terminal
from lib.topo import TENANTS, Topology, host_mac


def _require_shell(ctx):
    ctx.require_node()
    if not os.access(ctx.bins["shell"], os.X_OK):
        from lib.context import Skip
        raise Skip("tsunagi-sh not built (%s)" % ctx.bins["shell"])


def test_shell_a_terminal_help_completion_filters_modes(ctx):
    _require_shell(ctx)
    with Topology(ctx, tenants=[1, 2]) as t:
        t.start_node()
        node = "e2e-" + t.sfx
        term = Terminal([ctx.bins["shell"], "--runtime-dir", t.runtime_dir],
                        env={"TERM": "dumb", "HOME": t.dir, "TSUNAGI_PAGER": "cat"})
        try:
            prompt = re.escape(node + "# ")
            term.expect(prompt)
            # `?` after a space: every next word with its help; the line stays as typed.
            term.send("show ?")
            out = term.expect(prompt + "show ")
            for word, helptext in (("tenants", "Every tenant"), ("interfaces", "Ports with their counters"),
                                   ("drops", "by reason"), ("bgp", "FRR")):
                assert re.search(r"^\s+%s\s+.*%s" % (word, helptext), out, re.M), \
                    "`show ?` does not list %s: %r" % (word, out)
            # `?` in a word: only the words it may become.
            term.send("te?")
            out = term.expect(prompt + "show te")
            assert "tenants" in out and "tenant " in out and "drops" not in out, out
            # Tab completes the word, then a tenant's name; Enter runs it.
            term.send("\x15show inter\t")
            term.expect("show interfaces ")
            term.send("\r")
            out = term.expect(prompt)
            assert re.search(r"^cloud0\s+access", out, re.M), out
            # Tab puts the common part of cust-0001 and cust-0002: one more 0.
            term.send("show tenant cust-00\t")
            term.send("1\r")
            out = term.expect(prompt)
            assert "Tenant cust-0001" in out and "VNI %d" % TENANTS[1]["vni"] in out, out
            # Abbreviations and filters.
            term.send("sh ten | inc cust-0002\r")
            out = term.expect(prompt)
            assert re.search(r"^cust-0002\s+%d" % TENANTS[2]["vni"], out, re.M) and "cust-0001 " not in out, out
            term.send("sh ten | count\r")
            assert re.search(r"^3\r?$", term.expect(prompt), re.M)
            term.send("sh frobnicate\r")
            assert "% Unknown command: frobnicate" in term.expect(prompt)
            # Configure mode: `do` runs exec commands there, `end` leaves.
            term.send("conf t\r")
            cprompt = re.escape(node + "(config)# ")
            term.expect(cprompt)
            term.send("do show drops | include unknown_vni\r")
            assert re.search(r"^unknown_vni\s+\d+", term.expect(cprompt), re.M)
            term.send("end\r")
            term.expect(prompt)
            term.send("exit\r")
            assert term.wait(10) == 0, "tsunagi-sh did not end on exit"
            ctx.note("terminal session: ?, Tab, abbreviations, | include/count, conf t, do, end, exit")
        finally:
            term.close()
        assert os.path.exists(os.path.join(t.dir, ".tsunagi_sh_history"))
        # Output taller than the terminal goes through the pager; shorter output does not.
        term = Terminal([ctx.bins["shell"], "--runtime-dir", t.runtime_dir], rows=12,
                        env={"TERM": "dumb", "HOME": t.dir, "TSUNAGI_PAGER": "sed s/^/PAGED:/"})
        try:
            term.expect(prompt)
            term.send("show drops\r")
            out = term.expect(prompt)
            assert re.search(r"^PAGED:unknown_vlan", out, re.M), out
            term.send("show tenants\r")
            out = term.expect(prompt)
            assert "cust-0001" in out and "PAGED:" not in out, out
            term.send("exit\r")
            term.wait(10)
        finally:
            term.close()


def test_shell_b_json_counts_traffic(ctx):
    _require_shell(ctx)
    with Topology(ctx, tenants=[1, 2]) as t:
        t.start_node()
        r = t.pinger("ping", "cloud", 1, "srv", count=100).start().result()
        assert r["lost"] == 0, r
        wait_until(lambda: _json(ctx, t, "show dataplane")["running"], 10, what="the dataplane in show dataplane")
        tenants = {x["name"]: x for x in _json(ctx, t, "show tenants")["tenants"]}
        assert set(tenants) == {"cust-0001", "cust-0002"}
        for key in ("vni", "hybridVlan", "attachments", "vteps", "vrf", "rxPackets", "rxBytes", "txPackets",
                    "txBytes"):
            assert key in tenants["cust-0001"], key
        assert tenants["cust-0001"]["rxPackets"] >= 200, tenants["cust-0001"]  # requests and replies
        ifs = {x["name"]: x for x in _json(ctx, t, "show interfaces")["interfaces"]}
        assert ifs["cloud0"]["rxPackets"] >= 100 and ifs["srv0"]["txPackets"] >= 100, ifs
        d = _json(ctx, t, "show dataplane")
        assert d["inUseGeneration"] == d["publishedGeneration"] >= 1, d
        assert d["workers"] >= 1 and d["tables"]["tenants"] == 2, d
        drops = _json(ctx, t, "show drops")
        assert [x["reason"] for x in drops["drops"]][:2] == ["malformed", "unknown_vlan"], drops
        att = _json(ctx, t, "show attachments")["attachments"]
        assert {"port": "srv0", "vlan": 100, "innerVlan": 20, "tenant": "cust-0002",
                "hybridVlan": TENANTS[2]["hybrid_vlan"]} in att, att
        vteps = _json(ctx, t, "show vteps")["vteps"]
        assert len(vteps) == 1 and vteps[0]["resolved"] and sorted(vteps[0]["tenants"]) == ["cust-0001",
                                                                                             "cust-0002"], vteps
        rc = _json(ctx, t, "show running-config")
        assert rc["config"]["node"]["name"] == "e2e-" + t.sfx and rc["yaml"] == open(t.config_path).read()
        out = _sh(ctx, t, "show bgp summary", ok=False)
        assert "not run by this tsunagid" in out, out
        ctx.note("cust-0001 after 100 pings: rx %d tx %d packets; cloud0 rx %d"
                 % (tenants["cust-0001"]["rxPackets"], tenants["cust-0001"]["txPackets"], ifs["cloud0"]["rxPackets"]))


def test_shell_c_reload(ctx):
    _require_shell(ctx)
    with Topology(ctx, tenants=[1, 2]) as t:
        t.start_node(tenants=[1])
        pa = t.pinger("ping", "cloud", 1, "srv").start()
        wait_until(lambda: pa.progress()["received"] >= 50, 10, what="50 replies")
        t.write_config(tenants=[1, 2])
        out = _sh(ctx, t, "configure terminal", "reload check")
        assert "cust-0002" in out, out
        assert [x["name"] for x in _json(ctx, t, "show tenants")["tenants"]] == ["cust-0001"], \
            "reload check applied something"
        out = _sh(ctx, t, "conf t", "reload")
        assert "cust-0002" in out and "applied" in out, out
        assert [x["name"] for x in _json(ctx, t, "show tenants")["tenants"]] == ["cust-0001", "cust-0002"]
        assert re.search(r"shell: root ran reload", t.tsunagid.log()), "the reload was not logged with its user"
        bad = open(t.config_path).read().replace("vni: %d" % TENANTS[2]["vni"], "vni: %d" % TENANTS[1]["vni"])
        t.write_config(text=bad)
        out = _sh(ctx, t, "conf t", "reload", ok=False)
        name = os.path.basename(t.config_path)
        assert re.search(re.escape(name) + r":\d+:\d+", out) and "the running configuration stays" in out, out
        wait_until(lambda: pa.progress()["sent"] >= 150, 10, what="pings after the reloads")
        ra = pa.stop()
        assert ra["lost"] == 0, "%d of %d pings lost across the shell's reloads" % (ra["lost"], ra["sent"])
        assert [x["name"] for x in _json(ctx, t, "show tenants")["tenants"]] == ["cust-0001", "cust-0002"]
        ctx.note("reloads from the shell (check, apply, refused): cust-0001 %d/%d lost; refusal: %s"
                 % (ra["lost"], ra["sent"], out.strip().splitlines()[0]))


def test_shell_d_socket_mode_and_other_users(ctx):
    _require_shell(ctx)
    with Topology(ctx, tenants=[1]) as t:
        t.write_config()
        t.start_tsunagid()
        path = os.path.join(t.runtime_dir, "shell.sock")
        wait_until(lambda: os.path.exists(path), 10, what="the shell socket")
        mode = stat.S_IMODE(os.stat(path).st_mode)
        assert mode == 0o660, "shell socket mode %o" % mode
        os.chmod(t.dir, 0o755)  # let the other user reach the runtime directory's parent
        pid = os.fork()
        if pid == 0:
            code = 3
            try:
                os.setgid(65534)
                os.setuid(65534)  # nobody
                s = socket.socket(socket.AF_UNIX)
                s.connect(path)
                code = 0  # connected: the test fails
            except PermissionError:
                code = 1
            except BaseException:  # noqa: BLE001
                code = 2
            os._exit(code)
        _, st = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(st) == 1, "user nobody: exit %d (0: connected)" % os.waitstatus_to_exitcode(st)
        # Garbage on the socket: an error reply and a counter, the daemon goes on.
        s = socket.socket(socket.AF_UNIX)
        s.connect(path)
        s.sendall(b"not json\n")
        reply = json.loads(s.makefile().readline())
        assert reply["ok"] is False and "Bad request" in reply["output"], reply
        s.close()
        # A client that sends its requests and closes its side still gets every answer.
        s = socket.socket(socket.AF_UNIX)
        s.connect(path)
        s.sendall(b'{"op": "exec", "line": "show tenants"}\n{"op": "exec", "line": "show drops"}\n')
        s.shutdown(socket.SHUT_WR)
        replies = [json.loads(ln) for ln in s.makefile().read().splitlines()]
        assert len(replies) == 2 and "cust-0001" in replies[0]["output"] and \
            "unknown_vlan" in replies[1]["output"], replies
        s.close()
        assert "cust-0001" in _sh(ctx, t, "show tenants")


def test_shell_e_confirm_and_rollback(ctx):
    """`reload confirm-within` rolls back by itself when not confirmed, and stays when confirmed;
    `rollback N` returns to an earlier configuration; no ping lost on the untouched tenant."""
    _require_shell(ctx)
    with Topology(ctx, tenants=[1, 2]) as t:
        t.start_node(tenants=[1])
        names = lambda: [x["name"] for x in _json(ctx, t, "show tenants")["tenants"]]  # noqa: E731
        pa = t.pinger("ping", "cloud", 1, "srv").start()
        wait_until(lambda: pa.progress()["received"] >= 50, 10, what="50 replies")
        t.write_config(tenants=[1, 2])
        out = _sh(ctx, t, "conf t", "reload confirm-within 3")
        assert "rolls back in 3 s" in out, out
        assert names() == ["cust-0001", "cust-0002"]
        out = _sh(ctx, t, "conf t", "reload", ok=False)
        assert "awaits confirmation" in out, out
        rolled = wait_until(lambda: names() == ["cust-0001"], 10, interval=0.1, what="the unconfirmed reload to roll back")
        assert rolled and "not confirmed in time" in t.tsunagid.log()
        out = _sh(ctx, t, "conf t", "reload confirm-within 2", "confirm")
        assert out.strip().endswith("confirmed"), out
        time.sleep(3)  # past the 2 s it would have had
        assert names() == ["cust-0001", "cust-0002"], "a confirmed reload rolled back"
        hist = _json(ctx, t, "show config-history")
        origins = [h["origin"] for h in hist["history"]]
        assert origins == ["reload (confirmed)", "not confirmed: rolled back", "reload (unconfirmed)", "startup"], origins
        assert hist["confirmDeadlineSeconds"] is None
        _sh(ctx, t, "conf t", "rollback 3")  # the startup configuration
        assert names() == ["cust-0001"]
        ra = pa.stop()
        assert ra["lost"] == 0, "%d of %d pings lost across reloads and rollbacks" % (ra["lost"], ra["sent"])
        ctx.note("confirm-within 3 s rolled back by itself; confirmed reload kept; rollback 3 applied; "
                 "cust-0001 %d/%d lost" % (ra["lost"], ra["sent"]))


def test_shell_f_mac_table_show_and_clear(ctx):
    """`show mac-table` lists what the workers learned, per tenant; `clear mac-table` empties a
    tenant's dynamic entries while traffic runs (flooded, then learned again: nothing lost)."""
    _require_shell(ctx)
    with Topology(ctx, tenants=[1, 2]) as t:
        t.start_node()
        mode = stat.S_IMODE(os.stat(os.path.join(t.runtime_dir, "dataplane.sock")).st_mode)
        assert mode == 0o600, "the dataplane's command socket is mode %o" % mode
        t.wait_forwarding("cloud", 2, "srv", timeout=20)
        pa = t.pinger("ping", "cloud", 1, "srv").start()
        wait_until(lambda: pa.progress()["received"] >= 50, 10, what="50 replies")
        entries = _json(ctx, t, "show mac-table")["entries"]
        mine = {(e["tenant"], e["mac"]): e for e in entries}
        for tn, role, port, vlan in ((1, "cloud", "cloud0", TENANTS[1]["cloud"][0]),
                                     (1, "srv", "srv0", TENANTS[1]["srv"][0])):
            e = mine.get((TENANTS[tn]["name"], host_mac(tn, role)))
            assert e and e["port"] == port and e["vlan"] == vlan and e["type"] == "dynamic" \
                and e["ageSeconds"] <= 2, "%s%d's MAC: %s in %s" % (role, tn, e, entries)
        only2 = _json(ctx, t, "show mac-table tenant cust-0002")["entries"]
        assert only2 and {e["tenant"] for e in only2} == {"cust-0002"}, only2
        out = _sh(ctx, t, "clear mac-table tenant cust-0001")
        n = int(re.match(r"cleared (\d+) dynamic entries", out).group(1))
        assert n >= 2, out
        # (The pings relearn both MACs within 10 ms: what was removed is the count.)
        assert {e["tenant"] for e in _json(ctx, t, "show mac-table")["entries"]} >= {"cust-0002"}, \
            "clearing cust-0001 cleared cust-0002"
        wait_until(lambda: pa.progress()["sent"] >= 200, 10, what="more pings")
        ra = pa.stop()
        assert ra["lost"] == 0, "%d of %d pings lost across clear mac-table" % (ra["lost"], ra["sent"])
        relearned = {e["mac"] for e in _json(ctx, t, "show mac-table tenant cust-0001")["entries"]}
        assert {host_mac(1, "cloud"), host_mac(1, "srv")} <= relearned, relearned
        ctx.note("show mac-table: %d entries; clear mac-table tenant cust-0001 removed %d; %d/%d pings lost"
                 % (len(entries), n, ra["lost"], ra["sent"]))


def test_shell_g_trace(ctx):
    """`trace PORT HEX-FRAME` against the live dataplane: a tagged frame to a learned host is
    translated out of the other access port; a VXLAN frame from the remote VTEP is decapsulated
    towards the host; an unknown VLAN is dropped with its reason; nothing is sent, counted or
    learned."""
    _require_shell(ctx)
    from scapy.layers.inet import ICMP, IP, UDP
    from scapy.layers.l2 import Dot1Q, Ether
    from scapy.layers.vxlan import VXLAN
    from lib.topo import NODE_V4, PORT_MAC, SITE_MAC, SITE_V4, host_ip
    with Topology(ctx, tenants=[1, 2]) as t:
        t.start_node()
        r = t.pinger("ping", "cloud", 1, "srv", count=20).start().result()
        assert r["lost"] == 0, r
        inner = Ether(src="02:de:ad:00:00:01", dst=host_mac(1, "srv")) / \
            IP(src=host_ip(1, "cloud"), dst=host_ip(1, "srv")) / ICMP()
        tagged = Ether(src=inner.src, dst=inner.dst) / Dot1Q(vlan=TENANTS[1]["cloud"][0]) / inner.payload
        before = {x["name"]: x for x in _json(ctx, t, "show interfaces")["interfaces"]}
        out = _sh(ctx, t, "trace cloud0 " + bytes(tagged).hex())
        assert "Tenant: cust-0001" in out, out
        assert "the source MAC is new and was learned" in out, out
        assert re.search(r"-> srv0, \d+ bytes:\n.*\n\s+802\.1Q vlan %d " % TENANTS[1]["srv"][0], out), out
        # Decapsulation: from the site's VTEP, VNI of cust-0001, to the cloud host.
        to_cloud = Ether(src="02:de:ad:00:00:03", dst=host_mac(1, "cloud")) / \
            IP(src=host_ip(1, "remote"), dst=host_ip(1, "cloud")) / ICMP()
        vx = Ether(src=SITE_MAC, dst=PORT_MAC["core0"]) / IP(src=SITE_V4, dst=NODE_V4) / \
            UDP(sport=49200, dport=4789) / VXLAN(vni=TENANTS[1]["vni"]) / to_cloud
        out_vx = _sh(ctx, t, "trace core0 " + bytes(vx).hex())
        assert "VXLAN vni %d" % TENANTS[1]["vni"] in out_vx and "Tenant: cust-0001" in out_vx, out_vx
        assert re.search(r"-> cloud0, \d+ bytes:\n.*\n\s+802\.1Q vlan %d " % TENANTS[1]["cloud"][0], out_vx), out_vx
        bad = Ether(src=inner.src, dst=inner.dst) / Dot1Q(vlan=999) / inner.payload
        out_bad = _sh(ctx, t, "trace cloud0 " + bytes(bad).hex())
        assert "Dropped: unknown_vlan" in out_bad and "Sent out" not in out_bad, out_bad
        after = {x["name"]: x for x in _json(ctx, t, "show interfaces")["interfaces"]}
        for p in ("cloud0", "srv0", "core0"):
            assert after[p]["txPackets"] == before[p]["txPackets"], "trace sent something on %s" % p
        macs = {e["mac"] for e in _json(ctx, t, "show mac-table")["entries"]}
        assert "02:de:ad:00:00:01" not in macs and "02:de:ad:00:00:03" not in macs, \
            "trace taught the workers a MAC"
        # Again after tsunagid restarted, which publishes a new image: the trace must not
        # read the tables of the trace before.
        t.tsunagid.stop(signal.SIGTERM)
        t.start_tsunagid()
        wait_until(lambda: os.path.exists(os.path.join(t.runtime_dir, "shell.sock")), 10, what="the shell")
        wait_until(lambda: "Tenant: cust-0001" in _sh(ctx, t, "trace cloud0 " + bytes(tagged).hex()), 10,
                   what="a trace with the new image")
        assert t.dataplane.alive(), "the dataplane died tracing after a new image:\n%s" % t.dataplane.tail()
        out_err = _sh(ctx, t, "trace cloud0 0201", ok=False)
        assert out_err.startswith("% A frame is whole bytes"), out_err
        ctx.note("trace: tagged -> srv0 vlan %d; VXLAN -> cloud0; vlan 999 dropped (unknown_vlan)"
                 % TENANTS[1]["srv"][0])
