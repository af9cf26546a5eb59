// The table changes tsunagi-bench-live makes, each one what tsunagid writes for one event:
//   - a route: an Option-B route learned or withdrawn in a VRF (TableWriter::set_route /
//     remove_route, what the route feed calls), cycling over a pool of prefixes that the
//     configured routes, and so the traffic, never use;
//   - a MAC: one tenant's static MAC replaced by another (TableWriter::upsert_tenant, what a
//     reload changing one tenant's static_macs comes down to). Learned MACs are the
//     dataplane's own; a static MAC is the only per-MAC entry tsunagid publishes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/scale_config.hpp"
#include "control/compile/table_writer.hpp"

namespace tsunagi::bench {

// Gives tenants first .. first+count-1 one static MAC each, on their first attachment, so the
// image is planned with room for them and a change replaces one rather than adding one.
void add_static_macs(config::Config& cfg, uint32_t first, uint32_t count);

class ChangeMix {
public:
	enum class Kind { route_add, route_withdraw, mac };

	// `cfg` as built by build_scale_config(p) plus add_static_macs(first, count);
	// `mac_percent` of the changes are MAC changes, spread evenly.
	ChangeMix(const config::Config& cfg, const ScaleParams& p, uint32_t route_pool,
	          uint32_t mac_first, uint32_t mac_count, unsigned mac_percent);

	// Writes the next change as of `generation`; false when the writer refused it.
	bool apply(compile::TableWriter& w, uint64_t generation, Kind& kind);

	// The learned-route prefix of pool entry i (host order, a /24).
	static uint32_t pool_prefix(const ScaleParams& p, uint32_t i);

private:
	bool route(compile::TableWriter& w, uint64_t generation, Kind& kind);
	bool mac(compile::TableWriter& w, uint64_t generation);

	ScaleParams p_;
	uint32_t pool_;
	unsigned mac_percent_;
	std::vector<std::string> vrf_names_;
	std::vector<abi::NexthopEntry> hops_;  // one Option-B hop; its label set per route
	uint32_t next_route_ = 0;
	bool adding_ = true;
	std::vector<config::Tenant> mac_tenants_;
	uint64_t next_mac_ = 0;
	uint32_t share_ = 0;  // accumulates mac_percent_ per change: a MAC change at each 100
};

}  // namespace tsunagi::bench
