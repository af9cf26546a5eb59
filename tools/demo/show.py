#!/usr/bin/python3
"""Prints what tsunagi-replay emitted on each port, in time order, and its drops."""
import glob
import json
import os
import sys

from scapy.all import IP, IPv6, UDP, VXLAN, Dot1AD, Dot1Q, Ether, rdpcap


def describe(p):
    parts = [f"{p[Ether].src} > {p[Ether].dst}"]
    tags = []
    layer = p.payload
    while isinstance(layer, (Dot1Q, Dot1AD)):
        tags.append(f"{'S' if isinstance(layer, Dot1AD) else 'C'}-tag {layer.vlan} pcp {layer.prio}")
        layer = layer.payload
    if tags:
        parts.append("[" + ", ".join(tags) + "]")
    if VXLAN in p and UDP in p and p[UDP].dport == 4789:
        outer = p[IP] if IP in p else p[IPv6]
        parts.append(f"VXLAN vni {p[VXLAN].vni} {outer.src} > {outer.dst} sport {p[UDP].sport}:")
        p = p[VXLAN].payload
        parts.append(f"{p[Ether].src} > {p[Ether].dst}")
    parts.append(p.lastlayer().summary() if p.lastlayer().name != "Raw" else p.summary())
    return " ".join(parts)


def main(out):
    rows = []
    for f in sorted(glob.glob(os.path.join(out, "*.pcap"))):
        port = os.path.basename(f)[:-5]
        for p in rdpcap(f):
            rows.append((float(p.time), port, describe(p)))
    print("What left which port:")
    for t, port, text in sorted(rows, key=lambda r: r[0]):
        print(f"  t={t:4.0f}s  {port:7s} {text}")
    counters = json.load(open(os.path.join(out, "counters.json")))
    print("Drops:", ", ".join(f"{k}={v}" for k, v in counters["drops"].items() if v) or "none")
    print("Tenants:", ", ".join(f"{k} rx={v['rx_packets']} tx={v['tx_packets']} macs={v['mac_entries']}"
                                for k, v in counters["tenants"].items()))


if __name__ == "__main__":
    main(sys.argv[1])
