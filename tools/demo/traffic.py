#!/usr/bin/python3
"""Writes the demo captures for config/examples/demo.yaml into DIR (in-PORT.pcap).

Two customers, each with a host in the cloud (cloud0) and on a dedicated server
(srv0), and a remote site behind the VTEP 192.0.2.2."""
import sys

from scapy.all import ARP, ICMP, IP, UDP, Dot1AD, Dot1Q, Ether, VXLAN, wrpcap

A, B, R, C = "02:00:00:00:aa:01", "02:00:00:00:bb:01", "02:00:00:00:cc:01", "02:00:00:00:dd:01"
CORE0, REMOTE_VTEP_MAC = "02:00:00:00:01:04", "02:bb:00:00:00:02"
BCAST = "ff:ff:ff:ff:ff:ff"


def vxlan_in(vni, inner, src="192.0.2.2"):
    return (Ether(src=REMOTE_VTEP_MAC, dst=CORE0) / IP(src=src, dst="192.0.2.1") /
            UDP(sport=51000, dport=4789) / VXLAN(flags=0x08, vni=vni) / inner)


def main(out):
    cloud0, srv0, core0 = [], [], []

    def at(lst, t, pkt):
        pkt.time = t
        lst.append(pkt)

    # cust-0001: A (cloud VLAN 1234) looks for B (server VLAN 100): flooded everywhere.
    at(cloud0, 1, Ether(src=A, dst=BCAST) / Dot1Q(vlan=1234, prio=5) /
       ARP(op=1, hwsrc=A, psrc="10.1.0.1", pdst="10.1.0.2"))
    # B answers A: known unicast, VLAN 100 -> 1234.
    at(srv0, 2, Ether(src=B, dst=A) / Dot1Q(vlan=100) /
       ARP(op=2, hwsrc=B, psrc="10.1.0.2", hwdst=A, pdst="10.1.0.1"))
    at(cloud0, 3, Ether(src=A, dst=B) / Dot1Q(vlan=1234) / IP(src="10.1.0.1", dst="10.1.0.2") / ICMP())
    # The remote site's host R pings A across VXLAN; A answers into the tunnel.
    at(core0, 4, vxlan_in(100001, Ether(src=R, dst=A) / IP(src="10.1.0.3", dst="10.1.0.1") / ICMP()))
    at(cloud0, 5, Ether(src=A, dst=R) / Dot1Q(vlan=1234) /
       IP(src="10.1.0.1", dst="10.1.0.3") / ICMP(type=0))
    # cust-0002: C on a QinQ server port (100/20) broadcasts; same outer VLAN 100, other tenant.
    at(srv0, 6, Ether(src=C, dst=BCAST) / Dot1AD(vlan=100) / Dot1Q(vlan=20) /
       ARP(op=1, hwsrc=C, psrc="10.2.0.1", pdst="10.2.0.2"))
    # Mistakes are dropped and counted, never forwarded.
    at(cloud0, 7, Ether(src=A, dst=BCAST) / Dot1Q(vlan=999) / ARP())
    at(core0, 8, vxlan_in(100003, Ether(src=R, dst=BCAST) / ARP()))
    at(core0, 9, vxlan_in(100002, Ether(src=R, dst=BCAST) / ARP(), src="192.0.2.66"))

    wrpcap(f"{out}/in-cloud0.pcap", cloud0)
    wrpcap(f"{out}/in-srv0.pcap", srv0)
    wrpcap(f"{out}/in-core0.pcap", core0)


if __name__ == "__main__":
    main(sys.argv[1])
