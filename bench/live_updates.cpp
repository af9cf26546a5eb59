// tsunagi-bench-live: control-plane rates against the real dataplane while traffic runs
// (issue 6, "Control-plane rates"). The bench is tsunagid's table side (live_tables: the
// same TableWriter and shm::Publisher) at the scale of DESIGN.md §7; tsunagi-dataplane runs
// as its child on DPDK vdevs (net_pcap replaying scenario d's capture forever into access
// port 0, net_null everywhere else), and attaches to what the bench publishes. It measures
//   1. changes per second: Option-B routes learned and withdrawn plus static MACs
//      replaced, as fast as they go, committed a batch per generation as the route feed
//      does, and when the dataplane used the last generation;
//   2. publish-to-use latency: paced changes, each its own generation, from the
//      announcement to the counters segment's in_use_generation reaching it;
//   3. loss: every frame the dataplane received over both phases was sent, or dropped for
//      a reason it counted (none may be).
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "bench/capture_writer.hpp"
#include "bench/live_changes.hpp"
#include "bench/live_dataplane.hpp"
#include "bench/live_loss.hpp"
#include "bench/live_tables.hpp"
#include "bench/mac_preload.hpp"
#include "bench/scenario_traffic.hpp"
#include "common/cli/program.hpp"

namespace po = boost::program_options;

namespace tsunagi::bench {

namespace {

volatile std::sig_atomic_t g_stop = 0;

void on_signal(int)
{
	g_stop = 1;
}

double seconds_between(uint64_t from_ns, uint64_t to_ns)
{
	return double(int64_t(to_ns - from_ns)) / 1e9;
}

// The bench's own CPU time: on a shared machine, changes per CPU second say what the table
// writes cost apart from how much of a core the bench got.
double cpu_seconds()
{
	timespec ts{};
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

// The run's temporary directory (runtime_dir, capture, the dataplane's YAML and log),
// removed on every way out.
struct TempDir {
	std::string path;
	bool keep = false;
	~TempDir()
	{
		std::error_code ec;
		if (!path.empty() && !keep) {
			std::filesystem::remove_all(path, ec);
		}
	}
};

struct Options {
	unsigned seconds = 5;
	unsigned rate = 1000;
	uint32_t routes = 1000000;
	uint32_t learned = 100000;
	uint32_t batch = 1000;
	unsigned mac_percent = 10;
	uint32_t frames = 4096;
	std::string dataplane;
	bool huge = false;
	bool keep = false;
};

// Counts and tells apart what each phase applied.
struct Applied {
	uint64_t routes_added = 0, routes_withdrawn = 0, macs = 0, refused = 0;

	uint64_t total() const { return routes_added + routes_withdrawn + macs; }
	void count(bool ok, ChangeMix::Kind k)
	{
		if (!ok) {
			++refused;
		} else if (k == ChangeMix::Kind::route_add) {
			++routes_added;
		} else if (k == ChangeMix::Kind::route_withdraw) {
			++routes_withdrawn;
		} else {
			++macs;
		}
	}
};

class LiveBench {
public:
	LiveBench(const Options& o, LiveTables& tables, ChangeMix& mix, ChildDataplane& dp,
	          const std::string& log)
	    : o_(o), tables_(tables), mix_(mix), dp_(dp), log_(log)
	{
	}

	// Waits for the dataplane's counters segment and for it to use `gen`; false (said why)
	// when it does not within `ms`.
	bool wait_in_use(uint64_t gen, unsigned ms)
	{
		const uint64_t until = shm::monotonic_ns() + uint64_t(ms) * 1000000;
		while (!g_stop && shm::monotonic_ns() < until) {
			if (const auto* s = tables_.stats();
			    s != nullptr && s->in_use_generation() >= gen) {
				return true;
			}
			if (!alive()) {
				return false;
			}
			std::this_thread::sleep_for(std::chrono::microseconds(50));
		}
		if (g_stop) {
			std::fprintf(stderr, "tsunagi-bench-live: interrupted\n");
		} else {
			std::fprintf(stderr,
			             "tsunagi-bench-live: the dataplane did not use generation %lu "
			             "within %u ms\n",
			             (unsigned long)gen, ms);
		}
		return false;
	}

	bool alive()
	{
		if (dp_.running()) {
			return true;
		}
		std::fprintf(stderr, "tsunagi-bench-live: the dataplane %s; its log (%s):\n",
		             dp_.exit_status().c_str(), log_.c_str());
		std::ifstream in(log_);
		std::cerr << in.rdbuf();
		return false;
	}

	// Phase 1: changes as fast as they go, `batch` to a generation.
	bool throughput()
	{
		Applied a;
		uint64_t gens = 0;
		const double cpu0 = cpu_seconds();
		const uint64_t t0 = shm::monotonic_ns();
		const uint64_t end = t0 + uint64_t(o_.seconds) * 1000000000;
		uint64_t now = t0, next_check = t0;
		while (!g_stop && now < end) {
			const uint64_t gen = tables_.next_generation();
			for (uint32_t i = 0; i < o_.batch; ++i) {
				ChangeMix::Kind k;
				const bool applied = mix_.apply(tables_.writer(), gen, k);
				a.count(applied, k);
			}
			if (!publish()) {
				return false;
			}
			++gens;
			tables_.reclaim();
			now = shm::monotonic_ns();
			if (now >= next_check) {
				if (!alive()) {
					return false;
				}
				next_check = now + 100000000;
			}
		}
		const double cpu = cpu_seconds() - cpu0;
		const uint64_t last = tables_.published();
		const uint64_t published_ns = tables_.publish_ns();
		if (!wait_in_use(last, 10000)) {
			return false;
		}
		const uint64_t used_ns = tables_.stats()->in_use_ns();
		const double s = seconds_between(t0, now);
		const double to_use = seconds_between(t0, used_ns);
		std::printf(
		    "changes as fast as they go, %u to a generation, %u%% static MACs, for %.2f "
		    "s:\n"
		    "  %lu changes (%lu routes learned, %lu withdrawn, %lu static MACs replaced) "
		    "in "
		    "%lu generations\n"
		    "  %.0f changes/s (%.0f per second of the bench's CPU, which had %.0f%% of "
		    "one), "
		    "%.1f generations/s;\n"
		    "  the dataplane used the last generation %.0f us after its publication (%.0f "
		    "changes/s up to then)\n",
		    o_.batch, o_.mac_percent, s, (unsigned long)a.total(),
		    (unsigned long)a.routes_added, (unsigned long)a.routes_withdrawn,
		    (unsigned long)a.macs, (unsigned long)gens, double(a.total()) / s,
		    double(a.total()) / cpu, 100 * cpu / s, double(gens) / s,
		    double(int64_t(used_ns - published_ns)) / 1e3, double(a.total()) / to_use);
		std::printf(
		    "RESULT phase=throughput changes=%lu routes_added=%lu routes_withdrawn=%lu "
		    "macs=%lu refused=%lu generations=%lu seconds=%.3f changes_per_s=%.0f "
		    "cpu_seconds=%.3f changes_per_cpu_s=%.0f generations_per_s=%.1f "
		    "last_in_use_us=%.0f changes_per_s_to_use=%.0f\n",
		    (unsigned long)a.total(), (unsigned long)a.routes_added,
		    (unsigned long)a.routes_withdrawn, (unsigned long)a.macs,
		    (unsigned long)a.refused, (unsigned long)gens, s, double(a.total()) / s, cpu,
		    double(a.total()) / cpu, double(gens) / s,
		    double(int64_t(used_ns - published_ns)) / 1e3, double(a.total()) / to_use);
		return refused_ok(a);
	}

	// Phase 2: `rate` changes a second, each its own generation, and when each was used.
	bool latency()
	{
		const uint64_t n = uint64_t(o_.rate) * o_.seconds;
		const uint64_t interval = 1000000000ull / std::max(1u, o_.rate);
		struct Sent {
			uint64_t gen, publish_ns;
		};
		std::vector<Sent> sent;
		std::vector<double> us;
		sent.reserve(n);
		us.reserve(n);
		Applied a;
		size_t resolved = 0;
		uint64_t seen = 0;
		// Tight: everything published up to the generation now in use got there at its
		// switch (in_use_ns), even a generation the dataplane skipped for a newer one.
		const shm::StatsReader* stats = tables_.stats();
		auto poll = [&] {
			const uint64_t g = stats->in_use_generation();
			if (g == seen) {
				return;
			}
			seen = g;
			const uint64_t at = stats->in_use_ns();
			for (; resolved < sent.size() && sent[resolved].gen <= g; ++resolved) {
				us.push_back(double(int64_t(at - sent[resolved].publish_ns)) / 1e3);
			}
		};
		uint64_t next = shm::monotonic_ns(), next_check = next;
		for (uint64_t k = 0; k < n && !g_stop; ++k) {
			uint64_t now;
			while ((now = shm::monotonic_ns()) < next) {
				poll();
			}
			const uint64_t gen = tables_.next_generation();
			ChangeMix::Kind kind;
			const bool applied = mix_.apply(tables_.writer(), gen, kind);
			a.count(applied, kind);
			if (!publish()) {
				return false;
			}
			sent.push_back({gen, tables_.publish_ns()});
			poll();
			next += interval;
			if (now >= next_check) {
				// What tsunagid's loop does each pass, and the child still there.
				tables_.reclaim();
				if (!alive()) {
					return false;
				}
				next_check = now + 100000000;
			}
		}
		const uint64_t until = shm::monotonic_ns() + 2000000000ull;
		while (resolved < sent.size() && shm::monotonic_ns() < until && !g_stop) {
			poll();
		}
		if (resolved < sent.size() || us.empty()) {
			std::fprintf(stderr,
			             "tsunagi-bench-live: %zu of %zu generations never "
			             "reported in use\n",
			             sent.size() - resolved, sent.size());
			return false;
		}
		const double span =
		    seconds_between(sent.front().publish_ns, sent.back().publish_ns);
		std::sort(us.begin(), us.end());
		auto pct = [&](double q) { return us[size_t(q * double(us.size() - 1))]; };
		std::printf(
		    "paced at %u changes/s, one generation each, %zu generations over %.2f s "
		    "(%.0f/s):\n"
		    "  publication to in use: p50 %.0f us, p99 %.0f us, max %.0f us\n",
		    o_.rate, sent.size(), span, double(sent.size() - 1) / span, pct(0.5), pct(0.99),
		    us.back());
		if (double(sent.size() - 1) / span < 0.95 * o_.rate) {
			std::printf(
			    "  (behind the pace: a change and its commit took longer than "
			    "1/%u s)\n",
			    o_.rate);
		}
		std::printf(
		    "RESULT phase=latency rate=%u generations=%zu seconds=%.3f achieved_per_s=%.0f "
		    "p50_us=%.0f p99_us=%.0f max_us=%.0f refused=%lu\n",
		    o_.rate, sent.size(), span, double(sent.size() - 1) / span, pct(0.5), pct(0.99),
		    us.back(), (unsigned long)a.refused);
		return refused_ok(a);
	}

private:
	bool publish()
	{
		if (tables_.publish()) {
			return true;
		}
		std::fprintf(stderr,
		             "tsunagi-bench-live: the image has no room for another header "
		             "(tsunagid would build a new one)\n");
		return false;
	}

	static bool refused_ok(const Applied& a)
	{
		if (a.refused != 0) {
			std::fprintf(
			    stderr,
			    "tsunagi-bench-live: %lu changes did not fit the image (tsunagid "
			    "would build a new one); give it more room (--learned)\n",
			    (unsigned long)a.refused);
			return false;
		}
		return true;
	}

	const Options& o_;
	LiveTables& tables_;
	ChangeMix& mix_;
	ChildDataplane& dp_;
	std::string log_;
};

std::string default_dataplane()
{
	std::error_code ec;
	const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
	return (self.parent_path().parent_path() / "dataplane" / "tsunagi-dataplane").string();
}

// The bench on one CPU, the dataplane's lcore on another (the last), when there are two.
unsigned split_cpus()
{
	const unsigned n = std::max(1u, std::thread::hardware_concurrency());
	if (n > 1) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(0, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	return n - 1;
}

int run(int argc, char** argv)
{
	Options o;
	po::options_description desc(
	    "tsunagi-bench-live: table changes per second and publish-to-use latency against "
	    "the running tsunagi-dataplane, with traffic, and the frames lost meanwhile\n\n"
	    "Usage: tsunagi-bench-live [--seconds N] [--rate N] [--routes N] [--dataplane PATH] "
	    "[--huge]\n\nOptions");
	desc.add_options()("help,h", "show this help")("seconds", po::value(&o.seconds),
	                                               "seconds of each phase (default 5)")(
	    "rate", po::value(&o.rate), "changes per second of the latency phase (default 1000)")(
	    "routes", po::value(&o.routes),
	    "configured Option-B routes over 1 000 VRFs in the tables (default 1000000)")(
	    "learned", po::value(&o.learned),
	    "routes learned and withdrawn in turn by the changes (default 100000)")(
	    "batch", po::value(&o.batch),
	    "changes to a generation in the throughput phase (default 1000)")(
	    "mac-percent", po::value(&o.mac_percent),
	    "share of the changes that replace a static MAC (default 10)")(
	    "frames", po::value(&o.frames), "distinct frames in the capture (default 4096)")(
	    "dataplane", po::value(&o.dataplane),
	    "the tsunagi-dataplane binary (default: the build directory's)")(
	    "huge", po::bool_switch(&o.huge), "the dataplane uses hugepages (default --no-huge)")(
	    "keep", po::bool_switch(&o.keep),
	    "keep the temporary directory (capture, YAML, the dataplane's log)");
	po::variables_map vm;
	if (auto rc = cli::parse_options(argc, argv, "tsunagi-bench-live", desc, vm)) {
		return *rc;
	}
	if (o.dataplane.empty()) {
		o.dataplane = default_dataplane();
	}
	if (access(o.dataplane.c_str(), X_OK) != 0) {
		std::cerr << "tsunagi-bench-live: no dataplane binary at " << o.dataplane
		          << " (--dataplane)\n";
		return cli::kExitUsage;
	}
	if (o.seconds == 0 || o.rate == 0 || o.batch == 0 || o.mac_percent > 100 ||
	    o.routes < 1000) {
		std::cerr << "tsunagi-bench-live: --seconds, --rate, --batch must be positive, "
		             "--mac-percent at most 100, --routes at least 1000\n";
		return cli::kExitUsage;
	}
	std::signal(SIGINT, on_signal);
	std::signal(SIGTERM, on_signal);
	std::signal(SIGHUP, on_signal);
	const unsigned dp_cpu = split_cpus();

	TempDir dir;
	dir.keep = o.keep;
	char tmpl[] = "/tmp/tsunagi-live.XXXXXX";
	if (mkdtemp(tmpl) == nullptr) {
		std::perror("tsunagi-bench-live: mkdtemp");
		return cli::kExitRuntime;
	}
	dir.path = tmpl;

	// Scenario d's tables: 16 000 tenants on 8 × 4 094 attachments, the first 1 000 with a
	// VRF. The traffic is routed in those VRFs; the static MACs that change are on the
	// next 1 000 tenants, which the traffic never reaches.
	ScaleParams scale;
	scale.vrfs = 1000;
	scale.routes = o.routes;
	config::Config cfg = build_scale_config(scale);
	const uint32_t mac_first = scale.vrfs, mac_count = 1000;
	add_static_macs(cfg, mac_first, mac_count);
	ChangeMix mix(cfg, scale, o.learned, mac_first, mac_count, o.mac_percent);
	const uint64_t b0 = shm::monotonic_ns();
	std::string err;
	auto tables = LiveTables::open(dir.path, cfg, o.learned, err);
	if (!tables) {
		std::cerr << "tsunagi-bench-live: " << err << "\n";
		return cli::kExitRuntime;
	}
	const abi::TableView view = tables->view();
	std::printf(
	    "tables: %u tenants, %zu attachments, %u VRFs with %u routes, %u learned "
	    "routes of room, %u static MACs: image %.1f MB built in %.2f s\n",
	    scale.tenants, size_t(scale.access_ports) * scale.vlans, scale.vrfs, scale.routes,
	    o.learned, mac_count, double(tables->image_bytes()) / 1e6,
	    seconds_between(b0, shm::monotonic_ns()));

	const MacPlan macs(view, 1000000);
	const Traffic traffic = make_traffic(Scenario::option_b, scale, view, macs, o.frames, 64);
	const std::string capture = dir.path + "/d.pcap";
	if (auto e = write_pcap(capture, traffic.frames); !e.empty()) {
		std::cerr << "tsunagi-bench-live: " << e << "\n";
		return cli::kExitRuntime;
	}
	std::vector<std::string> devices;
	for (size_t i = 0; i < cfg.ports.size(); ++i) {
		devices.push_back(i == traffic.in_port
		                      ? "net_pcap0,rx_pcap=" + capture + ",infinite_rx=1"
		                      : "net_null" + std::to_string(i) + ",no-rx=1");
	}
	const std::string yaml = dir.path + "/dataplane.yaml";
	std::ofstream(yaml) << dataplane_yaml(cfg, dir.path, devices, dp_cpu);
	const std::string log = dir.path + "/dataplane.log";

	ChildDataplane dp;
	if (!dp.start(o.dataplane, {"--config", yaml, o.huge ? "--huge" : "--no-huge"}, log, err)) {
		std::cerr << "tsunagi-bench-live: " << err << "\n";
		return cli::kExitRuntime;
	}
	LiveBench bench(o, *tables, mix, dp, log);
	const uint64_t s0 = shm::monotonic_ns();
	if (!bench.wait_in_use(tables->published(), 60000)) {
		return cli::kExitRuntime;
	}
	const shm::StatsReader& stats = *tables->stats();
	const size_t n_ports = cfg.ports.size(), n_tenants = view.tenants.size;
	// The frames received before the first tables were dropped (no_tables): the loss is
	// counted from here, once frames flow.
	std::this_thread::sleep_for(std::chrono::milliseconds(200));
	const dp::CounterTotals before = read_counters(stats, n_ports, n_tenants);
	const uint64_t w0 = shm::monotonic_ns();
	// From the working directory when it is below it (bench/run's is the repository): a
	// saved output names no machine.
	std::error_code ec;
	std::string shown = std::filesystem::proximate(o.dataplane, ec).string();
	if (ec || shown.rfind("..", 0) == 0) {
		shown = o.dataplane;
	}
	std::printf(
	    "dataplane %s (pid %lu) forwarding with generation %lu, %.2f s after its "
	    "start; CPU %u, bench on CPU 0\n",
	    shown.c_str(), (unsigned long)stats.pid(), (unsigned long)stats.in_use_generation(),
	    seconds_between(s0, w0), dp_cpu);
	std::fflush(stdout);

	bool ok = bench.throughput();
	std::fflush(stdout);
	ok = ok && bench.latency();
	std::fflush(stdout);
	const uint64_t w1 = shm::monotonic_ns();
	// Counted after the dataplane stopped: its last pass is complete, nothing in flight.
	const bool clean = dp.stop();
	const dp::CounterTotals after = read_counters(stats, n_ports, n_tenants);
	if (!ok || g_stop) {
		return cli::kExitRuntime;
	}
	// Lost: exact over the dataplane's whole run, read after it stopped. Drops by reason:
	// over the window the tables changed in (read while running, so off by a burst at
	// most), apart from the frames that came before the first tables.
	const Loss all = loss_of(after, scale.vrfs);
	const Loss l = loss_between(before, after, scale.vrfs);
	const uint64_t early = all.drops[size_t(dp::Drop::no_tables)];
	const uint64_t other = all.dropped() - early;
	const double window = seconds_between(w0, w1);
	std::printf(
	    "traffic (scenario d, %zu frames routed in the %u VRFs), %.2f Mpps:\n"
	    "  while the tables changed (%.2f s): received %lu, sent %lu, punted %lu, dropped "
	    "%lu (by reason:%s)\n"
	    "  the dataplane's whole run: received %lu, sent %lu, dropped %lu before the first "
	    "tables (no_tables) and %lu after, lost %ld\n",
	    traffic.frames.size(), scale.vrfs, double(l.rx) / window / 1e6, window,
	    (unsigned long)l.rx, (unsigned long)l.tx, (unsigned long)l.punted,
	    (unsigned long)l.dropped(), l.drop_list().c_str(), (unsigned long)all.rx,
	    (unsigned long)all.tx, (unsigned long)early, (unsigned long)other, (long)all.lost());
	std::string reasons = l.drop_list();
	std::replace(reasons.begin(), reasons.end(), ' ', ',');
	std::printf(
	    "RESULT phase=loss seconds=%.3f rx=%lu tx=%lu punted=%lu dropped=%lu drops=%s "
	    "run_rx=%lu run_tx=%lu run_dropped_before_tables=%lu run_dropped_after=%lu lost=%ld\n",
	    window, (unsigned long)l.rx, (unsigned long)l.tx, (unsigned long)l.punted,
	    (unsigned long)l.dropped(), reasons.c_str() + 1, (unsigned long)all.rx,
	    (unsigned long)all.tx, (unsigned long)early, (unsigned long)other, (long)all.lost());
	if (!clean) {
		std::fprintf(stderr,
		             "tsunagi-bench-live: the dataplane did not stop cleanly (%s)\n",
		             dp.exit_status().c_str());
	}
	if (l.rx == 0) {
		std::fprintf(stderr, "tsunagi-bench-live: no traffic reached the dataplane\n");
		return cli::kExitRuntime;
	}
	// Every frame is routed to the carrier: one dropped is one lost.
	return all.lost() != 0 || other != 0 || l.dropped() != 0 ? 5 : 0;
}

}  // namespace

}  // namespace tsunagi::bench

int main(int argc, char** argv)
{
	try {
		return tsunagi::bench::run(argc, argv);
	} catch (const std::exception& e) {
		std::cerr << "tsunagi-bench-live: " << e.what() << "\n";
		return tsunagi::cli::kExitRuntime;
	}
}
