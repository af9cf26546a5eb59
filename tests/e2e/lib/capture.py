"""Packet capture on an interface in a namespace (tcpdump to a pcap, read back with scapy).

libpcap re-creates the VLAN tag the kernel stripped into skb metadata (from the
PACKET_AUXDATA / tpacket header, with its TPID), so the pcap shows frames as on the wire.
"""
import logging
import os
import re
import signal

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)


class Capture:
    def __init__(self, procs, name, ns, dev, path, bpf=None, buffer_kib=0):
        """buffer_kib: the kernel's capture buffer (tcpdump -B), for counting every frame of a
        burst on a busy machine."""
        argv = ["tcpdump", "-i", dev, "-n", "-U", "--immediate-mode", "-s", "0", "-w", path]
        if buffer_kib:
            argv += ["-B", str(buffer_kib)]
        if bpf:
            argv += bpf.split()
        self.path = path
        self.proc = procs.add(name, ns, argv)

    def start(self):
        self.proc.start()
        self.proc.wait_log(r"listening on", 10)
        return self

    def stop(self):
        """Stop tcpdump and return the captured packets (scapy)."""
        from scapy.utils import rdpcap
        self.proc.kill(signal.SIGINT)
        self.proc.wait(10)
        if not os.path.exists(self.path):
            return []
        return list(rdpcap(self.path))

    def dropped(self):
        """Frames the kernel dropped because tcpdump fell behind (after stop())."""
        m = re.search(r"(\d+) packets? dropped by kernel", self.proc.log())
        return int(m.group(1)) if m else 0


def inject(ns, dev, frames):
    """Send raw Ethernet frames (bytes, tags in the data) out of dev in namespace ns."""
    import subprocess
    code = ("import socket,sys\n"
            "s=socket.socket(socket.AF_PACKET,socket.SOCK_RAW)\n"
            "s.bind((sys.argv[1],0))\n"
            "[s.send(bytes.fromhex(h)) for h in sys.argv[2:]]\n")
    subprocess.run(["ip", "netns", "exec", ns, "/usr/bin/python3", "-c", code, dev] + [bytes(f).hex() for f in frames],
                   check=True)
