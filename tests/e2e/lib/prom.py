"""A real Prometheus server in a test's namespace, and HTTP from inside namespaces.

tsunagid listens on the loopback of the node's namespace, which nothing outside it can
reach: the server runs in that namespace too, and so do the test's HTTP requests (a short
python in `ip netns exec`).
"""
import json
import os
import socket
import subprocess
import urllib.parse

from .procs import wait_until

PY = "/usr/bin/python3"
PROMETHEUS = "/usr/bin/prometheus"
PROMTOOL = "/usr/bin/promtool"

_GET = ("import sys, urllib.request, urllib.error\n"
        "try:\n"
        "    r = urllib.request.urlopen(sys.argv[1], timeout=5)\n"
        "    sys.stdout.write('%d %s\\n' % (r.status, r.headers.get('Content-Type')))\n"
        "    sys.stdout.write(r.read().decode())\n"
        "except urllib.error.HTTPError as e:\n"
        "    sys.stdout.write('%d %s\\n' % (e.code, e.headers.get('Content-Type')))\n")


def http_get(ns, url):
    """(status, content type, body) of GET url from inside namespace ns."""
    r = subprocess.run(["ip", "netns", "exec", ns, PY, "-c", _GET, url], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=15)
    if r.returncode != 0:
        raise AssertionError("GET %s in %s failed: %s" % (url, ns, r.stderr.strip()[-400:]))
    head, _, body = r.stdout.partition("\n")
    status, _, ctype = head.partition(" ")
    return int(status), ctype, body


def free_port():
    """A port number for a listener in a namespace of the test's own (so always free there);
    taken from the kernel so two suites side by side differ too."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def promtool_check_metrics(text):
    """promtool's complaints about an exposition (empty when it has none)."""
    r = subprocess.run([PROMTOOL, "check", "metrics"], input=text, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=30)
    return "" if r.returncode == 0 else r.stdout


class Prometheus:
    """`prometheus` scraping `target` (HOST:PORT) every second, in namespace ns."""

    def __init__(self, procs, ns, workdir, target, job="tsunagi"):
        self.ns = ns
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        conf = os.path.join(workdir, "prometheus.yml")
        with open(conf, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                    "scrape_configs:\n  - job_name: %s\n    static_configs:\n"
                    "      - targets: ['%s']\n" % (job, target))
        self.proc = procs.add("prometheus", ns, [
            PROMETHEUS, "--config.file=" + conf, "--storage.tsdb.path=" + os.path.join(workdir, "prometheus-data"),
            "--web.listen-address=127.0.0.1:%d" % self.port, "--storage.tsdb.retention.time=1h"])

    def start(self, timeout=30.0):
        self.proc.start()
        wait_until(lambda: self._ready(), timeout, interval=0.2, what="prometheus to be ready")
        return self

    def _ready(self):
        if not self.proc.alive():
            raise AssertionError("prometheus exited:\n%s" % self.proc.tail())
        try:
            return http_get(self.ns, self.url + "/-/ready")[0] == 200
        except AssertionError:
            return False

    def query(self, expr):
        """The instant vector expr gives now: {frozenset(labels.items()): float}."""
        status, _, body = http_get(self.ns, self.url + "/api/v1/query?query=" + urllib.parse.quote(expr))
        if status != 200:
            raise AssertionError("query %s: HTTP %d: %s" % (expr, status, body[:400]))
        data = json.loads(body)["data"]["result"]
        return {frozenset((k, v) for k, v in r["metric"].items() if k not in ("job", "instance")): float(r["value"][1])
                for r in data}

    def value(self, expr):
        """The single value expr gives now, None when it gives none."""
        r = self.query(expr)
        return next(iter(r.values())) if len(r) == 1 else None
