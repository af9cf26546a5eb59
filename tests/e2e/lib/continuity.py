"""Forwarding continuity towards a carrier while something is disrupted (a session reset, a
daemon killed): pings run throughout, and every one must reach the carrier."""
import time

from . import capture, pinger


def forwarding_during(ctx, t, what, host_ns, dst, reached, action, settle):
    """Pings dst from host_ns while action() runs and settle() waits for recovery; asserts
    that all but at most one reached the carrier (reached(pkts): the frames captured on c-ix
    that count). Returns tsunagid's log from the start."""
    off = len(t.tsunagid.log(True))
    cap = capture.Capture(t.procs, "cap-" + what, t.ns["carrier"], t.dev["c-ix"],
                          "%s/cap-%s.pcap" % (t.dir, what)).start()
    p = pinger.Pinger(t.procs, "ping-" + what, host_ns, dst, interval=0.02, count=0, wait=0.2).start()
    time.sleep(0.5)
    t0 = time.monotonic()
    action()
    settle()
    back = time.monotonic() - t0
    time.sleep(0.5)
    sent = p.stop()["sent"]
    time.sleep(0.3)
    got = len(reached(cap.stop()))
    assert got >= sent - 1, "%s: %d of %d packets reached the carrier" % (what, got, sent)
    ctx.note("%s: %d of %d packets forwarded; recovered in %.1f s" % (what, got, sent, back))
    return t.tsunagid.log(True)[off:]
