#include "control/daemon/neighbor_follow.hpp"

#include <algorithm>
#include <map>

#include "common/shm/names.hpp"
#include "control/compile/next_hop.hpp"
#include "control/compile/vrf_plan.hpp"
#include "control/daemon/log.hpp"

namespace tsunagi::control {

void NeighborFollow::watch(const config::Config& cfg)
{
	std::map<std::string, NeighborWatch::Link> interfaces;
	for (const auto& p : cfg.ports) {
		if (p.role == config::PortRole::underlay ||
		    p.role == config::PortRole::interconnect) {
			interfaces[shm::punt_interface(p.name)] = {p.name, 0};
		}
	}
	std::string err;
	watch_ = NeighborWatch::open(std::move(interfaces), err);
	if (!watch_) {
		log("neighbour learning off: " + err + "; VTEP next hops need `neighbors:`");
	}
}

bool NeighborFollow::process(frr::VrfNamespaces* vrfs)
{
	// Both, whichever has news: a VRF's namespace is not polled, so it is read every pass.
	const bool in_vrfs = vrfs != nullptr && vrfs->process();
	return (watch_ && watch_->process()) || in_vrfs;
}

std::vector<config::Neighbor> NeighborFollow::learned(const frr::VrfNamespaces* vrfs) const
{
	auto out = watch_ ? watch_->learned() : std::vector<config::Neighbor>{};
	if (vrfs != nullptr) {
		for (auto& n : vrfs->learned()) {
			out.push_back(std::move(n));
		}
	}
	return out;
}

void NeighborFollow::probe_unresolved(const config::Config& cfg) const
{
	if (!watch_) {
		return;
	}
	for (const auto& peer : cfg.peers) {
		if (peer.option == config::PeerOption::B && peer.address &&
		    !compile::carrier_next_hop(cfg, peer, *peer.address, watch_->learned())
		         .resolved) {
			watch_->probe(peer.port, *peer.address);
		}
	}
	for (const auto& t : cfg.tenants) {
		for (const auto& v : t.vteps) {
			const auto hop = compile::vtep_next_hop(cfg, v);
			if (!hop) {
				continue;
			}
			const std::string& port = cfg.ports[hop->port].name;
			auto known = [&](const std::vector<config::Neighbor>& list) {
				return std::any_of(list.begin(), list.end(), [&](const auto& n) {
					return n.port == port && n.vlan == 0 &&
					       n.address == hop->address;
				});
			};
			if (!known(cfg.neighbors) && !known(watch_->learned())) {
				watch_->probe(port, hop->address);
			}
		}
	}
}

}  // namespace tsunagi::control
