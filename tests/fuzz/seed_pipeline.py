#!/usr/bin/python3
"""Writes the seed corpus of fuzz_pipeline (tests/fuzz/corpus/pipeline/): one frame of each
kind the pipeline tells apart, on the port of fuzz_pipeline.cpp's configuration that takes
it, as records [port][length hi][length lo][frame]. Run again after changing that
configuration's ports or addresses."""
import os
import struct

from scapy.contrib.mpls import MPLS
from scapy.layers.inet import ICMP, IP, UDP
from scapy.layers.inet6 import ICMPv6ND_NS, ICMPv6EchoRequest, IPv6
from scapy.layers.l2 import ARP, Dot1AD, Dot1Q, Ether
from scapy.layers.vxlan import VXLAN

ACC0, ACC1, TRK0, CORE0, IX0, IX1 = range(6)
ACC_MAC, CORE_MAC, IX0_MAC, IX1_MAC = "02:00:00:00:01:01", "02:00:00:00:01:04", "02:00:00:00:01:05", "02:00:00:00:01:06"
HOST, OTHER = "02:00:00:aa:05:00", "02:00:00:00:5a:01"
BB = "02:bb:00:00:00:02"

seeds = {
    "access_unicast": [(ACC0, Ether(src=HOST, dst=OTHER) / Dot1Q(vlan=1234) / IP(src="10.1.0.10", dst="10.1.0.11") / UDP())],
    "access_qinq_broadcast": [(ACC1, Ether(src=HOST, dst="ff:ff:ff:ff:ff:ff") / Dot1AD(vlan=100) / Dot1Q(vlan=20) / IP() / UDP())],
    "trunk_hybrid": [(TRK0, Ether(src=HOST, dst=OTHER) / Dot1Q(vlan=3001) / IP() / UDP())],
    "arp_for_gateway": [(ACC0, Ether(src=HOST, dst="ff:ff:ff:ff:ff:ff") / Dot1Q(vlan=1234)
                         / ARP(op=1, hwsrc=HOST, psrc="10.1.0.10", pdst="10.1.0.1"))],
    "routed_option_b": [(ACC0, Ether(src=HOST, dst=ACC_MAC) / Dot1Q(vlan=1234) / IP(src="10.1.0.10", dst="10.50.1.1", ttl=64) / UDP())],
    "routed_v6": [(ACC0, Ether(src=HOST, dst=ACC_MAC) / Dot1Q(vlan=1234) / IPv6(src="2001:db8:1::10", dst="2001:db8:50::1") / ICMPv6EchoRequest())],
    "nd_for_gateway": [(ACC0, Ether(src=HOST, dst="33:33:ff:00:00:01") / Dot1Q(vlan=1234)
                        / IPv6(src="2001:db8:1::10", dst="ff02::1:ff00:1") / ICMPv6ND_NS(tgt="2001:db8:1::1"))],
    "ttl_expiry": [(ACC0, Ether(src=HOST, dst=ACC_MAC) / Dot1Q(vlan=1234) / IP(src="10.1.0.10", dst="10.83.0.1", ttl=1) / ICMP())],
    "vxlan_decap": [(CORE0, Ether(src=BB, dst=CORE_MAC) / IP(src="192.0.2.2", dst="192.0.2.1") / UDP(sport=50000, dport=4789)
                     / VXLAN(vni=100001) / Ether(src="02:00:00:00:77:01", dst=HOST) / IP() / UDP())],
    "vxlan_v6_decap": [(CORE0, Ether(src=BB, dst=CORE_MAC) / IPv6(src="2001:db8:ffff::2", dst="2001:db8:ffff::1")
                        / UDP(sport=50000, dport=4789) / VXLAN(vni=100002) / Ether(dst="ff:ff:ff:ff:ff:ff") / IP())],
    "mpls_option_b": [(IX0, Ether(src="02:cc:00:00:01:01", dst=IX0_MAC) / MPLS(label=16, s=1, ttl=64)
                       / IP(src="10.50.1.1", dst="10.1.0.10") / ICMP())],
    "mpls_two_labels": [(IX0, Ether(src="02:cc:00:00:01:01", dst=IX0_MAC) / MPLS(label=3000, s=0) / MPLS(label=17, s=1)
                         / IPv6(dst="2001:db8:1::10"))],
    "option_a_tagged": [(IX1, Ether(src="02:cc:00:00:02:01", dst=IX1_MAC) / Dot1Q(vlan=801) / IP(src="198.51.100.2", dst="10.1.0.10") / UDP())],
    "underlay_arp": [(CORE0, Ether(src=BB, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, psrc="192.0.2.2", pdst="192.0.2.1"))],
}
# A burst mixing ports and kinds, so that stages see frames of several kinds together.
seeds["mixed_burst"] = [f for name in ("access_unicast", "routed_option_b", "vxlan_decap", "mpls_option_b",
                                        "option_a_tagged", "arp_for_gateway") for f in seeds[name]] * 3

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "pipeline")
os.makedirs(out, exist_ok=True)
for name, frames in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        for port, frame in frames:
            b = bytes(frame)
            f.write(struct.pack("!BH", port, len(b)) + b)
print("%d seeds in %s" % (len(seeds), out))
