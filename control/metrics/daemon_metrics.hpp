// tsunagid's metrics: the /metrics listener, and what the daemon observes for it between
// scrapes (reloads, update latency). The daemon hands over its state through Sources when a
// scrape comes; everything else about metrics lives in control/metrics/.
#pragma once

#include <poll.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/abi/table_view.hpp"
#include "common/config/model.hpp"
#include "common/shm/stats_segment.hpp"
#include "control/metrics/exposition.hpp"
#include "control/metrics/http_endpoint.hpp"
#include "control/metrics/render.hpp"
#include "control/routes/evpn_rib.hpp"
#include "control/routes/vpn_rib.hpp"

namespace tsunagi::metrics {

// The daemon's state a scrape reads; pointers may be null (no dataplane, no FRR).
struct Sources {
	const config::Config* cfg = nullptr;
	abi::TableView view;  // the newest published tables, invalid before the first
	uint64_t published_generation = 0;
	const shm::StatsReader* stats = nullptr;  // a live dataplane's counters
	const routes::VpnRib* rib = nullptr;      // with --frr
	const routes::EvpnRib* evpn = nullptr;    // with --frr
	std::vector<config::IpAddr> bgp_up;       // addresses of peers the route feed has up
	std::map<uint32_t, uint64_t> evpn_local;  // local MACs advertised, by VNI
};

class DaemonMetrics {
public:
	using GetSources = std::function<Sources()>;

	DaemonMetrics();

	// Serves /metrics at `where`. False with `error` when it cannot listen (the address in
	// use, or not this host's): serve() then tries again every few seconds, since the
	// daemon's other work matters more than its metrics.
	bool listen(const ListenAddress& where, size_t max_tenants, GetSources sources,
	            std::string& error);

	void add_fds(std::vector<pollfd>& fds) const;
	// Answers pending requests; call it on every pass of the daemon's loop. Returns a line
	// for the log when the listener came up late, else "".
	std::string serve();

	// A load or reload of the YAML ended: `cfg` is in force when it succeeded.
	void reloaded(bool ok, const config::Config* cfg);

	// What the dataplane uses now (StatsReader; 0 when none runs), against what was
	// published last (Publisher): when it switches to that publication, the delay from
	// publication to use is observed.
	void dataplane_seen(uint64_t published, uint64_t publish_ns, uint64_t in_use,
	                    uint64_t in_use_ns);

	const Histogram& update_latency() const { return latency_; }

	// The snapshot a scrape renders (for tests, and the listener's callback).
	Snapshot snapshot(const Sources& s) const;

private:
	std::unique_ptr<HttpEndpoint> http_;
	std::optional<ListenAddress> where_;
	uint64_t retry_ns_ = 0;  // when serve() tries to listen again, while http_ is null

	bool try_listen(std::string& error);
	GetSources sources_;
	size_t max_tenants_ = 1000;
	Histogram latency_;
	uint64_t started_ns_;
	uint64_t in_use_ = 0;  // the generation the dataplane used when last seen
	bool reload_ok_ = true;
	double reload_success_s_ = 0;
	std::map<std::string, uint64_t> configured_routes_;  // by tenant, of the YAML in force
};

}  // namespace tsunagi::metrics
