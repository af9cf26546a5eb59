// The neighbours the kernel resolves on the punt interfaces of the L3 ports (and, through
// the VRFs' namespaces, on Option-A sub-interfaces): the next hops of VTEPs and carriers
// that `neighbors:` does not give.
#pragma once

#include <memory>
#include <vector>

#include "common/config/model.hpp"
#include "control/frr/vrf_namespaces.hpp"
#include "control/neighbors/neighbor_watch.hpp"

namespace tsunagi::control {

class NeighborFollow {
public:
	// Starts following the punt interfaces of `cfg`'s underlay and interconnect ports;
	// without netlink, learning is off (said in the log) and only `neighbors:` count.
	void watch(const config::Config& cfg);
	int fd() const { return watch_ ? watch_->fd() : -1; }

	// Takes what the kernels said since the last call; true when a neighbour changed.
	bool process(frr::VrfNamespaces* vrfs);
	std::vector<config::Neighbor> learned(const frr::VrfNamespaces* vrfs) const;

	// Asks the kernel to resolve every VTEP and carrier next hop nobody has a MAC for yet.
	void probe_unresolved(const config::Config& cfg) const;

private:
	std::unique_ptr<NeighborWatch> watch_;
};

}  // namespace tsunagi::control
