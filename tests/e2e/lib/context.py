"""What a test function gets: binaries, work directories, skips and measured notes."""
import os
import shutil


class Skip(Exception):
    """Raise to skip a test with a reason (only: not root, or a binary missing)."""


class Context:
    def __init__(self, build, keep=False, workdir_prefix="tsunagi-e2e"):
        self.workdir_prefix = workdir_prefix
        self.build = os.path.abspath(build)
        self.bins = {
            "tsunagid": os.path.join(self.build, "control", "daemon", "tsunagid"),
            "dataplane": os.path.join(self.build, "dataplane", "tsunagi-dataplane"),
            "shell": os.path.join(self.build, "tools", "tsunagi-sh"),
        }
        self.keep = keep
        self.dirs = []
        self.notes = []

    def require_root(self):
        if os.geteuid() != 0:
            raise Skip("not root (namespaces need CAP_NET_ADMIN)")

    def require_node(self):
        """The live node: tsunagid and tsunagi-dataplane under --build."""
        self.require_root()
        if not os.access(self.bins["tsunagid"], os.X_OK):
            raise Skip("tsunagid not built (%s)" % self.bins["tsunagid"])
        if not os.access(self.bins["dataplane"], os.X_OK):
            raise Skip("tsunagi-dataplane not built (%s)" % self.bins["dataplane"])

    def note(self, msg):
        """A measured figure (loss, outage, latency): printed under the test's result line."""
        self.notes.append(msg)

    def new_workdir(self, suffix):
        d = "/tmp/%s-%s" % (self.workdir_prefix, suffix)
        os.makedirs(d, exist_ok=True)
        self.dirs.append(d)
        return d

    # used by run.py between tests
    def begin(self):
        self.dirs, self.notes = [], []

    def end(self, passed):
        if passed and not self.keep:
            for d in self.dirs:
                shutil.rmtree(d, ignore_errors=True)
