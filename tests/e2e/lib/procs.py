"""Processes in namespaces: start, wait for readiness by polling, signal, restart, stop.

Every process logs stdout+stderr to its own file in the run directory (appending across
restarts, with a header line per start). Waiting is always by polling a condition
(`wait_until`), never by a fixed sleep.
"""
import os
import re
import signal
import subprocess
import time


class ProcError(Exception):
    pass


def wait_until(pred, timeout, interval=0.02, what="condition"):
    """Poll pred() until it returns a true value (returned) or timeout seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() >= deadline:
            raise ProcError("timed out after %.1fs waiting for %s" % (timeout, what))
        time.sleep(interval)


class Proc:
    def __init__(self, name, ns, argv, log_path, env=None):
        self.name = name
        self.ns = ns
        self.argv = list(argv)
        self.log_path = log_path
        self.env = env
        self.popen = None
        self.starts = 0
        self.start_offset = 0  # log offset of the latest start
        self.returncode = None
        self.stopped_on_purpose = False  # set by kill()/stop() with a terminating signal

    def start(self):
        if self.alive():
            raise ProcError("%s already running (pid %d)" % (self.name, self.popen.pid))
        full = (["ip", "netns", "exec", self.ns] if self.ns else []) + self.argv
        with open(self.log_path, "ab") as f:
            self.start_offset = f.tell()
            f.write(("=== %s start #%d: %s\n" % (time.strftime("%H:%M:%S"), self.starts + 1, " ".join(full))).encode())
        log = open(self.log_path, "ab")
        env = dict(os.environ)
        env["PYTHONUNBUFFERED"] = "1"
        if self.env:
            env.update(self.env)
        try:
            # `ip netns exec` execs the command, so popen.pid is the program itself.
            self.popen = subprocess.Popen(full, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                          start_new_session=True, env=env)
        finally:
            log.close()
        self.starts += 1
        self.returncode = None
        self.stopped_on_purpose = False
        return self

    @property
    def pid(self):
        return self.popen.pid if self.popen else None

    def alive(self):
        return self.popen is not None and self.popen.poll() is None

    def kill(self, sig):
        """Send sig. SIGKILL/SIGTERM/SIGINT mark the process as stopped on purpose, so that
        liveness checks (Topology.wait_forwarding) do not report it."""
        if sig in (signal.SIGKILL, signal.SIGTERM, signal.SIGINT):
            self.stopped_on_purpose = True
        if self.alive():
            os.kill(self.popen.pid, sig)

    def wait(self, timeout):
        """Wait for exit; returns the exit code, or None if still running after timeout."""
        if self.popen is None:
            return self.returncode
        try:
            self.returncode = self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        return self.returncode

    def stop(self, sig=signal.SIGTERM, timeout=10.0):
        """Send sig, wait up to timeout, then SIGKILL. Returns the exit code."""
        self.stopped_on_purpose = True
        if not self.alive():
            return self.popen.poll() if self.popen else None
        try:
            os.kill(self.popen.pid, signal.SIGCONT)  # a stopped process cannot act on SIGTERM
        except ProcessLookupError:
            pass
        self.kill(sig)
        rc = self.wait(timeout)
        if rc is None:
            self.kill(signal.SIGKILL)
            rc = self.wait(10)
        return rc

    def restart(self, sig=signal.SIGTERM, timeout=10.0):
        self.stop(sig, timeout)
        return self.start()

    # ---- log ---------------------------------------------------------------------------
    def log(self, since_start=False):
        try:
            with open(self.log_path, "rb") as f:
                if since_start:
                    f.seek(self.start_offset)
                return f.read().decode(errors="replace")
        except FileNotFoundError:
            return ""

    def tail(self, n=25):
        lines = self.log().splitlines()
        return "\n".join(lines[-n:])

    def wait_log(self, pattern, timeout, since_start=True):
        """Poll the log (since the latest start) for a regex; fail early if the process exits."""
        rx = re.compile(pattern, re.M)

        def check():
            m = rx.search(self.log(since_start))
            if m:
                return m
            if not self.alive():
                raise ProcError("%s exited (rc %s) before printing /%s/:\n%s"
                                % (self.name, self.popen.poll(), pattern, self.tail()))
            return None

        return wait_until(check, timeout, what="%s to print /%s/" % (self.name, pattern))


class ProcSet:
    """The processes of one test; stopped in reverse start order by close()."""

    def __init__(self, log_dir):
        self.log_dir = log_dir
        self.procs = []

    def add(self, name, ns, argv, env=None):
        p = Proc(name, ns, argv, os.path.join(self.log_dir, name + ".log"), env=env)
        self.procs.append(p)
        return p

    def start(self, name, ns, argv, env=None):
        return self.add(name, ns, argv, env).start()

    def close(self):
        for p in reversed(self.procs):
            p.stop(signal.SIGTERM, timeout=5)
