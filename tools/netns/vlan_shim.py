#!/usr/bin/python3
"""vlan_shim: a VLAN-tagged service host on a kernel without 802.1Q devices.

The test machines run a kernel built without 802.1Q VLAN devices (no `ip link add ...
type vlan`) and without tc's vlan action, so a namespace cannot simply have an
`eth0.1234`. This shim makes a "tagged service host" with raw sockets instead:

    host stack (IPv4 + IPv6 addresses, ARP, ND, TCP ...)
        |
      TAP interface (untagged Ethernet frames, created and owned by this process)
        |   user space: read() / write() on /dev/net/tun
    vlan_shim.py  -- pushes the configured tag(s) on the way out,
        |            checks and pops them on the way in
        |   AF_PACKET raw socket bound to the veth (ETH_P_ALL, PACKET_AUXDATA)
      veth  ===========  the port of the device under test (tagged frames)

* Host -> wire: every frame the host sends on the TAP gets its tag(s) pushed right after
  the source MAC: one 802.1Q tag (TPID 0x8100, VID, PCP), or for QinQ an 802.1ad S-tag
  (TPID 0x88a8 by default) followed by an 802.1Q C-tag (TPID 0x8100); the PCP given
  with --pcp is written into the outer tag (and the inner one).
* Wire -> host: only frames carrying exactly those tags (outer TPID + VID, and for QinQ
  the inner TPID + VID; PCP/DEI are not matched, but counted) are untagged and written
  to the TAP. Everything else (untagged, other VIDs, other TPIDs, too short) is dropped
  and counted.
* The kernel strips the OUTER VLAN tag of every received frame into skb metadata
  (skb_vlan_untag() in __netif_receive_skb_core) before AF_PACKET sees it, whether or
  not a VLAN device exists. The raw socket therefore enables PACKET_AUXDATA and reads
  the tag back from the control message (struct tpacket_auxdata: tp_vlan_tci,
  tp_vlan_tpid; valid when TP_STATUS_VLAN_VALID / TP_STATUS_VLAN_TPID_VALID are set)
  and re-creates it in the frame before matching. Inner tags stay in the frame.
  Frames this host itself transmits on the veth are ignored (PACKET_IGNORE_OUTGOING,
  and PACKET_OUTGOING in sll_pkttype as a fallback).
* Sent frames go out with the tag inside the frame data (a raw socket send), which the
  veth passes to its peer as is.

The veth should have an MTU of at least 1508 (the TAP's 1500 + 8 bytes of QinQ tags):
the kernel refuses raw-socket sends above MTU + 4.

Usage (run it inside the host's network namespace, e.g. with `ip netns exec`):

    vlan_shim.py --veth h-cloud --tap tap0 --mac 02:10:00:00:00:01 \
        --addr 10.1.0.1/24 --addr fd00:1::1/64 --vlan 1234 [--pcp 3]
    vlan_shim.py ... --vlan 100 --inner-vlan 20          # QinQ: 0x88a8/100 + 0x8100/20

It creates the TAP (or attaches to an existing one), sets its MAC, MTU and addresses
(IPv6 with nodad), brings the TAP and the veth up, prints one line `READY ...` and
forwards until SIGTERM or SIGINT. SIGUSR1 prints the counters; on exit it prints them
as one line `STATS {json}` and removes the TAP it created. Exit status 0, or 1 on a
set-up error.
"""
import argparse
import fcntl
import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_AUXDATA = 8
PACKET_IGNORE_OUTGOING = 23
PACKET_OUTGOING = 4
TP_STATUS_VLAN_VALID = 0x10
TP_STATUS_VLAN_TPID_VALID = 0x40
AUXDATA = struct.Struct("=IIIHHHH")  # tp_status, tp_len, tp_snaplen, tp_mac, tp_net, tci, tpid

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
TPID_8021Q = 0x8100
TPID_8021AD = 0x88A8
MAX_FRAME = 65536


def log(msg):
    sys.stdout.write(msg + "\n")
    sys.stdout.flush()


def run(*argv):
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(argv), r.stdout.strip()))


def open_tap(name):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    ifr = struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI)
    fcntl.ioctl(fd, TUNSETIFF, ifr)
    return fd


def parse_int(s):
    return int(s, 0)


class Shim:
    def __init__(self, a):
        self.a = a
        self.outer_tpid = a.tpid if a.tpid is not None else (TPID_8021AD if a.inner_vlan else TPID_8021Q)
        self.inner_tpid = TPID_8021Q
        pcp = (a.pcp & 7) << 13
        tags = struct.pack("!HH", self.outer_tpid, pcp | a.vlan)
        if a.inner_vlan:
            tags += struct.pack("!HH", self.inner_tpid, pcp | a.inner_vlan)
        self.tags = tags
        self.ntags = len(tags)
        self.c = {
            "tx_frames": 0,  # host -> wire, tagged and sent
            "tx_errors": 0,
            "rx_frames": 0,  # wire -> host, untagged and written to the TAP
            "rx_tap_errors": 0,
            "rx_dropped_untagged": 0,
            "rx_dropped_other_tag": 0,
            "rx_dropped_short": 0,
            "rx_tag_from_auxdata": 0,
        }
        self.rx_pcp = {}
        self.stop = False
        self.created_tap = False

    def setup(self):
        a = self.a
        # A TAP that does not exist yet is created by TUNSETIFF and vanishes when we exit.
        existed = os.path.exists("/sys/class/net/%s" % a.tap)
        self.tap = open_tap(a.tap)
        self.created_tap = not existed
        run("ip", "link", "set", "dev", a.tap, "address", a.mac, "mtu", str(a.mtu))
        for addr in a.addr:
            extra = ["nodad"] if ":" in addr else []
            run("ip", "addr", "replace", addr, "dev", a.tap, *extra)
        run("ip", "link", "set", "dev", a.tap, "up")
        run("ip", "link", "set", "dev", a.veth, "up")

        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
        try:
            s.setsockopt(SOL_PACKET, PACKET_IGNORE_OUTGOING, 1)
        except OSError:
            pass  # old kernel: the sll_pkttype check below does the job
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
        s.bind((a.veth, ETH_P_ALL))
        s.setblocking(False)
        self.sock = s

    # ---- host -> wire ----------------------------------------------------------------
    def from_tap(self):
        for _ in range(64):
            try:
                f = os.read(self.tap, MAX_FRAME)
            except BlockingIOError:
                return
            except OSError:
                self.c["tx_errors"] += 1
                return
            if len(f) < 14:
                self.c["tx_errors"] += 1
                continue
            out = f[:12] + self.tags + f[12:]
            try:
                self.sock.send(out)
                self.c["tx_frames"] += 1
            except OSError:
                self.c["tx_errors"] += 1

    # ---- wire -> host ----------------------------------------------------------------
    def from_wire(self):
        for _ in range(64):
            try:
                data, anc, _flags, addr = self.sock.recvmsg(MAX_FRAME, socket.CMSG_SPACE(AUXDATA.size))
            except BlockingIOError:
                return
            except OSError:
                return
            if len(addr) > 2 and addr[2] == PACKET_OUTGOING:
                continue
            for level, typ, cdata in anc:
                if level == SOL_PACKET and typ == PACKET_AUXDATA and len(cdata) >= AUXDATA.size:
                    status, _l, _s, _m, _n, tci, tpid = AUXDATA.unpack_from(cdata)
                    if status & TP_STATUS_VLAN_VALID:
                        if not (status & TP_STATUS_VLAN_TPID_VALID) or tpid == 0:
                            tpid = TPID_8021Q
                        data = data[:12] + struct.pack("!HH", tpid, tci) + data[12:]
                        self.c["rx_tag_from_auxdata"] += 1
            self.deliver(data)

    def deliver(self, f):
        if len(f) < 14 + self.ntags:
            self.c["rx_dropped_short"] += 1
            return
        tpid, tci = struct.unpack_from("!HH", f, 12)
        if tpid not in (TPID_8021Q, TPID_8021AD, 0x9100):
            self.c["rx_dropped_untagged"] += 1
            return
        if tpid != self.outer_tpid or (tci & 0xFFF) != self.a.vlan:
            self.c["rx_dropped_other_tag"] += 1
            return
        if self.a.inner_vlan:
            itpid, itci = struct.unpack_from("!HH", f, 16)
            if itpid != self.inner_tpid or (itci & 0xFFF) != self.a.inner_vlan:
                self.c["rx_dropped_other_tag"] += 1
                return
        else:
            # Exactly one tag: a frame with a second tag is not ours.
            (et,) = struct.unpack_from("!H", f, 16)
            if et in (TPID_8021Q, TPID_8021AD):
                self.c["rx_dropped_other_tag"] += 1
                return
        pcp = tci >> 13
        self.rx_pcp[pcp] = self.rx_pcp.get(pcp, 0) + 1
        out = f[:12] + f[12 + self.ntags:]
        try:
            os.write(self.tap, out)
            self.c["rx_frames"] += 1
        except OSError:
            self.c["rx_tap_errors"] += 1

    def stats(self):
        d = dict(self.c)
        d["rx_pcp"] = {str(k): v for k, v in sorted(self.rx_pcp.items())}
        return d

    def loop(self):
        r, w = os.pipe()
        os.set_blocking(w, False)

        def on_stop(_sig, _frm):
            self.stop = True
            try:
                os.write(w, b"x")
            except OSError:
                pass

        def on_usr1(_sig, _frm):
            log("STATS " + json.dumps(self.stats(), sort_keys=True))

        signal.signal(signal.SIGTERM, on_stop)
        signal.signal(signal.SIGINT, on_stop)
        signal.signal(signal.SIGUSR1, on_usr1)
        poller = select.poll()
        poller.register(self.tap, select.POLLIN)
        poller.register(self.sock.fileno(), select.POLLIN)
        poller.register(r, select.POLLIN)
        tag = "%#06x/%d" % (self.outer_tpid, self.a.vlan)
        if self.a.inner_vlan:
            tag += "+%#06x/%d" % (self.inner_tpid, self.a.inner_vlan)
        log("READY tap=%s veth=%s tags=%s pcp=%d pid=%d" % (self.a.tap, self.a.veth, tag, self.a.pcp, os.getpid()))
        while not self.stop:
            try:
                events = poller.poll(1000)
            except InterruptedError:
                continue
            for fd, ev in events:
                if fd == self.tap:
                    self.from_tap()
                elif fd == r:
                    pass
                else:
                    self.from_wire()
        log("STATS " + json.dumps(self.stats(), sort_keys=True))

    def close(self):
        try:
            os.close(self.tap)
        except Exception:
            pass


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--veth", required=True, help="the wire side (a veth in this namespace)")
    p.add_argument("--tap", required=True, help="TAP name for the host side (<= 15 chars)")
    p.add_argument("--mac", required=True, help="the host's MAC (the TAP's)")
    p.add_argument("--addr", action="append", default=[], help="ADDR/LEN on the TAP (repeatable)")
    p.add_argument("--vlan", type=int, required=True, help="outer VID (1-4094)")
    p.add_argument("--inner-vlan", type=int, default=0, help="inner VID: QinQ")
    p.add_argument("--tpid", type=parse_int, default=None,
                   help="outer TPID (default 0x8100, or 0x88a8 with --inner-vlan)")
    p.add_argument("--pcp", type=int, default=0, help="PCP of the pushed tag(s), 0-7")
    p.add_argument("--mtu", type=int, default=1500, help="TAP MTU")
    a = p.parse_args()
    if not 1 <= a.vlan <= 4094 or (a.inner_vlan and not 1 <= a.inner_vlan <= 4094) or not 0 <= a.pcp <= 7:
        p.error("VID must be 1-4094 and PCP 0-7")
    shim = Shim(a)
    try:
        shim.setup()
    except Exception as e:  # noqa: BLE001
        log("ERROR setup: %s" % e)
        return 1
    try:
        shim.loop()
    finally:
        shim.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
