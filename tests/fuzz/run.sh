#!/usr/bin/env bash
# Builds and runs the libFuzzer targets (clang from Debian) for a while each, from the
# checked-in seed corpora. A crash leaves its input as tests/fuzz/crash-* (turn it into a
# regression test, see docs/fuzzing.md) and fails the run.
#   tests/fuzz/run.sh [SECONDS [TARGET...]]   default 60 per target, every target;
#                                             a long run: 3600 or more
# Ends with "fuzz: N passed, M failed" (one per target).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-60}
shift || true
out=${FUZZ_BUILD:-$top/build-fuzz}
mkdir -p "$out"
cxx=${CXX_FUZZ:-clang++}
flags=(-std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I"$top")
passed=0
failed=0
# The loader, every file of it.
config_srcs=$(cd "$top" && echo common/config/*.cpp)
compile_srcs=$(cd "$top" && echo control/compile/*.cpp)
declare -A sources=(
	[bmp]="tests/fuzz/fuzz_bmp.cpp control/routes/bgp_message.cpp control/routes/bmp.cpp control/routes/evpn_nlri.cpp control/routes/evpn_rib.cpp control/routes/resync.cpp control/routes/vpn_rib.cpp common/config/values.cpp"
	[shell]="tests/fuzz/fuzz_shell.cpp control/shell/command_tree.cpp control/shell/output_filter.cpp control/shell/shell.cpp control/shell/show_commands.cpp control/shell/show_evpn.cpp control/shell/show_text.cpp control/shell/trace_view.cpp common/pkt/describe.cpp common/report/counter_totals.cpp $config_srcs $compile_srcs common/abi/table_view.cpp"
	[pipeline]="tests/fuzz/fuzz_pipeline.cpp $(cd "$top" && echo dataplane/pipeline/*.cpp) dataplane/runtime/eal_setup.cpp $config_srcs $compile_srcs common/abi/table_view.cpp"
	[config]="tests/fuzz/fuzz_config.cpp $config_srcs control/reload/diff.cpp $compile_srcs common/abi/table_view.cpp"
)
# What a target needs beyond its sources: libraries, and DPDK's headers (as system headers,
# so its GNU extensions do not trip the sanitizers' warnings) where a source includes them.
dpdk_headers=$(pkg-config --cflags libdpdk | sed 's/-I/-isystem /g')
declare -A extra=(
	[config]="-lyaml-cpp"
	[shell]="$dpdk_headers -lyaml-cpp"
	[pipeline]="$dpdk_headers -DALLOW_EXPERIMENTAL_API -lyaml-cpp $(pkg-config --libs libdpdk)"
)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${!sources[@]}")
for target in "${targets[@]}"; do
	if [ -z "${sources[$target]:-}" ]; then
		echo "FAIL fuzz_$target: no such target"
		failed=$((failed + 1))
		continue
	fi
	srcs=()
	for s in ${sources[$target]}; do srcs+=("$top/$s"); done
	# shellcheck disable=SC2086 # extra holds several words on purpose
	if ! "$cxx" "${flags[@]}" "${srcs[@]}" ${extra[$target]:-} -o "$out/fuzz_$target"; then
		echo "FAIL fuzz_$target: does not build"
		failed=$((failed + 1))
		continue
	fi
	work="$out/corpus-$target"   # grows across runs; the checked-in seeds stay as they are
	mkdir -p "$work"
	if (cd "$out" && ./"fuzz_$target" -max_total_time="$seconds" -print_final_stats=1 \
		-artifact_prefix="$top/tests/fuzz/crash-$target-" "$work" "$top/tests/fuzz/corpus/$target" \
		>"$out/fuzz_$target.log" 2>&1); then
		echo "PASS fuzz_$target: $(grep -a -E 'stat::number_of_executed_units' "$out/fuzz_$target.log" | awk '{print $2}') runs in ${seconds}s, corpus $(ls "$work" | wc -l)"
		passed=$((passed + 1))
	else
		echo "FAIL fuzz_$target:"
		grep -a -E "ERROR|SUMMARY|crash-" "$out/fuzz_$target.log" | head -n 10
		failed=$((failed + 1))
	fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
