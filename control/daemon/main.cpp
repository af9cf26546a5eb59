// tsunagid: the control daemon (DESIGN.md §1). Loads and validates the YAML, compiles it
// into tables and publishes them to the dataplane through shared memory; SIGHUP reloads.
// With --frr it runs FRR for the node and publishes the carriers' routes (docs/frr.md).
#include <grp.h>
#include <net/if.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "common/cli/program.hpp"
#include "common/cli/runtime_dir.hpp"
#include "common/cli/service.hpp"
#include "common/config/loader.hpp"
#include "common/report/counter_totals.hpp"
#include "common/shm/names.hpp"
#include "common/shm/node_group.hpp"
#include "common/shm/stats_segment.hpp"
#include "common/shm/subscriber.hpp"
#include "control/compile/compiler.hpp"
#include "control/compile/table_writer.hpp"
#include "control/dataplane_link/publisher.hpp"
#include "control/frr/refresh.hpp"
#include "control/frr/render.hpp"
#include "control/frr/supervisor.hpp"
#include "control/frr/vrf_namespaces.hpp"
#include "control/metrics/daemon_metrics.hpp"
#include "control/neighbors/neighbor_watch.hpp"
#include "control/reload/config_history.hpp"
#include "control/reload/diff.hpp"
#include "control/routes/bmp_listener.hpp"
#include "control/routes/feed_log.hpp"
#include "control/routes/feed_sync.hpp"
#include "control/routes/vpn_rib.hpp"
#include "control/shell/backend.hpp"
#include "control/shell/protocol.hpp"
#include "control/shell/server.hpp"

namespace po = boost::program_options;

namespace tsunagi::control {

namespace {

void log(const std::string& s)
{
	std::fprintf(stderr, "tsunagid: %s\n", s.c_str());
}

std::optional<std::string> read_text(const std::string& path)
{
	std::ifstream in(path);
	if (!in) {
		return std::nullopt;
	}
	std::stringstream ss;
	ss << in.rdbuf();
	return ss.str();
}

// The file that records the configuration in force, for --check and for a restarted
// daemon's diff.
std::string running_path(const config::Config& cfg)
{
	return cfg.node.runtime_dir + "/running.yaml";
}

void print_diff(const std::vector<std::string>& lines)
{
	if (lines.empty()) {
		std::cout << "no changes\n";
	}
	for (const auto& l : lines) {
		std::cout << l << "\n";
	}
	std::cout.flush();
}

int check(const std::string& path, size_t max_bytes)
{
	const auto cfg = cli::load_config(path, "tsunagid", nullptr, max_bytes);
	if (!cfg) {
		return cli::kExitConfig;
	}
	std::cout << path << ": valid\n";
	const std::string running = running_path(*cfg);
	if (auto text = read_text(running)) {
		auto before = config::load_string(*text, running);
		if (before.config) {
			std::cout << "changes against the running configuration (" << running
			          << "):\n";
			print_diff(config::diff(*before.config, *cfg));
			return 0;
		}
	}
	std::cout << "no running configuration in " << cfg->node.runtime_dir
	          << "; applying would create everything\n";
	return 0;
}

int render_frr(const std::string& path, size_t max_bytes)
{
	const auto cfg = cli::load_config(path, "tsunagid", nullptr, max_bytes);
	if (!cfg) {
		return cli::kExitConfig;
	}
	const compile::Image img = compile::compile(*cfg, 1);
	std::cout << frr::render(*cfg, frr::labels_of(abi::TableView(img.data())));
	return 0;
}

class Daemon : public shell::Backend {
public:
	Daemon(std::string path, size_t max_config_bytes, config::Config cfg, shm::Publisher pub,
	       std::vector<std::string>& log)
	    : path_(std::move(path)),
	      max_config_bytes_(max_config_bytes),
	      cfg_(std::move(cfg)),
	      history_(cfg_.node.runtime_dir + "/config-history", log),
	      pub_(std::move(pub)),
	      names_(shm::names_for(cfg_.node.runtime_dir))
	{
	}

	// Publishes `cfg` as the next generation: edited into the current image in place when
	// it can be, else built as a new image. `text` (the YAML it came from) becomes the
	// running configuration on disk. Neighbour changes republish without text: nothing the
	// operator wrote changed.
	bool apply(const config::Config& cfg, const std::string* text, bool new_image = false)
	{
		const auto t0 = std::chrono::steady_clock::now();
		const uint64_t gen = pub_.generation() + 1;
		const auto learned = learned_neighbors();
		std::string how;
		std::optional<uint64_t> offset;
		if (live_ && !new_image && live_->writer->apply(cfg, learned, gen)) {
			offset = live_->writer->commit(gen);
			how = "edited in place, " +
			      std::to_string(live_->writer->take_bytes_written()) +
			      " bytes written";
		}
		if (!offset) {
			if (!build_image(cfg, learned, gen)) {
				return false;
			}
			offset = 0;
			how = "new image of " + std::to_string(live_->writer->layout().total) +
			      " bytes";
			if (const size_t routes = replay_routes(cfg, gen); routes != 0) {
				offset = live_->writer->commit(gen);
				how += ", " + std::to_string(routes) + " learned routes";
			}
			if (!offset) {
				log("cannot publish tables: the new image is full");
				return false;
			}
		}
		live_->header_offset = *offset;
		pub_.announce(live_->number, *offset);
		const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
		                    std::chrono::steady_clock::now() - t0)
		                    .count();
		log("published table generation " + std::to_string(gen) + " (" + how + ", in " +
		    std::to_string(us) + " us)");
		if (text != nullptr) {
			std::ofstream(running_path(cfg)) << *text;
			chmod(running_path(cfg).c_str(), 0600);
		}
		return true;
	}

	// Re-reads the YAML file and applies what changed; `check_only` reports the diff and
	// applies nothing. Every line is also logged (but for a check, which changes nothing).
	shell::ReloadResult reload(bool check_only, uint32_t confirm_within_s = 0) override
	{
		if (!check_only) {
			log("reloading " + path_);
		}
		if (!check_only && pending_) {
			return refuse(
			    "a reload awaits confirmation: `confirm` it, or let it roll back");
		}
		std::string text;
		if (config::Error e; !config::read_config_file(path_, max_config_bytes_, text, e)) {
			if (!check_only) {
				metrics_.reloaded(false, nullptr);
			}
			return refuse(e.to_string() + "; the running configuration stays",
			              check_only);
		}
		// What is in force now, as applied (the file lags during a startup hold).
		const std::string before = history_.empty() ? running_yaml() : history_[0].yaml;
		auto r = apply_text(text, path_, check_only,
		                    confirm_within_s ? "reload (unconfirmed)" : "reload");
		if (r.ok && confirm_within_s != 0 && !check_only && history_[0].yaml == text &&
		    before != text) {
			pending_ = Pending{before, std::chrono::steady_clock::now() +
			                               std::chrono::seconds(confirm_within_s)};
			r.lines.push_back("rolls back in " + std::to_string(confirm_within_s) +
			                  " s unless confirmed (`confirm`)");
			log(r.lines.back());
		}
		return r;
	}

	shell::ReloadResult confirm() override
	{
		if (!pending_) {
			return refuse("no reload awaits confirmation", true);
		}
		pending_.reset();
		if (std::string err; !history_.relabel_newest("reload (confirmed)", err)) {
			log(err);
		}
		log("reload confirmed");
		return {true, {"confirmed"}};
	}

	shell::ReloadResult rollback(uint32_t n) override
	{
		if (n == 0 || n >= history_.size()) {
			return refuse("no configuration " + std::to_string(n) +
			                  " back; `show config-history` lists " +
			                  std::to_string(history_.size() - 1),
			              true);
		}
		log("rolling back " + std::to_string(n));
		pending_.reset();
		return apply_text(history_[n].yaml, "rollback " + std::to_string(n), false,
		                  "rollback " + std::to_string(n));
	}

	std::vector<shell::Applied> history() const override
	{
		return {history_.entries().begin(), history_.entries().end()};
	}

	std::optional<uint64_t> confirm_deadline_s() const override
	{
		if (!pending_) {
			return std::nullopt;
		}
		const auto left = pending_->deadline - std::chrono::steady_clock::now();
		return uint64_t(std::max<int64_t>(
		    0, std::chrono::duration_cast<std::chrono::seconds>(left).count()));
	}

	// An unconfirmed reload whose time is up: the configuration before it comes back.
	// Returns what to tell the shell's sessions, or "".
	std::string expire_unconfirmed()
	{
		if (!pending_ || std::chrono::steady_clock::now() < pending_->deadline) {
			return "";
		}
		const std::string previous = std::move(pending_->previous);
		pending_.reset();
		log("the reload was not confirmed in time; rolling back");
		const auto r =
		    apply_text(previous, "the configuration before the unconfirmed reload", false,
		               "not confirmed: rolled back");
		return r.ok ? "the reload was not confirmed in time: the configuration before it "
		              "was applied again"
		            : "the reload was not confirmed in time, and rolling it back failed: "
		              "see the log";
	}

	// The configuration the daemon started with, first in the history unless it is what
	// was in force when the previous daemon stopped.
	void record_startup(const std::string& text)
	{
		if (history_.empty() || history_[0].yaml != text) {
			remember(text, "startup");
		}
	}

	// Validates `text` (from `source`, for error positions), prints what changes and
	// applies it, as one atomic publication; `check_only` applies nothing.
	shell::ReloadResult apply_text(const std::string& text, const std::string& source,
	                               bool check_only, const std::string& origin)
	{
		auto r = validate_and_apply(text, source, check_only, origin);
		if (!check_only) {
			metrics_.reloaded(r.ok, &cfg_);
		}
		return r;
	}

	shell::ReloadResult validate_and_apply(const std::string& text, const std::string& source,
	                                       bool check_only, const std::string& origin)
	{
		shell::ReloadResult r;
		auto say = [&](std::string l) {
			if (!check_only) {
				log(l);
			}
			r.lines.push_back(std::move(l));
		};
		auto loaded = config::load_string(text, source, max_config_bytes_);
		for (const auto& e : loaded.errors) {
			say(e.to_string());
		}
		if (!loaded.config) {
			say(std::to_string(loaded.errors.size()) + " error(s) in " + source +
			    "; the running configuration stays");
			return r;
		}
		config::Config next = std::move(*loaded.config);
		next.file = path_;  // what a rollback applies is still the node's file's
		for (auto& p : next.ports) {
			for (const auto& q : cfg_.ports) {
				if (p.name == q.name && p.device == q.device) {
					p.device_mac = q.device_mac;
				}
			}
		}
		if (next.node.runtime_dir != cfg_.node.runtime_dir) {
			say("node.runtime_dir cannot change while running; nothing applied");
			return r;
		}
		if (next.node.group != cfg_.node.group) {
			say("node.group cannot change while running (restart both daemons); "
			    "nothing "
			    "applied");
			return r;
		}
		const auto changes = config::diff(cfg_, next);
		for (const auto& l : changes) {
			say(l);
		}
		r.ok = true;
		if (changes.empty()) {
			say("no changes");
			return r;
		}
		if (check_only) {
			return r;
		}
		if (held_) {
			cfg_ = std::move(next);
			held_ = text;
			rib_->configure(cfg_);
			remember(text, origin);
			say("to be published when the hold ends");
			return r;
		}
		if (!apply(next, &text)) {
			say("the running configuration stays");
			r.ok = false;
			return r;
		}
		const bool same_peers = compile::same_vrf_context(cfg_, next);
		cfg_ = std::move(next);
		if (rib_) {
			rib_->configure(cfg_);
			// Peers or neighbours changed: every route's next hop may have.
			publish_routes(same_peers ? std::vector<routes::TenantPrefix>{}
			                          : rib_->all_imported());
		}
		configure_frr();
		remember(text, origin);
		say("applied");
		return r;
	}

	// --- what the shell reads (shell::Backend) ---

	std::string running_yaml() const override
	{
		return read_text(running_path(cfg_)).value_or("");
	}

	abi::TableView tables() const override
	{
		if (live_) {
			return abi::TableView(live_->object.data(), live_->header_offset);
		}
		if (adopted_) {
			return abi::TableView(adopted_->data, adopted_->header_offset);
		}
		return {};
	}

	uint64_t image_bytes() const override
	{
		return live_ ? live_->object.size() : adopted_ ? adopted_->size : 0;
	}

	uint64_t published_generation() const override { return pub_.generation(); }

	std::optional<uint64_t> update_latency_us() const override
	{
		if (!stats_ || stats_->in_use_generation() != pub_.generation() ||
		    stats_->in_use_ns() < pub_.publish_ns()) {
			return std::nullopt;
		}
		return (stats_->in_use_ns() - pub_.publish_ns()) / 1000;
	}

	std::optional<shell::DataplaneState> dataplane() const override
	{
		if (!stats_) {
			return std::nullopt;
		}
		shell::DataplaneState d;
		d.pid = stats_->pid();
		d.workers = stats_->n_workers();
		d.alive = stats_->alive();
		d.in_use_generation = stats_->in_use_generation();
		timespec now{};
		clock_gettime(CLOCK_MONOTONIC, &now);
		const uint64_t now_ns =
		    uint64_t(now.tv_sec) * 1000000000ull + uint64_t(now.tv_nsec);
		d.heartbeat_age_ms = now_ns > stats_->heartbeat_ns()
		                         ? (now_ns - stats_->heartbeat_ns()) / 1000000
		                         : 0;
		std::vector<const dp::WorkerCounters*> workers;
		for (uint32_t w = 0; w < stats_->n_workers(); ++w) {
			workers.push_back(&stats_->worker(w));
		}
		const abi::TableView t = tables();
		d.totals = dp::add_up(workers.data(), workers.size(),
		                      t.valid() ? t.ports.size : cfg_.ports.size(),
		                      t.valid() ? t.tenants.size : 0);
		return d;
	}

	std::optional<shm::MacDump> mac_table(uint32_t tenant, std::string& error) override
	{
		return shm::dump_macs(cfg_.node.runtime_dir, tenant, error);
	}

	std::optional<uint64_t> clear_mac_table(uint32_t tenant, std::string& error) override
	{
		return shm::clear_macs(cfg_.node.runtime_dir, tenant, error);
	}

	std::optional<std::string> trace(uint16_t port, const std::string& frame,
	                                 std::string& error) override
	{
		return shm::trace(cfg_.node.runtime_dir, port, frame, error);
	}

	std::optional<std::string> vtysh(const std::string& command) override
	{
		if (!frr_) {
			return std::nullopt;
		}
		std::string out;
		if (frr_->vtysh({command}, out) != 0 && out.empty()) {
			out = "% FRR's vtysh failed; is FRR running? (SIGUSR1 logs its state)\n";
		}
		return out;
	}

	// Runs FRR for the node from `dir`, with bgpd mirroring the carriers' messages to
	// `bmp_port` (docs/frr.md).
	bool start_frr(const std::string& dir, uint16_t bmp_port)
	{
		std::string err;
		const passwd* frr_user = getpwnam("frr");
		bmp_ = routes::BmpListener::open(
		    "127.0.0.1", bmp_port, err,
		    frr_user != nullptr ? std::optional<uid_t>(frr_user->pw_uid) : std::nullopt);
		if (!bmp_) {
			log(err);
			return false;
		}
		// VRFs with Option-A sessions are network namespaces (docs/frr.md); FRR runs
		// in that mode whether or not any is configured yet, so a reload may add one.
		vrf_ns_ = std::make_unique<frr::VrfNamespaces>(cfg_.node.runtime_dir + "/netns");
		if (!vrf_ns_->prepare(err)) {
			log(err);
			return false;
		}
		frr::SupervisorPaths paths{dir};
		paths.netns_dir = vrf_ns_->dir();
		frr_ = std::make_unique<frr::Supervisor>(paths);
		if (!frr_->prepare(err)) {
			log(err);
			return false;
		}
		rib_ = std::make_unique<routes::VpnRib>(cfg_);
		configure_frr();
		return true;
	}

	bool adopted() const { return adopted_.has_value(); }

	// A restart with FRR: the tables a previous daemon published hold the carriers' routes,
	// which this one has yet to learn. Rather than publish tables without them, it keeps the
	// dataplane on the old ones until the carriers have sent their routes again (End-of-
	// Route-Refresh or End-of-RIB from every peer that is up) or `max_ms` have passed.
	void hold_first_publication(std::string text, uint64_t max_ms)
	{
		held_ = std::move(text);
		hold_until_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(max_ms);
		log("keeping the published tables until the carriers' routes are back");
	}

	// Ends the hold once the feed is in sync; false while it goes on.
	bool release_hold()
	{
		if (!held_) {
			return true;
		}
		const auto now = std::chrono::steady_clock::now();
		const bool synced = sync_.synced(feed_now_ms(), feed_timers_.settle_ms);
		if (!synced && now < hold_until_) {
			return false;
		}
		log(synced ? "the carriers' routes are back; publishing"
		           : "the carriers' routes did not all come back in time; publishing what "
		             "there is");
		const std::string text = *held_;
		held_.reset();
		if (!apply(cfg_, &text)) {
			held_ = text;  // tried again on the next pass of the loop
			return false;
		}
		rib_->take_changed();  // the new image has them all
		configure_frr();
		return true;
	}

	// Renders FRR's configuration for what is published and applies it.
	void configure_frr()
	{
		const abi::TableView view = tables();
		if (!frr_ || !view.valid()) {
			return;
		}
		const std::string conf =
		    frr::render(cfg_, frr::labels_of(view), {.bmp_port = bmp_->port()});
		std::vector<std::string> lines;
		const bool ok = frr_->apply(conf, lines);
		for (const auto& l : lines) {
			log(l);
		}
		if (!ok) {
			log("FRR keeps its running configuration");
		}
		supervise_frr();
	}

	void supervise_frr()
	{
		if (!frr_) {
			return;
		}
		for (const auto& l : vrf_ns_->sync(cfg_)) {
			log(l);
		}
		// FRR speaks through the dataplane's punt interfaces: zebra and bgpd started
		// before they exist were seen to fail every session (bgpd finds no interface for
		// its local address), so they wait for the dataplane.
		for (const auto& p : cfg_.ports) {
			if ((p.role == config::PortRole::underlay ||
			     p.role == config::PortRole::interconnect) &&
			    if_nametoindex(shm::punt_interface(p.name).c_str()) == 0) {
				if (!frr_waiting_) {
					log("FRR waits for the dataplane's interface " +
					    shm::punt_interface(p.name));
					frr_waiting_ = true;
				}
				return;
			}
		}
		frr_waiting_ = false;
		for (const auto& l : frr_->ensure_running()) {
			log("frr: " + l);
		}
		frr_->reap();
	}

	void add_feed_fds(std::vector<pollfd>& fds) const
	{
		if (bmp_) {
			bmp_->add_fds(fds);
		}
	}

	// Takes what bgpd mirrored since the last call into the RIB and the tables.
	void serve_feed(const routes::ResyncTimers& timers)
	{
		if (!bmp_) {
			return;
		}
		feed_timers_ = timers;
		for (const auto& a : rib_->tick(feed_now_ms(), timers)) {
			if (a.due == routes::Resync::Due::refresh) {
				frr_->vtysh_async(frr::refresh_session(cfg_, *a.peer, a.link));
			}
			log(routes::describe(a, timers));
		}
		auto batch = bmp_->service();
		for (const auto& l : batch.log) {
			log(l);
		}
		if (batch.connected) {
			sync_.connected(feed_now_ms());
			// The mirror does not replay what came before the connection: everything
			// known is stale until the carriers send it again, which a route refresh
			// asks them to do without resetting the sessions.
			rib_->mark_all_stale();
			frr_->vtysh_async(frr::refresh_all(cfg_));
			log("route feed connected; asked the carriers to refresh their routes");
		}
		for (const auto& e : batch.events) {
			rib_->apply(e);
			sync_.apply(e, feed_now_ms());
			if (const auto line = routes::describe(e); !line.empty()) {
				log(line);
			}
		}
		publish_routes();
	}

	static uint64_t feed_now_ms()
	{
		const auto now = std::chrono::steady_clock::now().time_since_epoch();
		return uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
	}

	// The MACs the dataplane's devices have, for the ports without `mac:`: true when
	// one changed (the tables must then carry it).
	bool learn_port_macs()
	{
		if (!stats_) {
			std::string err;
			stats_ = shm::StatsReader::open(names_, err);
		}
		const auto macs = stats_ && stats_->alive() ? stats_->port_macs()
		                                            : std::vector<std::array<uint8_t, 6>>{};
		// A dataplane started with other ports than these says nothing about them.
		if (macs.size() != cfg_.ports.size()) {
			return false;
		}
		bool changed = false;
		for (size_t i = 0; i < macs.size(); ++i) {
			auto& p = cfg_.ports[i];
			if (!p.mac && (!p.device_mac || p.device_mac->bytes != macs[i])) {
				p.device_mac = config::Mac{macs[i]};
				log("port " + p.name + " (no mac: given) has its device's MAC " +
				    config::to_string(*p.device_mac));
				changed = true;
			}
		}
		return changed;
	}

	void collect()
	{
		if (learn_port_macs() && !held_ && live_) {
			apply(cfg_, nullptr);
		}
		const uint64_t in_use = stats_ && stats_->alive() ? stats_->in_use_generation() : 0;
		if (live_) {
			live_->writer->reclaim(in_use);
		}
		pub_.collect(in_use);
		metrics_.dataplane_seen(pub_.generation(), pub_.publish_ns(), in_use,
		                        in_use != 0 ? stats_->in_use_ns() : 0);
		if (stats_ && !stats_->alive()) {
			stats_.reset();  // a restarted dataplane creates a new segment
		}
	}

	const config::Config& config() const override { return cfg_; }

	// Serves /metrics (docs/metrics.md).
	bool serve_metrics(const metrics::ListenAddress& where, size_t max_tenants,
	                   std::string& err)
	{
		metrics_.reloaded(true, &cfg_);
		return metrics_.listen(
		    where, max_tenants, [this] { return metrics_sources(); }, err);
	}
	metrics::DaemonMetrics& metrics() { return metrics_; }

	// SIGUSR1: the dataplane's drops by reason, and the route feed's state, to the log
	// (what an operator needs before reaching for the shell).
	void log_counters()
	{
		const auto plane = dataplane();
		std::string line = "drops:";
		for (size_t r = 0; plane && r < dp::kDropCount; ++r) {
			if (plane->totals.drops[r] != 0) {
				line += " " + std::string(dp::kDropNames[r]) + "=" +
				        std::to_string(plane->totals.drops[r]);
			}
		}
		log(line);
		if (plane) {
			line = "ports (rx/tx/punted packets):";
			for (size_t p = 0; p < cfg_.ports.size() && p < plane->totals.ports.size();
			     ++p) {
				line += " " + cfg_.ports[p].name + " " +
				        std::to_string(plane->totals.ports[p].rx_packets) + "/" +
				        std::to_string(plane->totals.ports[p].tx_packets) + "/" +
				        std::to_string(plane->totals.punted[p]);
			}
			log(line);
		}
		if (rib_) {
			const auto& f = bmp_->counters();
			const auto& r = rib_->counters();
			log("route feed: " + std::to_string(bmp_->connections()) +
			    " connections, " + std::to_string(f.messages) + " messages (" +
			    std::to_string(f.malformed) + " refused, " + std::to_string(f.lost) +
			    " lost), " + std::to_string(rib_->paths()) + " paths, " +
			    std::to_string(rib_->imported()) + " imported routes, " +
			    std::to_string(r.not_imported) + " not imported, " +
			    std::to_string(r.as_loop) + " AS loops, " + std::to_string(r.swept) +
			    " swept stale, " + std::to_string(r.settled) +
			    " resynchronisations settled without End-of-RIB, " +
			    std::to_string(r.refreshes) + " route refreshes asked");
		}
	}

	// A restarted daemon continues from the generation it finds published, so tenant
	// and member indexes (and the dataplane's learned MACs) survive the restart.
	void adopt_published()
	{
		shm::Subscriber sub(names_);
		std::string err;
		if (auto m = sub.poll(err)) {
			log("continuing from published generation " +
			    std::to_string(m->generation));
			adopted_ = std::move(m);
		}
	}

	// Follows the kernel's neighbours on the punt interfaces of the L3 ports.
	void watch_neighbors()
	{
		std::map<std::string, NeighborWatch::Link> interfaces;
		for (const auto& p : cfg_.ports) {
			if (p.role == config::PortRole::underlay ||
			    p.role == config::PortRole::interconnect) {
				interfaces[shm::punt_interface(p.name)] = {p.name, 0};
			}
		}
		std::string err;
		neighbors_ = NeighborWatch::open(std::move(interfaces), err);
		if (!neighbors_) {
			log("neighbour learning off: " + err +
			    "; VTEP next hops need `neighbors:`");
		}
	}

	int neighbor_fd() const { return neighbors_ ? neighbors_->fd() : -1; }

	void neighbors_changed()
	{
		const bool vrfs = vrf_ns_ && vrf_ns_->process();
		if ((neighbors_ && neighbors_->process()) || vrfs) {
			if (held_) {
				return;  // published with everything else when the hold ends
			}
			log("neighbours changed (" + std::to_string(learned_neighbors().size()) +
			    " learned); republishing");
			apply(cfg_, nullptr);
			republish_moved_hops();
		}
	}

	// Asks the kernel to resolve every VTEP and carrier next hop nobody has a MAC for yet.
	void probe_unresolved()
	{
		if (!neighbors_) {
			return;
		}
		for (const auto& peer : cfg_.peers) {
			if (peer.option == config::PeerOption::B && peer.address &&
			    !compile::carrier_next_hop(cfg_, peer, *peer.address,
			                               neighbors_->learned())
			         .resolved) {
				neighbors_->probe(peer.port, *peer.address);
			}
		}
		for (const auto& t : cfg_.tenants) {
			for (const auto& v : t.vteps) {
				const auto hop = compile::vtep_next_hop(cfg_, v);
				if (!hop) {
					continue;
				}
				const std::string& port = cfg_.ports[hop->port].name;
				auto known = [&](const std::vector<config::Neighbor>& list) {
					return std::any_of(
					    list.begin(), list.end(), [&](const auto& n) {
						    return n.port == port && n.vlan == 0 &&
						           n.address == hop->address;
					    });
				};
				if (!known(cfg_.neighbors) && !known(neighbors_->learned())) {
					neighbors_->probe(port, hop->address);
				}
			}
		}
	}

private:
	std::string path_;
	size_t max_config_bytes_;
	config::Config cfg_;
	ConfigHistory history_;
	// An applied reload that rolls back unless confirmed by `deadline`.
	struct Pending {
		std::string previous;
		std::chrono::steady_clock::time_point deadline;
	};
	std::optional<Pending> pending_;

	void remember(const std::string& text, const std::string& origin)
	{
		if (std::string err;
		    !history_.push({uint64_t(std::time(nullptr)), origin, text}, err)) {
			log("configuration history: " + err + " (kept in memory)");
		}
	}

	shell::ReloadResult refuse(std::string why, bool quiet = false)
	{
		if (!quiet) {
			log(why);
		}
		return {false, {std::move(why)}};
	}

	metrics::DaemonMetrics metrics_;

	metrics::Sources metrics_sources() const
	{
		metrics::Sources s{
		    &cfg_,      tables(), pub_.generation(), stats_ ? &*stats_ : nullptr,
		    rib_.get(), {}};
		for (const auto& peer : sync_.up()) {
			s.bgp_up.push_back(peer.address);
		}
		return s;
	}
	std::unique_ptr<frr::Supervisor> frr_;
	std::unique_ptr<frr::VrfNamespaces> vrf_ns_;
	std::unique_ptr<routes::BmpListener> bmp_;
	std::unique_ptr<routes::VpnRib> rib_;
	bool frr_waiting_ = false;
	std::optional<std::string> held_;  // the YAML text of a first publication on hold
	std::chrono::steady_clock::time_point hold_until_;
	routes::FeedSync sync_;  // whether the carriers are back since the feed connected
	routes::ResyncTimers feed_timers_;
	// The MAC each carrier next hop in use resolved to ("port address" → dst MAC, empty
	// while unresolved): routes through one that changes are rewritten.
	std::map<std::string, std::string> hop_macs_;

	std::vector<config::Neighbor> learned_neighbors() const override
	{
		auto out = neighbors_ ? neighbors_->learned() : std::vector<config::Neighbor>{};
		if (vrf_ns_) {
			for (auto& n : vrf_ns_->learned()) {
				out.push_back(std::move(n));
			}
		}
		return out;
	}

	static std::string hop_key(const std::string& port, const config::IpAddr& a,
	                           uint16_t vlan = 0)
	{
		return port + "." + std::to_string(vlan) + " " + config::to_string(a);
	}

	static std::string mac_of(const abi::NexthopEntry& nh)
	{
		return nh.resolved ? std::string(reinterpret_cast<const char*>(nh.dst_mac), 6)
		                   : std::string();
	}

	// Writes one imported route as the RIB has it now; false when the image has no room.
	// `cfg`: the configuration the image being written is of (a reload's, before it
	// becomes cfg_).
	bool write_route(const config::Config& cfg, const routes::TenantPrefix& tp, uint64_t gen,
	                 const std::vector<config::Neighbor>& learned)
	{
		const auto hops = rib_->hops(tp);
		if (hops.empty()) {
			live_->writer->remove_route(tp.tenant, tp.prefix, gen);
			return true;
		}
		std::vector<abi::NexthopEntry> nhs;
		for (const auto& h : hops) {
			if (h.peer == nullptr) {
				continue;
			}
			abi::NexthopEntry nh =
			    h.link != nullptr
			        ? compile::option_a_next_hop(cfg, *h.peer, *h.link, h.next_hop,
			                                     learned)
			        : compile::carrier_next_hop(cfg, *h.peer, h.next_hop, learned);
			hop_macs_[hop_key(h.peer->port, h.next_hop, h.link ? h.link->vlan : 0)] =
			    mac_of(nh);
			nh.n_labels = uint8_t(std::min<size_t>(h.labels.size(), 4));
			std::copy_n(h.labels.begin(), nh.n_labels, nh.labels);
			nhs.push_back(nh);
		}
		return live_->writer->set_route(tp.tenant, tp.prefix, nhs, gen);
	}

	// Every imported route into a new image; returns how many.
	size_t replay_routes(const config::Config& cfg, uint64_t gen)
	{
		if (!rib_) {
			return 0;
		}
		const auto learned = learned_neighbors();
		size_t n = 0, refused = 0;
		for (const auto& tp : rib_->all_imported()) {
			(write_route(cfg, tp, gen, learned) ? n : refused) += 1;
		}
		if (refused != 0) {
			log(std::to_string(refused) + " learned routes did not fit the new image");
		}
		return n;
	}

	// Publishes the routes the RIB changed, as one generation.
	void publish_routes(std::vector<routes::TenantPrefix> changed = {})
	{
		if (!rib_ || !live_) {
			return;
		}
		for (auto& tp : rib_->take_changed()) {
			changed.push_back(std::move(tp));
		}
		if (changed.empty()) {
			return;
		}
		const auto t0 = std::chrono::steady_clock::now();
		const uint64_t gen = pub_.generation() + 1;
		const auto learned = learned_neighbors();
		for (const auto& tp : changed) {
			if (!write_route(cfg_, tp, gen, learned)) {
				// Out of room: a new image with room for what there is now.
				log("the table image is full; building a new one");
				apply(cfg_, nullptr, true);
				return;
			}
		}
		const auto offset = live_->writer->commit(gen);
		if (!offset) {
			log("the table image is full; building a new one");
			apply(cfg_, nullptr, true);
			return;
		}
		live_->header_offset = *offset;
		pub_.announce(live_->number, live_->header_offset);
		const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
		                    std::chrono::steady_clock::now() - t0)
		                    .count();
		log("published table generation " + std::to_string(gen) + " (" +
		    std::to_string(changed.size()) + " routes from the carriers, " +
		    std::to_string(live_->writer->take_bytes_written()) + " bytes written, in " +
		    std::to_string(us) + " us; " + std::to_string(rib_->imported()) +
		    " imported routes)");
	}

	// Rewrites the routes whose carrier next hop resolved to another MAC.
	void republish_moved_hops()
	{
		if (!rib_) {
			return;
		}
		const auto learned = learned_neighbors();
		std::vector<routes::TenantPrefix> moved;
		for (const auto& peer : cfg_.peers) {
			for (const auto& link : peer.vrfs) {
				const auto it =
				    hop_macs_.find(hop_key(peer.port, link.neighbor, link.vlan));
				if (it != hop_macs_.end() &&
				    it->second != mac_of(compile::option_a_next_hop(
				                      cfg_, peer, link, link.neighbor, learned))) {
					for (auto& tp : rib_->routes_via_link(&link)) {
						moved.push_back(std::move(tp));
					}
				}
			}
			if (peer.option != config::PeerOption::B || !peer.address) {
				continue;
			}
			const auto it = hop_macs_.find(hop_key(peer.port, *peer.address));
			if (it != hop_macs_.end() &&
			    it->second != mac_of(compile::carrier_next_hop(
			                      cfg_, peer, *peer.address, learned))) {
				for (auto& tp : rib_->routes_via(peer.port, *peer.address)) {
					moved.push_back(std::move(tp));
				}
			}
		}
		publish_routes(std::move(moved));
	}
	shm::Publisher pub_;
	shm::Names names_;
	std::optional<shm::StatsReader> stats_;
	std::unique_ptr<NeighborWatch> neighbors_;
	// Builds `cfg` into a new image object, keeping the indexes of the image in use.
	bool build_image(const config::Config& cfg, const std::vector<config::Neighbor>& learned,
	                 uint64_t gen)
	{
		std::optional<abi::TableView> previous;
		if (live_) {
			previous.emplace(live_->object.data(), live_->header_offset);
		} else if (adopted_) {
			previous.emplace(adopted_->data, adopted_->header_offset);
		}
		const compile::IdPlan ids(cfg, previous ? &*previous : nullptr, gen);
		std::array<uint64_t, 2> learned_routes{0, 0};
		if (rib_) {
			for (const auto& tp : rib_->all_imported()) {
				++learned_routes[tp.prefix.addr.v6];
			}
		}
		const auto layout = compile::Layout::plan(cfg, ids, true, learned_routes);
		std::string err;
		auto obj = pub_.create_image(layout.total, err);
		if (!obj) {
			log("cannot publish tables: " + err + "; the running state stays");
			return false;
		}
		auto writer =
		    std::make_unique<compile::TableWriter>(obj->data(), layout, cfg, ids, learned);
		writer->commit(gen);
		writer->take_bytes_written();  // the next edit reports only its own writes
		live_.emplace(LiveImage{std::move(*obj), gen, 0, std::move(writer)});
		adopted_.reset();
		return true;
	}

	// The image the newest generation is in, and the writer that keeps it current.
	struct LiveImage {
		shm::Object object;
		uint64_t number;
		uint64_t header_offset;
		std::unique_ptr<compile::TableWriter> writer;
	};
	std::optional<LiveImage> live_;
	// The generation a previous daemon left published, until this one builds its own.
	std::optional<shm::Subscriber::Mapping> adopted_;
};

}  // namespace

int run(int argc, char** argv)
{
	std::string config_path;
	size_t max_config_bytes = 0;
	std::string check_path;
	std::string render_path;
	bool run_frr = false;
	uint16_t bmp_port = 11019;
	unsigned stale_hold_s = 120;
	unsigned settle_ms = 1000;
	std::string shell_group;
	std::string metrics_address;
	size_t metrics_max_tenants = 1000;
	po::options_description desc(
	    "tsunagid: the Tsunagi control daemon\n\n"
	    "Usage: tsunagid [--config FILE]\n       tsunagid --check FILE\n\nOptions");
	cli::add_common_options(desc, config_path, max_config_bytes);
	desc.add_options()(
	    "check", po::value(&check_path),
	    "validate FILE, print what would change against the running configuration, apply "
	    "nothing")(
	    "render-frr", po::value(&render_path),
	    "print the FRR configuration FILE gives (labels as a fresh start allocates them)")(
	    "frr", po::bool_switch(&run_frr),
	    "run FRR for the node (zebra, staticd, bgpd) from RUNTIME_DIR/frr, keep its "
	    "configuration rendered from the YAML, and publish the carriers' routes")(
	    "bmp-port", po::value(&bmp_port)->default_value(bmp_port),
	    "with --frr: the loopback port bgpd mirrors the carriers' messages to")(
	    "stale-hold", po::value(&stale_hold_s)->default_value(stale_hold_s),
	    "with --frr: seconds a carrier's routes keep forwarding after its session's last "
	    "event (down, up, the feed restarting) without End-of-RIB")(
	    "settle-ms", po::value(&settle_ms)->default_value(settle_ms),
	    "with --frr: milliseconds a carrier that sends no End-of-RIB must stay quiet, after "
	    "sending its routes again, for them to count as all it has (0: wait for the stale "
	    "hold)")(
	    "shell-group", po::value(&shell_group),
	    "the group whose members may use tsunagi-sh (RUNTIME_DIR/shell.sock, mode 0660); "
	    "default: only this daemon's user")(
	    "metrics-address", po::value(&metrics_address),
	    "serve Prometheus metrics at http://HOST:PORT/metrics ([IPV6]:PORT for IPv6; none: "
	    "do not); default: the YAML's node.metrics, itself 127.0.0.1:9469 by default")(
	    "metrics-max-tenants",
	    po::value(&metrics_max_tenants)->default_value(metrics_max_tenants),
	    "tenants with series of their own in /metrics; the others are summed as "
	    "tenant=\"_other\"");
	po::variables_map vm;
	if (auto rc = cli::parse_options(argc, argv, "tsunagid", desc, vm)) {
		return *rc;
	}
	if (!check_path.empty()) {
		return check(check_path, max_config_bytes);
	}
	if (!render_path.empty()) {
		return render_frr(render_path, max_config_bytes);
	}
	std::string err;
	std::optional<metrics::ListenAddress> metrics_at;
	if (!metrics_address.empty()) {
		metrics_at = metrics::parse_listen_address(metrics_address, err);
		if (!err.empty()) {
			log(err);
			return cli::kExitConfig;
		}
	}

	// Signals are taken synchronously, so a reload never interrupts a publication.
	sigset_t set;
	sigemptyset(&set);
	for (int s : {SIGHUP, SIGTERM, SIGINT, SIGUSR1}) {
		sigaddset(&set, s);
	}
	pthread_sigmask(SIG_BLOCK, &set, nullptr);

	std::string text;
	auto r = cli::load_config(config_path, "tsunagid", &text, max_config_bytes);
	if (!r) {
		return cli::kExitConfig;
	}
	// Where /metrics is served: the command line (checked above), else the YAML.
	if (metrics_address.empty()) {
		metrics_at = metrics::parse_listen_address(r->node.metrics_address, err,
		                                           "node.metrics in " + config_path);
		if (!err.empty()) {
			log(err);
			return cli::kExitConfig;
		}
	}
	const std::optional<gid_t> node_gid = shm::node_group(r->node.group, err);
	if (!err.empty()) {
		log(err);
		return cli::kExitConfig;
	}
	std::optional<gid_t> shell_gid = node_gid;
	if (!shell_group.empty()) {
		const group* g = getgrnam(shell_group.c_str());
		if (g == nullptr) {
			log("--shell-group: no group named " + shell_group);
			return cli::kExitUsage;
		}
		shell_gid = g->gr_gid;
	}
	// The shell's users, and the dataplane when it runs as another user of node.group,
	// reach the sockets through the runtime directory; FRR's daemons run as user frr from
	// RUNTIME_DIR/frr, so with --frr others may pass through it (not list it).
	// A directory it creates is the node group's (the dataplane writes there too), else
	// the shell's.
	const mode_t dir_mode = (node_gid ? 0770 : 0750) | (run_frr ? 0001 : 0);
	const auto dir =
	    cli::prepare_runtime_dir(r->node.runtime_dir, dir_mode, node_gid ? node_gid : shell_gid,
	                             node_gid, run_frr ? S_IXOTH : S_IXGRP, err);
	if (!dir) {
		log(err);
		return cli::kExitRuntime;
	}
	if (!dir->warning.empty()) {
		log(dir->warning);
	}
	const auto lock = cli::RuntimeLock::acquire(r->node.runtime_dir, "tsunagid", err);
	if (!lock) {
		log(err);
		return cli::kExitRuntime;
	}
	auto pub = shm::Publisher::open(shm::names_for(r->node.runtime_dir), 0600, node_gid, err);
	if (!pub) {
		log(err);
		return cli::kExitRuntime;
	}
	if (!pub->warning().empty()) {
		log(pub->warning());
	}
	std::vector<std::string> history_log;
	Daemon d(config_path, max_config_bytes, *r, std::move(*pub), history_log);
	for (const auto& l : history_log) {
		log(l);
	}
	d.adopt_published();
	const bool hold = run_frr && d.adopted();
	if (hold) {
		d.hold_first_publication(text, 15000);
	}
	d.watch_neighbors();
	d.neighbors_changed();  // the kernel's current table, before the first publication
	d.learn_port_macs();    // a running dataplane's device MACs, likewise
	if (!hold && !d.apply(d.config(), &text)) {
		return cli::kExitRuntime;
	}
	d.record_startup(text);
	if (run_frr && !d.start_frr(d.config().node.runtime_dir + "/frr", bmp_port)) {
		return cli::kExitRuntime;
	}
	if (metrics_at && !d.serve_metrics(*metrics_at, metrics_max_tenants, err)) {
		log(err);
	}
	shell::Shell sh(d);
	sh.audit = [](const std::string& l) { log("shell: " + l); };
	auto shell_server = shell::Server::open(shell::socket_path(d.config().node.runtime_dir),
	                                        shell_gid, sh, err);
	if (!shell_server) {
		log(err);
		return cli::kExitRuntime;
	}
	log("node " + d.config().node.name + " running; SIGHUP reloads " + config_path +
	    "; tsunagi-sh connects to " + shell_server->path());
	cli::ServiceNotifier notifier;
	notifier.ready("node " + d.config().node.name + ", table generation " +
	               std::to_string(d.published_generation()));
	const int sfd = signalfd(-1, &set, SFD_CLOEXEC);
	auto next_probe = std::chrono::steady_clock::now();
	for (;;) {
		std::vector<pollfd> fds{{sfd, POLLIN, 0}, {d.neighbor_fd(), POLLIN, 0}};
		d.add_feed_fds(fds);
		shell_server->add_fds(fds);
		d.metrics().add_fds(fds);
		poll(fds.data(), fds.size(), 200);
		if (fds[0].revents & POLLIN) {
			signalfd_siginfo si{};
			if (read(sfd, &si, sizeof(si)) == ssize_t(sizeof(si))) {
				if (si.ssi_signo == SIGHUP) {
					notifier.reloading();
					const auto r = d.reload(false);
					notifier.reloaded(
					    std::string(r.ok ? "reloaded" : "reload refused") +
					    ", table generation " +
					    std::to_string(d.published_generation()));
				} else if (si.ssi_signo == SIGUSR1) {
					d.log_counters();
				} else {
					log("stopping; the dataplane keeps forwarding with the "
					    "tables it has");
					return 0;
				}
			}
		}
		// Also when only a VRF's namespace has news: its watches are not polled.
		d.neighbors_changed();
		if (const auto now = std::chrono::steady_clock::now(); now >= next_probe) {
			d.probe_unresolved();
			d.supervise_frr();
			next_probe = now + std::chrono::seconds(1);
		}
		d.serve_feed({uint64_t(stale_hold_s) * 1000, settle_ms});
		d.release_hold();
		if (const std::string notice = d.expire_unconfirmed(); !notice.empty()) {
			shell_server->broadcast(notice);
		}
		d.collect();
		notifier.watchdog();
		shell_server->service();
		if (const auto line = d.metrics().serve(); !line.empty()) {
			log(line);
		}
	}
}

}  // namespace tsunagi::control

int main(int argc, char** argv)
{
	return tsunagi::control::run(argc, argv);
}
