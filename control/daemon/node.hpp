// The node as tsunagid runs it: the configuration in force and the components that keep the
// dataplane's tables, FRR and the carriers' routes in step with it. What changes the node
// goes through here: a reload (as the Reloader's target), a neighbour the kernel learned, a
// device MAC the dataplane reported, a route a carrier sent.
#pragma once

#include <poll.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/config/model.hpp"
#include "control/daemon/dataplane_watch.hpp"
#include "control/daemon/evpn_local.hpp"
#include "control/daemon/frr_control.hpp"
#include "control/daemon/neighbor_follow.hpp"
#include "control/daemon/route_sync.hpp"
#include "control/daemon/tables.hpp"
#include "control/metrics/daemon_metrics.hpp"
#include "control/reload/reloader.hpp"

namespace tsunagi::control {

class Node : public Reloader::Target {
public:
	// `path`: the YAML file `cfg` was read from. What the configuration history left by an
	// earlier daemon holds that cannot be read is said in `startup_log`.
	Node(std::string path, size_t max_config_bytes, config::Config cfg, shm::Publisher pub,
	     std::vector<std::string>& startup_log);

	const config::Config& config() const { return cfg_; }
	Reloader& reloader() { return reloader_; }
	const Reloader& reloader() const { return reloader_; }

	// --- start-up, in this order ---
	void adopt_published() { tables_.adopt_published(names_); }
	bool adopted() const { return tables_.adopted(); }
	// A restart with FRR: the tables a previous daemon published hold the carriers' routes,
	// which this one has yet to learn. Rather than publish tables without them, it keeps
	// the dataplane on the old ones until the carriers have sent their routes again
	// (route_sync.hpp) or `max_ms` have passed.
	void hold_first_publication(std::string text, uint64_t max_ms);
	void watch_neighbors() { neighbors_.watch(cfg_); }
	// The MACs of a running dataplane's devices, before the first publication.
	void learn_port_macs();
	// Runs FRR from `dir`, bgpd mirroring the carriers' messages to `bmp_port`.
	bool start_frr(const std::string& dir, uint16_t bmp_port);
	bool serve_metrics(const metrics::ListenAddress& where, size_t max_tenants,
	                   std::string& error);

	// Publishes `cfg` as the next generation: edited into the current image in place
	// when it can be, else built as a new image. `text` (the YAML it came from) becomes
	// the running configuration on disk; republications for what the operator did not
	// write (neighbours, device MACs) have none.
	bool apply(const config::Config& cfg, const std::string* text, bool new_image = false);

	// --- the daemon's loop ---
	void add_fds(std::vector<pollfd>& fds) const;
	int neighbor_fd() const { return neighbors_.fd(); }
	// Republishes when the kernel's neighbours changed (also in the VRFs' namespaces).
	void neighbors_changed();
	// Once a second: neighbours nobody resolved yet asked for, FRR kept as configured.
	void look_after();
	// What bgpd mirrored since the last call, into the RIB and the tables; and what the
	// dataplane learned of EVPN tenants, out to bgpd.
	void serve_feed(const routes::ResyncTimers& timers);
	// Ends a start-up hold once the carriers are back, or its time is up.
	void release_hold();
	// What the dataplane uses now: what it no longer uses is reused, metrics see it.
	void collect();
	// SIGUSR1: the dataplane's drops and ports, and the route feed, to the log.
	void log_counters() const;
	metrics::DaemonMetrics& metrics() { return metrics_; }

	// --- what the shell reads ---
	abi::TableView tables() const { return tables_.view(); }
	uint64_t image_bytes() const { return tables_.image_bytes(); }
	uint64_t published_generation() const { return tables_.generation(); }
	std::optional<uint64_t> update_latency_us() const;
	std::optional<shell::DataplaneState> dataplane() const;
	std::vector<config::Neighbor> learned_neighbors() const;
	// nullopt when tsunagid does not run FRR.
	std::optional<std::string> vtysh(const std::string& command) const;
	// What BGP EVPN gave each EVPN tenant; nullopt without node.evpn or FRR.
	std::optional<std::vector<shell::EvpnTenant>> evpn() const;

	// --- Reloader::Target ---
	const config::Config& running() const override { return cfg_; }
	bool put_in_force(config::Config next, const std::string& text,
	                  const std::function<void(std::string)>& say) override;
	void reloaded(bool ok) override { metrics_.reloaded(ok, &cfg_); }

private:
	// Publishes the routes the RIB changed, and `changed` besides, as one generation.
	void publish_routes(std::vector<routes::TenantPrefix> changed = {});
	// Publishes the EVPN tenants whose remote VTEPs or MACs the feed changed, as one
	// generation.
	void publish_evpn();
	// Ends a pass of in-place edits: generation `gen` announced, or a new image when the
	// live one ran out of room.
	// (The log line names `what`, then the bytes and time, then `tail`: scripts read it.)
	void publish_edits(compile::TableWriter& w, uint64_t gen, const std::string& what,
	                   std::chrono::steady_clock::time_point t0, const std::string& tail = "");
	void image_full();
	// The configuration as the tables hold it: EVPN tenants completed from the RIB.
	config::Config for_tables(const config::Config& cfg) const;
	void configure_frr();
	frr::VrfNamespaces* vrfs() const { return frr_ ? &frr_->vrfs() : nullptr; }

	config::Config cfg_;
	shm::Names names_;
	Tables tables_;
	DataplaneWatch dataplane_;
	NeighborFollow neighbors_;
	std::unique_ptr<FrrControl> frr_;
	std::unique_ptr<RouteSync> routes_;  // with FRR
	EvpnLocal evpn_local_;
	metrics::DaemonMetrics metrics_;
	Reloader reloader_;
	std::optional<std::string> held_;  // the YAML text of a first publication on hold
	std::chrono::steady_clock::time_point hold_until_;
};

}  // namespace tsunagi::control
