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
#include "dataplane/daemon/ports.hpp"
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

uint64_t monotonic_ns()
{
	timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return uint64_t(ts.tv_sec) * 1'000'000'000ull + uint64_t(ts.tv_nsec);
}

void log(const std::string& s)
{
	std::fprintf(stderr, "tsunagi-dataplane: %s\n", s.c_str());
}

// Attaches to new generations as tsunagid publishes them and retires old ones once no
// worker can still be reading them; keeps the node's MAC table in step with them and ages it.
class Control {
public:
	Control(shm::Subscriber& sub, shm::StatsSegment& stats, WorkerShared& shared, int self_id,
	        TelemetryCommands& telemetry, MacTable& macs)
	    : sub_(sub),
	      stats_(stats),
	      shared_(shared),
	      self_id_(self_id),
	      telemetry_(telemetry),
	      macs_(macs),
	      frozen_(16, nullptr, true)
	{
	}

	// Runs often (every millisecond): the punt path's latency is ARP's and ND's.
	void service()
	{
		shared_.punt->service();
		if (const Generation* g = shared_.current.load(std::memory_order_relaxed)) {
			timespec ts;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			stats_.worker(0).mac.aged +=
			    macs_.age(uint32_t(ts.tv_sec), g->view.node().mac_aging_s, kAgeSlots);
		}
	}

	void step()
	{
		retire();
		std::string err;
		auto m = sub_.poll(err);
		if (!err.empty() && err != last_error_) {
			log(err);
		}
		last_error_ = err;
		stats_.beat();
		if (!m) {
			return;
		}
		const abi::TableView view(m->data, m->header_offset);
		telemetry_.use_tables(view);
		// Renumbered tables: the workers forward without learned MACs until every one has
		// left the old numbering and the node's table is emptied (retire).
		const Generation* now = shared_.current.load(std::memory_order_relaxed);
		const bool renumbered =
		    now != nullptr && now->view.header().id_epoch != view.header().id_epoch;
		if (!renumbered) {
			macs_.adopt(view);
		}
		publish(new Generation{std::move(*m), view, renumbered ? &frozen_ : &macs_});
	}

	~Control()
	{
		delete retired_;
		delete shared_.current.load(std::memory_order_relaxed);
	}

private:
	// MAC aging: a slice of the table each millisecond, the whole table every second or so.
	static constexpr size_t kAgeSlots = 2048;

	void publish(const Generation* g)
	{
		// Release: the mapping, view and MAC table are complete before a worker can see
		// them.
		retired_ = shared_.current.exchange(g, std::memory_order_acq_rel);
		pending_ = g;
		if (self_id_ < 0) {
			retire();  // worker lcores: synchronising below is enough
		}
	}

	// Frees the generation the last step replaced, once no worker can be reading it: every
	// worker lcore passes a quiescent point after the exchange before synchronise returns.
	// A worker on this thread (single lcore) switches between two steps, and may still
	// read the old generation while switching, so it is freed one step later.
	void retire()
	{
		if (pending_ == nullptr) {
			return;
		}
		rte_rcu_qsbr_synchronize(
		    shared_.qsv, self_id_ < 0 ? RTE_QSBR_THRID_INVALID : unsigned(self_id_));
		delete retired_;
		retired_ = nullptr;
		const Generation* g = pending_;
		pending_ = nullptr;
		stats_.set_in_use(g->mapping.generation);
		if (g->macs == &frozen_) {
			// No worker uses the old numbering any more: the node's table is emptied,
			// takes the new statics, and is handed back.
			macs_.adopt(g->view);
			publish(new Generation{g->mapping, g->view, &macs_});
			return;
		}
		const uint64_t published = sub_.published_ns();
		const uint64_t now = monotonic_ns();
		log("using table generation " + std::to_string(g->mapping.generation) + " (" +
		    std::to_string(g->view.tenants.size) + " tenant slots, " +
		    std::to_string(g->view.ports.size) + " ports)" +
		    (published != 0 && now >= published
		         ? ", " + std::to_string((now - published) / 1000) + " us after publication"
		         : ""));
	}

	const Generation* retired_ = nullptr;
	const Generation* pending_ = nullptr;

	shm::Subscriber& sub_;
	shm::StatsSegment& stats_;
	WorkerShared& shared_;
	int self_id_;
	TelemetryCommands& telemetry_;
	MacTable& macs_;
	MacTable frozen_;
	std::string last_error_;
};

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

int forward(config::Config cfg, bool huge, unsigned idle_sleep_us, size_t mac_capacity)
{
	// Workers are the lcores besides the main one; with a single lcore, the main
	// thread forwards and looks after the tables in turn.
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
	// The punt path's TAPs take the port's MAC as the device has it.
	for (size_t i = 0; i < cfg.ports.size(); ++i) {
		if (!cfg.ports[i].mac) {
			cfg.ports[i].device_mac.emplace();
			std::copy(ports.macs[i].begin(), ports.macs[i].end(),
			          cfg.ports[i].device_mac->bytes.begin());
		}
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
	const size_t qs_size = rte_rcu_qsbr_get_memsize(n_workers);
	shared.qsv =
	    static_cast<rte_rcu_qsbr*>(rte_zmalloc("tsunagi-qsbr", qs_size, RTE_CACHE_LINE_SIZE));
	if (shared.qsv == nullptr || rte_rcu_qsbr_init(shared.qsv, n_workers) != 0) {
		log("cannot set up RCU");
		return cli::kExitRuntime;
	}

	// One MAC table for the node: what any worker learns, every worker forwards to. Its
	// per-tenant counts go to worker 0's block (readers take the largest).
	MacTable macs(mac_capacity, stats->worker(0).learned_macs.data());
	std::vector<std::unique_ptr<Worker>> workers;
	for (uint16_t i = 0; i < n_workers; ++i) {
		workers.push_back(std::make_unique<Worker>(i, shared, stats->worker(i), pool));
	}
	std::vector<const WorkerCounters*> counters;
	std::vector<std::string> port_names;
	for (uint16_t i = 0; i < n_workers; ++i) {
		counters.push_back(&stats->worker(i));
	}
	for (const auto& p : cfg.ports) {
		port_names.push_back(p.name);
	}
	TelemetryCommands telemetry(std::move(counters), std::move(port_names));
	shm::Subscriber sub(names);
	Control control(sub, *stats, shared, inline_worker ? 0 : -1, telemetry, macs);
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

	// systemd: ready once the workers forward with tsunagid's tables and the links are up
	// (or have had 10 s to come up); the watchdog is fed only while every worker goes
	// round its loop, so a worker stuck in a pass gets the process restarted.
	cli::ServiceNotifier notifier;
	const uint64_t started = monotonic_ns();
	uint64_t token = rte_rcu_qsbr_start(shared.qsv);
	auto housekeeping = [&]() {
		if (!notifier.is_ready() &&
		    stats->header().in_use_generation.load(std::memory_order_acquire) != 0) {
			const std::string down = ports_down(cfg, ports);
			if (down.empty() || monotonic_ns() - started > 10'000'000'000ull) {
				notifier.ready(
				    "forwarding with table generation " +
				    std::to_string(stats->header().in_use_generation.load()) +
				    (down.empty() ? "" : "; link down: " + down));
			}
		}
		if (notifier.watchdog_enabled()) {
			const bool moving =
			    inline_worker || rte_rcu_qsbr_check(shared.qsv, token, false) == 1;
			if (moving) {
				token = rte_rcu_qsbr_start(shared.qsv);
			}
			notifier.watchdog(moving);
		}
	};

	if (inline_worker) {
		rte_rcu_qsbr_thread_register(shared.qsv, 0);
		rte_rcu_qsbr_thread_online(shared.qsv, 0);
		uint64_t next = 0;
		while (!g_stop) {
			workers[0]->iterate();
			const uint64_t now = monotonic_ns();
			if (now >= next) {
				control.service();
				control.step();
				commands->service();
				housekeeping();
				next = now + 1'000'000;
			}
		}
		rte_rcu_qsbr_thread_offline(shared.qsv, 0);
	} else {
		for (uint16_t i = 0; i < n_workers; ++i) {
			rte_eal_remote_launch(Worker::lcore_main, workers[i].get(), lcores[i]);
		}
		while (!g_stop) {
			control.service();
			control.step();
			commands->service();
			housekeeping();
			rte_delay_us_sleep(1000);
		}
		shared.stop.store(true, std::memory_order_relaxed);
		rte_eal_mp_wait_lcore();
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
