#!/usr/bin/env bash
# The demo: installs what is missing, builds, then replays the demo traffic through the
# demo topology (config/examples/demo.yaml) and shows what left which port.
# Until the live dataplane lands, the demo runs the production pipeline through
# tsunagi-replay rather than on veth pairs.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/tools/setup/install-deps.sh"
"$top/tools/setup/build.sh" build >/dev/null
work=$(mktemp -d /tmp/tsunagi-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
cat <<'TOPOLOGY'
Demo topology (config/examples/demo.yaml):

   cloud0 (access)  cust-0001 VLAN 1234, cust-0002 VLAN 1235
   srv0   (access)  cust-0001 VLAN 100,  cust-0002 S-VLAN 100 / C-VLAN 20 (QinQ)
   bb0    (trunk)   cust-0001 VLAN 3001, cust-0002 VLAN 3002
   core0  (underlay 192.0.2.1/24) ── VXLAN ── VTEP 192.0.2.2 (VNI 100001, 100002)
                                  └─ via gateway 192.0.2.254 ── VTEP 198.51.100.7 (VNI 100002)

TOPOLOGY
/usr/bin/python3 "$top/tools/demo/traffic.py" "$work"
"$top/build/tools/tsunagi-replay" --config "$top/config/examples/demo.yaml" \
	--in cloud0="$work/in-cloud0.pcap" --in srv0="$work/in-srv0.pcap" \
	--in core0="$work/in-core0.pcap" --out "$work/out"
/usr/bin/python3 "$top/tools/demo/show.py" "$work/out"
