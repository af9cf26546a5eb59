#!/usr/bin/python3
"""Checks the monitoring kit (config/monitoring/) and a real scrape against docs/metrics.md.

usage: tests/monitoring/check.py [--build DIR]

One line per check (PASS/FAIL name), then `monitoring: N passed, M failed`; exit status 0
iff M is 0. Needs promtool (Debian prometheus). The scrape check starts tsunagid (from
--build) on an example configuration in a temporary runtime directory, with /metrics on
a free loopback port; it publishes tables in /dev/shm under that directory's names, and
no dataplane runs.
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KIT = os.path.join(REPO, "config", "monitoring")
DOC = os.path.join(REPO, "docs", "metrics.md")
PROMTOOL = "/usr/bin/promtool"


def promtool(*args, stdin=None):
    r = subprocess.run([PROMTOOL] + list(args), input=stdin, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=60, cwd=KIT)
    assert r.returncode == 0, "promtool %s:\n%s" % (" ".join(args), r.stdout)


def documented():
    with open(DOC) as f:
        return set(re.findall(r"`(tsunagi_[a-z0-9_]+)`", f.read()))


def used_names(text):
    """Metric families a PromQL text refers to (histogram series as their family)."""
    names = set(re.findall(r"\btsunagi_[a-z0-9_]+", text))
    return {re.sub(r"_(bucket|sum|count)$", "", n) if n.startswith("tsunagi_table_update_latency_seconds") else n
            for n in names}


def dashboard_exprs():
    with open(os.path.join(KIT, "tsunagi-dashboard.json")) as f:
        dash = json.load(f)
    return [t["expr"] for p in dash["panels"] for t in p.get("targets", [])]


def check_rules():
    promtool("check", "rules", "tsunagi-alerts.yml")


def check_rule_tests():
    promtool("test", "rules", "tsunagi-alerts.test.yml")


def check_dashboard_promql():
    # Grafana's variables replaced by values, then every expression as a recording rule:
    # promtool parses them all.
    exprs = [e.replace("$__rate_interval", "5m").replace("$instance", ".*") for e in dashboard_exprs()]
    assert exprs, "the dashboard has no queries"
    rules = {"groups": [{"name": "dashboard", "rules": [{"record": "dashboard:q%d" % i, "expr": e}
                                                         for i, e in enumerate(exprs)]}]}
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
        json.dump(rules, f)  # JSON is YAML
    try:
        promtool("check", "rules", f.name)
    finally:
        os.unlink(f.name)


def check_kit_uses_documented_metrics():
    with open(os.path.join(KIT, "tsunagi-alerts.yml")) as f:
        used = used_names(f.read())
    used |= used_names("\n".join(dashboard_exprs()))
    missing = used - documented()
    assert not missing, "used by config/monitoring/ but not in docs/metrics.md: %s" % sorted(missing)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check_scrape(build):
    tsunagid = os.path.join(build, "control", "daemon", "tsunagid")
    assert os.access(tsunagid, os.X_OK), "%s not built" % tsunagid
    work = tempfile.mkdtemp(prefix="tsunagi-monitoring-")
    proc = None
    try:
        with open(os.path.join(REPO, "config", "examples", "full.yaml")) as f:
            text = f.read()
        text = re.sub(r"(?m)^(\s*)runtime_dir:.*$", r"\1runtime_dir: %s/run" % work, text)
        assert "runtime_dir: %s/run" % work in text, "config/examples/full.yaml sets no node.runtime_dir"
        conf = os.path.join(work, "tsunagi.yaml")
        with open(conf, "w") as f:
            f.write(text)
        port = free_port()
        log = open(os.path.join(work, "tsunagid.log"), "w")
        proc = subprocess.Popen([tsunagid, "--config", conf, "--metrics-address", "127.0.0.1:%d" % port],
                                stdout=log, stderr=subprocess.STDOUT)
        body, deadline = None, time.monotonic() + 20
        while body is None:
            try:
                body = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=2).read().decode()
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, \
                    "tsunagid did not serve /metrics:\n" + open(log.name).read()[-2000:]
                time.sleep(0.1)
        promtool("check", "metrics", stdin=body)
        families = set(re.findall(r"(?m)^# TYPE (\S+) ", body))
        doc = documented()
        assert families - doc == set(), "in /metrics but not in docs/metrics.md: %s" % sorted(families - doc)
        # Only with --frr (and node.evpn): tests/e2e/test_option_b.py and test_evpn.py scrape them.
        frr_only = {"tsunagi_bgp_session_up", "tsunagi_evpn_remote_vteps", "tsunagi_evpn_remote_macs",
                    "tsunagi_evpn_local_macs"}
        assert doc - families <= frr_only, \
            "in docs/metrics.md but not in /metrics: %s" % sorted(doc - families - frr_only)
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(10)
        stem = "%s.run." % work.replace("/", ".")  # shm::names_for(runtime_dir)
        for p in os.listdir("/dev/shm"):
            if stem in p:
                os.unlink(os.path.join("/dev/shm", p))
        shutil.rmtree(work, ignore_errors=True)


def check_bad_address(build):
    """A malformed --metrics-address stops tsunagid before it touches anything: exit 3 (a
    configuration error) and a message naming the option."""
    tsunagid = os.path.join(build, "control", "daemon", "tsunagid")
    for bad in ("9469", "[::1]9469", "localhost:9469", "127.0.0.1:70000"):
        r = subprocess.run([tsunagid, "--config", "/nonexistent.yaml", "--metrics-address", bad],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=10)
        assert r.returncode == 3 and "--metrics-address %s:" % bad in r.stdout, \
            "--metrics-address %s: exit %d, %r" % (bad, r.returncode, r.stdout)
    # The YAML's node.metrics, when no option is given: refused by the loader, FILE:LINE:COL.
    work = tempfile.mkdtemp(prefix="tsunagi-metrics-yaml-")
    try:
        conf = os.path.join(work, "bad.yaml")
        text = open(os.path.join(REPO, "config", "examples", "demo.yaml")).read()
        with open(conf, "w") as f:
            f.write(text.replace("node:\n", "node:\n  metrics: \"localhost:9469\"\n", 1))
        r = subprocess.run([tsunagid, "--config", conf], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=10)
        assert r.returncode == 3 and re.search(r"bad\.yaml:\d+:\d+: node\.metrics", r.stdout), \
            "node.metrics localhost:9469: exit %d, %r" % (r.returncode, r.stdout)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    a = ap.parse_args()
    checks = [("promtool check rules", check_rules),
              ("promtool test rules", check_rule_tests),
              ("dashboard queries parse", check_dashboard_promql),
              ("kit uses documented metrics", check_kit_uses_documented_metrics),
              ("scrape: promtool check metrics, documented families", lambda: check_scrape(a.build)),
              ("a bad --metrics-address is a configuration error", lambda: check_bad_address(a.build))]
    passed = failed = 0
    for name, fn in checks:
        try:
            fn()
            passed += 1
            print("PASS %s" % name)
        except Exception as e:  # noqa: BLE001 -- every check reports
            failed += 1
            print("FAIL %s: %s" % (name, e))
    print("monitoring: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
