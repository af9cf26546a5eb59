// tsunagi-bench: one scenario of DESIGN.md §7 at table scale, at one or more frame lengths,
// on N worker lcores, fed by net_pcap (infinite_rx) and drained by net_null. bench/run
// drives it, testpmd and Open vSwitch.
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mempool.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

#include "bench/capture_writer.hpp"
#include "bench/mac_preload.hpp"
#include "bench/measure.hpp"
#include "bench/ovs_flows.hpp"
#include "bench/scale_config.hpp"
#include "bench/scenario_traffic.hpp"
#include "common/cli/program.hpp"
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

// "64,512,1500" → {64, 512, 1500}; false when an item is not a length a frame can have.
bool parse_lengths(const std::string& list, std::vector<uint32_t>& out)
{
	std::stringstream in(list);
	std::string item;
	while (std::getline(in, item, ',')) {
		char* end = nullptr;
		const unsigned long v = std::strtoul(item.c_str(), &end, 10);
		if (item.empty() || *end != '\0' || v < 64 || v > 1500) {
			return false;
		}
		out.push_back(uint32_t(v));
	}
	return !out.empty();
}

// Worker i on CPU i while the machine has enough, else wrapped round: on a small machine
// the measuring lcore 0, which only sleeps, shares a CPU with a worker.
std::string lcore_map(unsigned workers)
{
	const unsigned cpus = std::max(2u, std::thread::hardware_concurrency());
	std::string map = "0@0";
	for (unsigned i = 1; i <= workers; ++i) {
		map += "," + std::to_string(i) + "@" + std::to_string(i < cpus ? i : i % cpus);
	}
	return map;
}

size_t pool_bytes(const rte_mempool* pool)
{
	size_t bytes = 0;
	rte_mempool_mem_iter(
	    const_cast<rte_mempool*>(pool),
	    [](rte_mempool*, void* arg, rte_mempool_memhdr* m, unsigned) {
		    *static_cast<size_t*>(arg) += m->len;
	    },
	    &bytes);
	return bytes;
}

uint64_t total_drops(const std::vector<std::unique_ptr<dp::WorkerCounters>>& counters,
                     std::string* list = nullptr)
{
	uint64_t drops = 0;
	for (size_t i = 0; i < dp::kDropCount; ++i) {
		uint64_t n = 0;
		for (const auto& c : counters) {
			n += c->drops[i];
		}
		drops += n;
		if (list != nullptr && n != 0) {
			*list += " " + std::string(dp::kDropNames[i]) + "=" + std::to_string(n);
		}
	}
	return drops;
}

int run(int argc, char** argv)
{
	std::string scenario_arg, dir = ".", capture_only, ovs_flows, lengths_arg = "64";
	double seconds = 10, warmup = 2;
	uint32_t frames = 4096, total_macs = 1000000;
	unsigned workers = 1;
	bench::ScaleParams scale;
	bool huge = false;
	bool whole_copies = false;
	po::options_description desc(
	    "tsunagi-bench: one scale scenario, net_pcap → pipeline (N workers) → net_null\n\n"
	    "Usage: tsunagi-bench --scenario a|b|c|d|e [--frame-len 64,512,1500] [--workers N]\n"
	    "                     [--seconds N] [--huge]\n\nOptions");
	desc.add_options()("help,h", "show this help")(
	    "scenario", po::value(&scenario_arg)->required(),
	    "a: access→access, b: access→VXLAN, c: VXLAN→access, d: Option B (VRF LPM + label), "
	    "e: flood to 8 members, f: garbage (all dropped)")(
	    "seconds", po::value(&seconds), "measured seconds per frame length (default 10)")(
	    "warmup", po::value(&warmup), "seconds run before measuring (default 2)")(
	    "huge", po::bool_switch(&huge),
	    "use hugepages (reserved and mounted) instead of --no-huge")(
	    "whole-copies", po::bool_switch(&whole_copies),
	    "flood copies as whole frames, as to a port that cannot send chained mbufs")(
	    "dir", po::value(&dir), "directory for the scenario captures (default .)")(
	    "capture-only", po::value(&capture_only),
	    "write the scenario capture (one frame length) to FILE and exit (no DPDK)")(
	    "ovs-flows", po::value(&ovs_flows),
	    "with --capture-only: also write Open vSwitch's flows for the same job to FILE "
	    "(bench/ovs/run)")("frames", po::value(&frames),
	                       "distinct frames in the capture (default 4096)")(
	    "frame-len", po::value(&lengths_arg),
	    "customer frame lengths without FCS, measured one after the other on the same "
	    "tables (default 64)")(
	    "workers", po::value(&workers),
	    "worker lcores, each polling its own queue of the generator (default 1)")(
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
	std::vector<uint32_t> lengths;
	if (!parse_lengths(lengths_arg, lengths)) {
		std::cerr
		    << "tsunagi-bench: --frame-len wants lengths of 64 to 1500, comma-separated\n";
		return 2;
	}
	if (!capture_only.empty() && lengths.size() != 1) {
		std::cerr << "tsunagi-bench: --capture-only writes one frame length\n";
		return 2;
	}
	if (workers < 1 || workers > 64 || frames < workers) {
		std::cerr << "tsunagi-bench: --workers wants 1 to 64, and no more than --frames\n";
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
	if (scenario == bench::Scenario::flood) {
		scale.vteps_per_tenant = bench::kFloodVteps;
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
	const bench::MacPlan plan(tables, total_macs);
	std::fprintf(stderr,
	             "tables: %zu ports, %zu tenants, %zu members, %zu VTEPs, %zu B image compiled "
	             "in %.1f ms (%.1f s with the config)\n",
	             size_t(tables.ports.size), size_t(tables.tenants.size),
	             size_t(tables.members.size), size_t(tables.vteps.size), size_t(image.size()),
	             compile_s * 1000, since(t0));

	// The captures the generator replays: per frame length, one file per worker queue, the
	// frames dealt round-robin as RSS spreads distinct flows.
	uint16_t in_port = 0;
	std::vector<std::string> vdevs;
	for (size_t li = 0; li < lengths.size(); ++li) {
		const bench::Traffic traffic =
		    bench::make_traffic(scenario, scale, tables, plan, frames, lengths[li]);
		in_port = traffic.in_port;
		if (!capture_only.empty()) {
			if (auto err = bench::write_pcap(capture_only, traffic.frames);
			    !err.empty()) {
				std::cerr << "tsunagi-bench: " << err << "\n";
				return 4;
			}
			if (!ovs_flows.empty()) {
				bench::OvsJob job;
				if (auto err = bench::write_ovs_flows(ovs_flows, scenario, scale,
				                                      tables, plan, job);
				    !err.empty()) {
					std::cerr << "tsunagi-bench: " << err << "\n";
					return 4;
				}
				std::fprintf(stderr, "%lu Open vSwitch flows in %s\n",
				             (unsigned long)job.flows, ovs_flows.c_str());
			}
			return 0;
		}
		std::string vdev = "net_pcap" + std::to_string(li);
		for (unsigned q = 0; q < workers; ++q) {
			std::vector<std::vector<uint8_t>> share;
			for (size_t k = q; k < traffic.frames.size(); k += workers) {
				share.push_back(traffic.frames[k]);
			}
			const std::string file =
			    (std::filesystem::path(dir) /
			     (scenario_arg + "-" + std::to_string(lengths[li]) + "-q" +
			      std::to_string(q) + ".pcap"))
			        .string();
			if (auto err = bench::write_pcap(file, share); !err.empty()) {
				std::cerr << "tsunagi-bench: " << err << "\n";
				return 4;
			}
			vdev += ",rx_pcap=" + file;
		}
		vdevs.push_back(vdev + ",infinite_rx=1");
	}
	vdevs.push_back("net_null0,no-rx=1");

	dp::EalOptions eal;
	eal.lcores = lcore_map(workers);
	eal.huge = huge;
	eal.memory_mb = 512 + 64 * workers;
	eal.file_prefix = "tsunagi-bench-" + std::to_string(getpid());
	eal.vdevs = vdevs;
	if (auto err = dp::eal_init(eal); !err.empty()) {
		std::cerr << "tsunagi-bench: " << err << "\n";
		return 4;
	}
	if (rte_lcore_count() < workers + 1) {
		std::cerr << "tsunagi-bench: EAL gave " << rte_lcore_count() << " lcores, not "
		          << workers + 1 << "\n";
		return 4;
	}
	// net_pcap keeps every frame of its captures in mbufs and copies them out per burst;
	// on top of that each worker has bursts in flight (a flood multiplies them by 8).
	rte_mempool* pool = dp::make_packet_pool(
	    "bench", unsigned(lengths.size() * frames + workers * 4096 + 8191), false);
	if (pool == nullptr) {
		std::cerr << "tsunagi-bench: cannot create the packet pool\n";
		return 4;
	}
	bench::DpdkPorts ports;
	if (auto err = bench::start_ports(pool, lengths.size(), uint16_t(workers), ports);
	    !err.empty()) {
		std::cerr << "tsunagi-bench: " << err << "\n";
		return 4;
	}

	// One MAC table for the node, as in the dataplane: every worker learns into it and
	// forwards to what any of them learned.
	dp::MacTable macs(size_t{2} * total_macs);
	macs.adopt(tables);
	const auto l0 = std::chrono::steady_clock::now();
	const uint64_t learned0 = plan.preload(macs, kLearnedAt);
	std::fprintf(stderr, "%lu MACs learned (table %zu slots) in %.1f s\n",
	             (unsigned long)learned0, macs.capacity(), since(l0));
	if (learned0 != total_macs) {
		std::cerr << "tsunagi-bench: only " << learned0 << " of " << total_macs
		          << " MACs were learned\n";
		return 3;
	}
	std::vector<std::unique_ptr<dp::WorkerCounters>> counters;
	std::vector<std::unique_ptr<dp::Pipeline>> pipelines;
	std::vector<dp::Pipeline*> lanes;
	// Flood copies share the frame's payload, as the dataplane's do on a NIC that sends
	// chained mbufs. DPDK 22.11's net_null does not say it can (no
	// RTE_ETH_TX_OFFLOAD_MULTI_SEGS), yet it frees whole chains like any other frame.
	const uint64_t chains = whole_copies ? 0 : ~uint64_t{0};
	for (unsigned w = 0; w < workers; ++w) {
		counters.push_back(std::make_unique<dp::WorkerCounters>());
		pipelines.push_back(std::make_unique<dp::Pipeline>(*counters[w], pool));
		pipelines[w]->set_chain_ports(chains);
		pipelines[w]->use_tables(tables, macs);
		lanes.push_back(pipelines[w].get());
	}
	// What a dataplane running this job holds: the table image, the MAC table, each
	// worker's counters, and the packet pool.
	const size_t mem_bytes = image.size() + macs.capacity() * sizeof(dp::MacTable::Entry) +
	                         workers * sizeof(dp::WorkerCounters) + pool_bytes(pool);

	int rc = 0;
	for (size_t li = 0; li < lengths.size() && rc == 0; ++li) {
		const uint64_t drops0 = total_drops(counters);
		const bench::Measurement m = bench::measure(
		    lanes, in_port, ports.gens[li], ports.sink, warmup, seconds, kLearnedAt);
		if (m.seconds == 0) {
			std::cerr << "tsunagi-bench: cannot launch the worker lcores\n";
			rc = 4;
			break;
		}
		std::string drop_list;
		const uint64_t drops = total_drops(counters, &drop_list) - drops0;
		std::printf(
		    "%s, %u-byte frames, %u worker%s: %.3f Mpps in, %.3f Mpps out, %.1f "
		    "cycles/pkt (%lu pkts in %.2f s, TSC %.2f GHz); %lu dropped%s, sink "
		    "refused %lu\n",
		    bench::scenario_name(scenario), lengths[li], workers, workers == 1 ? "" : "s",
		    m.mpps_in(), m.mpps_out(), m.cycles_per_packet(), (unsigned long)m.rx,
		    m.seconds, double(m.tsc_hz) / 1e9, (unsigned long)drops, drop_list.c_str(),
		    (unsigned long)m.tx_refused);
		std::printf(
		    "RESULT scenario=%s frame_len=%u workers=%u mpps=%.4f mpps_out=%.4f "
		    "cycles_per_pkt=%.2f rx=%lu tx=%lu drops=%lu seconds=%.3f mem_mb=%.1f "
		    "rx_all=%lu\n",
		    scenario_arg.c_str(), lengths[li], workers, m.mpps_in(), m.mpps_out(),
		    m.cycles_per_packet(), (unsigned long)m.rx, (unsigned long)m.tx,
		    (unsigned long)drops, m.seconds, double(mem_bytes) / 1e6,
		    (unsigned long)m.rx_all);
		std::fflush(stdout);
		// Garbage must all be dropped; anything else must all pass.
		if (scenario == bench::Scenario::garbage ? drops < m.rx || m.tx != 0
		                                         : drops > m.rx / 1000) {
			rc = 5;
		}
	}

	uint64_t learned = 0;
	for (const auto& c : counters) {
		learned += c->mac.learned;
	}
	for (const uint16_t g : ports.gens) {
		rte_eth_dev_stop(g);
		rte_eth_dev_close(g);
	}
	rte_eth_dev_stop(ports.sink);
	rte_eth_dev_close(ports.sink);
	pipelines.clear();
	dp::eal_cleanup();
	if (learned > 0) {
		// Every frame's source and destination were preloaded: learning during the run
		// means lookups missed and frames were flooded, which the figures must not hide.
		std::fprintf(stderr,
		             "tsunagi-bench: %lu MACs were learned during the run: the "
		             "preloaded table was not in use\n",
		             (unsigned long)learned);
		return 6;
	}
	return rc;
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
