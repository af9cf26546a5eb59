#!/usr/bin/env bash
# FRR's own parser judges the configuration tsunagid renders: every example and golden
# configuration with a VRF, a peer or EVPN goes through `tsunagid --render-frr` and then
# `vtysh --dryrun`. Ends with "frr-config: N passed, M failed".
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
tsunagid=${1:-$top/build/control/daemon/tsunagid}
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for yaml in "$top"/config/examples/*.yaml "$top"/tests/golden/cases/*/config.yaml; do
	grep -q -E '^\s*(vrf:|peers:|evpn:)' "$yaml" || continue
	name=${yaml#"$top"/}
	if ! "$tsunagid" --render-frr "$yaml" > "$tmp/frr.conf" 2> "$tmp/err"; then
		echo "FAIL $name: tsunagid could not render it: $(head -n 3 "$tmp/err")"
		failed=$((failed + 1))
	elif ! out=$(vtysh --dryrun -f "$tmp/frr.conf" 2>&1); then
		echo "FAIL $name: vtysh refuses the rendered configuration: $out"
		failed=$((failed + 1))
	else
		echo "PASS $name"
		passed=$((passed + 1))
	fi
done
echo "frr-config: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
