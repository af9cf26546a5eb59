#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: the layering check, unit tests,
# golden replay tests, FRR configuration checks, the monitoring kit's checks (promtool),
# end-to-end tests in network namespaces, the unit and golden tests and a set of the
# end-to-end tests again under AddressSanitizer and UndefinedBehaviorSanitizer, the fuzzers,
# the demo and a short benchmark smoke run. Ends with one line: "N passed, N failed".
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export PYTHONDONTWRITEBYTECODE=1

passed=0
failed=0
failures=()

note() { printf '\n=== %s\n' "$*"; }
record() {  # suite passed failed
	passed=$((passed + $2))
	failed=$((failed + $3))
	if [ "$3" -ne 0 ]; then
		failures+=("$1")
	fi
	echo "--- $1: $2 passed, $3 failed"
}

# Catch2's summary is "All tests passed (A assertions in N test cases)" or
# "test cases: N | P passed | F failed"; count test cases.
run_catch() {  # suite binary
	local out rc p f
	out=$("$2" 2>&1)
	rc=$?
	printf '%s\n' "$out" | tail -n 25
	if [[ $out =~ All\ tests\ passed\ \([0-9]+\ assertions?\ in\ ([0-9]+)\ test\ cases?\) ]]; then
		p=${BASH_REMATCH[1]} f=0
	elif [[ $out =~ test\ cases:\ +([0-9]+)\ \|\ +([0-9]+)\ passed\ \|\ +([0-9]+)\ failed ]]; then
		p=${BASH_REMATCH[2]} f=${BASH_REMATCH[3]}
	else
		p=0 f=1
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	record "$1" "$p" "$f"
}

# Runners of ours end with "NAME: N passed, M failed".
run_counted() {  # suite label command...
	local suite=$1 label=$2 out rc
	shift 2
	out=$("$@" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -v '^PASS' | tail -n 60
	if [[ $out =~ $label:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
		local f=${BASH_REMATCH[2]}
		[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
		record "$suite" "${BASH_REMATCH[1]}" "$f"
	else
		record "$suite" 0 1
	fi
}

run_golden() {  # suite replay-binary
	run_counted "$1" golden tests/golden/run.py --replay "$2"
}

run_one() {  # suite command...
	local suite=$1
	shift
	if "$@"; then record "$suite" 1 0; else record "$suite" 0 1; fi
}

note "dependencies"
if ! tools/setup/install-deps.sh; then
	echo "0 passed, 1 failed"
	exit 1
fi

note "build (debugoptimized, warnings are errors)"
if ! tools/setup/build.sh build; then
	echo "0 passed, 1 failed"
	exit 1
fi
# The layering of docs/architecture.md: common/ under dataplane/ and control/, which never
# include each other; no product file over 600 lines.
run_counted "layers" layers tools/check-layers
run_catch "unit" build/tests/unit/tsunagi-unit-tests
run_golden "golden" build/tools/tsunagi-replay
run_counted "frr config" frr-config tests/frr/check_rendered.sh build/control/daemon/tsunagid
run_counted "monitoring" monitoring tests/monitoring/check.py --build build
note "end-to-end: live dataplane and tsunagid in network namespaces"
run_counted "e2e" e2e tests/e2e/run.py --build build
note "demo"
run_one "demo" bash -c 'tools/demo.sh > /tmp/tsunagi-demo.log 2>&1 && grep -q "VXLAN vni 100001" /tmp/tsunagi-demo.log && tail -n 20 /tmp/tsunagi-demo.log'

note "build with -Db_sanitize=address,undefined"
if tools/setup/build.sh build-asan -Db_sanitize=address,undefined -Db_lundef=false; then
	export ASAN_OPTIONS=abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
	run_catch "unit (asan+ubsan)" build-asan/tests/unit/tsunagi-unit-tests
	run_golden "golden (asan+ubsan)" build-asan/tools/tsunagi-replay
	# The daemons under the sanitizers, live: forwarding, restarts, reloads, the shell, the
	# dataplane's command socket, churn, faults, metrics and an FRR carrier.
	run_counted "e2e (asan+ubsan)" e2e tests/e2e/run.py --build build-asan \
		-k '^(a_translation_and_vxlan_ipv4|c_|d_|shell_|churn|fault_|service_notify|m_metrics|h_option_b|j_option_a)'
	unset ASAN_OPTIONS UBSAN_OPTIONS
else
	record "sanitizer build" 0 1
fi

note "fuzzing: a short run of every libFuzzer target (docs/fuzzing.md)"
run_counted "fuzz" fuzz tests/fuzz/run.sh 60

note "benchmark smoke run (1 s per contender; figures from a CI machine mean nothing)"
bench_out=$(mktemp -d)
run_one "bench smoke" bench/run --seconds 1 --warmup 0 --sizes 64,1500 --macs 100000 --routes 100000 \
	--evpn-vnis 10 --evpn-macs 1000 --evpn-local-macs 1000 --build-dir build --out "$bench_out"
rm -rf "$bench_out"

echo
if [ ${#failures[@]} -ne 0 ]; then
	echo "failed suites: ${failures[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
