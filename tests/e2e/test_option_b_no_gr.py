"""Option B against a carrier without graceful restart (issue 21): GoBGP (Debian `gobgpd`)
as the carrier's ASBR, a daemon other than ours, with graceful restart off. It negotiates
neither graceful restart nor enhanced route refresh, so it sends no End-of-RIB and no
End-of-Route-Refresh, also when asked for a route refresh (checked on the wire and in the
node's feed).

  cloud1 10.1.0.1 ─┐                                     ┌ carrier ASBR (gobgpd, AS 2516)
  srv2   10.2.0.2 ─┴─ tsunagi-dataplane ── ix0 ═══ c-ix ─┤ 203.0.113.1, VPNv4 with labels,
                      tsunagid --frr (zebra, bgpd)        └ no graceful restart

cust-0001 imports RT 2516:1001: 172.16/16 label 30001 and 172.17/16 label 30004;
cust-0002 imports RT 2516:1002: 172.16/16 label 30002. The carrier's kernel has no MPLS:
what leaves the node is captured on c-ix.
"""
import os
import re
import signal
import struct
import subprocess
import time

from lib import capture, continuity, frr, gobgp, pinger, yamlcfg
from lib.procs import wait_until
from lib.topo import CARRIER_IX, NODE_IX, Topology
from scapy.contrib.mpls import MPLS  # noqa: F401 - binds EtherType 0x8847 before pcaps are read
from test_option_b import _config, _imported, _mpls_frames, _route_hosts

STALE_HOLD = 60  # --stale-hold: every outage below is shorter
# (prefix, RD, label, route target): what the carrier announces
ROUTES = [("172.16.0.0/16", "2516:1", 30001, "2516:1001"),
          ("172.16.0.0/16", "2516:2", 30002, "2516:1002"),
          ("172.17.0.0/16", "2516:1", 30004, "2516:1001")]
WITHDRAWN = ROUTES[2]  # withdrawn while the session is down


def _start(ctx, t, hold=STALE_HOLD):
    carrier = gobgp.GoBgp(t.procs, t.ns["carrier"], t.dir + "/carrier-gobgp",
                          gobgp.config(2516, CARRIER_IX, NODE_IX, 65000)).start()
    wait_until(lambda: carrier.cli("global", check=False), 10, interval=0.2, what="gobgpd's API")
    for r in ROUTES:
        carrier.add_vpn4(*r)
    yamlcfg.write(t.config_path, _config(t), header="test option B, carrier without graceful restart")
    t.start_tsunagid(args=["--frr", "--stale-hold", str(hold)])
    t.start_dataplane()
    t0 = time.monotonic()
    wait_until(lambda: carrier.established(NODE_IX), 60, interval=0.2, what="the BGP session with gobgpd")
    wait_until(lambda: _imported(t) == 3, 30, interval=0.1, what="3 imported routes published")
    ctx.note("session established and routes published %.1f s after the dataplane started"
             % (time.monotonic() - t0))
    _route_hosts(t)
    from lib import netns
    netns.ip(t.ns["cloud"], "route", "replace", "172.17.0.0/16", "via", "10.1.0.254")
    return carrier


def _bgp_messages(pkts, src):
    """The BGP messages (type, body) a speaker sent, per TCP connection in order."""
    from scapy.layers.inet import IP, TCP
    streams = {}
    for p in pkts:
        if IP in p and TCP in p and p[IP].src == src:
            key = (p[TCP].sport, p[TCP].dport)
            data = bytes(p[TCP].payload)
            if data:
                streams.setdefault(key, {})[p[TCP].seq] = data
    out = []
    for segs in streams.values():
        buf, nxt = b"", None
        for seq in sorted(segs):
            if nxt is not None and seq < nxt:
                continue  # a retransmission
            buf += segs[seq]
            nxt = seq + len(segs[seq])
        while len(buf) >= 19:
            n = struct.unpack("!H", buf[16:18])[0]
            if n < 19 or len(buf) < n:
                break
            out.append((buf[18], buf[19:n]))
            buf = buf[n:]
    return out


def _capabilities(open_body):
    """Capability codes in an OPEN (RFC 5492)."""
    caps, params = [], open_body[10:10 + open_body[9]]
    while len(params) >= 2:
        ptype, plen = params[0], params[1]
        if ptype == 2:
            c = params[2:2 + plen]
            while len(c) >= 2:
                caps.append(c[0])
                c = c[2 + c[1]:]
        params = params[2 + plen:]
    return caps


def _markers(msgs):
    """End-of-RIB UPDATEs and route refresh BoRR/EoRR among (type, body)."""
    found = []
    for typ, body in msgs:
        if typ == 2:
            wl = struct.unpack("!H", body[0:2])[0]
            al = struct.unpack("!H", body[2 + wl:4 + wl])[0]
            attrs = body[4 + wl:4 + wl + al]
            # IPv4's End-of-RIB is empty; another family's is an MP_UNREACH_NLRI with only
            # its AFI/SAFI (RFC 4724 §2)
            if (wl == 0 and al == 0 and len(body) == 4) or (al in (6, 7) and attrs[1] == 15 and len(body) == 4 + al):
                found.append("End-of-RIB")
        elif typ == 5 and len(body) >= 4 and body[2] in (1, 2):
            found.append("BoRR" if body[2] == 1 else "EoRR")
    return found


def _max_gap(frames):
    ts = sorted(float(p.time) for p in frames)
    return max((b - a for a, b in zip(ts, ts[1:])), default=0.0)


def _logged_after(t, offset, pattern, timeout, what):
    """Waits for pattern in tsunagid's log after offset; returns (seconds waited, match)."""
    t0 = time.monotonic()
    found = []

    def seen():
        m = re.search(pattern, t.tsunagid.log(True)[offset:])
        if m:
            found.append(m)
        return m is not None

    wait_until(seen, timeout, interval=0.05, what=what)
    return time.monotonic() - t0, found[0]


def test_l_option_b_no_graceful_restart_outage(ctx):
    """A carrier that sends no End-of-RIB: an outage shorter than the stale hold, beginning
    soon after an earlier session event that nothing closed, keeps forwarding to its end;
    when the session returns, the routes sent again forward without a gap and the one
    withdrawn meanwhile is swept once the session has been quiet for the settle time."""
    ctx.require_node()
    gobgp.require()
    with Topology(ctx, tenants=[1, 2], site=False, carrier=True) as t:
        wire = capture.Capture(t.procs, "cap-bgp", t.ns["carrier"], t.dev["c-ix"], t.dir + "/bgp.pcap",
                               bpf="tcp port 179").start()
        carrier = _start(ctx, t)
        cap = capture.Capture(t.procs, "cap-mpls", t.ns["carrier"], t.dev["c-ix"], t.dir + "/mpls.pcap",
                              bpf="mpls").start()
        stays = pinger.Pinger(t.procs, "ping-stays", t.ns["srv"], "172.16.0.1", interval=0.02, count=0,
                              wait=0.2).start()
        goes = pinger.Pinger(t.procs, "ping-goes", t.ns["cloud"], "172.17.0.1", interval=0.05, count=0,
                             wait=0.2).start()
        time.sleep(1.0)

        # An earlier session event that no End-of-RIB closes: the carrier shuts the session
        # down and lets it come back (gobgpd connects again 10-15 s later).
        off = len(t.tsunagid.log(True))
        t_event = time.monotonic()
        carrier.cli("neighbor", NODE_IX, "disable")
        _logged_after(t, off, r"203\.0\.113\.1 down", 10, "the first event's down")
        carrier.cli("neighbor", NODE_IX, "enable")
        _logged_after(t, off, r"203\.0\.113\.1 up", 30, "the session back after the first event")
        _logged_after(t, off, r"203\.0\.113\.1: quiet for \d+ ms", 10, "the re-sent table to settle")
        ctx.note("first session event: down and back, table settled, %.1f s" % (time.monotonic() - t_event))

        # The outage begins within the stale hold of that event and lasts past the end of
        # that hold, had it not started again: 37 s shut, then gobgpd's reconnection.
        wait_until(lambda: time.monotonic() - t_event >= 15, 30, what="15 s after the first event")
        off = len(t.tsunagid.log(True))
        t_down, t_down_at = time.monotonic(), time.time()
        carrier.cli("neighbor", NODE_IX, "disable")
        _logged_after(t, off, r"203\.0\.113\.1 down", 10, "the outage's down")
        carrier.del_vpn4(*WITHDRAWN)
        wait_until(lambda: time.monotonic() - t_event >= 52, 60, interval=0.1, what="52 s after the first event")
        assert _imported(t) == 3, "routes withdrawn from the dataplane during the outage: %d left" % _imported(t)
        carrier.cli("neighbor", NODE_IX, "enable")
        wait_until(lambda: carrier.established(NODE_IX), 30, interval=0.1, what="the session back")
        outage = time.monotonic() - t_down
        t_up = time.monotonic()
        assert outage < STALE_HOLD, "the outage (%.1f s) was not shorter than the stale hold" % outage
        assert time.monotonic() - t_event > STALE_HOLD, "the first event's hold did not end during the outage"
        _, m = _logged_after(t, off, r"203\.0\.113\.1: quiet for \d+ ms .*; (\d+) paths it did not send again",
                                  20, "the withdrawn route to be swept")
        assert m.group(1) == "1", m.group(0)
        wait_until(lambda: _imported(t) == 2, 5, interval=0.05, what="2 imported routes")
        swept_after, swept_at = time.monotonic() - t_up, time.time()
        time.sleep(1.0)
        stayed = stays.stop()
        gone = goes.stop()
        frames = cap.stop()
        time.sleep(0.3)

        kept = _mpls_frames(frames, 30002)
        assert len(kept) >= stayed["sent"] - 1, \
            "cust-0002 → 172.16/16: %d of %d left labelled" % (len(kept), stayed["sent"])
        gap = _max_gap(kept)
        assert gap < 0.5, "cust-0002's frames to the carrier stopped for %.2f s" % gap
        ctx.note("outage of %.1f s (stale hold %d s), beginning %.1f s after an earlier session down and up "
                 "that no End-of-RIB closed: cust-0002 → 172.16/16: %d of %d frames left with label 30002, longest gap "
                 "%.0f ms" % (outage, STALE_HOLD, t_down - t_event, len(kept), stayed["sent"], gap * 1000))
        withdrawn = _mpls_frames(frames, 30004)
        late = [p for p in withdrawn if float(p.time) > swept_at + 0.2]
        assert not late, "%d frames still left for 172.17/16 after it was swept" % len(late)
        # Until then it forwarded, through the outage (the documented behaviour): no gap.
        before = sorted(float(p.time) for p in withdrawn)
        assert before and before[0] < t_down_at and swept_at - before[-1] < 1.0 and _max_gap(withdrawn) < 0.5, \
            "172.17/16 stopped forwarding before its sweep (%d frames, longest gap %.2f s)" % (
                len(withdrawn), _max_gap(withdrawn))
        ctx.note("172.17/16, withdrawn during the outage: forwarded until it was swept, %.1f s after the session "
                 "was back (%d of %d frames left labelled 30004, none after)"
                 % (swept_after, len(withdrawn), gone["sent"]))

        # What the carrier sent, on the wire and in the node's feed: no marker at all.
        msgs = _bgp_messages(wire.stop(), CARRIER_IX)
        opens = [b for typ, b in msgs if typ == 1]
        assert opens, "no OPEN from the carrier captured"
        caps = sorted(set(c for b in opens for c in _capabilities(b)))
        assert 64 not in caps and 70 not in caps, "the carrier offered graceful restart or enhanced refresh: %s" % caps
        assert not _markers(msgs), "the carrier sent %s" % _markers(msgs)
        assert not re.search(r"203\.0\.113\.1: (End-of-RIB|begins|ends)", t.tsunagid.log(True))
        ctx.note("the carrier's OPENs offered capabilities %s (no 64 graceful restart, no 70 enhanced route "
                 "refresh); %d messages from it captured, none an End-of-RIB, BoRR or EoRR"
                 % (caps, len(msgs)))


def test_l_option_b_no_graceful_restart_tsunagid_restart(ctx):
    """A restarted tsunagid publishes the routes of a carrier that sends no End-of-Route-
    Refresh once it has been quiet for the settle time after sending them (within 3 s),
    not after the 15 s the hold allows; the dataplane forwards throughout."""
    ctx.require_node()
    gobgp.require()
    with Topology(ctx, tenants=[1, 2], site=False, carrier=True) as t:
        _start(ctx, t)
        started = []

        def restart_tsunagid():
            t.tsunagid.kill(signal.SIGKILL)
            t.tsunagid.wait(10)
            started.append(time.monotonic())
            t.start_tsunagid(wait=False, args=["--frr", "--stale-hold", str(STALE_HOLD)])

        def routes_back():
            wait_until(lambda: "the carriers' routes are back; publishing" in t.tsunagid.log(True), 20,
                       interval=0.05, what="tsunagid to publish the carriers' routes again")
            started.append(time.monotonic())

        continuity.forwarding_during(ctx, t, "tsunagid SIGKILL and restart", t.ns["srv"], "172.16.0.1",
                                     lambda pkts: _mpls_frames(pkts, 30002), restart_tsunagid, routes_back)
        took = started[1] - started[0]
        log = t.tsunagid.log(True)
        assert "keeping the published tables" in log, log
        assert re.search(r"new image of \d+ bytes, 3 learned routes", log), log
        assert took < 3.0, "published %.1f s after the restart" % took
        ctx.note("tsunagid restarted: the carrier's 3 routes published %.1f s after it started (feed connected, "
                 "refresh asked, answered without End-of-Route-Refresh, quiet for the settle time)" % took)


def _outgoing_open_sent(t):
    """The node's own connection to the carrier is up at the TCP level (bgpd sent its OPEN)."""
    r = subprocess.run(["ip", "netns", "exec", t.ns["dp"], "ss", "-Htn", "state", "established",
                        "dst", CARRIER_IX, "dport", "= :179"], capture_output=True, text=True, timeout=10)
    return bool(r.stdout.strip())


def test_l_option_b_session_collision(ctx):
    """A connection collision with the carrier while the session comes back: both ends
    connect, bgpd keeps the connection the carrier opened (its BGP identifier is the higher)
    and closes its own, reporting it down over BMP, with the winning connection's first
    mirrored messages skipped ("deleted peer"). No route leaves the dataplane meanwhile, and
    what the carrier sends on the winning connection is what stays.

    gobgpd is the carrier until the collision. The collision needs both connections open at
    once: gobgpd is frozen (SIGSTOP) after the node's bgpd has connected to it and sent its
    OPEN, and the carrier's own connection is made then by lib/bgp_speaker.py from the
    carrier's address, with the same identifier and routes, and no End-of-RIB.

    FRR 8.4 sometimes closes the winning connection too, without a NOTIFICATION, when the
    carrier's KEEPALIVE reaches it before the losing connection is torn down (seen in about
    one run in ten). The speaker then connects again a second later, as a carrier would, and
    the collision repeats with bgpd's next connection to the frozen gobgpd; the routes must
    survive that as well."""
    ctx.require_node()
    gobgp.require()
    with Topology(ctx, tenants=[1, 2], site=False, carrier=True) as t:
        # The collision begins 4 s before the (short) stale hold of the session's first up,
        # which nothing closed, runs out, and the winning connection sends the routes again
        # after it: a hold that did not start again at the collision's down would sweep
        # every route in between.
        hold = 15
        carrier = _start(ctx, t, hold=hold)
        t_up = time.monotonic()
        wait_until(lambda: time.monotonic() - t_up >= hold - 4, hold, interval=0.05, what="the collision's time")
        node_frr = frr.Frr(None, os.path.join(t.runtime_dir, "frr"), "", "")
        gobgpd = carrier.proc.pid
        speaker = []

        def collide():
            carrier.cli("neighbor", NODE_IX, "disable")
            wait_until(lambda: "203.0.113.1 down" in t.tsunagid.log(True)[off:], 10, interval=0.05,
                       what="the session down")
            os.kill(gobgpd, signal.SIGSTOP)
            node_frr.vtysh("clear bgp %s" % CARRIER_IX)  # connect now, not in 120 s
            wait_until(lambda: _outgoing_open_sent(t), 20, interval=0.05,
                       what="the node's own connection to the carrier")
            time.sleep(2.0)  # the carrier's connection comes 2 s after the node's
            speaker.append(t.procs.start("bgp-speaker", t.ns["carrier"], [
                "/usr/bin/python3", os.path.join(os.path.dirname(gobgp.__file__), "bgp_speaker.py"),
                CARRIER_IX, NODE_IX, "2516"] + [",".join(str(x) for x in r) for r in ROUTES]))

        def settled():
            speaker[0].wait_log(r"established", 20)
            wait_until(lambda: re.search(r"203\.0\.113\.1: quiet for \d+ ms", t.tsunagid.log(True)[off:]),
                       30, interval=0.05, what="the winning connection's table to settle")
            time.sleep(2.0)

        off = len(t.tsunagid.log(True))
        try:
            log = continuity.forwarding_during(ctx, t, "connection collision", t.ns["srv"], "172.16.0.1",
                                               lambda pkts: _mpls_frames(pkts, 30002), collide, settled)
        finally:
            os.kill(gobgpd, signal.SIGCONT)
        with open(os.path.join(t.runtime_dir, "frr", "bgpd.log"), errors="replace") as f:
            bgpd = f.read()
        skipped = bgpd.count("skipping mirror message for deleted peer")
        events = re.findall(r"203\.0\.113\.1 (up|down)", log)
        assert skipped >= 1, "no mirrored message of a deleted peer: was there a collision?\n" + bgpd[-3000:]
        assert "up" in events, log
        assert _imported(t) == 3, "%d imported routes after the collision" % _imported(t)
        assert not re.search(r"[1-9]\d* paths it did not send again withdrawn", log), log
        said = speaker[0].log().strip().splitlines()
        states = [ln for ln in said if ln in ("established", "closed") or ln.startswith("connect failed")]
        assert states[-1] == "established", "the carrier's connection did not stay up:\n" + "\n".join(said)
        ctx.note("collision: bgpd kept the carrier's connection (the speaker's connection %d), reported %s over "
                 "BMP and skipped %d mirrored messages of the losing peer structure; all 3 routes kept"
                 % (said.count("open sent"), ", ".join(events), skipped))
