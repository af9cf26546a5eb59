// tsunagi-dataplane: the DPDK process (DESIGN.md §1). Opens the YAML's ports, attaches
// to the tables tsunagid publishes in shared memory, and forwards with the last tables it
// has whatever the control daemon does.
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include <boost/program_options.hpp>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <memory>

#include "common/cli/program.hpp"
#include "common/cli/runtime_dir.hpp"
#include "common/cli/service.hpp"
#include "common/config/loader.hpp"
#include "common/shm/names.hpp"
#include "common/shm/node_group.hpp"
#include "common/shm/stats_segment.hpp"
#include "common/shm/subscriber.hpp"
#include "dataplane/daemon/command_server.hpp"
#include "dataplane/daemon/eal_args.hpp"
#include "dataplane/daemon/log.hpp"
#include "dataplane/daemon/ports.hpp"
#include "dataplane/daemon/readiness.hpp"
#include "dataplane/daemon/table_follower.hpp"
#include "dataplane/daemon/telemetry.hpp"
#include "dataplane/daemon/worker.hpp"

namespace po = boost::program_options;

namespace tsunagi::dp {

namespace {

volatile std::sig_atomic_t g_stop = 0;

void on_signal(int)
{
	g_stop = 1;
}

}  // namespace

int forward(config::Config cfg, bool huge, unsigned idle_sleep_us, size_t mac_capacity);

int run(int argc, char** argv)
{
	std::string config_path;
	size_t max_config_bytes = 0;
	unsigned idle_sleep_us = 20;
	size_t mac_capacity = size_t{1} << 21;
	po::options_description desc(
	    "tsunagi-dataplane: the DPDK fast path\n\nUsage: tsunagi-dataplane [--config FILE]\n\n"
	    "Options");
	cli::add_common_options(desc, config_path, max_config_bytes);
	desc.add_options()("huge", "use hugepages (default: when some are free)")(
	    "no-huge", "never use hugepages")(
	    "idle-sleep-us", po::value(&idle_sleep_us),
	    "nap this long when a worker finds nothing to do (default 20; 0: always poll)")(
	    "mac-capacity", po::value(&mac_capacity),
	    "MAC table slots, one table for all workers (default 2097152: room for 1 000 000 "
	    "MACs)");
	po::variables_map vm;
	if (auto rc = cli::parse_options(argc, argv, "tsunagi-dataplane", desc, vm)) {
		return *rc;
	}

	const auto loaded =
	    cli::load_config(config_path, "tsunagi-dataplane", nullptr, max_config_bytes);
	if (!loaded) {
		return cli::kExitConfig;
	}
	const config::Config& cfg = *loaded;
	// Before DPDK touches anything of the node's (its file prefix, the ports): the
	// runtime directory must be one to trust, and this the node's only dataplane.
	std::string err;
	const std::optional<gid_t> group = shm::node_group(cfg.node.group, err);
	if (!err.empty()) {
		log(err);
		return cli::kExitConfig;
	}
	const auto dir = cli::prepare_runtime_dir(cfg.node.runtime_dir, group ? 0770 : 0750, group,
	                                          group, 0, err);
	if (!dir) {
		log(err);
		return cli::kExitRuntime;
	}
	const auto lock = cli::RuntimeLock::acquire(cfg.node.runtime_dir, "tsunagi-dataplane", err);
	if (!lock) {
		log(err);
		return cli::kExitRuntime;
	}

	const bool huge = vm.count("huge") || (!vm.count("no-huge") && hugepages_available());
	if (auto err = eal_init(eal_options(cfg, huge)); !err.empty()) {
		log(err);
		return cli::kExitRuntime;
	}
	std::signal(SIGINT, on_signal);
	std::signal(SIGTERM, on_signal);
	std::signal(SIGHUP, SIG_IGN);
	// Everything DPDK-backed is released inside forward(), before the EAL goes.
	const int rc = forward(cfg, huge, idle_sleep_us, mac_capacity);
	eal_cleanup();
	return rc;
}

namespace {

// The punt path's TAPs take a port's MAC as the device has it, unless `mac:` gives one.
void adopt_device_macs(config::Config& cfg, const PortSet& ports)
{
	for (size_t i = 0; i < cfg.ports.size(); ++i) {
		if (!cfg.ports[i].mac) {
			cfg.ports[i].device_mac.emplace();
			std::copy(ports.macs[i].begin(), ports.macs[i].end(),
			          cfg.ports[i].device_mac->bytes.begin());
		}
	}
}

bool start_rcu(WorkerShared& shared, uint16_t n_workers)
{
	const size_t size = rte_rcu_qsbr_get_memsize(n_workers);
	shared.qsv =
	    static_cast<rte_rcu_qsbr*>(rte_zmalloc("tsunagi-qsbr", size, RTE_CACHE_LINE_SIZE));
	return shared.qsv != nullptr && rte_rcu_qsbr_init(shared.qsv, n_workers) == 0;
}

TelemetryCommands make_telemetry(const config::Config& cfg, shm::StatsSegment& stats,
                                 uint16_t n_workers)
{
	std::vector<const WorkerCounters*> counters;
	std::vector<std::string> port_names;
	for (uint16_t i = 0; i < n_workers; ++i) {
		counters.push_back(&stats.worker(i));
	}
	for (const auto& p : cfg.ports) {
		port_names.push_back(p.name);
	}
	return TelemetryCommands(std::move(counters), std::move(port_names));
}

// What the main thread looks after every millisecond.
struct Housekeeping {
	TableFollower& tables;
	CommandServer& commands;
	Readiness& readiness;

	void tick()
	{
		tables.service();
		tables.step();
		commands.service();
		readiness.tick();
	}
};

// A single lcore: the main thread forwards and looks after the tables in turn.
void serve_inline(Worker& worker, WorkerShared& shared, Housekeeping& house)
{
	rte_rcu_qsbr_thread_register(shared.qsv, 0);
	rte_rcu_qsbr_thread_online(shared.qsv, 0);
	uint64_t next = 0;
	while (!g_stop) {
		worker.iterate();
		const uint64_t now = monotonic_ns();
		if (now >= next) {
			house.tick();
			next = now + 1'000'000;
		}
	}
	rte_rcu_qsbr_thread_offline(shared.qsv, 0);
}

void serve_lcores(const std::vector<std::unique_ptr<Worker>>& workers,
                  const std::vector<unsigned>& lcores, WorkerShared& shared, Housekeeping& house)
{
	for (size_t i = 0; i < workers.size(); ++i) {
		rte_eal_remote_launch(Worker::lcore_main, workers[i].get(), lcores[i]);
	}
	while (!g_stop) {
		house.tick();
		rte_delay_us_sleep(1000);
	}
	shared.stop.store(true, std::memory_order_relaxed);
	rte_eal_mp_wait_lcore();
}

}  // namespace

int forward(config::Config cfg, bool huge, unsigned idle_sleep_us, size_t mac_capacity)
{
	// Workers are the lcores besides the main one; with none, the main thread forwards.
	std::vector<unsigned> lcores;
	unsigned lcore;
	RTE_LCORE_FOREACH_WORKER(lcore)
	{
		lcores.push_back(lcore);
	}
	const bool inline_worker = lcores.empty();
	const auto n_workers = uint16_t(inline_worker ? 1 : lcores.size());

	rte_mempool* pool = make_packet_pool("tsunagi-dp", 8191, true);
	if (pool == nullptr) {
		log("cannot create the packet pool: " + std::string(rte_strerror(rte_errno)));
		return cli::kExitRuntime;
	}
	PortSet ports;
	if (auto err = start_ports(cfg, pool, n_workers, ports); !err.empty()) {
		log(err);
		return cli::kExitRuntime;
	}
	adopt_device_macs(cfg, ports);
	if (auto names = ports_without_chains(cfg, ports); !names.empty()) {
		log("flood copies are whole frames on " + names + ": no multi-segment transmit");
	}

	const shm::Names names = shm::names_for(cfg.node.runtime_dir);
	std::string err;
	const std::optional<gid_t> group = shm::node_group(cfg.node.group, err);
	if (!err.empty()) {
		log(err);
		return cli::kExitConfig;
	}
	auto stats = shm::StatsSegment::create(names, n_workers, 0600, group, err);
	if (!stats) {
		log(err);
		return cli::kExitRuntime;
	}
	stats->set_tsc_hz(rte_get_tsc_hz());
	stats->set_port_macs(ports.macs);
	PuntPath punt;
	if (auto e = punt.open(cfg, pool); !e.empty()) {
		log(e);
		return cli::kExitRuntime;
	}
	WorkerShared shared;
	shared.ports = &ports;
	shared.punt = &punt;
	shared.idle_sleep_us = idle_sleep_us;
	if (!start_rcu(shared, n_workers)) {
		log("cannot set up RCU");
		return cli::kExitRuntime;
	}

	// One MAC table for the node: what any worker learns, every worker forwards to. Its
	// per-tenant counts go to worker 0's block (readers take the largest).
	MacTable macs(mac_capacity, stats->worker(0).learned_macs.data());
	macs.set_log(stats->mac_log());
	std::vector<std::unique_ptr<Worker>> workers;
	for (uint16_t i = 0; i < n_workers; ++i) {
		workers.push_back(std::make_unique<Worker>(i, shared, stats->worker(i), pool));
	}
	TelemetryCommands telemetry = make_telemetry(cfg, *stats, n_workers);
	shm::Subscriber sub(names);
	TableFollower tables(sub, *stats, shared, inline_worker ? 0 : -1, telemetry, macs);
	TraceRunner tracer(workers, shared, macs, pool);
	auto commands =
	    CommandServer::open(cfg.node.runtime_dir, group, workers.size(), macs, tracer, err);
	if (!commands) {
		log(err);
		return cli::kExitRuntime;
	}
	log("node " + cfg.node.name + ": " + std::to_string(cfg.ports.size()) + " ports, " +
	    std::to_string(n_workers) +
	    (inline_worker ? " worker on the main lcore" : " worker lcore(s)") +
	    (huge ? ", hugepages" : ", no hugepages") + "; waiting for tables from tsunagid");

	Readiness readiness(cfg, ports, *stats, shared.qsv, inline_worker);
	Housekeeping house{tables, *commands, readiness};
	if (inline_worker) {
		serve_inline(*workers[0], shared, house);
	} else {
		serve_lcores(workers, lcores, shared, house);
	}
	log("stopping");
	workers.clear();
	stop_ports(ports);
	rte_free(shared.qsv);
	return 0;
}

}  // namespace tsunagi::dp

int main(int argc, char** argv)
{
	return tsunagi::dp::run(argc, argv);
}
