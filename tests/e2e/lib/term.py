"""A program on a pseudo-terminal, driven the way an operator types (for tsunagi-sh)."""
import fcntl
import os
import pty
import re
import select
import signal
import struct
import termios
import time


class Terminal:
    def __init__(self, argv, env=None, rows=200, cols=200):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: becomes the program
            os.execve(argv[0], argv, dict(os.environ, **(env or {})))
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.buf = ""
        self.status = None

    def send(self, text):
        os.write(self.fd, text.encode())

    def _read(self, timeout):
        r, _, _ = select.select([self.fd], [], [], timeout)
        if not r:
            return False
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # EIO: the program ended
            return None
        if not data:
            return None
        self.buf += data.decode(errors="replace")
        return True

    def expect(self, pattern, timeout=10.0):
        """Waits for `pattern` in what the program printed since the last match; returns the
        text up to and including it, and keeps the rest."""
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern)
        while True:
            m = rx.search(self.buf)
            if m:
                out, self.buf = self.buf[:m.end()], self.buf[m.end():]
                return out
            left = deadline - time.monotonic()
            if left <= 0 or self._read(left) is None:
                raise AssertionError("terminal: %r not seen; screen so far:\n%s" % (pattern, self.buf[-3000:]))

    def wait(self, timeout=10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, st = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(st)
                return self.status
            self._read(0.05)
        return None

    def close(self):
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except OSError:
                pass
        os.close(self.fd)
