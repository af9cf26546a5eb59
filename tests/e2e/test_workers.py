"""Several dataplane workers (issue 6 item 3), live: the topology of test_live.py with two
worker lcores, each polling its own queue of every port. The ports are af_packet with
qpairs=2, which the kernel fills by its flow hash (PACKET_FANOUT_HASH), as a NIC's RSS
would: one flow stays on one worker, different flows spread over both.

  (w) 256 UDP flows from the cloud host of cust-0001 to its srv host, paced, beside pings of
      both tenants: every frame arrives exactly once, none reaches cust-0002's hosts, the
      port counters (added up over the workers) count at least every frame, both workers
      had traffic, and the MAC table shows both hosts.
  (x) one MAC view: after one exchange, flows each way on both workers are never flooded:
      nothing of them reaches another member, and the dataplane's flood counter grows by no
      more than the broadcasts and multicasts the hosts sent meanwhile.
"""
import os
import re

from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Dot1Q, Ether

from lib import prom
from lib import shell
from lib.capture import Capture
from lib.flood import Flood
from lib.procs import wait_until
from lib.topo import TENANTS, Topology, host_ip, host_mac

METRICS = 9469  # inside the node's namespace: its own loopback
FLOWS = 256
BASE_PORT = 20000


def _worker_busy(t):
    status, _, body = prom.http_get(t.ns["dp"], "http://127.0.0.1:%d/metrics" % METRICS)
    assert status == 200, "GET /metrics: HTTP %d" % status
    return {m.group(1): float(m.group(2))
            for m in re.finditer(r'^tsunagi_worker_busy_seconds_total\{worker="(\d+)"\} (\S+)$', body, re.M)}


def _flooded(t):
    status, _, body = prom.http_get(t.ns["dp"], "http://127.0.0.1:%d/metrics" % METRICS)
    assert status == 200, "GET /metrics: HTTP %d" % status
    m = re.search(r"^tsunagi_flooded_frames_total (\S+)$", body, re.M)
    assert m, "no tsunagi_flooded_frames_total in /metrics"
    return int(float(m.group(1)))


def _port_counters(ctx, t):
    return {i["name"]: i for i in shell.show_json(ctx, t, "show interfaces")["interfaces"]}


def _start(t):
    """The node with its metrics, forwarding both tenants between cloud and srv."""
    t.write_config()
    t.start_tsunagid(args=["--metrics-address", "127.0.0.1:%d" % METRICS])
    t.start_dataplane()
    t.wait_forwarding("cloud", 1, "srv", timeout=60)
    t.wait_forwarding("cloud", 2, "srv", timeout=60)


def test_w_two_workers(ctx):
    """(w) two workers: 256 flows delivered exactly once, counters added up over the workers,
    both workers busy, no frame across tenants."""
    ctx.require_node()
    with Topology(ctx, tenants=[1, 2], workers=2) as t:
        _start(t)
        d = shell.show_json(ctx, t, "show dataplane")
        assert d["workers"] == 2, "the dataplane runs %s workers, not 2" % d["workers"]

        vlan_in = TENANTS[1]["cloud"][0]
        frames = [Ether(src=host_mac(1, "cloud"), dst=host_mac(1, "srv")) / Dot1Q(vlan=vlan_in)
                  / IP(src=host_ip(1, "cloud"), dst=host_ip(1, "srv"))
                  / UDP(sport=BASE_PORT + i, dport=BASE_PORT + i) / (b"w" * 18)
                  for i in range(FLOWS)]
        bpf = "udp and dst portrange %d-%d" % (BASE_PORT, BASE_PORT + FLOWS - 1)
        cap1 = Capture(t.procs, "tcpdump-srv-t1", t.ns["srv"], "t1-%s" % t.sfx,
                       os.path.join(t.dir, "srv-t1.pcap"), bpf=bpf, buffer_kib=65536).start()
        cap2 = Capture(t.procs, "tcpdump-srv-t2", t.ns["srv"], "t2-%s" % t.sfx,
                       os.path.join(t.dir, "srv-t2.pcap"), bpf=bpf, buffer_kib=65536).start()
        busy0 = _worker_busy(t)
        ports0 = _port_counters(ctx, t)
        pings = [t.pinger("ping-t%d" % tn, "cloud", tn, "srv").start() for tn in (1, 2)]
        fl = Flood(t.procs, "flows", t.ns["cloud"], t.dev["h-cloud"], frames, 4, pps=1000).start()
        res = fl.result()
        sent = res["sent"]
        wait_until(lambda: all(p.progress()["received"] >= 100 for p in pings), 20, what="100 replies per tenant")
        got = [p.stop() for p in pings]
        wait_until(lambda: _port_counters(ctx, t)["srv0"]["txPackets"] - ports0["srv0"]["txPackets"] >= sent,
                   10, what="srv0 to have sent the flows")
        rx1, rx2 = cap1.stop(), cap2.stop()
        assert cap1.dropped() == 0 and cap2.dropped() == 0, \
            "tcpdump fell behind (%d, %d dropped): the count would mean nothing" % (cap1.dropped(), cap2.dropped())

        seen = {}
        for p in rx1:
            if UDP in p:
                seen[p[UDP].dport] = seen.get(p[UDP].dport, 0) + 1
        # flood.py sends the list round and round: flow i went out sent/FLOWS times, give or
        # take one round.
        arrived = sum(seen.values())
        ctx.note("%d frames of %d flows sent at 1000/s; %d arrived at the srv host, %d distinct flows"
                 % (sent, FLOWS, arrived, len(seen)))
        assert arrived == sent, "%d frames sent, %d arrived at the srv host of cust-0001" % (sent, arrived)
        assert len(seen) == FLOWS, "only %d of %d flows arrived" % (len(seen), FLOWS)
        assert not rx2, "cust-0002's srv host received %d frames of cust-0001's flows" % len(rx2)
        for r, tn in zip(got, (1, 2)):
            assert r["lost"] == 0, "tenant %d: %d of %d pings lost" % (tn, r["lost"], r["sent"])
        ctx.note("pings beside them: %s" % ", ".join("t%d %d/%d" % (tn, r["received"], r["sent"])
                                                      for r, tn in zip(got, (1, 2))))

        ports = _port_counters(ctx, t)
        rx = ports["cloud0"]["rxPackets"] - ports0["cloud0"]["rxPackets"]
        tx = ports["srv0"]["txPackets"] - ports0["srv0"]["txPackets"]
        ctx.note("port counters over both workers: cloud0 rx +%d, srv0 tx +%d (flows %d, plus pings)"
                 % (rx, tx, sent))
        assert rx >= sent and tx >= sent, "counters lost frames: cloud0 rx +%d, srv0 tx +%d, %d sent" % (rx, tx, sent)
        # Pings at 10 ms for a few seconds, ARP/ND: a bound that a double count would break.
        assert rx <= sent + 2000 and tx <= sent + 2000, "counted more than was sent: rx +%d tx +%d" % (rx, tx)

        busy = _worker_busy(t)
        grew = {w: busy.get(w, 0) - busy0.get(w, 0) for w in ("0", "1")}
        ctx.note("worker busy seconds during the run: %s" % grew)
        assert all(v > 0 for v in grew.values()), "a worker had no traffic: %s" % grew

        macs = shell.show_json(ctx, t, "show mac-table tenant %s" % TENANTS[1]["name"])
        assert macs["workers"] == 2, macs
        learned = {e["mac"] for e in macs["entries"]}
        for role in ("cloud", "srv"):
            assert host_mac(1, role) in learned, "%s host's MAC not in the MAC table: %s" % (role, macs)
        assert t.dataplane.alive() and t.tsunagid.alive()


def test_x_one_mac_view(ctx):
    """(x) one MAC view for both workers: after one exchange between the cloud and srv hosts
    of cust-0001, flows in both directions (distinct port pairs each way, so the kernel's
    flow hash puts the two directions of the conversation on different queues) reach their
    host exactly once and are never flooded: nothing of them reaches the tenant's other
    members (the backbone host behind the trunk, the remote host behind the VTEP), nor
    cust-0002's hosts."""
    ctx.require_node()
    with Topology(ctx, tenants=[1, 2], workers=2) as t:
        _start(t)  # the first exchange: one worker learns both hosts from it

        def frames(src, dst, vlan, sport, dport):
            return [Ether(src=host_mac(1, src), dst=host_mac(1, dst)) / Dot1Q(vlan=vlan)
                    / IP(src=host_ip(1, src), dst=host_ip(1, dst))
                    / UDP(sport=sport + i, dport=dport + i) / (b"x" * 18)
                    for i in range(FLOWS // 4)]
        # Each way its own ports: a reply is not the mirror of its request, so the kernel
        # hashes the two directions of a pair apart as often as together.
        to_srv = frames("cloud", "srv", TENANTS[1]["cloud"][0], 21000, 22000)
        to_cloud = frames("srv", "cloud", TENANTS[1]["srv"][0], 23000, 24000)
        # No ARP between the two hosts from here on: what the flood counter counts while the
        # flows run is then only what the hosts send to many (broadcast, multicast), which
        # every host's capture also sees leave it.
        for tn in (1, 2):
            t.static_neighbors("cloud", tn, "srv")
            t.static_neighbors("srv", tn, "cloud")
        bpf = "( udp and dst portrange 22000-24999 ) or ether multicast"
        caps = {}
        for tn in (1, 2):
            for role in ("srv", "cloud", "bb", "remote"):
                dev = t.dev["remote%d" % tn] if role == "remote" else "t%d-%s" % (tn, t.sfx)
                key = role if tn == 1 else "t2-" + role
                caps[key] = Capture(t.procs, "tcpdump-x-%s" % key, t.ns[role], dev,
                                    os.path.join(t.dir, "x-%s.pcap" % key), bpf=bpf,
                                    buffer_kib=65536).start()
        busy0 = _worker_busy(t)
        flooded0 = _flooded(t)
        ports0 = _port_counters(ctx, t)
        a = Flood(t.procs, "x-to-srv", t.ns["cloud"], t.dev["h-cloud"], to_srv, 3, pps=500).start()
        b = Flood(t.procs, "x-to-cloud", t.ns["srv"], t.dev["h-srv"], to_cloud, 3, pps=500).start()
        sent_a, sent_b = a.result()["sent"], b.result()["sent"]
        got = {}
        wait_until(lambda: (_port_counters(ctx, t)["srv0"]["txPackets"] - ports0["srv0"]["txPackets"] >= sent_a
                            and _port_counters(ctx, t)["cloud0"]["txPackets"] - ports0["cloud0"]["txPackets"]
                            >= sent_b), 10, what="srv0 and cloud0 to have sent the flows")
        flooded = _flooded(t) - flooded0
        to_many = 0
        for key, cap in caps.items():
            tn, role = (2, key[3:]) if key.startswith("t2-") else (1, key)
            pkts = cap.stop()
            assert cap.dropped() == 0, "tcpdump on %s fell behind: the count would mean nothing" % key
            got[key] = [p for p in pkts if UDP in p and p[UDP].dport >= 22000]
            to_many += sum(1 for p in pkts if Ether in p and p[Ether].src == host_mac(tn, role)
                           and int(p[Ether].dst.split(":")[0], 16) & 1)
        ctx.note("flood counter +%d while the flows ran; the hosts sent %d broadcasts and multicasts"
                 % (flooded, to_many))
        assert flooded <= to_many, \
            "the dataplane flooded %d frames while the hosts sent only %d to many: the flows were flooded" \
            % (flooded, to_many)
        ctx.note("sent %d to srv and %d to cloud over %d flows each way; arrived srv %d, cloud %d; "
                 "bb %d, remote %d, cust-0002 %d"
                 % (sent_a, sent_b, len(to_srv), len(got["srv"]), len(got["cloud"]), len(got["bb"]),
                    len(got["remote"]), sum(len(v) for k, v in got.items() if k.startswith("t2-"))))
        assert len(got["srv"]) == sent_a, "%d frames sent to the srv host, %d arrived" % (sent_a, len(got["srv"]))
        assert len(got["cloud"]) == sent_b, "%d frames sent to the cloud host, %d arrived" % (sent_b, len(got["cloud"]))
        assert not got["bb"] and not got["remote"], \
            "flooded after the first exchange: %d frames at the backbone host, %d at the remote host" \
            % (len(got["bb"]), len(got["remote"]))
        assert not any(got["t2-" + r] for r in ("cloud", "srv", "bb", "remote")), \
            "cust-0001's flows reached cust-0002"
        busy = _worker_busy(t)
        grew = {w: busy.get(w, 0) - busy0.get(w, 0) for w in ("0", "1")}
        ctx.note("worker busy seconds during the flows: %s" % grew)
        assert all(v > 0 for v in grew.values()), "a worker had no traffic: %s" % grew
        macs = shell.show_json(ctx, t, "show mac-table tenant %s" % TENANTS[1]["name"])
        for role in ("cloud", "srv"):
            n = sum(1 for e in macs["entries"] if e["mac"] == host_mac(1, role))
            assert n == 1, "%s host's MAC listed %d times: %s" % (role, n, macs)
        assert t.dataplane.alive() and t.tsunagid.alive()
