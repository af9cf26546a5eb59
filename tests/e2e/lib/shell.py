"""tsunagi-sh against a test node: one-shot commands, their output, and show commands' JSON."""
import json
import subprocess


def run(ctx, t, *commands, ok=True):
    """Runs `commands` in one tsunagi-sh -c session; asserts the exit status says `ok`."""
    argv = [ctx.bins["shell"], "--runtime-dir", t.runtime_dir]
    for c in commands:
        argv += ["-c", c]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    assert (r.returncode == 0) == ok, "tsunagi-sh %s: rc %d\n%s%s" % (commands, r.returncode, r.stdout, r.stderr)
    return r.stdout


def show_json(ctx, t, command):
    """A show command's JSON document."""
    return json.loads(run(ctx, t, command + " json"))
