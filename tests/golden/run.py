#!/usr/bin/python3
"""Golden tests: scapy-built captures through tsunagi-replay, compared field by field.

usage: tests/golden/run.py [--replay PATH] [--keep DIR] [-j N] [-v] [CASE ...]

For each case folder tests/golden/cases/NNN_name/: run gen.py OUTDIR (writes in-*.pcap,
expect-*.pcap, expect-counters.json, expect-meta.json), run
`tsunagi-replay --config config.yaml --in PORT=in-PORT.pcap ... --out OUTDIR/out`,
then compare. See README.md.
"""
import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.config import conf  # noqa: E402

conf.verb = 0
from scapy.layers.inet import IP, UDP, TCP  # noqa: E402
from scapy.layers.inet6 import IPv6, in6_chksum  # noqa: E402
from scapy.layers.l2 import Ether  # noqa: E402
from scapy.layers.vxlan import VXLAN  # noqa: E402
from scapy.packet import NoPayload, Raw, Padding  # noqa: E402
from scapy.utils import rdpcap  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "cases")
REPO = os.path.dirname(os.path.dirname(HERE))
SPORT_MIN, SPORT_MAX = 49152, 65535
MAX_REPORTS = 8


class Failure(Exception):
    pass


# ---- packet comparison -----------------------------------------------------------------
def layers(p):
    out, seen = [], {}
    while p is not None and not isinstance(p, NoPayload):
        n = type(p).__name__
        seen[n] = seen.get(n, 0) + 1
        out.append((n if seen[n] == 1 else "%s#%d" % (n, seen[n]), p))
        p = p.payload
    return out


def show(layer, name, v):
    try:
        return layer.get_field(name).i2repr(layer, v)
    except Exception:
        return repr(v)


def field_diffs(exp, got):
    """List of 'layer.field: expected X, got Y' (empty when equal)."""
    diffs = []
    le, lg = layers(exp), layers(got)
    for i in range(max(len(le), len(lg))):
        if i >= len(le):
            diffs.append("extra layer %s: %r" % (lg[i][0], bytes(lg[i][1])[:64]))
            break
        if i >= len(lg):
            diffs.append("missing layer %s" % le[i][0])
            break
        (ne, e), (ng, g) = le[i], lg[i]
        if type(e) is not type(g):
            diffs.append("layer %d: expected %s, got %s" % (i, ne, ng))
            break
        if isinstance(e, (Raw, Padding)):
            a, b = e.load, g.load
            if a != b:
                off = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]), min(len(a), len(b)))
                diffs.append("%s.load: expected %d bytes, got %d bytes (first difference at offset %d)"
                             % (ne, len(a), len(b), off))
            continue
        for f in e.fields_desc:
            name = f.name
            if name not in e.fields and name not in g.fields:
                continue
            a, b = e.getfieldval(name), g.getfieldval(name)
            if a != b:
                diffs.append("%s.%s: expected %s, got %s" % (ne, name, show(e, name, a), show(g, name, b)))
    if not diffs and bytes(exp) != bytes(got):
        a, b = bytes(exp), bytes(got)
        off = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]), min(len(a), len(b)))
        diffs.append("bytes: expected %d, got %d (first difference at offset %d)" % (len(a), len(b), off))
    return diffs


def vxlan_placeholder(exp):
    """The outer UDP layer of an expected VXLAN packet whose sport is the 0 placeholder."""
    if UDP in exp and VXLAN in exp and exp[UDP].dport == 4789 and exp[UDP].sport == 0:
        return exp[UDP]
    return None


def flow_key(pkt):
    """The inner flow of a VXLAN packet: MACs, EtherType, IP addresses, protocol, L4 ports."""
    inner = pkt[VXLAN].payload
    key = [bytes(inner)[:14]]
    l3 = inner.payload if isinstance(inner, Ether) else None
    if isinstance(l3, IP):
        key += [l3.src, l3.dst, l3.proto]
        if (l3.flags.MF or l3.frag) == 0 and isinstance(l3.payload, (UDP, TCP)):
            key += [l3.payload.sport, l3.payload.dport]
    elif isinstance(l3, IPv6):
        key += [l3.src, l3.dst, l3.nh]
        if isinstance(l3.payload, (UDP, TCP)):
            key += [l3.payload.sport, l3.payload.dport]
    return repr(key)


def compare_packet(exp_raw, got_raw):
    """(diffs, sport or None). The sport placeholder is checked by rule, then substituted."""
    exp, got = Ether(exp_raw), Ether(got_raw)
    sport = None
    if vxlan_placeholder(exp) is not None:
        if UDP not in got:
            return field_diffs(exp, got), None
        sport = got[UDP].sport
        if not SPORT_MIN <= sport <= SPORT_MAX:
            return ["UDP.sport: expected in %d-%d (hash of the inner flow), got %d"
                    % (SPORT_MIN, SPORT_MAX, sport)], None
        exp[UDP].sport = sport
        if isinstance(exp[UDP].underlayer, IPv6):
            # Recompute the outer IPv6 UDP checksum over the datagram's bytes as sent:
            # scapy's own recomputation leaves out an inner frame's trailing padding.
            exp[UDP].chksum = 0
            b = bytearray(bytes(exp))
            off = len(b) - len(bytes(exp[UDP]))
            ck = in6_chksum(17, exp[IPv6], bytes(b[off:])) or 0xffff
            b[off + 6:off + 8] = ck.to_bytes(2, "big")
            exp = Ether(bytes(b))
        else:
            exp = Ether(bytes(exp))
    return field_diffs(exp, got), sport


def read(path):
    return [(round(float(p.time) * 1e6), bytes(p)) for p in rdpcap(path)]


def compare_port(case, port, exp_list, got_list, sports, errors, ordered=False):
    """Packet by packet; copies of one input (same timestamp) may come in any order
    unless `ordered` (expect-meta.json "ordered": true)."""
    def groups(lst):
        out = []
        for t, raw in lst:
            if out and out[-1][0] == t:
                out[-1][1].append(raw)
            else:
                out.append((t, [raw]))
        return out

    ge, gg = groups(exp_list), groups(got_list)
    idx = 0
    for gi in range(max(len(ge), len(gg))):
        if gi >= len(ge):
            errors.append("%s: port %s: packet %d: unexpected extra packets (%d more, t=%.6f)"
                          % (case, port, idx, sum(len(g[1]) for g in gg[gi:]), gg[gi][0] / 1e6))
            return
        if gi >= len(gg):
            errors.append("%s: port %s: packet %d: missing %d packet(s) from t=%.6f on"
                          % (case, port, idx, sum(len(g[1]) for g in ge[gi:]), ge[gi][0] / 1e6))
            return
        (te, es), (tg, gs) = ge[gi], gg[gi]
        if te != tg:
            errors.append("%s: port %s: packet %d: timestamp: expected %.6f, got %.6f"
                          % (case, port, idx, te / 1e6, tg / 1e6))
            return
        if len(es) != len(gs):
            errors.append("%s: port %s: packet %d: %d packet(s) expected at t=%.6f, got %d"
                          % (case, port, idx, len(es), te / 1e6, len(gs)))
            return
        used = set()
        for k, e in enumerate(es):
            found = None
            for j, g in enumerate(gs):
                if j in used or (ordered and j != k):
                    continue
                diffs, sport = compare_packet(e, g)
                if not diffs:
                    found = (j, sport)
                    break
            if found is None:
                j = k if ordered else min(set(range(len(gs))) - used)
                diffs, _ = compare_packet(e, gs[j])
                for d in diffs[:MAX_REPORTS]:
                    errors.append("%s: port %s: packet %d: %s" % (case, port, idx + k, d))
                return
            used.add(found[0])
            if found[1] is not None:
                sports.setdefault(flow_key(Ether(gs[found[0]])), set()).add(found[1])
        idx += len(es)


def compare_counters(exp, got, path, errors, case):
    for k, v in exp.items():
        p = "%s.%s" % (path, k) if path else k
        if k not in got:
            errors.append("%s: counters: %s missing" % (case, p))
        elif isinstance(v, dict):
            if not isinstance(got[k], dict):
                errors.append("%s: counters: %s: expected an object, got %r" % (case, p, got[k]))
            else:
                compare_counters(v, got[k], p, errors, case)
        elif got[k] != v:
            errors.append("%s: counters: %s: expected %r, got %r" % (case, p, v, got[k]))


# ---- one case ----------------------------------------------------------------------------
def run_case(name, replay, workdir, verbose):
    src = os.path.join(CASES, name)
    out = os.path.join(workdir, name)
    os.makedirs(out, exist_ok=True)
    r = subprocess.run([sys.executable, os.path.join(src, "gen.py"), out],
                       capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
    if r.returncode != 0:
        raise Failure("gen.py exited %d: %s" % (r.returncode, (r.stderr or r.stdout).strip()[-800:]))
    meta = {}
    if os.path.exists(os.path.join(out, "expect-meta.json")):
        with open(os.path.join(out, "expect-meta.json")) as f:
            meta = json.load(f)
    ins = sorted(f[3:-5] for f in os.listdir(out) if f.startswith("in-") and f.endswith(".pcap"))
    order = [p for p in meta.get("in_order", []) if p in ins] + \
        [p for p in ins if p not in meta.get("in_order", [])]
    cmd = [replay, "--config", os.path.join(src, "config.yaml")]
    for p in order:
        cmd += ["--in", "%s=%s" % (p, os.path.join(out, "in-%s.pcap" % p))]
    res = os.path.join(out, "out")
    cmd += ["--out", res]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    want_rc = meta.get("exit", 0)
    if r.returncode != want_rc:
        raise Failure("tsunagi-replay exited %d (expected %d): %s"
                      % (r.returncode, want_rc, (r.stderr or r.stdout).strip()[-800:]))
    if verbose:
        print("  %s: %s" % (name, " ".join(cmd)), file=sys.stderr)
    errors = []
    if want_rc != 0:
        return errors
    expected = sorted(f[7:-5] for f in os.listdir(out) if f.startswith("expect-") and f.endswith(".pcap"))
    got = sorted(f[:-5] for f in os.listdir(res) if f.endswith(".pcap")) if os.path.isdir(res) else []
    sports = {}
    for port in sorted(set(expected) | set(got)):
        if port not in got:
            errors.append("%s: port %s: no output capture, expected %d packet(s)"
                          % (name, port, len(read(os.path.join(out, "expect-%s.pcap" % port)))))
            continue
        g = read(os.path.join(res, port + ".pcap"))
        if port not in expected:
            errors.append("%s: port %s: unexpected output capture with %d packet(s)" % (name, port, len(g)))
            continue
        compare_port(name, port, read(os.path.join(out, "expect-%s.pcap" % port)), g, sports, errors,
                     ordered=bool(meta.get("ordered")))
    for key, ports in sports.items():
        if len(ports) > 1:
            errors.append("%s: VXLAN UDP source port: one inner flow got %d different ports %s"
                          % (name, len(ports), sorted(ports)))
    want_distinct = meta.get("min_distinct_sports")
    if want_distinct:
        distinct = set().union(*sports.values()) if sports else set()
        if len(distinct) < want_distinct:
            errors.append("%s: VXLAN UDP source port: %d distinct port(s) over %d flows, expected at least %d"
                          % (name, len(distinct), len(sports), want_distinct))
    ec = os.path.join(out, "expect-counters.json")
    if os.path.exists(ec):
        with open(ec) as f:
            exp_c = json.load(f)
        try:
            with open(os.path.join(res, "counters.json")) as f:
                got_c = json.load(f)
        except (OSError, ValueError) as e:
            errors.append("%s: counters.json: %s" % (name, e))
        else:
            compare_counters(exp_c, got_c, "", errors, name)
    return errors


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--replay", default=os.path.join(REPO, "build", "tools", "tsunagi-replay"))
    ap.add_argument("--keep", help="keep generated files under this directory")
    ap.add_argument("-j", type=int, default=max(2, os.cpu_count() or 2))
    ap.add_argument("-v", action="store_true", help="print the replay command of each case")
    ap.add_argument("cases", nargs="*")
    args = ap.parse_args()
    replay = os.path.abspath(args.replay)
    if not os.access(replay, os.X_OK):
        print("golden: no replay binary at %s (use --replay PATH)" % replay)
        print("golden: 0 passed, 1 failed")
        return 1
    names = sorted(d for d in os.listdir(CASES) if os.path.isfile(os.path.join(CASES, d, "gen.py")))
    if args.cases:
        sel = []
        for c in args.cases:
            c = os.path.basename(c.rstrip("/"))
            m = [n for n in names if n == c or n.startswith(c)]
            if not m:
                print("FAIL %s: no such case" % c)
                sel.append((c, None))
            sel += [(n, True) for n in m]
        todo = sel
    else:
        todo = [(n, True) for n in names]
    workdir = args.keep or tempfile.mkdtemp(prefix="tsunagi-golden-")
    os.makedirs(workdir, exist_ok=True)
    lock = threading.Lock()

    def one(item):
        name, ok = item
        if ok is None:
            return name, ["no such case"]
        try:
            return name, run_case(name, replay, workdir, args.v)
        except Failure as e:
            return name, [str(e)]
        except Exception as e:  # a broken generator or an unreadable capture
            return name, ["%s: %s" % (type(e).__name__, e)]

    passed = failed = 0
    try:
        with ThreadPoolExecutor(max_workers=args.j) as ex:
            for name, errors in ex.map(one, todo):
                with lock:
                    if errors:
                        failed += 1
                        first = errors[0]
                        if first.startswith(name + ": "):
                            first = first[len(name) + 2:]
                        print("FAIL %s: %s" % (name, first))
                        for e in errors[1:MAX_REPORTS * 2]:
                            print("    %s" % e)
                        if len(errors) > MAX_REPORTS * 2:
                            print("    ... %d more" % (len(errors) - MAX_REPORTS * 2))
                    else:
                        passed += 1
                        print("PASS %s" % name)
                    sys.stdout.flush()
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print("golden: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
