"""Prometheus metrics, live (issue 5 item 3): a real Prometheus server scrapes tsunagid's
/metrics while the hosts of two tenants ping each other through the dataplane.

  tsn-cloud-X  cloud1 10.1.0.1 /1234, cloud2 10.2.0.1 /1235 ──┐
                                                              cloud0
  tsn-dp-X (the node)  tsunagid --metrics-address 127.0.0.1:M ◄── scrape every 1 s ──
                       prometheus --web.listen-address 127.0.0.1:P (same namespace: the
                       node's loopback is reachable only there)
                       tsunagi-dataplane ── DPDK telemetry socket /var/run/dpdk/PREFIX/
                                                              srv0
  tsn-srv-X    srv1 10.1.0.2 /100,   srv2 10.2.0.2 /100+20 ───┘

Success: after the pings, Prometheus' query API returns per-port and per-tenant series
with at least the packets sent; promtool accepts a scrape; a bad reload shows as
tsunagi_config_last_reload_successful 0 and a good one as 1 with the update latency
observed; the dataplane's telemetry commands give the same port counters.
"""
import json
import os
import re
import signal
import socket
import time

from lib import pinger, prom
from lib.context import Skip
from lib.procs import wait_until
from lib.topo import TENANTS, Topology, host_ip

PINGS = 40


def _ping(t, tenant, count):
    r = pinger.Pinger(t.procs, "ping-t%d-%d" % (tenant, time.monotonic_ns()), t.ns["cloud"], host_ip(tenant, "srv"),
                      interval=0.01, count=count).start().result()
    assert r["received"] == count, "tenant %d: %d of %d replies" % (tenant, r["received"], count)


def _scrape(t, port):
    status, ctype, body = prom.http_get(t.ns["dp"], "http://127.0.0.1:%d/metrics" % port)
    assert status == 200, "GET /metrics: HTTP %d" % status
    assert ctype == "text/plain; version=0.0.4; charset=utf-8", "GET /metrics: Content-Type %r" % ctype
    return body


def _sample(text, head):
    m = re.search(r"^%s (\S+)$" % re.escape(head), text, re.M)
    return float(m.group(1)) if m else None


def _telemetry(prefix, command):
    """One DPDK telemetry command's answer (the protocol dpdk-telemetry.py speaks)."""
    path = "/var/run/dpdk/%s/dpdk_telemetry.v2" % prefix
    with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as s:
        s.settimeout(5)
        s.connect(path)
        json.loads(s.recv(16384).decode())  # the greeting: version, pid, max output
        s.send(command.encode())
        return json.loads(s.recv(16384).decode())[command.split(",")[0]]


def test_m_metrics_scraped_by_prometheus(ctx):
    """a Prometheus server's query API has the node's per-port and per-tenant packets after
    pings; promtool accepts the exposition; reload status and update latency follow reloads;
    the telemetry commands agree with /metrics."""
    ctx.require_node()
    for tool in (prom.PROMETHEUS, prom.PROMTOOL):
        if not os.access(tool, os.X_OK):
            raise Skip("%s not installed (Debian prometheus)" % tool)
    with Topology(ctx, tenants=[1, 2], site=False) as t:
        port = prom.free_port()
        t.write_config([1])
        t.start_tsunagid(args=["--metrics-address", "127.0.0.1:%d" % port])
        t.start_dataplane()
        t.wait_forwarding("cloud", 1, "srv")

        # A reload adding tenant 2 while the dataplane runs: one timed update.
        off = len(t.tsunagid.log())
        t.write_config([1, 2])
        t.tsunagid.kill(signal.SIGHUP)
        wait_until(lambda: "published table generation" in t.tsunagid.log()[off:], 10, what="the reload")
        t.wait_forwarding("cloud", 2, "srv")
        for tenant in (1, 2):
            _ping(t, tenant, PINGS)

        text = _scrape(t, port)
        problems = prom.promtool_check_metrics(text)
        assert not problems, "promtool check metrics:\n%s" % problems
        assert _sample(text, "tsunagi_dataplane_up") == 1
        gen = _sample(text, "tsunagi_table_generation")
        assert gen >= 2 and _sample(text, "tsunagi_dataplane_table_generation") == gen, \
            "published and in-use generations differ: %s" % gen
        latency_n = _sample(text, "tsunagi_table_update_latency_seconds_count")
        assert latency_n >= 1, "no update latency observed after a reload"
        ctx.note("update latency: %d observed, %.0f us mean" % (
            latency_n, 1e6 * _sample(text, "tsunagi_table_update_latency_seconds_sum") / latency_n))
        for reason in ("malformed", "unknown_vni", "no_route"):
            assert _sample(text, 'tsunagi_drops_total{reason="%s"}' % reason) is not None, reason
        assert _sample(text, 'tsunagi_worker_seconds_total{worker="0"}') > 0

        # What a Prometheus server makes of it.
        p = prom.Prometheus(t.procs, t.ns["dp"], t.dir, "127.0.0.1:%d" % port).start()
        wait_until(lambda: p.value('up{job="tsunagi"}') == 1, 20, interval=0.5, what="Prometheus to scrape tsunagid")
        for port_name in ("cloud0", "srv0"):
            for d in ("rx", "tx"):
                v = p.value('tsunagi_port_%s_packets_total{port="%s"}' % (d, port_name))
                assert v is not None and v >= 2 * PINGS, "port %s %s packets: %s" % (port_name, d, v)
            assert p.value('tsunagi_port_rx_bytes_total{port="%s"}' % port_name) >= 2 * PINGS * 60
        for tenant in (1, 2):
            name = TENANTS[tenant]["name"]
            for d in ("rx", "tx"):
                v = p.value('tsunagi_tenant_%s_packets_total{tenant="%s"}' % (d, name))
                assert v is not None and v >= 2 * PINGS, "tenant %s %s packets: %s" % (name, d, v)
            macs = p.value('tsunagi_tenant_learned_macs{tenant="%s"}' % name)
            assert macs is not None and macs >= 2, "tenant %s learned MACs: %s (want cloud's and srv's)" % (name, macs)
            ctx.note("Prometheus: tenant %s rx %d packets" % (
                name, p.value('tsunagi_tenant_rx_packets_total{tenant="%s"}' % name)))
        assert len(p.query("tsunagi_drops_total")) == text.count("tsunagi_drops_total{")
        assert p.value("tsunagi_config_last_reload_successful") == 1

        # A broken file: the reload fails, and says so.
        with open(t.config_path, "a") as f:
            f.write("tenants: [ {\n")
        t.tsunagid.kill(signal.SIGHUP)
        wait_until(lambda: _sample(_scrape(t, port), "tsunagi_config_last_reload_successful") == 0, 10,
                   what="reload failure in /metrics")
        wait_until(lambda: p.value("tsunagi_config_last_reload_successful") == 0, 10, interval=0.5,
                   what="reload failure in Prometheus")
        t.write_config([1, 2])
        t.tsunagid.kill(signal.SIGHUP)
        wait_until(lambda: _sample(_scrape(t, port), "tsunagi_config_last_reload_successful") == 1, 10,
                   what="reload success in /metrics")

        # Anything but GET /metrics is refused, and the daemon goes on.
        assert prom.http_get(t.ns["dp"], "http://127.0.0.1:%d/" % port)[0] == 404
        assert t.tsunagid.alive()

        # The dataplane's telemetry commands add up the same counters.
        prefix = "tsunagi" + t.runtime_dir.replace("/", ".")
        ports = _telemetry(prefix, "/tsunagi/ports")
        now = _scrape(t, port)
        for port_name in ("cloud0", "srv0"):
            got = ports["rx_packets"][ports["port"].index(port_name)]
            want = _sample(now, 'tsunagi_port_rx_packets_total{port="%s"}' % port_name)
            assert want - 5 <= got <= want + 5, "telemetry %s vs /metrics %s for %s" % (got, want, port_name)
        assert set(_telemetry(prefix, "/tsunagi/drops")) >= {"malformed", "no_route"}
        one = _telemetry(prefix, "/tsunagi/tenants,cust-0002")
        assert one["tenant"] == ["cust-0002"] and one["rx_packets"][0] >= 2 * PINGS, one
        assert _telemetry(prefix, "/tsunagi/tenants")["tenant"] == ["cust-0001", "cust-0002"]
        ctx.note("telemetry: /tsunagi/ports cloud0 rx %d packets" % ports["rx_packets"][0])
