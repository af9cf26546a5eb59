#!/usr/bin/env bash
# The demo: installs what is missing, builds, then
#  1. runs the live node (tsunagid + tsunagi-dataplane) on a network-namespace topology:
#     tagged service hosts, a backbone trunk and a remote site whose VTEP is the Linux
#     kernel's vxlan device; pings across the VLAN translation, the VXLAN tunnel and the
#     trunk, and removes everything it created (tools/demo/live.py, built on tests/e2e/lib);
#  2. replays scripted traffic through the same pipeline with tsunagi-replay (two tenants,
#     QinQ, the drop reasons) and shows what left which port.
# Exit status: non-zero if any ping of part 1 failed or part 2 failed. Needs root.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(id -u)" -ne 0 ]; then
	echo "tools/demo.sh: run it as root (it creates network namespaces)" >&2
	exit 2
fi
"$top/tools/setup/install-deps.sh"
"$top/tools/setup/build.sh" build >/dev/null

echo "=== 1. The live node in network namespaces ==="
live_rc=0
/usr/bin/python3 "$top/tools/demo/live.py" --build "$top/build" || live_rc=$?
if [ "$live_rc" -eq 130 ]; then
	exit 130 # Ctrl-C: live.py has cleaned up; skip the rest
fi

work=$(mktemp -d /tmp/tsunagi-demo-replay.XXXXXX)
trap 'rm -rf "$work"' EXIT
cat <<'TOPOLOGY'

=== 2. The same pipeline on captures: tsunagi-replay ===
config/examples/demo.yaml with both tenants, scripted frames in, what left which port out:

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

echo
if [ "$live_rc" -ne 0 ]; then
	echo "demo: FAILED (the live part: see above)"
	exit "$live_rc"
fi
echo "demo: OK (live pings all answered; replay done)"
