#!/usr/bin/python3
"""A minimal BGP speaker for one connection that a test must time to the millisecond (a
connection collision): it connects from LOCAL to PEER's port 179, sends its OPEN, and if
the peer keeps this connection, announces the given VPNv4 routes with labels (RFC 4364,
RFC 8277) and answers route refreshes with them again, keeping the session up with
keepalives. It negotiates neither graceful restart nor enhanced route refresh, so it sends
no End-of-RIB and no End-of-Route-Refresh. When the peer closes the connection it connects
again a second later, as a carrier's connect-retry timer would, up to CONNECTIONS times.
Run inside the carrier's namespace:

    bgp_speaker.py LOCAL PEER ASN PREFIX,RD,LABEL,RT [...]

It prints one line per event: `open sent`, `established`, `notification CODE SUBCODE`,
`refresh`, `closed`, `connect failed: WHY`.
"""
import select
import socket
import struct
import sys
import time

HOLD = 9
CONNECT_RETRY = 1.0
CONNECTIONS = 8


def message(typ, body=b""):
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), typ) + body


def open_message(asn, router_id):
    caps = (bytes([1, 4, 0, 1, 0, 128])  # multiprotocol: IPv4 VPN
            + bytes([2, 0])  # route refresh
            + bytes([65, 4]) + struct.pack("!I", asn))  # 4-byte AS
    opt = bytes([2, len(caps)]) + caps
    return message(1, struct.pack("!BHH4sB", 4, asn if asn < 65536 else 23456, HOLD, socket.inet_aton(router_id), len(opt)) + opt)


def update(asn, next_hop, prefix, rd, label, rt):
    addr, plen = prefix.split("/")
    plen = int(plen)
    rd_as, rd_n = (int(x) for x in rd.split(":"))
    rt_as, rt_n = (int(x) for x in rt.split(":"))
    nlri = (bytes([24 + 64 + plen]) + struct.pack("!I", label << 4 | 1)[1:]
            + struct.pack("!HHI", 0, rd_as, rd_n) + socket.inet_aton(addr)[:(plen + 7) // 8])
    reach = struct.pack("!HBB", 1, 128, 12) + bytes(8) + socket.inet_aton(next_hop) + b"\0" + nlri
    attrs = (bytes([0x40, 1, 1, 0])  # ORIGIN IGP
             + bytes([0x40, 2, 6, 2, 1]) + struct.pack("!I", asn)  # AS_PATH
             + bytes([0xC0, 16, 8, 0x00, 0x02]) + struct.pack("!HI", rt_as, rt_n)  # route target
             + bytes([0x80, 14, len(reach)]) + reach)  # MP_REACH_NLRI
    return message(2, struct.pack("!HH", 0, len(attrs)) + attrs)


def say(line):
    print(line, flush=True)


def session(local, peer, asn, table):
    """One connection, until the peer closes it."""
    s = socket.create_connection((peer, 179), timeout=10, source_address=(local, 0))
    s.sendall(open_message(asn, local))
    say("open sent")
    buf, established, last_keepalive = b"", False, time.monotonic()
    while True:
        r, _, _ = select.select([s], [], [], 1.0)
        if time.monotonic() - last_keepalive >= HOLD / 3:
            s.sendall(message(4))
            last_keepalive = time.monotonic()
        if not r:
            continue
        try:
            data = s.recv(65536)
        except ConnectionResetError:
            data = b""
        if not data:
            say("closed")
            s.close()
            return
        buf += data
        while len(buf) >= 19 and len(buf) >= struct.unpack("!H", buf[16:18])[0]:
            n = struct.unpack("!H", buf[16:18])[0]
            typ, body, buf = buf[18], buf[19:n], buf[n:]
            if typ == 1:
                s.sendall(message(4))
            elif typ == 4 and not established:
                established = True
                say("established")
                s.sendall(table)
            elif typ == 3:
                say("notification %d %d" % (body[0], body[1]))
            elif typ == 5:
                say("refresh")
                s.sendall(table)


def main():
    local, peer, asn = sys.argv[1], sys.argv[2], int(sys.argv[3])
    routes = [r.split(",") for r in sys.argv[4:]]
    table = b"".join(update(asn, local, p, rd, int(label), rt) for p, rd, label, rt in routes)
    for _ in range(CONNECTIONS):
        try:
            session(local, peer, asn, table)
        except OSError as e:
            say("connect failed: %s" % e)
        time.sleep(CONNECT_RETRY)


if __name__ == "__main__":
    main()
