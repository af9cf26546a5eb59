// What tsunagid exports to Prometheus (docs/metrics.md), rendered from one snapshot of its
// state. Counters are the dataplane's per-worker blocks added up at scrape time
// (dp::add_up); nothing is counted for Prometheus on the fast path.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/abi/table_view.hpp"
#include "common/report/counter_totals.hpp"
#include "control/metrics/exposition.hpp"

namespace tsunagi::metrics {

// The tenant label of every tenant beyond --metrics-max-tenants, summed.
inline constexpr std::string_view kOtherTenants = "_other";

// A worker's time in seconds since its dataplane started: all of it, and the part spent in
// loop passes that received packets.
struct WorkerTime {
	double busy_s = 0;
	double total_s = 0;
};

struct BgpSession {
	std::string peer;  // the configured peer's name
	bool up = false;
};

struct RouteCount {
	std::string tenant;
	uint64_t routes = 0;
};

// What BGP EVPN gave one EVPN tenant (docs/evpn.md).
struct EvpnCount {
	std::string tenant;
	uint64_t vteps = 0;
	uint64_t macs = 0;
	uint64_t local_macs = 0;
};

struct Snapshot {
	std::string version;
	// The newest published tables (port and tenant names); invalid before the first.
	abi::TableView view;
	uint64_t published_generation = 0;
	// The dataplane: up while its heartbeat is fresh; counters only then.
	bool dataplane_up = false;
	uint64_t in_use_generation = 0;
	std::optional<dp::CounterTotals> counters;
	std::vector<WorkerTime> workers;
	std::vector<RouteCount> vrf_routes;
	// Only when tsunagid runs FRR (--frr).
	std::optional<std::vector<BgpSession>> bgp;
	// Only with node.evpn and FRR.
	std::optional<std::vector<EvpnCount>> evpn;
	const Histogram* update_latency = nullptr;
	bool reload_ok = true;
	double reload_success_s = 0;  // Unix time of the last successful (re)load
	size_t max_tenants = 1000;
};

// Upper bounds of the update latency histogram, in seconds: 100 us to 10 s.
std::vector<double> update_latency_bounds();

std::string render(const Snapshot& s);

}  // namespace tsunagi::metrics
