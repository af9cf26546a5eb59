#!/usr/bin/python3
"""End-to-end tests: the live node in network namespaces the tests create.

usage: tests/e2e/run.py [--build DIR] [-k PATTERN] [--keep] [--list] [--timeout S]

Runs every function named test_* in tests/e2e/test_*.py (in file order), each with a
Context (binaries under --build, default `build`). Prints one line per test:

    PASS name            (followed by indented measured figures, if the test noted any)
    FAIL name: reason    (followed by the log directory, kept)
    SKIP name: reason    (only: not root, or a required binary missing)

then the skipped tests, then exactly one last line `e2e: N passed, M failed`. Exit status
0 iff M == 0. -k selects tests whose name matches the regular expression PATTERN.
Every namespace, link and process a test creates is removed when it ends, also on a
failure, a time-out, Ctrl-C or SIGTERM. See docs/e2e.md.
"""
import argparse
import importlib.util
import os
import re
import signal
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True

from lib.context import Context, Skip  # noqa: E402


class TestTimeout(Exception):
    pass


class Terminated(BaseException):
    """SIGTERM/SIGHUP: unwinds through every test's clean-up like Ctrl-C."""


def discover():
    tests = []
    for fn in sorted(os.listdir(HERE)):
        if not (fn.startswith("test_") and fn.endswith(".py")):
            continue
        spec = importlib.util.spec_from_file_location(fn[:-3], os.path.join(HERE, fn))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        funcs = [(getattr(f, "__code__").co_firstlineno, name, f) for name, f in vars(mod).items()
                 if name.startswith("test_") and callable(f)]
        for _, name, f in sorted(funcs):
            tests.append((name[len("test_"):], f))
    return tests


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(REPO, "build"), help="build directory (default: build)")
    ap.add_argument("-k", dest="pattern", help="run tests whose name matches this regular expression")
    ap.add_argument("--keep", action="store_true", help="keep the work directories of passing tests too")
    ap.add_argument("--list", action="store_true", help="list the tests and exit")
    ap.add_argument("--timeout", type=float, default=150.0, help="seconds per test (default 150)")
    a = ap.parse_args()

    def on_term(signum, _frame):
        raise Terminated(signum)

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGHUP, on_term)

    def on_alarm(_s, _f):
        raise TestTimeout("test took longer than %.0fs" % a.timeout)

    signal.signal(signal.SIGALRM, on_alarm)

    tests = discover()
    if a.pattern:
        rx = re.compile(a.pattern)
        tests = [(n, f) for n, f in tests if rx.search(n)]
    if a.list:
        for n, _ in tests:
            print(n)
        return 0

    ctx = Context(a.build, keep=a.keep)
    passed, failed, skipped = 0, 0, []
    t_all = time.monotonic()
    interrupted = False
    try:
        for name, fn in tests:
            ctx.begin()
            t0 = time.monotonic()
            ok = False
            signal.setitimer(signal.ITIMER_REAL, a.timeout)
            try:
                fn(ctx)
                ok = True
            except Skip as e:
                signal.setitimer(signal.ITIMER_REAL, 0)
                skipped.append((name, str(e)))
                print("SKIP %s: %s" % (name, e), flush=True)
                ctx.end(True)
                continue
            except (AssertionError, TestTimeout) as e:
                reason = str(e) or "assertion failed"
                print("FAIL %s: %s" % (name, reason.strip().splitlines()[0] if reason.strip() else reason), flush=True)
                rest = reason.strip().splitlines()[1:]
                for ln in rest[-40:]:
                    print("    " + ln)
            except (KeyboardInterrupt, Terminated):
                raise
            except Exception as e:  # noqa: BLE001 -- a broken harness is a failure too
                print("FAIL %s: %s: %s" % (name, type(e).__name__, str(e).strip().splitlines()[0] if str(e).strip()
                                           else ""), flush=True)
                for ln in (str(e).strip().splitlines()[1:] + traceback.format_exc().splitlines())[-40:]:
                    print("    " + ln)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            dt = time.monotonic() - t0
            if ok:
                passed += 1
                print("PASS %s (%.1fs)" % (name, dt), flush=True)
            else:
                failed += 1
            for n in ctx.notes:
                print("    " + n, flush=True)
            if not ok and ctx.dirs:
                print("    logs: %s" % " ".join(ctx.dirs), flush=True)
            ctx.end(ok)
    except (KeyboardInterrupt, Terminated):
        interrupted = True
        print("interrupted: cleaned up; remaining tests not run", flush=True)
        failed += 1
    for name, why in skipped:
        print("skipped: %s (%s)" % (name, why))
    print("(%.0fs)" % (time.monotonic() - t_all))
    print("e2e: %d passed, %d failed" % (passed, failed), flush=True)
    if interrupted:
        return 130
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
