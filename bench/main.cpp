// tsunagi-bench: one scenario of DESIGN.md §7 at table scale, on one worker lcore, fed by
// net_pcap (infinite_rx) and drained by net_null. bench/run drives it and testpmd.
#include <rte_eal.h>
#include <rte_ethdev.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

#include "bench/capture_writer.hpp"
#include "bench/mac_preload.hpp"
#include "bench/measure.hpp"
#include "bench/scale_config.hpp"
#include "bench/scenario_traffic.hpp"
#include "control/cli/program.hpp"
#include "control/compile/compiler.hpp"
#include "dataplane/pipeline/pipeline.hpp"
#include "dataplane/runtime/eal_setup.hpp"

namespace po = boost::program_options;
namespace tsunagi {
namespace {

constexpr uint32_t kLearnedAt = 1000;  // seconds; the worker's clock starts here

double since(std::chrono::steady_clock::time_point t0)
{
	return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

int run(int argc, char** argv)
{
	std::string scenario_arg, dir = ".", capture_only;
	double seconds = 10, warmup = 2;
	uint32_t frames = 4096, frame_len = 64, total_macs = 1000000;
	bench::ScaleParams scale;
	bool huge = false;
	po::options_description desc(
	    "tsunagi-bench: one scale scenario, net_pcap → pipeline (one worker) → net_null\n\n"
	    "Usage: tsunagi-bench --scenario a|b|c|d [--seconds N] [--huge]\n\nOptions");
	desc.add_options()("help,h", "show this help")(
	    "scenario", po::value(&scenario_arg)->required(),
	    "a: access→access, b: access→VXLAN, c: VXLAN→access, d: Option B (VRF LPM + label)")(
	    "seconds", po::value(&seconds), "measured seconds (default 10)")(
	    "warmup", po::value(&warmup), "seconds run before measuring (default 2)")(
	    "huge", po::bool_switch(&huge),
	    "use hugepages (reserved and mounted) instead of --no-huge")(
	    "dir", po::value(&dir), "directory for the scenario capture (default .)")(
	    "capture-only", po::value(&capture_only),
	    "write the scenario capture to FILE and exit (no DPDK)")(
	    "frames", po::value(&frames), "distinct frames in the capture (default 4096)")(
	    "frame-len", po::value(&frame_len), "customer frame length without FCS (default 64)")(
	    "macs", po::value(&total_macs), "learned MACs (default 1000000)")(
	    "tenants", po::value(&scale.tenants), "tenants (default 16000)")(
	    "vlans", po::value(&scale.vlans), "VLANs per access port (default 4094)")(
	    "vrfs", po::value(&scale.vrfs), "VRFs for scenario d (default 1000)")(
	    "routes", po::value(&scale.routes), "Option-B routes for scenario d (default 1000000)");
	po::variables_map vm;
	if (auto rc = cli::parse_options(argc, argv, "tsunagi-bench", desc, vm)) {
		return *rc;
	}
	bench::Scenario scenario;
	if (!bench::parse_scenario(scenario_arg, scenario)) {
		std::cerr << "tsunagi-bench: unknown scenario " << scenario_arg << "\n";
		return 2;
	}

	// Tables at scale; the private link's only where it is measured, so the L2 scenarios
	// stay comparable with earlier runs.
	if (scenario == bench::Scenario::option_b) {
		scale.vrfs = vm.count("vrfs") ? scale.vrfs : 1000;
		scale.routes = vm.count("routes") ? scale.routes : 1000000;
	} else {
		scale.vrfs = scale.routes = 0;
	}
	auto t0 = std::chrono::steady_clock::now();
	const config::Config cfg = bench::build_scale_config(scale);
	// What a whole image costs; tsunagid builds one at start, on a port or node change and
	// when in-place room runs out (tsunagi-bench-updates times the edits in between).
	const auto c0 = std::chrono::steady_clock::now();
	const compile::Image image = compile::compile(cfg, 1);
	const double compile_s = since(c0);
	if (auto why = abi::TableView::check(image.data(), image.size()); !why.empty()) {
		std::cerr << "tsunagi-bench: compiled tables unusable: " << why << "\n";
		return 3;
	}
	const abi::TableView tables(image.data());
	dp::MacTable macs(size_t{2} * total_macs);
	const bench::MacPlan plan(tables, total_macs);
	std::fprintf(stderr,
	             "tables: %zu ports, %zu tenants, %zu members, %zu VTEPs, %zu B image compiled "
	             "in %.1f ms (%.1f s with the config)\n",
	             size_t(tables.ports.size), size_t(tables.tenants.size),
	             size_t(tables.members.size), size_t(tables.vteps.size), size_t(image.size()),
	             compile_s * 1000, since(t0));

	// The capture the generator replays.
	const bench::Traffic traffic =
	    bench::make_traffic(scenario, scale, tables, plan, frames, frame_len);
	const std::string capture =
	    capture_only.empty() ? (std::filesystem::path(dir) / (scenario_arg + ".pcap")).string()
	                         : capture_only;
	if (auto err = bench::write_pcap(capture, traffic.frames); !err.empty()) {
		std::cerr << "tsunagi-bench: " << err << "\n";
		return 4;
	}
	if (!capture_only.empty()) {
		return 0;
	}

	dp::EalOptions eal;
	eal.lcores = "0,1";
	eal.huge = huge;
	eal.memory_mb = 512;
	eal.file_prefix = "tsunagi-bench-" + std::to_string(getpid());
	eal.vdevs = {"net_pcap0,rx_pcap=" + capture + ",infinite_rx=1", "net_null0,no-rx=1"};
	if (auto err = dp::eal_init(eal); !err.empty()) {
		std::cerr << "tsunagi-bench: " << err << "\n";
		return 4;
	}
	rte_mempool* pool = dp::make_packet_pool("bench", frames + 8191, false);
	if (pool == nullptr) {
		std::cerr << "tsunagi-bench: cannot create the packet pool\n";
		return 4;
	}
	bench::DpdkPorts ports;
	if (auto err = bench::start_ports(pool, ports); !err.empty()) {
		std::cerr << "tsunagi-bench: " << err << "\n";
		return 4;
	}

	auto counters = std::make_unique<dp::WorkerCounters>();
	dp::Pipeline pipeline(macs, *counters, pool);
	pipeline.use_tables(tables);
	// After use_tables: a pipeline taking its first tables forgets whatever its MAC table
	// held, as it must when it cannot know what those entries were learned against.
	const auto l0 = std::chrono::steady_clock::now();
	const uint64_t learned = plan.preload(macs, kLearnedAt);
	std::fprintf(stderr, "%lu MACs learned (table %zu slots) in %.1f s\n",
	             (unsigned long)learned, macs.capacity(), since(l0));
	if (learned != total_macs) {
		std::cerr << "tsunagi-bench: only " << learned << " of " << total_macs
		          << " MACs were learned\n";
		return 3;
	}
	const bench::Measurement m =
	    bench::measure(pipeline, traffic.in_port, ports, warmup, seconds, kLearnedAt);
	if (m.seconds == 0) {
		std::cerr << "tsunagi-bench: cannot launch the worker lcore\n";
		return 4;
	}

	uint64_t drops = 0;
	std::string drop_list;
	for (size_t i = 0; i < dp::kDropCount; ++i) {
		if (counters->drops[i] != 0) {
			drops += counters->drops[i];
			drop_list += " " + std::string(dp::kDropNames[i]) + "=" +
			             std::to_string(counters->drops[i]);
		}
	}
	uint64_t rx_total = 0;
	for (const auto& p : counters->ports) {
		rx_total += p.rx_packets;
	}
	std::printf("%s: %.3f Mpps, %.1f cycles/pkt (%lu pkts in %.2f s, TSC %.2f GHz)\n",
	            bench::scenario_name(scenario), m.mpps(), m.cycles_per_packet(),
	            (unsigned long)m.tx, m.seconds, double(m.tsc_hz) / 1e9);
	std::printf(
	    "pipeline over the whole run: %lu in, %lu dropped%s; MACs learned %lu, moved %lu; "
	    "sink refused %lu\n",
	    (unsigned long)rx_total, (unsigned long)drops, drop_list.c_str(),
	    (unsigned long)counters->mac.learned, (unsigned long)counters->mac.moved,
	    (unsigned long)m.tx_refused);
	std::printf(
	    "RESULT scenario=%s mpps=%.4f cycles_per_pkt=%.2f rx=%lu tx=%lu drops=%lu "
	    "seconds=%.3f\n",
	    scenario_arg.c_str(), m.mpps(), m.cycles_per_packet(), (unsigned long)m.rx,
	    (unsigned long)m.tx, (unsigned long)drops, m.seconds);
	std::fflush(stdout);

	rte_eth_dev_stop(ports.gen);
	rte_eth_dev_stop(ports.sink);
	rte_eth_dev_close(ports.gen);
	rte_eth_dev_close(ports.sink);
	rte_eal_cleanup();
	if (counters->mac.learned > 0) {
		// Every frame's source and destination were preloaded: learning during the run
		// means lookups missed and frames were flooded, which the figures must not hide.
		std::fprintf(stderr,
		             "tsunagi-bench: %lu MACs were learned during the run: the "
		             "preloaded table was not in use\n",
		             (unsigned long)counters->mac.learned);
		return 6;
	}
	return drops > m.rx / 1000 ? 5 : 0;
}

}  // namespace
}  // namespace tsunagi

int main(int argc, char** argv)
{
	try {
		return tsunagi::run(argc, argv);
	} catch (const std::exception& e) {
		std::cerr << "tsunagi-bench: " << e.what() << "\n";
		return 3;
	}
}
